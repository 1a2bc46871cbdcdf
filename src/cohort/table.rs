//! CSV rows as patient records. The header names one input per column, with the cells' unit
//! after it in brackets when they are bare numbers (`age (years)`); each cell is then written
//! into a JSON patient record as a patient file would hold it, and read through the same
//! reader, so nothing is validated differently:
//!
//! - an empty cell is a value not given (the input's default applies, or it is missing);
//! - in a column with a unit, a cell is that quantity (`34` under `age (years)` is `"34 years"`);
//! - otherwise a number stays a number (a count), `true` and `false` are booleans, a cell
//!   starting with `[` or `{` is read as JSON (a list or record) when it is valid JSON, and
//!   anything else is text (`34 years`, `spinal`, `2026-11-20`).

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic};
use crate::display::quoted;

/// One column of the header: the input it names and the unit of its cells, if written.
#[derive(Clone, Debug)]
struct Column {
    name: String,
    unit: Option<String>,
}

/// A CSV file's header row, checked.
#[derive(Clone, Debug)]
pub(super) struct Header {
    columns: Vec<Column>,
}

/// The cells of one CSV line (a row is one line: a quoted cell may not hold a line break, and
/// a bare carriage return may not end a row inside the line).
fn cells(text: &str) -> Result<Vec<String>, String> {
    strict_quotes(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let cells = match records.next() {
        Some(Ok(record)) => record.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => return Err(e.to_string()),
        None => Vec::new(),
    };
    // A carriage return outside quotes ends a CSV record: a line holding one would be two
    // rows, and the second would be lost unread.
    if records.next().is_some() {
        return Err(
            "a carriage return (CR) outside quotes splits it into more than one row; end each \
             row with a line feed (LF or CRLF)"
                .into(),
        );
    }
    Ok(cells)
}

/// Refuses a line whose quotes the `csv` crate would read leniently, each of which has made a
/// wrong value out of a mistyped row: a quoted cell left open (`70,"900` was read as `900`,
/// and the second half of a cell broken over two lines, `"1` then `500"`, as `1`), text after
/// a closing quote (`"9"00` was read as `900`), or a quote inside a cell that does not start
/// with one. A cell is either unquoted and holds no `"`, or quoted whole from its first
/// character (`""` for a quote inside it) with only spaces after it.
fn strict_quotes(text: &str) -> Result<(), String> {
    let mut rest = text.trim_end_matches(['\r', '\n']);
    let mut cell = 1;
    loop {
        // A quote opens a quoted cell only as its first character (so the `csv` crate reads
        // it); ` "70"` holds quotes as text, and is refused below.
        let after = if let Some(quoted) = rest.strip_prefix('"') {
            closed_quote(quoted).ok_or_else(|| {
                format!(
                    "cell {cell} opens a quote that is not closed on its line (a cell may not \
                     hold a line break)"
                )
            })?
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            if rest[..end].contains('"') {
                return Err(format!(
                    "cell {cell} holds a quote but does not start with one (quote the whole cell, \
                     and write a quote inside it twice)"
                ));
            }
            &rest[end..]
        };
        let after = after.trim_start_matches([' ', '\t']);
        match after.strip_prefix(',') {
            Some(next) => {
                rest = next;
                cell += 1;
            }
            None if after.is_empty() => return Ok(()),
            None => {
                return Err(format!(
                    "cell {cell} has text after its closing quote (quote the whole cell, and \
                     write a quote inside it twice)"
                ))
            }
        }
    }
}

/// What follows the closing quote of a quoted cell whose text (after its opening quote) is
/// `text`, or `None` if the quote is never closed. `""` is a quote inside the cell.
pub(super) fn closed_quote(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = text[at..].find('"') {
        let quote = at + found;
        if bytes.get(quote + 1) == Some(&b'"') {
            at = quote + 2;
        } else {
            return Some(&text[quote + 1..]);
        }
    }
    None
}

fn header_error(name: &str, problem: String) -> Diagnostic {
    Diagnostic::error(
        Code::CohortCsvHeader,
        format!("the header of the CSV file ({name}) {problem}; no row can be read"),
    )
    .with_help(
        "the first line names one input per column, with the unit of bare numbers in \
         brackets, e.g. `phase,age (years),daily_dose (mcg/day)`",
    )
}

/// The refusal of a header line that could not be read at all.
pub(super) fn unreadable_header(name: &str, reason: &str) -> Diagnostic {
    header_error(name, format!("cannot be read: {reason}"))
}

/// One header cell: `name` or `name (unit)`.
fn column(cell: &str, at: usize) -> Result<Column, String> {
    let (name, unit) = match cell.split_once('(') {
        None => (cell, None),
        Some((name, rest)) => match rest.strip_suffix(')') {
            Some(unit) if !unit.trim().is_empty() && !unit.contains(['(', ')']) => {
                (name.trim(), Some(unit.trim().to_string()))
            }
            _ => {
                return Err(format!(
                    "writes column {at}, `{}`, neither as `name` nor as `name (unit)`",
                    quoted(cell)
                ))
            }
        },
    };
    if name.is_empty() {
        return Err(format!("has no input name in column {at}"));
    }
    Ok(Column {
        name: name.to_string(),
        unit,
    })
}

/// Reads and checks the header line (`name` is how messages name it).
pub(super) fn header(text: &str, name: &str) -> Result<Header, Diagnostic> {
    let cells = cells(text).map_err(|e| header_error(name, format!("is not CSV: {e}")))?;
    let mut columns: Vec<Column> = Vec::with_capacity(cells.len());
    // By name, each column's index: a header may have hundreds of thousands of columns, and
    // comparing each with every other would take hours.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let column = column(cell, i + 1).map_err(|p| header_error(name, p))?;
        if let Some(first) = seen.insert(column.name.clone(), i) {
            let problem = format!(
                "names `{}` twice, in columns {} and {}",
                quoted(&column.name),
                first + 1,
                i + 1
            );
            return Err(header_error(name, problem));
        }
        columns.push(column);
    }
    Ok(Header { columns })
}

