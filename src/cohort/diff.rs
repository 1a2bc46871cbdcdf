//! `posology diff`: two versions of a protocol over one cohort. Every row is read against each
//! protocol (each with its own validation) and decided by each, through the safety gate; the
//! two decisions are reduced to their [`Gist`]s and compared. Before any row is read, the two
//! protocols must ask for the same inputs ([`same_inputs`]).

use super::read::Record;
use super::run::{decide, work_while};
use crate::diagnostics::{Code, Diagnostic};
use crate::protocol::Protocol;
use crate::report::diff::{input_differences, Gist};

/// One row decided by both protocols.
#[derive(Clone, Debug)]
pub struct Compared {
    /// The row's line number in the file.
    pub line: usize,
    /// What the old protocol decided.
    pub old: Gist,
    /// What the new protocol decided.
    pub new: Gist,
}

impl Compared {
    /// Whether the two decisions differ in anything a reviewer compares.
    pub fn changed(&self) -> bool {
        self.old != self.new
    }
}

/// Refuses two protocols whose inputs differ in name or kind, saying which (a patient's data
/// would mean different things to each); otherwise the differences worth knowing (a range, a
/// default), one sentence each.
pub fn same_inputs(old: &Protocol, new: &Protocol) -> Result<Vec<String>, Diagnostic> {
    let d = input_differences(old.program(), new.program());
    if d.blocking.is_empty() {
        return Ok(d.notes);
    }
    let list: Vec<String> = d.blocking.iter().map(|b| format!("  - {b}")).collect();
    Err(Diagnostic::error(
        Code::CohortInputsDiffer,
        format!(
            "the two protocols do not ask for the same inputs, so one patient's data cannot be \
             read by both:\n{}",
            list.join("\n")
        ),
    )
    .with_help(
        "compare versions that declare the same inputs (names and kinds); rename or add the \
         inputs in one of them first, or run `posology cohort` on each",
    ))
}

/// What one protocol decided for a row, reduced to its gist (an `error` gist with the
/// diagnostics' codes when the row could not be read or decided by it).
fn gist(protocol: &Protocol, record: &Record) -> Gist {
    match decide(protocol, record).decision {
        Ok(decision) => Gist::of(&decision),
        Err(diags) => Gist::failed(diags.iter().map(|d| d.code.to_string()).collect()),
    }
}

/// Decides every record with both protocols on `jobs` workers, calling `each` with each
/// comparison in input order; stops early when `each` returns false (its output was closed).
/// True when every record was compared.
pub fn compare<I>(
    old: &Protocol,
    new: &Protocol,
    records: I,
    jobs: usize,
    each: impl FnMut(Compared) -> bool,
) -> bool
where
    I: IntoIterator<Item = Record>,
    I::IntoIter: Send,
{
    let work = |record: &Record| Compared {
        line: record.line,
        old: gist(old, record),
        new: gist(new, record),
    };
    work_while(records, jobs, work, each)
}

#[cfg(test)]
mod tests;
