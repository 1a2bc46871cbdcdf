//! Soft limits, which only warn (the safety gate does not re-check them), at their bounds and
//! either side; bolus limits on bolus and non-bolus doses; the wording and capping of floors.

use crate::check::Level;
use crate::eval::{Decision, Status};

/// A hard maximum far above every dose here: the checker refuses a protocol whose doses no hard
/// maximum holds.
const BACKSTOP: &str = " limit dose <= 1 g hard";

/// Decides `decide` (a `decide` block's body) under `limits` for a patient given as JSON.
fn run(limits: &str, decide: &str, patient: &str) -> Decision {
    let text = format!(
        "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ x: bool optional }}\n{BACKSTOP}\n{limits}\n \
         decide {decide}\n}}\n"
    );
    crate::eval::test_support::decide_text(&text, patient).1
}

/// The texts of the soft-limit warnings of a decision.
fn soft_warnings(d: &Decision) -> Vec<String> {
    d.messages
        .iter()
        .filter(|m| m.code == "limit.soft")
        .inspect(|m| assert_eq!(m.level, Level::Warning, "{m:?}"))
        .map(|m| m.text.to_string())
        .collect()
}

/// Gives `dose` under `limits` and returns the soft warnings; the dose is given whatever they
/// say, since a soft limit never refuses.
fn warnings_for(limits: &str, dose: &str) -> Vec<String> {
    let d = run(
        limits,
        &format!("first {{ otherwise => give {dose} }}"),
        "{}",
    );
    assert_eq!(d.status, Status::Give, "{d:?}");
    assert_eq!(d.doses.len(), 1, "{d:?}");
    let amount: Vec<&str> = dose.split(' ').take(2).collect();
    assert_eq!(
        d.doses[0].amount.high().to_string(),
        amount.join(" "),
        "{d:?}"
    );
    soft_warnings(&d)
}

#[test]
fn a_soft_limit_warns_exactly_when_its_comparison_fails() {
    // (operator, dose, the warning's side or None when the dose satisfies the limit)
    let cases = [
        ("<", "9 mg", None),
        ("<", "10 mg", Some("above")),
        ("<", "11 mg", Some("above")),
        ("<=", "9 mg", None),
        ("<=", "10 mg", None),
        ("<=", "11 mg", Some("above")),
        (">", "9 mg", Some("below")),
        (">", "10 mg", Some("below")),
        (">", "11 mg", None),
        (">=", "9 mg", Some("below")),
        (">=", "10 mg", None),
        (">=", "11 mg", None),
    ];
    for (op, dose, side) in cases {
        let limits = format!(" limit dose {op} 10 mg soft because \"why\"");
        let got = warnings_for(&limits, dose);
        let want: Vec<String> = side
            .map(|side| {
                format!("the dose {dose} is {side} the soft limit of 10 mg (dose {op} 10 mg): why")
            })
            .into_iter()
            .collect();
        assert_eq!(got, want, "dose {dose} against `dose {op} 10 mg soft`");
    }
}

#[test]
fn a_soft_daily_limit_compares_the_daily_total() {
    // 20 mg 3 times daily is 60 mg/day.
    let cases = [
        ("<", "60 mg/day", Some("above")),
        ("<=", "60 mg/day", None),
        (">", "60 mg/day", Some("below")),
        (">=", "60 mg/day", None),
        ("<", "61 mg/day", None),
        (">", "59 mg/day", None),
    ];
    for (op, bound, side) in cases {
        let limits = format!(" limit daily {op} {bound} soft");
        let d = run(
            &limits,
            "first { otherwise => give 20 mg 3 times daily }",
            "{}",
        );
        assert_eq!(d.status, Status::Give, "{d:?}");
        let want: Vec<String> = side
            .map(|side| {
                format!(
                    "the daily total 60 mg/day is {side} the soft limit of {bound} (daily {op} {bound})"
                )
            })
            .into_iter()
            .collect();
        assert_eq!(
            soft_warnings(&d),
            want,
            "60 mg/day against `daily {op} {bound} soft`"
        );
    }
}

