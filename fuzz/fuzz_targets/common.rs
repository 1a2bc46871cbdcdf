//! What every fuzz target checks about the diagnostics it gets back, and the bundled protocols.

#![allow(dead_code)]

use std::cmp::Ordering;
use std::sync::OnceLock;

use posology::check::{LimitTarget, Program};
use posology::diagnostics::{render, Diagnostic, RenderStyle};
use posology::eval::{Amount, Decision, Env};
use posology::ops::CmpOp;
use posology::units::Quantity;
use posology::value::Value;

/// The bundled protocols, as text.
pub const PROTOCOLS: [(&str, &str); 2] = [
    (
        "baclofen_oral.dose",
        include_str!("../../protocols/baclofen_oral.dose"),
    ),
    (
        "baclofen_intrathecal.dose",
        include_str!("../../protocols/baclofen_intrathecal.dose"),
    ),
];

/// The bundled protocols, loaded once.
pub fn protocols() -> &'static [posology::Protocol] {
    static PROTOCOLS_LOADED: OnceLock<Vec<posology::Protocol>> = OnceLock::new();
    PROTOCOLS_LOADED.get_or_init(|| {
        PROTOCOLS
            .iter()
            .map(|(name, text)| {
                posology::Protocol::load(*name, text)
                    .unwrap_or_else(|diags| panic!("{name} does not check: {diags:?}"))
            })
            .collect()
    })
}

/// Every error must carry a `posology::` code, help, and a label inside the text it points into
/// (`fallback` when the diagnostic carries no source), and must render without panicking.
pub fn check_diagnostics(diags: &[Diagnostic], fallback: &str) {
    for d in diags {
        check_diagnostic(d, fallback);
    }
}

/// Like [`check_diagnostics`], but renders only the first diagnostic: rendering (miette, text
/// wrapping) costs more than reading, and the other diagnostics' spans are still checked.
pub fn check_diagnostics_render_first(diags: &[Diagnostic], fallback: &str) {
    for (i, d) in diags.iter().enumerate() {
        check_structure(d, fallback);
        if i == 0 {
            check_render(d);
        }
    }
}

/// See [`check_diagnostics`].
pub fn check_diagnostic(d: &Diagnostic, fallback: &str) {
    check_structure(d, fallback);
    check_render(d);
}

/// The diagnostic renders, with its code.
pub fn check_render(d: &Diagnostic) {
    let shown = render(d, RenderStyle::Plain);
    assert!(
        shown.contains(d.code),
        "the rendering lost the code: {shown}"
    );
}

/// The diagnostic's code, labels and help, without rendering it.
pub fn check_structure(d: &Diagnostic, fallback: &str) {
    assert!(
        d.code.starts_with("posology::"),
        "a diagnostic without a posology code: {d:?}"
    );
    if !d.is_error() {
        return;
    }
    let len = d.source.as_ref().map_or(fallback.len(), |s| s.text.len());
    assert!(!d.labels.is_empty(), "an error without a label: {d:?}");
    for label in &d.labels {
        assert!(
            label.span.start <= label.span.end && label.span.end <= len,
            "a label outside its text ({len} bytes): {d:?}"
        );
    }
    assert!(
        d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
        "an error without help: {d:?}"
    );
}

