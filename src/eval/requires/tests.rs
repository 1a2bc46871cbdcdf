//! The quick look at the `require`s held against the evaluator's own run: wherever it says
//! "all hold", [`super::super::unmet_requirements`]'s run finds none unmet and no error, for
//! every combination of edge values of a protocol written to reach each part it works out
//! (and each it hands on), and for every bundled case.

use std::path::PathBuf;

use super::all_hold;
use crate::check::Program;
use crate::diagnostics::{Code, Source};
use crate::eval::{unmet_within, Budget};
use crate::input::{self, Format};
use crate::value::Value;
use crate::Protocol;

const REQUIRES: &str = r#"protocol requires {
  title "Requires"
  version "1.0.0"
  source "Test"
  drug "demo"
  route "oral"
  inputs {
    phase: start | titrate
    weight: kg in 1 kg..300 kg optional
    volume: mL in 0 mL..100 mL optional
    pump: small | large optional
    small_patient: bool default false
    first: date optional
    last: date optional
    doses: list of { amount: mg } default []
    tests: list of { dose: mcg, positive: bool } default []
    remark: text optional
  }
  begin at phase
  let capacity = if pump == large then 40 mL else 20 mL
  let held = if volume is not missing then volume else capacity
  limit dose <= 100 mg hard because "test"
  require weight is missing or weight > 2000 g because "too light: {weight}"
  require volume is missing or volume <= 0.04 L because "too full: {volume}"
  require held > 1 mL because "nothing held"
  require pump is missing or pump != small or volume is missing or volume <= capacity because "over the pump"
  require not small_patient or weight is missing or weight < 30 kg because "not small: {weight}"
  require first is missing or last is missing or last >= first because "out of order"
  require all(doses, amount > 1 mg) because "a dose too small"
  require ascending(tests.dose) because "tests out of order"
  require count(tests, positive) == 0 or last(tests).positive == true because "a test after a positive one"
  require not any(doses, amount > 50 mg) because "a dose too large"
  require remark is missing or remark is not empty because "an empty remark"
  phase start {
    decide first {
      otherwise => give 5 mg
    }
  }
  phase titrate {
    decide first {
      otherwise => give 5 mg
    }
  }
}
"#;

/// Values read from a JSON record against `program`, its requirements not asked.
fn values(program: &Program, text: &str) -> Option<Vec<Value>> {
    let source = Source::new("p.json", text);
    input::read_patient(program, text, Format::Json, &source, &[], &|_| {
        Ok(Vec::new())
    })
    .ok()
}

/// Whether the quick look says "all hold", after checking that the evaluator agrees then.
fn quick_agrees(program: &Program, values: &[Value], what: &str) -> bool {
    let quick = all_hold(program, values);
    let full = unmet_within(program, values, &Budget::default());
    if quick {
        assert!(
            matches!(&full, Ok(unmet) if unmet.is_empty()),
            "the quick look says all hold for {what}, the evaluator: {full:?}"
        );
    }
    quick
}

