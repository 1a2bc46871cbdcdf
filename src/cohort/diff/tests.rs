//! `compare`: both versions decide every row, in input order, whatever the number of workers.

use super::*;
use crate::cohort::{Records, RowFormat};

const OLD: &str = r#"protocol demo {
  version "1.0.0"
  source "Demo label"
  inputs { weight: kg in 1 kg..300 kg }
  limit dose <= 100 mg hard
  decide first {
    heavy: when weight >= 50 kg => give 50 mg
    otherwise => give 25 mg
  }
}"#;

fn protocols() -> (Protocol, Protocol) {
    let new = OLD
        .replace("1.0.0", "2.0.0")
        .replace(">= 50 kg", ">= 60 kg");
    match (
        Protocol::load("old.dose", OLD),
        Protocol::load("new.dose", &new),
    ) {
        (Ok(old), Ok(new)) => (old, new),
        _ => panic!("the demo protocols check"),
    }
}

#[test]
fn every_row_is_compared_in_input_order_with_any_number_of_workers() {
    let (old, new) = protocols();
    let rows: String = (1..=200)
        .map(|i| format!("{{\"weight\": \"{} kg\"}}\n", 40 + i % 30))
        .collect();
    for jobs in [1, 3, 8] {
        let records = Records::new(rows.as_bytes(), "p.jsonl", RowFormat::Jsonl);
        let mut seen = Vec::new();
        compare(&old, &new, records, jobs, |c| {
            seen.push(c);
            true
        });
        assert_eq!(seen.len(), 200);
        for (i, c) in seen.iter().enumerate() {
            let weight = 40 + (i + 1) % 30;
            assert_eq!(c.line, i + 1);
            // Between 50 and 59 kg the new version gives 25 mg instead of 50 mg.
            assert_eq!(c.changed(), (50..60).contains(&weight), "line {}", c.line);
        }
    }
}

#[test]
fn a_row_either_version_refuses_is_an_error_gist_with_its_codes() {
    let (old, new) = protocols();
    let records = Records::new(
        &b"{\"weight\": \"400 kg\"}\n"[..],
        "p.jsonl",
        RowFormat::Jsonl,
    );
    let mut seen = Vec::new();
    compare(&old, &new, records, 2, |c| {
        seen.push(c);
        true
    });
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].old.status, "error");
    assert_eq!(seen[0].old.rules, ["posology::input::out_of_range"]);
    assert!(!seen[0].changed());
}

#[test]
fn protocols_asking_for_other_inputs_are_refused_before_any_row() {
    let (old, _) = protocols();
    let other = OLD.replace("weight: kg in 1 kg..300 kg", "weight: kg\n    age: years");
    let Ok(other) = Protocol::load("other.dose", &other) else {
        panic!("checks");
    };
    let refused = same_inputs(&old, &other).expect_err("only the new one asks for an age");
    assert_eq!(refused.code, "posology::cohort::inputs_differ");
    assert!(
        refused
            .message
            .contains("`age` (year) is an input of the new protocol only"),
        "{}",
        refused.message
    );
    let narrower = OLD.replace("1 kg..300 kg", "1 kg..250 kg");
    let Ok(narrower) = Protocol::load("narrower.dose", &narrower) else {
        panic!("checks");
    };
    let notes = same_inputs(&old, &narrower).expect("a narrower range is a note");
    assert_eq!(
        notes,
        ["`weight` allows 1 kg..300 kg in the old protocol but 1 kg..250 kg in the new"]
    );
}
