//! Limits: every dose, schedule step and proposal is held against every limit that applies.
//! A hard limit is never exceeded (the dose is refused, or a range is capped); a soft limit warns.

use std::cmp::Ordering;

use super::expr::{unit_error, Env, LimitVerdict};
use super::text::{LimitWords, Text};
use crate::check::LimitSpec;
use crate::check::LimitTarget;
use crate::diagnostics::Diagnostic;
use crate::ops::CmpOp;
use crate::units::Quantity;

/// A limit that a value does not satisfy.
#[derive(Clone, Debug)]
pub(super) struct Breach<'p> {
    /// The limit.
    pub limit: &'p LimitSpec,
    /// Its bound for this patient.
    pub bound: Quantity,
    /// The value that breaks it.
    pub value: Quantity,
    /// The limit's reason, its values filled in for this patient (written out when read).
    pub because: Option<Text>,
}

impl Breach<'_> {
    /// A sentence for the clinician.
    pub fn explain(&self) -> String {
        self.explain_text().into_string()
    }

    /// [`Breach::explain`], written out when read (most messages are never read in a cohort
    /// run): the same words, the same numbers.
    pub fn explain_text(&self) -> Text {
        let what = match self.limit.target {
            LimitTarget::Dose => "dose",
            LimitTarget::Bolus => "bolus",
            LimitTarget::Daily => "daily total",
        };
        let kind = if self.limit.hard { "hard" } else { "soft" };
        let side = if is_ceiling(self.limit) {
            "above"
        } else {
            "below"
        };
        Text::limit(LimitWords {
            what,
            value: self.value.clone(),
            side,
            kind,
            bound: self.bound.clone(),
            target: self.limit.target.word(),
            op: self.limit.op.symbol(),
            because: self.because.clone(),
        })
    }
}

/// Does `value op bound` hold?
fn satisfies(value: &Quantity, op: CmpOp, bound: &Quantity) -> Option<bool> {
    let o = value.compare(bound).ok()?;
    Some(match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    })
}

/// The limits a single dose (amount, or `None` for a rate) and its daily total break.
pub(super) fn breaches<'p>(
    env: &mut Env<'p>,
    single: Option<&Quantity>,
    daily: Option<&Quantity>,
    is_bolus: bool,
) -> Result<Vec<Breach<'p>>, Diagnostic> {
    let program = env.program;
    let mut out = Vec::new();
    for (index, limit) in program.limits.iter().enumerate() {
        // A step per limit, whatever it needs: a dose is held against every limit.
        env.charge(1, limit.span)?;
        let value = match limit.target {
            LimitTarget::Dose => single,
            LimitTarget::Bolus if is_bolus => single,
            LimitTarget::Bolus => None,
            LimitTarget::Daily => daily,
        };
        let Some(value) = value else {
            continue;
        };
        // The bound is read where the verdict is kept: compared in place, copied only for a
        // breach (comparing first changes nothing: it is charged for before it counts).
        let (steps, holds, bound) = match verdict_kept(env, index, limit) {
            (false, _) => continue,
            // A bound that cannot be worked out is the safety gate's to refuse on.
            (true, None) => continue,
            // A limit on another kind of dose (e.g. mL where this is mg).
            (true, Some(bound)) if bound.dim() != value.dim() => continue,
            (true, Some(bound)) => {
                let steps = super::budget::number_steps(value) + super::budget::number_steps(bound);
                let holds = satisfies(value, limit.op, bound);
                (steps, holds, (holds == Some(false)).then(|| bound.clone()))
            }
        };
        env.charge(steps, limit.span)?;
        match (holds, bound) {
            (Some(true), _) => {}
            (Some(false), Some(bound)) => out.push(Breach {
                limit,
                bound,
                value: value.clone(),
                because: reason(env, limit)?,
            }),
            _ => return Err(unit_error(crate::units::UnitError::Overflow, limit.span)),
        }
    }
    Ok(out)
}

/// Whether the program's `index`th limit applies to the patient, and its bound (`None` when it
/// cannot be worked out), once per evaluation.
pub(super) fn verdict(env: &mut Env<'_>, index: usize, limit: &LimitSpec) -> LimitVerdict {
    env.limit_verdict(index, |env| work_out_verdict(env, limit))
}

/// Whether `limit` applies to the patient, and its bound, worked out (see [`verdict`]).
fn work_out_verdict(env: &mut Env<'_>, limit: &LimitSpec) -> LimitVerdict {
    if !super::gate::limit_applies(env, limit) {
        return (false, None);
    }
    (true, env.num(&limit.value).ok())
}

/// [`verdict`], read where it is kept (see [`Env::limit_verdict_kept`]).
fn verdict_kept<'e>(
    env: &'e mut Env<'_>,
    index: usize,
    limit: &LimitSpec,
) -> (bool, Option<&'e Quantity>) {
    env.limit_verdict_kept(index, |env| work_out_verdict(env, limit))
}

/// A limit's reason with its values filled in for this patient (`None` without a `because`).
pub(super) fn reason(env: &mut Env<'_>, limit: &LimitSpec) -> Result<Option<Text>, Diagnostic> {
    if limit.because.is_none() {
        return Ok(None);
    }
    super::actions::message_text(env, &limit.reason, limit.span).map(Some)
}

/// True when the limit is an upper bound (`<`, `<=`).
pub(super) fn is_ceiling(limit: &LimitSpec) -> bool {
    matches!(limit.op, CmpOp::Lt | CmpOp::Le)
}

#[cfg(test)]
mod tests;
