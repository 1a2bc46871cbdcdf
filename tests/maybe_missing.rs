//! `posology::check::maybe_missing`: every guard form is accepted, every unguarded use is refused
//! at the use, and no protocol `check` accepts stops at run time with `posology::eval::missing`
//! (each accepted protocol is run for patients with the optional inputs absent and present).

use posology::input::Format;
use posology::{Options, Protocol};

const MAYBE_MISSING: &str = "posology::check::maybe_missing";
const EVAL_MISSING: &str = "posology::eval::missing";

/// A protocol whose inputs are all optional or defaulted, with `lets`, top-level `extra` items
/// (requires, limits, examples) and `body` (the phase's decide block and proposal).
fn protocol(lets: &str, extra: &str, body: &str) -> String {
    // Rules are one a line; a raw string writes the line break as `\n`.
    let body = body.replace("\\n", "\n");
    format!(
        r#"protocol demo {{
  version "1.0.0"
  source "Demo label"
  drug "demo"
  inputs {{
    dose:     mg in 1 mg..20 mg optional
    per_day:  count in 1..4 optional
    flag:     bool optional
    tests:    list of {{ dose: mg, effect: h optional }} default []
    proposed: mg in 0 mg..40 mg optional
  }}
  {lets}
  {extra}
  limit dose <= 100 mg hard
  phase main {{
    {body}
  }}
}}"#
    )
}

/// Patients with the optional inputs absent, present, and in between.
const PATIENTS: &[&str] = &[
    r#"{}"#,
    r#"{"dose": "10 mg"}"#,
    r#"{"dose": "3 mg", "per_day": 2, "flag": true}"#,
    r#"{"flag": false, "proposed": "12 mg"}"#,
    r#"{"dose": "10 mg", "proposed": "12 mg"}"#,
    r#"{"tests": [{"dose": "5 mg"}]}"#,
    r#"{"tests": [{"dose": "5 mg", "effect": "10 h"}], "dose": "5 mg"}"#,
    r#"{"tests": [{"dose": "5 mg", "effect": "2 h"}, {"dose": "10 mg"}], "dose": "10 mg", "flag": true}"#,
];

