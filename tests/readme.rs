//! The README's one-page protocol is a real protocol: it checks, its example passes, and the
//! sample patient file of "Patient files" is accepted by it and gets the decision the example
//! pins. A reader who copies both into files gets what the README says.

mod common;

use common::{posology, root};

/// The first fenced block after the heading `heading` (whole line) in the README.
fn first_block_after(heading: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md is readable");
    let after = readme
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has no heading {heading:?}"))
        .1;
    let opening = after
        .find("\n```")
        .expect("a fenced block follows the heading");
    let body = &after[opening + 1..];
    let body = &body[body.find('\n').expect("the fence line ends") + 1..];
    let closing = body.find("\n```").expect("the fenced block is closed");
    body[..=closing].to_string()
}

/// Writes the README's protocol and patient into a directory of their own for this test.
fn readme_files(test: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("posology-readme-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let protocol = dir.join("one_page.dose");
    let patient = dir.join("patient.json");
    std::fs::write(&protocol, first_block_after("## The language in one page")).expect("write");
    std::fs::write(&patient, first_block_after("## Patient files")).expect("write");
    (protocol, patient)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_one_page_protocol_checks_and_its_example_passes() {
    let (protocol, _) = readme_files("check");
    let path = protocol.to_str().expect("utf-8 path");
    let check = posology(&["check", path]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let test = posology(&["test", path]);
    let out = text(&test.stdout);
    assert!(test.status.success(), "{out}{}", text(&test.stderr));
    assert!(out.contains("1 passed, 0 failed"), "{out}");
}

#[test]
fn the_sample_patient_runs_on_the_one_page_protocol() {
    let (protocol, patient) = readme_files("run");
    let run = posology(&[
        "run",
        protocol.to_str().expect("utf-8 path"),
        "--patient",
        patient.to_str().expect("utf-8 path"),
    ]);
    let out = text(&run.stdout);
    assert!(run.status.success(), "{out}{}", text(&run.stderr));
    // The example pins the same decision: 10 mg for 3 days steps up by 5 mg.
    assert!(out.contains("Status: GIVE"), "{out}");
    assert!(
        out.contains("15 mg oral 3 times daily (45 mg/day)  [titrate.step_up]"),
        "{out}"
    );
}
