//! The one way Posology reads and writes files. Every path comes from a user, so every path may
//! be hostile: a device that never ends (`/dev/zero`), a named pipe that blocks forever, a
//! symbolic link that points somewhere else, a directory that contains itself. The CLI, the
//! REPL and `posology test` all go through here, so each guarantee below holds everywhere:
//!
//! - [`read_text`] reads only regular files (a FIFO, device, socket or directory is refused
//!   before anything could block), at most a [`Limit`] of bytes whatever the file claims, and
//!   only UTF-8 text; each refusal is a coded diagnostic.
//! - [`write_text`] never writes through a symbolic link, never replaces an existing file unless
//!   asked, and writes a temporary file in the same directory that is then renamed over the
//!   target, so a crash leaves the old file or the new one, never half of either.
//! - [`find_files`] walks directories without following symbolic links to directories, and
//!   names each file once.
//!
//! This module sits below every layer: it knows nothing of protocols. Each failure is a
//! [`FileError`] kind, turned into a [`Diagnostic`](crate::diagnostics::Diagnostic) in one place
//! (`error.rs`).

mod error;
mod lines;
mod read;
#[cfg(all(test, unix))]
mod tests;
mod walk;
mod write;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use error::FileError;
pub use lines::{open_stream, read_line, Line};
pub use read::{decode, read_stream, read_text};
pub use walk::{find_files, list_dir, Found};
pub use write::{refuse_symlink, write_text, Replace, WriteOptions};

/// The most bytes one read may return, and what is being read (for the message when a file is
/// larger). Each kind of file states its own: see `syntax::PROTOCOL_FILE` and
/// `input::PATIENT_FILE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What the file should be, in the user's words ("protocol", "patient file").
    pub what: &'static str,
    /// The largest accepted size in bytes.
    pub max_bytes: usize,
}

/// Whether a path is read or written (the advice differs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// What kind of thing a path is, when it is not a regular file.
fn not_regular_kind(meta: &fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    if kind.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

fn refuse_unless_regular(
    path: &Path,
    meta: &fs::Metadata,
    access: Access,
) -> Result<(), FileError> {
    let Some(kind) = not_regular_kind(meta) else {
        return Ok(());
    };
    Err(FileError::NotAFile {
        path: path.to_path_buf(),
        kind,
        is_dir: meta.is_dir(),
        writing: access == Access::Write,
    })
}

/// A failed read of a path.
fn read_error(path: &Path, error: io::Error) -> FileError {
    FileError::Read {
        name: path.display().to_string(),
        error,
    }
}

/// A failed write to a path.
fn write_error(path: &Path, error: io::Error) -> FileError {
    FileError::Write {
        path: path.to_path_buf(),
        error,
    }
}

/// True when both paths name the same existing file (through links, or different spellings).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// What makes a file itself, whatever path reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Canonical(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        Some(Identity::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        fs::canonicalize(path).ok().map(Identity::Canonical)
    }
}
