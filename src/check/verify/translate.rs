//! A rule's condition as two regions: where it is true and where it is false (a condition on
//! a missing value is neither: the run stops with `posology::eval::missing`). Only conditions
//! built from comparisons of one input with constants, `and`, `or`, `not` and `is missing`
//! are read; anything else is opaque, with the reason.

use super::interval::{End, Interval, IntervalSet};
use super::region::{Present, Region, Space, TooLarge, VarSet};
use crate::check::{CExpr, CExprKind, InputSpec, Program, Type};
use crate::diagnostics::Span;
use crate::ops::{BinaryOp, IsTest, UnaryOp};
use crate::units::{Quantity, Rational, Unit};
use crate::value::Value;

/// Lets followed to the input they name, at most this deep (`let a = b`, `let b = crcl`).
const MAX_ALIAS_DEPTH: usize = 16;

/// Where a condition is true and where it is false.
#[derive(Clone, Debug)]
pub struct Truth {
    /// Patients for whom it holds.
    pub t: Region,
    /// Patients for whom it does not hold (and does not stop on a missing value).
    pub f: Region,
}

/// Why a condition cannot be read as boxes.
#[derive(Clone, Debug)]
pub struct Opaque {
    /// The part of the condition that cannot be read.
    pub span: Span,
    /// Why, in a few words.
    pub why: String,
}

/// The reading of one condition.
pub type Reading = Result<Truth, Opaque>;

/// Reads conditions against one program's inputs.
pub struct Reader<'p> {
    /// The program.
    pub program: &'p Program,
    /// The declared values of each input read so far.
    pub space: Space,
}

/// What reading a comparison needs of an input's declared values (see `Reader::domain_shape`).
#[derive(Clone, Copy)]
struct Shape {
    /// How many values a choice has; `None` for a number.
    choices: Option<usize>,
    /// Only whole numbers exist (a `count`).
    whole: bool,
}

/// The declared values of an input, when it is of a kind boxes can hold.
pub fn domain_of(spec: &InputSpec) -> Option<VarSet> {
    let present = match &spec.ty {
        Type::Num(unit) => {
            let unit = spec.unit.as_ref().unwrap_or(unit);
            let range = match &spec.range {
                Some((lo, hi)) => Interval {
                    lo: Some(End::closed(in_unit(lo, unit)?)),
                    hi: Some(End::closed(in_unit(hi, unit)?)),
                },
                None => Interval::all(),
            };
            Present::Num(IntervalSet::of(vec![range]).into())
        }
        Type::Bool => Present::Choice(vec![true, true].into()),
        Type::Enum(_) => return None,
        _ => return None,
    };
    Some(VarSet {
        present,
        missing: spec.optional && spec.default.is_none(),
        whole: spec.whole,
    })
}

/// The value of `q` in `unit` (of its kind), exactly: what `Quantity::compare` compares.
pub fn in_unit(q: &Quantity, unit: &Unit) -> Option<Rational> {
    if q.unit == *unit {
        // `v · f / f` is `v` (rationals are kept in one canonical form), for a factor that
        // is there and not zero: the common case of a bound written in the input's unit.
        let f = unit.factor().ok()?.to_rational();
        return (!f.is_zero()).then(|| q.value.clone());
    }
    let from = q.unit.factor().ok()?.to_rational();
    let to = unit.factor().ok()?.to_rational();
    q.value.mul(&from).div(&to).ok()
}

impl<'p> Reader<'p> {
    /// A reader with no input read yet.
    pub fn new(program: &'p Program) -> Self {
        Reader {
            program,
            space: Space::default(),
        }
    }

