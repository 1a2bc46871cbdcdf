//! The facade's promises: a protocol loads only when it checks, a patient is read against it,
//! and every decision comes out of the safety gate.

use super::*;
use crate::eval::Status;

/// A protocol with a hard limit a rule breaks, a requirement, and two phases, one of which
/// decides nothing.
const TEXT: &str = r#"protocol facade {
  version "1.0.0"
  source  "test"
  drug    "demo"
  inputs {
    phase:  a | b
    weight: kg in 1 kg..300 kg
    dose:   mg in 1 mg..500 mg optional
  }
  begin at phase
  limit dose <= 100 mg hard
  require weight >= 2 kg because "a weight under 2 kg is a typing slip"
  phase a {
    decide first {
      when dose is not missing => give dose
      otherwise                => give 50 mg
    }
  }
  phase b {
    decide first {
      when weight > 1000 kg => give 1 mg
    }
  }
}
"#;

fn loaded() -> Protocol {
    Protocol::load("facade.dose", TEXT).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn decide(protocol: &Protocol, json: &str) -> Result<Decision, Diagnostic> {
    let patient = protocol
        .read_patient("patient.json", json, Format::Json, &[])
        .unwrap_or_else(|d| panic!("{d:#?}"));
    protocol.evaluate(&patient, Options::default())
}

#[test]
fn a_protocol_that_checks_loads_with_its_name_and_keeps_its_warnings() {
    let protocol = loaded();
    assert_eq!(protocol.program().header.name, "facade");
    assert_eq!(protocol.source().name, "facade.dose");
    // Phase b decides nothing for any patient (no weight allowed is above 1000 kg): a gap and
    // a rule that never fires, warnings kept for the front end to show.
    let codes: Vec<&str> = protocol.warnings().iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["posology::verify::gap", "posology::verify::unreachable"]
    );
    assert!(protocol.warnings().iter().all(|d| !d.is_error()));
}

#[test]
fn a_protocol_with_an_error_does_not_load_and_says_why() {
    let text = TEXT.replace("give 50 mg", "give 50 mL");
    let diags = Protocol::load("bad.dose", &text).expect_err("a dose in mL under a mg limit");
    assert!(diags.iter().any(Diagnostic::is_error), "{diags:#?}");
    let (protocol, same) = Protocol::check("bad.dose", &text);
    assert!(protocol.is_none());
    assert_eq!(same.len(), diags.len());
    let diags = Protocol::load("bad.dose", "protocol {").expect_err("does not parse");
    assert!(diags[0].code.starts_with("posology::"), "{diags:#?}");
}

#[test]
fn warnings_are_kept_on_the_loaded_protocol() {
    let text = TEXT.replace("limit dose <= 100 mg hard", "limit dose <= 100000 ug hard");
    let protocol = Protocol::load("ug.dose", &text).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(
        protocol
            .warnings()
            .iter()
            .any(|d| d.code == "posology::unit::unsafe_abbreviation"),
        "{:#?}",
        protocol.warnings()
    );
    let (checked, diags) = Protocol::check("ug.dose", &text);
    assert!(checked.is_some());
    assert_eq!(diags.len(), protocol.warnings().len());
}

