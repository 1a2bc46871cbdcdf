//! Rounding a quantity to a multiple of a step (a tablet strength, a syringe graduation),
//! decided exactly even when the step is in another unit.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::error::{or_overflow, UnitError};
use super::exact::{checked_product, cmp_products, scaled_value};
use super::quantity::Quantity;

/// How [`Quantity::round_to_step`] picks a multiple of the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundMode {
    /// The nearest multiple; an exact tie goes away from zero (22.5 mg to 5 mg → 25 mg), the
    /// usual rule for doses and the one pharmacists apply by hand.
    Nearest,
    /// The smallest multiple not below the value (towards +∞): never less than asked.
    Up,
    /// The largest multiple not above the value (towards −∞): never more than asked.
    Down,
}

/// Steps to correct a floor computed from a rounded quotient; it is off by at most one.
const MAX_CORRECTIONS: usize = 4;

impl Quantity {
    /// Rounds to a whole multiple of `step` (any unit of the same kind; its sign is ignored),
    /// returning the result in the step's unit: 23 mg to 5 mg is 20 mg down, 25 mg up.
    pub fn round_to_step(&self, step: &Quantity, mode: RoundMode) -> Result<Quantity, UnitError> {
        self.same_dim(step, "round")?;
        if step.value.is_zero() {
            return Err(UnitError::DivisionByZero);
        }
        let step_value = step.value.abs();
        let factor = self.unit.factor_to(&step.unit)?;
        // The value in steps is num / den, exactly.
        let num = [self.value, factor.num];
        let den = [factor.den, step_value];
        let n = exact_floor(&num, &den)?;
        let multiple = match mode {
            RoundMode::Down => n,
            RoundMode::Up if cmp_products(&with(n, &den), &num) == Ordering::Equal => n,
            RoundMode::Up => plus_one(n)?,
            RoundMode::Nearest => nearest(n, &num, &den, self.value.is_sign_positive())?,
        };
        let value = checked_product(&[multiple, step_value])?;
        Ok(Quantity::new(value, step.unit.clone()))
    }
}

/// The exact floor of `Π num / Π den` (den positive).
fn exact_floor(num: &[Decimal; 2], den: &[Decimal; 2]) -> Result<Decimal, UnitError> {
    let approx = match scaled_value(num, den) {
        Ok(q) => q,
        // A quotient too small for 28 decimal places is between -1 and 1.
        Err(UnitError::OutOfRange) => Decimal::ZERO,
        Err(e) => return Err(e),
    };
    let mut n = approx.floor();
    for _ in 0..MAX_CORRECTIONS {
        if cmp_products(&with(n, den), num) == Ordering::Greater {
            n = or_overflow(n.checked_sub(Decimal::ONE))?;
        } else if cmp_products(&with(plus_one(n)?, den), num) != Ordering::Greater {
            n = plus_one(n)?;
        } else {
            return Ok(n);
        }
    }
    Err(UnitError::Overflow)
}

/// Picks `n` or `n + 1` for a value between them, ties away from zero.
fn nearest(
    n: Decimal,
    num: &[Decimal; 2],
    den: &[Decimal; 2],
    positive: bool,
) -> Result<Decimal, UnitError> {
    // Compare 2·value with (2n + 1)·step, i.e. the value with the midpoint.
    let two = Decimal::TWO;
    let mid = or_overflow(checked_product(&[n, two])?.checked_add(Decimal::ONE))?;
    match cmp_products(&with(two, num), &with(mid, den)) {
        Ordering::Greater => plus_one(n),
        Ordering::Equal if positive => plus_one(n),
        _ => Ok(n),
    }
}

fn plus_one(n: Decimal) -> Result<Decimal, UnitError> {
    or_overflow(n.checked_add(Decimal::ONE))
}

/// `first` followed by `rest`.
fn with(first: Decimal, rest: &[Decimal; 2]) -> [Decimal; 3] {
    [first, rest[0], rest[1]]
}
