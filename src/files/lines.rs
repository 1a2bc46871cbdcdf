//! Reading a large text stream line by line, each line bounded: a file of patients may be far
//! larger than any one file Posology reads whole, so it is read a line at a time, and a line
//! longer than its limit is passed over (never held in memory) and reported.

use std::fs::{self, File};
use std::io::{BufRead, Read};
use std::path::Path;

use super::read::open_for_reading;
use super::{read_error, refuse_unless_regular, Access};
use crate::diagnostics::Diagnostic;

/// One line read by [`read_line`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line's bytes, without its `\n` or `\r\n`.
    Text(Vec<u8>),
    /// The line was longer than the limit; it was read past, not kept. `ended` is false when
    /// the input ended inside it.
    TooLong {
        /// The input went on after the line.
        ended: bool,
    },
}

/// Reads the next line, at most `max_bytes` bytes of it kept; `None` at the end of input.
pub fn read_line(input: &mut impl BufRead, max_bytes: usize) -> std::io::Result<Option<Line>> {
    let cap = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    let read = input.by_ref().take(cap).read_until(b'\n', &mut bytes)?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        return Ok(Some(Line::Text(bytes)));
    }
    if bytes.len() > max_bytes {
        drop(bytes);
        let ended = skip_line(input)?;
        return Ok(Some(Line::TooLong { ended }));
    }
    Ok(Some(Line::Text(bytes)))
}

/// Reads up to the next `\n` (true) or the end of input (false), keeping nothing.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<bool> {
    loop {
        let (found, used) = match input.fill_buf()? {
            [] => return Ok(false),
            buf => match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (true, i + 1),
                None => (false, buf.len()),
            },
        };
        input.consume(used);
        if found {
            return Ok(true);
        }
    }
}

/// Opens a regular file to be read as a stream (line by line), refusing a directory, named
/// pipe, device or socket as [`super::read_text`] does, before anything could block.
pub fn open_stream(path: &Path) -> Result<File, Diagnostic> {
    let meta = fs::metadata(path).map_err(|e| read_error(path, e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    let file = open_for_reading(path).map_err(|e| read_error(path, e))?;
    let meta = file.metadata().map_err(|e| read_error(path, e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    Ok(file)
}
