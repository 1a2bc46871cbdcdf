//! Doses that every patient reaching their rule would have refused by a hard limit, and
//! limits that no patient can reach, found before anything runs.
//!
//! For each dose a rule gives (a `give`, each step of a schedule written step by step, each
//! alternative of a `choose`), the values it can take are worked out by interval arithmetic
//! ([`super::bounds`]) over the patients that can reach the rule (its condition's region,
//! narrowed by the rules above it in a `first` block; an over-approximation where a condition
//! cannot be read, which keeps every claim sound). A claim is made only when even the dose's
//! best case breaks a hard limit that applies to every one of those patients: one without
//! `when`, or whose `when` the regions prove true for all of them (every input it reads is
//! there, so the safety gate's fail-closed reading cannot differ). Whatever cannot be read
//! makes no claim.
//!
//! What the gate does is followed exactly: a range is judged by its low end (the evaluator
//! caps a range's high end at a ceiling its low end is within, so only a low end past it is
//! refused); a total per day counts whole doses on the day they fall (`units::daily`, shared
//! with the gate), and only daily *maxima* are judged (a daily minimum bounds the total of
//! every dose of a decision, which other rules may add to).

use super::bounds::{Bounds, Evaluator};
use super::region::Region;
use super::{Known, Verifier, Witness};
use crate::check::{
    ActionSpec, CExpr, CExprKind, FrequencySpec, InputSpec, LimitSpec, LimitTarget, Program,
    RuleSpec,
};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::ops::{BinaryOp, CmpOp};
use crate::units::daily::{doses_in_a_day, is_rate, per_day};
use crate::units::Quantity;

/// The most boxes of patients a dose is judged over (each box is worked out on its own).
const MAX_CUBES: usize = 64;

/// One dose a rule gives, as the gate holds it.
struct Given<'a> {
    /// The amount; for a range, its low end.
    amount: &'a CExpr,
    /// The amount is a range (judged by its low end).
    ranged: bool,
    /// How often.
    frequency: Option<&'a FrequencySpec>,
    /// Where the dose is written.
    span: Span,
    /// What it is, for the message: "the dose", "step 2 of the schedule", "the alternative `x`".
    what: std::borrow::Cow<'static, str>,
    /// It is one alternative of a `choose`: the gate refuses only it and still offers the
    /// others, so the help must not say that nothing is given.
    alternative: bool,
}

/// True for a range `a..b`.
fn is_range(e: &CExpr) -> bool {
    matches!(e.kind, CExprKind::Binary(BinaryOp::Range, ..))
}

/// The low end of a range as written, or the amount itself.
fn low_end(e: &CExpr) -> &CExpr {
    match &e.kind {
        CExprKind::Binary(BinaryOp::Range, lo, _) => lo,
        _ => e,
    }
}