/// A cell as the JSON text a patient file would hold. JSON in a cell (a number, a list, a
/// record) is kept as written, not parsed and written again, so the patient reader sees
/// exactly what the row says: a record naming a field twice is refused as in a patient file,
/// never reduced to one of its values.
fn cell_json(cell: &str, unit: Option<&str>) -> String {
    if let Some(unit) = unit {
        return Json::String(format!("{cell} {unit}")).to_string();
    }
    match cell {
        "true" | "false" => return cell.to_string(),
        _ => {}
    }
    if cell.starts_with(['[', '{']) && serde_json::from_str::<Json>(cell).is_ok() {
        return cell.to_string();
    }
    match serde_json::from_str::<serde_json::Number>(cell) {
        Ok(_) => cell.to_string(),
        Err(_) => Json::String(cell.to_string()).to_string(),
    }
}

fn row_error(name: &str, message: String) -> Vec<Diagnostic> {
    vec![
        Diagnostic::error(Code::CohortCsvRow, format!("{name}: {message}")).with_help(
            "give every row one cell per column of the header (an empty cell for a value not \
             given); quote a cell that holds a comma",
        ),
    ]
}

/// One CSV line as a patient record (JSON text), or why its cells do not fit the header.
pub(super) fn row(header: &Header, text: &str, name: &str) -> Result<String, Vec<Diagnostic>> {
    let cells = cells(text).map_err(|e| row_error(name, format!("the row is not CSV: {e}")))?;
    if cells.len() != header.columns.len() {
        let message = format!(
            "the row has {} cells, and the header {} columns",
            cells.len(),
            header.columns.len()
        );
        return Err(row_error(name, message));
    }
    let fields: Vec<String> = header
        .columns
        .iter()
        .zip(&cells)
        .filter(|(_, cell)| !cell.is_empty())
        .map(|(column, cell)| {
            let name = Json::String(column.name.clone());
            format!("{name}:{}", cell_json(cell, column.unit.as_deref()))
        })
        .collect();
    Ok(format!("{{{}}}", fields.join(",")))
}
