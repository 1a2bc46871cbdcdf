//! Exact quantities with units, for dosing arithmetic where a wrong dose can hurt someone.
//!
//! * [`Dim`]: what a quantity measures (a mass, a mass per time, a mass per body mass, …).
//! * [`Unit`]: a product of [`Atom`]s (mg, mL, day, tablet, unit, %) with integer exponents,
//!   parsed from what pharmacists write and printed in safe notation (`mcg`, never `µg`).
//! * [`Quantity`]: a [`Decimal`](rust_decimal::Decimal) value with a unit. Arithmetic is
//!   checked (overflow and division by zero are errors, never a panic or a wrapped value);
//!   conversions are exact or refused; comparisons cross-multiply instead of dividing.
//! * [`UnitError`]: every failure, with a stable code, a message and help, convertible to a
//!   [`Diagnostic`](crate::diagnostics::Diagnostic).
//!
//! Design choices worth knowing:
//! * Conversion factors are exact rationals ([`Ratio`]): mg/day → mcg/h is 125/3.
//! * Multiplying or dividing cancels the same atom (`mL ÷ mL/day = day`) and different atoms
//!   of one dimension into the finest of them (`mg ÷ mcg` = 1000), except that a mass divided
//!   by `kg` alone stays a mass per body mass (`mg ÷ kg` = `mg/kg`), because in a protocol
//!   `kg` under a mass is a body weight. `%` always folds into the value.
//! * Calendar time (month, year) never converts to exact time (days): their lengths vary.
//! * Values carry 28 significant digits. A quotient that does not terminate (1 mg ÷ 3) keeps
//!   28 digits, prints with a `~`, and [`Quantity::div_exact`] refuses it; a nonzero result
//!   too small for 28 decimal places is [`UnitError::OutOfRange`], never a silent zero.

mod atom;
mod dim;
mod error;
mod format;
mod parse;
mod quantity;
mod ratio;
mod rational;
mod round;
mod unit;

#[cfg(test)]
mod tests;

pub use atom::{Atom, Kind};
pub use dim::Dim;
pub use error::UnitError;
pub use format::{format_decimal, format_number};
pub use quantity::Quantity;
pub use ratio::Ratio;
pub use rational::Rational;
pub use round::RoundMode;
pub use unit::{Product, Unit};