/// Every combination of edge values: missing, at the edges of each comparison, in other units
/// (2000 g is 2 kg, 0.04 L is 40 mL), with each `let` branch, empty and non-empty lists.
#[test]
fn the_quick_look_never_says_all_hold_when_the_evaluator_does_not() {
    let protocol =
        Protocol::load("requires.dose", REQUIRES).unwrap_or_else(|d| panic!("{}", d[0].message));
    let program = protocol.program();
    let weights = [
        "",
        r#", "weight": "2 kg""#,
        r#", "weight": "2001 g""#,
        r#", "weight": "29.999 kg""#,
        r#", "weight": "30 kg""#,
    ];
    let volumes = [
        "",
        r#", "volume": "0 mL""#,
        r#", "volume": "1 mL""#,
        r#", "volume": "20 mL""#,
        r#", "volume": "20.001 mL""#,
        r#", "volume": "40 mL""#,
        r#", "volume": "41 mL""#,
    ];
    let pumps = ["", r#", "pump": "small""#, r#", "pump": "large""#];
    let smalls = [
        "",
        r#", "small_patient": true"#,
        r#", "small_patient": false"#,
    ];
    let dates = [
        "",
        r#", "first": "2026-01-02""#,
        r#", "first": "2026-01-02", "last": "2026-01-01""#,
        r#", "first": "2026-01-02", "last": "2026-01-02""#,
        r#", "last": "2026-01-02""#,
    ];
    let lists = [
        "",
        r#", "doses": [{"amount": "2 mg"}]"#,
        r#", "doses": [{"amount": "1 mg"}]"#,
        r#", "doses": [{"amount": "51 mg"}]"#,
        r#", "tests": [{"dose": "5 mcg", "positive": false}, {"dose": "10 mcg", "positive": true}]"#,
        r#", "tests": [{"dose": "10 mcg", "positive": true}, {"dose": "5 mcg", "positive": false}]"#,
        r#", "remark": """#,
        r#", "remark": "x""#,
    ];
    let (mut read, mut quick, mut met) = (0, 0, 0);
    for w in weights {
        for v in volumes {
            for p in pumps {
                for s in smalls {
                    for d in dates {
                        for l in lists {
                            let text = format!(r#"{{"phase": "start"{w}{v}{p}{s}{d}{l}}}"#);
                            let Some(values) = values(program, &text) else {
                                continue;
                            };
                            read += 1;
                            quick += usize::from(quick_agrees(program, &values, &text));
                            let full = unmet_within(program, &values, &Budget::default());
                            met += usize::from(matches!(full, Ok(u) if u.is_empty()));
                        }
                    }
                }
            }
        }
    }
    // Not vacuous: most records read, many meet every requirement, and the quick look tells
    // most of those (it hands on only those with list items it would have to walk).
    assert_eq!(read, 5 * 7 * 3 * 3 * 5 * 8);
    assert!(met > 1000, "only {met} met every requirement");
    assert!(
        quick * 10 > met * 7,
        "the quick look told only {quick} of {met}"
    );
}

/// A requirement on an input left out: `!=` with a missing value holds (a value not given
/// equals nothing), which the quick look leaves to the evaluator (for that requirement only); and a value in another unit
/// than the requirement's, at its edge, with the evaluator's own message when it fails.
#[test]
fn a_require_on_a_missing_input_is_left_to_the_evaluator() {
    let text = REQUIRES.replace(
        "require weight is missing or weight > 2000 g",
        "require pump != small because \"not small\"\n  require weight is missing or weight > 2000 g",
    );
    let protocol =
        Protocol::load("requires.dose", &text).unwrap_or_else(|d| panic!("{}", d[0].message));
    let program = protocol.program();
    let given = values(program, r#"{"phase": "start"}"#).expect("reads");
    // The quick look asks the evaluator about `pump != small` alone, which holds.
    assert!(all_hold(program, &given));
    let full = unmet_within(program, &given, &Budget::default());
    assert!(matches!(&full, Ok(u) if u.is_empty()), "{full:?}");
    let read = |json: &str| protocol.read_patient("p.json", json, Format::Json, &[]);
    assert!(read(r#"{"phase": "start"}"#).is_ok());
    let given = values(program, r#"{"phase": "start", "pump": "large"}"#).expect("reads");
    assert!(all_hold(program, &given));
    let small = read(r#"{"phase": "start", "pump": "small"}"#).expect_err("refused");
    assert_eq!(small[0].code, Code::InputRejected.as_str(), "{small:?}");
    assert!(read(r#"{"phase": "start", "weight": "2.001 kg"}"#).is_ok());
    let light = read(r#"{"phase": "start", "weight": "2000 g"}"#).expect_err("too light");
    assert_eq!(light[0].code, Code::InputRejected.as_str(), "{light:?}");
    assert!(light[0].message.contains("too light: 2 kg"), "{light:?}");
}

/// Every bundled case, read without its requirements: the quick look agrees with the
/// evaluator wherever it says all hold, and says so for most cases that meet them.
#[test]
fn the_quick_look_agrees_on_every_bundled_case() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("protocols");
    let doses = crate::files::find_files(&[root], "dose").files;
    let (mut quick, mut cases) = (0, 0);
    for dose in doses {
        let Ok(text) = std::fs::read_to_string(&dose) else {
            continue;
        };
        let Ok(protocol) = Protocol::load(dose.display().to_string(), &text) else {
            continue;
        };
        let dir = dose.with_extension("").join("cases");
        for case in crate::files::find_files(&[dir], "json").files {
            let Ok(json) = std::fs::read_to_string(&case) else {
                continue;
            };
            if let Some(values) = values(protocol.program(), &json) {
                cases += 1;
                quick += usize::from(quick_agrees(
                    protocol.program(),
                    &values,
                    &case.display().to_string(),
                ));
            }
        }
    }
    assert!(cases > 100 && quick > 50, "{quick} of {cases}");
}