/// A soft `bolus` limit warns on a dose given as a bolus, and only on one. (A hard `bolus` limit
/// is held by the safety gate against every single administration, whatever its form word: see
/// the next test and the README's "What a hard limit guarantees".)
#[test]
fn a_soft_bolus_limit_warns_on_a_bolus_only() {
    let limits = " limit bolus <= 50 mcg soft because \"test dose\"";
    // A bolus above it warns; one at it does not.
    assert_eq!(
        warnings_for(limits, "75 mcg bolus"),
        ["the bolus 75 mcg is above the soft limit of 50 mcg (bolus <= 50 mcg): test dose"]
    );
    assert!(warnings_for(limits, "50 mcg bolus").is_empty());
    // The same amount given in another form is not a bolus: the soft limit says nothing.
    assert!(warnings_for(limits, "75 mcg").is_empty());
    assert!(warnings_for(limits, "75 mcg infusion").is_empty());
    assert!(warnings_for(limits, "75 mcg injection").is_empty());
}

#[test]
fn a_hard_bolus_limit_caps_a_bolus_range_and_the_gate_holds_every_form() {
    let limits = " limit bolus <= 50 mcg hard";
    let give = |dose: &str| {
        run(
            limits,
            &format!("first {{ otherwise => give {dose} }}"),
            "{}",
        )
    };
    // A bolus range whose low end is within the ceiling is capped at it, with a warning.
    let d = give("25 mcg..75 mcg bolus");
    assert_eq!(d.status, Status::Give, "{d:?}");
    assert_eq!(
        crate::report::text::amount(&d.doses[0].amount),
        "25 mcg to 50 mcg"
    );
    let capped: Vec<&str> = d
        .messages
        .iter()
        .filter(|m| m.code == "limit.hard")
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        capped,
        ["Range capped at 50 mcg: the bolus 75 mcg is above the hard limit of 50 mcg (bolus <= 50 mcg)"]
    );
    // A single bolus above it is refused.
    let d = give("75 mcg bolus");
    assert_eq!(d.status, Status::Refused, "{d:?}");
    assert!(d.doses.is_empty(), "{d:?}");
    // The gate holds a single administration in any form against a hard bolus limit.
    let d = give("75 mcg injection");
    assert_eq!(d.status, Status::Refused, "{d:?}");
    assert!(d.doses.is_empty(), "{d:?}");
    assert_eq!(
        d.reasons[0].text,
        "the dose 75 mcg is above the hard limit bolus <= 50 mcg"
    );
    let d = give("50 mcg injection");
    assert_eq!(d.status, Status::Give, "{d:?}");
}

#[test]
fn a_dose_limit_also_holds_a_bolus() {
    // `limit dose` is on every single dose, a bolus included; `limit bolus` on boluses alone.
    let limits = " limit dose <= 50 mcg soft\n limit bolus <= 60 mcg soft";
    assert_eq!(
        warnings_for(limits, "55 mcg bolus"),
        ["the dose 55 mcg is above the soft limit of 50 mcg (dose <= 50 mcg)"]
    );
    assert_eq!(
        warnings_for(limits, "65 mcg bolus"),
        [
            "the dose 65 mcg is above the soft limit of 50 mcg (dose <= 50 mcg)",
            "the bolus 65 mcg is above the soft limit of 60 mcg (bolus <= 60 mcg)"
        ]
    );
    assert_eq!(
        warnings_for(limits, "65 mcg"),
        ["the dose 65 mcg is above the soft limit of 50 mcg (dose <= 50 mcg)"]
    );
}

/// Runs a protocol whose phase decides 10 mg and judges a proposal `p` under `allow {allow}`.
fn propose(limits: &str, allow: &str, p: &str) -> crate::eval::ProposalOutcome {
    let text = format!(
        "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ p: mg optional }}\n{BACKSTOP}\n{limits}\n \
         phase a {{ decide first {{ otherwise => give 10 mg }}\n \
         proposal p {{ allow {allow} because \"r\" }} }}\n}}\n"
    );
    let patient = format!("{{\"p\": \"{p}\"}}");
    let d = crate::eval::test_support::decide_text(&text, &patient).1;
    d.proposals.into_iter().next().expect("judged")
}

