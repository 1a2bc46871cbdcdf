//! Regression fixtures for the safety gate (issue 9): one protocol per way a hard limit was
//! once escaped, under `tests/safety/`. A fixture either is refused by `check` (its diagnostics
//! are snapshotted) or checks clean, passes its own examples (which pin the status), and runs
//! on the patient files beside it (`<name>.json`, `<name>.<variant>.json`), whose text report
//! is snapshotted. Adding a fixture is adding files.

use std::path::{Path, PathBuf};

use posology::diagnostics::{render_all, RenderStyle};
use posology::input::Format;
use posology::report;
use posology::{Options, Protocol, Status};

/// The patient files of a fixture: `x.json` and `x.*.json` beside `x.dose`.
fn patients_of(protocol: &Path) -> Vec<PathBuf> {
    let stem = protocol.file_stem().unwrap_or_default().to_string_lossy();
    let dir = protocol.parent().expect("fixture has a folder");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            p.extension().is_some_and(|e| e == "json")
                && (name == format!("{stem}.json") || name.starts_with(&format!("{stem}.")))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_way_past_a_hard_limit_is_closed() {
    insta::glob!("safety/*.dose", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let name = format!(
            "tests/safety/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let (protocol, diags) = Protocol::check(name, &text);
        let Some(protocol) = protocol else {
            assert!(diags.iter().any(|d| d.is_error()));
            assert!(diags.iter().all(|d| d.code.starts_with("posology::")));
            insta::assert_snapshot!(format!(
                "refused by check\n\n{}",
                render_all(&diags, RenderStyle::Plain)
            ));
            return;
        };
        for result in posology::testing::run_examples(&protocol) {
            assert!(result.passed(), "{}: {:?}", path.display(), result.failures);
        }
        let mut out = String::new();
        let patients = patients_of(path);
        assert!(
            !patients.is_empty(),
            "{} has no patient file",
            path.display()
        );
        for patient in patients {
            let json = std::fs::read_to_string(&patient).expect("patient is readable");
            let patient_name = patient.file_name().unwrap_or_default().to_string_lossy();
            let patient = protocol
                .read_patient(patient_name.to_string(), &json, Format::Json, &[])
                .expect("fixture patient is valid");
            let decision = protocol
                .evaluate(&patient, Options::default())
                .expect("fixture patient gets a decision");
            if decision.status == Status::Refused {
                assert!(decision.doses.is_empty() && decision.schedule.is_none());
            }
            out.push_str(&format!("== {patient_name}\n"));
            out.push_str(&report::text::decision(
                protocol.program(),
                &decision,
                false,
            ));
            out.push('\n');
        }
        insta::assert_snapshot!(out);
    });
}
