//! Writing: all or nothing, never through a link, never over a file unless asked.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{refuse_unless_regular, write_error, Access, FileError};
use crate::diagnostics::Diagnostic;

/// Whether [`write_text`] may replace a file that is already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Refuse with `posology::io::exists` when anything is at the path.
    Never,
    /// Replace an existing regular file (its permissions are kept).
    Existing,
}

/// How [`write_text`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Whether an existing regular file may be replaced.
    pub replace: Replace,
    /// Readable by the owner only (history may hold patient data).
    pub private: bool,
}

impl WriteOptions {
    /// A new file only; an existing one is refused.
    pub const NEW: WriteOptions = WriteOptions {
        replace: Replace::Never,
        private: false,
    };
    /// A new file, or one that replaces an existing regular file.
    pub const REPLACE: WriteOptions = WriteOptions {
        replace: Replace::Existing,
        private: false,
    };
}

/// Writes `text` to `path`, all or nothing.
///
/// Refused: a symbolic link (`posology::io::symlink`: its target is never written, whatever
/// `options` say), anything that is not a regular file (`posology::io::not_a_file`), an existing
/// file unless `options.replace` allows it (`posology::io::exists`), a read-only file
/// (`posology::io::write`). The text goes to a temporary file in the same directory, is flushed
/// to disk, then renamed over the path (or linked to it, for a new file, so that a file created
/// meanwhile is not replaced either).
pub fn write_text(path: &Path, text: &str, options: WriteOptions) -> Result<(), Diagnostic> {
    let existing = match fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_error(path, e).into()),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(symlink_refused(path).into());
        }
        refuse_unless_regular(path, meta, Access::Write)?;
        if options.replace == Replace::Never {
            return Err(exists(path).into());
        }
        if meta.permissions().readonly() {
            return Err(FileError::ReadOnly {
                path: path.to_path_buf(),
            }
            .into());
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (temp, mut file) = create_temp(dir, options.private).map_err(|e| write_error(path, e))?;
    let written = (|| -> io::Result<()> {
        if let Some(meta) = &existing {
            keep_owner(&file, meta);
        }
        if let (Some(meta), false) = (&existing, options.private) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()
    })();
    drop(file);
    let committed = written.map_err(|e| write_error(path, e)).and_then(|()| {
        if existing.is_some() {
            fs::rename(&temp, path).map_err(|e| write_error(path, e))
        } else {
            link_new(&temp, path)
        }
    });
    // The temporary name goes in every case: after a rename it no longer exists, after a link
    // the target keeps the text, after a failure it is waste.
    let _ = fs::remove_file(&temp);
    committed?;
    // Best effort: make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Gives the replacement the owner and group of the file it replaces, as far as allowed: run as
/// root, `posology fmt` over another user's protocol (mode 640) left it owned by root, so its
/// owner could no longer read it. Best effort: without the right to change the owner, the
/// file is the writer's, as any new file would be.
fn keep_owner(file: &File, meta: &fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
    #[cfg(not(unix))]
    let _ = (file, meta);
}

/// Puts a finished temporary file at a path where nothing was: a hard link fails if anything
/// appeared there meanwhile, where a rename would replace it.
fn link_new(temp: &Path, path: &Path) -> Result<(), FileError> {
    match fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists(path)),
        // A file system without hard links: look once more, then rename.
        Err(_) => match fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::rename(temp, path).map_err(|e| write_error(path, e))
            }
            _ => Err(exists(path)),
        },
    }
}

/// A new, empty file with an unused name in `dir`.
fn create_temp(dir: &Path, private: bool) -> io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut last = io::Error::other("no temporary name was free");
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".posology-{}-{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        // `create_new` never follows a symbolic link and never opens what is already there.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o666 });
        }
        #[cfg(not(unix))]
        let _ = private;
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

fn exists(path: &Path) -> FileError {
    FileError::Exists {
        path: path.to_path_buf(),
    }
}

fn symlink_refused(path: &Path) -> FileError {
    FileError::Symlink {
        path: path.to_path_buf(),
    }
}

/// Refuses a path that is a symbolic link (a path that does not exist is fine): for files that
/// are read and later rewritten in place, such as the REPL's history.
pub fn refuse_symlink(path: &Path) -> Result<(), Diagnostic> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(symlink_refused(path).into()),
        _ => Ok(()),
    }
}
