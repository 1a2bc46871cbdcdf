//! `posology::check::maybe_missing` against the evaluator: no protocol of the project that
//! `check` accepts (the bundled protocols and every test fixture) stops with
//! `posology::eval::missing` when its optional inputs are left out. Each example's patient is
//! run as written, with every optional input without a default left out, and with each one
//! left out alone.

use super::*;
use crate::eval::Options;
use std::path::{Path, PathBuf};

/// Every `.dose` file under `dir`, smaller than `max` bytes.
fn dose_files(dir: &Path, max: u64, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            dose_files(&path, max, out);
        } else if path.extension().is_some_and(|e| e == "dose")
            && entry.metadata().is_ok_and(|m| m.len() < max)
        {
            out.push(path);
        }
    }
}

/// The example's patient, then with the optional inputs left out (all, then one by one).
fn variants(program: &Program, base: Vec<Value>) -> Vec<Vec<Value>> {
    let optional: Vec<usize> = program
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.optional && i.default.is_none())
        .map(|(slot, _)| slot)
        .collect();
    let mut all = base.clone();
    for &slot in &optional {
        all[slot] = Value::Missing;
    }
    let mut out = vec![base.clone(), all];
    for &slot in &optional {
        let mut one = base.clone();
        one[slot] = Value::Missing;
        out.push(one);
    }
    out
}

#[test]
fn no_checked_protocol_stops_for_a_missing_value() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    dose_files(&root.join("protocols"), 200_000, &mut files);
    dose_files(&root.join("tests"), 200_000, &mut files);
    files.sort();
    let (mut checked, mut runs) = (0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(protocol) = Protocol::load(path.display().to_string(), &text) else {
            continue;
        };
        checked += 1;
        let program = protocol.program();
        for example in &program.examples {
            for values in variants(program, example.patient(program)) {
                runs += 1;
                let patient = protocol.patient(values);
                if let Err(d) = protocol.evaluate(&patient, Options::default()) {
                    assert_ne!(
                        d.code,
                        Code::EvalMissing.as_str(),
                        "{}: example {:?}: {}",
                        path.display(),
                        example.name,
                        d.message
                    );
                }
            }
        }
    }
    assert!(
        checked >= 20 && runs >= 200,
        "{checked} protocols, {runs} runs"
    );
}
