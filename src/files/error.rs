//! Every way reading or writing a file can fail, as data: the one place that turns each kind
//! into its code, message, label and help, so the wording of an io diagnostic is found (and
//! changed) here and nowhere else.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::string::FromUtf8Error;

use super::read::size_words;
use super::Limit;
use crate::diagnostics::{Code, Diagnostic, Severity, Source, Span};

/// One failed or refused file operation (the io layer's error kind).
#[derive(Debug)]
pub enum FileError {
    /// The path is a directory, pipe, device, socket or link where a regular file is needed.
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// What it is instead, in words ("a directory", "a named pipe (FIFO)").
        kind: &'static str,
        /// True for a directory (reading one gets other advice than reading a pipe).
        is_dir: bool,
        /// True when the path was to be written (the advice differs).
        writing: bool,
    },
    /// The operating system refused a read.
    Read {
        /// How the file or stream is named in the message.
        name: String,
        /// The operating system's reason.
        error: io::Error,
    },
    /// The operating system refused a write.
    Write {
        /// The path written.
        path: PathBuf,
        /// The operating system's reason.
        error: io::Error,
    },
    /// An existing file that is read-only (refused before the OS is asked, with other advice).
    ReadOnly {
        /// The path written.
        path: PathBuf,
    },
    /// A symbolic link where a file is to be written: links are never written through.
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// A symbolic link to a directory met in a walk: not followed (a warning).
    SymlinkSkipped {
        /// The link.
        path: PathBuf,
    },
    /// Something already at a path that may not be replaced.
    Exists {
        /// The path written.
        path: PathBuf,
    },
    /// A file or stream larger than its [`Limit`].
    TooLarge {
        /// How the file or stream is named in the message.
        name: String,
        /// The limit it passed.
        limit: Limit,
        /// The size its metadata claimed, if any (shown when it is over the limit).
        claimed: Option<u64>,
    },
    /// A directory named to be searched holds no file of the kind wanted: checking nothing is
    /// not a success.
    NothingFound {
        /// The directory.
        path: PathBuf,
        /// The extension looked for (`dose`, `json`).
        extension: String,
    },
    /// Bytes that are not UTF-8 text.
    NotUtf8 {
        /// How the file or stream is named in the message.
        name: String,
        /// The decoding error, which holds the bytes (the label points into their lossy text).
        error: FromUtf8Error,
    },
}

/// Where the first invalid UTF-8 bytes are and how they are shown (`0xB5`).
struct BadBytes {
    at: usize,
    shown: String,
    what: &'static str,
}

fn bad_bytes(error: &FromUtf8Error) -> BadBytes {
    let bytes = error.as_bytes();
    let at = error.utf8_error().valid_up_to();
    let len = error
        .utf8_error()
        .error_len()
        .unwrap_or(bytes.len().saturating_sub(at));
    let shown = bytes
        .get(at..at.saturating_add(len))
        .unwrap_or_default()
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    let what = if len == 1 { "byte" } else { "bytes" };
    BadBytes { at, shown, what }
}

/// The text as shown: the same up to the invalid bytes, which become one U+FFFD.
fn lossy_source(name: &str, error: &FromUtf8Error) -> Source {
    Source::new(name, String::from_utf8_lossy(error.as_bytes()).into_owned())
}

impl FileError {
    /// The registry code.
    pub fn code(&self) -> Code {
        match self {
            FileError::NotAFile { .. } => Code::IoNotAFile,
            FileError::Read { .. } => Code::IoRead,
            FileError::Write { .. } | FileError::ReadOnly { .. } => Code::IoWrite,
            FileError::Symlink { .. } => Code::IoSymlink,
            FileError::SymlinkSkipped { .. } => Code::IoSymlinkSkipped,
            FileError::Exists { .. } => Code::IoExists,
            FileError::TooLarge { .. } => Code::IoTooLarge,
            FileError::NotUtf8 { .. } => Code::IoNotUtf8,
            FileError::NothingFound { .. } => Code::IoNothingFound,
        }
    }

