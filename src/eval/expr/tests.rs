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
    big: mg optional
    rate: mcg/h optional
    per_day: mg/day optional
    other: c | d optional
  }
  let c1 = x < 5 mg
  let c2 = x >= y and (flag or not (y == 3 mg))
  let c3 = not flag or x != y
  let c4 = kind == a or on > since and x <= 7.5 mg
  let c5 = (x * 3 > y + 1 mg) and (y / 2 < 1000 mg or flag)
  let c6 = not (not (x == 0.5 mg)) and kind != b
  let c7 = c1
  let c8 = flag
  let c9 = x is missing or kind is not missing
  let c10 = big > x or big <= 0 mcg
  let c11 = rate == per_day or rate != 1 mg/day
  let c12 = rate < per_day and big != 0 mcg and per_day >= 1000 mcg/h
  let c13 = kind == b or other != d
  let c14 = not c1 and c8 or not c9
  let c15 = big == -9223372036854775807 mg or big > 9223372036854775807 mcg
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
    r#"{"big": "9223372036854775807 mg", "rate": "1000 mcg/h", "per_day": "24 mg/day", "other": "d"}"#,
    r#"{"big": "-9223372036854775807 mg", "rate": "41.666 mcg/h", "per_day": "1 mg/day"}"#,
    r#"{"big": "-9223372036854775808 mg", "rate": "41.667 mcg/h", "per_day": "1 mg/day", "other": "c"}"#,
    r#"{"big": "0 mg", "x": "0 mg", "rate": "0 mcg/h", "per_day": "0 mg/day", "flag": true}"#,
    r#"{"big": "0.000000001 mg", "x": "1000 mg", "rate": "-1 mcg/h", "per_day": "-24 mcg/day"}"#,
    r#"{"big": "99999999999999999999999 mg", "rate": "0.000000000000000001 mcg/h", "per_day": "0.000000000000000024 mcg/day"}"#,
];

/// A judgement's outcome with its error written out (a comparison's own errors are unit
/// errors, never a missing value).
fn written(r: R<bool>) -> Out<bool> {
    r.map_err(|f| match f {
        Fail::Error(d) => d,
        Fail::Missing(_) => panic!("a judgement read a missing value"),
    })
}

/// The outcome as compared: the truth value, or the diagnostic's code, message and place.
fn outcome(r: Out<bool>) -> Result<bool, (String, String, Option<Span>)> {
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
                    // A `let` worked out from a value not given is missing: `truth` refuses it
                    // as it refuses any value that is not a truth value.
                    Ok(Value::Missing) => Err(Box::new(missing(program, &spec.expr))),
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
    assert_eq!(compared, PATIENTS.len() * 15 * 40);
}

/// Values of every kind a comparison meets, with numbers at the edges of the small
/// representation and in units that convert (mg, mcg, mg/day, mcg/h) or do not (mL).
fn comparison_values() -> Vec<Value> {
    use crate::units::{Quantity, Rational, Unit};
    let unit = |u: &str| Unit::parse(u).unwrap_or_else(|e| panic!("{u}: {e:?}"));
    let num = |n: i64, d: i64, u: &str| {
        Value::Num(Quantity::new(
            Rational::new(n, d).expect("a rational"),
            unit(u),
        ))
    };
    let big = Rational::parse_decimal("99999999999999999999999").expect("a decimal");
    let mut out = vec![
        Value::Missing,
        Value::Bool(true),
        Value::Bool(false),
        Value::Enum(0, 0),
        Value::Enum(0, 1),
        Value::Enum(1, 0),
        Value::Date(jiff::civil::date(2026, 1, 1)),
        Value::Num(Quantity::new(big.clone(), unit("mg"))),
        Value::Num(Quantity::new(big.neg(), unit("mcg"))),
    ];
    for u in ["mg", "mcg", "mg/day", "mcg/h", "mL", "%"] {
        for (n, d) in [
            (0, 1),
            (1, 1),
            (-1, 1),
            (1000, 1),
            (24, 1),
            (1, 3),
            (i64::MAX, 1),
            (i64::MIN + 1, 1),
            (1, i64::MAX),
            (-1, i64::MAX),
            (i64::MAX, i64::MAX - 1),
        ] {
            out.push(num(n, d, u));
        }
    }
    out.push(Value::Num(Quantity::number(5.into())));
    out
}

