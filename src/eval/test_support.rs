//! For unit tests of this layer and the ones above it: a protocol text and a JSON patient to a
//! decision, through the same parse, check, read and evaluate (gate included) as the commands.

use crate::check::{parse_and_check, Program};
use crate::diagnostics::Source;
use crate::eval::{evaluate, Decision, Options};
use crate::input::{read_patient, Format};

/// Checks `text`, reads `patient` (JSON) and decides; panics with the diagnostics when any step
/// fails, since a test's protocol and patient are meant to be valid.
pub(crate) fn decide_text(text: &str, patient: &str) -> (Program, Decision) {
    let source = Source::new("t.dose", text);
    let (program, diags) = parse_and_check(text, &source);
    let program = program.unwrap_or_else(|| panic!("{text}\n{diags:?}"));
    let values = read_patient(
        &program,
        patient,
        Format::Json,
        &Source::new("p", patient),
        &[],
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    let decision =
        evaluate(&program, &values, Options::default()).unwrap_or_else(|d| panic!("{d:?}"));
    (program, decision)
}
