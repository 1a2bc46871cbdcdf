//! Cohorts: one protocol decided for many patients, read from a file of rows (JSON Lines or
//! CSV) and streamed, so that memory stays the same whatever the file's length.
//!
//! This layer sits above [`crate::protocol`]: every row is read with
//! [`Protocol::read_patient`](crate::Protocol::read_patient) (the same validation as a patient
//! file: fields, units, ranges, `require`s) and decided with
//! [`Protocol::evaluate`](crate::Protocol::evaluate), through the safety gate.
//!
//! - [`open`] opens a file of patients (or standard input) as [`Records`].
//! - [`Records`] reads a file's rows one at a time, each a [`Record`]: its line number and its
//!   text as a patient record, or the diagnostics saying why it cannot be read. A bad row is a
//!   record too, never dropped; blank lines are passed over (line numbers still count them).
//! - [`patients`] turns records into `(line, Result<Patient, Vec<Diagnostic>>)` for one protocol.
//! - [`run`] decides every record on worker threads and hands back each [`Outcome`] in input
//!   order, with a bounded number of rows in flight ([`run_while`] can stop early).
//! - [`write_jsonl`] and [`write_csv_row`] write an outcome straight into a buffer ([`jsonl`]
//!   and [`csv_row`] give it as a JSON value or cells); [`Summary`] counts outcomes and gathers dose
//!   distributions.
//! - [`compare`] decides every record with two versions of a protocol (`posology diff`), after
//!   [`same_inputs`] has made sure they ask for the same data.
//!
//! ```
//! use posology::cohort::{self, Records, RowFormat};
//! use posology::Protocol;
//!
//! let protocol = Protocol::load("demo.dose", r#"protocol demo {
//!   title "Demo"
//!   version "1.0.0"
//!   source "Demo label"
//!   drug "demo"
//!   route "oral"
//!   inputs { weight: kg in 1 kg..300 kg }
//!   limit dose <= 100 mg hard
//!   decide first {
//!     when weight >= 50 kg => give 50 mg
//!     otherwise            => give 25 mg
//!   }
//! }"#).expect("the protocol checks");
//! let file = "{\"weight\": \"70 kg\"}\n\n{\"weight\": \"70\"}\n";
//! let records = Records::new(file.as_bytes(), "patients.jsonl", RowFormat::Jsonl);
//! let mut lines = Vec::new();
//! cohort::run(&protocol, records, 2, |outcome| lines.push((outcome.line, outcome.status())));
//! assert_eq!(lines, [(1, "give"), (3, "error")]);
//! ```

mod diff;
mod output;
mod read;
mod run;
mod summary;
mod table;

pub use diff::{compare, same_inputs, Compared};
pub use output::{csv_row, error_json, jsonl, write_csv_row, write_jsonl, CSV_COLUMNS};
pub use read::{open, patients, Record, Records, RowFormat, MAX_ROW_BYTES};
pub use run::{
    decide, default_jobs, run, run_while, work_while, Outcome, BATCHES_IN_FLIGHT_PER_JOB, MAX_JOBS,
    ROWS_IN_FLIGHT_PER_JOB, ROWS_PER_BATCH,
};
pub use summary::Summary;

#[cfg(test)]
mod tests;
