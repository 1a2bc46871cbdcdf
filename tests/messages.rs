//! Values shown in messages: `{expression}` placeholders in every kind of message the rules
//! give, `{{` and `}}` as braces, and a brace that is neither refused by `check`.

use posology::input::Format;
use posology::{Options, Protocol};

fn protocol(actions: &str) -> String {
    format!(
        r#"protocol demo {{
  version "1.0.0"
  source "Demo label"
  drug "demo"
  inputs {{
    weight: kg in 1 kg..300 kg
    current: {{ dose: mg, doses_per_day: count }}
  }}
  limit dose <= 100 mg hard
  decide first {{
    only: always => {actions}
  }}
}}"#
    )
}

/// The decision of the protocol `text` for the patient file `patient` (JSON).
fn decide(text: &str, patient: &str) -> posology::eval::Decision {
    let protocol = Protocol::load("demo.dose", text).unwrap_or_else(|d| panic!("{d:?}"));
    let patient = protocol
        .read_patient("patient.json", patient, Format::Json, &[])
        .expect("valid");
    protocol
        .evaluate(&patient, Options::default())
        .expect("a decision")
}

/// The reasons and messages of the decision for a 70 kg patient on 10 mg twice daily.
fn texts(actions: &str) -> Vec<String> {
    let decision = decide(
        &protocol(actions),
        r#"{"weight": "70 kg", "current": {"dose": "10 mg", "doses_per_day": 2}}"#,
    );
    let reasons = decision.reasons.iter().map(|r| r.text.clone());
    reasons
        .chain(decision.messages.iter().map(|m| m.text.to_string()))
        .collect()
}

#[test]
fn every_kind_of_message_shows_its_values() {
    for kind in ["hold", "stop", "refuse", "warn", "warn critical", "note"] {
        let mut action = format!(
            r#"{kind} "weight {{weight}}, {{current.dose}} {{current.doses_per_day}} times daily""#
        );
        if kind.starts_with("warn") || kind == "note" {
            // A message alone decides nothing.
            action.push_str(" ; give 5 mg 2 times daily");
        }
        assert_eq!(
            texts(&action),
            ["weight 70 kg, 10 mg 2 times daily"],
            "{kind}"
        );
    }
}

