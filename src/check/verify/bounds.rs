//! The values a dose (or a limit's bound) can take over a box of patients: interval arithmetic
//! over exact rationals, every unit converted exactly. The result always holds every value
//! the evaluator could compute for a patient of the box (it may hold more): what it cannot
//! follow (tables, lists, dates, texts, `round … to nearest of`, a square root, a function not
//! modelled here) is unknown (`None`), and nothing is claimed from an unknown value.

use std::cell::RefCell;
use std::collections::HashMap;

use super::interval::IntervalSet;
use super::region::{Cube, Present, Space};
use super::translate::domain_of;
use crate::check::{CExpr, CExprKind, Func, Program, Type};
use crate::ops::{BinaryOp, UnaryOp};
use crate::units::{Quantity, Rational, RoundMode, Unit};
use crate::value::Value;

/// How deep expressions and the `let`s they use are followed.
const MAX_DEPTH: usize = 256;

/// The closed hull of a value's possible values, in `unit`; `None` for an end is unbounded.
#[derive(Clone, Debug)]
pub struct Bounds {
    /// The unit of both ends.
    pub unit: Unit,
    /// The least value, if bounded below.
    pub lo: Option<Rational>,
    /// The most value, if bounded above.
    pub hi: Option<Rational>,
}

/// An end of an interval of the extended line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ext {
    NegInf,
    Fin(Rational),
    PosInf,
}

impl Ext {
    fn sign(&self) -> i8 {
        match self {
            Ext::NegInf => -1,
            Ext::PosInf => 1,
            Ext::Fin(r) if r.is_zero() => 0,
            Ext::Fin(r) if r.is_negative() => -1,
            Ext::Fin(_) => 1,
        }
    }

    /// The product, with 0 × ∞ = 0 (right for the hull of closed intervals).
    fn mul(&self, other: &Ext, factor: &Rational) -> Option<Ext> {
        match (self, other) {
            (Ext::Fin(a), Ext::Fin(b)) => {
                let v = a.mul(b).mul(factor);
                v.check_bounds().ok()?;
                Some(Ext::Fin(v))
            }
            _ => Some(match self.sign() * other.sign() {
                0 => Ext::Fin(Rational::ZERO),
                s if s > 0 => Ext::PosInf,
                _ => Ext::NegInf,
            }),
        }
    }
}

impl Bounds {
    /// One value.
    pub fn point(q: &Quantity) -> Bounds {
        Bounds {
            unit: q.unit.clone(),
            lo: Some(q.value.clone()),
            hi: Some(q.value.clone()),
        }
    }

    /// The least value as a quantity, when bounded below.
    pub fn low(&self) -> Option<Quantity> {
        self.lo.clone().map(|v| Quantity::new(v, self.unit.clone()))
    }

    /// The most value as a quantity, when bounded above.
    pub fn high(&self) -> Option<Quantity> {
        self.hi.clone().map(|v| Quantity::new(v, self.unit.clone()))
    }

    fn ends(&self) -> (Ext, Ext) {
        (
            self.lo.clone().map_or(Ext::NegInf, Ext::Fin),
            self.hi.clone().map_or(Ext::PosInf, Ext::Fin),
        )
    }

    /// The same values in `unit` (of the same kind), exactly.
    fn to_unit(&self, unit: &Unit) -> Option<Bounds> {
        let f = self.unit.factor_to(unit).ok()?.to_rational();
        let conv = |v: &Option<Rational>| -> Option<Option<Rational>> {
            match v {
                None => Some(None),
                Some(v) => {
                    let x = v.mul(&f);
                    x.check_bounds().ok()?;
                    Some(Some(x))
                }
            }
        };
        Some(Bounds {
            unit: unit.clone(),
            lo: conv(&self.lo)?,
            hi: conv(&self.hi)?,
        })
    }

    fn neg(&self) -> Bounds {
        Bounds {
            unit: self.unit.clone(),
            lo: self.hi.as_ref().map(Rational::neg),
            hi: self.lo.as_ref().map(Rational::neg),
        }
    }

