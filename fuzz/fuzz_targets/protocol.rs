//! Arbitrary bytes as a protocol: parse and check must never panic or hang, and every error
//! must be a proper diagnostic. A protocol that checks has its examples run too.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use posology::Protocol;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (protocol, diags) = Protocol::check("fuzz.dose", &text);
    common::check_diagnostics(&diags, &text);
    match protocol {
        None => assert!(
            diags.iter().any(|d| d.is_error()),
            "a protocol refused without an error"
        ),
        Some(protocol) => {
            for result in posology::testing::run_examples(&protocol) {
                if let Some(d) = &result.error {
                    common::check_diagnostic(d, &text);
                }
            }
        }
    }
});
