//! Schedules written step by step, alternatives a clinician chooses between, and several
//! proposals in one phase: what each decides, and how the safety gate holds each step,
//! alternative and proposal on its own.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::eval::test_support::try_decide_text;
use crate::eval::{Amount, Decision, Status};

fn protocol(inputs: &str, limits: &str, decide: &str) -> String {
    format!(
        "protocol t {{\n version \"1\"\n source \"s\"\n route \"oral\"\n inputs {{ {inputs} }}\n \
         {limits}\n decide collect {{ {decide} }}\n}}\n"
    )
}

const LIMITS: &str = "limit dose <= 1200 mg hard\n limit daily <= 3600 mg/day hard";

fn decide(inputs: &str, decide: &str, patient: &str) -> Result<Decision, Diagnostic> {
    try_decide_text(&protocol(inputs, LIMITS, decide), patient).1
}

/// Each step as `day N[-M]: DOSE FREQUENCY (TOTAL)`, or `day N on: stop`.
fn steps(d: &Decision) -> Vec<String> {
    let s = d.schedule.as_ref().expect("a schedule");
    s.steps
        .iter()
        .map(|st| {
            let days = match st.to_day {
                Some(to) if to != st.from_day => format!("day {}-{to}", st.from_day),
                Some(_) => format!("day {}", st.from_day),
                None => format!("day {} on", st.from_day),
            };
            match (&st.dose, &st.frequency, &st.daily_total) {
                (Some(q), Some(f), Some(t)) => format!("{days}: {q} {} ({t})", f.text),
                (Some(q), None, _) => format!("{days}: {q}"),
                _ => format!("{days}: stop"),
            }
        })
        .collect()
}

const PHN: &str = "r: always => schedule 300 mg once daily for 1 day, then 300 mg twice daily \
                   for 1 day, then 300 mg 3 times daily starting start";

