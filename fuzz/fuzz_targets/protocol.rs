//! Arbitrary bytes as a protocol: parse and check must never panic or hang, and every error
//! must be a proper diagnostic. A protocol that checks has its examples run too.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use posology::check::parse_and_check;
use posology::diagnostics::Source;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = Source::new("fuzz.dose", text.as_ref());
    let (program, diags) = parse_and_check(&text, &source);
    common::check_diagnostics(&diags, &text);
    match program {
        None => assert!(
            diags.iter().any(|d| d.is_error()),
            "a protocol refused without an error"
        ),
        Some(program) => {
            for result in posology::testing::run_examples(&program) {
                if let Some(d) = &result.error {
                    common::check_diagnostic(d, &text);
                }
            }
        }
    }
});
