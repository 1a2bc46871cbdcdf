//! A quick first look at a protocol's `require`s for one patient, before [`Env`] is asked
//! (issue 14: the `require`s of the bundled intrathecal protocol cost as much as reading the
//! patient's file).
//!
//! Most requirements are a few tests of inputs joined by `and`, `or` and `not`
//! (`concentration is missing or concentration > 0 mcg/mL`). This module works those out
//! straight from the input values, and says only "all hold" or "ask the evaluator": it never
//! makes a message or a diagnostic. A part it is not sure of (a `let`, arithmetic, a missing
//! operand of a comparison, a comparison the evaluator would refuse, a list with items) makes
//! it hand that one requirement to the evaluator, in one [`Env`] shared as
//! [`super::unmet_requirements`] shares it; any requirement that fails, or any error, hands
//! the whole patient back to [`super::unmet_requirements`]'s own run, which makes the very
//! messages and diagnostics it always made.
//!
//! What it works out is what [`Env::truth`] gives for the same expression: the same short
//! cuts (`a or b` looks at `b` only when `a` is false), and a truth value only where the
//! evaluator gives that truth value without an error (where it would refuse, this module
//! asks it). The steps the evaluator would have charged for the parts worked out here are not
//! charged; an upper bound of them ([`STEPS_PER_PART`] each) must still be left in the
//! evaluator's budget at the end, or the whole patient goes back to the evaluator's own run.

use std::sync::OnceLock;

use super::budget::{Budget, BIG_NUMBER_STEPS, WORK_BUDGET};
use super::expr::Env;
use crate::check::{CExpr, CExprKind, Func, Program};
use crate::ops::{BinaryOp, UnaryOp};
use crate::units::Quantity;
use crate::value::Value;

/// More than the evaluator charges for any part this module works out: a step for the part,
/// one for each operand it reads, and at most [`BIG_NUMBER_STEPS`] for each number compared.
/// (A `let` read here is counted again at each read; the evaluator charges it once.)
pub(super) const STEPS_PER_PART: u64 = 8 + 2 * BIG_NUMBER_STEPS;

/// The most parts one requirement's quick look goes through before it asks the evaluator: a
/// `let` read twice is worked out twice here (the evaluator keeps it), so a chain of `let`s
/// each comparing the one before with itself would double at each link without this bound.
const MOST_PARTS: u64 = 512;

/// True only if every `require` holds for `inputs` and [`super::unmet_requirements`] would
/// say so (no requirement unmet, no error, the work budget not spent). False means "not
/// known": ask [`super::unmet_requirements`]'s own run.
pub(super) fn all_hold(program: &Program, inputs: &[Value]) -> bool {
    // The evaluator and its budget are made only for a requirement handed to it.
    let mut env: Option<(Env, Budget)> = None;
    let mut parts: u64 = 0;
    for r in &program.requires {
        let mut quick = Quick {
            program,
            inputs,
            parts: 0,
        };
        match quick.truth(&r.condition) {
            Some(true) => parts = parts.saturating_add(quick.parts),
            Some(false) => return false,
            None => {
                let (env, _) = env.get_or_insert_with(|| {
                    let budget = Budget::default();
                    (Env::with_budget(program, inputs, budget.clone()), budget)
                });
                if !matches!(env.truth(&r.condition), Ok(true)) {
                    return false;
                }
            }
        }
    }
    let (exhausted, left) = match env {
        Some((_, budget)) => (budget.exhausted_at().is_some(), budget.left()),
        None => (false, WORK_BUDGET),
    };
    // With this much left, the steps not charged here could not have spent the budget.
    !exhausted && left > parts.saturating_mul(STEPS_PER_PART)
}

/// The value every slot past the inputs reads as (the evaluator's own rule).
static MISSING: Value = Value::Missing;

/// One requirement's quick look: the program, the patient's values, and the parts looked at.
struct Quick<'a> {
    program: &'a Program,
    inputs: &'a [Value],
    parts: u64,
}

