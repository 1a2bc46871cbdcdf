//! Exact quantities with units, for dosing arithmetic where a wrong dose can hurt someone.
//!
//! * [`Rational`]: an exact rational number, the value of every quantity. It is two `i64`s
//!   (numerator, denominator in lowest terms) when they fit, which is nearly always, and a
//!   boxed `num_rational::BigRational` otherwise, so exactness costs little in the common case.
//! * [`Dim`]: what a quantity measures (a mass, a mass per time, a mass per body mass, …).
//! * [`Unit`]: a product of [`Atom`]s (mg, mL, day, tablet, unit, %) with integer exponents,
//!   parsed from what pharmacists write and printed in safe notation (`mcg`, never `µg`).
//! * [`Quantity`]: a [`Rational`] value with a unit. Arithmetic is exact and checked
//!   (overflow and division by zero are errors, never a panic or a wrapped value);
//!   conversions are exact or refused; comparisons are exact.
//! * [`UnitError`]: every failure, with a stable code, a message and help, convertible to a
//!   [`Diagnostic`](crate::diagnostics::Diagnostic).
//!
//! Design choices worth knowing:
//! * Conversion factors are exact rationals ([`Ratio`]): mg/day → mcg/h is 125/3.
//! * Nothing is rounded but by [`Quantity::round_to_step`], [`Quantity::floor`] and
//!   [`Quantity::ceil`] (all exact) and for display. `Display` shows a value with a finite
//!   decimal expansion with every digit (`0.0002625 mg`) and any other rounded to 4 places after
//!   a `~` (`~0.6667 mg`); [`Quantity::display_exact`] gives the fraction (`2/3 mg`).
//! * Bounds: every result of arithmetic, conversion or rounding must be below 2⁹⁶ in magnitude
//!   (the range literals have always had) and have a numerator and a denominator of at most
//!   256 bits (`MAX_BITS` in rational.rs) in lowest terms; past either it is
//!   [`UnitError::Overflow`] (`posology::value::overflow`), so no chain of operations can hang
//!   or exhaust memory. Literals keep their limits (28 significant digits, below 2⁹⁶).
//! * [`Quantity::convert_to`] refuses to turn a value with a finite decimal expansion into one
//!   without (1 mg/day → mcg/h is 41.666… mcg/h): an input written in one unit must be
//!   representable in the unit it is declared in. [`Quantity::div_exact`] likewise.
//!
//! The dimension model (how units combine):
//! * Multiplying or dividing adds exponents, and the same atom cancels (`mL ÷ mL/day = day`).
//! * Different atoms of one kind cancel only when they stand on opposite sides of the line: they
//!   fold, with their exact factor, into the finest of them (`mg ÷ mcg` = 1000, `h/week` =
//!   1/168). Atoms of one kind on the same side are kept as written, so a later quotient can
//!   cancel them: `300 mg/day × 50 mL/min` is `15000 mg·mL/day/min`, and dividing that by
//!   `15 mL/min` gives `1000 mg/day`.
//! * A mass divided by `kg` alone stays a mass per body mass (`mg ÷ kg` = `mg/kg`), because in a
//!   protocol `kg` under a mass is a body weight; multiplying it by a weight cancels it
//!   (`5 mg/kg × 3500 g` = 17.5 mg).
//! * A plain number that carries atoms, i.e. a dimensionless unit, is a number: `%` always
//!   folds into the value, and so does a mass ratio such as `mcg/g` (it is its factor,
//!   0.000001). It folds whole, before the atoms of the other side are looked at, so it can
//!   never cancel a body weight: `(6.3 mg/kg) ÷ (1 mcg/g)` and `(6.3 mg/kg) ÷ 0.000001` are both
//!   `6300000 mg/kg`. (Counts are not folded this way: `tablets/dose` is kept, a tablet is not
//!   a dose; time ratios such as `h/day` cancel by the rule above, which keeps the dimension.)
//! * Calendar time (month, year) never converts to exact time (days): their lengths vary.

mod atom;
pub mod daily;
mod dim;
mod error;
mod format;
mod intern;
mod parse;
mod power;
mod quantity;
mod ratio;
mod rational;
mod round;
mod unit;

#[cfg(test)]
mod tests;

pub use atom::{safe_unit_spelling, Atom, Kind};
pub use dim::Dim;
pub use error::UnitError;
pub use format::{format_decimal, format_number};
pub use parse::{NumberLimit, MAX_DECIMAL_PLACES, NUMBER_BOUND, SMALLEST_STEP};
pub use power::MAX_EXPONENT;
pub use quantity::Quantity;
pub use ratio::Ratio;
pub use rational::Rational;
pub use round::RoundMode;
pub use unit::{Product, Unit};
