//! `posology explain CODE`: the registry's explanation of one code, and `docs/diagnostics.md`,
//! the same explanations for every code. Both are built here, from [`Code`], so the command,
//! the document and the codes the program reports cannot drift apart.

use super::codes::PREFIX;
use super::{did_you_mean, Code, Diagnostic};

/// The width explanations are wrapped to, so they read well on a terminal and in a diff.
const WIDTH: usize = 80;

/// The explanation of the code named `name` (with or without its `posology::` prefix), as
/// printed by `posology explain`; or a diagnostic naming the closest known code.
pub fn explain(name: &str) -> Result<String, Diagnostic> {
    match Code::from_name(name) {
        Some(code) => Ok(format!("{code}\n\n{}", wrap(code.explanation()))),
        None => Err(unknown_code(name)),
    }
}

/// Every code with its explanation, as Markdown: the text of `docs/diagnostics.md`.
pub fn explain_all() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\
         \n\
         Every code Posology reports, with what it means and how to fix it. This file is\n\
         generated from `src/diagnostics/codes.rs`; regenerate it with\n\
         `cargo run -- explain --all > docs/diagnostics.md` (a test fails when it is stale).\n\
         `posology explain CODE` prints one entry.\n",
    );
    for code in Code::ALL {
        out.push_str(&format!("\n## `{code}`\n\n{}", wrap(code.explanation())));
    }
    out
}

/// The diagnostic for a code that is not in the registry, suggesting the closest one.
fn unknown_code(name: &str) -> Diagnostic {
    let shown = crate::display::quoted(name.trim());
    let d = Diagnostic::error(
        Code::CliUnknownCode,
        format!("`{shown}` is not a Posology diagnostic code"),
    );
    // Compare both the full code and its short form, so `unit::mismach` and
    // `posology::unit::mismach` both find `posology::unit::mismatch`.
    let full = Code::ALL.iter().map(|c| c.as_str());
    let short = Code::ALL.iter().map(|c| &c.as_str()[PREFIX.len()..]);
    let guess = if name.trim().starts_with(PREFIX) {
        did_you_mean(name.trim(), full).map(str::to_string)
    } else {
        did_you_mean(name.trim(), short).map(|s| format!("{PREFIX}{s}"))
    };
    match guess {
        Some(g) => d.with_help(format!("did you mean `{g}`?")),
        None => d.with_help("`posology explain --all` lists every code"),
    }
}

/// Wraps text to [`WIDTH`] columns at spaces, ending with a newline.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > WIDTH {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_explained() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} is listed twice");
            assert!(code.as_str().starts_with("posology::"), "{code}");
            assert!(
                code.explanation().len() > 40,
                "{code} needs a real explanation"
            );
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
        }
        let listed: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(listed, sorted, "keep the registry sorted by code");
    }

    #[test]
    fn explains_a_code_with_or_without_its_prefix() {
        let full = explain("posology::unit::mismatch").expect("known");
        assert!(full.starts_with("posology::unit::mismatch\n\n"));
        assert_eq!(explain("unit::mismatch").expect("known"), full);
    }

    #[test]
    fn an_unknown_code_suggests_the_closest() {
        let d = explain("unit::mismach").expect_err("unknown");
        assert_eq!(d.code, Code::CliUnknownCode);
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `posology::unit::mismatch`?")
        );
    }
}