    /// The text of the protocol at `span`.
    pub fn text(&self, span: Span) -> &'p str {
        self.program
            .source
            .text
            .get(span.start..span.end)
            .unwrap_or("")
    }

    fn opaque(&self, e: &CExpr, why: &str) -> Opaque {
        Opaque {
            span: e.span,
            why: why.to_string(),
        }
    }

    /// The input a name stands for: an input, or a let that is exactly one.
    pub fn var(&self, e: &CExpr) -> Option<usize> {
        let mut e = e;
        for _ in 0..MAX_ALIAS_DEPTH {
            match &e.kind {
                CExprKind::Input(slot) => return Some(*slot),
                CExprKind::Let(slot) => e = &self.program.lets.get(*slot)?.expr,
                _ => return None,
            }
        }
        None
    }

    /// The constant an expression is (a literal, its negation, or a let that is one).
    fn constant(&self, e: &CExpr) -> Option<Value> {
        let mut e = e;
        for _ in 0..MAX_ALIAS_DEPTH {
            match &e.kind {
                CExprKind::Const(v) if !v.is_missing() => return Some(v.clone()),
                CExprKind::Unary(UnaryOp::Neg, inner) => {
                    return match self.constant(inner)? {
                        Value::Num(q) => Some(Value::Num(q.neg())),
                        _ => None,
                    }
                }
                CExprKind::Let(slot) => e = &self.program.lets.get(*slot)?.expr,
                _ => return None,
            }
        }
        None
    }

    /// The declared values of input `slot`, registered in the space on first use.
    fn domain(&mut self, slot: usize) -> Option<VarSet> {
        if let Some(d) = self.space.domains.get(&slot) {
            return Some(d.clone());
        }
        let spec = self.program.inputs.get(slot)?;
        let d = match &spec.ty {
            Type::Enum(id) => VarSet {
                present: Present::Choice(
                    vec![true; self.program.enums.get(*id as usize)?.values.len()].into(),
                ),
                missing: spec.optional && spec.default.is_none(),
                whole: false,
            },
            _ => domain_of(spec)?,
        };
        self.space.domains.insert(slot, d.clone());
        Some(d)
    }

    /// What [`Reader::domain`] says of input `slot` that reading a comparison needs (whether
    /// it is a choice, of how many values, and whether only whole numbers exist), without
    /// copying its values (a copy of an interval set of exact numbers allocates).
    fn domain_shape(&mut self, slot: usize) -> Option<Shape> {
        let d = match self.space.domains.get(&slot) {
            Some(d) => d,
            None => {
                self.domain(slot)?;
                self.space.domains.get(&slot)?
            }
        };
        Some(Shape {
            choices: match &d.present {
                Present::Num(_) => None,
                Present::Choice(all) => Some(all.len()),
            },
            whole: d.whole,
        })
    }

    /// The region where choice input `slot` is one of `indexes`.
    pub fn choices(&mut self, slot: usize, indexes: &[usize]) -> Result<Region, Opaque> {
        let e = CExpr {
            kind: CExprKind::Input(slot),
            ty: Type::Error,
            span: Span::default(),
        };
        self.choice_atom(&e, slot, indexes, false)
    }

    /// For a comparison of one numeric input with a constant (either side): the input and the
    /// constant in the input's unit.
    pub fn bound(&self, a: &CExpr, b: &CExpr) -> Option<(usize, Rational)> {
        let (slot, c) = match (self.var(a), self.var(b)) {
            (Some(s), None) => (s, b),
            (None, Some(s)) => (s, a),
            _ => return None,
        };
        let spec = self.program.inputs.get(slot)?;
        let unit = match &spec.ty {
            Type::Num(u) => spec.unit.as_ref().unwrap_or(u),
            _ => return None,
        };
        match self.constant(c)? {
            Value::Num(q) => Some((slot, in_unit(&q, unit)?)),
            _ => None,
        }
    }

    /// Where `e` is true and where it is false, or why that cannot be told.
    pub fn read(&mut self, e: &CExpr) -> Reading {
        // Once the block's work is spent, nothing more is read (each reading costs at least
        // the size of a choice's values).
        if self.space.spend(1).is_err() {
            return Err(self.opaque(e, "the block is too large to follow"));
        }
        self.read_at(e, 0)
    }

    fn read_at(&mut self, e: &CExpr, depth: usize) -> Reading {
        if depth > 64 {
            return Err(self.opaque(e, "it is nested too deep to follow"));
        }
        let big = |_: TooLarge| Opaque {
            span: e.span,
            why: "it splits the patients into too many cases to follow".to_string(),
        };
        match &e.kind {
            CExprKind::Unary(UnaryOp::Not, inner) => {
                let r = self.read_at(inner, depth + 1)?;
                Ok(Truth { t: r.f, f: r.t })
            }
            CExprKind::Binary(BinaryOp::And, a, b) => {
                let x = self.read_at(a, depth + 1)?;
                let y = self.read_at(b, depth + 1)?;
                // `a and b` reads `b` only when `a` holds.
                let t = self.space.and(&x.t, &y.t).map_err(big)?;
                let tf = self.space.and(&x.t, &y.f).map_err(big)?;
                let f = self.space.or(x.f, tf).map_err(big)?;
                Ok(Truth { t, f })
            }
            CExprKind::Binary(BinaryOp::Or, a, b) => {
                let x = self.read_at(a, depth + 1)?;
                let y = self.read_at(b, depth + 1)?;
                let ft = self.space.and(&x.f, &y.t).map_err(big)?;
                let t = self.space.or(x.t, ft).map_err(big)?;
                let f = self.space.and(&x.f, &y.f).map_err(big)?;
                Ok(Truth { t, f })
            }
            CExprKind::Const(Value::Bool(b)) => Ok(if *b {
                Truth {
                    t: Space::full(),
                    f: Region::new(),
                }
            } else {
                Truth {
                    t: Region::new(),
                    f: Space::full(),
                }
            }),
            CExprKind::Is(inner, test @ (IsTest::Missing | IsTest::NotMissing)) => {
                self.is_missing(e, inner, *test == IsTest::Missing)
            }
            CExprKind::Binary(op, a, b) if is_comparison(*op) => self.comparison(e, *op, a, b),
            CExprKind::Input(_) | CExprKind::Let(_) if e.ty == Type::Bool => {
                let Some(slot) = self.var(e) else {
                    return Err(self.opaque(e, "it is worked out from the patient's data"));
                };
                let t = self.choice_atom(e, slot, &[1], false)?;
                let f = self.choice_atom(e, slot, &[0], false)?;
                Ok(Truth { t, f })
            }
            CExprKind::Call(..) => Err(self.opaque(e, "it calls a function")),
            _ => Err(self.opaque(e, "it is not a comparison of one input with a constant")),
        }
    }

    fn is_missing(&mut self, e: &CExpr, inner: &CExpr, missing: bool) -> Reading {
        let Some(slot) = self.var(inner) else {
            return Err(self.opaque(e, "it tests a value worked out from the patient's data"));
        };
        let Some(d) = self.domain(slot) else {
            return Err(self.opaque(e, "the input is of a kind the verifier does not follow"));
        };
        let absent = VarSet {
            present: empty_like(&d.present),
            missing: true,
            whole: d.whole,
        };
        let given = VarSet {
            missing: false,
            ..d.clone()
        };
        let (t, f) = if missing {
            (absent, given)
        } else {
            (given, absent)
        };
        Ok(Truth {
            t: self.space.atom(slot, t),
            f: self.space.atom(slot, f),
        })
    }

    /// A region where input `slot` is one of `indexes` (and missing, when `missing`).
    fn choice_atom(
        &mut self,
        e: &CExpr,
        slot: usize,
        indexes: &[usize],
        missing: bool,
    ) -> Result<Region, Opaque> {
        let Some(shape) = self.domain_shape(slot) else {
            return Err(self.opaque(e, "the input is of a kind the verifier does not follow"));
        };
        let Some(choices) = shape.choices else {
            return Err(self.opaque(e, "the input is not a choice"));
        };
        if self.space.spend(choices as u64 * 4).is_err() {
            return Err(self.opaque(e, "the block is too large to follow"));
        }
        let mut set = vec![false; choices];
        for &i in indexes {
            if let Some(x) = set.get_mut(i) {
                *x = true;
            }
        }
        Ok(self.space.atom_choice(slot, set, missing))
    }

    /// A region where numeric input `slot` is in `set` (and missing, when `missing`).
    fn num_atom(&mut self, slot: usize, set: IntervalSet, missing: bool) -> Region {
        let whole = self.domain_shape(slot).is_some_and(|d| d.whole);
        self.space.atom_num(slot, set, missing, whole)
    }

    // Long on purpose: each comparison (order, equality, a range, a list) of one input with
    // constants, with the way each treats a missing value, read in one place.
    fn comparison(&mut self, e: &CExpr, op: BinaryOp, a: &CExpr, b: &CExpr) -> Reading {
        let (slot, op, other) = match (self.var(a), self.var(b)) {
            (Some(s), None) => (s, op, b),
            (None, Some(s)) if op != BinaryOp::In => (s, mirror(op), a),
            (Some(_), Some(_)) => return Err(self.opaque(e, "it compares two inputs")),
            _ => {
                return Err(self.opaque(e, "it compares values worked out from the patient's data"))
            }
        };
        let Some(shape) = self.domain_shape(slot) else {
            return Err(self.opaque(e, "the input is of a kind the verifier does not follow"));
        };
        let unit = self.program.inputs[slot].unit.clone().or_else(|| {
            match &self.program.inputs[slot].ty {
                Type::Num(u) => Some(u.clone()),
                _ => None,
            }
        });
        // Written out only when the value is not a constant (not for each comparison read).
        let not_const = |r: &Self| {
            let why = format!(
                "it compares `{}` with a value worked out from the patient's data",
                r.program.inputs[slot].name
            );
            r.opaque(e, &why)
        };
        if op == BinaryOp::In {
            let Some(domain) = self.domain(slot) else {
                return Err(self.opaque(e, "the input is of a kind the verifier does not follow"));
            };
            return self.membership(e, slot, &domain, unit.as_ref(), other);
        }
        let value = self.constant(other).ok_or_else(|| not_const(self))?;
        let (t_set, missing_t) = match (&value, shape.choices) {
            (Value::Num(q), None) => {
                let unit = unit.ok_or_else(|| not_const(self))?;
                let v = in_unit(q, &unit).ok_or_else(|| not_const(self))?;
                let t = IntervalSet::single(order_interval(op, v));
                let f = t.complement();
                // A value not given equals nothing: `==` is false and `!=` true for it.
                return Ok(match op {
                    BinaryOp::Eq => Truth {
                        t: self.num_atom(slot, t, false),
                        f: self.num_atom(slot, f, true),
                    },
                    BinaryOp::Ne => Truth {
                        t: self.num_atom(slot, f, true),
                        f: self.num_atom(slot, t, false),
                    },
                    _ => Truth {
                        t: self.num_atom(slot, t, false),
                        f: self.num_atom(slot, f, false),
                    },
                });
            }
            (Value::Enum(_, i), Some(_)) => (vec![*i as usize], op == BinaryOp::Ne),
            (Value::Bool(x), Some(_)) => (vec![usize::from(*x)], op == BinaryOp::Ne),
            _ => return Err(not_const(self)),
        };
        let Some(choices) = shape.choices else {
            return Err(not_const(self));
        };
        let others = complement_of(choices, &t_set);
        match op {
            BinaryOp::Eq => Ok(Truth {
                t: self.choice_atom(e, slot, &t_set, false)?,
                f: self.choice_atom(e, slot, &others, true)?,
            }),
            BinaryOp::Ne => Ok(Truth {
                t: self.choice_atom(e, slot, &others, missing_t)?,
                f: self.choice_atom(e, slot, &t_set, false)?,
            }),
            _ => Err(self.opaque(e, "it orders choices")),
        }
    }

    /// `x in lo..hi` (both ends included) or `x in [a, b, …]`; a missing `x` stops the run.
    fn membership(
        &mut self,
        e: &CExpr,
        slot: usize,
        domain: &VarSet,
        unit: Option<&Unit>,
        set: &CExpr,
    ) -> Reading {
        let not_const =
            |r: &Self| r.opaque(e, "its range or list is worked out from the patient's data");
        let items: Vec<Value> = match &set.kind {
            CExprKind::Binary(BinaryOp::Range, lo, hi) => {
                let (Some(Value::Num(lo)), Some(Value::Num(hi)), Some(unit)) =
                    (self.constant(lo), self.constant(hi), unit)
                else {
                    return Err(not_const(self));
                };
                let (Some(lo), Some(hi)) = (in_unit(&lo, unit), in_unit(&hi, unit)) else {
                    return Err(not_const(self));
                };
                let t = IntervalSet::of(vec![Interval {
                    lo: Some(End::closed(lo)),
                    hi: Some(End::closed(hi)),
                }]);
                let f = t.complement();
                return Ok(Truth {
                    t: self.num_atom(slot, t, false),
                    f: self.num_atom(slot, f, false),
                });
            }
            CExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.constant(item).ok_or_else(|| not_const(self))?);
                }
                values
            }
            CExprKind::Const(Value::List(items)) => items.to_vec(),
            _ => return Err(not_const(self)),
        };
        match &domain.present {
            Present::Num(_) => {
                let unit = unit.ok_or_else(|| not_const(self))?;
                let mut points = Vec::new();
                for v in &items {
                    let Value::Num(q) = v else {
                        return Err(not_const(self));
                    };
                    points.push(Interval::point(
                        in_unit(q, unit).ok_or_else(|| not_const(self))?,
                    ));
                }
                let t = IntervalSet::of(points);
                let f = t.complement();
                Ok(Truth {
                    t: self.num_atom(slot, t, false),
                    f: self.num_atom(slot, f, false),
                })
            }
            Present::Choice(all) => {
                let mut chosen = Vec::new();
                for v in &items {
                    match v {
                        Value::Enum(_, i) => chosen.push(*i as usize),
                        Value::Bool(b) => chosen.push(usize::from(*b)),
                        _ => return Err(not_const(self)),
                    }
                }
                let others = complement_of(all.len(), &chosen);
                Ok(Truth {
                    t: self.choice_atom(e, slot, &chosen, false)?,
                    f: self.choice_atom(e, slot, &others, false)?,
                })
            }
        }
    }
}