#[test]
fn a_hard_floor_does_not_lower_the_range_shown_for_a_proposal_below_it() {
    let limits = " limit dose >= 8 mg hard";
    // Allowed from 8 to 30 mg: 6 mg is below the rule's range and the hard floor.
    let p = propose(limits, "8 mg..30 mg", "6 mg");
    assert!(!p.allowed, "{p:?}");
    assert_eq!(
        p.reason,
        "6 mg is outside the allowed range 8 mg to 30 mg: r"
    );
    // A floor is no ceiling: the range shown keeps its high end.
    let range = p.allowed_range.expect("a range");
    assert_eq!(crate::report::text::amount(&range), "8 mg to 30 mg");
    assert!(propose(limits, "8 mg..30 mg", "8 mg").allowed);
}

#[test]
fn a_hard_ceiling_refuses_a_proposal_above_it_and_lowers_the_range() {
    let limits = " limit dose <= 20 mg hard";
    let p = propose(limits, "5 mg..30 mg", "25 mg");
    assert!(!p.allowed, "{p:?}");
    assert_eq!(
        p.reason,
        "the dose 25 mg is above the hard limit of 20 mg (dose <= 20 mg)"
    );
    let range = p.allowed_range.expect("a range");
    assert_eq!(crate::report::text::amount(&range), "5 mg to 20 mg");
    assert!(propose(limits, "5 mg..30 mg", "20 mg").allowed);
}

#[test]
fn a_soft_limit_warns_on_an_allowed_proposal() {
    let p_text = |d: &Decision| soft_warnings(d);
    let text = " limit dose > 6 mg soft";
    let run_p = |p: &str| {
        let protocol = format!(
            "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ p: mg optional }}\n{BACKSTOP}\n{text}\n \
             phase a {{ decide first {{ otherwise => give 10 mg }}\n \
             proposal p {{ allow 5 mg..30 mg because \"r\" }} }}\n}}\n"
        );
        crate::eval::test_support::decide_text(&protocol, &format!("{{\"p\": \"{p}\"}}")).1
    };
    let d = run_p("6 mg");
    assert!(d.proposal().expect("judged").allowed, "{d:?}");
    assert_eq!(
        p_text(&d),
        ["Proposed dose: the dose 6 mg is below the soft limit of 6 mg (dose > 6 mg)"]
    );
    let d = run_p("7 mg");
    assert!(d.proposal().expect("judged").allowed, "{d:?}");
    assert!(p_text(&d).is_empty(), "{d:?}");
}

/// The work steps [`super::breaches`] charges for holding `value` (a single dose) against the
/// one limit `dose <= 20 mg hard`, with the number of limits it breaks.
fn steps_to_hold(value: &str) -> (u64, usize) {
    use crate::eval::{Budget, Env};
    use crate::input::Format;

    let text = "protocol t {\n version \"1\"\n source \"s\"\n inputs { x: bool optional }\n \
                limit dose <= 20 mg hard\n decide first { otherwise => give 10 mg }\n}\n";
    let protocol = crate::Protocol::load("t.dose", text).expect("checks");
    let patient = protocol
        .read_patient("p", "{}", Format::Json, &[])
        .expect("valid");
    let (program, values) = (protocol.program(), patient.values());
    let budget = Budget::new(1_000_000);
    let mut env = Env::with_budget(program, values, budget.clone());
    let value = crate::units::Quantity::parse(value).expect("a quantity");
    let breaches = super::breaches(&mut env, Some(&value), None, false).expect("within budget");
    (1_000_000 - budget.left(), breaches.len())
}

/// Comparing a dose with a bound costs the steps of both numbers (one each when small,
/// [`BIG_NUMBER_STEPS`](crate::eval::BIG_NUMBER_STEPS) when not), on top of what finding the
/// bound costs: a limit on another kind of dose (mL against mg) is not compared.
#[test]
fn holding_a_dose_charges_the_steps_of_both_numbers() {
    let (other_kind, none) = steps_to_hold("10 mL");
    assert_eq!(none, 0);
    let (small, within) = steps_to_hold("10 mg");
    assert_eq!(within, 0);
    assert_eq!(small - other_kind, 2);
    let (_, above) = steps_to_hold("30 mg");
    assert_eq!(above, 1);
    // 10¹⁹ mg is past an i64: a big number.
    let (big, above) = steps_to_hold("10000000000000000000 mg");
    assert_eq!(above, 1);
    assert_eq!(big - other_kind, crate::eval::BIG_NUMBER_STEPS + 1);
}