#[test]
fn a_patient_is_read_then_decided() {
    let protocol = loaded();
    let d = decide(&protocol, r#"{"phase": "a", "weight": "70 kg"}"#).expect("decides");
    assert_eq!(d.status, Status::Give);
    assert_eq!(d.phase, "a");
    assert_eq!(d.doses.len(), 1);
}

#[test]
fn evaluate_holds_every_dose_to_the_hard_limits() {
    let protocol = loaded();
    let d = decide(
        &protocol,
        r#"{"phase": "a", "weight": "70 kg", "dose": "150 mg"}"#,
    )
    .expect("decides");
    assert_eq!(d.status, Status::Refused);
    assert!(d.doses.is_empty(), "a refusal lists no dose: {d:#?}");
}

#[test]
fn data_failing_a_requirement_is_refused_when_read_pointing_at_the_field() {
    let protocol = loaded();
    let json = r#"{"phase": "a", "weight": "1.5 kg"}"#;
    let diags = protocol
        .read_patient("patient.json", json, Format::Json, &[])
        .expect_err("refused");
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "posology::input::rejected");
    let span = diags[0].primary_span().expect("a label");
    assert_eq!(&json[span.start..span.end], r#""1.5 kg""#);
    assert_eq!(
        diags[0].source.as_ref().map(|s| s.name.as_str()),
        Some("patient.json")
    );
}

#[test]
fn a_patient_read_for_another_protocol_is_refused() {
    let one = loaded();
    let other = loaded();
    let patient = one
        .read_patient(
            "p.json",
            r#"{"phase": "a", "weight": "70 kg"}"#,
            Format::Json,
            &[],
        )
        .expect("valid");
    let err = other
        .evaluate(&patient, Options::default())
        .expect_err("not this protocol's patient");
    assert_eq!(err.code, "posology::input::other_protocol");
    // Loading the same text twice is two protocols; a clone is the same one.
    let same = one.clone();
    assert!(same.evaluate(&patient, Options::default()).is_ok());
}

#[test]
fn values_of_the_wrong_length_are_refused_not_indexed() {
    let protocol = loaded();
    let patient = protocol.patient(Vec::new());
    let err = protocol
        .evaluate(&patient, Options::default())
        .expect_err("no values");
    assert_eq!(err.code, "posology::input::other_protocol");
}

#[test]
fn a_phase_that_decides_nothing_is_pointed_at_by_its_declaration() {
    let protocol = loaded();
    let err =
        decide(&protocol, r#"{"phase": "b", "weight": "70 kg"}"#).expect_err("nothing decided");
    assert_eq!(err.code, "posology::eval::no_decision");
    let span = err.primary_span().expect("a label");
    assert_eq!(&TEXT[span.start..span.end], "phase b");
}

/// The proof that a patient's `require`s hold (kept by `read_patient`) never outlives its
/// values: a patient made from values that fail one (an example's, or the REPL's after an
/// edit) is refused by `evaluate` itself, with the requirement's reason.
#[test]
fn values_that_fail_a_requirement_are_refused_by_evaluate_unless_read_and_checked() {
    let protocol = loaded();
    let read = protocol
        .read_patient(
            "p.json",
            r#"{"phase": "a", "weight": "70 kg"}"#,
            Format::Json,
            &[],
        )
        .expect("valid");
    assert!(read.requirements_met);
    // The same values with the weight changed to one the requirement refuses, as the REPL
    // builds a patient after `weight = 1.5 kg`: a new patient, not the read one edited.
    let mut values = read.values().to_vec();
    let slot = protocol.program().input_slot("weight").expect("weight");
    let kg =
        Value::Num(crate::units::Quantity::parse("1.5 kg").unwrap_or_else(|e| panic!("{e:?}")));
    values[slot] = kg;
    let edited = protocol.patient(values);
    assert!(
        !edited.requirements_met,
        "a patient built from values is never proven"
    );
    for trace in [false, true] {
        let err = protocol
            .evaluate(&edited, Options { trace })
            .expect_err("the requirement refuses it");
        assert_eq!(err.code, "posology::input::rejected");
        assert_eq!(
            err.message,
            "the patient's data is refused: a weight under 2 kg is a typing slip"
        );
        let span = err.primary_span().expect("a label");
        assert_eq!(&TEXT[span.start..span.end], "weight >= 2 kg");
    }
    // A copy of a read patient carries the same values, so the same proof.
    let copy = read.clone();
    assert!(copy.requirements_met);
    assert_eq!(copy.values(), read.values());
    assert!(protocol.evaluate(&copy, Options::default()).is_ok());
}

/// An override (`--set`) is applied before the requirements are checked: one that breaks a
/// requirement is refused at reading, never carried into a proven patient.
#[test]
fn an_override_that_fails_a_requirement_is_refused_when_read() {
    let protocol = loaded();
    let diags = protocol
        .read_patient(
            "p.json",
            r#"{"phase": "a", "weight": "70 kg"}"#,
            Format::Json,
            &["weight=1.5 kg".to_string()],
        )
        .expect_err("refused");
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "posology::input::rejected");
}

/// A dose held on its own (`hold_dose`) meets the limits of every phase the patient's decision
/// goes through, as the decision's own doses do; if the patient cannot be decided, the limits
/// of every phase.
#[test]
fn a_held_dose_meets_the_limits_of_the_phases_the_decision_goes_through() {
    let text = "protocol hop {\n version \"1\"\n source \"s\"\n inputs { phase: t | m\n x: mg }\n \
                begin at phase\n limit dose <= 20 mg hard\n limit dose <= 8 mg hard when phase == m\n \
                phase t { decide first { when x > 100 mg => give x / 0\n otherwise => goto m } }\n \
                phase m { decide first { otherwise => give 5 mg } }\n}\n";
    let protocol = Protocol::load("hop.dose", text).expect("checks");
    let ten = || Amount::One(crate::units::Quantity::parse("10 mg").expect("a dose"));
    let hold = |patient: &str| {
        let patient = protocol
            .read_patient("p", patient, Format::Json, &[])
            .expect("reads");
        protocol
            .hold_dose(&patient, ten(), None)
            .expect("same protocol")
    };
    // Decided through t → m: the limit for m applies.
    assert_eq!(
        hold(r#"{"phase": "t", "x": "1 mg"}"#).status,
        Status::Refused
    );
    // Not decidable (division by zero): every phase's limits apply.
    assert_eq!(
        hold(r#"{"phase": "t", "x": "200 mg"}"#).status,
        Status::Refused
    );
    // The limit for m does not reach a patient whose decision stays in t.
    let stays = "protocol stay {\n version \"1\"\n source \"s\"\n inputs { phase: t | m }\n \
                 begin at phase\n limit dose <= 20 mg hard\n \
                 limit dose <= 8 mg hard when phase == m\n \
                 phase t { decide first { otherwise => give 5 mg } }\n \
                 phase m { decide first { otherwise => give 5 mg } }\n}\n";
    let stays = Protocol::load("stay.dose", stays).expect("checks");
    let patient = stays
        .read_patient("p", r#"{"phase": "t"}"#, Format::Json, &[])
        .expect("reads");
    let held = stays
        .hold_dose(&patient, ten(), None)
        .expect("same protocol");
    assert_eq!(held.status, Status::Give, "{held:?}");
}

/// A requirement has no name of its own: it is named by its place among the requires and its
/// line (what `test --coverage` lists and the verifier's messages quote).
#[test]
fn a_requirement_is_named_by_its_number_and_line() {
    let protocol = Protocol::load("facade.dose", TEXT).expect("checks");
    let ids: Vec<String> = protocol
        .program()
        .requires
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(ids, ["require 1 (line 12)"]);
}

/// A part of a formula that fails for every patient who reaches it (a constant divisor of
/// zero, an index past a constant list's end) is a warning of `check`, never a refusal: a
/// condition may keep every patient from it, and such a protocol decides as written.
#[test]
fn a_guarded_constant_fault_is_warned_of_and_the_protocol_runs() {
    let text = "protocol guard {\n version \"1\"\n source \"s\"\n inputs { d: mg in 0 mg..100 mg }\n \
                limit dose <= 1 g hard\n let loading_doses = 0\n let strengths = [10 mg, 20 mg]\n \
                decide first {\n big: when count(strengths) >= 3 => give strengths[3]\n \
                split: when loading_doses != 0 => give d / loading_doses\n \
                otherwise => give (if loading_doses > 0 then 100 mg / loading_doses else 100 mg)\n }\n}\n";
    let (protocol, diags) = Protocol::check("guard.dose", text);
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            "posology::formula::always_fails",
            "posology::value::division_by_zero",
            "posology::value::division_by_zero"
        ]
    );
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let protocol = protocol.expect("loads: warnings only");
    let decision = decide(&protocol, r#"{"d": "5 mg"}"#).expect("decides");
    assert_eq!(decision.status, Status::Give);
    assert_eq!(
        decision.doses[0].amount,
        Amount::One(crate::units::Quantity::parse("100 mg").expect("a dose"))
    );
}
