//! Exact quantities (a rational value with a unit) and their arithmetic: every operation is
//! exact and checked, conversions are exact or refused, comparisons are exact.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::atom::{Atom, Kind};
use super::dim::Dim;
use super::error::UnitError;
use super::rational::Rational;
use super::unit::{Product, Unit};

/// A value with a unit, e.g. 300 mcg/day. `==` compares value and unit as written (5 mg is
/// not `==` 5000 mcg); use [`Quantity::compare`] to compare amounts across units.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Quantity {
    /// The exact value, in `unit`.
    pub value: Rational,
    /// The unit the value is in.
    pub unit: Unit,
}

/// A copy is two small copies (a small value and a unit handle, in the common case), made at
/// every step of the evaluator: always inlined, so that whether it is does not change with
/// what else calls it (it went in and out of line as unrelated code changed, moving the
/// evaluator's cost by 1-2%).
impl Clone for Quantity {
    #[inline(always)]
    fn clone(&self) -> Quantity {
        Quantity {
            value: self.value.clone(),
            unit: self.unit.clone(),
        }
    }
}

/// `value` if it is within the bounds every quantity keeps ([`Rational::check_bounds`]).
fn bounded(value: Rational) -> Result<Rational, UnitError> {
    value.check_bounds()?;
    Ok(value)
}

/// `value · factor`, exactly.
fn scaled(value: &Rational, factor: &super::Ratio) -> Rational {
    if factor.is_one() {
        value.clone()
    } else {
        value.mul(&factor.to_rational())
    }
}

impl Quantity {
    /// A quantity from a value and a unit.
    pub fn new(value: Rational, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }

    /// A plain number (no unit).
    pub fn number(value: Rational) -> Quantity {
        Quantity::new(value, Unit::none())
    }

    /// What kind of quantity this is.
    pub fn dim(&self) -> Dim {
        self.unit.dim()
    }

    /// True when the value is zero (in any unit).
    pub fn is_zero(&self) -> bool {
        self.value.is_zero()
    }

    /// True when the value is more than zero (in any unit: unit factors are positive).
    pub fn is_positive(&self) -> bool {
        self.value.is_positive()
    }

    /// True when the value has no finite decimal expansion (2/3 mg): `Display` then shows it
    /// rounded with a `~`. The value itself is still exact.
    pub fn is_approximate(&self) -> bool {
        !self.value.terminates()
    }

    /// `self + other`, exactly, in the finer of the two units (5 mg + 500 mcg = 5500 mcg).
    pub fn add(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let (unit, a, b) = self.aligned(other, "add")?;
        let value = bounded(a.add(&b))?;
        Ok(Quantity { value, unit })
    }

    /// `self − other`, exactly, in the finer of the two units.
    pub fn sub(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let (unit, a, b) = self.aligned(other, "subtract")?;
        let value = bounded(a.sub(&b))?;
        Ok(Quantity { value, unit })
    }

    /// `self × other`, exactly; the unit is the product of the units with cancellation, and
    /// `%` folds into the value (300 mcg/day × 110% = 330 mcg/day).
    pub fn mul(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let Product { unit, factor } = self.unit.mul(&other.unit)?;
        let value = bounded(scaled(&self.value.mul(&other.value), &factor))?;
        Ok(Quantity { value, unit })
    }

    /// `self ÷ other`, exactly; the unit is the quotient of the units with cancellation (mL ÷
    /// mL/day = day). A quotient that does not terminate (1 mg ÷ 3) is kept exactly and shown
    /// with a `~`; see [`Quantity::div_exact`] to refuse it instead.
    pub fn div(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        if other.value.is_zero() {
            return Err(UnitError::DivisionByZero);
        }
        let Product { unit, factor } = self.unit.div(&other.unit)?;
        let value = bounded(scaled(&self.value.div(&other.value)?, &factor))?;
        Ok(Quantity { value, unit })
    }

    /// `self ÷ other`, refused with [`UnitError::Inexact`] unless the quotient has a finite
    /// decimal expansion.
    pub fn div_exact(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let q = self.div(other)?;
        if q.is_approximate() {
            return Err(UnitError::Inexact {
                from: format!("{} ÷ {}", self.display_exact(), other.display_exact()),
                to: display_unit(&q.unit),
            });
        }
        Ok(q)
    }

    /// `−self`.
    pub fn neg(&self) -> Quantity {
        Quantity::new(self.value.neg(), self.unit.clone())
    }

    /// Compares two quantities of the same kind exactly, across units (1 mg/day is more than
    /// 41 mcg/h and less than 42 mcg/h).
    // Inlined: the evaluator's comparisons and the limits all end here, and two values in the
    // same unit, the usual, compare as they are.
    #[inline]
    pub fn compare(&self, other: &Quantity) -> Result<Ordering, UnitError> {
        if self.unit.same_scale(&other.unit) {
            return Ok(self.value.cmp(&other.value));
        }
        self.compare_across(other)
    }

    /// [`Quantity::compare`] of values in different units: each scaled by its unit's factor.
    #[inline(never)]
    fn compare_across(&self, other: &Quantity) -> Result<Ordering, UnitError> {
        self.same_dim(other, "compare")?;
        let (fa, fb) = (self.unit.factor()?, other.unit.factor()?);
        Ok(scaled(&self.value, &fa).cmp(&scaled(&other.value, &fb)))
    }

