//! The REPL's history file, read and written through the library's one reader and writer rather
//! than by rustyline, which opens the path as it finds it: a FIFO there made the REPL hang
//! before its first prompt, and a symbolic link there had its target rewritten.
//!
//! The format is rustyline's own (`#V2`, then one entry a line with `\` and newlines escaped),
//! so a history written by earlier versions is still read.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::files::{self, Limit, Replace, WriteOptions};

/// How much history is read: far more than the entries rustyline keeps.
const HISTORY_FILE: Limit = Limit {
    what: "history file",
    max_bytes: 1 << 20,
};

const VERSION_LINE: &str = "#V2";

/// The entries in the history file, oldest first; none when there is no file yet. A file that
/// cannot be used (a link, a pipe, a device, a directory, too large, not UTF-8) is an error:
/// the caller then keeps no history this session, and never writes over that path.
pub(super) fn load(path: &Path) -> Result<Vec<String>, Diagnostic> {
    files::refuse_symlink(path)?;
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(Vec::new());
    }
    let text = files::read_text(path, HISTORY_FILE)?;
    Ok(parse(&text))
}

/// Writes the entries over the history file (a new file if there is none), readable by the
/// owner only. Refused like any write: through a link, over anything not a regular file.
pub(super) fn save<'a>(
    path: &Path,
    entries: impl IntoIterator<Item = &'a String>,
) -> Result<(), Diagnostic> {
    if let Some(dir) = path.parent() {
        // A missing directory is made; a failure shows as the write's own error below.
        let _ = std::fs::create_dir_all(dir);
    }
    let options = WriteOptions {
        replace: Replace::Existing,
        private: true,
    };
    files::write_text(path, &render(entries), options)
}

/// The file's text for these entries.
fn render<'a>(entries: impl IntoIterator<Item = &'a String>) -> String {
    let mut text = format!("{VERSION_LINE}\n");
    for entry in entries {
        for c in entry.chars() {
            match c {
                '\\' => text.push_str("\\\\"),
                '\n' => text.push_str("\\n"),
                c => text.push(c),
            }
        }
        text.push('\n');
    }
    text
}

/// The entries of a history file's text (version 2, or the older one entry a line).
fn parse(text: &str) -> Vec<String> {
    let mut lines = text.lines();
    let mut entries = Vec::new();
    let escaped = match lines.next() {
        Some(VERSION_LINE) => true,
        Some(first) => {
            if !first.is_empty() {
                entries.push(first.to_string());
            }
            false
        }
        None => return entries,
    };
    for line in lines.filter(|l| !l.is_empty()) {
        entries.push(if escaped {
            unescape(line)
        } else {
            line.to_string()
        });
    }
    entries
}

/// `\n` → newline, `\\` → `\`; any other escape is kept as written.
fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_with_newlines_and_backslashes_come_back_as_written() {
        let entries = vec![
            "dose = 5 mg".to_string(),
            "test_doses = [\n  { dose: 50 mcg }\n]".to_string(),
            r"a \ b \n c".to_string(),
        ];
        let text = render(&entries);
        assert!(text.starts_with("#V2\n"));
        assert_eq!(text.lines().count(), 4, "one line per entry: {text:?}");
        assert_eq!(parse(&text), entries);
    }

    #[test]
    fn an_older_history_of_plain_lines_is_read() {
        assert_eq!(parse("one\n\ntwo\n"), vec!["one", "two"]);
        assert!(parse("").is_empty());
    }
}
