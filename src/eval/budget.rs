//! The work budget of one evaluation: how many steps it may take, what counts as a step, and
//! the diagnostic for an evaluation that needs more. Every step is taken through
//! [`Budget::spend`] (the evaluator's `Env::charge`), so that once the budget is spent the
//! evaluation as a whole is refused, and no dose comes of it.

use std::cell::Cell;
use std::rc::Rc;

use super::error::EvalError;
use crate::diagnostics::{Diagnostic, Span};
use crate::units::Quantity;
use crate::value::Value;

/// The most steps one evaluation may take: expressions worked out, list items visited, limits
/// held against doses, values written into messages and the trace. Lists in a patient file are
/// short (at most [`crate::input::MAX_LIST_ITEMS`] items) and a protocol is at most
/// [`crate::syntax::MAX_PROTOCOL_BYTES`], but a condition that runs over a list for each item
/// of a list, or a thousand limits held against a thousand doses, multiplies them: this bounds
/// the product, so that no protocol and patient keep the interpreter busy for more than about a
/// second (a step takes some 40 ns on the machines measured, `cargo bench --bench scale`), nor
/// hold more than a few hundred megabytes. The bundled protocols take fewer than a thousand
/// steps for a patient; a condition over 1,000 items for each of 1,000 items fits, over 3,000
/// does not.
pub const WORK_BUDGET: u64 = 5_000_000;

/// The steps writing out one value counts for (in a message, the trace, a shown value):
/// formatting a number with its unit takes about four times as long as a step.
pub const SHOW_STEPS: u64 = 4;

/// The steps each item of `xs.field` counts for: it makes a new list, which a `let` may keep.
pub(super) const PROJECT_STEPS: u64 = 2;

/// The steps one operation on a number too large for the fast path counts for (see
/// [`crate::units::Rational::is_small`]): measured, it takes about a hundred times as long as
/// one on small numbers, so that steps stay a fair measure of time.
pub const BIG_NUMBER_STEPS: u64 = 128;

/// The steps an operation on `q` counts for: 1, or [`BIG_NUMBER_STEPS`] for a large number.
#[inline]
pub fn number_steps(q: &Quantity) -> u64 {
    if q.value.is_small() {
        1
    } else {
        BIG_NUMBER_STEPS
    }
}

/// The steps an operation reading `v` counts for, beyond the first: the cost of its numbers.
#[inline]
pub(super) fn value_steps(v: &Value) -> u64 {
    match v {
        Value::Num(q) => number_steps(q) - 1,
        Value::Range(r) => range_steps(r),
        _ => 0,
    }
}

/// [`value_steps`] of a range: apart, and recursive only within itself, so that
/// `value_steps` has no call back to itself and is inlined where it is asked.
#[inline(never)]
fn range_steps(r: &(Value, Value)) -> u64 {
    let end = |v: &Value| match v {
        Value::Num(q) => number_steps(q) - 1,
        Value::Range(inner) => range_steps(inner),
        _ => 0,
    };
    end(&r.0) + end(&r.1)
}

/// The steps an evaluation may still take, shared by every environment it works in (the safety
/// gate works out the limits for each phase of the path in an environment of its own). Once
/// spent it stays spent: every further step fails, and the evaluation as a whole is refused
/// with [`over_budget`], whatever part of it noticed first.
#[derive(Clone, Debug)]
pub struct Budget(Rc<BudgetState>);

#[derive(Debug)]
struct BudgetState {
    left: Cell<u64>,
    /// Where the budget ran out: the expression (or limit, or rule) being worked on.
    exhausted_at: Cell<Option<Exhausted>>,
}

/// Where a budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exhausted {
    /// What was being worked on: the outermost walk over a list in progress (`all(xs, …)`), or
    /// else the expression, limit or rule itself.
    pub at: Span,
    /// The innermost walk over a list in progress, when it is inside another: the walk that
    /// multiplied the steps.
    pub inner: Option<Span>,
}

impl Budget {
    /// A budget of `steps`.
    pub fn new(steps: u64) -> Self {
        Budget(Rc::new(BudgetState {
            left: Cell::new(steps),
            exhausted_at: Cell::new(None),
        }))
    }

