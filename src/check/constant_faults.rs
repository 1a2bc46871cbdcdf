//! Parts of a formula written with constants only that cannot be worked out for any patient:
//! a division by zero, `0 ^ -1`, a rounding step of zero, the nearest of no strength, an item
//! past a list's end. The evaluator refuses every patient who reaches them, so `check` says so
//! where they are written, as a warning: whether a patient reaches them is not proved (a
//! guard such as `if n > 0 then 100 mg / n else …` or a rule's `when` may keep every patient
//! away, and a protocol that never fails must not be refused).
//!
//! Each is looked at as its expression is checked, over the same folding of constants as the
//! constant doses (literals, `let`s of literals, arithmetic): what depends on the patient is
//! left to the evaluator.

use super::constant_doses::{Folded, Folds};
use super::{CExpr, CExprKind, CheckError, Checker};
use crate::diagnostics::{Code, Span};
use crate::units::{Quantity, Unit};
use crate::value::Value;

/// What cannot be worked out, which sets the code and the label.
enum Fault {
    /// A division by zero, however written (`/ 0`, `0 ^ -1`, `round to 0 mg`): the code the
    /// evaluator reports for it, `posology::value::division_by_zero`.
    DivisionByZero,
    /// Rounding to the nearest of an empty list of strengths.
    NoStrength,
    /// An index that is never a place in its list.
    NoSuchItem,
    /// A schedule's interval that is never a whole number of days: the code the evaluator
    /// reports for it, `posology::eval::schedule_interval`.
    NotWholeDays,
}

/// How deep `let`s are followed to a constant list's length: a guard for the stack, far past
/// what a protocol writes (a `let` of a `let` of a list).
const MAX_LIST_DEPTH: usize = 16;

impl Checker<'_> {
    /// The value of `e` when it is the same for every patient, if it is one number.
    fn constant_number(&self, e: &CExpr) -> Option<Quantity> {
        match Folds::new(&self.program).fold(e, 0)? {
            Folded::One(q) => Some(q),
            Folded::Range(..) => None,
        }
    }

    fn always_fails(&mut self, fault: Fault, message: String, fix: &str, span: Span) {
        let (code, label) = match fault {
            Fault::DivisionByZero => (Code::ValueDivisionByZero, "always zero"),
            Fault::NoStrength => (Code::FormulaAlwaysFails, "no strengths"),
            Fault::NoSuchItem => (Code::FormulaAlwaysFails, "never a place in the list"),
            Fault::NotWholeDays => (Code::EvalScheduleInterval, "not whole days"),
        };
        let label = label.to_string();
        let help = format!(
            "a patient whose decision reaches it is refused when the protocol runs: {fix}; if a \
             condition keeps every patient from reaching it, nothing needs changing"
        );
        let d = CheckError::AlwaysFails {
            code,
            message,
            label,
            help,
            span,
        };
        self.error(d.into());
    }

    /// True when `e` is zero for every patient.
    fn always_zero(&self, e: &CExpr) -> bool {
        self.constant_number(e).is_some_and(|q| q.value.is_zero())
    }

    /// `a / b` with `b` always zero.
    pub(super) fn fault_if_zero_divisor(&mut self, divisor: &CExpr) {
        if self.always_zero(divisor) {
            self.always_fails(
                Fault::DivisionByZero,
                "this divides by zero: the divisor is zero for every patient".into(),
                "divide by the value meant",
                divisor.span,
            );
        }
    }

    /// `a ^ n` with `a` always zero and `n` negative: `1 / 0`.
    pub(super) fn fault_if_zero_to_negative(&mut self, base: &CExpr, power: i32) {
        if power < 0 && self.always_zero(base) {
            let message = format!(
                "this divides by zero: zero raised to the power {power}, for every patient"
            );
            let fix = "raise a value that is not zero, or use a power above 0";
            self.always_fails(Fault::DivisionByZero, message, fix, base.span);
        }
    }

    /// `e round … to step` with the step always zero.
    pub(super) fn fault_if_zero_step(&mut self, step: &CExpr) {
        if self.always_zero(step) {
            let message = "this divides by zero: a value cannot be rounded to a step of zero";
            let fix = "round to the step the product is made in, e.g. `round down to 5 mg`";
            self.always_fails(Fault::DivisionByZero, message.into(), fix, step.span);
        }
    }

    /// A schedule's interval (`every 0.5 day`) that is the same for every patient and not a
    /// whole number of days: every patient given the schedule is refused. (A step's `for` of
    /// constants is already refused as `posology::schedule::step_duration`.)
    pub(super) fn fault_if_not_whole_days(&mut self, time: &CExpr, what: &str) {
        let Some(t) = self.constant_number(time) else {
            return;
        };
        if crate::units::daily::whole_days(&t).is_none() {
            let message = format!(
                "{what} is {t} for every patient, not a whole number of days (a schedule changes \
                 the dose from one day to another, at most every 10 years)"
            );
            let fix = "write it in whole days, e.g. `every 3 days` or `every 1 week`";
            self.always_fails(Fault::NotWholeDays, message, fix, time.span);
        }
    }

    /// `e round … to nearest of list` with the list always empty.
    pub(super) fn fault_if_no_strength(&mut self, list: &CExpr) {
        if constant_length(&self.program, list, 0) == Some(0) {
            self.always_fails(
                Fault::NoStrength,
                "there is no strength to round to: the list is empty".into(),
                "list the strengths made, e.g. `dose round to nearest of [30 mg, 40 mg]`",
                list.span,
            );
        }
    }

    /// `list[i]` with `i` always a number that is not a place in the list: not whole, below 1,
    /// or past the end of a list whose length is the same for every patient.
    pub(super) fn fault_if_bad_index(&mut self, list: &CExpr, at: &CExpr) {
        let Some(i) = self.constant_number(at) else {
            return;
        };
        let Ok(i) = i.convert_to(&Unit::none()) else {
            return;
        };
        let len = constant_length(&self.program, list, 0);
        let whole_from_one = i.value.is_integer() && i.value.is_positive();
        let past_end = len.is_some_and(|len| {
            i.value
                .to_i64()
                .and_then(|n| usize::try_from(n).ok())
                .is_none_or(|n| n > len)
        });
        if whole_from_one && !past_end {
            return;
        }
        let list = match &list.kind {
            CExprKind::Let(slot) => self.program.lets.get(*slot).map(|l| l.name.to_string()),
            _ => None,
        }
        .map_or_else(|| "the list".to_string(), |name| format!("`{name}`"));
        let (message, fix) = match len {
            Some(0) => (
                format!("the index {i} takes an item of {list}, which is always empty"),
                "take items of a list that has some".to_string(),
            ),
            Some(len) => (
                format!("the index {i} is never a place in {list}, of {len} items"),
                format!("items are counted from 1, the last is {len}"),
            ),
            None => (
                format!("the index {i} is never a place in {list}"),
                "items are counted from 1: `[1]` is the first".to_string(),
            ),
        };
        self.always_fails(Fault::NoSuchItem, message, &fix, at.span);
    }
}

