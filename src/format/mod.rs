//! The canonical layout of protocol files (`posology fmt`): every comment kept, idempotent, and
//! never a change of meaning (the formatted text parses to the same tree). Comments are kept by
//! position: a comment on its own line stays before the statement that follows it; a comment at
//! the end of a statement's last line stays at the end of that line.

mod expr;
mod items;

use crate::diagnostics::Diagnostic;
use crate::syntax;
use crate::syntax::lex::{lex, TokenKind};

pub use expr::{expr as format_expr, quote};

/// Longest line the formatter aims for before breaking a statement.
pub const WIDTH: usize = 100;

/// A `//` comment found in the source.
#[derive(Clone, Debug)]
struct Comment {
    /// Byte offset of `//`.
    start: usize,
    /// The comment, from `//` to the end of the line, trailing spaces removed.
    text: String,
    /// Code stands before it on its line.
    trailing: bool,
    /// Already printed.
    done: bool,
}

/// Formats a protocol's text; a text that does not parse is returned as its diagnostic.
pub fn format(text: &str) -> Result<String, Diagnostic> {
    let protocol = syntax::parse(text)?;
    let mut printer = items::Printer::new(text, comments(text));
    printer.protocol(&protocol);
    Ok(printer.finish())
}

/// Prints a protocol tree (one not read from text, so with no comments to keep).
pub fn format_protocol(protocol: &crate::syntax::ast::Protocol) -> String {
    let mut printer = items::Printer::new("", Vec::new());
    printer.protocol(protocol);
    printer.finish()
}

/// A unified diff from `old` to `new` (for `posology fmt --check`), safe to print: a control
/// character in the file (an escape sequence in a comment) is shown escaped, never sent to the
/// terminal.
pub fn diff(old: &str, new: &str, name: &str) -> String {
    let name = crate::display::escape(name);
    // Myers' diff takes time that grows with the product of the two texts' lengths when they
    // differ in most lines (a 1 MiB file of blank lines took minutes); past the deadline the
    // diff is still correct, only possibly longer than the shortest one. A 20,000-line
    // protocol's diff takes about 3 s, so ordinary files keep the shortest diff.
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(10))
        .diff_lines(old, new);
    let diff = diff
        .unified_diff()
        .context_radius(2)
        .header(&name, &format!("{name} (formatted)"))
        .to_string();
    crate::display::terminal_safe(&diff).into_owned()
}