    /// The same amount in another unit of the same kind, exactly, or [`UnitError::Inexact`]
    /// when a value with a finite decimal expansion would lose it (0.3 mg/day → 300 mcg/day;
    /// 300 mcg/day → 12.5 mcg/h; 1 mg/day → mcg/h, 41.666… mcg/h, is refused).
    pub fn convert_to(&self, to: &Unit) -> Result<Quantity, UnitError> {
        let converted = self.convert_exactly_to(to)?;
        // A decimal times a decimal factor is a decimal: only a factor without a finite
        // expansion (mg/day to mg/h) can lose one.
        if !converted.value.terminates() && self.value.terminates() {
            return Err(UnitError::Inexact {
                from: self.display_exact(),
                to: display_unit(to),
            });
        }
        Ok(converted)
    }

    /// The same amount in another unit of the same kind, exactly, even where its decimal
    /// expansion does not end (1 mg/day is 1/24 mg/h): for a bound a value is held to, which
    /// must be the bound itself, never a rounding of it.
    pub fn convert_exactly_to(&self, to: &Unit) -> Result<Quantity, UnitError> {
        if self.unit.converts_to_itself(to) {
            return Ok(Quantity::new(self.value.clone(), to.clone()));
        }
        let factor = self.unit.factor_to(to)?;
        Ok(Quantity::new(
            bounded(scaled(&self.value, &factor))?,
            to.clone(),
        ))
    }

    /// The largest whole number of this unit not above the value (63.3 days → 63 days).
    pub fn floor(&self) -> Quantity {
        Quantity::new(self.value.floor(), self.unit.clone())
    }

    /// The smallest whole number of this unit not below the value (63.3 days → 64 days).
    pub fn ceil(&self) -> Quantity {
        Quantity::new(self.value.ceil(), self.unit.clone())
    }

    pub(crate) fn same_dim(&self, other: &Quantity, op: &'static str) -> Result<(), UnitError> {
        let (left, right) = (self.dim(), other.dim());
        if left == right {
            Ok(())
        } else {
            Err(UnitError::Mismatch { left, right, op })
        }
    }

    /// Both values in a common unit (see `common_unit`).
    fn aligned(
        &self,
        other: &Quantity,
        op: &'static str,
    ) -> Result<(Unit, Rational, Rational), UnitError> {
        if self.unit.converts_to_itself(&other.unit) {
            return Ok((self.unit.clone(), self.value.clone(), other.value.clone()));
        }
        self.same_dim(other, op)?;
        let unit = common_unit(&self.unit, &other.unit)?;
        let a = scaled(&self.value, &self.unit.factor_to(&unit)?);
        let b = scaled(&other.value, &other.unit.factor_to(&unit)?);
        Ok((unit, a, b))
    }
}

/// A unit's text for messages (a plain number has none).
fn display_unit(unit: &Unit) -> String {
    if unit.is_none() {
        "a plain number".to_string()
    } else {
        unit.to_string()
    }
}

/// The unit a sum is expressed in: the finer of the two if the coarser converts into it by
/// a terminating decimal factor; otherwise, for same-shaped units such as mg/day and mcg/h,
/// the finest numerator atoms over the coarsest denominator atoms (mcg/day), so that sums of
/// terminating values terminate; failing both, the finer unit (the sum is exact either way).
fn common_unit(a: &Unit, b: &Unit) -> Result<Unit, UnitError> {
    if a == b {
        return Ok(a.clone());
    }
    let (fine, coarse) = if a.factor()?.compare(&b.factor()?) == Ordering::Greater {
        (b, a)
    } else {
        (a, b)
    };
    if coarse.factor_to(fine)?.terminates() {
        return Ok(fine.clone());
    }
    Ok(merged(a, b).unwrap_or_else(|| fine.clone()))
}

/// Each atom of a unit keyed by its kind and exponent, if no key repeats.
fn slots(unit: &Unit) -> Option<BTreeMap<(Kind, i8), Atom>> {
    let mut map = BTreeMap::new();
    for &(atom, exp) in unit.atoms() {
        if map.insert((atom.kind(), exp), atom).is_some() {
            return None;
        }
    }
    Some(map)
}

/// For two units of the same shape, the unit with the finer atom of each numerator slot and
/// the coarser atom of each denominator slot: both convert into it by whole multiples.
fn merged(a: &Unit, b: &Unit) -> Option<Unit> {
    let (sa, sb) = (slots(a)?, slots(b)?);
    if !sa.keys().eq(sb.keys()) {
        return None;
    }
    let mut atoms = Vec::new();
    for (((_, exp), x), y) in sa.iter().zip(sb.values()) {
        let x_finer = x.factor().compare(&y.factor()) != Ordering::Greater;
        let pick = if x_finer == (*exp > 0) { *x } else { *y };
        atoms.push((pick, *exp));
    }
    let unit = Unit::from_atoms(atoms).ok()?;
    let exact = |u: &Unit| u.factor_to(&unit).is_ok_and(|f| f.terminates());
    (exact(a) && exact(b)).then_some(unit)
}