    fn add(&self, other: &Bounds) -> Option<Bounds> {
        let o = other.to_unit(&self.unit)?;
        let sum = |a: &Option<Rational>, b: &Option<Rational>| -> Option<Option<Rational>> {
            match (a, b) {
                (Some(a), Some(b)) => {
                    let v = a.add(b);
                    v.check_bounds().ok()?;
                    Some(Some(v))
                }
                _ => Some(None),
            }
        };
        Some(Bounds {
            unit: self.unit.clone(),
            lo: sum(&self.lo, &o.lo)?,
            hi: sum(&self.hi, &o.hi)?,
        })
    }

    /// The hull of the products of the ends, in `unit` (the ends' values scaled by `factor`).
    fn combine(
        &self,
        other: (Ext, Ext),
        unit: Unit,
        factor: &Rational,
        op: fn(&Ext, &Ext, &Rational) -> Option<Ext>,
    ) -> Option<Bounds> {
        let (a0, a1) = self.ends();
        let (b0, b1) = other;
        let all = [
            op(&a0, &b0, factor)?,
            op(&a0, &b1, factor)?,
            op(&a1, &b0, factor)?,
            op(&a1, &b1, factor)?,
        ];
        let lo = all.iter().min()?.clone();
        let hi = all.iter().max()?.clone();
        Some(Bounds {
            unit,
            lo: match lo {
                Ext::Fin(v) => Some(v),
                _ => None,
            },
            hi: match hi {
                Ext::Fin(v) => Some(v),
                _ => None,
            },
        })
    }

    fn mul(&self, other: &Bounds) -> Option<Bounds> {
        let p = self.unit.mul(&other.unit).ok()?;
        self.combine(other.ends(), p.unit, &p.factor.to_rational(), |a, b, f| {
            a.mul(b, f)
        })
    }

    fn div(&self, other: &Bounds) -> Option<Bounds> {
        // A divisor that may be zero (or change sign) bounds nothing.
        let positive = other.lo.as_ref().is_some_and(Rational::is_positive);
        let negative = other.hi.as_ref().is_some_and(Rational::is_negative);
        if !positive && !negative {
            return None;
        }
        let recip = |e: &Ext| -> Option<Ext> {
            Some(match e {
                Ext::Fin(v) => Ext::Fin(v.recip()?),
                _ => Ext::Fin(Rational::ZERO),
            })
        };
        let (b0, b1) = other.ends();
        let (r0, r1) = (recip(&b1)?, recip(&b0)?);
        let p = self.unit.div(&other.unit).ok()?;
        self.combine((r0, r1), p.unit, &p.factor.to_rational(), |a, b, f| {
            a.mul(b, f)
        })
    }

    /// The hull of both (an `if`'s branches).
    fn hull(&self, other: &Bounds) -> Option<Bounds> {
        let o = other.to_unit(&self.unit)?;
        Some(Bounds {
            unit: self.unit.clone(),
            lo: min_opt(&self.lo, &o.lo, true),
            hi: max_opt(&self.hi, &o.hi, true),
        })
    }
}

/// The lesser of two ends; `None` is −∞ when `unbounded_wins` (a low end), else it is ignored.
fn min_opt(a: &Option<Rational>, b: &Option<Rational>, unbounded_wins: bool) -> Option<Rational> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if a <= b { a.clone() } else { b.clone() }),
        (Some(x), None) | (None, Some(x)) if !unbounded_wins => Some(x.clone()),
        _ => None,
    }
}

/// The greater of two ends; `None` is +∞ when `unbounded_wins` (a high end), else ignored.
fn max_opt(a: &Option<Rational>, b: &Option<Rational>, unbounded_wins: bool) -> Option<Rational> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if a >= b { a.clone() } else { b.clone() }),
        (Some(x), None) | (None, Some(x)) if !unbounded_wins => Some(x.clone()),
        _ => None,
    }
}