/// The number of items of a list that is the same for every patient: a list written in the
/// protocol, or a `let` of one.
fn constant_length(program: &super::Program, e: &CExpr, depth: usize) -> Option<usize> {
    match &e.kind {
        CExprKind::List(items) => Some(items.len()),
        CExprKind::Const(Value::List(items)) => Some(items.len()),
        CExprKind::Let(slot) if depth < MAX_LIST_DEPTH => {
            constant_length(program, &program.lets.get(*slot)?.expr, depth + 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::parse_and_check;
    use crate::diagnostics::{Code, Source};

    /// The codes `check` reports for a protocol with `lets` whose one rule gives `give`.
    fn codes(lets: &str, give: &str) -> Vec<&'static str> {
        let text = format!(
            "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ d: mg in 0 mg..100 mg\n n: count in 0..10 }}\n \
             limit dose <= 1 g hard\n{lets}\n decide first {{ otherwise => give {give} }}\n}}\n"
        );
        let source = Source::new("t.dose", text.as_str());
        let (_, diags) = parse_and_check(&text, &source);
        diags.iter().map(|d| d.code).collect()
    }

    const FAILS: &str = Code::FormulaAlwaysFails.as_str();
    const ZERO: &str = Code::ValueDivisionByZero.as_str();

    #[test]
    fn a_constant_zero_divisor_is_refused_however_it_is_written() {
        assert_eq!(codes("", "10 mg / 0"), [ZERO]);
        assert_eq!(codes("", "10 mg * 1 mg / (1 mg - 1000 mcg)"), [ZERO]);
        assert_eq!(codes(" let none = 2 - 2", "10 mg / none"), [ZERO]);
        assert_eq!(codes(" let none = 1 - 1", "d * 2 / none"), [ZERO]);
        assert_eq!(codes("", "10 mg * 0 ^ -2"), [ZERO]);
    }

    #[test]
    fn a_divisor_from_the_patient_is_left_to_the_evaluator() {
        assert!(codes("", "10 mg / n").is_empty());
        assert!(codes("", "d / (n + 1)").is_empty());
        assert!(codes("", "d + 10 mg * 0 ^ 2").is_empty());
        assert!(codes("", "10 mg / 0.1").is_empty());
    }

    #[test]
    fn rounding_to_zero_or_to_no_strength_is_refused() {
        assert_eq!(codes("", "d round down to 0 mg"), [ZERO]);
        assert_eq!(codes("", "d round to (5 mg - 5 mg)"), [ZERO]);
        assert_eq!(codes("", "d round to nearest of []"), [FAILS]);
        assert!(codes("", "d round down to 0.5 mg").is_empty());
        assert!(codes("", "d round to nearest of [5 mg]").is_empty());
    }

    #[test]
    fn an_index_that_is_never_a_place_in_the_list_is_refused() {
        let list = " let strengths = [10 mg, 20 mg]";
        assert!(codes(list, "strengths[1]").is_empty());
        assert!(codes(list, "strengths[2]").is_empty());
        assert!(codes(list, "strengths[n]").is_empty());
        for bad in ["3", "0", "-1", "1.5", "1000000000000"] {
            assert_eq!(codes(list, &format!("strengths[{bad}]")), [FAILS], "{bad}");
        }
        // A `let` of a `let` of a list, and a list written in place.
        assert_eq!(
            codes(" let a = [1 mg]\n let b = a", "b[2]"),
            [FAILS],
            "through lets"
        );
        assert_eq!(codes("", "[1 mg, 2 mg, 3 mg][4]"), [FAILS]);
        assert!(codes("", "[1 mg, 2 mg, 3 mg][3]").is_empty());
        // A list's length that depends on the patient: only a place below 1 is known wrong.
        assert!(codes("", "(if n > 1 then [1 mg] else [1 mg, 2 mg])[2]").is_empty());
        assert_eq!(
            codes("", "(if n > 1 then [1 mg] else [1 mg, 2 mg])[0]"),
            [FAILS]
        );
    }
}
