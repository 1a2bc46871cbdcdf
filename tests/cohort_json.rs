//! `posology cohort` writes each record straight into its output buffer
//! ([`cohort::write_jsonl`], [`cohort::write_csv_row`]) instead of building a JSON value or a
//! CSV writer per row. These hold the direct writers byte for byte against the value-building
//! ones (`serde_json::to_string(&cohort::jsonl(…))` and the `csv` crate writing
//! [`cohort::csv_row`]) on every decision the bundled protocols and the test protocols make
//! for their patient files, on error rows, and on decisions edited to hold the rare shapes
//! (non-terminating numbers in a range, a value shown twice, texts with quotes and breaks).

mod common;

use std::path::{Path, PathBuf};

use common::root;
use posology::cohort::{self, Outcome};
use posology::diagnostics::{Code, Diagnostic};
use posology::eval::{Amount, Reason, ReasonKind};
use posology::input::Format;
use posology::units::{Quantity, Rational};
use posology::{Options, Protocol};

/// The files under `dir` whose names end in `.{ext}`, found as `posology check DIR` finds
/// them.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    out.extend(posology::files::find_files(&[dir.to_path_buf()], ext).files);
}

fn load(path: &Path) -> Option<Protocol> {
    let text = std::fs::read_to_string(path).ok()?;
    Protocol::load(path.display().to_string(), &text).ok()
}

/// Each protocol with the patient texts written for it: a bundled protocol's `cases/`, a test
/// protocol's `name[.variant].json` files beside it.
fn protocols_and_patients() -> Vec<(Protocol, Vec<String>)> {
    let mut doses = Vec::new();
    files(&root().join("protocols"), "dose", &mut doses);
    files(&root().join("tests"), "dose", &mut doses);
    let mut out = Vec::new();
    for dose in doses {
        let Some(protocol) = load(&dose) else {
            continue;
        };
        let mut jsons = Vec::new();
        files(&dose.with_extension("").join("cases"), "json", &mut jsons);
        let stem = dose.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if let Some(dir) = dose.parent() {
            let mut beside = Vec::new();
            files(dir, "json", &mut beside);
            jsons.extend(beside.into_iter().filter(|j| {
                j.parent() == Some(dir)
                    && j.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.split('.').next() == Some(stem))
            }));
        }
        let texts = jsons
            .iter()
            .filter_map(|j| std::fs::read_to_string(j).ok())
            .collect();
        out.push((protocol, texts));
    }
    out
}

/// The outcome `posology cohort` would give for one row.
fn outcome(protocol: &Protocol, line: usize, text: &str) -> Outcome {
    let decision = protocol
        .read_patient("row", text, Format::Json, &[])
        .and_then(|p| {
            protocol
                .evaluate(&p, Options::default())
                .map_err(|d| vec![d])
        });
    Outcome { line, decision }
}

/// Checks the direct writers against the value-building ones for one outcome.
fn same_bytes(protocol: &Protocol, outcome: &Outcome) {
    let program = protocol.program();
    let want = serde_json::to_string(&cohort::jsonl(program, outcome)).unwrap();
    let mut got = Vec::new();
    cohort::write_jsonl(&mut got, program, outcome);
    assert_eq!(String::from_utf8(got).unwrap(), want);

    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(cohort::csv_row(outcome)).unwrap();
    let want = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let mut got = Vec::new();
    cohort::write_csv_row(&mut got, outcome);
    assert_eq!(String::from_utf8(got).unwrap(), want);
}

#[test]
fn every_decision_of_the_bundled_and_test_protocols_is_written_byte_for_byte() {
    let mut decided = 0;
    for (protocol, texts) in protocols_and_patients() {
        for (line, text) in texts.iter().enumerate() {
            let outcome = outcome(&protocol, line + 1, text);
            decided += usize::from(!outcome.failed());
            same_bytes(&protocol, &outcome);
        }
    }
    assert!(decided >= 100, "only {decided} decisions were compared");
}

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

