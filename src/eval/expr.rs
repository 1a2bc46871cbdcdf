//! Expression evaluation over one patient's values. Names were resolved to slots by the
//! checker, so nothing here looks up a string.

use std::cmp::Ordering;
use std::sync::Arc;

use super::budget::{number_steps, over_budget, value_steps, Budget, Exhausted, PROJECT_STEPS};
use super::error::EvalError;
use crate::check::{CExpr, CExprKind, Func, Program, Reference, Type};
use crate::diagnostics::{Diagnostic, Span};
use crate::ops::{BinaryOp, IsTest, UnaryOp};
use crate::units::{Quantity, Rational, UnitError};
use crate::value::Value;

mod lookup;
pub(super) use lookup::pick_strength;
pub use lookup::TableLookup;
#[cfg(test)]
mod tests;

/// The values of one evaluation: inputs, memoised lets and the list items being tested.
pub struct Env<'p> {
    /// The checked protocol.
    pub program: &'p Program,
    /// Input values by slot.
    pub inputs: &'p [Value],
    lets: Vec<Option<Value>>,
    items: Vec<Value>,
    budget: Budget,
    /// The walks over lists in progress (`count(xs, …)`, `xs.dose`, `x in xs`), outermost
    /// first: where the steps go when a budget runs out.
    walks: Vec<Span>,
    /// The text of each input and `let` value written out so far (see [`Env::shown_text`]).
    shown: ShownValues,
    /// The table rows used so far and not yet taken into the trace ([`Env::take_lookups`]).
    lookups: Vec<TableLookup>,
    /// Each limit's verdict for these values, by its place in the program, once worked out
    /// (see [`Env::limit_verdict`]).
    limit_verdicts: Verdicts,
    /// The steps taken so far by work done once per evaluation, whose result is kept (a `let`
    /// worked out, a limit's verdict): a second look at the same thing takes the others only
    /// (see [`Env::fresh_steps`]).
    fresh_steps: u64,
    /// How deep in such work the evaluation is (work inside it is counted once, with it).
    fresh_depth: u32,
}

/// Whether a limit applies to a patient, and its bound for them (`None`: cannot be worked out).
pub type LimitVerdict = (bool, Option<Quantity>);

/// Each limit's verdict, by the limit's place in the program, once worked out. The first few
/// are kept in place (most protocols have a few limits, and a list was allocated for them for
/// every patient); the others in a list made when first needed, sized for the program's.
#[derive(Default)]
struct Verdicts {
    first: [Option<LimitVerdict>; Verdicts::FIRST],
    more: Vec<Option<LimitVerdict>>,
}

impl Verdicts {
    /// How many verdicts are kept in place.
    const FIRST: usize = 8;

    /// The `index`th limit's verdict, if worked out.
    fn get(&self, index: usize) -> Option<&LimitVerdict> {
        match index.checked_sub(Self::FIRST) {
            None => self.first.get(index).and_then(Option::as_ref),
            Some(i) => self.more.get(i).and_then(Option::as_ref),
        }
    }

    /// Keeps the `index`th limit's verdict (`count` is how many limits the program has).
    fn set(&mut self, index: usize, v: LimitVerdict, count: usize) {
        let Some(i) = index.checked_sub(Self::FIRST) else {
            if let Some(slot) = self.first.get_mut(index) {
                *slot = Some(v);
            }
            return;
        };
        if self.more.len() <= i {
            let len = count.saturating_sub(Self::FIRST).max(i + 1);
            self.more.resize(len, None);
        }
        self.more[i] = Some(v);
    }
}

/// The text of each input and `let` value, by slot, once written out.
#[derive(Default)]
struct ShownValues {
    inputs: Vec<Option<Arc<str>>>,
    lets: Vec<Option<Arc<str>>>,
}

impl ShownValues {
    /// The text kept for `r`, or `write`'s (kept for next time); `program` sizes the table.
    fn get_or_write(
        &mut self,
        program: &Program,
        r: Reference,
        write: impl FnOnce() -> String,
    ) -> &Arc<str> {
        let (slots, slot, count) = match r {
            Reference::Input(slot) => (&mut self.inputs, slot, program.inputs.len()),
            Reference::Let(slot) => (&mut self.lets, slot, program.lets.len()),
        };
        if slots.len() <= slot {
            slots.resize(count.max(slot + 1), None);
        }
        slots[slot].get_or_insert_with(|| Arc::from(write()))
    }
}

/// An evaluation's result inside the evaluator (see [`Fail`]).
type R<T> = Result<T, Fail>;

/// An evaluation's result where it leaves the evaluator. The diagnostic is boxed so that a
/// result is no larger than a value: results pass through every step of the evaluator, and
/// most steps succeed.
pub type Out<T> = Result<T, Box<Diagnostic>>;

/// Why an evaluation stopped, as the evaluator passes it up. A value the patient lacks is
/// only noted where it was read: a `let` worked out from it, a shown value or a message
/// quoting it read it as missing and drop the failure, so its diagnostic (the name, the
/// help, the labels) is written only where it leaves the evaluator ([`Fail::diagnostic`],
/// the one way out, in the public methods of [`Env`]).
enum Fail {
    /// A value the patient lacks (the diagnostic [`missing`] writes for it). Boxed, so that
    /// a failure is two words, as small as results that pass through every step need.
    Missing(Box<MissingAt>),
    /// Any other error, written out.
    Error(Box<Diagnostic>),
}

/// The expression that read a value the patient lacks: what [`missing`] needs of it.
#[derive(Clone, Copy)]
struct MissingAt {
    span: Span,
    source: MissingSource,
}

/// What the expression that read a missing value is (see [`describe_source`]).
#[derive(Clone, Copy)]
enum MissingSource {
    Input(usize),
    Let(usize),
    Written,
}

impl MissingAt {
    /// Notes what `missing(program, e)` needs of `e`.
    #[inline]
    fn of(e: &CExpr) -> Self {
        let source = match e.kind {
            CExprKind::Input(slot) => MissingSource::Input(slot),
            CExprKind::Let(slot) => MissingSource::Let(slot),
            _ => MissingSource::Written,
        };
        MissingAt {
            span: e.span,
            source,
        }
    }
}

impl Fail {
    /// The diagnostic this failure stands for.
    #[cold]
    #[inline(never)]
    fn diagnostic(self, program: &Program) -> Box<Diagnostic> {
        match self {
            Fail::Missing(at) => Box::new(missing_at(program, *at)),
            Fail::Error(d) => d,
        }
    }

