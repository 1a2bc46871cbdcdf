//! Reading: regular files only, never more than a [`Limit`], UTF-8 text.

use crate::diagnostics::Code;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use super::{read_error, read_error_named, refuse_unless_regular, Access, Limit};
use crate::diagnostics::{Diagnostic, Source, Span};

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
    let meta = fs::metadata(path).map_err(|e| read_error(path, &e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    let file = open_for_reading(path).map_err(|e| read_error(path, &e))?;
    // The path may have been swapped between the look and the open: judge the handle itself.
    let meta = file.metadata().map_err(|e| read_error(path, &e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    read_capped(&path.display().to_string(), file, limit, Some(meta.len()))
}

/// Opens for reading without blocking (a FIFO swapped in after the look opens at once) and
/// without making a terminal device the controlling terminal.
fn open_for_reading(path: &Path) -> io::Result<File> {
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
        .map_err(|e| read_error_named(name, &e))?;
    if bytes.len() > limit.max_bytes {
        return Err(too_large(name, limit, claimed));
    }
    Ok(bytes)
}

/// Bytes as UTF-8 text, or a diagnostic pointing at the first invalid byte. `name` names the
/// source in the message ("protocols/x.dose", "standard input, line 3").
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| not_utf8(name, &e))
}

/// Text that is not UTF-8, as a diagnostic pointing at its first invalid byte.
fn not_utf8(name: &str, err: &std::string::FromUtf8Error) -> Diagnostic {
    let bytes = err.as_bytes();
    let at = err.utf8_error().valid_up_to();
    let len = err
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
    // The text as shown: the same up to the invalid bytes, which become one U+FFFD.
    let source = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
    let (line, column) = source.line_col(at);
    Diagnostic::error(
        Code::IoNotUtf8,
        format!(
            "{name} is not valid UTF-8 text: the {what} {shown} at line {line}, column {column} \
             (byte offset {at}) cannot be read"
        ),
    )
    .with_label(
        Span::new(at, at + '\u{FFFD}'.len_utf8()),
        format!("{what} {shown} here"),
    )
    .with_help(
        "save the file as plain UTF-8 text: such bytes usually come from a file saved as \
         Latin-1 or Windows-1252 (e.g. 0xB5 for µ, 0xA0 for a non-breaking space, 0x93 and \
         0x94 for curly quotes)",
    )
    .with_source(&source)
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

fn too_large(name: &str, limit: Limit, claimed: Option<u64>) -> Diagnostic {
    let most = format!(
        "the largest {} accepted is {} ({} bytes)",
        limit.what,
        size_words(limit.max_bytes),
        limit.max_bytes
    );
    let size = match claimed {
        Some(n) if n > limit.max_bytes as u64 => format!("{n} bytes"),
        _ => format!("more than {} bytes", limit.max_bytes),
    };
    Diagnostic::error(Code::IoTooLarge, format!("{name} is {size}; {most}")).with_help(format!(
        "check that this is the {} you meant; only the first {} bytes were read",
        limit.what,
        limit.max_bytes.saturating_add(1)
    ))
}
