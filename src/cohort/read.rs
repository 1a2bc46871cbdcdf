//! Reading a file of patients row by row: JSON Lines (one patient object per line) or CSV (a
//! header row naming inputs, then one patient per line).

use std::io::{BufRead, BufReader};
use std::path::Path;

use super::table::{self, Header};
use crate::diagnostics::{Code, Diagnostic};
use crate::files::{self, Line};
use crate::input::{Format, MAX_PATIENT_BYTES};
use crate::protocol::{Patient, Protocol};

/// The longest row read, in bytes: a row holds one patient, so it may be as long as a patient
/// file. A longer row is an error record (`posology::io::too_large`), read past and not kept.
pub const MAX_ROW_BYTES: usize = MAX_PATIENT_BYTES;

/// How a file of patients is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFormat {
    /// JSON Lines: one patient object per line, written as in a patient `.json` file.
    Jsonl,
    /// CSV: a header row naming the inputs (`age (years)` gives the cells' unit), then one
    /// patient per line.
    Csv,
}

impl RowFormat {
    /// The format a file's extension names (`.jsonl`, `.ndjson`, `.csv`), if any.
    pub fn from_path(path: &Path) -> Option<RowFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(RowFormat::Jsonl),
            "csv" => Some(RowFormat::Csv),
            _ => None,
        }
    }

    /// The refusal when a file's format cannot be told from its name.
    pub fn unknown(name: &str) -> Diagnostic {
        Diagnostic::error(
            Code::CohortFormat,
            format!(
                "cannot tell whether {} is JSON Lines or CSV",
                crate::display::quoted(name)
            ),
        )
        .with_help("name the file .jsonl or .csv, or give --input-format jsonl|csv")
    }
}

/// One row of a file of patients: where it is, and its text as a patient record (a JSON
/// object), or why it cannot be read.
#[derive(Clone, Debug)]
pub struct Record {
    /// The row's line number in the file (1 for the first line; blank lines count).
    pub line: usize,
    /// How diagnostics name the row (`patients.jsonl, line 3`).
    pub name: String,
    /// The row as a patient record in JSON, or the diagnostics of a row that cannot be read
    /// (too long, not UTF-8, a CSV row that does not fit its header).
    pub text: Result<String, Vec<Diagnostic>>,
}

impl Record {
    /// Reads the row against a protocol, as a patient file is read: every field, unit, range
    /// and `require` checked.
    pub fn read(&self, protocol: &Protocol) -> Result<Patient, Vec<Diagnostic>> {
        let text = self.text.as_ref().map_err(Clone::clone)?;
        protocol.read_patient(self.name.as_str(), text, Format::Json, &[])
    }
}

/// The rows of a file of patients, read one line at a time (see the module documentation).
/// After an input error (the stream itself failing), one error record is given and reading
/// stops.
pub struct Records<R> {
    input: R,
    name: String,
    format: RowFormat,
    line: usize,
    header: Option<Result<Header, Diagnostic>>,
    /// The line of a CSV header, and whether a row after it has been given as a record (so a
    /// bad header with no row after it is still reported, once, at the end).
    header_line: usize,
    rows: usize,
    done: bool,
}

impl<R: BufRead> Records<R> {
    /// Rows read from `input`; `name` is how messages name the file.
    pub fn new(input: R, name: impl Into<String>, format: RowFormat) -> Records<R> {
        Records {
            input,
            name: name.into(),
            format,
            line: 0,
            header: None,
            header_line: 0,
            rows: 0,
            done: false,
        }
    }

    /// An error record for the current line.
    fn error(&self, diagnostics: Vec<Diagnostic>) -> Record {
        Record {
            line: self.line,
            name: self.row_name(),
            text: Err(diagnostics),
        }
    }

    fn row_name(&self) -> String {
        format!("{}, line {}", self.name, self.line)
    }

    /// The next line as text, `Ok(None)` at the end, or the record of a line that cannot be
    /// read.
    fn next_line(&mut self) -> Result<Option<String>, Record> {
        let line = match files::read_line(&mut self.input, MAX_ROW_BYTES) {
            Ok(None) => return Ok(None),
            Ok(Some(line)) => line,
            Err(e) => {
                self.done = true;
                self.line += 1;
                let d = Diagnostic::error(
                    Code::IoRead,
                    format!("cannot read {}: {e}", self.row_name()),
                )
                .with_help("the file ended with an error; the rows after this one were not read");
                return Err(self.error(vec![d]));
            }
        };
        self.line += 1;
        let bytes = match line {
            Line::Text(bytes) => bytes,
            Line::TooLong { ended } => return Err(self.error(vec![self.too_long(ended)])),
        };
        let mut text = files::decode(&self.row_name(), bytes).map_err(|d| self.error(vec![d]))?;
        if self.line == 1 && text.starts_with('\u{feff}') {
            text.remove(0);
        }
        Ok(Some(text))
    }