    /// True when this is a value the patient lacks (noted, or written out by a part of the
    /// evaluator that writes its diagnostics at once, such as table lookups).
    fn is_missing(&self) -> bool {
        match self {
            Fail::Missing(_) => true,
            Fail::Error(d) => d.code == crate::diagnostics::Code::EvalMissing.as_str(),
        }
    }
}

impl From<Box<Diagnostic>> for Fail {
    #[inline]
    fn from(d: Box<Diagnostic>) -> Self {
        Fail::Error(d)
    }
}

impl From<Diagnostic> for Fail {
    fn from(d: Diagnostic) -> Self {
        Fail::Error(Box::new(d))
    }
}

/// The failure for a value the patient lacks, read by `e` (see [`Fail::Missing`]).
#[cold]
#[inline(never)]
fn missing_fail(e: &CExpr) -> Fail {
    Fail::Missing(Box::new(MissingAt::of(e)))
}

/// [`unit_error`], boxed.
fn unit_fail(e: UnitError, span: Span) -> Fail {
    Fail::Error(Box::new(unit_error(e, span)))
}

/// An operand's value: where it is kept (an input, a constant, a `let` worked out), or
/// computed.
enum Operand<'e> {
    Held(&'e Value),
    Let(usize),
    Owned(Value),
}

impl<'p> Env<'p> {
    /// An environment for one patient, with a budget of its own ([`WORK_BUDGET`](super::WORK_BUDGET)).
    pub fn new(program: &'p Program, inputs: &'p [Value]) -> Self {
        Env::with_budget(program, inputs, Budget::default())
    }

    /// An environment that spends from `budget` (shared with the environments it was cloned
    /// from).
    pub fn with_budget(program: &'p Program, inputs: &'p [Value], budget: Budget) -> Self {
        Env {
            program,
            inputs,
            // Not `vec![None; n]`: that clones its element into each place, one by one.
            lets: std::iter::repeat_with(|| None)
                .take(program.lets.len())
                .collect(),
            items: Vec::new(),
            budget,
            walks: Vec::new(),
            shown: ShownValues::default(),
            lookups: Vec::new(),
            limit_verdicts: Verdicts::default(),
            fresh_steps: 0,
            fresh_depth: 0,
        }
    }

    /// The steps taken so far by work done once per evaluation and kept (`let`s worked out,
    /// limits' verdicts): what a look taken twice takes the first time only.
    pub(super) fn fresh_steps(&self) -> u64 {
        self.fresh_steps
    }

    /// Runs `work`, done once per evaluation and kept, counting its steps in
    /// [`Env::fresh_steps`].
    fn fresh<T>(&mut self, work: impl FnOnce(&mut Self) -> T) -> T {
        let left = self.budget.left();
        self.fresh_depth += 1;
        let out = work(self);
        self.fresh_depth -= 1;
        if self.fresh_depth == 0 {
            let spent = left.saturating_sub(self.budget.left());
            self.fresh_steps = self.fresh_steps.saturating_add(spent);
        }
        out
    }

    /// The verdict of the program's `index`th limit for these values: worked out by `work`
    /// the first time, then kept (the values do not change during an evaluation, and every
    /// dose, proposal and the safety gate ask it again).
    pub(super) fn limit_verdict(
        &mut self,
        index: usize,
        work: impl FnOnce(&mut Self) -> LimitVerdict,
    ) -> LimitVerdict {
        if let Some(v) = self.limit_verdicts.get(index) {
            return v.clone();
        }
        let v = self.fresh(work);
        let count = self.program.limits.len();
        self.limit_verdicts.set(index, v.clone(), count);
        v
    }

    /// [`Env::limit_verdict`], read where it is kept instead of copied: most limits hold most
    /// doses, and their bound is only compared (a copy is made for a breach alone).
    pub(super) fn limit_verdict_kept(
        &mut self,
        index: usize,
        work: impl FnOnce(&mut Self) -> LimitVerdict,
    ) -> (bool, Option<&Quantity>) {
        if self.limit_verdicts.get(index).is_none() {
            self.limit_verdict(index, work);
        }
        match self.limit_verdicts.get(index) {
            Some((applies, bound)) => (*applies, bound.as_ref()),
            // Never so (a verdict worked out is kept); were it so, the limit would apply with
            // a bound that cannot be worked out, which refuses: fail closed.
            None => (true, None),
        }
    }

    /// `v` as a message or the trace shows it to a person (shortened when long, see
    /// [`crate::display::shown`]). `v` is the value of `reference` when one is given: an
    /// input's or a `let`'s value is the same for the whole evaluation (inputs do not change
    /// and a `let` is worked out once), and messages and the trace show the same few many
    /// times, so each is written out once.
    pub fn shown_text(&mut self, reference: Option<Reference>, v: &Value) -> String {
        let mut out = String::new();
        self.push_shown(reference, v, &mut out);
        out
    }

    /// The text of an input's or a `let`'s value `v` as [`Env::shown_text`] writes it, shared:
    /// the trace and messages quote the same few values many times.
    pub(super) fn shown_shared(&mut self, reference: Reference, v: &Value) -> Arc<str> {
        let program = self.program;
        let write = || crate::display::shown_owned(crate::value::Shown(v, program).to_string());
        Arc::clone(self.shown.get_or_write(program, reference, write))
    }

    /// [`Env::shown_text`], added to the end of `out`.
    pub fn push_shown(&mut self, reference: Option<Reference>, v: &Value, out: &mut String) {
        let program = self.program;
        let write = || crate::display::shown_owned(crate::value::Shown(v, program).to_string());
        match reference {
            Some(r) => out.push_str(self.shown.get_or_write(program, r, write)),
            None => out.push_str(&write()),
        }
    }

    /// True when a table row was used since the last [`Env::take_lookups`].
    #[inline]
    pub fn has_lookups(&self) -> bool {
        !self.lookups.is_empty()
    }

    /// The table rows used since the last call, for the trace: a table is read once (a `let`
    /// is worked out once), so each row shows where it was first needed.
    pub fn take_lookups(&mut self) -> Vec<TableLookup> {
        std::mem::take(&mut self.lookups)
    }

    /// Puts back table rows taken with [`Env::take_lookups`] and not yet traced, dropping any
    /// read since: work done aside (the safety gate's) does not show in the trace.
    pub fn restore_lookups(&mut self, pending: Vec<TableLookup>) {
        self.lookups = pending;
    }

