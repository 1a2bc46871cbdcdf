//! Reading: regular files only, never more than a [`Limit`], UTF-8 text.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use super::{read_error, refuse_unless_regular, Access, FileError, Limit};
use crate::diagnostics::Diagnostic;

/// Reads a regular file as UTF-8 text, at most `limit.max_bytes` bytes.
///
/// A path that is not a regular file (a directory, FIFO, device or socket, directly or through
/// a symbolic link) is refused with `posology::io::not_a_file` before it is opened for reading
/// in a way that could block; a larger file with `posology::io::too_large` (whatever its
/// metadata claims: at most one byte past the limit is ever read); text that is not UTF-8 with
/// `posology::io::not_utf8`; anything else with `posology::io::read`.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let bytes = read_bytes(path, limit)?;
    decode(&name, bytes)
}

/// Reads a stream (standard input) as UTF-8 text, at most `limit.max_bytes` bytes: the same
/// caps and diagnostics as [`read_text`], for a source that has no path. `name` is how the
/// stream is named in messages.
pub fn read_stream(name: &str, reader: impl Read, limit: Limit) -> Result<String, Diagnostic> {
    let bytes = read_capped(name, reader, limit, None)?;
    decode(name, bytes)
}

fn read_bytes(path: &Path, limit: Limit) -> Result<Vec<u8>, Diagnostic> {
    // Look first: opening a FIFO for reading blocks until a writer comes, and a device never
    // ends, so neither may be opened as if it were a file.
    let meta = fs::metadata(path).map_err(|e| read_error(path, e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    let file = open_for_reading(path).map_err(|e| read_error(path, e))?;
    // The path may have been swapped between the look and the open: judge the handle itself.
    let meta = file.metadata().map_err(|e| read_error(path, e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    read_capped(&path.display().to_string(), file, limit, Some(meta.len()))
}

/// Opens for reading without blocking (a FIFO swapped in after the look opens at once) and
/// without making a terminal device the controlling terminal.
pub(super) fn open_for_reading(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Reads at most one byte past the limit, so a larger source is known to be larger without
/// being read whole.
fn read_capped(
    name: &str,
    reader: impl Read,
    limit: Limit,
    claimed: Option<u64>,
) -> Result<Vec<u8>, Diagnostic> {
    let cap = u64::try_from(limit.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // Metadata only sizes the first allocation, never how much is read.
    let first = claimed.unwrap_or(0).min(cap);
    let mut bytes = Vec::with_capacity(usize::try_from(first).unwrap_or(0));
    reader
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(|error| FileError::Read {
            name: name.to_string(),
            error,
        })?;
    if bytes.len() > limit.max_bytes {
        return Err(FileError::TooLarge {
            name: name.to_string(),
            limit,
            claimed,
        }
        .into());
    }
    Ok(bytes)
}

/// Bytes as UTF-8 text, or a diagnostic pointing at the first invalid byte. `name` names the
/// source in the message ("protocols/x.dose", "standard input, line 3").
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|error| {
        FileError::NotUtf8 {
            name: name.to_string(),
            error,
        }
        .into()
    })
}

/// `1 MiB`, `64 KiB` or `1000 bytes`.
pub(super) fn size_words(bytes: usize) -> String {
    const KIB: usize = 1 << 10;
    const MIB: usize = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}
