//! Printing numbers and quantities in ISMP safe notation: a zero before a decimal point, no
//! trailing zeros, no exponent, no thousands separator, a space before the unit.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use super::quantity::Quantity;

/// Decimal places shown for such approximate values.
const APPROX_PLACES: u32 = 4;

/// A decimal in safe notation: `0.5` (leading zero), `5` (never `5.0`), `12.5`, no exponent,
/// no thousands separator, `0` for negative zero.
pub fn format_decimal(d: &Decimal) -> String {
    if d.is_zero() {
        return "0".to_string();
    }
    d.normalize().to_string()
}

impl Quantity {
    /// The quantity with every digit of its value (no `~` rounding), e.g. for a trace.
    pub fn display_exact(&self) -> String {
        with_unit(&format_decimal(&self.value), &self.value, self)
    }
}

/// `number` followed by the unit, pluralised for `amount`: `1 day`, `3 days`, `110%`, `3/day`.
fn with_unit(number: &str, amount: &Decimal, q: &Quantity) -> String {
    let plural = amount.abs() != Decimal::ONE;
    let (numerator, denominator) = q.unit.render(plural);
    if numerator.is_empty() || numerator.starts_with('%') {
        format!("{number}{numerator}{denominator}")
    } else {
        format!("{number} {numerator}{denominator}")
    }
}

impl fmt::Display for Quantity {
    /// Safe notation: `5 mg`, `0.5 mg`, `300 mcg/day`, `1 day`, `3 days`, `110%`. A value with
    /// more than 6 decimal places (a quotient that does not terminate) is shown rounded to 4
    /// places after a `~`, e.g. `~4.1667 mcg/h` (a value below 0.0001 keeps 4 significant
    /// digits instead of showing `~0`; no `~` when nothing was dropped). See
    /// [`Quantity::display_exact`] for every digit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.is_approximate() {
            shown_value(&self.value)
        } else {
            self.value
        };
        let text = with_unit(&format_decimal(&shown), &shown.normalize(), self);
        if shown == self.value {
            f.write_str(&text)
        } else {
            write!(f, "~{text}")
        }
    }
}

/// The value rounded for display: 4 decimal places, or 4 significant digits if that is zero.
fn shown_value(value: &Decimal) -> Decimal {
    let strategy = RoundingStrategy::MidpointAwayFromZero;
    let rounded = value.round_dp_with_strategy(APPROX_PLACES, strategy);
    if rounded.is_zero() && !value.is_zero() {
        value
            .round_sf_with_strategy(APPROX_PLACES, strategy)
            .unwrap_or(rounded)
    } else {
        rounded
    }
}