    /// The budget this environment spends from.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Takes `steps` from the budget, working on `span`; the work-budget error when it is spent.
    // Always inlined: it is asked at every step, and its common case is two loads and a store.
    #[inline(always)]
    pub fn charge(&self, steps: u64, span: Span) -> Out<()> {
        if self.budget.try_spend(steps) {
            return Ok(());
        }
        self.charge_out(steps, span)
    }

    /// [`Env::charge`] when the budget is short: the steps are refused, and where is noted.
    #[cold]
    #[inline(never)]
    fn charge_out(&self, steps: u64, span: Span) -> Out<()> {
        let place = Exhausted {
            at: self.walks.first().copied().unwrap_or(span),
            inner: self.walks.last().copied().filter(|_| self.walks.len() > 1),
        };
        if self.budget.spend_at(steps, place) {
            Ok(())
        } else {
            Err(Box::new(over_budget(
                self.budget.exhausted_at().unwrap_or(place),
            )))
        }
    }

    /// Runs `f` as a walk over a list written at `span` (see `walks`).
    fn walking<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        self.walks.push(span);
        let out = f(self);
        self.walks.pop();
        out
    }

    /// Evaluates an expression (one step, and more for each list item it visits).
    #[inline(always)]
    pub fn eval(&mut self, e: &CExpr) -> Out<Value> {
        let out = self.eval_in(e);
        out.map_err(|f| f.diagnostic(self.program))
    }

    /// [`Env::eval`], where a value worked out from one the patient lacks is itself missing
    /// (a shown value, a value a message quotes): `Ok(Value::Missing)`, and no diagnostic.
    #[inline(always)]
    pub fn eval_or_missing(&mut self, e: &CExpr) -> Out<Value> {
        match self.eval_in(e) {
            Ok(v) => Ok(v),
            Err(f) if f.is_missing() => Ok(Value::Missing),
            Err(f) => Err(f.diagnostic(self.program)),
        }
    }

    /// Evaluates a condition; a missing operand is an error naming it.
    #[inline(always)]
    pub fn truth(&mut self, e: &CExpr) -> Out<bool> {
        let out = self.truth_in(e);
        out.map_err(|f| f.diagnostic(self.program))
    }

    /// Evaluates, refusing a missing value.
    #[inline(always)]
    pub fn present(&mut self, e: &CExpr) -> Out<Value> {
        let out = self.present_in(e);
        out.map_err(|f| f.diagnostic(self.program))
    }

    /// Evaluates a number.
    #[inline(always)]
    pub fn num(&mut self, e: &CExpr) -> Out<Quantity> {
        let out = self.num_in(e);
        out.map_err(|f| f.diagnostic(self.program))
    }

    /// The value of a `let` slot (computed once).
    #[inline(always)]
    pub fn let_value(&mut self, slot: usize) -> Out<Value> {
        let out = self.let_value_in(slot);
        out.map_err(|f| f.diagnostic(self.program))
    }

    /// Works out the value of a `let` slot, once (see [`Env::let_ref`]).
    #[inline]
    pub(super) fn let_ready(&mut self, slot: usize) -> Out<()> {
        if self.lets[slot].is_some() {
            return Ok(());
        }
        let out = self.work_out_let(slot);
        out.map_err(|f| f.diagnostic(self.program))
    }

    /// The value of a `let` slot (computed once).
    fn let_value_in(&mut self, slot: usize) -> R<Value> {
        self.let_ready_in(slot)?;
        Ok(self.let_ref(slot).clone())
    }

    /// The value of a `let` slot already worked out ([`Env::let_ready`]), where it is kept.
    pub(super) fn let_ref(&self, slot: usize) -> &Value {
        static MISSING: Value = Value::Missing;
        self.lets
            .get(slot)
            .and_then(Option::as_ref)
            .unwrap_or(&MISSING)
    }

    /// Works out the value of a `let` slot, once: it is then read where it is kept
    /// ([`Env::let_ref`]), without a copy.
    #[inline]
    fn let_ready_in(&mut self, slot: usize) -> R<()> {
        if self.lets[slot].is_some() {
            return Ok(());
        }
        self.work_out_let(slot)
    }

    /// [`Env::let_ready`] the first time: works the value out and keeps it.
    #[inline(never)]
    fn work_out_let(&mut self, slot: usize) -> R<()> {
        // A `let` is worked out in its own place, not inside the list walk that first read it.
        let saved = std::mem::take(&mut self.items);
        let saved_walks = std::mem::take(&mut self.walks);
        let program = self.program;
        let result = self.fresh(|env| env.eval_in(&program.lets[slot].expr));
        self.items = saved;
        self.walks = saved_walks;
        // A `let` worked out from a value the patient lacks is itself missing (as `check`
        // assumes, see `check::missing`): its use where a value is needed is then the error,
        // and `x is missing`, `==` and messages read it as missing.
        let v = match result {
            Err(f) if f.is_missing() => Value::Missing,
            other => other?,
        };
        self.lets[slot] = Some(v);
        Ok(())
    }

    /// True when `slot`'s `let` is missing, or cannot be worked out for this patient.
    pub(super) fn let_is_missing(&mut self, slot: usize) -> bool {
        self.let_ready_in(slot).is_err() || self.let_ref(slot).is_missing()
    }

    /// Evaluates an operand as [`Env::eval`] does (the same steps, the same errors), but reads
    /// an input, a constant or a `let` where it is kept instead of copying it.
    // Always inlined: a comparison reads two operands, and most are an input, a constant or
    // a `let` (a call for each was a tenth of the conditions' cost).
    #[inline(always)]
    fn operand<'e>(&mut self, e: &'e CExpr) -> R<Operand<'e>>
    where
        'p: 'e,
    {
        match &e.kind {
            CExprKind::Const(v) => {
                self.charge(1, e.span)?;
                Ok(Operand::Held(v))
            }
            CExprKind::Input(slot) => {
                self.charge(1, e.span)?;
                let inputs: &'e [Value] = self.inputs;
                // Not `map_or`: its default would be made, and dropped, for every input read.
                Ok(match inputs.get(*slot) {
                    Some(v) => Operand::Held(v),
                    None => Operand::Owned(Value::Missing),
                })
            }
            CExprKind::Let(slot) => {
                self.charge(1, e.span)?;
                self.let_ready_in(*slot)?;
                Ok(Operand::Let(*slot))
            }
            _ => self.eval_in(e).map(Operand::Owned),
        }
    }

    /// [`Env::operand`]'s work for an operand [`is_kept`]: its step, and a `let` worked out.
    #[inline(always)]
    fn kept_ready(&mut self, e: &CExpr) -> R<()> {
        self.charge(1, e.span)?;
        if let CExprKind::Let(slot) = e.kind {
            self.let_ready_in(slot)?;
        }
        Ok(())
    }

    /// The value of an operand [`is_kept`], after [`Env::kept_ready`]: what
    /// [`Env::value_of`] gives for its [`Env::operand`].
    #[inline(always)]
    fn kept_ref<'a>(&'a self, e: &'a CExpr) -> &'a Value {
        static MISSING: Value = Value::Missing;
        match &e.kind {
            CExprKind::Const(v) => v,
            CExprKind::Input(slot) => self.inputs.get(*slot).unwrap_or(&MISSING),
            CExprKind::Let(slot) => self.let_ref(*slot),
            _ => &MISSING,
        }
    }

    /// The value an [`Operand`] stands for.
    fn value_of<'a>(&'a self, o: &'a Operand<'_>) -> &'a Value {
        match o {
            Operand::Held(v) => v,
            Operand::Let(slot) => self.let_ref(*slot),
            Operand::Owned(v) => v,
        }
    }

    /// Evaluates an expression (one step, and more for each list item it visits).
    // Long on purpose: one arm per expression kind.
    fn eval_in(&mut self, e: &CExpr) -> R<Value> {
        self.charge(1, e.span)?;
        match &e.kind {
            CExprKind::Const(v) => Ok(v.clone()),
            CExprKind::Input(slot) => Ok(self.inputs.get(*slot).cloned().unwrap_or(Value::Missing)),
            CExprKind::Let(slot) => self.let_value_in(*slot),
            CExprKind::Item { depth, field } => {
                let item = self
                    .items
                    .len()
                    .checked_sub(depth + 1)
                    .and_then(|i| self.items.get(i));
                Ok(match item {
                    Some(Value::Record(_, fields)) => {
                        fields.get(*field).cloned().unwrap_or(Value::Missing)
                    }
                    _ => Value::Missing,
                })
            }
            CExprKind::Field(base, field) => Ok(match self.eval_in(base)? {
                Value::Record(_, fields) => fields.get(*field).cloned().unwrap_or(Value::Missing),
                _ => Value::Missing,
            }),
            CExprKind::Project(base, field) => self.walking(e.span, |env| {
                let Value::List(items) = env.eval_in(base)? else {
                    return Ok(Value::Missing);
                };
                env.charge(PROJECT_STEPS * items.len() as u64, e.span)?;
                Ok(Value::List(
                    items
                        .iter()
                        .map(|r| match r {
                            Value::Record(_, f) => f.get(*field).cloned().unwrap_or(Value::Missing),
                            _ => Value::Missing,
                        })
                        .collect(),
                ))
            }),
            CExprKind::Unary(op, operand) => self.unary(*op, operand),
            CExprKind::Binary(BinaryOp::In, a, b) => {
                self.walking(e.span, |env| env.binary(BinaryOp::In, a, b, e.span))
            }
            CExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span),
            CExprKind::If(c, a, b) => {
                if self.truth_in(c)? {
                    self.eval_in(a)
                } else {
                    self.eval_in(b)
                }
            }
            CExprKind::List(items) => {
                let values = items
                    .iter()
                    .map(|i| self.eval_in(i))
                    .collect::<R<Vec<_>>>()?;
                Ok(Value::List(values.into()))
            }
            CExprKind::Is(operand, test) => {
                let o = self.operand(operand)?;
                Ok(Value::Bool(is_test(self.value_of(&o), *test)))
            }
            CExprKind::Round(body, mode, step) => {
                if let CExprKind::Call(Func::Sqrt, args) = &body.kind {
                    return self.rounded_sqrt(&args[0], *mode, step, body.span);
                }
                let step_value = self.num_in(step)?;
                let v = self.present_in(body)?;
                self.charge(number_steps(&step_value) + value_steps(&v), e.span)?;
                let round = |q: &Quantity| {
                    q.round_to_step(&step_value, *mode)
                        .map_err(|err| unit_fail(err, e.span))
                };
                match v {
                    Value::Num(q) => Ok(Value::Num(round(&q)?)),
                    Value::Range(r) => match &*r {
                        (Value::Num(a), Value::Num(b)) => Ok(range(round(a)?, round(b)?)),
                        _ => Err(missing_fail(body)),
                    },
                    _ => Err(missing_fail(body)),
                }
            }
            CExprKind::RoundOf(body, mode, list) => Ok(self.round_of(body, *mode, list, e.span)?),
            CExprKind::Index(list, at) => Ok(self.index(list, at)?),
            CExprKind::Table(t) => Ok(self.table(t)?),
            CExprKind::Call(func, args) => {
                if walks_a_list(*func, args) {
                    self.walking(e.span, |env| env.call(*func, args, e.span))
                } else {
                    self.call(*func, args, e.span)
                }
            }
        }
    }

    /// Evaluates a condition; a missing operand is an error naming it.
    fn truth_in(&mut self, e: &CExpr) -> R<bool> {
        // `and`, `or`, `not` and the comparisons give their truth value straight, with the
        // steps and errors of [`Env::eval`] (its step for the expression, then the same work
        // in the same order), without making a value of it and taking it apart again.
        match &e.kind {
            CExprKind::Binary(op, a, b) if Comparison::of(*op).is_some() => {
                self.charge(1, e.span)?;
                return self.comparison(*op, a, b, e.span);
            }
            CExprKind::Binary(BinaryOp::And, a, b) => {
                self.charge(1, e.span)?;
                return Ok(self.truth_in(a)? && self.truth_in(b)?);
            }
            CExprKind::Binary(BinaryOp::Or, a, b) => {
                self.charge(1, e.span)?;
                return Ok(self.truth_in(a)? || self.truth_in(b)?);
            }
            CExprKind::Unary(UnaryOp::Not, operand) => {
                self.charge(1, e.span)?;
                return Ok(!self.truth_in(operand)?);
            }
            // `x is missing`, a truth-valued input or `let`: read where the value is kept,
            // with [`Env::eval`]'s step and errors, and no value made to be taken apart.
            CExprKind::Is(operand, test) => {
                self.charge(1, e.span)?;
                let o = self.operand(operand)?;
                return Ok(is_test(self.value_of(&o), *test));
            }
            CExprKind::Input(slot) => {
                self.charge(1, e.span)?;
                return match self.inputs.get(*slot) {
                    Some(Value::Bool(b)) => Ok(*b),
                    _ => Err(missing_fail(e)),
                };
            }
            CExprKind::Let(slot) => {
                self.charge(1, e.span)?;
                self.let_ready_in(*slot)?;
                return match self.let_ref(*slot) {
                    Value::Bool(b) => Ok(*b),
                    _ => Err(missing_fail(e)),
                };
            }
            _ => {}
        }
        // A missing value is refused with the same diagnostic as any value that is not a truth
        // value, so [`Env::present`]'s own check would only repeat it.
        match self.eval_in(e)? {
            Value::Bool(b) => Ok(b),
            other => {
                drop(other);
                Err(missing_fail(e))
            }
        }
    }

    /// Evaluates, refusing a missing value.
    fn present_in(&mut self, e: &CExpr) -> R<Value> {
        let v = self.eval_in(e)?;
        if v.is_missing() {
            return Err(missing_fail(e));
        }
        Ok(v)
    }

    /// Evaluates a number.
    fn num_in(&mut self, e: &CExpr) -> R<Quantity> {
        match self.present_in(e)? {
            Value::Num(q) => Ok(q),
            _ => Err(missing_fail(e)),
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &CExpr) -> R<Value> {
        match op {
            UnaryOp::Not => Ok(Value::Bool(!self.truth_in(operand)?)),
            UnaryOp::Neg => match self.present_in(operand)? {
                Value::Num(q) => Ok(Value::Num(q.neg())),
                Value::Range(r) => match &*r {
                    (Value::Num(a), Value::Num(b)) => Ok(range(b.neg(), a.neg())),
                    _ => Err(missing_fail(operand)),
                },
                _ => Err(missing_fail(operand)),
            },
        }
    }

    // Long on purpose: one arm per operator, over operands read where they are kept.
    fn binary<'e>(&mut self, op: BinaryOp, a: &'e CExpr, b: &'e CExpr, span: Span) -> R<Value>
    where
        'p: 'e,
    {
        match op {
            BinaryOp::And => return Ok(Value::Bool(self.truth_in(a)? && self.truth_in(b)?)),
            BinaryOp::Or => return Ok(Value::Bool(self.truth_in(a)? || self.truth_in(b)?)),
            _ if Comparison::of(op).is_some() => {
                return self.comparison(op, a, b, span).map(Value::Bool);
            }
            _ => {}
        }
        // Past `and`, `or` and the comparisons, a missing operand is an error naming it, the
        // left one before the right one is worked out.
        let xo = self.operand(a)?;
        if self.value_of(&xo).is_missing() {
            return Err(missing_fail(a));
        }
        let yo = self.operand(b)?;
        let (x, y) = (self.value_of(&xo), self.value_of(&yo));
        if y.is_missing() {
            return Err(missing_fail(b));
        }
        self.charge(value_steps(x) + value_steps(y), span)?;
        let err = |e: UnitError| unit_fail(e, span);
        match op {
            BinaryOp::In => Ok(Value::Bool(match &y {
                Value::Range(r) => {
                    order(x, &r.0).map_err(err)?.is_ge() && order(x, &r.1).map_err(err)?.is_le()
                }
                Value::List(items) => {
                    let mut found = false;
                    for item in items.iter() {
                        if self.equal_item(x, item, span)? {
                            found = true;
                            break;
                        }
                    }
                    found
                }
                _ => false,
            })),
            BinaryOp::Range => Ok(Value::Range(Arc::new((x.clone(), y.clone())))),
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                arithmetic(op, x, y).map_err(|e| {
                    let overflow = e == UnitError::Overflow;
                    let mut d = unit_error(e, span);
                    if overflow {
                        // Which values: `500 mcg/day / 0.0000000000000000000000000001 mcg/mL`
                        // shows the patient's tiny concentration, not just "too large".
                        let shown = |v: &Value| {
                            crate::display::quoted(
                                &crate::value::Shown(v, self.program).to_string(),
                            )
                        };
                        d.message =
                            format!("{}: {} {} {}", d.message, shown(x), op.symbol(), shown(y));
                    }
                    Fail::from(d)
                })
            }
            BinaryOp::Pow => self.power(x, y, span),
            // Worked out above; an arm each only so that a new operator must be placed.
            BinaryOp::And
            | BinaryOp::Or
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => Ok(Value::Bool(false)),
        }
    }

    /// A comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) as a truth value: the work and errors of
    /// [`Env::binary`] for it (a missing value equals nothing; elsewhere a missing operand is
    /// an error naming it, the left one before the right one is worked out).
    /// Any other operator is false, but neither caller passes one.
    fn comparison<'e>(&mut self, op: BinaryOp, a: &'e CExpr, b: &'e CExpr, span: Span) -> R<bool>
    where
        'p: 'e,
    {
        let Some(comparison) = Comparison::of(op) else {
            return Ok(false);
        };
        // A value that was not given equals nothing: `response == adverse` is simply false
        // for a patient with no recorded response.
        let equality = matches!(comparison, Comparison::Eq | Comparison::Ne);
        if is_kept(a) && is_kept(b) {
            // The usual condition (an input or a `let` against a constant, or two of them):
            // each read where it is kept, with [`Env::operand`]'s step and errors, in its order.
            self.kept_ready(a)?;
            if !equality && self.kept_ref(a).is_missing() {
                return Err(missing_fail(a));
            }
            self.kept_ready(b)?;
            let (x, y) = (self.kept_ref(a), self.kept_ref(b));
            return self.compared_present(comparison, x, y, b, span);
        }
        let xo = self.operand(a)?;
        if !equality && self.value_of(&xo).is_missing() {
            return Err(missing_fail(a));
        }
        let yo = self.operand(b)?;
        let (x, y) = (self.value_of(&xo), self.value_of(&yo));
        self.compared_present(comparison, x, y, b, span)
    }

    /// The end of [`Env::comparison`], once both operands are read (`y` from `b`; a missing `x`
    /// was refused already unless the comparison is an equality).
    #[inline(always)]
    fn compared_present(
        &self,
        comparison: Comparison,
        x: &Value,
        y: &Value,
        b: &CExpr,
        span: Span,
    ) -> R<bool> {
        let equality = matches!(comparison, Comparison::Eq | Comparison::Ne);
        if equality && (x.is_missing() || y.is_missing()) {
            return Ok(comparison == Comparison::Ne);
        }
        if y.is_missing() {
            return Err(missing_fail(b));
        }
        self.charge(value_steps(x) + value_steps(y), span)?;
        comparison.judge_usual(x, y, span)
    }

    /// `x ^ n`, with the whole exponent the checker holds to [`crate::units::MAX_EXPONENT`]:
    /// a step for each product.
    fn power(&self, x: &Value, n: &Value, span: Span) -> R<Value> {
        let (Value::Num(base), Value::Num(n)) = (x, n) else {
            return Err(unit_fail(UnitError::Overflow, span));
        };
        let n = n
            .value
            .to_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| unit_fail(UnitError::Overflow, span))?;
        self.charge(u64::from(n.unsigned_abs()) * number_steps(base), span)?;
        base.powi(n).map(Value::Num).map_err(|e| unit_fail(e, span))
    }

    /// `sqrt(x) round [up|down] to step`: the multiple of the step the true root rounds to,
    /// worked out with integer square roots (as costly as an operation on large numbers).
    fn rounded_sqrt(
        &mut self,
        arg: &CExpr,
        mode: crate::units::RoundMode,
        step: &CExpr,
        span: Span,
    ) -> R<Value> {
        let step_value = self.num_in(step)?;
        let x = self.num_in(arg)?;
        self.charge(super::budget::BIG_NUMBER_STEPS, span)?;
        x.sqrt_rounded(&step_value, mode)
            .map(Value::Num)
            .map_err(|e| unit_fail(e, arg.span))
    }

    /// `x == item` for `x in list`, one step per value compared: a record or a list is
    /// compared field by field, so its size counts (records compare by their fields as held,
    /// numbers at the top across units, as `==` does).
    fn equal_item(&self, x: &Value, item: &Value, span: Span) -> R<bool> {
        self.charge(1, span)?;
        match (x, item) {
            (Value::Num(_), Value::Num(_)) => {
                self.charge(value_steps(x) + value_steps(item), span)?;
                equal(x, item).map_err(|e| unit_fail(e, span))
            }
            _ => self.same(x, item, span),
        }
    }

    /// Structural equality (as `Value`'s `==`), one step per value visited.
    fn same(&self, x: &Value, y: &Value, span: Span) -> R<bool> {
        let pairs = |a: &[Value], b: &[Value]| -> R<bool> {
            if a.len() != b.len() {
                return Ok(false);
            }
            for (p, q) in a.iter().zip(b.iter()) {
                self.charge(1, span)?;
                if !self.same(p, q, span)? {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        match (x, y) {
            (Value::List(a), Value::List(b)) => pairs(a, b),
            (Value::Record(i, a), Value::Record(j, b)) => Ok(i == j && pairs(a, b)?),
            _ => Ok(x == y),
        }
    }

    // Long on purpose: one arm per built-in function (check/functions.rs lists them).
    fn call(&mut self, func: Func, args: &[CExpr], span: Span) -> R<Value> {
        let err = |e: UnitError| unit_fail(e, span);
        match func {
            Func::Sqrt => {
                let x = self.num_in(&args[0])?;
                self.charge(super::budget::BIG_NUMBER_STEPS, span)?;
                match x.sqrt() {
                    Ok(Some(root)) => Ok(Value::Num(root)),
                    // The checker lets only a constant with an exact root go unrounded.
                    Ok(None) => Err(err(UnitError::Inexact {
                        from: format!("sqrt({})", x.display_exact()),
                        to: "an exact number".to_string(),
                    })),
                    Err(e) => Err(unit_fail(e, args[0].span)),
                }
            }
            Func::Value => {
                let x = self.num_in(&args[0])?;
                let unit = self.num_in(&args[1])?.unit;
                self.charge(number_steps(&x), span)?;
                let v = x.number_of(&unit).map_err(err)?;
                Ok(Value::Num(Quantity::number(v)))
            }
            Func::Min | Func::Max if args.len() == 2 => {
                // Two arguments, the usual: the steps and errors of the loop below (both worked
                // out, a step for each as it is looked at, then the second against the first).
                let (x, y) = (self.num_in(&args[0])?, self.num_in(&args[1])?);
                self.charge(number_steps(&x) - 1, span)?;
                self.charge(number_steps(&y) - 1, span)?;
                let better = beats(func, &y, &x).map_err(err)?;
                Ok(Value::Num(if better { y } else { x }))
            }
            Func::Min | Func::Max => {
                // Every argument is worked out before any is compared (the errors come in that
                // order); two arguments, the usual, are the arm above.
                let values: Vec<Quantity> = match args {
                    [list] => {
                        let items = self.list(list)?;
                        self.charge(items.len() as u64, span)?;
                        items.iter().filter_map(|v| v.as_num().cloned()).collect()
                    }
                    _ => args.iter().map(|a| self.num_in(a)).collect::<R<_>>()?,
                };
                let mut best: Option<Quantity> = None;
                for q in values {
                    self.charge(number_steps(&q) - 1, span)?;
                    best = Some(match best {
                        None => q,
                        Some(b) => {
                            if beats(func, &q, &b).map_err(err)? {
                                q
                            } else {
                                b
                            }
                        }
                    });
                }
                Ok(best.map_or(Value::Missing, Value::Num))
            }
            Func::Clamp => {
                let (x, lo, hi) = (
                    self.num_in(&args[0])?,
                    self.num_in(&args[1])?,
                    self.num_in(&args[2])?,
                );
                self.charge(
                    number_steps(&x) + number_steps(&lo) + number_steps(&hi),
                    span,
                )?;
                if x.compare(&lo).map_err(err)?.is_lt() {
                    Ok(Value::Num(lo))
                } else if x.compare(&hi).map_err(err)?.is_gt() {
                    Ok(Value::Num(hi))
                } else {
                    Ok(Value::Num(x))
                }
            }
            Func::Abs => {
                let x = self.num_in(&args[0])?;
                Ok(Value::Num(if x.value.is_sign_negative() {
                    x.neg()
                } else {
                    x
                }))
            }
            Func::Floor | Func::Ceil => {
                let x = self.num_in(&args[0])?;
                self.charge(number_steps(&x) - 1, span)?;
                Ok(Value::Num(if func == Func::Floor {
                    x.floor()
                } else {
                    x.ceil()
                }))
            }
            Func::Lower | Func::Upper => match self.present_in(&args[0])? {
                Value::Range(r) => Ok(if func == Func::Lower {
                    r.0.clone()
                } else {
                    r.1.clone()
                }),
                _ => Err(missing_fail(&args[0])),
            },
            Func::Ascending => {
                let items = self.list(&args[0])?;
                self.charge(items.len() as u64, span)?;
                let mut ascending = true;
                for pair in items.windows(2) {
                    self.charge(value_steps(&pair[0]) + value_steps(&pair[1]), span)?;
                    if !order(&pair[0], &pair[1]).map_err(err)?.is_lt() {
                        ascending = false;
                        break;
                    }
                }
                Ok(Value::Bool(ascending))
            }
            Func::First => Ok(self
                .list(&args[0])?
                .first()
                .cloned()
                .unwrap_or(Value::Missing)),
            Func::Last => Ok(self
                .list(&args[0])?
                .last()
                .cloned()
                .unwrap_or(Value::Missing)),
            Func::Sum => {
                let items = self.list(&args[0])?;
                self.charge(items.len() as u64, span)?;
                let mut total: Option<Quantity> = None;
                for item in items.iter() {
                    // A missing item makes the total missing: one that skipped it would be
                    // too low (a cumulative dose under-counted).
                    let Some(q) = item.as_num() else {
                        return Ok(Value::Missing);
                    };
                    self.charge(number_steps(q) - 1, span)?;
                    total = Some(match total {
                        None => q.clone(),
                        Some(t) => t.add(q).map_err(err)?,
                    });
                }
                // The sum of no items is zero in the items' unit (`sum` of an empty `list of
                // mg` is 0 mg), so that it compares with the quantities it is meant for.
                let zero = || match &args[0].ty {
                    Type::List(inner) => match &**inner {
                        Type::Num(unit) => Quantity::new(Rational::ZERO, unit.clone()),
                        _ => Quantity::number(0.into()),
                    },
                    _ => Quantity::number(0.into()),
                };
                Ok(Value::Num(total.unwrap_or_else(zero)))
            }
            Func::Count | Func::Any | Func::All | Func::Filter => self.quantifier(func, args, span),
        }
    }

    fn quantifier(&mut self, func: Func, args: &[CExpr], span: Span) -> R<Value> {
        let items = self.list(&args[0])?;
        let mut matching = Vec::new();
        for item in items.iter() {
            // A step per item, besides the condition's own: `count(xs)` visits each too.
            self.charge(1, span)?;
            let holds = match args.get(1) {
                None => matches!(item, Value::Bool(true)) || func == Func::Count,
                Some(cond) => {
                    self.items.push(item.clone());
                    let r = self.truth_in(cond);
                    self.items.pop();
                    r?
                }
            };
            if holds {
                matching.push(item.clone());
            }
        }
        Ok(match func {
            Func::Count => Value::Num(Quantity::number((matching.len() as u64).into())),
            Func::Any => Value::Bool(!matching.is_empty()),
            Func::All => Value::Bool(matching.len() == items.len()),
            _ => Value::List(matching.into()),
        })
    }

    fn list(&mut self, e: &CExpr) -> R<Arc<[Value]>> {
        match self.present_in(e)? {
            Value::List(items) => Ok(items),
            _ => Err(missing_fail(e)),
        }
    }
}

/// True when `candidate` is to take the place of `best` in `min` (`func` is [`Func::Min`]) or
/// `max`: strictly lower or higher, so that of equal values the first stays.
fn beats(func: Func, candidate: &Quantity, best: &Quantity) -> Result<bool, UnitError> {
    let o = candidate.compare(best)?;
    Ok(if func == Func::Min {
        o.is_lt()
    } else {
        o.is_gt()
    })
}

/// True for an operand read where it is kept (see [`Env::operand`]): a constant, an input or a
/// `let`.
#[inline(always)]
fn is_kept(e: &CExpr) -> bool {
    matches!(
        e.kind,
        CExprKind::Const(_) | CExprKind::Input(_) | CExprKind::Let(_)
    )
}

/// True for a function that goes over every item of a list.
fn walks_a_list(func: Func, args: &[CExpr]) -> bool {
    match func {
        Func::Count | Func::Any | Func::All | Func::Filter | Func::Sum | Func::Ascending => true,
        Func::Min | Func::Max => args.len() == 1,
        _ => false,
    }
}

fn range(a: Quantity, b: Quantity) -> Value {
    Value::Range(Arc::new((Value::Num(a), Value::Num(b))))
}

/// The six comparison operators, which give a truth value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    /// The comparison `op` is, if it is one.
    fn of(op: BinaryOp) -> Option<Comparison> {
        Some(match op {
            BinaryOp::Eq => Comparison::Eq,
            BinaryOp::Ne => Comparison::Ne,
            BinaryOp::Lt => Comparison::Lt,
            BinaryOp::Le => Comparison::Le,
            BinaryOp::Gt => Comparison::Gt,
            BinaryOp::Ge => Comparison::Ge,
            _ => return None,
        })
    }

    /// Whether `x op y` holds, given how `x` orders against `y`.
    #[inline]
    fn holds(self, o: Ordering) -> bool {
        match self {
            Comparison::Eq => o.is_eq(),
            Comparison::Ne => o.is_ne(),
            Comparison::Lt => o.is_lt(),
            Comparison::Le => o.is_le(),
            Comparison::Gt => o.is_gt(),
            Comparison::Ge => o.is_ge(),
        }
    }

    /// [`Comparison::judge`], with the usual operands judged here, without the calls down to
    /// [`Comparison::verdict`] (two numbers by [`Quantity::compare`], as it judges them; two
    /// choices are equal when they are the same choice, as `Value`'s `==` says).
    #[inline]
    fn judge_usual(self, x: &Value, y: &Value, span: Span) -> R<bool> {
        match (x, y) {
            (Value::Num(p), Value::Num(q)) => {
                let o = p.compare(q).map_err(|e| unit_fail(e, span))?;
                Ok(self.holds(o))
            }
            (Value::Enum(i, m), Value::Enum(j, n))
                if matches!(self, Comparison::Eq | Comparison::Ne) =>
            {
                Ok((i == j && m == n) == (self == Comparison::Eq))
            }
            _ => self.judge(x, y, span),
        }
    }

    /// `x op y` for two present values.
    fn judge(self, x: &Value, y: &Value, span: Span) -> R<bool> {
        self.verdict(x, y).map_err(|e| unit_fail(e, span))
    }

    fn verdict(self, x: &Value, y: &Value) -> Result<bool, UnitError> {
        Ok(match self {
            Comparison::Eq => equal(x, y)?,
            Comparison::Ne => !equal(x, y)?,
            Comparison::Lt => order(x, y)?.is_lt(),
            Comparison::Le => order(x, y)?.is_le(),
            Comparison::Gt => order(x, y)?.is_gt(),
            Comparison::Ge => order(x, y)?.is_ge(),
        })
    }
}

/// `x op y` for two present values, as the evaluator judges the comparison `op`; `None` where
/// it would refuse them, or where `op` is not a comparison. The `require`s' quick look
/// (`requires.rs`) asks this, so the two cannot judge a comparison differently.
pub(super) fn compared(op: BinaryOp, x: &Value, y: &Value) -> Option<bool> {
    Comparison::of(op)?.verdict(x, y).ok()
}

/// `v is [not] missing|empty`: a value that is not a list or a text (a missing one too) is empty.
/// The `require`s' quick look (`requires.rs`) asks this too, so the two cannot disagree.
pub(super) fn is_test(v: &Value, test: IsTest) -> bool {
    match test {
        IsTest::Missing => v.is_missing(),
        IsTest::NotMissing => !v.is_missing(),
        IsTest::Empty | IsTest::NotEmpty => {
            let empty = match v {
                Value::List(items) => items.is_empty(),
                Value::Text(t) => t.is_empty(),
                _ => true,
            };
            empty == (test == IsTest::Empty)
        }
    }
}

fn equal(x: &Value, y: &Value) -> Result<bool, UnitError> {
    Ok(match (x, y) {
        (Value::Num(a), Value::Num(b)) => a.compare(b)?.is_eq(),
        // Item by item, exactly across units; a missing item equals nothing.
        (Value::List(xs), Value::List(ys)) => {
            if xs.len() != ys.len() {
                return Ok(false);
            }
            for (a, b) in xs.iter().zip(ys.iter()) {
                if a.is_missing() || b.is_missing() || !equal(a, b)? {
                    return Ok(false);
                }
            }
            true
        }
        (a, b) => a == b,
    })
}

fn order(x: &Value, y: &Value) -> Result<Ordering, UnitError> {
    match (x, y) {
        (Value::Num(a), Value::Num(b)) => a.compare(b),
        (Value::Date(a), Value::Date(b)) => Ok(a.cmp(b)),
        _ => Err(UnitError::Mismatch {
            left: crate::units::Dim::NONE,
            right: crate::units::Dim::NONE,
            op: "compare",
        }),
    }
}

fn one_day() -> Quantity {
    Quantity::new(1.into(), super::actions::one_day())
}

fn arithmetic(op: BinaryOp, x: &Value, y: &Value) -> Result<Value, UnitError> {
    let apply = |a: &Quantity, b: &Quantity| match op {
        BinaryOp::Add => a.add(b),
        BinaryOp::Sub => a.sub(b),
        BinaryOp::Mul => a.mul(b),
        _ => a.div(b),
    };
    match (x, y) {
        (Value::Num(a), Value::Num(b)) => Ok(Value::Num(apply(a, b)?)),
        (Value::Range(r), Value::Num(b)) => match &**r {
            (Value::Num(lo), Value::Num(hi)) => Ok(ordered_range(apply(lo, b)?, apply(hi, b)?)),
            _ => Err(UnitError::OutOfRange),
        },
        (Value::Num(a), Value::Range(r)) => match &**r {
            (Value::Num(lo), Value::Num(hi)) => Ok(ordered_range(apply(a, lo)?, apply(a, hi)?)),
            _ => Err(UnitError::OutOfRange),
        },
        (Value::Date(d), Value::Num(t)) => {
            let days = t.convert_to(&one_day().unit)?;
            let n = days.value.trunc();
            if n != days.value {
                return Err(UnitError::Inexact {
                    from: t.to_string(),
                    to: "whole days".into(),
                });
            }
            let back = op == BinaryOp::Sub;
            // Says which date and which duration, not "too many digits": the usual cause is
            // a typing slip in a date (year 9999) or a duration.
            let out_of_range = || UnitError::DateOutOfRange {
                date: *d,
                op: if back { '-' } else { '+' },
                by: t.to_string(),
            };
            let n: i64 = n.try_into().map_err(|_| out_of_range())?;
            let n = if back {
                n.checked_neg().ok_or_else(out_of_range)?
            } else {
                n
            };
            let span = jiff::Span::new().try_days(n).map_err(|_| out_of_range())?;
            d.checked_add(span)
                .map(Value::Date)
                .map_err(|_| out_of_range())
        }
        (Value::Date(a), Value::Date(b)) => {
            let days = (*a - *b).get_days();
            Ok(Value::Num(Quantity::new(days.into(), one_day().unit)))
        }
        _ => Err(UnitError::OutOfRange),
    }
}

/// A range with its ends in order (multiplying by a negative number swaps them).
fn ordered_range(a: Quantity, b: Quantity) -> Value {
    if a.compare(&b).is_ok_and(|o| o.is_gt()) {
        range(b, a)
    } else {
        range(a, b)
    }
}

/// A unit or arithmetic error at a place in the protocol.
pub fn unit_error(e: UnitError, span: Span) -> Diagnostic {
    e.to_diagnostic(span)
}

/// The diagnostic for a value the patient data does not provide.
pub fn missing(program: &Program, e: &CExpr) -> Diagnostic {
    missing_at(program, MissingAt::of(e))
}

/// [`missing`], from what was noted of the expression.
fn missing_at(program: &Program, at: MissingAt) -> Diagnostic {
    EvalError::Missing {
        name: describe_source(program, at),
        input: match at.source {
            MissingSource::Input(slot) => Some(program.inputs[slot].name.clone()),
            _ => None,
        },
        span: at.span,
    }
    .into()
}

fn describe_source(program: &Program, at: MissingAt) -> String {
    match at.source {
        MissingSource::Input(slot) => format!("`{}`", program.inputs[slot].name),
        MissingSource::Let(slot) => format!("`{}`", program.lets[slot].name),
        MissingSource::Written => {
            let text = program
                .source
                .text
                .get(at.span.start..at.span.end)
                .unwrap_or("this value");
            format!("`{text}`")
        }
    }
}