/// Each guard form, accepted by `check`: (what it shows, lets, extra, body).
const GUARDED: &[(&str, &str, &str, &str)] = &[
    (
        "a count that is not zero",
        "",
        "",
        "decide first { a: when count(tests) != 0 and last(tests).dose > 5 mg => give 2 mg\n      b: when 0 != count(tests) => give last(tests).dose\n      otherwise => give 1 mg }",
    ),
    (
        "left side of and",
        "",
        "",
        "decide first { a: when dose is not missing and dose > 5 mg => give dose\n      otherwise => give 1 mg }",
    ),
    (
        "or with is missing",
        "",
        "",
        "decide first { a: when dose is missing or dose < 5 mg => give 1 mg\n      otherwise => give dose }",
    ),
    (
        "not of is missing",
        "",
        "",
        "decide first { a: when not (dose is missing) and dose > 5 mg => give 2 mg\n      otherwise => give 1 mg }",
    ),
    (
        "if is not missing",
        "",
        "",
        "decide first { a: always => give if dose is not missing then dose else 1 mg }",
    ),
    (
        "if is missing",
        "",
        "",
        "decide first { a: always => give if dose is missing then 1 mg else dose }",
    ),
    (
        "rule's when",
        "",
        "",
        "decide first { a: when dose is not missing => give dose\n      otherwise => give 1 mg }",
    ),
    (
        "earlier rule holds",
        "",
        "",
        r#"decide first { a: when dose is missing => hold "no dose"\n      b: when dose > 10 mg => give 10 mg\n      otherwise => give dose }"#,
    ),
    (
        "otherwise after the hold",
        "",
        "",
        r#"decide first { a: when dose is missing => hold "no dose"\n      otherwise => give dose 3 times daily ; note "x" }"#,
    ),
    (
        "earlier rule read under the later rule's guard",
        "",
        "",
        "decide first { a: when dose is not missing and (tests is empty or last(tests).dose != dose) => give 1 mg\n      b: when dose is not missing => give last(tests).dose\n      otherwise => give 1 mg }",
    ),
    (
        "top-level require",
        "",
        r#"require dose is not missing because "the current dose is needed""#,
        "decide first { a: always => give dose }",
    ),
    (
        "let under a guard on its input",
        "let twice = dose * 2",
        "",
        "decide first { a: when dose is not missing => give twice\n      otherwise => give 1 mg }",
    ),
    (
        "a let that is there had what it needs",
        "let twice = dose * 2",
        "",
        "decide first { a: when twice is not missing => give dose\n      otherwise => give 1 mg }",
    ),
    (
        "let guarded itself",
        "let twice = dose * 2",
        "",
        "decide first { a: when twice is not missing and twice < 30 mg => give twice\n      otherwise => give 1 mg }",
    ),
    (
        "a true/false let as a guard",
        "let known = dose is not missing and per_day is not missing",
        "",
        "decide first { a: when known => give dose per_day times daily\n      otherwise => give 1 mg }",
    ),
    (
        "messages and show may show a missing value",
        "let twice = dose * 2",
        "",
        r#"decide first { a: always => give 1 mg ; note "dose {dose}, twice {twice}, {dose * 3}" ; show twice }"#,
    ),
    (
        "== and != need no value",
        "let twice = dose * 2",
        "",
        "decide first { a: when flag == true or twice != 4 mg or twice is missing => give 2 mg\n      otherwise => give 1 mg }",
    ),
    (
        "a list that is not empty",
        "",
        "",
        "decide first { a: when tests is not empty and last(tests).dose > 5 mg => give last(tests).dose\n      otherwise => give 1 mg }",
    ),
    (
        "a count above zero",
        "",
        "",
        "decide first { a: when count(tests) > 0 and last(tests).dose > 5 mg => give last(tests).dose\n      b: when 0 < count(tests, dose > 1 mg) => give first(tests).dose\n      otherwise => give 1 mg }",
    ),
    (
        "an optional field guarded",
        "",
        "",
        "decide first { a: when tests is not empty and last(tests).effect is not missing and last(tests).effect > 8 h => give 2 mg\n      otherwise => give 1 mg }",
    ),
    (
        "an optional field in a quantifier",
        "",
        "",
        "decide first { a: when any(tests, effect is not missing and effect > 8 h) => give 2 mg\n      otherwise => give 1 mg }",
    ),
    (
        "a proposal's rules run when a dose is proposed",
        "",
        "",
        r#"decide first { a: always => give 1 mg } proposal proposed { refuse when proposed > 15 mg because "too much: {proposed}" allow 1 mg..(proposed + 1 mg) because "ok" }"#,
    ),
    (
        "a proposal's later rule after a missing test",
        "",
        "",
        r#"decide first { a: always => give 1 mg } proposal proposed { refuse when dose is missing because "no current dose" allow 1 mg..(dose + 5 mg) because "one step" }"#,
    ),
    (
        "a limit's when and bound may read a missing value (fail closed)",
        "",
        "limit dose <= dose hard when flag",
        "decide first { a: always => give 1 mg }",
    ),
    (
        "an example's given values are there",
        "",
        r#"example "e" { given { dose: 10 mg } expect given that dose > 5 mg }"#,
        "decide first { a: always => give 1 mg }",
    ),
];