#[test]
fn comparisons_judged_on_the_usual_path_agree_with_the_verdict() {
    let ops = [
        Comparison::Eq,
        Comparison::Ne,
        Comparison::Lt,
        Comparison::Le,
        Comparison::Gt,
        Comparison::Ge,
    ];
    let values = comparison_values();
    let span = Span::default();
    let mut compared = 0;
    for x in &values {
        for y in &values {
            for op in ops {
                let usual = outcome(written(op.judge_usual(x, y, span)));
                let slow = outcome(written(op.judge(x, y, span)));
                assert_eq!(usual, slow, "{x:?} vs {y:?}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, values.len() * values.len() * 6);
}

/// `min`/`max` of two arguments is worked out apart from the loop over any number of them: the
/// same value, the same errors, and the loop's steps (each argument, then a step for each
/// large number compared).
#[test]
fn min_and_max_of_two_agree_with_the_loop_over_more() {
    const MINMAX: &str = r#"protocol minmax {
  version "1.0.0"
  source "test"
  inputs {
    a: mg optional
    b: mcg optional
    d: mg/day optional
    e: mcg/h optional
  }
  let two_min = min(a, b)
  let three_min = min(a, b, b)
  let two_max = max(a, b)
  let three_max = max(a, b, b)
  let rate_min = min(d, e)
  let rate_min3 = min(d, e, e)
  let rate_max = max(d, e)
  let rate_max3 = max(d, e, e)
  decide first {
    otherwise => give 2 mg
  }
  limit dose <= 10 mg hard
}
"#;
    let protocol = Protocol::load("t.dose", MINMAX).unwrap_or_else(|d| panic!("{d:?}"));
    let program = protocol.program();
    let patients = [
        r#"{}"#,
        r#"{"a": "1 mg", "b": "1000 mcg", "d": "24 mg/day", "e": "1000 mcg/h"}"#,
        r#"{"a": "0 mg", "b": "0 mcg", "d": "0 mg/day", "e": "0 mcg/h"}"#,
        r#"{"a": "-5 mg", "b": "-4999 mcg", "d": "-1 mg/day", "e": "-41.667 mcg/h"}"#,
        r#"{"a": "9223372036854775807 mg", "b": "-9223372036854775807 mcg", "d": "1 mg/day", "e": "41.666 mcg/h"}"#,
        r#"{"a": "99999999999999999999999 mg", "b": "99999999999999999999999 mcg"}"#,
        r#"{"a": "0.000000000000000001 mg", "b": "0.000000000000001 mcg", "e": "1 mcg/h"}"#,
    ];
    let slot = |name: &str| let_slot(program, name);
    let pairs = [
        ("two_min", "three_min"),
        ("two_max", "three_max"),
        ("rate_min", "rate_min3"),
        ("rate_max", "rate_max3"),
    ];
    for json in patients {
        let patient = protocol
            .read_patient("p", json, Format::Json, &[])
            .unwrap_or_else(|d| panic!("{d:?}"));
        let inputs = patient.values();
        for (two, three) in pairs {
            let run = |name: &str| {
                let budget = Budget::new(1000);
                let mut env = Env::with_budget(program, inputs, budget.clone());
                let out = env
                    .eval(&program.lets[slot(name)].expr)
                    .map_err(|d| (d.code.to_string(), d.message.clone()));
                (out, 1000 - budget.left())
            };
            let ((two_out, two_steps), (three_out, three_steps)) = (run(two), run(three));
            assert_eq!(two_out, three_out, "{two} for {json}");
            if let (Ok(Value::Num(_)), CExprKind::Call(_, args)) =
                (&two_out, &program.lets[slot(two)].expr.kind)
            {
                // The third argument (a copy of the second) is the only difference: its step,
                // and its large number's steps when it is one.
                let mut env = Env::new(program, inputs);
                let third = number_steps(&env.num(&args[1]).expect("a number"));
                assert_eq!(three_steps, two_steps + third, "{two} for {json}");
            }
        }
    }
}

/// A comparison of two operands read where they are kept (an input, a `let`, a constant) is
/// judged on its own path: it gives what the same comparison of computed operands gives (the
/// same truth value; the same kind of error, which names a different expression).
#[test]
fn comparisons_of_kept_operands_agree_with_computed_ones() {
    const KEPT: &str = r#"protocol kept {
  version "1.0.0"
  source "test"
  inputs {
    x: mg optional
    y: mcg optional
    r: mg/day optional
    s: mcg/h optional
    k: a | b optional
    j: a | b optional
  }
  let lx = x
  let k1 = x < y
  let c1 = (if x is missing then x else x) < (if y is missing then y else y)
  let k2 = x == y
  let c2 = (if x is missing then x else x) == (if y is missing then y else y)
  let k3 = r >= s
  let c3 = (if r is missing then r else r) >= (if s is missing then s else s)
  let k4 = k == a
  let c4 = (if k is missing then k else k) == a
  let k5 = j != b
  let c5 = (if j is missing then j else j) != b
  let k6 = 5 mg > x
  let c6 = 5 mg > (if x is missing then x else x)
  let k7 = lx <= 1000 mcg
  let c7 = (if lx is missing then lx else lx) <= 1000 mcg
  let k8 = s != r
  let c8 = (if s is missing then s else s) != (if r is missing then r else r)
  decide first {
    otherwise => give 2 mg
  }
  limit dose <= 10 mg hard
}
"#;
    let protocol = Protocol::load("t.dose", KEPT).unwrap_or_else(|d| panic!("{d:?}"));
    let program = protocol.program();
    let patients = [
        r#"{}"#,
        r#"{"x": "1 mg", "y": "1000 mcg", "r": "24 mg/day", "s": "1000 mcg/h", "k": "a", "j": "a"}"#,
        r#"{"x": "0 mg", "y": "0 mcg", "r": "0 mg/day", "s": "0 mcg/h", "k": "b", "j": "a"}"#,
        r#"{"x": "-5 mg", "y": "-4999 mcg", "r": "1 mg/day", "s": "41.666 mcg/h", "j": "b"}"#,
        r#"{"x": "9223372036854775807 mg", "y": "-9223372036854775807 mcg", "s": "41.667 mcg/h"}"#,
        r#"{"x": "99999999999999999999999 mg", "y": "99999999999999999999999 mcg", "r": "1 mg/day"}"#,
        r#"{"y": "5000 mcg", "s": "1 mcg/h", "k": "b"}"#,
    ];
    let slot = |name: &str| let_slot(program, name);
    let mut compared = 0;
    for json in patients {
        let patient = protocol
            .read_patient("p", json, Format::Json, &[])
            .unwrap_or_else(|d| panic!("{d:?}"));
        let inputs = patient.values();
        for n in 1..=8 {
            let run = |name: &str| {
                let mut env = Env::new(program, inputs);
                let spec = &program.lets[slot(name)];
                (
                    outcome(env.truth(&spec.expr)).map_err(|(code, ..)| code),
                    env.eval(&spec.expr).map_err(|d| d.code.to_string()),
                )
            };
            let (kept, computed) = (run(&format!("k{n}")), run(&format!("c{n}")));
            assert_eq!(kept, computed, "k{n} for {json}");
            compared += 1;
        }
    }
    assert_eq!(compared, patients.len() * 8);
}

/// The limits' verdicts are kept by the limit's place, in place for the first
/// [`Verdicts::FIRST`] and in a list past them: each is read back as it was kept, wherever it
/// is, in any order, and one never worked out reads as none (a protocol with many limits).
#[test]
fn limit_verdicts_are_kept_by_place_past_those_kept_in_place() {
    let q = |t: &str| Quantity::parse(t).unwrap_or_else(|e| panic!("{e}"));
    let count = Verdicts::FIRST * 3 + 1;
    let mut kept = Verdicts::default();
    let verdict = |i: usize| {
        (
            !i.is_multiple_of(3),
            i.is_multiple_of(2).then(|| q(&format!("{i} mg"))),
        )
    };
    // Every other limit, from the last down, across the boundary both ways.
    for i in (0..count).rev().step_by(2) {
        kept.set(i, verdict(i), count);
    }
    for i in 0..count {
        let expected = (count - 1 - i).is_multiple_of(2).then(|| verdict(i));
        assert_eq!(kept.get(i).cloned(), expected, "limit {i}");
    }
    // A place past the program's count (never asked by the evaluator) is kept too.
    kept.set(count + 5, verdict(4), count);
    assert_eq!(kept.get(count + 5).cloned(), Some(verdict(4)));
    assert_eq!(kept.get(count + 4), None);
}

/// A value the patient lacks is only noted inside the evaluator (`Fail::Missing`): where the
/// failure leaves it, its diagnostic is the one [`missing`] writes for the expression that read
/// the value, in full (message, help, label), and where it is read as missing (a `let`, a
/// shown value, a message) it is no error at all.
#[test]
fn a_missing_value_leaves_the_evaluator_with_its_full_diagnostic() {
    let protocol = Protocol::load("t.dose", TEXT).unwrap_or_else(|d| panic!("{d:?}"));
    let program = protocol.program();
    let patient = protocol
        .read_patient("p", "{}", Format::Json, &[])
        .unwrap_or_else(|d| panic!("{d:?}"));
    let slot = |name: &str| let_slot(program, name);
    let c1 = &program.lets[slot("c1")].expr;
    let CExprKind::Binary(BinaryOp::Lt, x, _) = &c1.kind else {
        panic!("c1 is not `x < 5 mg`: {c1:?}");
    };
    let mut env = Env::new(program, patient.values());
    let written = |d: &Diagnostic| format!("{d:?}");
    // Straight: `x < 5 mg` names `x`, at `x`, with the input's help.
    let d = env.truth(c1).expect_err("x is missing");
    assert_eq!(written(&d), written(&missing(program, x)));
    assert_eq!(d.code, "posology::eval::missing");
    assert_eq!(
        d.message,
        "`x` has no value for this patient, but this rule needs it"
    );
    assert_eq!(d.primary_span(), Some(x.span));
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.starts_with("add `x` to the patient's data")));
    // Through a `let`: c1 is worked out as missing, and `c7 = c1` reads it as missing.
    assert!(matches!(env.let_value(slot("c1")), Ok(Value::Missing)));
    assert!(matches!(env.eval_or_missing(c1), Ok(Value::Missing)));
    let c7 = &program.lets[slot("c7")].expr;
    let d = env.truth(c7).expect_err("c1 is missing");
    assert_eq!(written(&d), written(&missing(program, c7)));
    assert!(d.message.starts_with("`c1`"), "{}", d.message);
    // Read through an expression written out: the text as written is named.
    let c5 = &program.lets[slot("c5")].expr;
    let d = env.truth(c5).expect_err("x is missing");
    assert_eq!(d.code, "posology::eval::missing");
    assert!(matches!(env.eval_or_missing(c5), Ok(Value::Missing)));
}

/// The slot of the `let` called `name` in `program` (a test's protocol names the lets it reads).
fn let_slot(program: &Program, name: &str) -> usize {
    program
        .lets
        .iter()
        .position(|l| l.name == name)
        .unwrap_or_else(|| panic!("no let {name}"))
}