/// The indexes below `n` not in `chosen` (a mask: a choice may have 100,000 values).
fn complement_of(n: usize, chosen: &[usize]) -> Vec<usize> {
    let mut mask = vec![true; n];
    for &i in chosen {
        if let Some(x) = mask.get_mut(i) {
            *x = false;
        }
    }
    (0..n).filter(|&i| mask[i]).collect()
}

/// The present values of no kind: an empty set like `p`.
fn empty_like(p: &Present) -> Present {
    match p {
        Present::Num(_) => Present::Num(IntervalSet::empty().into()),
        Present::Choice(c) => Present::Choice(vec![false; c.len()].into()),
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
    )
}

/// `c op x` as `x op' c`.
fn mirror(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// The values `x` with `x op v` (for `==` and `!=`, the point `v`).
fn order_interval(op: BinaryOp, v: Rational) -> Interval {
    match op {
        BinaryOp::Lt => Interval {
            lo: None,
            hi: Some(End::open(v)),
        },
        BinaryOp::Le => Interval {
            lo: None,
            hi: Some(End::closed(v)),
        },
        BinaryOp::Gt => Interval {
            lo: Some(End::open(v)),
            hi: None,
        },
        BinaryOp::Ge => Interval {
            lo: Some(End::closed(v)),
            hi: None,
        },
        _ => Interval::point(v),
    }
}