    /// A skipped link is only a warning: the walk goes on; everything else stops the operation.
    pub fn severity(&self) -> Severity {
        match self {
            FileError::SymlinkSkipped { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// One sentence saying what is wrong.
    pub fn message(&self) -> String {
        match self {
            FileError::NotAFile { path, kind, .. } => {
                format!("{} is {kind}, not a regular file", path.display())
            }
            FileError::Read { name, error } => format!("cannot read {name}: {error}"),
            FileError::Write { path, error } => {
                format!("cannot write {}: {error}", path.display())
            }
            FileError::ReadOnly { path } => {
                format!("cannot write {}: the file is read-only", path.display())
            }
            FileError::Symlink { path } => format!(
                "{} is a symbolic link; Posology does not write through links",
                path.display()
            ),
            FileError::SymlinkSkipped { path } => format!(
                "{} is a symbolic link to a directory; it is not searched",
                path.display()
            ),
            FileError::Exists { path } => {
                format!("{} already exists and is not replaced", path.display())
            }
            FileError::TooLarge {
                name,
                limit,
                claimed,
            } => {
                let most = format!(
                    "the largest {} accepted is {} ({} bytes)",
                    limit.what,
                    size_words(limit.max_bytes),
                    limit.max_bytes
                );
                let size = match claimed {
                    Some(n) if *n > limit.max_bytes as u64 => format!("{n} bytes"),
                    _ => format!("more than {} bytes", limit.max_bytes),
                };
                format!("{name} is {size}; {most}")
            }
            FileError::NothingFound { path, extension } => {
                format!("no .{extension} file was found in {}", path.display())
            }
            FileError::NotUtf8 { name, error } => {
                let BadBytes { at, shown, what } = bad_bytes(error);
                let (line, column) = lossy_source(name, error).line_col(at);
                format!(
                    "{name} is not valid UTF-8 text: the {what} {shown} at line {line}, column \
                     {column} (byte offset {at}) cannot be read"
                )
            }
        }
    }

    /// The labelled place, for the one kind that has a text to point into.
    fn label(&self) -> Option<(Span, String)> {
        match self {
            FileError::NotUtf8 { error, .. } => {
                let BadBytes { at, shown, what } = bad_bytes(error);
                Some((
                    Span::new(at, at + '\u{FFFD}'.len_utf8()),
                    format!("{what} {shown} here"),
                ))
            }
            _ => None,
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            FileError::NotAFile { writing: true, .. } => {
                "choose another name: only a regular file is ever replaced".to_string()
            }
            FileError::NotAFile { is_dir: true, .. } => "name a file inside it".to_string(),
            FileError::NotAFile { .. } => "name a regular file: pipes, devices and sockets are \
                 never read, so that a read cannot wait forever or never end (save their content \
                 to a file first)"
                .to_string(),
            FileError::Read { .. } => "check the path and that the file is readable".to_string(),
            FileError::Write { .. } => {
                "check that the directory exists and is writable".to_string()
            }
            FileError::ReadOnly { .. } => {
                "make the file writable first, or choose another name".to_string()
            }
            FileError::Symlink { .. } => {
                "name the file the link points to, or choose another name".to_string()
            }
            FileError::SymlinkSkipped { .. } => {
                "name the directory it points to if its files should be included".to_string()
            }
            FileError::Exists { .. } => "choose another name".to_string(),
            FileError::TooLarge { limit, .. } => format!(
                "check that this is the {} you meant; only the first {} bytes were read",
                limit.what,
                limit.max_bytes.saturating_add(1)
            ),
            FileError::NothingFound { extension, .. } => {
                format!("name a directory that holds .{extension} files, or the files themselves")
            }
            FileError::NotUtf8 { .. } => "save the file as plain UTF-8 text: such bytes usually \
                 come from a file saved as Latin-1 or Windows-1252 (e.g. 0xB5 for µ, 0xA0 for a \
                 non-breaking space, 0x93 and 0x94 for curly quotes)"
                .to_string(),
        }
    }

    /// The crate's diagnostic for this error.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut diag = match self.severity() {
            Severity::Warning => Diagnostic::warning(self.code(), self.message()),
            _ => Diagnostic::error(self.code(), self.message()),
        };
        if let Some((span, text)) = self.label() {
            diag = diag.with_label(span, text);
        }
        diag = diag.with_help(self.help());
        // The undecodable text is the source the label points into: the caller has no other.
        if let FileError::NotUtf8 { name, error } = self {
            diag = diag.with_source(&lossy_source(name, error));
        }
        diag
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for FileError {}

impl From<FileError> for Diagnostic {
    fn from(error: FileError) -> Self {
        error.to_diagnostic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_link_is_the_only_warning() {
        let path = PathBuf::from("dir/link");
        let skipped = FileError::SymlinkSkipped { path: path.clone() }.to_diagnostic();
        assert!(!skipped.is_error());
        assert_eq!(skipped.code, Code::IoSymlinkSkipped.as_str());
        assert!(FileError::Symlink { path }.to_diagnostic().is_error());
    }

    #[test]
    fn not_a_file_advice_depends_on_what_and_why() {
        let refusal = |is_dir, writing| {
            FileError::NotAFile {
                path: PathBuf::from("x"),
                kind: "a directory",
                is_dir,
                writing,
            }
            .help()
        };
        assert_eq!(refusal(true, false), "name a file inside it");
        assert!(refusal(false, false).starts_with("name a regular file"));
        // Writing: the same advice whatever the path is.
        assert_eq!(refusal(true, true), refusal(false, true));
        assert!(refusal(true, true).starts_with("choose another name"));
    }

    #[test]
    fn not_utf8_points_at_the_first_bad_byte_in_its_own_source() {
        let error = String::from_utf8(b"ab\ncd\xB5e".to_vec()).unwrap_err();
        let diag = FileError::NotUtf8 {
            name: "p.dose".into(),
            error,
        }
        .to_diagnostic();
        assert!(diag
            .message
            .contains("the byte 0xB5 at line 2, column 3 (byte offset 5)"));
        assert_eq!(diag.primary_span(), Some(Span::new(5, 8)));
        assert_eq!(diag.source.map(|s| s.name), Some("p.dose".to_string()));
    }

    #[test]
    fn too_large_says_the_claimed_size_only_when_it_is_over() {
        let limit = Limit {
            what: "protocol",
            max_bytes: 1024,
        };
        let message = |claimed| {
            FileError::TooLarge {
                name: "p".into(),
                limit,
                claimed,
            }
            .message()
        };
        assert!(message(Some(5000)).starts_with("p is 5000 bytes;"));
        assert!(message(Some(10)).starts_with("p is more than 1024 bytes;"));
        assert!(message(None).ends_with("the largest protocol accepted is 1 KiB (1024 bytes)"));
    }
}