/// The safety invariants of a decision: no dose, no step of a rising schedule and no allowed
/// proposal breaks a hard limit that applies; a taper only goes down; a range is low to high.
pub fn check_decision(program: &Program, inputs: &[Value], decision: &Decision) {
    use posology::eval::Status;
    let mut env = Env::new(program, inputs);
    for dose in &decision.doses {
        let rate = is_rate(dose.amount.high());
        assert!(
            dose.frequency.is_none() && !rate || dose.daily_total.is_some(),
            "a dose with a frequency or a rate but no daily total: {dose:?}"
        );
        if let Amount::Range(lo, hi) = &dose.amount {
            assert_ne!(
                lo.compare(hi).ok(),
                Some(Ordering::Greater),
                "a range from high to low: {dose:?}"
            );
        }
        let bolus = dose.form.as_deref() == Some("bolus");
        for q in [dose.amount.low(), dose.amount.high()] {
            let single = (!is_rate(q)).then_some(q);
            let daily = match &dose.daily_total {
                Some(d) if std::ptr::eq(q, dose.amount.low()) => Some(d.low()),
                Some(d) => Some(d.high()),
                None => rate.then_some(q),
            };
            if let Some(limit) = broken_hard_limit(&mut env, program, single, daily, bolus) {
                panic!("a dose breaks the hard limit `{limit}`: {dose:?}\n{decision:?}");
            }
        }
    }
    if let Some(schedule) = &decision.schedule {
        let doses: Vec<&Quantity> = schedule
            .steps
            .iter()
            .filter_map(|s| s.dose.as_ref())
            .collect();
        if schedule.direction == "decrease" {
            for pair in doses.windows(2) {
                assert_eq!(
                    pair[1].compare(pair[0]).ok(),
                    Some(Ordering::Less),
                    "a taper step that is not lower than the last: {schedule:?}"
                );
            }
        } else if schedule.direction == "increase" {
            // A schedule written step by step (`steps`) may go either way.
            for pair in doses.windows(2) {
                assert_eq!(
                    pair[1].compare(pair[0]).ok(),
                    Some(Ordering::Greater),
                    "a titration step that is not higher than the last: {schedule:?}"
                );
            }
            for step in &schedule.steps {
                let Some(dose) = &step.dose else { continue };
                let daily = step.daily_total.as_ref();
                if let Some(limit) = broken_hard_limit(&mut env, program, Some(dose), daily, false)
                {
                    panic!("a schedule step breaks the hard limit `{limit}`: {schedule:?}");
                }
            }
        }
    }
    for alt in decision.alternatives.iter().filter(|a| a.allowed) {
        let dose = &alt.dose;
        let bolus = dose.form.as_deref() == Some("bolus");
        for q in [dose.amount.low(), dose.amount.high()] {
            let single = (!is_rate(q)).then_some(q);
            let daily = match &dose.daily_total {
                Some(d) if std::ptr::eq(q, dose.amount.low()) => Some(d.low()),
                Some(d) => Some(d.high()),
                None => is_rate(q).then_some(q),
            };
            if let Some(limit) = broken_hard_limit(&mut env, program, single, daily, bolus) {
                panic!("an offered alternative breaks the hard limit `{limit}`: {alt:?}");
            }
        }
    }
    for p in &decision.proposals {
        if p.allowed {
            let rate = is_rate(&p.value);
            let single = (!rate).then_some(&p.value);
            let daily = p.daily_total.as_ref().or(rate.then_some(&p.value));
            if let Some(limit) = broken_hard_limit(&mut env, program, single, daily, false) {
                panic!("an allowed proposal breaks the hard limit `{limit}`: {p:?}");
            }
        } else {
            assert!(
                matches!(decision.status, Status::Refused | Status::Stop),
                "a refused proposal, yet {decision:?}"
            );
        }
    }
    if decision.status == Status::Stop {
        assert!(decision.doses.is_empty() && decision.schedule.is_none());
    }
}

fn is_rate(q: &Quantity) -> bool {
    q.dim().time == -1
}

/// The first hard limit that applies here and that `single` (a single amount) or `daily` (the
/// total per day) breaks, as written in the protocol. Limits that cannot be evaluated for this
/// patient are skipped.
fn broken_hard_limit(
    env: &mut Env<'_>,
    program: &Program,
    single: Option<&Quantity>,
    daily: Option<&Quantity>,
    bolus: bool,
) -> Option<String> {
    for limit in program.limits.iter().filter(|l| l.hard) {
        let value = match limit.target {
            LimitTarget::Dose => single,
            LimitTarget::Bolus if bolus => single,
            LimitTarget::Bolus => None,
            LimitTarget::Daily => daily,
        };
        let Some(value) = value else { continue };
        if let Some(when) = &limit.when {
            if !env.truth(when).unwrap_or(false) {
                continue;
            }
        }
        let Ok(bound) = env.num(&limit.value) else {
            continue;
        };
        if bound.dim() != value.dim() {
            continue;
        }
        let Ok(order) = value.compare(&bound) else {
            continue;
        };
        let holds = match limit.op {
            CmpOp::Lt => order == Ordering::Less,
            CmpOp::Le => order != Ordering::Greater,
            CmpOp::Gt => order == Ordering::Greater,
            CmpOp::Ge => order != Ordering::Less,
        };
        if !holds {
            let text = &program.source.text;
            return Some(
                text.get(limit.span.start..limit.span.end)
                    .unwrap_or("?")
                    .to_string(),
            );
        }
    }
    None
}

/// With `POSOLOGY_FUZZ_TRACE` set, prints what became of each input (`refused`, `decision`,
/// `eval-error`) to standard error, so a corpus can be summarised:
/// `POSOLOGY_FUZZ_TRACE=1 target corpus/evaluate -runs=0 2>&1 | sort | uniq -c`.
pub fn note(outcome: &str) {
    static TRACE: OnceLock<bool> = OnceLock::new();
    if *TRACE.get_or_init(|| std::env::var_os("POSOLOGY_FUZZ_TRACE").is_some()) {
        eprintln!("outcome: {outcome}");
    }
}
