//! Exact quantities (a decimal value with a unit) and their arithmetic: every operation is
//! checked, conversions are exact or refused, comparisons cross-multiply instead of dividing.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::atom::{Atom, Kind};
use super::dim::Dim;
use super::error::{or_overflow, UnitError};
use super::exact::{checked_product, cmp_products, scaled, scaled_value};
use super::unit::{Product, Unit};

/// Values with more decimal places than this are taken for rounded quotients.
const EXACT_PLACES: u32 = 6;

/// A quotient's unit, and its value as the product of some decimals over that of others.
type Operands = (Unit, [Decimal; 2], [Decimal; 2]);

/// A value with a unit, e.g. 300 mcg/day. `==` compares value and unit as written (5 mg is
/// not `==` 5000 mcg); use [`Quantity::compare`] to compare amounts across units.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Quantity {
    /// The exact value, in `unit`.
    pub value: Decimal,
    /// The unit the value is in.
    pub unit: Unit,
}

impl Quantity {
    /// A quantity from a value and a unit.
    pub fn new(value: Decimal, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }

    /// A plain number (no unit).
    pub fn number(value: Decimal) -> Quantity {
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

    /// True when the value has more than 6 decimal places, i.e. it almost certainly comes from
    /// a quotient that does not terminate; `Display` then shows it rounded with a `~`.
    pub fn is_approximate(&self) -> bool {
        self.value.normalize().scale() > EXACT_PLACES
    }

    /// `self + other`, exactly, in the finer of the two units (5 mg + 500 mcg = 5500 mcg).
    pub fn add(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let (unit, a, b) = self.aligned(other, "add")?;
        let value = or_overflow(a.checked_add(b))?;
        Ok(Quantity { value, unit })
    }

    /// `self − other`, exactly, in the finer of the two units.
    pub fn sub(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let (unit, a, b) = self.aligned(other, "subtract")?;
        let value = or_overflow(a.checked_sub(b))?;
        Ok(Quantity { value, unit })
    }

    /// `self × other`; the unit is the product of the units with cancellation, and `%` folds
    /// into the value (300 mcg/day × 110% = 330 mcg/day). Values carry 28 significant digits:
    /// a product needing more is rounded to 28 (only possible for already-rounded quotients).
    pub fn mul(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let Product { unit, factor } = self.unit.mul(&other.unit)?;
        let value = scaled_value(&[self.value, other.value, factor.num], &[factor.den])?;
        Ok(Quantity { value, unit })
    }

    /// `self ÷ other`; the unit is the quotient of the units with cancellation (mL ÷ mL/day =
    /// day). A quotient that does not terminate (1 mg ÷ 3) keeps 28 significant digits; see
    /// [`Quantity::div_exact`] to refuse it instead.
    pub fn div(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        let (unit, num, den) = self.div_operands(other)?;
        let value = scaled_value(&num, &den)?;
        Ok(Quantity { value, unit })
    }

    /// `self ÷ other`, refused with [`UnitError::Inexact`] unless the quotient is exact.
    pub fn div_exact(&self, other: &Quantity) -> Result<Quantity, UnitError> {
        match self.divide(other)? {
            (q, true) => Ok(q),
            (q, false) => Err(UnitError::Inexact {
                from: format!("{} ÷ {}", self.display_exact(), other.display_exact()),
                to: display_unit(&q.unit),
            }),
        }
    }

    pub(super) fn divide(&self, other: &Quantity) -> Result<(Quantity, bool), UnitError> {
        let (unit, num, den) = self.div_operands(other)?;
        let (value, exact) = scaled(&num, &den)?;
        Ok((Quantity { value, unit }, exact))
    }

    /// The unit of `self ÷ other` and the value as `Π num / Π den`.
    fn div_operands(&self, other: &Quantity) -> Result<Operands, UnitError> {
        if other.value.is_zero() {
            return Err(UnitError::DivisionByZero);
        }
        let Product { unit, factor } = self.unit.div(&other.unit)?;
        Ok((unit, [self.value, factor.num], [other.value, factor.den]))
    }

    /// `−self`.
    pub fn neg(&self) -> Quantity {
        Quantity::new(-self.value, self.unit.clone())
    }

    /// Compares two quantities of the same kind exactly, across units, by cross-multiplying
    /// the conversion factors (1 mg/day is more than 41 mcg/h and less than 42 mcg/h).
    pub fn compare(&self, other: &Quantity) -> Result<Ordering, UnitError> {
        if self.unit.same_scale(&other.unit) {
            // Both sides would be multiplied by the same positive factor.
            return Ok(cmp_products(&[self.value], &[other.value]));
        }
        self.compare_general(other)
    }

    /// [`Quantity::compare`] for any two units.
    pub(super) fn compare_general(&self, other: &Quantity) -> Result<Ordering, UnitError> {
        self.same_dim(other, "compare")?;
        let (fa, fb) = (self.unit.factor()?, other.unit.factor()?);
        Ok(cmp_products(
            &[self.value, fa.num, fb.den],
            &[other.value, fb.num, fa.den],
        ))
    }

    /// The same amount in another unit of the same kind, exactly, or [`UnitError::Inexact`]
    /// (0.3 mg/day → 300 mcg/day; 300 mcg/day → 12.5 mcg/h; 1 mg/day → mcg/h is refused).
    pub fn convert_to(&self, to: &Unit) -> Result<Quantity, UnitError> {
        if self.unit.converts_to_itself(to) {
            // The factor is 1: what `scaled` computes, without dividing by 1.
            let value = checked_product(&[self.value, Decimal::ONE])?;
            return Ok(Quantity::new(value, to.clone()));
        }
        self.convert_general(to)
    }

    /// [`Quantity::convert_to`] for any two units.
    pub(super) fn convert_general(&self, to: &Unit) -> Result<Quantity, UnitError> {
        let factor = self.unit.factor_to(to)?;
        match scaled(&[self.value, factor.num], &[factor.den])? {
            (value, true) => Ok(Quantity::new(value, to.clone())),
            (_, false) => Err(UnitError::Inexact {
                from: self.display_exact(),
                to: display_unit(to),
            }),
        }
    }

    /// The largest whole number of this unit not above the value (63.3 days → 63 days).
    pub fn floor(&self) -> Quantity {
        Quantity::new(clean_zero(self.value.floor()), self.unit.clone())
    }

    /// The smallest whole number of this unit not below the value (63.3 days → 64 days).
    pub fn ceil(&self) -> Quantity {
        Quantity::new(clean_zero(self.value.ceil()), self.unit.clone())
    }

    pub(crate) fn same_dim(&self, other: &Quantity, op: &'static str) -> Result<(), UnitError> {
        let (left, right) = (self.dim(), other.dim());
        if left == right {
            Ok(())
        } else {
            Err(UnitError::Mismatch { left, right, op })
        }
    }

    /// Both values in a common unit that both convert into by exact multiplication.
    pub(super) fn aligned(
        &self,
        other: &Quantity,
        op: &'static str,
    ) -> Result<(Unit, Decimal, Decimal), UnitError> {
        if self.unit.converts_to_itself(&other.unit) {
            // The common unit is this one and both multipliers are 1 (see `value_in`).
            let a = checked_product(&[self.value, Decimal::ONE])?;
            let b = checked_product(&[other.value, Decimal::ONE])?;
            return Ok((self.unit.clone(), a, b));
        }
        self.aligned_general(other, op)
    }

    /// [`Quantity::aligned`] for any two units.
    pub(super) fn aligned_general(
        &self,
        other: &Quantity,
        op: &'static str,
    ) -> Result<(Unit, Decimal, Decimal), UnitError> {
        self.same_dim(other, op)?;
        let unit = common_unit(&self.unit, &other.unit)?;
        let a = value_in(self, &unit)?;
        let b = value_in(other, &unit)?;
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

/// `-0` (from `ceil(-0.5)`) is shown and compared as `0`.
fn clean_zero(d: Decimal) -> Decimal {
    if d.is_zero() {
        Decimal::ZERO
    } else {
        d
    }
}

/// The value of `q` in `unit`, by multiplying with an exact decimal factor.
fn value_in(q: &Quantity, unit: &Unit) -> Result<Decimal, UnitError> {
    let factor = q.unit.factor_to(unit)?;
    let multiplier = factor
        .to_exact_decimal()
        .ok_or_else(|| UnitError::Inexact {
            from: q.display_exact(),
            to: display_unit(unit),
        })?;
    checked_product(&[q.value, multiplier])
}

/// The unit a sum is expressed in: the finer of the two if the coarser converts into it by
/// an exact multiplication; otherwise, for same-shaped units such as mg/day and mcg/h, the
/// finest numerator atoms over the coarsest denominator atoms (mcg/day).
fn common_unit(a: &Unit, b: &Unit) -> Result<Unit, UnitError> {
    if a == b {
        return Ok(a.clone());
    }
    let (fine, coarse) = if a.factor()?.compare(&b.factor()?) == Ordering::Greater {
        (b, a)
    } else {
        (a, b)
    };
    if coarse.factor_to(fine)?.to_exact_decimal().is_some() {
        return Ok(fine.clone());
    }
    match merged(a, b) {
        Some(unit) => Ok(unit),
        None => Err(UnitError::Inexact {
            from: display_unit(coarse),
            to: display_unit(fine),
        }),
    }
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
    let exact = |u: &Unit| {
        u.factor_to(&unit)
            .ok()
            .and_then(|f| f.to_exact_decimal())
            .is_some()
    };
    (exact(a) && exact(b)).then_some(unit)
}