/// The doses a rule gives. A titration (`schedule from … increase by …`) is left out: its steps
/// are worked out at run time.
fn doses_of(rule: &RuleSpec) -> smallvec::SmallVec<[Given<'_>; 1]> {
    // Most rules give one dose: kept in place, not on the heap.
    let mut out = smallvec::SmallVec::new();
    for action in &rule.actions {
        match &action.action {
            ActionSpec::Give(g) => out.push(Given {
                amount: low_end(&g.amount),
                ranged: is_range(&g.amount),
                frequency: g.frequency.as_ref(),
                span: g.amount.span,
                what: "the dose".into(), // borrowed: no heap block for most doses
                alternative: false,
            }),
            ActionSpec::Stepped(s) => {
                for (n, st) in s.steps.iter().enumerate() {
                    out.push(Given {
                        amount: low_end(&st.amount),
                        ranged: is_range(&st.amount),
                        frequency: st.frequency.as_ref(),
                        span: st.span,
                        what: format!("step {} of the schedule", n + 1).into(),
                        alternative: false,
                    });
                }
            }
            ActionSpec::Choose(alts) => {
                for alt in alts {
                    out.push(Given {
                        amount: low_end(&alt.give.amount),
                        ranged: is_range(&alt.give.amount),
                        frequency: alt.give.frequency.as_ref(),
                        span: alt.give.amount.span,
                        what: format!("the alternative `{}`", alt.name).into(),
                        alternative: true,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// What a limit makes of a dose for every patient of a box: the dose's best case, when even
/// that breaks the limit.
fn refused_in(ev: &Evaluator<'_, '_>, g: &Given<'_>, limit: &LimitSpec) -> Option<Quantity> {
    let dose = ev.bounds(g.amount)?;
    let bound = ev.bounds(&limit.value)?;
    let ceiling = matches!(limit.op, CmpOp::Lt | CmpOp::Le);
    let breaks = |value: &Quantity, bound: &Quantity| -> Option<bool> {
        let o = value.compare(bound).ok()?;
        Some(match limit.op {
            CmpOp::Le => o.is_gt(),
            CmpOp::Lt => o.is_ge(),
            CmpOp::Ge => o.is_lt(),
            CmpOp::Gt => o.is_le(),
        })
    };
    let exposure = match limit.target {
        LimitTarget::Dose | LimitTarget::Bolus => {
            if is_rate(&Quantity::new(0.into(), dose.unit.clone())) {
                return None; // a rate is never one administration
            }
            if ceiling {
                dose.low()?
            } else {
                dose.high()?
            }
        }
        LimitTarget::Daily if ceiling => least_daily(ev, &dose, g.frequency)?,
        LimitTarget::Daily => return None,
    };
    let bound = if ceiling { bound.high()? } else { bound.low()? };
    if exposure.dim() != bound.dim() {
        return None;
    }
    breaks(&exposure, &bound)?.then_some(exposure)
}

/// The least that the gate's most per day can be for a patient of the box: the dose's least
/// at the fewest doses a day the frequency allows (whole doses on the day they fall).
fn least_daily(
    ev: &Evaluator<'_, '_>,
    dose: &Bounds,
    f: Option<&FrequencySpec>,
) -> Option<Quantity> {
    let least = dose.low().filter(Quantity::is_positive)?;
    let doses = match f {
        None => None,
        Some(FrequencySpec::TimesDaily(n)) => {
            let n = ev.bounds(n)?.low().filter(Quantity::is_positive)?;
            Some(doses_in_a_day(Some(&n), None)?)
        }
        Some(FrequencySpec::Every(t)) => {
            let t = ev.bounds(t)?.high().filter(Quantity::is_positive)?;
            Some(doses_in_a_day(None, Some(&t))?)
        }
    };
    per_day(&least, doses).map(|(_, most)| most)
}

/// The inputs an expression reads (following each `let` once), or `None` past what a
/// readable condition holds.
fn inputs_read(program: &Program, e: &CExpr, out: &mut Vec<usize>, depth: usize) -> Option<()> {
    let mut seen = std::collections::HashSet::new();
    inputs_read_at(program, e, out, &mut seen, depth)
}

fn inputs_read_at(
    program: &Program,
    e: &CExpr,
    out: &mut Vec<usize>,
    seen: &mut std::collections::HashSet<usize>,
    depth: usize,
) -> Option<()> {
    if depth > 64 {
        return None;
    }
    match &e.kind {
        CExprKind::Const(_) => {}
        CExprKind::Input(slot) => out.push(*slot),
        CExprKind::Let(slot) => {
            if seen.insert(*slot) {
                inputs_read_at(
                    program,
                    &program.lets.get(*slot)?.expr,
                    out,
                    seen,
                    depth + 1,
                )?;
            }
        }
        CExprKind::Unary(_, a) | CExprKind::Is(a, _) => {
            inputs_read_at(program, a, out, seen, depth + 1)?;
        }
        CExprKind::Binary(_, a, b) => {
            inputs_read_at(program, a, out, seen, depth + 1)?;
            inputs_read_at(program, b, out, seen, depth + 1)?;
        }
        CExprKind::List(items) => {
            for i in items {
                inputs_read_at(program, i, out, seen, depth + 1)?;
            }
        }
        _ => return None,
    }
    Some(())
}

/// True when an input may be left out of a patient file (and has no default).
fn may_be_missing(spec: &InputSpec) -> bool {
    spec.optional && spec.default.is_none()
}

impl<'p> Verifier<'p, '_> {
    /// The hard limits, each with where its `when` is false (`None`: no `when`), or left out
    /// when its `when` cannot be read or reads an input a patient may leave out (the gate
    /// applies a limit it cannot decide, and a region cannot say which it is).
    pub(super) fn hard_limits(&mut self) -> Vec<(&'p LimitSpec, Option<Region>, Vec<usize>)> {
        let program = self.program;
        let mut out = Vec::new();
        for limit in program.limits.iter().filter(|l| l.hard) {
            let Some(when) = &limit.when else {
                out.push((limit, None, Vec::new()));
                continue;
            };
            let mut slots = Vec::new();
            if inputs_read(program, when, &mut slots, 0).is_none() {
                continue;
            }
            if let Ok(truth) = self.reader.read(when) {
                out.push((limit, Some(truth.f), slots));
            }
        }
        out
    }

    /// True when a limit applies to every patient of `reach` for certain: it has no `when`, or
    /// the region proves its `when` true for all of them, with every input it reads given.
    fn applies_to_all(&self, off: Option<&Region>, slots: &[usize], reach: &Region) -> bool {
        let Some(off) = off else {
            return true;
        };
        let given = slots.iter().all(|slot| {
            reach.iter().all(|cube| match cube.get(slot) {
                Some(set) => !set.missing,
                None => self
                    .program
                    .inputs
                    .get(*slot)
                    .is_some_and(|s| !may_be_missing(s)),
            })
        });
        given
            && self
                .space()
                .and(reach, off)
                .is_ok_and(|none| none.is_empty())
    }

    /// Judges the doses of rule `i` over the patients that reach it (`exact`: exactly those,
    /// so a witness can be written).
    pub(super) fn judge_doses(
        &mut self,
        limits: &[(&LimitSpec, Option<Region>, Vec<usize>)],
        i: usize,
        reach: &Region,
        known: &Known,
    ) {
        let Some(rule) = self.block.rules.get(i) else {
            return;
        };
        if reach.is_empty() || reach.len() > MAX_CUBES {
            return;
        }
        let doses = doses_of(rule);
        if doses.is_empty() {
            return;
        }
        let program = self.program;
        let hard: Vec<&LimitSpec> = limits
            .iter()
            .filter(|(_, off, slots)| self.applies_to_all(off.as_ref(), slots, reach))
            .map(|(l, _, _)| *l)
            .collect();
        let space = self.space();
        let evaluators: Vec<Evaluator<'_, '_>> = reach
            .iter()
            .map(|cube| Evaluator::new(program, cube, space))
            .collect();
        let mut found = Vec::new();
        for (k, g) in doses.iter().enumerate() {
            for limit in &hard {
                let mut best: Option<Quantity> = None;
                let all = evaluators.iter().all(|ev| match refused_in(ev, g, limit) {
                    Some(q) => {
                        best = Some(match best.take() {
                            None => q,
                            Some(b) => pick_best(b, q, limit),
                        });
                        true
                    }
                    None => false,
                });
                if let (true, Some(best)) = (all, best) {
                    found.push((k, *limit, best));
                    break;
                }
            }
        }
        drop(evaluators);
        for (k, limit, best) in found {
            self.always_refused(i, &doses[k], limit, &best, reach, known);
        }
    }

    fn always_refused(
        &mut self,
        i: usize,
        g: &Given<'_>,
        limit: &LimitSpec,
        best: &Quantity,
        reach: &Region,
        known: &Known,
    ) {
        let name = self.rule_name(i);
        let (amount, label, side) = self.wording(g, limit, best, reach);
        let shown = format!(
            "{} {} {}",
            limit.target.word(),
            limit.op.symbol(),
            self.reader.text(limit.value.span)
        );
        let witness = match known {
            Known::All => self.witness_cube(reach).map(|(_, p)| p),
            // The space's domains are only ever added to, so the box is the one the
            // sample would have made when it was taken.
            Known::Point(point) => super::witness::patient(self.program, &point.cube(self.space())),
            Known::Nothing => None,
        };
        let such = witness
            .as_ref()
            .map(|p| format!(" (a patient such as {})", super::patient_text(p)))
            .unwrap_or_default();
        let d = Diagnostic::warning(
            Code::VerifyAlwaysRefused,
            format!(
                "{} of `{name}` can never be given: {amount} for every patient the rule reaches, {side} the hard limit `{shown}`, which refuses all of them",
                g.what
            ),
        )
        .with_label(g.span, label)
        .with_label(limit.span, "refuses all of them")
        .with_help(if g.alternative {
            format!(
                "the safety gate never offers this alternative to a patient this rule reaches{such}, while the other alternatives stay offered: correct its dose, unit or frequency, or remove it from the `choose`"
            )
        } else {
            format!(
                "the safety gate gives nothing to a patient this rule reaches{such}: correct the dose, its unit or frequency, or the rule's condition; if no dose is meant for these patients, say so with `refuse \"…\"`"
            )
        });
        self.out.diags.push(d);
        if let Some(patient) = witness {
            self.out.witnesses.push(Witness {
                code: Code::VerifyAlwaysRefused.as_str(),
                about: format!("{} of `{name}` is refused by `{}`", g.what, limit.id),
                patient,
            });
        }
    }

    /// What the dose is (`it is at least 1000 mg`), the label on it, and the side of the
    /// limit it is on. A dose and frequency written as constants are what they are, not "at
    /// least"; one worked out from the patient's data is shown in the limit's unit.
    fn wording(
        &self,
        g: &Given<'_>,
        limit: &LimitSpec,
        best: &Quantity,
        reach: &Region,
    ) -> (String, String, &'static str) {
        let ceiling = matches!(limit.op, CmpOp::Lt | CmpOp::Le);
        let constant = |e: &CExpr| super::super::constant_doses::same_constant(self.program, e, e);
        // A single dose does not depend on its frequency; a total per day does.
        let fixed = constant(g.amount)
            && (limit.target != LimitTarget::Daily
                || match g.frequency {
                    None => true,
                    Some(FrequencySpec::TimesDaily(e) | FrequencySpec::Every(e)) => constant(e),
                });
        let least = match (fixed, ceiling) {
            (true, _) => "",
            (false, true) => "at least ",
            (false, false) => "at most ",
        };
        // A strict limit refuses its bound too (`dose < 1000 mg` refuses 1000 mg).
        let side = match limit.op {
            CmpOp::Lt => "at or above",
            CmpOp::Le => "above",
            CmpOp::Gt => "at or below",
            _ => "below",
        };
        // Shown in the limit's unit when worked out from the patient's data, and always for a
        // total per day (a rate's total per day is not the rate: 100 mcg/min is 144 mg/day).
        let best = match (fixed && limit.target != LimitTarget::Daily, reach.first()) {
            (false, Some(cube)) => Evaluator::new(self.program, cube, self.space())
                .bounds(&limit.value)
                .and_then(|b| best.convert_to(&b.unit).ok())
                .unwrap_or_else(|| best.clone()),
            _ => best.clone(),
        };
        // A range is judged by its low end, as the gate judges it (the gate may lower its
        // high end to a ceiling, never its low end).
        let ranged = g.ranged;
        let low = if ranged {
            " at the range's low end"
        } else {
            ""
        };
        if limit.target == LimitTarget::Daily {
            (
                format!("its total per day{low} is {least}{best}"),
                format!("{least}{best} in total{low} for every patient that reaches it"),
                side,
            )
        } else {
            (
                format!(
                    "{} {least}{best}",
                    if ranged { "its low end is" } else { "it is" }
                ),
                format!("{least}{best}{low} for every patient that reaches it"),
                side,
            )
        }
    }
}

/// Of two boxes' best cases, the one that comes nearest the limit (the least above a ceiling,
/// the most below a floor): what every patient gets at least (or at most).
fn pick_best(a: Quantity, b: Quantity, limit: &LimitSpec) -> Quantity {
    let ceiling = matches!(limit.op, CmpOp::Lt | CmpOp::Le);
    match a.compare(&b) {
        Ok(o) if o.is_gt() == ceiling => b,
        _ => a,
    }
}

/// Limits whose `when` no patient satisfies over the inputs' declared values (and the
/// requirements the verifier can read): each warned about at its `when`. A `when` that reads
/// an input a patient may leave out is not judged: the gate applies a limit it cannot decide.
/// Nor is one that reads the `begin at` input: the gate judges it for every phase a decision
/// passes through, so a `goto` makes it hold whatever the patient's own value (and whatever
/// a `require` says of that value).
pub(in crate::check) fn unreachable_limits(program: &Program) -> Vec<Diagnostic> {
    let mut reader = super::translate::Reader::new(program);
    let begin_slot = program.begin.as_ref().and_then(|b| reader.var(b));
    let mut base = super::region::Space::full();
    for r in &program.requires {
        if let Ok(t) = reader.read(&r.condition) {
            if let Ok(b) = reader.space.and(&base, &t.t) {
                base = b;
            }
        }
    }
    let mut out = Vec::new();
    for limit in &program.limits {
        let Some(when) = &limit.when else { continue };
        let mut slots = Vec::new();
        if inputs_read(program, when, &mut slots, 0).is_none()
            || slots
                .iter()
                .any(|s| program.inputs.get(*s).is_none_or(may_be_missing))
            || slots.iter().any(|s| Some(*s) == begin_slot)
        {
            continue;
        }
        let Ok(truth) = reader.read(when) else {
            continue;
        };
        if !reader
            .space
            .and(&base, &truth.t)
            .is_ok_and(|r| r.is_empty())
        {
            continue;
        }
        let text = reader.text(when.span);
        out.push(
            Diagnostic::warning(
                Code::VerifyLimitUnreachable,
                format!(
                    "the limit `{}` never applies: no patient satisfies `when {text}` over the inputs' declared values",
                    limit.id
                ),
            )
            .with_label(when.span, "no patient satisfies this")
            .with_help("correct its bounds against the inputs' declared ranges (a limit that never applies holds no dose), or delete the limit"),
        );
    }
    out
}