#[test]
fn the_label_titration_expands_to_days_and_dates_with_each_steps_frequency() {
    let d = decide("start: date optional", PHN, r#"{"start": "2026-12-30"}"#).expect("decides");
    assert_eq!(d.status, Status::Give);
    assert_eq!(d.schedule.as_ref().map(|s| s.direction), Some("steps"));
    assert_eq!(
        steps(&d),
        [
            "day 1: 300 mg once daily (300 mg/day)",
            "day 2: 300 mg 2 times daily (600 mg/day)",
            "day 3 on: 300 mg 3 times daily (900 mg/day)",
        ]
    );
    let s = &d.schedule.expect("a schedule").steps;
    let dates: Vec<String> = s
        .iter()
        .map(|st| format!("{:?}..{:?}", st.from_date, st.to_date))
        .collect();
    assert_eq!(
        dates,
        [
            "Some(2026-12-30)..Some(2026-12-30)",
            "Some(2026-12-31)..Some(2026-12-31)",
            "Some(2027-01-01)..None",
        ]
    );
    // Without a start date, no step is dated.
    let d = decide("start: date optional", PHN, "{}").expect("decides");
    assert!(d
        .schedule
        .expect("a schedule")
        .steps
        .iter()
        .all(|s| s.from_date.is_none()));
}

#[test]
fn a_course_ends_after_its_last_step_and_then_stop_adds_a_stop_step() {
    let course = "r: always => schedule 600 mg 3 times daily for 1 week, then 300 mg once daily \
                  for 2 days";
    let d = decide("x: mg optional", course, "{}").expect("decides");
    assert_eq!(
        steps(&d),
        [
            "day 1-7: 600 mg 3 times daily (1800 mg/day)",
            "day 8-9: 300 mg once daily (300 mg/day)",
        ]
    );
    let taper = format!("{course}, then stop");
    let d = decide("x: mg optional", &taper, "{}").expect("decides");
    assert_eq!(
        steps(&d).last().map(String::as_str),
        Some("day 10 on: stop")
    );
}

#[test]
fn a_step_past_a_hard_limit_refuses_the_whole_decision_and_none_is_dropped() {
    let text = "r: always => schedule 300 mg once daily for 1 day, then third 3 times daily";
    // 1300 mg breaks the single dose limit; 1000 mg 4 times daily only the daily one.
    for (patient, limit) in [
        (r#"{"third": "1300 mg"}"#, "dose <= 1200 mg"),
        (r#"{"third": "1000 mg", "n": 4}"#, "daily <= 3600 mg/day"),
    ] {
        let text = text.replace("3 times", "n times");
        let d = decide("third: mg\n n: count default 3", &text, patient).expect("decides");
        assert_eq!(d.status, Status::Refused, "{patient}");
        assert!(d.schedule.is_none() && d.doses.is_empty());
        assert!(
            d.reasons
                .iter()
                .any(|r| r.rule == limit && r.text.contains("step 2")),
            "{:?}",
            d.reasons
        );
    }
    // At the limits exactly, the step is given.
    let d = decide(
        "third: mg\n n: count default 3",
        &text.replace("3 times", "n times"),
        r#"{"third": "900 mg", "n": 4}"#,
    )
    .expect("decides");
    assert_eq!(d.status, Status::Give);
}

#[test]
fn a_duration_from_the_patient_must_be_whole_days_above_zero() {
    let text = "r: always => schedule 300 mg once daily for days, then 600 mg once daily";
    for bad in ["0 days", "12 h", "-2 days"] {
        let err =
            decide("days: day", text, &format!(r#"{{"days": "{bad}"}}"#)).expect_err("refused");
        assert_eq!(err.code, Code::EvalScheduleInterval.as_str(), "{bad}");
    }
    let d = decide("days: day", text, r#"{"days": "2 weeks"}"#).expect("decides");
    assert_eq!(steps(&d)[1], "day 15 on: 600 mg once daily (600 mg/day)");
}

#[test]
fn steps_past_the_calendar_are_refused_not_listed_without_dates() {
    let err = decide("start: date", PHN, r#"{"start": "9999-12-31"}"#).expect_err("past 9999");
    assert_eq!(err.code, Code::ValueDateOutOfRange.as_str());
}

const CHOOSE: &str = "r: always => choose { every_12h: give 1 mg/kg * weight every 12 h ; \
                      once_daily: give 1.5 mg/kg * weight once daily }";
const ENOX: &str = "limit dose <= 150 mg hard\n limit daily <= 300 mg/day hard";

fn choose(weight: &str) -> Decision {
    let text = protocol("weight: kg", ENOX, CHOOSE);
    try_decide_text(&text, &format!(r#"{{"weight": "{weight}"}}"#))
        .1
        .expect("decides")
}

/// Each alternative as `name: dose (allowed|refused)`.
fn alternatives(d: &Decision) -> Vec<String> {
    d.alternatives
        .iter()
        .map(|a| {
            let verdict = if a.allowed { "offered" } else { "refused" };
            let freq = a.dose.frequency.as_ref().map_or("", |f| f.text.as_str());
            let amount = match &a.dose.amount {
                Amount::One(q) => q.to_string(),
                Amount::Range(lo, hi) => format!("{lo} to {hi}"),
            };
            format!("{}: {amount} {freq} {verdict}", a.name)
        })
        .collect()
}

#[test]
fn alternatives_are_each_held_by_the_gate_and_shown_side_by_side() {
    let d = choose("70 kg");
    assert_eq!(d.status, Status::Give);
    assert!(d.doses.is_empty());
    assert_eq!(
        alternatives(&d),
        [
            "every_12h: 70 mg every 12 h offered",
            "once_daily: 105 mg once daily offered"
        ]
    );
    assert!(d.fired.iter().any(|f| f == "r.every_12h"));
    assert!(d.fired.iter().any(|f| f == "r.once_daily"));
    let d = choose("120 kg");
    assert_eq!(d.status, Status::Give);
    assert_eq!(
        alternatives(&d),
        [
            "every_12h: 120 mg every 12 h offered",
            "once_daily: 180 mg once daily refused"
        ]
    );
    let refused = &d.alternatives[1];
    assert_eq!(refused.refusals.len(), 1);
    assert_eq!(refused.refusals[0].rule, "dose <= 150 mg");
    assert!(
        !d.fired.iter().any(|f| f == "r.once_daily"),
        "{:?}",
        d.fired
    );
    // At the limit exactly (150 mg every 12 h is 300 mg/day), it is offered.
    assert_eq!(
        alternatives(&choose("150 kg"))[0],
        "every_12h: 150 mg every 12 h offered"
    );
}

#[test]
fn when_every_alternative_is_refused_the_decision_is_refused_naming_each() {
    let d = choose("160 kg");
    assert_eq!(d.status, Status::Refused);
    assert!(d.alternatives.is_empty() && d.doses.is_empty());
    let texts: Vec<&str> = d.reasons.iter().map(|r| r.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("the alternative every_12h:")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("the alternative once_daily:")),
        "{texts:?}"
    );
}

#[test]
fn an_alternatives_total_counts_the_doses_given_with_it() {
    let text = protocol(
        "weight: kg",
        ENOX,
        &format!("b: always => give 40 mg once daily\n {CHOOSE}"),
    );
    let d = try_decide_text(&text, r#"{"weight": "100 kg"}"#)
        .1
        .expect("decides");
    // 100 mg every 12 h with 40 mg: 240 mg/day; 150 mg once daily with 40 mg: 190 mg/day.
    assert_eq!(d.status, Status::Give);
    assert!(
        d.alternatives.iter().all(|a| a.allowed),
        "{:?}",
        alternatives(&d)
    );
    let d = try_decide_text(&text, r#"{"weight": "131 kg"}"#)
        .1
        .expect("decides");
    // 262 + 40 = 302 mg/day for every_12h; 196.5 mg for once_daily: neither.
    assert_eq!(d.status, Status::Refused);
    assert!(d
        .reasons
        .iter()
        .any(|r| r.text.contains("with the doses given alongside")));
}

const TWO: &str = "protocol t {\n version \"1\"\n source \"s\"\n inputs { p: | hd\n \
                   dose: mg optional\n supplement: mg optional }\n begin at p\n limit dose <= \
                   350 mg hard\n limit daily <= 700 mg/day hard\n phase hd {\n decide first { \
                   otherwise => give 150 mg once daily }\n proposal dose once daily { allow 100 \
                   mg..300 mg because \"maintenance\" }\n proposal supplement { allow 125 \
                   mg..400 mg because \"supplement\" }\n }\n}\n";

#[test]
fn two_proposals_in_a_phase_are_each_judged_and_held_on_their_own() {
    let d = try_decide_text(
        TWO,
        r#"{"p": "hd", "dose": "200 mg", "supplement": "380 mg"}"#,
    )
    .1
    .expect("decides");
    let verdicts: Vec<(String, bool)> = d
        .proposals
        .iter()
        .map(|p| (p.input.clone(), p.allowed))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("dose".to_string(), true),
            ("supplement".to_string(), false)
        ]
    );
    // The supplement breaks the hard limit: its own verdict, not the decision's nor the dose's.
    assert_eq!(d.status, Status::Give);
    assert_eq!(d.proposals[1].rule.as_deref(), Some("dose <= 350 mg"));
    assert_eq!(d.proposal().map(|p| p.input.as_str()), Some("dose"));
    // Only one given: only that one is judged.
    let d = try_decide_text(TWO, r#"{"p": "hd", "supplement": "200 mg"}"#)
        .1
        .expect("decides");
    assert_eq!(d.proposals.len(), 1);
    assert_eq!(d.proposals[0].input, "supplement");
    assert!(d.proposals[0].allowed);
}

mod against_an_oracle {
    //! Random doses, frequencies and limits against an oracle written apart from the gate:
    //! plain integer arithmetic on whole milligrams.

    use super::*;
    use proptest::prelude::*;

    fn limits(dose: u32, daily: u32) -> String {
        format!("limit dose <= {dose} mg hard\n limit daily <= {daily} mg/day hard")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A stepped schedule is given exactly when every step's dose and daily total are within
        /// the hard limits; otherwise it is refused and lists nothing.
        #[test]
        fn a_stepped_schedule_is_given_only_when_every_step_is_within(
            steps in proptest::collection::vec((1u32..2000, 1u32..7), 1..5),
            dose_max in 100u32..1500,
            daily_max in 500u32..5000,
        ) {
            let written: Vec<String> = steps
                .iter()
                .map(|(d, n)| format!("{d} mg {n} times daily for 1 day"))
                .collect();
            let decide = format!("r: always => schedule {}", written.join(", then "));
            let text = protocol("x: mg optional", &limits(dose_max, daily_max), &decide);
            let d = try_decide_text(&text, "{}").1.expect("decides");
            let within = steps.iter().all(|(d, n)| *d <= dose_max && d * n <= daily_max);
            prop_assert_eq!(d.status == Status::Give, within, "{:?}", d.reasons);
            if within {
                prop_assert_eq!(d.schedule.map(|s| s.steps.len()), Some(steps.len()));
            } else {
                prop_assert!(d.schedule.is_none() && d.doses.is_empty());
            }
        }

        /// Each alternative is offered exactly when it is within the hard limits (its total
        /// with the dose given alongside); the decision is refused exactly when none is.
        #[test]
        fn each_alternative_is_offered_only_when_within(
            a in 1u32..400,
            a_times in 1u32..5,
            b in 1u32..400,
            b_times in 1u32..5,
            alongside in 0u32..100,
            dose_max in 50u32..300,
            daily_max in 100u32..800,
        ) {
            let mut decide = format!(
                "r: always => choose {{ a: give {a} mg {a_times} times daily ; b: give {b} mg \
                 {b_times} times daily }}"
            );
            if alongside > 0 {
                decide.push_str(&format!("\n s: always => give {alongside} mg once daily"));
            }
            let text = protocol("x: mg optional", &limits(dose_max, daily_max), &decide);
            let d = try_decide_text(&text, "{}").1.expect("decides");
            let side_ok = alongside <= dose_max && alongside <= daily_max;
            let fits = |x: u32, n: u32| side_ok && x <= dose_max && x * n + alongside <= daily_max;
            let (a_ok, b_ok) = (fits(a, a_times), fits(b, b_times));
            if !side_ok || !(a_ok || b_ok) {
                prop_assert_eq!(d.status, Status::Refused);
                prop_assert!(d.alternatives.is_empty() && d.doses.is_empty());
            } else {
                prop_assert_eq!(d.status, Status::Give);
                let verdicts: Vec<bool> = d.alternatives.iter().map(|x| x.allowed).collect();
                prop_assert_eq!(verdicts, vec![a_ok, b_ok]);
                for alt in d.alternatives.iter().filter(|x| !x.allowed) {
                    prop_assert!(!alt.refusals.is_empty());
                }
            }
        }
    }
}

/// The codes `check` reports for a protocol whose one rule does `decide`.
fn check_codes(decide: &str) -> Vec<&'static str> {
    let text = protocol("x: mg optional\n w: kg optional", LIMITS, decide);
    let source = crate::diagnostics::Source::new("t.dose", text.as_str());
    let (_, diags) = crate::check::parse_and_check(&text, &source);
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn check_refuses_what_no_patient_could_follow() {
    let open = Code::ScheduleOpenStep.as_str();
    let duration = Code::ScheduleStepDuration.as_str();
    let not_positive = Code::GiveNotPositive.as_str();
    // `then stop` after a step that goes on.
    assert_eq!(
        check_codes("r: always => schedule 300 mg once daily, then stop"),
        [open]
    );
    assert_eq!(
        check_codes("r: always => schedule 300 mg once daily for 0.5 days, then 600 mg once daily"),
        [duration]
    );
    assert_eq!(
        check_codes("r: always => schedule 0 mg once daily for 1 day, then 300 mg 0 times daily"),
        [not_positive, not_positive]
    );
    // A duration from the patient is left to run time; a week is whole days.
    assert!(check_codes(
        "r: always => schedule 300 mg once daily for 1 week, then 300 mg twice daily"
    )
    .is_empty());
    assert_eq!(
        check_codes("r: always => choose { a: give 5 mg once daily ; a: give 6 mg once daily }"),
        [Code::ChooseDuplicate.as_str()]
    );
    assert_eq!(
        check_codes("r: always => choose { a: give 5 mg once daily ; b: give 0 mg once daily }"),
        [not_positive]
    );
}

#[test]
fn a_schedule_of_more_steps_than_are_listed_is_refused() {
    let steps = vec!["1 mg once daily for 1 day"; 201].join(", then ");
    let err = decide(
        "x: mg optional",
        &format!("r: always => schedule {steps}"),
        "{}",
    )
    .expect_err("too long");
    assert_eq!(err.code, Code::EvalScheduleTooLong.as_str());
    let steps = vec!["1 mg once daily for 1 day"; 200].join(", then ");
    let d = decide(
        "x: mg optional",
        &format!("r: always => schedule {steps}"),
        "{}",
    )
    .expect("200 steps are listed");
    assert_eq!(d.schedule.map(|s| s.steps.len()), Some(200));
}

#[test]
fn an_alternative_worked_out_to_zero_is_refused_by_the_gate_and_the_other_stays() {
    let text = protocol(
        "w: kg",
        ENOX,
        "r: always => choose { a: give 1 mg/kg * w every 12 h ; b: give (w - w) * 1 mg/kg once daily }",
    );
    let d = try_decide_text(&text, r#"{"w": "70 kg"}"#)
        .1
        .expect("decides");
    assert_eq!(d.status, Status::Give);
    assert_eq!(
        alternatives(&d),
        ["a: 70 mg every 12 h offered", "b: 0 mg once daily refused"]
    );
    assert!(d.alternatives[1].refusals[0].text.contains("is not a dose"));
}