#[test]
fn a_placeholder_may_hold_an_expression() {
    assert_eq!(
        texts(
            r#"note "daily {current.dose * current.doses_per_day}; per kg {current.dose / weight}" ; give 5 mg 2 times daily"#
        ),
        ["daily 20 mg; per kg ~0.1429 mg/kg"]
    );
    assert_eq!(
        texts(r#"stop "{if weight > 50 kg then 2 else 1} doses""#),
        ["2 doses"]
    );
}

#[test]
fn doubled_braces_are_braces_as_text() {
    assert_eq!(
        texts(r#"hold "set {{x}} to {weight}}}""#),
        ["set {x} to 70 kg}"]
    );
}

/// Each brace that is not a placeholder is refused, with its place and the code.
#[test]
fn a_stray_brace_is_refused_at_check_time() {
    for (text, message) in [
        (r#"note "open { never closed""#, "never closed"),
        (r#"note "closed } alone""#, "closes no `{`"),
        (r#"note "empty {} braces""#, "shows nothing"),
        (r#"note "not {a value here}""#, "must hold a value"),
        (r#"note "half {weight // 2}""#, "`//` starts a comment"),
        (r#"refuse "unknown {weigth}""#, "weigth"),
    ] {
        let source = protocol(text);
        let diags = Protocol::load("demo.dose", &source).expect_err(text);
        let diag = &diags[0];
        assert!(diag.message.contains(message), "{text}: {}", diag.message);
        let label = diag.labels[0].span;
        let brace = &source[label.start..label.end];
        assert!(
            brace.starts_with('{') || brace.starts_with('}') || brace == "weigth",
            "{text}: labelled {brace:?}"
        );
        if !text.contains("weigth") {
            assert_eq!(diag.code, "posology::message::placeholder", "{text}");
        }
    }
}

const PROPOSING: &str = r#"protocol demo {
  version "1.0.0"
  source "Demo label"
  drug "demo"
  inputs {
    phase: | titrate
    dose: mg in 1 mg..100 mg
    proposed: mg in 0 mg..100 mg optional
  }
  begin at phase
  limit dose <= 100 mg hard
  phase titrate {
    decide first {
      otherwise => give dose 3 times daily
    }
    proposal proposed 3 times daily {
      refuse when proposed > dose + 10 mg because "{proposed} is more than 10 mg above {dose}"
      allow 5 mg..(dose + 10 mg) because "at most {dose + 10 mg}, {{policy}}"
    }
  }
}"#;

/// The reason given for a verdict on a proposed dose, for a patient on 10 mg.
fn verdict_reason(proposed: &str) -> String {
    let decision = decide(
        PROPOSING,
        &format!(r#"{{"phase": "titrate", "dose": "10 mg", "proposed": "{proposed}"}}"#),
    );
    decision.proposal().expect("a verdict").reason.clone()
}

#[test]
fn a_proposal_verdict_shows_its_values() {
    assert_eq!(
        verdict_reason("25 mg"),
        "25 mg is more than 10 mg above 10 mg"
    );
    assert_eq!(verdict_reason("15 mg"), "at most 20 mg, {policy}");
    assert_eq!(
        verdict_reason("2 mg"),
        "2 mg is outside the allowed range 5 mg to 20 mg: at most 20 mg, {policy}"
    );
}

/// The reasons of limits and requirements show values too, filled in for the patient: the
/// inputs and top-level `let`s. Doubled braces are braces.
#[test]
fn reasons_of_limits_and_requirements_show_values() {
    let with = |line: &str| {
        PROPOSING.replace(
            "  begin at phase\n",
            &format!("  begin at phase\n  let max_daily = 60 mg/day\n  {line}\n"),
        )
    };
    let text = with(r#"require dose > 2 mg because "{dose} is below 2 mg, {{policy}}""#);
    let protocol = Protocol::load("demo.dose", &text).unwrap_or_else(|d| panic!("{d:?}"));
    let refused = protocol
        .read_patient(
            "patient.json",
            r#"{"phase": "titrate", "dose": "1 mg"}"#,
            Format::Json,
            &[],
        )
        .expect_err("refused");
    assert_eq!(
        refused[0].message,
        "the patient's data is refused: 1 mg is below 2 mg, {policy}"
    );
    assert_eq!(
        protocol.program().requires[0].because,
        "{dose} is below 2 mg, {policy}"
    );
    // Coverage tells which requirement refused a case by its reason, whatever the values.
    let r = &protocol.program().requires[0];
    assert!(r.reason_fits("1 mg is below 2 mg, {policy}"));
    assert!(r.reason_fits("missing is below 2 mg, {policy}"));
    assert!(!r.reason_fits("1 mg is below 3 mg, {policy}"));
    assert!(!r.reason_fits("1 mg is below 2 mg, {policy} and more"));

    // A hard daily limit: the gate's reason names the dose and the limit, then the `because`.
    let text = with(
        r#"limit daily <= max_daily hard because "at most {max_daily} a day; this patient takes {dose * 3 / 1 day}""#,
    );
    let decision = decide(&text, r#"{"phase": "titrate", "dose": "25 mg"}"#);
    assert_eq!(decision.status, posology::Status::Refused);
    let reason = &decision.reasons[0].text;
    assert!(
        reason.ends_with(": at most 60 mg/day a day; this patient takes 75 mg/day"),
        "{reason}"
    );

    // A soft limit's warning, and a proposal it refuses, show the values too.
    let text = with(r#"limit dose <= 20 mg soft because "above 20 mg for {dose}""#);
    let decision = decide(&text, r#"{"phase": "titrate", "dose": "25 mg"}"#);
    let warned = decision.messages.iter().map(|m| m.text.as_str());
    assert!(
        warned
            .clone()
            .any(|m| m.ends_with(": above 20 mg for 25 mg")),
        "{:?}",
        warned.collect::<Vec<_>>()
    );

    // A value the patient lacks reads `missing`, as in every message.
    let text = with(r#"limit dose <= 20 mg soft because "proposed {proposed}""#);
    let decision = decide(&text, r#"{"phase": "titrate", "dose": "25 mg"}"#);
    assert!(decision
        .messages
        .iter()
        .any(|m| m.text.ends_with(": proposed missing")));
}

/// A brace in a limit's or a requirement's reason that is not a value is refused, as in any
/// message; a name there is read where the limit is written (not a phase's `let`).
#[test]
fn a_bad_brace_in_a_reason_is_refused() {
    let with = |line: &str| {
        PROPOSING.replace(
            "  begin at phase\n",
            &format!("  begin at phase\n  {line}\n"),
        )
    };
    for (line, code) in [
        (
            r#"require dose > 2 mg because "too low: {dose""#,
            "posology::message::placeholder",
        ),
        (
            r#"limit daily <= 90 mg/day soft because "above {}""#,
            "posology::message::placeholder",
        ),
        (
            r#"limit daily <= 90 mg/day soft because "above {weigth}""#,
            "posology::name::unknown",
        ),
    ] {
        let diags = Protocol::load("demo.dose", &with(line)).expect_err(line);
        assert_eq!(diags[0].code, code, "{line}");
    }
}

/// A value worked out from an input the patient lacks reads `missing`, like the input itself:
/// a message never withholds the decision (red team: `{scr * 2}` stopped the run).
#[test]
fn a_value_from_a_missing_input_reads_missing() {
    let text = PROPOSING.replace(
        "otherwise => give dose 3 times daily",
        r#"otherwise => give dose 3 times daily ; note "twice {proposed * 2}, more {proposed > dose}""#,
    );
    let decision = decide(&text, r#"{"phase": "titrate", "dose": "10 mg"}"#);
    assert_eq!(decision.messages[0].text, "twice missing, more missing");
    assert_eq!(decision.doses.len(), 1);
}