/// Each unguarded form, refused: (what it shows, lets, extra, body, the use labelled).
const UNGUARDED: &[(&str, &str, &str, &str, &str)] = &[
    ("a dose", "", "", "decide first { a: always => give dose }", "dose"),
    (
        "a condition",
        "",
        "",
        "decide first { a: when dose > 5 mg => give 2 mg\n      otherwise => give 1 mg }",
        "dose",
    ),
    (
        "a frequency",
        "",
        "",
        "decide first { a: always => give 1 mg per_day times daily }",
        "per_day",
    ),
    (
        "a let from an optional input",
        "let twice = dose * 2",
        "",
        "decide first { a: always => give twice }",
        "twice",
    ),
    (
        "the guard on the wrong side",
        "",
        "",
        "decide first { a: when dose is not missing or dose > 5 mg => give 2 mg\n      otherwise => give 1 mg }",
        "dose",
    ),
    (
        "the wrong branch of if",
        "",
        "",
        "decide first { a: always => give if dose is missing then dose else 1 mg }",
        "if dose is missing then dose else 1 mg",
    ),
    (
        "decide collect carries nothing from rule to rule",
        "",
        "",
        r#"decide collect { a: when dose is missing => hold "no dose"\n      b: always => give dose }"#,
        "dose",
    ),
    (
        "last of a list that may be empty",
        "",
        "",
        "decide first { a: always => give last(tests).dose }",
        "last(tests).dose",
    ),
    (
        "an optional field",
        "",
        "",
        "decide first { a: when tests is not empty and last(tests).effect > 8 h => give 2 mg\n      otherwise => give 1 mg }",
        "last(tests).effect",
    ),
    (
        "an optional field in a quantifier",
        "",
        "",
        "decide first { a: when any(tests, effect > 8 h) => give 2 mg\n      otherwise => give 1 mg }",
        "effect",
    ),
    (
        "not of an optional bool",
        "",
        "",
        "decide first { a: when not flag => give 2 mg\n      otherwise => give 1 mg }",
        "flag",
    ),
    (
        "a list item",
        "",
        "",
        "decide first { a: always => give max([dose, 2 mg]) }",
        "dose",
    ),
    (
        "a step of a stepped schedule",
        "",
        "",
        "decide first { a: always => schedule 1 mg once daily for 1 day, then dose twice daily }",
        "dose",
    ),
    (
        "an alternative",
        "",
        "",
        "decide first { a: always => choose { one: give 1 mg once daily ; two: give dose twice daily } }",
        "dose",
    ),
    (
        "a requirement",
        "",
        r#"require dose > 1 mg because "x""#,
        "decide first { a: always => give 1 mg }",
        "dose",
    ),
    (
        "a proposal rule",
        "",
        "",
        r#"decide first { a: always => give 1 mg } proposal proposed { refuse when proposed > dose because "x" }"#,
        "dose",
    ),
    (
        "an example's value not given",
        "",
        r#"example "e" { given { flag: true } expect given that dose > 5 mg }"#,
        "decide first { a: always => give 1 mg }",
        "dose",
    ),
];

#[test]
fn every_guard_form_is_accepted_and_never_misses_a_value_at_run_time() {
    for (what, lets, extra, body) in GUARDED {
        let text = protocol(lets, extra, body);
        let protocol = Protocol::load("demo.dose", &text)
            .unwrap_or_else(|d| panic!("{what}: refused: {:#?}", d));
        for patient in PATIENTS {
            let Ok(patient) = protocol.read_patient("p.json", patient, Format::Json, &[]) else {
                // Refused by a `require`: no decision is made on it.
                continue;
            };
            if let Err(d) = protocol.evaluate(&patient, Options::default()) {
                assert_ne!(d.code, EVAL_MISSING, "{what}: {patient:?}: {}", d.message);
                panic!("{what}: {patient:?}: {} {}", d.code, d.message);
            }
        }
    }
}

#[test]
fn every_unguarded_form_is_refused_at_its_use() {
    for (what, lets, extra, body, used) in UNGUARDED {
        let text = protocol(lets, extra, body);
        let diags = match Protocol::load("demo.dose", &text) {
            Ok(_) => panic!("{what}: accepted"),
            Err(d) => d,
        };
        let missing: Vec<_> = diags.iter().filter(|d| d.code == MAYBE_MISSING).collect();
        assert_eq!(missing.len(), 1, "{what}: {diags:#?}");
        let d = missing[0];
        let errors = diags.iter().filter(|d| d.is_error()).count();
        assert_eq!(errors, 1, "{what}: {diags:#?}");
        let span = d.labels[0].span;
        assert_eq!(&text[span.start..span.end], *used, "{what}");
        assert!(
            d.help.as_deref().unwrap_or("").contains("is not missing"),
            "{what}"
        );
    }
}

