//! Tables copied from a label (`tests/tables/*.dose`): each checks clean, its examples pass
//! (the gabapentin renal table read for CrCl 60, 45, 30, 15 and 10 mL/min), and the run's
//! `Why:` names the row used with the key's value.

use posology::diagnostics::{render_all, RenderStyle};
use posology::input::Format;
use posology::testing::run_examples;
use posology::{Options, Protocol};

fn load(name: &str) -> Protocol {
    let path = format!("{}/tests/tables/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("readable");
    let (protocol, diags) = Protocol::check(path, &text);
    assert!(
        diags.is_empty(),
        "{}",
        render_all(&diags, RenderStyle::Plain)
    );
    protocol.expect("checks")
}

#[test]
fn table_protocols_check_clean_and_their_examples_pass() {
    for name in ["gabapentin_renal.dose", "enoxaparin_syringe.dose"] {
        let protocol = load(name);
        let results = run_examples(&protocol);
        assert!(results.len() >= 3, "{name}");
        for r in results {
            assert!(r.passed(), "{name}: {:?}", r.failures);
        }
    }
}

#[test]
fn why_names_the_table_row_its_band_and_the_key() {
    let protocol = load("gabapentin_renal.dose");
    let patient = protocol
        .read_patient("p", r#"{"crcl": "30 mL/min"}"#, Format::Json, &[])
        .expect("reads");
    let d = protocol
        .evaluate(&patient, Options { trace: true })
        .expect("decides");
    let why = posology::report::text::why(&d);
    assert!(
        why.contains(
            "  + table renal row 3 (2.3 Table 1): > 15 mL/min and <= 30 mL/min\n      with crcl = 30 mL/min\n"
        ),
        "{why}"
    );
}

#[test]
fn coverage_counts_every_table_row_read_by_an_example() {
    let protocol = load("gabapentin_renal.dose");
    let results = run_examples(&protocol);
    let fired: Vec<String> = results.iter().flat_map(|r| r.fired.clone()).collect();
    let groups = posology::testing::coverage(protocol.program(), &fired);
    let rows = groups
        .iter()
        .find(|g| g.what == "table rows (read for a patient)")
        .expect("a group for the table's rows");
    assert_eq!(rows.total, 5);
    assert!(rows.missing.is_empty(), "{:?}", rows.missing);
    // Without the examples below 15 mL/min, the footnote row is named as never read.
    let some: Vec<String> = results
        .iter()
        .filter(|r| !r.name.contains("footnote") && !r.name.contains("haemodialysis"))
        .flat_map(|r| r.fired.clone())
        .collect();
    let groups = posology::testing::coverage(protocol.program(), &some);
    let rows = groups
        .iter()
        .find(|g| g.what == "table rows (read for a patient)")
        .expect("a group for the table's rows");
    assert_eq!(rows.missing, vec!["table renal row 5".to_string()]);
}