#[test]
fn rare_shapes_and_hostile_texts_are_written_byte_for_byte() {
    let (protocol, texts) = protocols_and_patients()
        .into_iter()
        .find(|(p, texts)| p.program().header.name == "baclofen_intrathecal" && !texts.is_empty())
        .expect("the intrathecal protocol and its cases");
    let Some(mut d) = texts
        .iter()
        .find_map(|t| outcome(&protocol, 1, t).decision.ok())
    else {
        panic!("no case of the intrathecal protocol decides");
    };
    let third = q("2 mL/day")
        .div(&Quantity::number(Rational::from(3)))
        .unwrap();
    let two_thirds = third.mul(&Quantity::number(Rational::from(2))).unwrap();
    // Both ends without a finite decimal expansion: `approximate` is written once.
    d.observe
        .push(Amount::Range(third.clone(), two_thirds.clone()));
    d.observe
        .push(Amount::Range(q("1 mL/day"), two_thirds.clone()));
    d.observe.push(Amount::Range(third.neg(), q("1 mL/day")));
    // Ends in units that do not convert: each end is a quantity of its own.
    d.observe.push(Amount::Range(q("1 mL"), q("2 mg")));
    d.observe.push(Amount::One(q("-0.5 mg")));
    let big = Quantity::number(Rational::from(1_000_000_007));
    let huge = big.mul(&q("1.000001 mcg")).unwrap();
    d.observe.push(Amount::One(huge));
    d.observe.push(Amount::One(
        q("1 mcg")
            .div(&big)
            .unwrap()
            .div(&Quantity::number(Rational::from(7)))
            .unwrap(),
    ));
    // Shown values written in place, one of them needing escapes.
    d.values.push((
        "shown_text".into(),
        posology::value::Value::Text("a \"b\" \\ c\n\u{7}".into()),
    ));
    d.values
        .push(("shown_flag".into(), posology::value::Value::Bool(true)));
    same_bytes(
        &protocol,
        &Outcome {
            line: 8,
            decision: Ok(d.clone()),
        },
    );
    // A name shown twice is one field of the map: its first place, its last value.
    if let Some(first) = d.values.first().cloned() {
        d.values
            .push((first.0.clone(), posology::value::Value::Missing));
    }
    let hostile = "a \"quoted\", text\nwith a break\r, a tab\t, a \u{7} bell, \\ and é \u{202e}";
    d.reasons.push(Reason {
        kind: ReasonKind::Hold,
        text: hostile.into(),
        rule: "r,\"1\"".into(),
        source: Some(hostile.into()),
    });
    // Every ASCII character, each at every place in a 16-byte block the escape check reads.
    let ascii: String = (0u8..0x80).map(char::from).collect();
    for shift in 0..16 {
        d.messages.push(posology::eval::Message {
            level: posology::check::Level::Info,
            code: "ascii".into(),
            text: format!("{}{ascii}\u{7f}\u{80}\u{ffff}", "x".repeat(shift)).into(),
            rule: None,
            source: None,
        });
    }
    d.phase = hostile.into();
    d.path.push(hostile.into());
    let program = protocol.program();
    same_bytes(
        &protocol,
        &Outcome {
            line: 7,
            decision: Ok(d.clone()),
        },
    );
    let approximate = {
        let mut got = Vec::new();
        cohort::write_jsonl(
            &mut got,
            program,
            &Outcome {
                line: 7,
                decision: Ok(d),
            },
        );
        String::from_utf8(got).unwrap()
    };
    assert!(approximate.contains(
        r#"{"min":0.6666666666666666666666666667,"max":1.333333333333333333333333333,"unit":"mL/day","min_exact":"2/3","approximate":true,"max_exact":"4/3"}"#
    ), "{approximate}");

    let errors = Outcome {
        line: 3,
        decision: Err(vec![
            Diagnostic::error(Code::InputSyntax, hostile.to_string()).with_help(hostile),
            Diagnostic::error(Code::InputSyntax, "plain"),
        ]),
    };
    same_bytes(&protocol, &errors);
}