/// Works out [`Bounds`] of expressions for the patients of one box.
pub struct Evaluator<'p, 'c> {
    /// The program.
    program: &'p Program,
    /// The box: the values each input it names may take (the others: their declared values).
    cube: &'c Cube,
    /// Each `let` worked out once: `let b = a + a`, `let c = b + b`, … would otherwise be
    /// followed a number of times that doubles with each link.
    lets: RefCell<HashMap<usize, Option<Bounds>>>,
    /// The block's work (see `Space::spend`): once spent, nothing more is worked out.
    space: &'c Space,
}

impl<'p, 'c> Evaluator<'p, 'c> {
    /// An evaluator for the patients of `cube`, spending the work of `space`.
    pub fn new(program: &'p Program, cube: &'c Cube, space: &'c Space) -> Self {
        Evaluator {
            program,
            cube,
            lets: RefCell::new(HashMap::new()),
            space,
        }
    }

    /// The values `e` may take for a patient of the box, or `None` when they cannot be told.
    pub fn bounds(&self, e: &CExpr) -> Option<Bounds> {
        self.at(e, 0)
    }

    fn known_let(&self, slot: usize, depth: usize) -> Option<Bounds> {
        if let Some(known) = self.lets.borrow().get(&slot) {
            return known.clone();
        }
        let found = self.at(&self.program.lets.get(slot)?.expr, depth + 1);
        self.lets.borrow_mut().insert(slot, found.clone());
        found
    }

    fn input(&self, slot: usize) -> Option<Bounds> {
        let spec = self.program.inputs.get(slot)?;
        let Type::Num(u) = &spec.ty else { return None };
        let unit = spec.unit.clone().unwrap_or_else(|| u.clone());
        let set = match self.cube.get(&slot) {
            Some(set) => set.clone(),
            None => domain_of(spec)?,
        };
        let Present::Num(values) = &set.present else {
            return None;
        };
        hull_of(values, unit)
    }

    // Long on purpose: one arm per kind of expression the intervals follow, in one match.
    fn at(&self, e: &CExpr, depth: usize) -> Option<Bounds> {
        if depth > MAX_DEPTH || self.space.spend(1).is_err() {
            return None;
        }
        let sub = |x: &CExpr| self.at(x, depth + 1);
        match &e.kind {
            CExprKind::Const(Value::Num(q)) => Some(Bounds::point(q)),
            CExprKind::Input(slot) => self.input(*slot),
            CExprKind::Let(slot) => self.known_let(*slot, depth),
            CExprKind::Unary(UnaryOp::Neg, a) => Some(sub(a)?.neg()),
            CExprKind::Binary(op, a, b) => {
                let (x, y) = (sub(a)?, sub(b)?);
                match op {
                    BinaryOp::Add => x.add(&y),
                    BinaryOp::Sub => x.add(&y.neg()),
                    BinaryOp::Mul => x.mul(&y),
                    BinaryOp::Div => x.div(&y),
                    BinaryOp::Pow => {
                        let n = y.lo.as_ref().filter(|_| y.lo == y.hi)?.to_i64()?;
                        if !(1..=4).contains(&n) {
                            return None;
                        }
                        let mut out = x.clone();
                        for _ in 1..n {
                            out = out.mul(&x)?;
                        }
                        Some(out)
                    }
                    _ => None,
                }
            }
            CExprKind::If(_, a, b) => sub(a)?.hull(&sub(b)?),
            CExprKind::Round(a, _, step) => {
                let (x, s) = (sub(a)?, sub(step)?);
                let step = s.low().filter(|_| s.lo == s.hi)?;
                let lo = match x.low() {
                    Some(q) => Some(q.round_to_step(&step, RoundMode::Down).ok()?),
                    None => None,
                };
                let hi = match x.high() {
                    Some(q) => Some(q.round_to_step(&step, RoundMode::Up).ok()?),
                    None => None,
                };
                let unit = step.unit.clone();
                let value = |q: Option<Quantity>| -> Option<Option<Rational>> {
                    match q {
                        None => Some(None),
                        Some(q) => Some(Some(q.convert_to(&unit).ok()?.value)),
                    }
                };
                Some(Bounds {
                    lo: value(lo)?,
                    hi: value(hi)?,
                    unit,
                })
            }
            CExprKind::Call(f, args) => self.call(*f, args, depth),
            _ => None,
        }
    }

