//! Doses written as constants are judged before anything runs: a zero or negative dose, a
//! range written high end first, or a zero or negative frequency would be refused by the
//! safety gate for every patient, so `check` says so at the place it is written.
//!
//! Only what does not depend on the patient is folded: literals, `let`s of literals, and
//! arithmetic, negation and ranges over them. Anything else is left to the gate at run time.

use foldhash::HashMap;
use std::cmp::Ordering;

use super::{ActionSpec, CExpr, CExprKind, CheckError, Checker, FrequencySpec, Program};
use crate::ops::{BinaryOp, UnaryOp};
use crate::units::Quantity;

/// How deep expressions and the `let`s they use are followed: a guard for the stack. A protocol
/// that checks never comes near it (a value is at most [`super::declare::MAX_LET_DEPTH`]
/// operations deep through its `let`s, and each `let` adds one step here), so a `let`'s fold,
/// remembered once made, is the same from wherever it is reached.
const MAX_DEPTH: usize = 4 * super::declare::MAX_LET_DEPTH;

/// A constant amount: one value, or a range's two ends as written.
#[derive(Clone)]
pub(super) enum Folded {
    One(Quantity),
    Range(Quantity, Quantity),
}

impl Checker<'_> {
    /// Reports every constant dose, range or frequency that no patient could be given.
    pub(super) fn check_constant_doses(&mut self) {
        let program = &self.program;
        let mut found = Vec::new();
        let mut folds = Folds::new(program);
        let rules = program
            .global
            .iter()
            .chain(program.phases.iter().flat_map(|p| p.decides.iter()))
            .flat_map(|d| d.rules.iter());
        for rule in rules {
            for action in &rule.actions {
                match &action.action {
                    ActionSpec::Give(g) => {
                        amount_problems(&mut folds, &g.amount, &mut found);
                        if let Some(f) = &g.frequency {
                            frequency_problems(&mut folds, f, &mut found);
                        }
                    }
                    ActionSpec::Schedule(s) => {
                        amount_problems(&mut folds, &s.from, &mut found);
                        if let Some(f) = &s.frequency {
                            frequency_problems(&mut folds, f, &mut found);
                        }
                    }
                    ActionSpec::Choose(alts) => {
                        for alt in alts {
                            amount_problems(&mut folds, &alt.give.amount, &mut found);
                            if let Some(f) = &alt.give.frequency {
                                frequency_problems(&mut folds, f, &mut found);
                            }
                        }
                    }
                    ActionSpec::Stepped(s) => {
                        for st in &s.steps {
                            amount_problems(&mut folds, &st.amount, &mut found);
                            if let Some(f) = &st.frequency {
                                frequency_problems(&mut folds, f, &mut found);
                            }
                            if let Some(d) = &st.duration {
                                duration_problems(&mut folds, d, &mut found);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for problem in found {
            self.error(problem.into());
        }
    }
}

/// True when `a` and `b` are the same constant amount, range or frequency, exactly across
/// units (`1 mg` and `1000 mcg`; `5 mg..10 mg` and `5000 mcg..0.01 g`): the verifier's
/// `decide any` compares the doses two rules give with it.
pub(super) fn same_constant(program: &Program, a: &CExpr, b: &CExpr) -> bool {
    let mut folds = Folds::new(program);
    let same = |x: &Quantity, y: &Quantity| x.compare(y).is_ok_and(Ordering::is_eq);
    match (folds.fold(a, 0), folds.fold(b, 0)) {
        (Some(Folded::One(x)), Some(Folded::One(y))) => same(&x, &y),
        (Some(Folded::Range(x0, x1)), Some(Folded::Range(y0, y1))) => {
            same(&x0, &y0) && same(&x1, &y1)
        }
        _ => false,
    }
}

type Found = Vec<CheckError>;

fn amount_problems(folds: &mut Folds<'_>, e: &CExpr, found: &mut Found) {
    let Some(folded) = folds.fold(e, 0) else {
        return;
    };
    let (lo, hi) = match &folded {
        Folded::One(q) => (q, q),
        Folded::Range(lo, hi) => (lo, hi),
    };
    if matches!(folded, Folded::Range(..)) && lo.compare(hi).is_ok_and(Ordering::is_gt) {
        found.push(CheckError::ReversedDoseRange {
            low: lo.to_string(),
            high: hi.to_string(),
            span: e.span,
        });
        return;
    }
    for end in [lo, hi] {
        if !end.is_positive() {
            found.push(CheckError::NotPositive {
                value: end.to_string(),
                span: e.span,
            });
            return;
        }
    }
}

fn frequency_problems(folds: &mut Folds<'_>, f: &FrequencySpec, found: &mut Found) {
    let (e, what) = match f {
        FrequencySpec::TimesDaily(n) => (n, "doses a day"),
        FrequencySpec::Every(t) => (t, "as the interval between doses"),
    };
    if let Some(Folded::One(q)) = folds.fold(e, 0) {
        if !q.is_positive() {
            found.push(CheckError::FrequencyNotPositive {
                value: q.to_string(),
                what,
                span: e.span,
            });
        }
    }
}

/// A schedule step lasts a whole number of days, more than zero.
fn duration_problems(folds: &mut Folds<'_>, e: &CExpr, found: &mut Found) {
    let Some(Folded::One(q)) = folds.fold(e, 0) else {
        return;
    };
    let day = crate::units::Unit::atom(crate::units::Atom::Day);
    let whole = q
        .convert_to(&day)
        .is_ok_and(|d| d.is_positive() && d.value.fract().is_zero());
    if !whole {
        found.push(CheckError::StepDuration {
            value: q.to_string(),
            span: e.span,
        });
    }
}

/// Folds expressions to constants, each `let` once: a `let` used on both sides of each of a
/// chain of `let`s (`let b = a + a`, `let c = b + b`, …) would otherwise be folded a number
/// of times that doubles with each link.
pub(super) struct Folds<'p> {
    program: &'p Program,
    lets: HashMap<usize, Option<Folded>>,
}

impl<'p> Folds<'p> {
    pub(super) fn new(program: &'p Program) -> Self {
        Folds {
            program,
            lets: HashMap::default(),
        }
    }

    /// The value of an expression that does not depend on the patient, if it is one.
    pub(super) fn fold(&mut self, e: &CExpr, depth: usize) -> Option<Folded> {
        if depth > MAX_DEPTH {
            return None;
        }
        match &e.kind {
            CExprKind::Const(v) => v.as_num().cloned().map(Folded::One),
            CExprKind::Let(slot) => {
                if let Some(known) = self.lets.get(slot) {
                    return known.clone();
                }
                let program = self.program;
                let folded = self.fold(&program.lets.get(*slot)?.expr, depth + 1);
                self.lets.insert(*slot, folded.clone());
                folded
            }
            CExprKind::Unary(UnaryOp::Neg, inner) => match self.fold(inner, depth + 1)? {
                Folded::One(q) => Some(Folded::One(q.neg())),
                Folded::Range(lo, hi) => Some(Folded::Range(hi.neg(), lo.neg())),
            },
            CExprKind::Binary(op, a, b) => {
                let (Folded::One(a), Folded::One(b)) =
                    (self.fold(a, depth + 1)?, self.fold(b, depth + 1)?)
                else {
                    return None;
                };
                match op {
                    BinaryOp::Range => Some(Folded::Range(a, b)),
                    BinaryOp::Add => a.add(&b).ok().map(Folded::One),
                    BinaryOp::Sub => a.sub(&b).ok().map(Folded::One),
                    BinaryOp::Mul => a.mul(&b).ok().map(Folded::One),
                    BinaryOp::Div => a.div(&b).ok().map(Folded::One),
                    BinaryOp::Pow => {
                        let n = i32::try_from(b.value.to_i64()?).ok()?;
                        a.powi(n).ok().map(Folded::One)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::parse_and_check;
    use crate::diagnostics::Source;

    /// The codes `check` reports for a protocol whose one rule gives `give`.
    fn codes(lets: &str, give: &str) -> Vec<&'static str> {
        let text = format!(
            "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ d: mg }}\n limit dose <= 1 g hard\n \
             limit daily <= 4 g/day hard\n{lets}\n decide first {{ otherwise => give {give} }}\n}}\n"
        );
        let source = Source::new("t.dose", text.as_str());
        let (_, diags) = parse_and_check(&text, &source);
        diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn constants_are_folded_through_lets_units_and_negation() {
        let bad = crate::diagnostics::Code::GiveNotPositive.as_str();
        assert_eq!(codes("", "0.03 g..10 mg"), [bad]);
        assert_eq!(
            codes(" let low = 60 mg", "low..(low - 50 mg) 2 times daily"),
            [bad]
        );
        assert_eq!(codes("", "-(10 mg..60 mg)"), [bad]);
        assert_eq!(codes("", "(5 mg - 5 mg)"), [bad]);
        assert_eq!(codes(" let n = 2 - 3", "5 mg n times daily"), [bad]);
        assert_eq!(codes("", "5 mg every (1 h - 1 h)"), [bad]);
    }

    #[test]
    fn what_depends_on_the_patient_is_left_to_the_gate() {
        assert!(codes("", "d..10 mg").is_empty());
        assert!(codes("", "(d - 5 mg) 3 times daily").is_empty());
        assert!(codes("", "10 mg..0.03 g").is_empty());
        assert!(codes(" let n = 3", "5 mg n times daily").is_empty());
    }
}
