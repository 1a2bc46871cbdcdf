//! Exact positive rational conversion factors: mg/day → mcg/h is 1000/24, which no decimal
//! holds exactly, so factors are kept as a numerator and a denominator.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::error::UnitError;
use super::exact::{cmp_products, quotient};

/// An exact positive factor `num / den`, both whole numbers, kept in lowest terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    /// The numerator (a positive whole number).
    pub num: Decimal,
    /// The denominator (a positive whole number).
    pub den: Decimal,
}

impl Ratio {
    /// The factor 1.
    pub const ONE: Ratio = Ratio {
        num: Decimal::ONE,
        den: Decimal::ONE,
    };

    /// `num / den` from small whole numbers (the atom table).
    pub(crate) fn from_integers(num: u32, den: u32) -> Ratio {
        Ratio {
            num: Decimal::from(num),
            den: Decimal::from(den),
        }
    }

    /// `num / den` in lowest terms, both whole numbers; a zero denominator is refused.
    fn reduced(num: Decimal, den: Decimal) -> Result<Ratio, UnitError> {
        if den.is_zero() {
            return Err(UnitError::DivisionByZero);
        }
        let (n, d) = (num.normalize(), den.normalize());
        if n.scale() != 0 || d.scale() != 0 {
            return Ok(Ratio { num, den });
        }
        let g = gcd(n.mantissa().unsigned_abs(), d.mantissa().unsigned_abs());
        let g = Decimal::from_i128_with_scale(i128::try_from(g).unwrap_or(1), 0);
        match (n.checked_div(g), d.checked_div(g)) {
            (Some(num), Some(den)) => Ok(Ratio { num, den }),
            _ => Ok(Ratio { num, den }),
        }
    }

    /// The product of two factors (exact; overflow is an error).
    pub fn mul(&self, other: &Ratio) -> Result<Ratio, UnitError> {
        let num = self.num.checked_mul(other.num).ok_or(UnitError::Overflow)?;
        let den = self.den.checked_mul(other.den).ok_or(UnitError::Overflow)?;
        Ratio::reduced(num, den)
    }

    /// `1 / self`.
    pub fn inverse(&self) -> Ratio {
        Ratio {
            num: self.den,
            den: self.num,
        }
    }

    /// `self / other`.
    pub fn div(&self, other: &Ratio) -> Result<Ratio, UnitError> {
        self.mul(&other.inverse())
    }

    /// `self` raised to a whole (possibly negative) power.
    pub fn pow(&self, exp: i8) -> Result<Ratio, UnitError> {
        let base = if exp < 0 { self.inverse() } else { *self };
        let mut acc = Ratio::ONE;
        for _ in 0..exp.unsigned_abs() {
            acc = acc.mul(&base)?;
        }
        Ok(acc)
    }

    /// The factor as a decimal when it has an exact one (1000/24 has none).
    pub fn to_exact_decimal(&self) -> Option<Decimal> {
        match quotient(self.num, self.den) {
            Ok((q, true)) => Some(q),
            _ => None,
        }
    }

    /// Compares two factors exactly (cross-multiplying).
    pub fn compare(&self, other: &Ratio) -> Ordering {
        cmp_products(&[self.num, other.den], &[other.num, self.den])
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mg_per_day_to_mcg_per_h_is_1000_over_24() {
        let mg_per_day = Ratio::from_integers(1, 1000).div(&Ratio::from_integers(86_400, 1));
        let mcg_per_h = Ratio::from_integers(1, 1_000_000).div(&Ratio::from_integers(3600, 1));
        let r = mg_per_day.unwrap().div(&mcg_per_h.unwrap()).unwrap();
        assert_eq!(r, Ratio::from_integers(125, 3));
        assert_eq!(r.to_exact_decimal(), None);
        assert_eq!(
            Ratio::from_integers(1000, 8).to_exact_decimal(),
            Some(Decimal::from(125))
        );
    }

    #[test]
    fn powers_overflow_into_errors() {
        let mcg = Ratio::from_integers(1, 1_000_000);
        assert_eq!(
            mcg.pow(-2).unwrap().num,
            Decimal::from(1_000_000_000_000u64)
        );
        assert_eq!(mcg.pow(6), Err(UnitError::Overflow));
    }
}
