//! Exact positive rational conversion factors: mg/day → mcg/h is 1000/24, which no decimal
//! holds exactly, so factors are kept as a numerator and a denominator.

use std::cmp::Ordering;

use super::error::{or_overflow, UnitError};
use super::rational::{gcd_u64, Rational};

/// An exact positive factor `num / den`, both whole numbers below 2⁶³ (a factor beyond that is
/// an overflow), kept in lowest terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    /// The numerator (a positive whole number).
    pub num: u64,
    /// The denominator (a positive whole number).
    pub den: u64,
}

impl Ratio {
    /// The factor 1.
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den` from small whole numbers (the atom table).
    pub(crate) fn from_integers(num: u32, den: u32) -> Ratio {
        Ratio {
            num: u64::from(num),
            den: u64::from(den),
        }
    }

    /// The product of two factors (exact; a numerator or denominator past 63 bits is an
    /// overflow).
    pub fn mul(&self, other: &Ratio) -> Result<Ratio, UnitError> {
        mul_whole(self.num, self.den, other.num, other.den)
    }

    /// `2^e₀ · 3^e₁ · 5^e₂ · 7^e₃` in lowest terms, or `None` if the numerator or the
    /// denominator does not fit 63 bits (callers bound the exponents with
    /// [`Atom::factor_bits`](super::atom::Atom::factor_bits) so that it always does, and fall
    /// back to step-by-step arithmetic otherwise).
    pub(crate) fn from_prime_exponents(exps: [i32; 4]) -> Option<Ratio> {
        let mut num: u128 = 1;
        let mut den: u128 = 1;
        for (k, &e) in exps.iter().enumerate() {
            if e == 0 {
                continue;
            }
            let power = prime_power(k, e.unsigned_abs())?;
            let side = if e > 0 { &mut num } else { &mut den };
            *side = side.checked_mul(power).filter(|n| *n <= MAX_MANTISSA)?;
        }
        Some(Ratio {
            num: num as u64,
            den: den as u64,
        })
    }

    /// True when `self.div(self)` succeeds (it is then 1).
    pub(crate) fn divides_itself(&self) -> bool {
        self.num != 0 && self.den != 0
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

    /// True when the factor is 1.
    pub fn is_one(&self) -> bool {
        self.num == 1 && self.den == 1
    }

    /// True when the factor has a finite decimal expansion (1000/8 does, 1000/24 does not),
    /// so that multiplying a terminating value by it gives a terminating value.
    pub fn terminates(&self) -> bool {
        let mut d = self.den;
        if d == 0 {
            return false;
        }
        d >>= d.trailing_zeros();
        while d.is_multiple_of(5) {
            d /= 5;
        }
        d == 1
    }

    /// The factor as an exact rational number.
    pub fn to_rational(&self) -> Rational {
        // Both parts are below 2^63 (see `MAX_MANTISSA`) and the factor is in lowest terms.
        match (i64::try_from(self.num), i64::try_from(self.den)) {
            (Ok(n), Ok(d)) if d > 0 => Rational::from_reduced(n, d),
            _ => Rational::ZERO,
        }
    }

    /// Compares two factors exactly (cross-multiplying).
    pub fn compare(&self, other: &Ratio) -> Ordering {
        (u128::from(self.num) * u128::from(other.den))
            .cmp(&(u128::from(other.num) * u128::from(self.den)))
    }
}

/// The `k`-th of 2, 3, 5 and 7 to the power `e`, if it fits 128 bits.
fn prime_power(k: usize, e: u32) -> Option<u128> {
    let table: &[u128] = match k {
        0 => return (e < 64).then(|| 1 << e),
        1 => &POW3,
        2 => &POW5,
        _ => &POW7,
    };
    table.get(e as usize).copied()
}

/// `p^0 … p^(N−1)`.
const fn powers<const N: usize>(p: u128) -> [u128; N] {
    let mut table = [1u128; N];
    let mut i = 1;
    while i < N {
        table[i] = table[i - 1] * p;
        i += 1;
    }
    table
}

/// Powers of 3, 5 and 7 up to the largest below 2⁹⁶ (more than a factor may have).
const POW3: [u128; 61] = powers(3);
const POW5: [u128; 42] = powers(5);
const POW7: [u128; 35] = powers(7);

/// The largest numerator or denominator of a factor (2⁶³ − 1, so that both fit an `i64`).
const MAX_MANTISSA: u128 = (1 << 63) - 1;

/// `(a/b) · (c/d)` for whole numbers in lowest terms: a numerator or denominator beyond 63 bits
/// is an overflow.
fn mul_whole(a: u64, b: u64, c: u64, d: u64) -> Result<Ratio, UnitError> {
    if b == 0 || d == 0 {
        return Err(UnitError::DivisionByZero);
    }
    // Cancel across first: the product is then in lowest terms.
    let g1 = gcd_u64(a, d).max(1);
    let g2 = gcd_u64(c, b).max(1);
    let num = u128::from(a / g1) * u128::from(c / g2);
    let den = u128::from(b / g2) * u128::from(d / g1);
    let fits = |n: u128| (n <= MAX_MANTISSA).then_some(n as u64);
    Ok(Ratio {
        num: or_overflow(fits(num))?,
        den: or_overflow(fits(den))?,
    })
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
        assert!(!r.terminates());
        assert!(Ratio::from_integers(1000, 8).terminates());
        assert_eq!(r.to_rational(), Rational::new(125, 3).unwrap());
    }

    #[test]
    fn powers_overflow_into_errors() {
        let mcg = Ratio::from_integers(1, 1_000_000);
        assert_eq!(mcg.pow(-2).unwrap().num, 1_000_000_000_000);
        assert_eq!(mcg.pow(6), Err(UnitError::Overflow));
    }
}
