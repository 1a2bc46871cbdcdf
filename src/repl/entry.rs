//! One REPL entry, which may run over several lines while brackets are open. The lines are
//! scanned as they come, once each (never the whole entry again for every line), and an entry
//! that can never be read — nested deeper than the language allows, or longer than a protocol
//! may be — is dropped with a diagnostic as soon as that is known, so piping in 100,000 lines of
//! `(` finishes at once.

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Source, Span};
use crate::syntax::lex::{lex, TokenKind};
use crate::syntax::{MAX_NESTING, MAX_PROTOCOL_BYTES};

/// The most lines one entry may run over.
pub const MAX_ENTRY_LINES: usize = 20_000;

/// The most bytes one entry may hold: what the reader accepts in one text.
pub const MAX_ENTRY_BYTES: usize = MAX_PROTOCOL_BYTES;

/// Where a scan of entry text stands: how many brackets are open. Strings and comments end at
/// the end of their line, so each piece fed is lexed on its own ([`lex`]) and only the depth
/// carries over.
#[derive(Clone, Copy, Debug, Default)]
pub struct BracketScan {
    /// Brackets open (outside quotes and comments).
    pub depth: i64,
}

impl BracketScan {
    /// Scans one more piece of text (one or more whole lines); returns the byte offset in `text`
    /// of the first bracket that opened past [`MAX_NESTING`], if one did.
    pub fn feed(&mut self, text: &str) -> Option<usize> {
        let mut too_deep = None;
        for token in lex(text) {
            match token.kind {
                TokenKind::Open(_) => {
                    self.depth += 1;
                    if self.depth > MAX_NESTING as i64 && too_deep.is_none() {
                        too_deep = Some(token.span.start);
                    }
                }
                TokenKind::Close(_) => self.depth -= 1,
                _ => {}
            }
        }
        too_deep
    }
}

/// The lines of an entry read so far, while its brackets are open.
#[derive(Debug, Default)]
pub struct Entry {
    text: String,
    lines: usize,
    scan: BracketScan,
}

/// What one more line makes of an entry.
pub enum Step {
    /// Brackets are still open: wait for more lines.
    Open,
    /// The entry is complete: run this text.
    Complete(String),
    /// The entry can never be read: report this (the entry is dropped).
    Dropped(Diagnostic),
}

impl Entry {
    /// True while lines are waiting for their brackets to close.
    pub fn is_open(&self) -> bool {
        self.lines > 0
    }

    /// Adds a line.
    pub fn push(&mut self, line: &str) -> Step {
        let mut scan = self.scan;
        let too_deep = scan.feed(line);
        if let Some(at) = too_deep {
            self.clear();
            let end = at + 1;
            return Step::Dropped(
                Diagnostic::error(
                    Code::SyntaxTooDeep,
                    format!("brackets are nested more than {MAX_NESTING} deep here"),
                )
                .with_label(Span::new(at, end), "too deep")
                .with_help(
                    "nothing of this entry was run; close the brackets, and split the \
                     expression into named `let` values in the protocol",
                )
                .with_source(&Source::new("input", line)),
            );
        }
        if scan.depth <= 0 {
            let mut text = std::mem::take(&mut self.text);
            if self.lines > 0 {
                text.push('\n');
            }
            text.push_str(line);
            self.clear();
            return Step::Complete(text);
        }
        let bytes = self.text.len() + line.len() + 1;
        if self.lines + 1 > MAX_ENTRY_LINES || bytes > MAX_ENTRY_BYTES {
            let first = if self.lines == 0 {
                line.to_string()
            } else {
                self.text.split('\n').next().unwrap_or("").to_string()
            };
            let lines = self.lines + 1;
            self.clear();
            return Step::Dropped(
                Diagnostic::error(
                    Code::ReplEntryTooLong,
                    format!(
                        "this entry still has brackets open after {lines} lines ({bytes} \
                         bytes); it is dropped"
                    ),
                )
                .with_label(
                    Span::new(0, first.len()),
                    "the entry started here, and its brackets were never closed",
                )
                .with_help(format!(
                    "nothing of it was run. An entry may run over at most {MAX_ENTRY_LINES} \
                     lines and {MAX_ENTRY_BYTES} bytes: close every `(`, `[` and `{{`, or read \
                     a long list from a patient file with `:patient FILE`"
                ))
                .with_source(&Source::new("input", first)),
            );
        }
        if self.lines > 0 {
            self.text.push('\n');
        }
        self.text.push_str(line);
        self.lines += 1;
        self.scan = scan;
        Step::Open
    }

    /// The lines waiting, as one text (at the end of input), leaving the entry empty.
    pub fn take(&mut self) -> Option<String> {
        if !self.is_open() {
            return None;
        }
        let text = std::mem::take(&mut self.text);
        self.clear();
        Some(text)
    }

    fn clear(&mut self) {
        self.text.clear();
        self.lines = 0;
        self.scan = BracketScan::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lex::open_brackets;

    #[test]
    fn brackets_are_counted_outside_quotes_and_comments() {
        assert_eq!(open_brackets("x = ["), 1);
        assert_eq!(open_brackets("x = [\"(\" // ("), 1);
        assert_eq!(open_brackets("{ a: [1,\n 2] }"), 0);
        assert_eq!(open_brackets("\"a\\\"(\""), 0);
    }

    #[test]
    fn an_entry_is_run_when_its_brackets_close() {
        let mut e = Entry::default();
        assert!(matches!(e.push("x += {"), Step::Open));
        assert!(matches!(e.push("  dose: 1 mg,"), Step::Open));
        match e.push("}") {
            Step::Complete(text) => assert_eq!(text, "x += {\n  dose: 1 mg,\n}"),
            _ => panic!("not complete"),
        }
        assert!(!e.is_open());
    }

    #[test]
    fn an_entry_too_deep_is_dropped_at_the_bracket_past_the_limit() {
        let mut e = Entry::default();
        for _ in 0..MAX_NESTING {
            assert!(matches!(e.push("("), Step::Open));
        }
        match e.push("1 + (") {
            Step::Dropped(d) => {
                assert_eq!(d.code, "posology::syntax::too_deep");
                assert_eq!(d.primary_span(), Some(Span::new(4, 5)));
            }
            _ => panic!("not dropped"),
        }
        assert!(!e.is_open());
    }

    #[test]
    fn an_entry_too_long_is_dropped() {
        let mut e = Entry::default();
        assert!(matches!(e.push("x = ["), Step::Open));
        let mut dropped = None;
        for _ in 0..MAX_ENTRY_LINES {
            if let Step::Dropped(d) = e.push("1 mg,") {
                dropped = Some(d);
                break;
            }
        }
        let d = dropped.expect("dropped");
        assert_eq!(d.code, "posology::repl::entry_too_long");
        assert!(!e.is_open());
    }
}
