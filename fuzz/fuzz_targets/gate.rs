//! Random protocols and patients for the safety gate (issue 9): the fuzz bytes are the choices
//! of the generator in `tests/gate_gen/mod.rs` (the same one `tests/gate_property.rs` drives
//! with proptest), one byte per choice. The first bytes build a protocol (parsed and checked
//! once); the rest build up to 8 patients, each read and evaluated, and every decision is held
//! to the same oracle: no listed dose, schedule step, daily total (summed over the decision),
//! allowed proposal or allowed-range end breaks a hard limit that applies (fail closed), a
//! refused decision lists nothing, nothing zero or negative is given, nothing panics, every
//! diagnostic has a `posology::` code.
#![no_main]

#[path = "../../tests/gate_gen/mod.rs"]
mod gate_gen;

use libfuzzer_sys::fuzz_target;

/// Bytes for the protocol (what it does not use is lost: a protocol takes well under this).
const PROTOCOL_BYTES: usize = 160;
/// Bytes per patient.
const PATIENT_BYTES: usize = 12;
const MAX_PATIENTS: usize = 8;

/// With `POSOLOGY_GATE_REPORT_ONLY` set, a violation is printed (`violation: CLASS` on standard
/// error) instead of stopping the run: to survey code that is known to break the contract.
fn report_only() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("POSOLOGY_GATE_REPORT_ONLY").is_some())
}

fuzz_target!(|data: &[u8]| {
    let choices: Vec<u32> = data.iter().map(|&b| u32::from(b)).collect();
    let (protocol, rest) = choices.split_at(choices.len().min(PROTOCOL_BYTES));
    let mut patients: Vec<Vec<u32>> = rest
        .chunks(PATIENT_BYTES)
        .take(MAX_PATIENTS)
        .map(<[u32]>::to_vec)
        .collect();
    if patients.is_empty() {
        patients.push(Vec::new());
    }
    let mut stats = gate_gen::Stats::default();
    let result = gate_gen::run_case(protocol, &patients, &mut stats);
    if std::env::var_os("POSOLOGY_FUZZ_TRACE").is_some() {
        // One line per input, for `sort | uniq -c` over a corpus.
        eprintln!(
            "outcome: accepted={} decisions={} with_dose={} eval_errors={}",
            stats.accepted, stats.decisions, stats.with_dose, stats.eval_errors
        );
    }
    if let Err(failure) = result {
        if report_only() {
            for v in &failure.violations {
                eprintln!("violation: {}", v.class);
            }
        } else {
            panic!("a safety violation:{failure}");
        }
    }
});
