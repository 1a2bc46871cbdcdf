//! [`Env::truth`] works out `and`, `or`, `not` and comparisons straight to a truth value: it
//! must take exactly the steps [`Env::eval`] takes for them, fail with the same diagnostics,
//! and run out of budget at the same place.

use super::*;
use crate::input::Format;
use crate::Protocol;

const TEXT: &str = r#"protocol truths {
  version "1.0.0"
  source "test"
  inputs {
    x: mg in 0 mg..1000 mg optional
    y: mg in 0 mg..1000 mg optional
    flag: bool optional
    on: date optional
    since: date optional
    kind: a | b optional
  }
  let c1 = x < 5 mg
  let c2 = x >= y and (flag or not (y == 3 mg))
  let c3 = not flag or x != y
  let c4 = kind == a or on > since and x <= 7.5 mg
  let c5 = (x * 3 > y + 1 mg) and (y / 2 < 1000 mg or flag)
  let c6 = not (not (x == 0.5 mg)) and kind != b
  decide first {
    otherwise => give 2 mg
  }
  limit dose <= 10 mg hard
}
"#;

const PATIENTS: &[&str] = &[
    r#"{}"#,
    r#"{"x": "3 mg"}"#,
    r#"{"x": "3 mg", "y": "3 mg", "flag": false}"#,
    r#"{"x": "0.5 mg", "y": "0.2 mg", "flag": true, "kind": "a"}"#,
    r#"{"x": "7.5 mg", "y": "999 mg", "on": "2026-02-01", "since": "2026-01-01", "kind": "b"}"#,
    r#"{"y": "3 mg", "flag": true, "on": "2025-12-31", "since": "2026-01-01"}"#,
    r#"{"x": "0 mg", "y": "0 mg", "flag": false, "kind": "b", "on": "2026-01-01"}"#,
];

/// The outcome as compared: the truth value, or the diagnostic's code, message and place.
fn outcome(r: R<bool>) -> Result<bool, (String, String, Option<Span>)> {
    r.map_err(|d| (d.code.to_string(), d.message.clone(), d.primary_span()))
}

#[test]
fn truth_takes_the_steps_and_gives_the_errors_of_eval() {
    let protocol = Protocol::load("t.dose", TEXT).unwrap_or_else(|d| panic!("{d:?}"));
    let program = protocol.program();
    let mut compared = 0;
    for json in PATIENTS {
        let patient = protocol
            .read_patient("p", json, Format::Json, &[])
            .unwrap_or_else(|d| panic!("{d:?}"));
        let inputs = patient.values();
        for spec in &program.lets {
            // Every budget from none to plenty: the same steps run out at the same place.
            for steps in 0..40 {
                let fast_budget = Budget::new(steps);
                let mut fast_env = Env::with_budget(program, inputs, fast_budget.clone());
                let fast = outcome(fast_env.truth(&spec.expr));
                let slow_budget = Budget::new(steps);
                let mut slow_env = Env::with_budget(program, inputs, slow_budget.clone());
                let slow = outcome(match slow_env.eval(&spec.expr) {
                    Ok(Value::Bool(b)) => Ok(b),
                    Ok(other) => panic!("{} is not a truth value: {other:?}", spec.name),
                    Err(d) => Err(d),
                });
                assert_eq!(fast, slow, "{} for {json} with {steps} steps", spec.name);
                assert_eq!(fast_budget.left(), slow_budget.left(), "{}", spec.name);
                assert_eq!(
                    fast_budget.exhausted_at(),
                    slow_budget.exhausted_at(),
                    "{} for {json} with {steps} steps",
                    spec.name
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, PATIENTS.len() * 6 * 40);
}