#[test]
fn an_optional_input_is_labelled_where_it_is_declared() {
    let text = protocol(
        "let twice = dose * 2",
        "",
        "decide first { a: always => give twice }",
    );
    let diags = Protocol::load("demo.dose", &text).expect_err("refused");
    let d = &diags[0];
    assert_eq!(d.code, MAYBE_MISSING);
    let declared = d.labels[1].span;
    assert_eq!(&text[declared.start..declared.end], "dose");
    assert!(text[..declared.start].ends_with("inputs {\n    "));
    let defined = d.labels[2].span;
    assert!(text[defined.start..defined.end].starts_with("let twice = dose * 2"));
    assert_eq!(d.labels[2].text, "`twice` is worked out from it here");
    assert!(d
        .message
        .contains("`dose` is an optional input without a default"));
    assert!(d
        .help
        .as_deref()
        .unwrap_or("")
        .contains("give `dose` a `default`"));
}

#[test]
fn a_hard_limit_whose_when_needs_a_missing_value_applies() {
    let text = protocol(
        "",
        "limit dose <= 1 mg hard when flag",
        "decide first { a: always => give 2 mg }",
    );
    let protocol = Protocol::load("demo.dose", &text).expect("accepted");
    let decide = |json: &str| {
        let patient = protocol
            .read_patient("p.json", json, Format::Json, &[])
            .expect("valid");
        protocol
            .evaluate(&patient, Options::default())
            .expect("a decision")
    };
    // Without `flag` the limit cannot be decided: it applies, and 2 mg is refused.
    assert_eq!(decide("{}").status, posology::Status::Refused);
    assert_eq!(
        decide(r#"{"flag": true}"#).status,
        posology::Status::Refused
    );
    assert_eq!(decide(r#"{"flag": false}"#).status, posology::Status::Give);
}

#[test]
fn a_let_from_a_missing_value_is_missing_not_an_error() {
    let text = protocol(
        "let twice = dose * 2",
        "",
        r#"decide first { a: when twice is missing => hold "no dose: {twice}"\n      otherwise => give twice }"#,
    );
    let protocol = Protocol::load("demo.dose", &text).expect("accepted");
    let patient = protocol
        .read_patient("p.json", "{}", Format::Json, &[])
        .expect("valid");
    let d = protocol
        .evaluate(&patient, Options::default())
        .expect("a decision");
    assert_eq!(d.status, posology::Status::Wait);
    assert_eq!(d.reasons[0].text, "no dose: missing");
}

#[test]
fn a_limit_bound_that_needs_a_missing_value_holds_back_if_hard_and_is_silent_if_soft() {
    let run = |limit: &str, json: &str| {
        let text = protocol("", limit, "decide first { a: always => give 2 mg }");
        let protocol = Protocol::load("demo.dose", &text).expect("accepted");
        let patient = protocol
            .read_patient("p.json", json, Format::Json, &[])
            .expect("valid");
        protocol
            .evaluate(&patient, Options::default())
            .expect("a decision")
    };
    // A hard bound the patient's data cannot give: every dose of its kind is held back.
    let hard = "limit dose <= dose hard";
    assert_eq!(run(hard, "{}").status, posology::Status::Refused);
    assert_eq!(
        run(hard, r#"{"dose": "5 mg"}"#).status,
        posology::Status::Give
    );
    assert_eq!(
        run(hard, r#"{"dose": "1 mg"}"#).status,
        posology::Status::Refused
    );
    // A soft one warns only when it can be worked out.
    let soft = r#"limit dose <= dose soft because "above the current dose {dose}""#;
    let quiet = run(soft, "{}");
    assert_eq!(quiet.status, posology::Status::Give);
    assert!(quiet.messages.is_empty(), "{:?}", quiet.messages);
    let warned = run(soft, r#"{"dose": "1 mg"}"#);
    assert_eq!(warned.status, posology::Status::Give);
    assert!(
        warned.messages[0]
            .text
            .ends_with(": above the current dose 1 mg"),
        "{:?}",
        warned.messages
    );
}
