//! Judging a proposed dose: the phase's `refuse when` and `allow` rules first, then every limit.

use super::actions::{amount, daily_total, frequency, render_text};
use super::decision::*;
use super::expr::Env;
use super::limits;
use super::text::Text;
use super::TraceText;
use super::{FiredIds, Trace};
use crate::check::{Level, Name, ProposalSpec};
use crate::diagnostics::Diagnostic;
use crate::units::Quantity;
use crate::value::Value;
use std::borrow::Cow;

/// Judges the patient's proposed dose, if there is one, and records the verdict.
pub(super) fn judge(
    env: &mut Env<'_>,
    spec: &ProposalSpec,
    decision: &mut Decision,
    trace: &mut Trace,
    fired: &mut FiredIds,
) -> Result<(), Diagnostic> {
    let Some(Value::Num(value)) = env.inputs.get(spec.input).cloned() else {
        return Ok(());
    };
    let freq = spec
        .frequency
        .as_ref()
        .map(|f| frequency(env, f))
        .transpose()?;
    let is_rate = value.dim().time == -1;
    let daily = (is_rate || freq.is_some())
        .then(|| daily_total(&value, freq.as_ref()).ok())
        .flatten();
    let (verdict, mut allowed_range) = rules_verdict(env, spec, &value, trace, fired)?;
    let mut verdict = verdict.unwrap_or(Verdict {
        allowed: false,
        reason: "no rule of this phase allows a change now".to_string(),
        rule: None,
        source: None,
    });
    // The range shown as allowed never reaches past a hard ceiling.
    if let Some(range) = allowed_range.take() {
        allowed_range = Some(cap_by_hard_limits(env, range, is_rate, freq.as_ref())?);
    }
    let single = (!is_rate).then_some(&value);
    let breaches = limits::breaches(env, single, daily.as_ref(), false)?;
    for b in &breaches {
        fired.note(&b.limit.id);
        if b.limit.hard {
            if verdict.allowed {
                verdict = Verdict {
                    allowed: false,
                    reason: b.explain(),
                    rule: Some(b.limit.id.clone()),
                    source: b.limit.source.clone(),
                };
            }
            if limits::is_ceiling(b.limit) {
                allowed_range = allowed_range.map(|a| cap(a, &b.bound));
            }
        } else if verdict.allowed {
            decision.messages.push(Message {
                level: Level::Warning,
                code: Name::from_static(super::gate::SOFT_LIMIT_CODE),
                text: {
                    let mut text = Text::from("Proposed dose: ");
                    text.append(b.explain_text());
                    text
                },
                rule: Some(b.limit.id.clone()),
                source: b.limit.source.clone(),
            });
        }
    }
    super::reserve_usual(&mut decision.proposals);
    decision.proposals.push(ProposalOutcome {
        input: env.program.inputs[spec.input].name.clone(),
        value,
        daily_total: daily,
        frequency: freq,
        allowed: verdict.allowed,
        reason: verdict.reason,
        allowed_range,
        rule: verdict.rule,
        source: verdict.source,
    });
    Ok(())
}

/// What the phase's proposal rules (or a hard limit after them) say of a proposed dose.
struct Verdict {
    allowed: bool,
    reason: String,
    /// The rule or limit that decided.
    rule: Option<Name>,
    source: Option<Name>,
}

/// Runs the phase's `refuse when` and `allow` rules in order: the first that applies decides
/// (`None` when none does), and the first `allow` that applies gives the range shown as
/// allowed — unless a `refuse when` decided, which allows no change now.
// Long on purpose: the proposal rules' first-match loop, with the trace entry of each rule tried.
fn rules_verdict(
    env: &mut Env<'_>,
    spec: &ProposalSpec,
    value: &Quantity,
    trace: &mut Trace,
    fired: &mut FiredIds,
) -> Result<(Option<Verdict>, Option<Amount>), Diagnostic> {
    let mut verdict: Option<Verdict> = None;
    let mut allowed_range: Option<Amount> = None;
    let mut refused_by_rule = false;
    for rule in &spec.rules {
        let at =
            (rule.when.as_ref().or(rule.allow.as_ref())).map_or_else(Default::default, |e| e.span);
        env.charge(1, at)?;
        let decided = verdict.is_some();
        if decided && rule.allow.is_none() {
            continue;
        }
        // Once decided, later `allow` rules only supply the range shown; a value they need
        // but the patient lacks then just leaves the range out.
        let applies = match (&rule.when, decided) {
            (Some(c), false) => env.truth(c)?,
            (Some(c), true) => env.truth(c).unwrap_or(false),
            (None, _) => true,
        };
        let proposed = |trace: &mut Trace| {
            trace.pair(
                Name::from_static("proposed"),
                TraceText::quantity(value.clone()),
            );
        };
        trace.push_with(proposed, |values| TraceEntry {
            kind: "proposal",
            id: rule.id.clone(),
            fired: applies,
            source: rule.source.clone(),
            values,
            detail: Some(Cow::Borrowed(if rule.allow.is_some() {
                "allow"
            } else {
                "refuse when"
            })),
        });
        if !applies {
            continue;
        }
        let Some(range) = &rule.allow else {
            if verdict.is_none() {
                fired.push(rule.id.clone());
                refused_by_rule = true;
                verdict = Some(Verdict {
                    allowed: false,
                    reason: render_text(env, &rule.because, at)?,
                    rule: Some(rule.id.clone()),
                    source: rule.source.clone(),
                });
            }
            continue;
        };
        let a = match (amount(env, range), decided) {
            (Ok(a), _) => a,
            (Err(_), true) => break,
            (Err(e), false) => return Err(e),
        };
        if verdict.is_none() {
            fired.push(rule.id.clone());
            let inside = within(value, &a);
            let because = render_text(env, &rule.because, at)?;
            let reason = if inside {
                because
            } else {
                format!("{value} is outside the allowed {}: {because}", Shown(&a))
            };
            verdict = Some(Verdict {
                allowed: inside,
                reason,
                rule: Some(rule.id.clone()),
                source: rule.source.clone(),
            });
        }
        allowed_range = Some(a);
        break;
    }
    // A `refuse when` verdict allows no change now: showing an allow rule's range would mislead.
    if refused_by_rule {
        allowed_range = None;
    }
    Ok((verdict, allowed_range))
}

