//! The diagnostic code registry (`src/diagnostics/codes.rs`) against the rest of the project:
//! `docs/diagnostics.md` is generated from it, every code in it is shown by at least one
//! fixture a person reads (a snapshot or a transcript), and no code is written as a string
//! outside it.
//!
//! Regenerate the document with `cargo run -- explain --all > docs/diagnostics.md`, or run this
//! test with `POSOLOGY_BLESS=1`.

mod common;

use posology::diagnostics::{explain_all, Code};

use common::{files, root};

/// Codes no fixture can show, each with the reason. Keep this list short: a code that a
/// person can meet deserves a fixture showing what they see.
const NOT_EXERCISED: &[(&str, &str)] = &[
    (
        "posology::eval::no_phase",
        "check rejects every `begin at` choice that names no phase (phase::unknown, \
         src/check/decide.rs) and a begin that is not an input, so a loaded protocol has none",
    ),
    (
        "posology::example::given",
        "the grammar reads `given` only as a record `{ … }` (grammar/posology.pest `given`), so \
         check never sees another value there: `given 15 mg` is posology::syntax::unexpected",
    ),
    (
        "posology::internal",
        "raised only by the syntax builder when a parse that pest accepted lacks a child the \
         grammar requires (src/syntax/build.rs `next`/`internal`): a grammar/builder mismatch, \
         not any input",
    ),
];

/// Codes a person can meet but no fixture shows yet (found when the registry was made; issue
/// 11). This is a debt list, not an exemption: each wants a fixture, and the list may only
/// shrink (a test fails when a code on it gains a fixture, so it is then removed).
const NO_FIXTURE_YET: &[&str] = &["posology::syntax::too_complex"];

#[test]
fn docs_diagnostics_md_is_generated_from_the_registry() {
    let path = root().join("docs/diagnostics.md");
    let expected = explain_all();
    if std::env::var_os("POSOLOGY_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("docs/diagnostics.md is writable");
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "docs/diagnostics.md is stale: run `cargo run -- explain --all > docs/diagnostics.md`"
    );
}

#[test]
fn every_code_is_shown_by_a_fixture() {
    let mut paths = Vec::new();
    files(&root().join("tests/snapshots"), &["snap"], &mut paths);
    files(&root().join("tests"), &["txt"], &mut paths);
    // An integration test that asserts a code shows it as well as a snapshot does (the work
    // bounds and hostile-file tests build their inputs in code, too large for a fixture file).
    files(&root().join("tests"), &["rs"], &mut paths);
    let this_file = root().join("tests/diagnostic_codes.rs");
    let mut text: String = paths
        .iter()
        .filter(|p| **p != this_file)
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    // So does a unit test next to the code: a `tests.rs` (or `tests/`) module, or the part of a
    // source file after `#[cfg(test)]`.
    let mut sources = Vec::new();
    files(&root().join("src"), &["rs"], &mut sources);
    for source in sources {
        let body = std::fs::read_to_string(&source).unwrap_or_default();
        let test_file = source.file_name().is_some_and(|n| n == "tests.rs")
            || source.components().any(|c| c.as_os_str() == "tests");
        if test_file {
            text.push_str(&body);
        } else if let Some((_, tests)) = body.split_once("#[cfg(test)]") {
            text.push_str(tests);
        }
    }
    let allowed = |code: &str| {
        NOT_EXERCISED.iter().any(|(c, _)| *c == code) || NO_FIXTURE_YET.contains(&code)
    };
    let shown = |code: &str| {
        text.match_indices(code).any(|(i, _)| {
            !text[i + code.len()..].starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        })
    };
    for code in NO_FIXTURE_YET {
        assert!(Code::from_name(code).is_some(), "{code} is not a code");
        assert!(
            !shown(code),
            "{code} now has a fixture: remove it from NO_FIXTURE_YET"
        );
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !allowed(c))
        // A code followed by a letter or `_` is a longer code (`io::read` in `io::readonly`).
        .filter(|c| !shown(c))
        .collect();
    assert!(
        missing.is_empty(),
        "no snapshot or transcript shows these codes; add a fixture (tests/check, tests/cli, \
         tests/repl) or an entry with its reason in NOT_EXERCISED:\n{}",
        missing.join("\n")
    );
    for (code, reason) in NOT_EXERCISED {
        assert!(Code::from_name(code).is_some(), "{code} is not a code");
        assert!(!reason.is_empty(), "{code} needs a reason");
    }
}

#[test]
fn codes_are_written_only_in_the_registry() {
    let mut paths = Vec::new();
    files(&root().join("src"), &["rs"], &mut paths);
    let registry = root().join("src/diagnostics/codes.rs");
    let mut offenders = Vec::new();
    for path in paths.iter().filter(|p| **p != registry) {
        let text = std::fs::read_to_string(path).expect("source is readable");
        // Tests may compare with a code's text; code that builds diagnostics may not.
        let is_test = path.components().any(|c| c.as_os_str() == "tests")
            || path.file_name().is_some_and(|n| n == "tests.rs");
        if is_test {
            continue;
        }
        let body = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in body.lines().enumerate() {
            if line.contains("\"posology::") {
                offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "use a `Code` from the registry, not a string:\n{}",
        offenders.join("\n")
    );
}