/// Every `//` comment outside quoted text.
fn comments(text: &str) -> Vec<Comment> {
    lex(text)
        .iter()
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| {
            let line_start = text[..t.span.start].rfind('\n').map_or(0, |i| i + 1);
            Comment {
                start: t.span.start,
                text: t.text(text).trim_end().to_string(),
                trailing: !text[line_start..t.span.start].trim().is_empty(),
                done: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"// leading comment
protocol demo {
  version "1.0.0"   // trailing on a header
  source "label"
  inputs {
    // about age
    age: years in 0 years..120 years
    dose: mg optional // the current dose
  }
  begin at phase_one
  let total = (dose + 5 mg) * 2
  phase phase_one {
    decide first {
      when age < 12 years => warn "child"
      otherwise => give (dose + 5 mg) round down to 5 mg 3 times daily ; wait 3 days
    }
  }
}
// the end
"#;

    #[test]
    fn keeps_every_comment_and_is_idempotent() {
        let once = format(SAMPLE).expect("formats");
        for c in [
            "// leading comment",
            "// trailing on a header",
            "// about age",
            "// the current dose",
            "// the end",
        ] {
            assert!(once.contains(c), "lost {c:?} in:\n{once}");
        }
        let twice = format(&once).expect("formats again");
        assert_eq!(once, twice);
    }

    /// A comment written inside a statement or on a block's first line stays with that
    /// statement or block: printed after it, it would read as a comment on the next one (a
    /// "POLICY" note moved onto the wrong limit).
    #[test]
    fn comments_stay_with_their_statement() {
        let text = r#"protocol t { // header
  version "1"
  source "s"
  inputs { // the inputs
    w: kg in 1 kg..300 kg } // end of the inputs
  require w > 2 kg // not a newborn
    because "too small"
  limit dose <= 10 mg hard // hard max
    because "max"
  decide first { // rules
    r: when w > 50 kg // adults
      => give 5 mg
    s: otherwise => give 2 mg
  }
}
"#;
        let once = format(text).expect("formats");
        let line_of = |needle: &str| once.lines().position(|l| l.contains(needle));
        let before = |comment: &str, statement: &str| {
            let (c, s) = (line_of(comment), line_of(statement));
            assert!(
                c.is_some() && c < s,
                "{comment:?} must come before {statement:?}:\n{once}"
            );
        };
        before("// not a newborn", "require w > 2 kg");
        before("// hard max", "limit dose <= 10 mg");
        before("// adults", "r: when w > 50 kg");
        assert!(once.contains("protocol t { // header"), "{once}");
        assert!(once.contains("inputs { // the inputs"), "{once}");
        assert!(once.contains("decide first { // rules"), "{once}");
        assert!(
            once.contains("  } // end of the inputs"),
            "the block's: {once}"
        );
        assert_eq!(format(&once).expect("formats again"), once);
    }

    /// Each dose form that once printed text which did not parse, or parsed to another dose,
    /// and what it prints now: formatting again changes nothing, and the tree is the same.
    #[test]
    fn doses_round_trip() {
        for (written, printed) in [
            (
                "give dose_1 every 12 h ; show dose_1",
                "give dose_1 every 12 h ; show dose_1",
            ),
            ("give dose_1 n times daily", "give dose_1 n times daily"),
            ("give 5 (n) times daily", "give 5 (n) times daily"),
            ("give (5) tablet", "give (5) tablet"),
            ("give 5 bolus", "give 5 bolus"),
            ("give 5 mg 1 times daily", "give 5 mg once daily"),
            (
                "give (if n > 1 then 5 mg else 10 mg) round down to 5 mg",
                "give (if n > 1 then 5 mg else 10 mg) round down to 5 mg",
            ),
            ("give 5 once daily", "give 5 once daily"),
            ("give 5 mg twice daily", "give 5 mg 2 times daily"),
            (
                "schedule from 5 (n) times daily increase by 5 mg every 3 days",
                "schedule from 5 (n) times daily increase by 5 mg every 3 days",
            ),
            (
                "schedule from 5 mg once daily increase by 5 mg every 3 days",
                "schedule from 5 mg once daily increase by 5 mg every 3 days",
            ),
            (
                "schedule 5 mg once daily for 1 day ,then 5 mg twice daily for 2 days, then stop",
                "schedule 5 mg once daily for 1 day, then 5 mg 2 times daily for 2 days, then stop",
            ),
            (
                "schedule 5 (n) times daily for 1 day, then 5 mg",
                "schedule 5 (n) times daily for 1 day, then 5 mg",
            ),
            (
                "choose { a: give 5 mg once daily  b: give 10 mg every 12 h ; }",
                "choose { a: give 5 mg once daily ; b: give 10 mg every 12 h }",
            ),
        ] {
            let text = format!(
                "protocol p {{\n  inputs {{\n    n: | only\n  }}\n  decide first {{\n    \
                 otherwise => {written}\n  }}\n}}\n"
            );
            let once = format(&text).unwrap_or_else(|d| panic!("{written}: {}", d.message));
            let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                words(&once).contains(&format!("otherwise => {} }}", words(printed))),
                "{once}"
            );
            assert!(once.contains("n: | only"), "{once}");
            assert_eq!(
                format(&once).ok().as_deref(),
                Some(once.as_str()),
                "{written}"
            );
            let tree = |t: &str| {
                syntax::parse(t)
                    .map(|p| strip(&format!("{:?}", p.decides)))
                    .ok()
            };
            assert_eq!(tree(&once), tree(&text), "{written}");
        }
    }

    /// Debug text with spans blanked.
    fn strip(debug: &str) -> String {
        let mut out = String::new();
        let mut rest = debug;
        while let Some(i) = rest.find("Span { start: ") {
            out.push_str(&rest[..i]);
            rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
        }
        out + rest
    }

    /// A stepped schedule or a `choose` too long for one line gets a line per step or
    /// alternative, under the action's first word.
    #[test]
    fn long_steps_and_alternatives_get_a_line_each() {
        let text =
            "protocol p {\n decide first {\n r: otherwise => schedule 300 mg once daily for \
                    1 day, then 300 mg twice daily for 1 day, then 300 mg 3 times daily starting \
                    start_date ; choose { every_12h: give 1 mg/kg * weight every 12 h ; \
                    once_daily: give 1.5 mg/kg * weight once daily }\n }\n}\n";
        let once = format(text).expect("formats");
        let expected = "    r: otherwise
      => schedule 300 mg once daily for 1 day,
           then 300 mg 2 times daily for 1 day,
           then 300 mg 3 times daily starting start_date
       ; choose {
           every_12h: give 1 mg/kg * weight every 12 h
           once_daily: give 1.5 mg/kg * weight once daily
         }
";
        assert!(once.contains(expected), "{once}");
        assert_eq!(format(&once).ok().as_deref(), Some(once.as_str()));
        let tree = |t: &str| {
            syntax::parse(t)
                .map(|p| strip(&format!("{:?}", p.decides)))
                .ok()
        };
        assert_eq!(tree(&once), tree(text));
    }

    #[test]
    fn parentheses_only_where_needed() {
        let once = format(SAMPLE).expect("formats");
        assert!(once.contains("let total = (dose + 5 mg) * 2"), "{once}");
        assert!(
            once.contains("give (dose + 5 mg) round down to 5 mg 3 times daily"),
            "{once}"
        );
    }
}