    fn call(&self, f: Func, args: &[CExpr], depth: usize) -> Option<Bounds> {
        let sub = |x: &CExpr| self.at(x, depth + 1);
        match f {
            Func::Min | Func::Max if args.len() >= 2 => {
                let mut out = sub(&args[0])?;
                for a in &args[1..] {
                    let y = sub(a)?.to_unit(&out.unit)?;
                    out = if f == Func::Min {
                        Bounds {
                            lo: min_opt(&out.lo, &y.lo, true),
                            hi: min_opt(&out.hi, &y.hi, false),
                            unit: out.unit,
                        }
                    } else {
                        Bounds {
                            lo: max_opt(&out.lo, &y.lo, false),
                            hi: max_opt(&out.hi, &y.hi, true),
                            unit: out.unit,
                        }
                    };
                }
                Some(out)
            }
            Func::Clamp if args.len() == 3 => {
                clamp(sub(&args[0])?, &sub(&args[1])?, &sub(&args[2])?)
            }
            Func::Abs if args.len() == 1 => abs(sub(&args[0])?),
            Func::Floor | Func::Ceil if args.len() == 1 => {
                let x = sub(&args[0])?;
                let round = |v: &Rational| {
                    if f == Func::Floor {
                        v.floor()
                    } else {
                        v.ceil()
                    }
                };
                Some(Bounds {
                    lo: x.lo.as_ref().map(round),
                    hi: x.hi.as_ref().map(round),
                    unit: x.unit,
                })
            }
            Func::Value if args.len() == 2 => {
                let x = sub(&args[0])?;
                let unit = sub(&args[1])?.unit;
                let b = x.to_unit(&unit)?;
                Some(Bounds {
                    unit: Unit::none(),
                    lo: b.lo,
                    hi: b.hi,
                })
            }
            _ => None,
        }
    }
}

/// `clamp(x, lo, hi)` is `lo` (when x < lo), `hi` (when x > hi) or x: at least
/// min(max(x, lo), hi) and at most max(min(x, hi), lo), end by end.
fn clamp(x: Bounds, lo: &Bounds, hi: &Bounds) -> Option<Bounds> {
    let lo = lo.to_unit(&x.unit)?;
    let hi = hi.to_unit(&x.unit)?;
    let least = min_opt(&max_opt(&x.lo, &lo.lo, false), &hi.lo, true);
    let most = max_opt(&min_opt(&x.hi, &hi.hi, false), &lo.hi, true);
    Some(Bounds {
        unit: x.unit,
        lo: least,
        hi: most,
    })
}

/// `abs(x)`: x itself when it is never negative, `-x` when never positive, else from zero to
/// the farther end.
fn abs(x: Bounds) -> Option<Bounds> {
    let zero = Rational::ZERO;
    if x.lo.as_ref().is_some_and(|l| *l >= zero) {
        return Some(x);
    }
    if x.hi.as_ref().is_some_and(|h| *h <= zero) {
        return Some(x.neg());
    }
    let far = match (&x.lo, &x.hi) {
        (Some(l), Some(h)) => max_opt(&Some(l.abs()), &Some(h.abs()), true),
        _ => None,
    };
    Some(Bounds {
        unit: x.unit,
        lo: Some(zero),
        hi: far,
    })
}

/// The closed hull of a set of values, or `None` when it is empty.
fn hull_of(values: &IntervalSet, unit: Unit) -> Option<Bounds> {
    let first = values.parts().first()?;
    let last = values.parts().last()?;
    Some(Bounds {
        unit,
        lo: first.lo.as_ref().map(|e| e.value.clone()),
        hi: last.hi.as_ref().map(|e| e.value.clone()),
    })
}