/// A proposal in a phase with no proposal rules is refused, saying so.
pub(super) fn no_rules_here(env: &mut Env<'_>, slot: usize, decision: &mut Decision) {
    let Some(Value::Num(value)) = env.inputs.get(slot).cloned() else {
        return;
    };
    let input = env.program.inputs[slot].name.clone();
    decision.proposals.push(ProposalOutcome {
        input,
        value,
        daily_total: None,
        frequency: None,
        allowed: false,
        reason: format!(
            "the {} phase takes no proposed doses: follow the decision",
            decision.phase
        ),
        allowed_range: None,
        rule: None,
        source: None,
    });
}

fn within(q: &Quantity, a: &Amount) -> bool {
    let above_low = q.compare(a.low()).is_ok_and(|o| o.is_ge());
    let below_high = q.compare(a.high()).is_ok_and(|o| o.is_le());
    above_low && below_high
}

/// Lowers a range's high end to every hard ceiling it breaks: a dose ceiling directly, a daily
/// ceiling divided by the most doses in a day (`N times daily`, `every T`).
fn cap_by_hard_limits(
    env: &mut Env<'_>,
    range: Amount,
    is_rate: bool,
    freq: Option<&FrequencyOut>,
) -> Result<Amount, Diagnostic> {
    let high = range.high().clone();
    let daily_high = (is_rate || freq.is_some())
        .then(|| daily_total(&high, freq).ok())
        .flatten();
    let single = (!is_rate).then_some(&high);
    let mut range = range;
    for b in limits::breaches(env, single, daily_high.as_ref(), false)? {
        if !b.limit.hard || !limits::is_ceiling(b.limit) {
            continue;
        }
        if b.bound.dim() == high.dim() {
            range = cap(range, &b.bound);
        } else if let Some((_, most)) = freq.and_then(super::gate::doses_in_a_day) {
            // The most a dose can be is the daily ceiling over the most doses that fall in a
            // day, as the gate counts them: `3 times daily` or `every 8 h`, 3; `every 5 h`, 5
            // (2000 mg/day: 400 mg). A range left wide was refused whole for `every T`,
            // although most of it is within the limit.
            let day = Quantity::new(1.into(), super::actions::one_day());
            if let Ok(per_dose) = b.bound.mul(&day).and_then(|x| x.div(&most)) {
                range = cap(range, &per_dose);
            }
        }
    }
    Ok(range)
}

/// The range with its high end lowered to `bound` when above it, the bound put in the range's
/// unit (a rate under a daily limit: "1 mg/h to 83.3333 mg/h", never "1 mg/h to 2000 mg/day",
/// which reads as 2000 mg/h) by [`ceiling_in`].
fn cap(a: Amount, bound: &Quantity) -> Amount {
    let Some(bound) = ceiling_in(bound, &a.high().unit) else {
        return a;
    };
    if a.high().compare(&bound).is_ok_and(|o| o.is_le()) {
        return a;
    }
    Amount::Range(a.low().clone(), bound)
}

/// A ceiling as a range capped at it shows it, in `unit`: the bound converted exactly and
/// [`shown_exactly`], or `None` for a bound of another kind. One rule for a dose's range and a
/// proposal's allowed range.
pub(super) fn ceiling_in(bound: &Quantity, unit: &crate::units::Unit) -> Option<Quantity> {
    bound.convert_exactly_to(unit).ok().map(shown_exactly)
}

/// An allowed amount as a reason shows it (`range 400 mcg/day to 600 mcg/day`), written
/// straight into the reason (no text of its own to copy).
struct Shown<'a>(&'a Amount);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Amount::One(q) => write!(f, "{q}"),
            Amount::Range(lo, hi) => write!(f, "range {lo} to {hi}"),
        }
    }
}

/// A ceiling that has no finite decimal (80 mg/day over 3 doses is 80/3 mg; 2000 mg/day as a
/// rate is 250/3 mg/h) rounded down to 0.0001 of its unit, so that the range shown is exact
/// and never above the ceiling (`~26.6667 mg`, given as shown, would be).
fn shown_exactly(q: Quantity) -> Quantity {
    if !q.is_approximate() {
        return q;
    }
    let step = crate::units::Rational::new(1, 10_000).map(|v| Quantity::new(v, q.unit.clone()));
    step.and_then(|s| q.round_to_step(&s, crate::units::RoundMode::Down).ok())
        .unwrap_or(q)
}
