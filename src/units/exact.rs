//! Exact comparisons of products of decimals, without rounding: a `Decimal` product can lose
//! digits beyond 28, so comparisons that must be exact (cross-multiplication, "is this quotient
//! exact?", rounding to a step) multiply the integer mantissas in arbitrary precision instead.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::error::UnitError;

/// A natural number as little-endian 32-bit limbs, just enough for multiply and compare.
#[derive(Clone, Debug)]
struct Nat(Vec<u32>);

impl Nat {
    fn from_u128(mut v: u128) -> Nat {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push((v & 0xffff_ffff) as u32);
            v >>= 32;
        }
        Nat(limbs)
    }

    fn mul(&self, other: &Nat) -> Nat {
        let mut out = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.0.iter().enumerate() {
                let t = u64::from(a) * u64::from(b) + u64::from(out[i + j]) + carry;
                out[i + j] = (t & 0xffff_ffff) as u32;
                carry = t >> 32;
            }
            let mut k = i + other.0.len();
            while carry > 0 {
                let t = u64::from(out[k]) + carry;
                out[k] = (t & 0xffff_ffff) as u32;
                carry = t >> 32;
                k += 1;
            }
        }
        Nat(out).trimmed()
    }

    fn trimmed(mut self) -> Nat {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    fn times_pow10(&self, exp: u32) -> Nat {
        let mut out = self.clone();
        for _ in 0..exp {
            out = out.mul(&Nat::from_u128(10));
        }
        out
    }

    fn cmp(&self, other: &Nat) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

/// The exact product of some decimals as sign, magnitude mantissa and scale (value =
/// sign · mantissa · 10^-scale).
fn product(factors: &[Decimal]) -> (Ordering, Nat, u32) {
    let mut sign = Ordering::Greater;
    let mut mantissa = Nat::from_u128(1);
    let mut scale = 0u32;
    for d in factors {
        if d.is_zero() {
            return (Ordering::Equal, Nat(Vec::new()), 0);
        }
        if d.is_sign_negative() {
            sign = sign.reverse();
        }
        mantissa = mantissa.mul(&Nat::from_u128(d.mantissa().unsigned_abs()));
        scale += d.scale();
    }
    (sign, mantissa, scale)
}

/// Compares the exact product of `lhs` with the exact product of `rhs` (an empty slice is 1).
pub(crate) fn cmp_products(lhs: &[Decimal], rhs: &[Decimal]) -> Ordering {
    let (ls, lm, lscale) = product(lhs);
    let (rs, rm, rscale) = product(rhs);
    if ls != rs || ls == Ordering::Equal {
        return ls.cmp(&rs);
    }
    let lm = lm.times_pow10(rscale.saturating_sub(lscale));
    let rm = rm.times_pow10(lscale.saturating_sub(rscale));
    let magnitude = lm.cmp(&rm);
    if ls == Ordering::Less {
        magnitude.reverse()
    } else {
        magnitude
    }
}

/// `num / den` to 28 significant digits, and whether that is the exact quotient.
pub(crate) fn quotient(num: Decimal, den: Decimal) -> Result<(Decimal, bool), UnitError> {
    if den.is_zero() {
        return Err(UnitError::DivisionByZero);
    }
    let q = num.checked_div(den).ok_or(UnitError::Overflow)?;
    if q.is_zero() && !num.is_zero() {
        return Err(UnitError::OutOfRange);
    }
    let exact = cmp_products(&[q, den], &[num]) == Ordering::Equal;
    Ok((q, exact))
}

/// The product of some decimals (checked), refusing a nonzero product that rounds to zero.
pub(crate) fn checked_product(factors: &[Decimal]) -> Result<Decimal, UnitError> {
    let mut acc = Decimal::ONE;
    for d in factors {
        acc = acc.checked_mul(*d).ok_or(UnitError::Overflow)?;
    }
    if acc.is_zero() && factors.iter().all(|d| !d.is_zero()) {
        return Err(UnitError::OutOfRange);
    }
    Ok(acc)
}

/// `Π num / Π den` to 28 significant digits (one rounding at most), and whether it is exact.
pub(crate) fn scaled(num: &[Decimal], den: &[Decimal]) -> Result<(Decimal, bool), UnitError> {
    let d = checked_product(den)?;
    if d.is_zero() {
        return Err(UnitError::DivisionByZero);
    }
    let n = checked_product(num)?;
    let (q, _) = quotient(n, d)?;
    let mut lhs = vec![q];
    lhs.extend_from_slice(den);
    Ok((q, cmp_products(&lhs, num) == Ordering::Equal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn compares_products_beyond_decimal_precision() {
        let third = d("0.3333333333333333333333333333");
        assert_eq!(cmp_products(&[third, d("3")], &[d("1")]), Ordering::Less);
        assert_eq!(
            cmp_products(&[d("1.0000000000000000000000000001"); 2], &[d("1")]),
            Ordering::Greater
        );
        assert_eq!(
            cmp_products(&[d("-2"), d("3")], &[d("-6")]),
            Ordering::Equal
        );
        assert_eq!(cmp_products(&[d("-2")], &[d("-3")]), Ordering::Greater);
        assert_eq!(cmp_products(&[d("0")], &[d("-3")]), Ordering::Greater);
        assert_eq!(
            cmp_products(&[Decimal::MAX; 4], &[Decimal::MAX; 3]),
            Ordering::Greater
        );
    }

    #[test]
    fn quotient_reports_exactness() {
        assert_eq!(quotient(d("1"), d("8")).unwrap(), (d("0.125"), true));
        assert!(!quotient(d("1"), d("3")).unwrap().1);
        assert_eq!(quotient(d("1"), d("0")), Err(UnitError::DivisionByZero));
        assert_eq!(quotient(Decimal::MAX, d("0.1")), Err(UnitError::Overflow));
    }
}
