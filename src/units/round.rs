//! Rounding a quantity to a multiple of a step (a tablet strength, a syringe graduation),
//! decided exactly even when the step is in another unit.

use super::error::UnitError;
use super::quantity::Quantity;
use super::rational::Rational;

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

impl Quantity {
    /// Rounds to a whole multiple of `step` (any unit of the same kind; its sign is ignored),
    /// returning the result in the step's unit: 23 mg to 5 mg is 20 mg down, 25 mg up. The
    /// decision is exact: the value in steps is an exact fraction.
    pub fn round_to_step(&self, step: &Quantity, mode: RoundMode) -> Result<Quantity, UnitError> {
        self.same_dim(step, "round")?;
        if step.value.is_zero() {
            return Err(UnitError::DivisionByZero);
        }
        let step_value = step.value.abs();
        let factor = self.unit.factor_to(&step.unit)?;
        // The value in steps, exactly.
        let steps = self.value.mul(&factor.to_rational()).div(&step_value)?;
        let multiple = match mode {
            RoundMode::Down => steps.floor(),
            RoundMode::Up => steps.ceil(),
            RoundMode::Nearest => nearest(&steps),
        };
        let value = multiple.mul(&step_value);
        value.check_bounds()?;
        Ok(Quantity::new(value, step.unit.clone()))
    }
}

/// The nearest whole number, ties away from zero.
fn nearest(x: &Rational) -> Rational {
    let half = Rational::new(1, 2).unwrap_or(Rational::ZERO);
    if x.is_negative() {
        x.neg().add(&half).floor().neg()
    } else {
        x.add(&half).floor()
    }
}
