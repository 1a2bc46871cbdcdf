//! Arbitrary bytes as a patient file: the first byte picks the format (its value modulo 3:
//! JSON, YAML, TOML), the rest is the file. It is read against every bundled protocol; reading
//! must never panic or hang, every error must be a proper diagnostic, and data that is accepted
//! is evaluated, with the decision held to the safety invariants.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use posology::input::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let format = match first % 3 {
        0 => Format::Json,
        1 => Format::Yaml,
        _ => Format::Toml,
    };
    let text = String::from_utf8_lossy(rest);
    for protocol in common::protocols() {
        let program = protocol.program();
        match protocol.read_patient("fuzz.patient", &text, format, &[]) {
            Err(diags) => {
                common::note("refused");
                assert!(
                    !diags.is_empty(),
                    "a patient file refused without a diagnostic"
                );
                common::check_diagnostics_render_first(&diags, &text);
            }
            Ok(patient) => {
                let options = posology::Options { trace: true };
                match protocol.evaluate(&patient, options) {
                    Ok(decision) => {
                        common::note(&format!("decision {}", decision.status.word()));
                        common::check_decision(program, patient.values(), &decision);
                        let _ = posology::report::text::decision(program, &decision, true);
                        let _ = posology::report::json::decision(program, &decision, true);
                    }
                    Err(d) => {
                        common::note(d.code);
                        common::check_diagnostic(&d, &program.source.text);
                    }
                }
            }
        }
    }
});
