//! Unit tests of the verifier: the interval algebra at exact boundaries, and whole blocks
//! checked from protocol text (mixed units, missing values, choices, opaque conditions).

use super::interval::{End, Interval, IntervalSet};
use super::witness::pick;
use crate::diagnostics::Source;
use crate::units::Rational;

fn r(text: &str) -> Rational {
    Rational::parse_decimal(text).expect("a decimal")
}

fn closed_open(lo: Option<(&str, bool)>, hi: Option<(&str, bool)>) -> Interval {
    Interval {
        lo: lo.map(|(v, c)| End {
            value: r(v),
            closed: c,
        }),
        hi: hi.map(|(v, c)| End {
            value: r(v),
            closed: c,
        }),
    }
}

/// Gabapentin's Table 1 as printed: `>= 60`, `> 30 to 59`, `> 15 to 29`, `<= 15` (mL/min).
fn table_1() -> IntervalSet {
    IntervalSet::of(vec![
        closed_open(Some(("60", true)), None),
        closed_open(Some(("30", false)), Some(("59", true))),
        closed_open(Some(("15", false)), Some(("29", true))),
        closed_open(None, Some(("15", true))),
    ])
}

#[test]
fn table_1_leaves_30_and_59_5_out_and_takes_60() {
    let rows = table_1();
    assert!(!rows.contains(&r("30")));
    assert!(!rows.contains(&r("59.5")));
    assert!(!rows.contains(&r("29.000001")));
    assert!(rows.contains(&r("60")));
    assert!(rows.contains(&r("59")));
    assert!(rows.contains(&r("30.0001")));
    assert!(rows.contains(&r("15")));
    let domain = IntervalSet::of(vec![closed_open(Some(("0", true)), Some(("250", true)))]);
    let gap = domain.minus(&rows);
    assert_eq!(
        gap.parts(),
        &[
            closed_open(Some(("29", false)), Some(("30", true))),
            closed_open(Some(("59", false)), Some(("60", false))),
        ]
    );
    // The boundary in the gap is the witness (30); inside an open gap, the midpoint (59.5).
    assert_eq!(pick(&gap.parts()[0], false), Some(r("30")));
    assert_eq!(pick(&gap.parts()[1], false), Some(r("59.5")));
}

#[test]
fn touching_ends_merge_and_open_ends_do_not() {
    let a = IntervalSet::of(vec![
        closed_open(None, Some(("30", false))),
        closed_open(Some(("30", true)), None),
    ]);
    assert_eq!(a, IntervalSet::all());
    let b = IntervalSet::of(vec![
        closed_open(None, Some(("30", false))),
        closed_open(Some(("30", false)), None),
    ]);
    assert_eq!(b.parts().len(), 2);
    assert_eq!(
        b.complement(),
        IntervalSet::of(vec![Interval::point(r("30"))])
    );
    assert!(IntervalSet::all().complement().is_empty());
    assert_eq!(IntervalSet::empty().complement(), IntervalSet::all());
}

#[test]
fn whole_numbers_of_an_open_interval() {
    // A count strictly between 2 and 3 does not exist; between 2 and 4 it is 3.
    let none = IntervalSet::of(vec![closed_open(Some(("2", false)), Some(("3", false)))]);
    assert!(none.whole().is_empty());
    let three = IntervalSet::of(vec![closed_open(Some(("2", false)), Some(("4", false)))]);
    assert_eq!(
        three.whole(),
        IntervalSet::of(vec![Interval::point(r("3"))])
    );
    assert_eq!(pick(&three.parts()[0], true), Some(r("3")));
}

#[test]
fn a_witness_inside_an_interval_between_fractions_is_a_short_decimal() {
    // 125/3 mcg/h (1 mg/day) has no decimal: a patient file cannot hold it.
    let third = Rational::new(125, 3).expect("a fraction");
    let point = Interval::point(third.clone());
    assert_eq!(pick(&point, false), None);
    let open = Interval {
        lo: Some(End::open(third)),
        hi: Some(End::open(Rational::new(126, 3).expect("a fraction"))),
    };
    let v = pick(&open, false).expect("a decimal");
    assert!(open.contains(&v) && v.terminates(), "{v}");
}

