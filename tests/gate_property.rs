//! The safety gate's property test (issue 9, `/work/notes/gate_spec.md`): random protocols ×
//! random patients, every output held by an oracle written apart from the gate (see
//! `tests/gate_gen/mod.rs` for the generator and the oracle).
//!
//! `cargo test --test gate_property` runs 400 protocols × 20 patients (`GATE_PROP_CASES` sets the
//! number of protocols). A failure prints the protocol, the patient, the decision as the oracle
//! read it, and each broken rule. `cargo test --test gate_property -- --ignored --nocapture`
//! surveys the classes of violation and prints a shrunk reproducer for each.
//!
//! This test is expected to FAIL until the safety gate is merged: the evaluator before the gate
//! breaks the spec in the ways its issue lists.

#[path = "gate_gen/mod.rs"]
mod gate_gen;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use gate_gen::{parse_quantity, Stats};

const PATIENTS: usize = 20;

/// Protocols per run: enough that at least 5,000 protocol × patient cases are decided by
/// protocols that check (about 80% of generated ones do).
const DEFAULT_PROTOCOLS: u32 = 400;

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The choices for one protocol and for each of `patients` patients.
fn case(patients: usize) -> impl Strategy<Value = (Vec<u32>, Vec<Vec<u32>>)> {
    (
        vec(0u32..256, 0..160),
        vec(vec(0u32..256, 0..12), patients..=patients),
    )
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_time: 60_000,
        max_shrink_iters: 4_000,
        ..Config::default()
    }
}

#[test]
fn no_output_breaks_a_hard_limit() {
    let cases = env_number("GATE_PROP_CASES", DEFAULT_PROTOCOLS);
    let started = Instant::now();
    let stats = RefCell::new(Stats::default());
    let shrinking = RefCell::new(false);
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&case(PATIENTS), |(protocol, patients)| {
        let mut s = Stats::default();
        let r = gate_gen::run_case(&protocol, &patients, &mut s);
        if !*shrinking.borrow() {
            stats.borrow_mut().add(&s);
        }
        r.map_err(|f| {
            *shrinking.borrow_mut() = true;
            TestCaseError::fail(f.to_string())
        })
    });
    let s = stats.into_inner();
    println!(
        "gate property: {} protocols ({} accepted by check), {} patients ({} refused on reading), \
         {} decisions ({} give, {} refused, {} other; {} with a dose or schedule step; \
         {} allowed proposals), {} evaluation errors, in {:.1?}",
        s.protocols,
        s.accepted,
        s.patients,
        s.patients_refused,
        s.decisions,
        s.give,
        s.refused,
        s.other_status,
        s.with_dose,
        s.allowed_proposals,
        s.eval_errors,
        started.elapsed()
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => panic!("a safety violation (shrunk):{reason}"),
        Err(e) => panic!("{e}"),
    }
    // Not hollow: most protocols check, and many decisions give something.
    assert!(
        s.accepted * 2 >= s.protocols,
        "fewer than half the generated protocols check: {s:?}"
    );
    let generated = cases as usize * PATIENTS;
    if cases >= DEFAULT_PROTOCOLS {
        assert!(
            s.patients >= 5_000,
            "fewer than 5,000 cases were run: {s:?}"
        );
    }
    assert!(
        s.decisions * 3 >= generated && s.with_dose * 10 >= generated,
        "too few decisions, or too few that give a dose, of {generated} cases: {s:?}"
    );
}

/// Runs the same cases as [`no_output_breaks_a_hard_limit`] without stopping at a violation,
/// collects every class of violation, then (unless `GATE_SURVEY_SHRINK=0`) shrinks a reproducer
/// for each class, one patient each. For the record, not for CI.
#[test]
#[ignore]
fn survey_violation_classes() {
    let cases = env_number("GATE_PROP_CASES", DEFAULT_PROTOCOLS);
    let started = Instant::now();
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    let mut runner = TestRunner::new(config(cases));
    let seen = RefCell::new(BTreeMap::new());
    let stats = RefCell::new(Stats::default());
    let _ = runner.run(&case(PATIENTS), |(protocol, patients)| {
        // Every patient, past the first failure.
        for (i, patient) in patients.iter().enumerate() {
            let mut s = Stats::default();
            let r = gate_gen::run_case(&protocol, std::slice::from_ref(patient), &mut s);
            if i > 0 {
                s.protocols = 0;
                s.accepted = 0;
            }
            stats.borrow_mut().add(&s);
            if let Err(f) = r {
                let mut seen = seen.borrow_mut();
                for v in &f.violations {
                    *seen.entry(v.class.clone()).or_insert(0usize) += 1;
                }
                if f.patient.is_none() {
                    break;
                }
            }
        }
        Ok(())
    });
    classes.extend(seen.into_inner());
    println!("{:?} in {:.1?}", stats.into_inner(), started.elapsed());
    println!("{} classes in {cases} cases:", classes.len());
    for (class, n) in &classes {
        println!("  {n:6}  {class}");
    }
    if env_number("GATE_SURVEY_SHRINK", 1) == 0 {
        return;
    }
    for class in classes.keys() {
        let mut runner = TestRunner::new(config(cases * 40));
        let result = runner.run(&case(1), |(protocol, patients)| {
            let mut s = Stats::default();
            match gate_gen::run_case(&protocol, &patients, &mut s) {
                Err(f) if f.violations.iter().any(|v| &v.class == class) => {
                    Err(TestCaseError::fail(f.to_string()))
                }
                _ => Ok(()),
            }
        });
        match result {
            Err(TestError::Fail(reason, _)) => {
                println!("\n################ {class}{reason}")
            }
            _ => println!("\n################ {class}: not found again"),
        }
    }
}

/// The oracle's own reading of displayed quantities.
#[test]
fn the_oracle_reads_displayed_quantities() {
    use num_bigint::BigInt;
    use num_rational::BigRational;
    let r = |n: i64, d: i64| BigRational::new(BigInt::from(n), BigInt::from(d));
    let q = parse_quantity("20 mg").unwrap();
    assert_eq!((q.lo.clone(), q.dim), (r(1, 50), [1, 0, 0]));
    assert_eq!(q.lo, q.hi);
    let q = parse_quantity("0.5 mg/day").unwrap();
    assert_eq!((q.lo, q.dim), (r(1, 2000 * 86_400), [1, 0, -1]));
    let q = parse_quantity("300 mcg/day").unwrap();
    assert_eq!(q.lo, r(300, 1_000_000 * 86_400));
    let q = parse_quantity("12.5 mcg/h").unwrap();
    assert_eq!(q.lo, r(125, 10_000_000 * 3_600));
    let q = parse_quantity("3 days").unwrap();
    assert_eq!((q.lo, q.dim), (r(3 * 86_400, 1), [0, 0, 1]));
    let q = parse_quantity("-2").unwrap();
    assert_eq!((q.lo, q.dim), (r(-2, 1), [0, 0, 0]));
    let q = parse_quantity("~4.1667 mcg/h").unwrap();
    assert!(q.lo < q.hi);
    assert_eq!(
        q.lo,
        r(416_665, 100_000) / BigInt::from(1_000_000i64 * 3_600)
    );
    assert_eq!(
        q.hi,
        r(416_675, 100_000) / BigInt::from(1_000_000i64 * 3_600)
    );
    assert!(parse_quantity("5 tablets").is_err());
}
