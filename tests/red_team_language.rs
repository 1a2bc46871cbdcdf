//! What a red team found in the language's breadth (tables, strengths, formulas, stepped
//! schedules, alternatives, the missing-value check), each pinned so that it stays fixed.

use posology::eval::Status;
use posology::input::Format;
use posology::{Options, Protocol};

const HEADER: &str = "version \"1\" source \"s\" drug \"d\" route \"oral\"";

fn load(body: &str) -> Result<Protocol, Vec<posology::diagnostics::Diagnostic>> {
    let text = format!("protocol t {{\n  {HEADER}\n{body}\n}}\n");
    Protocol::load("t.dose", &text)
}

fn decide(body: &str, patient: &str) -> posology::eval::Decision {
    let protocol = load(body).unwrap_or_else(|d| panic!("{body}: {d:#?}"));
    let patient = protocol
        .read_patient("p.json", patient, Format::Json, &[])
        .unwrap_or_else(|d| panic!("{patient}: {d:#?}"));
    protocol
        .evaluate(&patient, Options::default())
        .unwrap_or_else(|d| panic!("{body}: {d:#?}"))
}

/// An alternative is taken beside every step of a schedule: a step plus the alternative past a
/// hard daily limit refuses the alternative (it was offered, 400 mg/day against 300).
#[test]
fn an_alternative_is_held_with_each_schedule_step() {
    let body =
        "  limit dose <= 150 mg hard\n  limit daily <= 300 mg/day hard\n  decide collect {\n    \
        s: always => schedule 100 mg once daily for 1 day, then 150 mg twice daily\n    \
        c: always => choose { a: give 100 mg once daily ; b: give 10 mg once daily }\n  }";
    let d = decide(body, "{}");
    assert_eq!(d.status, Status::Refused, "{d:#?}");
    assert!(d.alternatives.iter().all(|a| !a.allowed), "{d:#?}");
    // With a first step of 100 mg/day and a second of 200 mg/day, 100 mg more fits.
    let body = body.replace("150 mg twice daily", "100 mg twice daily");
    let d = decide(&body, "{}");
    assert_eq!(d.status, Status::Give, "{d:#?}");
    assert!(d.alternatives.iter().all(|a| a.allowed), "{d:#?}");
}

/// Two sets of alternatives in one decision are refused, as two schedules are: which pairs go
/// together is not the gate's to guess.
#[test]
fn two_sets_of_alternatives_are_refused() {
    let body =
        "  limit dose <= 150 mg hard\n  limit daily <= 300 mg/day hard\n  decide collect {\n    \
        x: always => choose { a: give 150 mg twice daily ; b: give 100 mg once daily }\n    \
        y: always => choose { a: give 150 mg twice daily ; d: give 50 mg once daily }\n  }";
    let d = decide(body, "{}");
    assert_eq!(d.status, Status::Refused, "{d:#?}");
    assert!(
        d.reasons.iter().any(|r| r
            .text
            .starts_with("two sets of alternatives for one patient (x and y)")),
        "{d:#?}"
    );
}

/// `sum` of a projection whose field may be missing may be missing (a total that skipped an
/// item would be too low): `check` asks for a guard, and at run time the sum is missing.
#[test]
fn a_sum_that_may_skip_a_missing_item_needs_a_guard() {
    let unguarded = "  inputs { past: list of { dose: mg optional } default [] }\n  \
        limit dose <= 150 mg hard\n  let cumulative = sum(past.dose)\n  decide first {\n    \
        too_much: when cumulative > 500 mg => refuse \"cap\"\n    otherwise => give 60 mg\n  }";
    let diags = load(unguarded).expect_err("refused");
    assert!(
        diags
            .iter()
            .any(|d| d.code == "posology::check::maybe_missing"),
        "{diags:#?}"
    );
    let guarded = unguarded.replace(
        "too_much: when cumulative > 500 mg",
        "unknown: when cumulative is missing => hold \"a past dose is not recorded\"\n    \
         too_much: when cumulative > 500 mg",
    );
    let d = decide(&guarded, r#"{"past": [{"dose": "400 mg"}, {}]}"#);
    assert_eq!(d.status, Status::Wait, "{d:#?}");
    let d = decide(
        &guarded,
        r#"{"past": [{"dose": "400 mg"}, {"dose": "200 mg"}]}"#,
    );
    assert_eq!(d.status, Status::Refused, "{d:#?}");
}

/// The sum of an empty list of quantities is zero in their unit, so it compares with them.
#[test]
fn the_sum_of_an_empty_list_is_zero_in_its_unit() {
    let body = "  inputs { past: list of mg default [] }\n  limit dose <= 100 mg hard\n  \
        decide first {\n    over: when sum(past) >= 500 mg => refuse \"lifetime cap\"\n    \
        otherwise => give 50 mg\n  }";
    let d = decide(body, "{}");
    assert_eq!(d.status, Status::Give, "{d:#?}");
    let d = decide(body, r#"{"past": ["300 mg", "0.2 g"]}"#);
    assert_eq!(d.status, Status::Refused, "{d:#?}");
}

/// A schedule step given less often than daily shows no total per day, as a dose does: "50 mg
/// every 1 week (50 mg/day)" reads as a daily dose.
#[test]
fn a_weekly_schedule_step_has_no_daily_total() {
    let body =
        "  limit dose <= 100 mg hard\n  limit daily <= 100 mg/day hard\n  decide first {\n    \
        otherwise => schedule 50 mg every 1 week for 1 week, then 10 mg every 5 h\n  }";
    let d = decide(body, "{}");
    let steps = &d.schedule.as_ref().expect("a schedule").steps;
    assert!(steps[0].daily_total.is_none(), "{steps:#?}");
    assert_eq!(
        steps[1]
            .daily_total
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("50 mg/day")
    );
}