/// The codes of a protocol's diagnostics (with the witnesses' JSON texts).
fn codes(inputs: &str, decide: &str) -> (Vec<&'static str>, Vec<String>) {
    let text = format!(
        "protocol t {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n{inputs}\n  }}\n  limit dose <= 10000 mg hard\n{decide}\n}}\n"
    );
    let source = Source::new("t.dose", text.as_str());
    let ast = crate::syntax::parse(&text).unwrap_or_else(|d| panic!("{d:?}"));
    let (_, diags, witnesses) = crate::check::check_with_witnesses(&ast, &source);
    let patients = witnesses
        .iter()
        .map(|w| super::patient_text(&w.patient))
        .collect();
    // Only the verifier's codes (and the warning it keeps): other analyses have their own tests.
    let codes = diags
        .iter()
        .map(|d| d.code)
        .filter(|c| c.starts_with("posology::verify::") || c.starts_with("posology::decide::"))
        .collect();
    (codes, patients)
}

#[test]
fn bands_in_mg_mcg_and_g_are_compared_exactly() {
    let (c, w) = codes(
        "    dose: mg in 0 mg..100 mg",
        "  decide first {\n    when dose > 0.01 g => give 1 mg\n    when dose <= 10000 mcg => give 2 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new(), "{w:?}");
    // 10 mg itself is in no band when the second is strict.
    let (c, w) = codes(
        "    dose: mg in 0 mg..100 mg",
        "  decide first {\n    when dose > 0.01 g => give 1 mg\n    when dose < 10000 mcg => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::gap"]);
    assert_eq!(w, [r#"{ "dose": "10 mg" }"#]);
}

#[test]
fn a_strict_band_after_a_wider_one_is_unreachable_and_not_the_other_way() {
    let (c, _) = codes(
        "    dose: mg in 0 mg..100 mg",
        "  decide first {\n    when dose > 10 mg => give 1 mg\n    when dose >= 10.5 mg => give 2 mg\n    otherwise => give 3 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::unreachable"]);
    let (c, _) = codes(
        "    dose: mg in 0 mg..100 mg",
        "  decide first {\n    when dose >= 10.5 mg => give 1 mg\n    when dose > 10 mg => give 2 mg\n    otherwise => give 3 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
}

#[test]
fn a_missing_optional_input_is_a_gap_only_when_nothing_stops_on_it() {
    // `x > 5` on a missing x stops the run (`posology::eval::missing`): not a gap.
    let (c, _) = codes(
        "    x: mg in 0 mg..10 mg optional",
        "  decide first {\n    when x > 5 mg => give 1 mg\n    when x <= 5 mg => give 2 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
    // `x == 5 mg` is simply false for a missing x: the patient without x falls through.
    let (c, w) = codes(
        "    x: mg in 0 mg..10 mg optional",
        "  decide first {\n    when x == 5 mg => give 1 mg\n    when x != 5 mg and x is not missing => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::gap"]);
    assert_eq!(w, ["{}"]);
}

#[test]
fn choices_and_bools_are_covered_or_not() {
    let inputs = "    indication: phn | epilepsy | other\n    renal: bool";
    let (c, _) = codes(
        inputs,
        "  decide first {\n    when indication in [phn, epilepsy] => give 1 mg\n    when indication == other and renal => give 2 mg\n    when not renal => give 3 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
    let (c, w) = codes(
        inputs,
        "  decide first {\n    when indication == phn => give 1 mg\n    when indication == other and renal => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::gap"]);
    // Two boxes of the gap, a patient each.
    assert_eq!(
        w,
        [
            r#"{ "indication": "other", "renal": false }"#,
            r#"{ "indication": "epilepsy", "renal": false }"#
        ]
    );
}

#[test]
fn an_opaque_condition_is_never_proved() {
    let inputs = "    a: mg in 0 mg..10 mg\n    b: mg in 0 mg..10 mg";
    let (c, _) = codes(
        inputs,
        "  decide first {\n    when a > b => give 1 mg\n    when a <= 5 mg => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::decide::no_otherwise"]);
    let (c, _) = codes(
        inputs,
        "  decide unique {\n    when a > b => give 1 mg\n    otherwise => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::not_proved"]);
    // Proved gap-free without reading the opaque rule: the readable ones cover everyone.
    let (c, _) = codes(
        inputs,
        "  decide first {\n    when a > b => give 1 mg\n    when a <= 5 mg => give 2 mg\n    when a > 5 mg => give 3 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
}

#[test]
fn unique_and_any_prove_disjoint_or_agreeing_rules() {
    let inputs = "    crcl: mL/min in 0 mL/min..200 mL/min";
    let (c, _) = codes(
        inputs,
        "  decide unique {\n    when crcl < 30 mL/min => give 1 mg\n    when crcl >= 30 mL/min => give 2 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
    let (c, w) = codes(
        inputs,
        "  decide unique {\n    when crcl <= 30 mL/min => give 1 mg\n    when crcl > 30 mL/min and crcl < 100 mL/min => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::gap"]);
    assert_eq!(w, [r#"{ "crcl": "100 mL/min" }"#]);
    let (c, _) = codes(
        inputs,
        "  decide any {\n    when crcl <= 30 mL/min => give 1 mg\n    when crcl >= 20 mL/min and crcl <= 30 mL/min => give  1 mg\n    otherwise => give 2 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
    let (c, w) = codes(
        inputs,
        "  decide any {\n    when crcl <= 30 mL/min => give 1 mg\n    when crcl >= 20 mL/min => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::overlap"]);
    assert_eq!(w, [r#"{ "crcl": "20 mL/min" }"#]);
}

#[test]
fn a_count_gap_needs_a_whole_number() {
    let inputs = "    n: count in 0..10";
    let (c, _) = codes(
        inputs,
        "  decide first {\n    when n <= 2 => give 1 mg\n    when n >= 3 => give 2 mg\n  }",
    );
    assert_eq!(c, Vec::<&str>::new());
}

/// The table diagnostics and witnesses of a table over `crcl` with these rows.
fn table_codes(range: &str, rows: &[&str]) -> (Vec<String>, Vec<String>) {
    let rows: String = rows
        .iter()
        .enumerate()
        .map(|(i, band)| format!("    row {band} => {} mg\n", i + 1))
        .collect();
    let text = format!(
        "protocol t {{\n  version \"1\"\n  source \"s\"\n  inputs {{\n    crcl: mL/min{range}\n  }}\n  \
         limit dose <= 10 mg hard\n  table r by crcl {{\n    columns d\n{rows}  }}\n  \
         decide first {{\n    otherwise => give r.d\n  }}\n}}\n"
    );
    let source = Source::new("t.dose", text.as_str());
    let ast = crate::syntax::parse(&text).unwrap_or_else(|d| panic!("{d:?}"));
    let (_, diags, witnesses) = crate::check::check_with_witnesses(&ast, &source);
    let messages = diags
        .iter()
        .filter(|d| d.code.starts_with("posology::table::"))
        .map(|d| d.message.clone())
        .collect();
    let patients = witnesses
        .iter()
        .map(|w| format!("{} {}", w.code, super::patient_text(&w.patient)))
        .collect();
    (messages, patients)
}

#[test]
fn a_table_is_judged_over_its_key_declared_range() {
    // Within 0..200 mL/min, `< 30` and `>= 30 .. <= 200` leave nothing out.
    let (m, w) = table_codes(
        " in 0 mL/min..200 mL/min",
        &["< 30 mL/min", ">= 30 mL/min and <= 200 mL/min"],
    );
    assert_eq!((m, w), (vec![], vec![]));
    // Table 1 as printed: two gaps, a witness patient in each.
    let (m, w) = table_codes(
        " in 0 mL/min..250 mL/min",
        &[
            ">= 60 mL/min",
            "> 30 mL/min and <= 59 mL/min",
            "> 15 mL/min and <= 29 mL/min",
            "<= 15 mL/min",
        ],
    );
    assert_eq!(
        m,
        [
            "no band of the table `r` holds a key above 29 mL/min and up to 30 mL/min; above 59 \
          mL/min and below 60 mL/min (a patient such as { \"crcl\": \"30 mL/min\" })"
        ]
    );
    assert_eq!(
        w,
        [
            r#"posology::table::gap { "crcl": "30 mL/min" }"#,
            r#"posology::table::gap { "crcl": "59.5 mL/min" }"#
        ]
    );
}

/// The verifier's codes and witnesses for a protocol with phases `a` (the start) and `b`.
fn phased(choices: &str, b_rules: &str) -> (Vec<&'static str>, Vec<String>) {
    let text = format!(
        "protocol t {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n    phase: {choices}\n    x: mg in 0 mg..10 mg\n  }}\n  begin at phase\n  limit dose <= 100 mg hard\n  phase a {{\n    decide first {{\n      when x > 5 mg => goto b\n      otherwise => give 1 mg\n    }}\n  }}\n  phase b {{\n    decide first {{\n{b_rules}\n    }}\n  }}\n}}\n"
    );
    let source = Source::new("t.dose", text.as_str());
    let ast = crate::syntax::parse(&text).unwrap_or_else(|d| panic!("{d:?}"));
    let (_, diags, witnesses) = crate::check::check_with_witnesses(&ast, &source);
    let codes = diags
        .iter()
        .map(|d| d.code)
        .filter(|c| c.starts_with("posology::verify::") || c.starts_with("posology::decide::"))
        .collect();
    let patients = witnesses
        .iter()
        .map(|w| super::patient_text(&w.patient))
        .collect();
    (codes, patients)
}

#[test]
fn a_phase_reached_by_goto_is_judged_with_the_patients_begin_brings() {
    // Entered by `begin at` too: a patient starting in `b` with x = 0 mg gets nothing.
    let (c, w) = phased("a | b", "      when x > 5 mg => give 2 mg");
    assert_eq!(c, ["posology::verify::gap"]);
    assert_eq!(w, [r#"{ "phase": "b", "x": "0 mg" }"#]);
    // Reached only by `goto` (after `x > 5 mg`): not proved either way, no witness.
    let (c, w) = phased("| a", "      when x > 5 mg => give 2 mg");
    assert_eq!(c, ["posology::decide::no_otherwise"]);
    assert!(w.is_empty());
}

#[test]
fn a_block_too_large_to_follow_is_not_proved_and_stays_quick() {
    // 5,000 choices and 500 rules: more work than one block may do.
    let choices: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
    let rules: String = (0..5000)
        .step_by(10)
        .map(|i| format!("    when k == c{i} => give 1 mg\n"))
        .collect();
    let started = std::time::Instant::now();
    let (c, w) = codes(
        &format!("    k: {}", choices.join(" | ")),
        &format!("  decide first {{\n{rules}  }}"),
    );
    assert_eq!(c, ["posology::decide::no_otherwise"]);
    assert!(w.is_empty());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

/// A `%` input's witness is a plain number of percent, as a patient file writes it (red team:
/// `"33.5%"` was refused by `run` as a text).
#[test]
fn a_percent_witness_is_a_plain_number() {
    let (c, w) = codes(
        "    p: % in 0%..200%",
        "  decide first {\n    when p < 33.5% => give 1 mg\n    when p > 33.5% => give 2 mg\n  }",
    );
    assert_eq!(c, ["posology::verify::gap"]);
    assert_eq!(w, [r#"{ "p": 33.5 }"#]);
}

/// A complete `first` block over 29 inputs whose undecided patients split into more boxes
/// than the verifier follows: 12 rules `a_i and b_i` leave 4,096 boxes, and the rule after
/// them (`x > 5 mg and y > 5 mg …`, five boxes where it is false) cannot be taken out of
/// them. The verifier used to keep those patients as undecided and report a false gap, with
/// witnesses that rule decides; it is "not proved" now.
#[test]
fn a_complete_block_too_wide_to_follow_is_not_proved_not_a_gap() {
    let names = ["x", "y", "z", "v", "w"];
    let mut inputs: String = (0..12)
        .map(|i| format!("    a{i}: bool\n    b{i}: bool\n"))
        .collect();
    let mut rules: String = (0..12)
        .map(|i| format!("    r{i}: when a{i} and b{i} => give 1 mg\n"))
        .collect();
    for n in names {
        inputs.push_str(&format!("    {n}: mg in 0 mg..10 mg\n"));
    }
    let all: Vec<String> = names.iter().map(|n| format!("{n} > 5 mg")).collect();
    rules.push_str(&format!(
        "    high: when {} => give 2 mg\n",
        all.join(" and ")
    ));
    // Every patient left has one of them at most 5 mg: these rules take them all.
    for n in names {
        rules.push_str(&format!("    low_{n}: when {n} <= 5 mg => give 3 mg\n"));
    }
    let (c, w) = codes(&inputs, &format!("  decide first {{\n{rules}  }}"));
    assert_eq!(c, ["posology::decide::no_otherwise"], "{w:?}");
    assert!(w.is_empty(), "{w:?}");
}

/// The messages of a protocol's verifier diagnostics, with their help.
fn messages(inputs: &str, rest: &str) -> Vec<String> {
    let text = format!(
        "protocol t {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n{inputs}\n  }}\n  limit dose <= 10000 mg hard\n{rest}\n}}\n"
    );
    let source = Source::new("t.dose", text.as_str());
    let ast = crate::syntax::parse(&text).unwrap_or_else(|d| panic!("{d:?}"));
    let (_, diags, _) = crate::check::check_with_witnesses(&ast, &source);
    diags
        .iter()
        .filter(|d| d.code.starts_with("posology::verify::"))
        .map(|d| {
            format!(
                "{}: {} | {}",
                d.code,
                d.message,
                d.help.clone().unwrap_or_default()
            )
        })
        .collect()
}

/// A `require` the verifier cannot read may refuse a gap's witness when it is read: the gap
/// says so (a `first` block), and a promise is "not proved" rather than a gap.
#[test]
fn a_gap_behind_an_unreadable_require_says_it_is_not_proved() {
    let inputs = "    x: mg in 0 mg..100 mg";
    let require = "  require x * 1 != 10 mg because \"no\"\n";
    let m = messages(
        inputs,
        &format!("{require}  decide first {{\n    a: when x < 10 mg => give 1 mg\n    b: when x > 10 mg => give 2 mg\n  }}"),
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].starts_with("posology::verify::gap: no rule of this `decide first` block applies when x == 10 mg: nothing is decided for such a patient (not proved: unless `require 1 (line 9)` refuses every such patient, and it cannot be read,"), "{m:?}");
    assert!(
        m[0].contains("run the witness: if `require 1 (line 9)` refuses it, the gap is not real"),
        "{m:?}"
    );
    let m = messages(
        inputs,
        &format!("{require}  decide unique {{\n    a: when x < 10 mg => give 1 mg\n    b: when x > 10 mg => give 2 mg\n  }}"),
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].starts_with("posology::verify::not_proved: `decide unique` cannot be proved: no rule applies when x == 10 mg, unless `require 1 (line 9)` refuses every such patient"), "{m:?}");
    // A readable require is followed: no gap at all.
    let m = messages(
        inputs,
        "  require x != 10 mg because \"no\"\n  decide unique {\n    a: when x < 10 mg => give 1 mg\n    b: when x > 10 mg => give 2 mg\n  }",
    );
    assert!(m.is_empty(), "{m:?}");
}

/// `decide any`: rules that give the same dose in other units agree (`1 mg`, `1000 mcg`,
/// `0.001 g`); a different amount, frequency or form does not.
#[test]
fn any_compares_constant_doses_exactly_across_units() {
    let inputs = "    crcl: mL/min in 0 mL/min..200 mL/min";
    let block = |a: &str, b: &str| {
        format!("  decide any {{\n    when crcl <= 30 mL/min => give {a}\n    when crcl >= 20 mL/min => give {b}\n  }}")
    };
    for (a, b) in [
        ("1 mg", "1000 mcg"),
        ("1 mg 2 times daily", "0.001 g twice daily"),
        ("1 mg..2 mg every 12 h", "1000 mcg..0.002 g every 720 min"),
        ("5 mg bolus over 1 min", "5000 mcg bolus over 60 s"),
    ] {
        let (c, w) = codes(inputs, &block(a, b));
        assert_eq!(c, Vec::<&str>::new(), "{a} / {b}: {w:?}");
    }
    for (a, b) in [
        ("1 mg", "1001 mcg"),
        ("1 mg", "1 mg twice daily"),
        ("1 mg once daily", "1 mg twice daily"),
        ("1 mg bolus", "1000 mcg"),
        ("1 mg..2 mg", "1 mg..3 mg"),
        ("1 mg", "1 mg/day"),
    ] {
        let (c, _) = codes(inputs, &block(a, b));
        assert_eq!(c, ["posology::verify::overlap"], "{a} / {b}");
    }
}

/// The verifier's codes, with the rule each `always_refused` names.
fn refused(inputs: &str, rest: &str) -> Vec<String> {
    messages(inputs, rest)
        .into_iter()
        .map(|m| m.split(" | ").next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_dose_every_patient_would_have_refused_is_found_across_units() {
    let inputs = "    weight: kg in 1 kg..300 kg\n    n: count in 1..4\n    renal: bool";
    let m = refused(
        inputs,
        "  limit dose <= 800 mg hard\n  decide first {\n    heavy: when weight >= 100 kg => give 10 mg/kg * weight\n    otherwise => give 0.8 g\n  }",
    );
    assert_eq!(
        m,
        ["posology::verify::always_refused: the dose of `heavy` can never be given: it is at least 1000 mg for every patient the rule reaches, above the hard limit `dose <= 800 mg`, which refuses all of them"]
    );
    // A constant dose at a frequency from the patient's data is what it is, one at a time.
    let m = refused(
        inputs,
        "  limit dose <= 800 mg hard\n  limit daily <= 10 g/day hard\n  decide first {\n    otherwise => give 900 mg n times daily\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("the dose of `rule1` can never be given: it is 900 mg for every"),
        "{m:?}"
    );
    // Per day: 700 mg at least once a day more than 2 g/day allows when n >= 3.
    let m = refused(
        inputs,
        "  limit daily <= 2 g/day hard\n  decide first {\n    many: when n >= 3 => give 700000 mcg n times daily\n    otherwise => give 700 mg n times daily\n  }",
    );
    assert_eq!(
        m,
        ["posology::verify::always_refused: the dose of `many` can never be given: its total per day is at least 2.1 g/day for every patient the rule reaches, above the hard limit `daily <= 2 g/day`, which refuses all of them"]
    );
    // `every 5 h` is up to 5 doses in a day, as the gate counts them (4.8 is 4 or 5).
    let m = refused(
        inputs,
        "  limit daily <= 3.4 g/day hard\n  decide first {\n    otherwise => give 700 mg every 5 h\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("its total per day is 3.5 g/day"), "{m:?}");
    let m = refused(
        inputs,
        "  limit daily <= 3.5 g/day hard\n  decide first {\n    otherwise => give 700 mg every 5 h\n  }",
    );
    assert!(m.is_empty(), "{m:?}");
    // A floor; a step of a schedule; a `choose` alternative; a bolus limit.
    let m = refused(
        inputs,
        "  limit dose >= 1 mg hard\n  decide first {\n    otherwise => give 900 mcg\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains(
            "it is 900 mcg for every patient the rule reaches, below the hard limit `dose >= 1 mg`"
        ),
        "{m:?}"
    );
    let m = refused(
        inputs,
        "  limit dose <= 800 mg hard\n  decide first {\n    otherwise => schedule 300 mg once daily for 1 day, then 900 mg once daily\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("step 2 of the schedule of `rule1` can never be given"),
        "{m:?}"
    );
    let m = refused(
        inputs,
        "  limit bolus <= 800 mg hard\n  decide first {\n    otherwise => choose { low: give 1 mg ; high: give 1 g }\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("the alternative `high` of `rule1` can never be given: it is 1 g"),
        "{m:?}"
    );
}

#[test]
fn no_claim_without_a_proof() {
    let inputs = "    weight: kg in 1 kg..300 kg\n    renal: bool\n    age: years in 0 years..120 years optional";
    let none = |rest: &str| {
        let m = refused(inputs, rest);
        assert!(m.is_empty(), "{rest}\n{m:?}");
    };
    // Some patients of the rule get a dose within the limit.
    none("  limit dose <= 800 mg hard\n  decide first {\n    otherwise => give 10 mg/kg * weight\n  }");
    // A range whose high end alone is past the ceiling is capped, not refused.
    none("  limit dose <= 800 mg hard\n  decide first {\n    otherwise => give 500 mg..1 g\n  }");
    // A limit whose `when` is not proved for every patient of the rule; one reading an input
    // a patient may leave out; one for other patients.
    none(
        "  limit dose <= 800 mg hard when renal\n  decide first {\n    otherwise => give 1 g\n  }",
    );
    none("  limit dose <= 800 mg hard when age > 1 years\n  decide first {\n    otherwise => give 1 g\n  }");
    none("  limit dose <= 800 mg hard when weight < 50 kg\n  decide first {\n    when weight >= 60 kg => give 1 g\n    otherwise => give 1 mg\n  }");
    // What the intervals cannot follow: a nearest-of rounding, a square root, a table.
    none("  limit dose <= 800 mg hard\n  decide first {\n    otherwise => give weight * 10 mg/kg round to nearest of [900 mg, 1000 mg]\n  }");
    none("  limit dose <= 800 mg hard\n  decide first {\n    otherwise => give 100 mg * sqrt(value(weight in kg)) round to 0.01 mg\n  }");
    // A divisor that may be zero bounds nothing.
    none("  limit dose <= 800 mg hard\n  decide first {\n    otherwise => give 900 mg * weight / (weight - 1 kg)\n  }");
    // A daily minimum bounds the total of every dose of a decision: not judged per dose.
    none("  limit daily >= 1 g/day hard\n  decide first {\n    otherwise => give 1 mg\n  }");
}

#[test]
fn proved_when_narrowed_by_the_rule_and_the_rules_above() {
    let inputs = "    weight: kg in 1 kg..300 kg\n    renal: bool";
    // Patients of `light` weigh less than 50 kg (the rule above takes the rest), and the
    // limit written for them applies to every one.
    let m = refused(
        inputs,
        "  limit dose <= 800 mg hard\n  limit dose <= 100 mg hard when weight < 50 kg\n  decide first {\n    heavy: when weight >= 50 kg => give 500 mg\n    light: when renal or not renal => give max(150 mg, weight * 2 mg/kg)\n  }",
    );
    assert_eq!(
        m,
        ["posology::verify::always_refused: the dose of `light` can never be given: it is at least 150 mg for every patient the rule reaches, above the hard limit `dose <= 100 mg`, which refuses all of them"]
    );
    // Behind a rule the verifier cannot read, the claim stays (more patients were judged than
    // reach it), without a witness: the witness might be taken by that rule.
    let (c, w) = codes(
        "    weight: kg in 1 kg..300 kg\n    height: cm in 50 cm..250 cm",
        "  limit dose <= 800 mg hard\n  decide first {\n    odd: when value(weight in kg) > value(height in cm) => give 1 mg\n    otherwise => give clamp(weight * 10 mg/kg, 900 mg, 2 g)\n  }",
    );
    assert_eq!(c, ["posology::verify::always_refused"]);
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn a_limit_no_patient_reaches_is_warned_about() {
    let inputs = "    weight: kg in 1 kg..300 kg\n    age: years in 0 years..120 years optional\n    kind: adult | child";
    let m = refused(
        inputs,
        "  limit dose <= 5 g hard when weight > 300 kg\n  limit dose <= 1 g soft when weight >= 300.5 kg\n  limit dose <= 2 g hard when kind == adult and kind == child\n  limit dose <= 3 g hard when age > 130 years\n  require weight < 200 kg because \"scale\"\n  limit dose <= 4 g hard when weight >= 250 kg\n  decide first {\n    otherwise => give 1 mg\n  }",
    );
    assert_eq!(
        m,
        [
            "posology::verify::limit_unreachable: the limit `dose <= 5 g` never applies: no patient satisfies `when weight > 300 kg` over the inputs' declared values",
            "posology::verify::limit_unreachable: the limit `dose <= 1 g` never applies: no patient satisfies `when weight >= 300.5 kg` over the inputs' declared values",
            "posology::verify::limit_unreachable: the limit `dose <= 2 g` never applies: no patient satisfies `when kind == adult and kind == child` over the inputs' declared values",
            "posology::verify::limit_unreachable: the limit `dose <= 4 g` never applies: no patient satisfies `when weight >= 250 kg` over the inputs' declared values",
        ]
    );
}

/// A bound is offered as the fix for a gap only when it covers the patient shown: the Table 1
/// gap at CrCl 30 is closed by `>= 30`, a gap from 40 kg to 50 kg is not closed by `>= 50 kg`
/// (red team: the help said to write it).
#[test]
fn a_gap_fix_is_offered_only_when_it_covers_the_patient_shown() {
    let m = messages(
        "    weight: kg in 40 kg..60 kg",
        "  decide first {\n    b: when weight > 50 kg => give 1 mg\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("{ \"weight\": \"40 kg\" }"), "{m:?}");
    assert!(!m[0].contains("write `weight >= 50 kg`"), "{m:?}");
    let m = messages(
        "    weight: kg in 40 kg..60 kg",
        "  decide first {\n    b: when weight > 50 kg => give 1 mg\n    a: when weight < 50 kg => give 2 mg\n  }",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("write `weight >= 50 kg`"), "{m:?}");
}

/// A range is judged by its low end, as the gate judges it, and the message says so (red
/// team: "it is 5 mg" for `give 5 mg..20 mg`).
#[test]
fn a_range_is_judged_and_described_by_its_low_end() {
    let inputs = "    weight: kg in 1 kg..300 kg";
    let m = refused(
        inputs,
        "  limit dose >= 10 mg hard\n  decide first {\n    otherwise => give 5 mg..20 mg\n  }",
    );
    assert_eq!(
        m,
        ["posology::verify::always_refused: the dose of `rule1` can never be given: its low end is 5 mg for every patient the rule reaches, below the hard limit `dose >= 10 mg`, which refuses all of them"]
    );
    let m = refused(
        inputs,
        "  limit daily <= 100 mg/day hard\n  decide first {\n    otherwise => give 40 mg..60 mg 3 times daily\n  }",
    );
    assert_eq!(
        m,
        ["posology::verify::always_refused: the dose of `rule1` can never be given: its total per day at the range's low end is 120 mg/day for every patient the rule reaches, above the hard limit `daily <= 100 mg/day`, which refuses all of them"]
    );
}

/// An overlap behind a requirement the verifier cannot read is "not proved", not an overlap:
/// the requirement may refuse every patient in it (red team: the witness was refused).
#[test]
fn an_overlap_behind_an_unreadable_require_is_not_proved() {
    let inputs = "    crcl: mL/min in 0 mL/min..250 mL/min";
    let decide = "  decide unique {\n    a: when crcl >= 30 mL/min => give 1 mg\n    b: when crcl < 30 mL/min => give 2 mg\n    c: when crcl > 100 mL/min => give 2 mg\n  }";
    let (c, _) = codes(inputs, decide);
    assert_eq!(c, ["posology::verify::overlap"]);
    let (c, _) = codes(
        inputs,
        &format!("  require value(crcl in mL/min) <= 100 because \"x\"\n{decide}"),
    );
    assert_eq!(c, ["posology::verify::not_proved"]);
}

/// A limit written for a phase that a `goto` leads to is not "never applies" because a
/// `require` keeps patients from starting there: the gate judges it for every phase the
/// decision passes through (red team: the help said to delete a limit that refuses 10 mg).
#[test]
fn a_limit_for_a_phase_reached_by_goto_is_not_unreachable() {
    let inputs = "    phase: start | rescue\n    weight: kg in 1 kg..300 kg";
    let m = refused(
        inputs,
        "  begin at phase\n  require phase == start because \"rescue is entered from start\"\n  limit dose <= 5 mg hard when phase == rescue\n  limit dose <= 6 mg hard when phase == rescue and weight >= 40 kg\n  limit dose <= 7 mg hard when weight > 300 kg\n  phase start { decide first { otherwise => goto rescue } }\n  phase rescue { decide first { otherwise => give 1 mg } }",
    );
    assert_eq!(
        m,
        ["posology::verify::limit_unreachable: the limit `dose <= 7 mg` never applies: no patient satisfies `when weight > 300 kg` over the inputs' declared values"]
    );
}

/// A chain of `let`s each using the one before twice is worked out once per `let` (it took
/// minutes when each use was followed anew), through a limit's `when` too.
#[test]
fn doubling_lets_are_followed_once() {
    let mut lets = String::from("  let l0 = weight * 1 mg/kg\n");
    for i in 1..40 {
        lets.push_str(&format!("  let l{i} = (l{p} + l{p}) / 2\n", p = i - 1));
    }
    let started = std::time::Instant::now();
    let m = refused(
        "    weight: kg in 1 kg..300 kg",
        &format!("{lets}  limit dose <= 100 mg hard\n  limit dose <= 1 g hard when l39 > 0 mg\n  decide first {{\n    heavy: when weight >= 200 kg => give l39\n    otherwise => give l39 / 3\n  }}"),
    );
    assert_eq!(
        m,
        ["posology::verify::always_refused: the dose of `heavy` can never be given: it is at least 200 mg for every patient the rule reaches, above the hard limit `dose <= 100 mg`, which refuses all of them"]
    );
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

/// Every interval over the ends 0, 1, 2 (open, closed or unbounded on each side), empty ones
/// included.
fn small_intervals() -> Vec<Interval> {
    let ends: Vec<Option<End>> = std::iter::once(None)
        .chain(
            ["0", "1", "2"]
                .iter()
                .flat_map(|v| [Some(End::closed(r(v))), Some(End::open(r(v)))]),
        )
        .collect();
    let mut out = Vec::new();
    for lo in &ends {
        for hi in &ends {
            out.push(Interval {
                lo: lo.clone(),
                hi: hi.clone(),
            });
        }
    }
    out
}

#[test]
fn union_by_merging_gives_what_sorting_both_lists_gives() {
    // The union merges two ordered lists; it must give exactly the set `of` builds from both
    // lists together (the same intervals, joined the same way), for every pair of sets made
    // of up to two of these intervals.
    let all = small_intervals();
    let mut sets = vec![IntervalSet::empty()];
    for (i, p) in all.iter().enumerate() {
        sets.push(IntervalSet::of(vec![p.clone()]));
        for q in all.iter().skip(i).step_by(3) {
            sets.push(IntervalSet::of(vec![p.clone(), q.clone()]));
        }
    }
    let mut compared = 0;
    for a in &sets {
        for b in sets.iter().step_by(7) {
            let mut both = a.parts().to_vec();
            both.extend(b.parts().iter().cloned());
            assert_eq!(a.union(b), IntervalSet::of(both), "{a:?} ∪ {b:?}");
            compared += 1;
        }
    }
    assert!(compared > 10_000, "{compared}");
}

#[test]
fn a_single_interval_is_what_of_gives_for_it() {
    for p in small_intervals() {
        assert_eq!(IntervalSet::single(p.clone()), IntervalSet::of(vec![p]));
    }
}

#[test]
fn of_joins_in_place_as_it_joined_by_copying() {
    let all = small_intervals();
    let mut compared = 0;
    for (i, p) in all.iter().enumerate() {
        for (j, q) in all.iter().enumerate() {
            for t in all.iter().skip((i + j) % 5).step_by(5) {
                let parts = vec![p.clone(), q.clone(), t.clone()];
                assert_eq!(
                    IntervalSet::of(parts.clone()),
                    super::interval::of_by_copying(parts.clone()),
                    "{parts:?}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 10_000, "{compared}");
}
