//! One outcome as a JSON Lines record or a CSV row.

use serde_json::{json, Value as Json};

use super::run::Outcome;
use crate::check::{Level, Name, Program};
use crate::diagnostics::{self, Diagnostic};
use crate::display::escape;
use crate::eval::Decision;
use crate::report;

/// The columns of a CSV outcome row, in order.
pub const CSV_COLUMNS: [&str; 8] = [
    "line",
    "status",
    "phase",
    "rule",
    "doses",
    "daily_total",
    "proposal",
    "messages",
];

/// An error record: a row (or, with `line` `None`, the whole run) that could not be read or
/// decided, with each diagnostic as `posology check --format json` gives it.
pub fn error_json(line: Option<usize>, diagnostics: &[Diagnostic]) -> Json {
    let diagnostics: Vec<Json> = diagnostics.iter().map(diagnostics::to_json).collect();
    json!({ "line": line, "status": "error", "diagnostics": diagnostics })
}

/// An outcome as one JSON Lines record: `{"line", "status", "decision"}` with the decision as
/// `posology run --format json` gives it, or an [`error_json`] record.
pub fn jsonl(program: &Program, outcome: &Outcome) -> Json {
    match &outcome.decision {
        Ok(d) => json!({
            "line": outcome.line,
            "status": d.status.word(),
            "decision": report::json::decision(program, d, false),
        }),
        Err(diags) => error_json(Some(outcome.line), diags),
    }
}

/// An outcome as one CSV row, in [`CSV_COLUMNS`] order. Texts are escaped as every report
/// is (a control character or bidirectional override is shown, never obeyed); several doses,
/// totals or messages are joined with `; `.
pub fn csv_row(outcome: &Outcome) -> Vec<String> {
    let line = outcome.line.to_string();
    let status = outcome.status().to_string();
    let cells = match &outcome.decision {
        Ok(d) => decision_cells(d),
        Err(diags) => {
            let messages: Vec<String> = diags
                .iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            let mut cells = vec![String::new(); CSV_COLUMNS.len() - 3];
            cells.push(messages.join("; "));
            cells
        }
    };
    [line, status]
        .into_iter()
        .chain(cells.into_iter().map(|c| escape(&c).into_owned()))
        .collect()
}

/// phase, rule, doses, daily_total, proposal, messages.
fn decision_cells(d: &Decision) -> Vec<String> {
    let mut doses: Vec<String> = d
        .doses
        .iter()
        .map(report::text::dose_line)
        .chain(d.alternatives.iter().map(report::diff::alternative_line))
        .collect();
    if let Some(s) = &d.schedule {
        // Every step as `diff` shows it (days, dates, dose, how often, route, a stop): the
        // doses alone ("300 mg, 300 mg, 300 mg") hid a titration's changes of frequency.
        let steps = report::diff::schedule_steps(s);
        doses.push(format!("schedule {}", steps.join(", ")));
    }
    let totals: Vec<String> = d
        .doses
        .iter()
        .filter_map(|dose| dose.daily_total.as_ref().map(report::text::amount))
        .collect();
    // Several proposals are each named by their input.
    let several = d.proposals.len() > 1;
    let proposal = d
        .proposals
        .iter()
        .map(|p| {
            let verdict = if p.allowed { "allowed" } else { "refused" };
            if several {
                format!("{}: {} {verdict}", p.input, p.value)
            } else {
                format!("{} {verdict}", p.value)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let rules: Vec<&str> = d.fired.iter().map(Name::as_str).collect();
    vec![
        d.phase.to_string(),
        rules.join("; "),
        doses.join("; "),
        totals.join("; "),
        proposal,
        messages(d).join("; "),
    ]
}

/// The decision's reasons, then its messages, each with its kind.
fn messages(d: &Decision) -> Vec<String> {
    let reasons = d
        .reasons
        .iter()
        .map(|r| format!("{}: {}", r.kind.word(), r.text));
    let messages = d.messages.iter().map(|m| {
        let level = match m.level {
            Level::Info => "note",
            Level::Warning => "warning",
            Level::Critical => "critical",
        };
        format!("{level}: {}", m.text)
    });
    reasons.chain(messages).collect()
}

/// Writes an outcome as one JSON Lines record (without the line break) straight into `out`:
/// byte for byte `serde_json::to_string(&jsonl(program, outcome))`, without building the
/// record as a `serde_json::Value` first (that was about half of `posology cohort`'s time).
/// Error records, the rare case, still go through [`error_json`].
pub fn write_jsonl(out: &mut Vec<u8>, program: &Program, outcome: &Outcome) {
    match &outcome.decision {
        Ok(d) => {
            let mut record = report::json::Obj::open(out);
            report::json::leaf(record.key("line"), &outcome.line);
            report::json::text(record.key("status"), d.status.word());
            report::json::decision_into(record.key("decision"), program, d);
            record.close();
        }
        Err(diags) => {
            report::json::leaf(out, &error_json(Some(outcome.line), diags));
        }
    }
}

/// Writes an outcome as one CSV row, with its line break, straight into `out`: byte for byte
/// what the `csv` crate writes for [`csv_row`] (a cell is quoted when it holds a comma, a
/// quote or a line break, a quote doubled inside), without a CSV writer per row.
pub fn write_csv_row(out: &mut Vec<u8>, outcome: &Outcome) {
    for (i, cell) in csv_row(outcome).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_cell(out, cell);
    }
    out.push(b'\n');
}

/// One CSV cell, quoted only when it must be (the `csv` crate's `QuoteStyle::Necessary` with
/// `\n` as the record terminator).
fn csv_cell(out: &mut Vec<u8>, cell: &str) {
    if !cell
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(cell.as_bytes());
        return;
    }
    out.push(b'"');
    for b in cell.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}