    /// Takes `steps`; false (and from then on always false) when fewer are left. `span` is
    /// what was being worked on, for the diagnostic.
    pub fn spend(&self, steps: u64, span: Span) -> bool {
        self.spend_at(
            steps,
            Exhausted {
                at: span,
                inner: None,
            },
        )
    }

    /// Takes `steps` when that many are left and the budget was never spent; false otherwise,
    /// changing nothing, so that the caller can go on to [`Budget::spend_at`] with the place
    /// (the common case, every step of an evaluation, then builds no place).
    #[inline]
    pub(super) fn try_spend(&self, steps: u64) -> bool {
        let left = self.0.left.get();
        // A spent budget has none left (`spend_at`), so only then is the place looked at.
        if steps > left || (left == 0 && self.0.exhausted_at.get().is_some()) {
            return false;
        }
        self.0.left.set(left - steps);
        true
    }

    /// [`Budget::spend`], saying where in more detail.
    pub(super) fn spend_at(&self, steps: u64, place: Exhausted) -> bool {
        if self.0.exhausted_at.get().is_some() {
            return false;
        }
        let left = self.0.left.get();
        if steps > left {
            self.0.left.set(0);
            self.0.exhausted_at.set(Some(place));
            return false;
        }
        self.0.left.set(left - steps);
        true
    }

    /// Where the budget ran out, if it did.
    pub fn exhausted_at(&self) -> Option<Exhausted> {
        self.0.exhausted_at.get()
    }

    /// The steps still left.
    pub fn left(&self) -> u64 {
        self.0.left.get()
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(WORK_BUDGET)
    }
}

/// The diagnostic for an evaluation that ran out of its [`WORK_BUDGET`] at `place`: no
/// decision, and so no dose, comes of it. Its labels point into the text the spans come from
/// (the protocol, or a REPL line): the caller attaches that source.
pub fn over_budget(place: Exhausted) -> Diagnostic {
    EvalError::WorkBudget { place }.into()
}

/// The steps to write a value as text (in a message or the trace): [`SHOW_STEPS`] for each
/// value it holds, so a message that shows a list of 10,000 records counts as the work it is.
#[inline]
pub fn steps_to_show(v: &Value) -> u64 {
    match v {
        // One value (the common case: a number, a date, a choice), without a walk.
        Value::List(_) | Value::Record(..) | Value::Range(_) => SHOW_STEPS * values_held(v),
        _ => SHOW_STEPS,
    }
}

fn values_held(v: &Value) -> u64 {
    match v {
        Value::List(items) | Value::Record(_, items) => {
            1 + items.iter().map(values_held).sum::<u64>()
        }
        Value::Range(r) => 1 + values_held(&r.0) + values_held(&r.1),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::{steps_to_show, SHOW_STEPS};
    use crate::units::Quantity;
    use crate::value::Value;
    use std::sync::Arc;

    /// One value counts once; a list, record or range counts itself and every value it holds,
    /// however deep (the shortcut for one value gives what the walk gives).
    #[test]
    fn showing_a_value_counts_every_value_it_holds() {
        let n = || Value::Num(Quantity::parse("5 mg").unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(steps_to_show(&n()), SHOW_STEPS);
        assert_eq!(steps_to_show(&Value::Missing), SHOW_STEPS);
        assert_eq!(steps_to_show(&Value::Enum(0, 1)), SHOW_STEPS);
        let list = Value::List(Arc::from(vec![n(), n()]));
        assert_eq!(steps_to_show(&list), 3 * SHOW_STEPS);
        let record = Value::Record(0, Arc::from(vec![list.clone(), Value::Missing]));
        assert_eq!(steps_to_show(&record), 5 * SHOW_STEPS);
        let range = Value::Range(Arc::new((n(), record)));
        assert_eq!(steps_to_show(&range), 7 * SHOW_STEPS);
        assert_eq!(
            steps_to_show(&Value::List(Arc::from(Vec::new()))),
            SHOW_STEPS
        );
    }
}