    fn too_long(&self, ended: bool) -> Diagnostic {
        Diagnostic::error(
            Code::IoTooLarge,
            format!(
                "{} is longer than {MAX_ROW_BYTES} bytes{}; it was not read",
                self.row_name(),
                if ended {
                    ""
                } else {
                    " (and the file ended inside it)"
                }
            ),
        )
        .with_help("a row holds one patient, and may be as long as a patient file")
    }

    /// A CSV file whose header line cannot be read: every row after it is refused with the
    /// reason, since its cells cannot be told apart.
    fn header_unreadable(&mut self, record: &Record) {
        if self.format != RowFormat::Csv || self.header.is_some() {
            return;
        }
        let reason = match &record.text {
            Err(diags) => diags.first().map(|d| d.message.clone()),
            Ok(_) => None,
        };
        self.header = Some(Err(table::unreadable_header(
            &self.row_name(),
            reason.as_deref().unwrap_or("it cannot be read"),
        )));
    }

    /// At the end of a CSV file whose header was refused and no row followed: one error record
    /// for the header line, so the refusal is reported (and the run fails) rather than read as
    /// an empty cohort.
    fn header_without_rows(&self) -> Option<Record> {
        if self.rows > 0 {
            return None;
        }
        let Some(Err(d)) = &self.header else {
            return None;
        };
        Some(Record {
            line: self.header_line,
            name: format!("{}, line {}", self.name, self.header_line),
            text: Err(vec![d.clone()]),
        })
    }

    /// The record for a non-blank line's text.
    fn record(&mut self, text: String) -> Option<Record> {
        match (self.format, &self.header) {
            (RowFormat::Jsonl, _) => Some(Record {
                line: self.line,
                name: self.row_name(),
                text: Ok(text),
            }),
            (RowFormat::Csv, None) => {
                self.header = Some(table::header(&text, &self.row_name()));
                self.header_line = self.line;
                None
            }
            (RowFormat::Csv, Some(header)) => {
                let row = match header {
                    Ok(header) => table::row(header, &text, &self.row_name()),
                    Err(d) => Err(vec![d.clone()]),
                };
                Some(Record {
                    line: self.line,
                    name: format!("{} (as a patient record)", self.row_name()),
                    text: row,
                })
            }
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            let text = match self.next_line() {
                Ok(Some(text)) => text,
                Ok(None) => {
                    self.done = true;
                    return self.header_without_rows();
                }
                Err(record) => {
                    self.header_unreadable(&record);
                    self.rows += 1;
                    return Some(record);
                }
            };
            if is_blank(&text, self.format) {
                continue;
            }
            if let Some(record) = self.record(text) {
                self.rows += 1;
                return Some(record);
            }
        }
        None
    }
}

/// Whether a line holds no row: nothing but the whitespace its format passes over (JSON's
/// spaces, tabs and line ends; a CSV line only its line end). Other blank-looking characters
/// (a form feed, a no-break space; spaces on a CSV line, which are a row of empty cells) make
/// a row, refused with its reason, never a line passed over in silence.
fn is_blank(text: &str, format: RowFormat) -> bool {
    match format {
        RowFormat::Jsonl => text.trim_matches([' ', '\t', '\r', '\n']).is_empty(),
        RowFormat::Csv => text.trim_matches(['\r', '\n']).is_empty(),
    }
}

/// The rows of a file of patients, or of standard input for `-`, read one at a time. The
/// format is `format` when given, else told by the file's extension; standard input is JSON
/// Lines unless `format` says CSV. Only a regular file is opened (as every file Posology reads).
pub fn open(
    path: &Path,
    format: Option<RowFormat>,
) -> Result<Records<Box<dyn BufRead + Send>>, Diagnostic> {
    let stdin = path == Path::new("-");
    let name = if stdin {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let format = match (format, stdin) {
        (Some(format), _) => format,
        (None, true) => RowFormat::Jsonl,
        (None, false) => RowFormat::from_path(path).ok_or_else(|| RowFormat::unknown(&name))?,
    };
    let input: Box<dyn BufRead + Send> = if stdin {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(files::open_stream(path)?))
    };
    Ok(Records::new(input, name, format))
}

/// Each record read against `protocol`: its line number and the patient, or why it cannot be
/// read (for a front end that decides, compares or inspects patients one by one).
pub fn patients<'p, I>(
    protocol: &'p Protocol,
    records: I,
) -> impl Iterator<Item = (usize, Result<Patient, Vec<Diagnostic>>)> + 'p
where
    I: IntoIterator<Item = Record>,
    I::IntoIter: 'p,
{
    records.into_iter().map(|r| (r.line, r.read(protocol)))
}
