//! Exact positive rational conversion factors: mg/day → mcg/h is 1000/24, which no decimal
//! holds exactly, so factors are kept as a numerator and a denominator.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::error::{or_overflow, UnitError};
use super::exact::{cmp_products, mul_u128, quotient};

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
        match (
            whole(&self.num),
            whole(&self.den),
            whole(&other.num),
            whole(&other.den),
        ) {
            (Some(a), Some(b), Some(c), Some(d)) => mul_whole(a, b, c, d),
            _ => self.mul_general(other),
        }
    }

    /// [`Ratio::mul`] in decimal arithmetic, for factors that are not plain whole numbers
    /// (the fields are public); whole numbers take the same steps in `u128` instead.
    pub(crate) fn mul_general(&self, other: &Ratio) -> Result<Ratio, UnitError> {
        let num = or_overflow(self.num.checked_mul(other.num))?;
        let den = or_overflow(self.den.checked_mul(other.den))?;
        Ratio::reduced(num, den)
    }

    /// `2^e₀ · 3^e₁ · 5^e₂ · 7^e₃` in lowest terms, or `None` if the numerator or the
    /// denominator does not fit a decimal (callers bound the exponents with
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
            *side = mul_u128(*side, power).filter(|n| *n <= MAX_MANTISSA)?;
        }
        Some(Ratio {
            num: decimal(num),
            den: decimal(den),
        })
    }

    /// True when `self.div(self)` succeeds (it is then 1).
    pub(crate) fn divides_itself(&self) -> bool {
        match (whole(&self.num), whole(&self.den)) {
            (Some(n), Some(d)) => mul_u128(n, d).is_some_and(|p| p != 0 && p <= MAX_MANTISSA),
            _ => self.div(self).is_ok(),
        }
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

/// The `k`-th of 2, 3, 5 and 7 to the power `e`, if it fits a decimal.
fn prime_power(k: usize, e: u32) -> Option<u128> {
    let table: &[u128] = match k {
        0 => return (e < 96).then(|| 1 << e),
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

/// Powers of 3, 5 and 7 up to the largest below 2⁹⁶.
const POW3: [u128; 61] = powers(3);
const POW5: [u128; 42] = powers(5);
const POW7: [u128; 35] = powers(7);

/// The largest mantissa a decimal holds (2⁹⁶ − 1).
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The mantissa of a non-negative whole decimal written without decimal places (every factor
/// this module builds); `None` for anything else.
fn whole(d: &Decimal) -> Option<u128> {
    (d.scale() == 0 && d.is_sign_positive()).then(|| d.mantissa().unsigned_abs())
}

/// A whole decimal from a mantissa of at most 96 bits.
fn decimal(m: u128) -> Decimal {
    debug_assert!(m <= MAX_MANTISSA);
    Decimal::from_parts(m as u32, (m >> 32) as u32, (m >> 64) as u32, false, 0)
}

/// `(a/b) · (c/d)` for whole numbers, exactly as [`Ratio::mul_general`] computes it: a product
/// beyond 96 bits is an overflow (decimals hold no more), then the quotient is reduced.
fn mul_whole(a: u128, b: u128, c: u128, d: u128) -> Result<Ratio, UnitError> {
    let num = or_overflow(mul_u128(a, c).filter(|n| *n <= MAX_MANTISSA))?;
    let den = or_overflow(mul_u128(b, d).filter(|n| *n <= MAX_MANTISSA))?;
    if den == 0 {
        return Err(UnitError::DivisionByZero);
    }
    let g = gcd(num, den);
    Ok(Ratio {
        num: decimal(num / g),
        den: decimal(den / g),
    })
}

/// The greatest common divisor, at least 1 (binary, in 64 bits when both fit).
fn gcd(a: u128, b: u128) -> u128 {
    if a == 0 || b == 0 {
        return (a | b).max(1);
    }
    if let (Ok(a), Ok(b)) = (u64::try_from(a), u64::try_from(b)) {
        return u128::from(gcd64(a, b));
    }
    let shift = (a | b).trailing_zeros();
    let (mut a, mut b) = (a >> a.trailing_zeros(), b);
    while b != 0 {
        b >>= b.trailing_zeros();
        if a > b {
            (a, b) = (b, a);
        }
        b -= a;
    }
    a << shift
}

fn gcd64(a: u64, b: u64) -> u64 {
    let shift = (a | b).trailing_zeros();
    let (mut a, mut b) = (a >> a.trailing_zeros(), b);
    while b != 0 {
        b >>= b.trailing_zeros();
        if a > b {
            (a, b) = (b, a);
        }
        b -= a;
    }
    a << shift
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
