//! For unit tests of this layer and the ones above it: a protocol text and a JSON patient to a
//! decision, through the library's front door ([`crate::Protocol`]) as the commands go: parse,
//! check, read and evaluate, gate included. (Test code only: the layers themselves never reach
//! up to the facade.)

use crate::check::Program;
use crate::diagnostics::Diagnostic;
use crate::eval::{Decision, Options};
use crate::input::Format;
use crate::Protocol;

/// Checks `text`, reads `patient` (JSON) and decides; panics with the diagnostics when any step
/// fails, since a test's protocol and patient are meant to be valid.
pub(crate) fn decide_text(text: &str, patient: &str) -> (Program, Decision) {
    let (program, decided) = try_decide_text(text, patient);
    (program, decided.unwrap_or_else(|d| panic!("{d:?}")))
}

/// [`decide_text`] for a test of a refusal at run time: the protocol must check and the
/// patient's data must read (else it panics), and the evaluation's own result is returned.
pub(crate) fn try_decide_text(
    text: &str,
    patient: &str,
) -> (Program, Result<Decision, Diagnostic>) {
    let protocol = Protocol::load("t.dose", text).unwrap_or_else(|d| panic!("{text}\n{d:?}"));
    let patient = protocol
        .read_patient("p", patient, Format::Json, &[])
        .unwrap_or_else(|d| panic!("{d:?}"));
    let decided = protocol.evaluate(&patient, Options::default());
    (protocol.program().clone(), decided)
}
