//! Printing numbers and quantities in ISMP safe notation: a zero before a decimal point, no
//! trailing zeros, no exponent, no thousands separator, a space before the unit.

use std::fmt;

use rust_decimal::Decimal;

use super::quantity::Quantity;
use super::rational::Rational;

/// Decimal places shown for values without a finite decimal expansion.
const APPROX_PLACES: u64 = 4;

/// A decimal in safe notation: `0.5` (leading zero), `5` (never `5.0`), `12.5`, no exponent,
/// no thousands separator, `0` for negative zero.
pub fn format_decimal(d: &Decimal) -> String {
    if d.is_zero() {
        return "0".to_string();
    }
    d.normalize().to_string()
}

/// A number in safe notation: every digit when it has a finite decimal expansion (`0.5`,
/// `0.0002625`), else rounded after a `~` (`~0.6667`), as [`Quantity`]'s `Display` shows it.
pub fn format_number(value: &Rational) -> String {
    match value.decimal_text() {
        Some(text) => text,
        None => format!("~{}", approximate_text(value)),
    }
}

impl Quantity {
    /// The quantity with its exact value (no `~` rounding), e.g. for a message or a trace:
    /// every digit of a terminating value (`0.0002625 mg`), else a fraction (`2/3 mg`).
    pub fn display_exact(&self) -> String {
        let text = self.value.exact_text();
        let plural = !self.value.is_one_in_magnitude();
        with_unit(&text, plural, self)
    }
}

/// `number` followed by the unit, pluralised when `plural`: `1 day`, `3 days`, `110%`, `3/day`.
fn with_unit(number: &str, plural: bool, q: &Quantity) -> String {
    let mut out = String::with_capacity(number.len() + 16);
    out.push_str(number);
    q.unit.push_after_number(plural, &mut out);
    out
}

impl fmt::Display for Quantity {
    /// Safe notation: `5 mg`, `0.5 mg`, `0.0002625 mg`, `300 mcg/day`, `1 day`, `3 days`,
    /// `110%`. A value with a finite decimal expansion is shown with every digit. One without
    /// (a quotient such as 1 mg ÷ 3) is shown rounded to 4 decimal places after a `~`, e.g.
    /// `~4.1667 mcg/h` (a value below 0.00005 keeps 4 significant digits instead of showing
    /// `~0`). See [`Quantity::display_exact`] for the exact value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every quantity shown (notes, messages, traces) comes here: a small value is written
        // straight out, with no text built first.
        if let Some(Some(decimal)) = self.value.small_decimal() {
            write!(f, "{decimal}")?;
            let plural = !self.value.is_one_in_magnitude();
            return self.unit.write_after_number(plural, f);
        }
        match self.value.decimal_text() {
            Some(mut text) => {
                let plural = !self.value.is_one_in_magnitude();
                self.unit.push_after_number(plural, &mut text);
                f.write_str(&text)
            }
            None => {
                let text = approximate_text(&self.value);
                let plural = text != "1" && text != "-1";
                write!(f, "~{}", with_unit(&text, plural, self))
            }
        }
    }
}

/// A value without a finite decimal expansion, rounded for display: 4 decimal places, or 4
/// significant digits if that is zero. Ties away from zero.
pub(crate) fn approximate_text(value: &Rational) -> String {
    let rounded = value.rounded_text(APPROX_PLACES);
    if rounded == "0" && !value.is_zero() {
        value.significant_text(APPROX_PLACES)
    } else {
        rounded
    }
}
