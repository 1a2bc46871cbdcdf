//! `posology test --coverage protocols/`: every bundled protocol checks without warnings, every
//! example in it passes, and its examples and cases together exercise every rule, proposal
//! rule, limit and requirement.

use posology::diagnostics::{render_all, RenderStyle};
use posology::testing::{case_files, run_case, run_examples, unexercised};
use posology::Protocol;

fn bundled_protocols() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("protocols/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "dose"))
        .collect();
    files.sort();
    files
}

/// The protocol in `file`, which must check with no diagnostic at all (warnings included).
fn checked_clean(file: &std::path::Path) -> Protocol {
    let text = std::fs::read_to_string(file).expect("readable");
    let (protocol, diags) = Protocol::check(file.display().to_string(), &text);
    assert!(
        diags.is_empty(),
        "{}",
        render_all(&diags, RenderStyle::Plain)
    );
    protocol.expect("checks")
}

#[test]
fn bundled_protocols_check_clean_and_their_examples_pass() {
    let files = bundled_protocols();
    assert!(!files.is_empty(), "no bundled protocols found");
    for file in files {
        let protocol = checked_clean(&file);
        let program = protocol.program();
        assert!(
            !program.examples.is_empty(),
            "{} has no examples",
            file.display()
        );
        let mut fired: Vec<String> = Vec::new();
        for case in case_files(&file) {
            fired.extend(run_case(&protocol, &case).fired);
        }
        for result in run_examples(&protocol) {
            fired.extend(result.fired.iter().cloned());
            assert!(
                result.passed(),
                "{}: example \"{}\" failed: {:?} {:?}",
                file.display(),
                result.name,
                result.failures,
                result.error.map(|d| d.message)
            );
        }
        let missing = unexercised(program, &fired);
        assert!(
            missing.is_empty(),
            "{}: no example or case exercises {missing:?}",
            file.display()
        );
    }
}

/// Lists of plain values compare item by item, exactly across units (`tests/data/
/// list_equality.dose`: a table row pinned in one line, mg against mcg and g, by length).
#[test]
fn lists_compare_item_by_item_in_examples() {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/list_equality.dose");
    let results = run_examples(&checked_clean(&file));
    assert_eq!(results.len(), 2);
    for result in results {
        assert!(result.passed(), "{}: {:?}", result.name, result.failures);
    }
}