impl<'a> Quick<'a> {
    /// Counts a part, or gives up past [`MOST_PARTS`].
    fn part(&mut self) -> Option<()> {
        self.parts += 1;
        (self.parts <= MOST_PARTS).then_some(())
    }

    /// The truth value the evaluator gives `e` without an error, or `None` when not sure.
    fn truth(&mut self, e: &'a CExpr) -> Option<bool> {
        self.part()?;
        match &e.kind {
            CExprKind::Binary(BinaryOp::And, a, b) => Some(self.truth(a)? && self.truth(b)?),
            CExprKind::Binary(BinaryOp::Or, a, b) => Some(self.truth(a)? || self.truth(b)?),
            CExprKind::Unary(UnaryOp::Not, a) => Some(!self.truth(a)?),
            CExprKind::Binary(op, a, b) => self.comparison(*op, a, b),
            CExprKind::Is(operand, test) => {
                let v = self.value(operand)?;
                Some(super::expr::is_test(v, *test))
            }
            // Over a list with no items: `all` holds and `any` does not, whatever the
            // condition (it is never looked at); `ascending` holds.
            CExprKind::Call(func @ (Func::All | Func::Any), args) => {
                self.empty_list(args.first()?)?;
                Some(*func == Func::All)
            }
            CExprKind::Call(Func::Ascending, args) if args.len() == 1 => {
                let list = match &args[0].kind {
                    CExprKind::Project(base, _) => {
                        self.part()?;
                        base
                    }
                    _ => &args[0],
                };
                self.empty_list(list)?;
                Some(true)
            }
            _ => match self.value(e)? {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
        }
    }

    /// The value the evaluator gives `e` without an error, for a constant, an input, a `let`,
    /// an `if` and `count` over a list with no items; `None` for anything else.
    fn value(&mut self, e: &'a CExpr) -> Option<&'a Value> {
        self.part()?;
        match &e.kind {
            CExprKind::Const(v) => Some(v),
            CExprKind::Input(slot) => Some(self.inputs.get(*slot).unwrap_or(&MISSING)),
            CExprKind::Let(slot) => {
                let program = self.program;
                self.value(&program.lets.get(*slot)?.expr)
            }
            CExprKind::If(c, a, b) => {
                if self.truth(c)? {
                    self.value(a)
                } else {
                    self.value(b)
                }
            }
            // `count` over no items is the number 0, as the evaluator makes it.
            CExprKind::Call(Func::Count, args) => {
                self.empty_list(args.first()?)?;
                Some(zero())
            }
            _ => None,
        }
    }

    /// `Some` if `e`'s value is a list with no items.
    fn empty_list(&mut self, e: &'a CExpr) -> Option<()> {
        match self.value(e)? {
            Value::List(items) if items.is_empty() => Some(()),
            _ => None,
        }
    }

    /// `a op b` for a comparison of values [`Quick::value`] works out, when both are present
    /// and the evaluator would compare them without an error.
    fn comparison(&mut self, op: BinaryOp, a: &'a CExpr, b: &'a CExpr) -> Option<bool> {
        let (x, y) = (self.value(a)?, self.value(b)?);
        if x.is_missing() || y.is_missing() {
            return None;
        }
        // Only values whose comparison the evaluator charges a bounded number of steps for
        // (see [`STEPS_PER_PART`]); a list, a record or a text goes to the evaluator.
        let scalar = |v: &Value| {
            matches!(
                v,
                Value::Num(_) | Value::Date(_) | Value::Enum(..) | Value::Bool(_)
            )
        };
        if !scalar(x) || !scalar(y) {
            return None;
        }
        super::expr::compared(op, x, y)
    }
}

/// The number 0 (no unit), as the evaluator's `count` makes it for a list with no items.
fn zero() -> &'static Value {
    static ZERO: OnceLock<Value> = OnceLock::new();
    ZERO.get_or_init(|| Value::Num(Quantity::number(0u64.into())))
}

#[cfg(test)]
#[path = "requires/tests.rs"]
mod tests;
