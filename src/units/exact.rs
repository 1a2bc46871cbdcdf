//! Exact comparisons of products of decimals, without rounding: a `Decimal` product can lose
//! digits beyond 28, so comparisons that must be exact (cross-multiplication, "is this quotient
//! exact?", rounding to a step) multiply the integer mantissas in arbitrary precision instead.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::error::{or_overflow, UnitError};

/// A natural number as little-endian 32-bit limbs, just enough for multiply and compare. Only
/// for products of many factors; [`Limbs`] does the usual few on the stack.
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
fn product<'a>(factors: impl Iterator<Item = &'a Decimal>) -> (Ordering, Nat, u32) {
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

/// Compares two exact products in arbitrary precision on the heap (any number of factors).
pub(super) fn cmp_products_nat<'a, L, R>(lhs: L, rhs: R) -> Ordering
where
    L: Iterator<Item = &'a Decimal>,
    R: Iterator<Item = &'a Decimal>,
{
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

/// Most factors per side that [`Limbs`] holds: 8 mantissas of 3 limbs and a power of ten up to
/// 10^224 (24 limbs) fit in its 64 limbs.
const STACK_FACTORS: usize = 8;

/// A natural number as little-endian 32-bit limbs on the stack (see [`STACK_FACTORS`]).
struct Limbs {
    limbs: [u32; 64],
    len: usize,
}

impl Limbs {
    fn one() -> Limbs {
        let mut limbs = [0; 64];
        limbs[0] = 1;
        Limbs { limbs, len: 1 }
    }

    /// `self · m` for `m` below 2^32.
    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs[..self.len] {
            let t = u64::from(*limb) * u64::from(m) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            self.limbs[self.len] = carry as u32;
            self.len += 1;
        }
    }

    /// `self · m` for a mantissa `m` (at most 96 bits, nonzero).
    fn mul_mantissa(&mut self, m: u128) {
        let parts = [m as u32, (m >> 32) as u32, (m >> 64) as u32];
        let n = if parts[2] != 0 {
            3
        } else if parts[1] != 0 {
            2
        } else {
            1
        };
        if n == 1 {
            self.mul_small(parts[0]);
            return;
        }
        let mut out = [0u32; 64];
        for (i, &a) in self.limbs[..self.len].iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in parts[..n].iter().enumerate() {
                let t = u64::from(a) * u64::from(b) + u64::from(out[i + j]) + carry;
                out[i + j] = t as u32;
                carry = t >> 32;
            }
            out[i + n] = carry as u32;
        }
        let mut len = self.len + n;
        while len > 1 && out[len - 1] == 0 {
            len -= 1;
        }
        self.limbs = out;
        self.len = len;
    }

    fn times_pow10(&mut self, mut exp: u32) {
        while exp >= 9 {
            self.mul_small(1_000_000_000);
            exp -= 9;
        }
        if exp > 0 {
            self.mul_small(10u32.pow(exp));
        }
    }

    fn cmp(&self, other: &Limbs) -> Ordering {
        self.len.cmp(&other.len).then_with(|| {
            self.limbs[..self.len]
                .iter()
                .rev()
                .cmp(other.limbs[..other.len].iter().rev())
        })
    }
}

/// A product of decimals: its sign (`Equal` when a factor is zero), its magnitude if that fits
/// 128 bits, its scale and how many factors it has (up to the first zero).
struct Summary {
    sign: Ordering,
    magnitude: Option<u128>,
    scale: u32,
    count: usize,
}

fn summarize<'a>(factors: impl Iterator<Item = &'a Decimal>) -> Summary {
    let mut negative = false;
    let mut magnitude = Some(1u128);
    let mut scale = 0;
    let mut count = 0;
    for d in factors {
        let m = d.mantissa().unsigned_abs();
        if m == 0 {
            return Summary {
                sign: Ordering::Equal,
                magnitude: Some(0),
                scale: 0,
                count,
            };
        }
        negative ^= d.is_sign_negative();
        magnitude = magnitude.and_then(|p| mul_u128(p, m));
        scale += d.scale();
        count += 1;
    }
    Summary {
        sign: if negative {
            Ordering::Less
        } else {
            Ordering::Greater
        },
        magnitude,
        scale,
        count,
    }
}

/// `10^0 … 10^38`: every power of ten below 2¹²⁸.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `a · b` if it fits 128 bits (one machine multiplication when both fit 64 bits).
pub(crate) fn mul_u128(a: u128, b: u128) -> Option<u128> {
    if (a | b) >> 64 == 0 {
        // A 64 × 64 → 128-bit multiplication, which cannot overflow.
        Some(u128::from(a as u64) * u128::from(b as u64))
    } else {
        a.checked_mul(b)
    }
}

/// `m · 10^exp` if it fits 128 bits.
fn times_pow10(m: u128, exp: u32) -> Option<u128> {
    mul_u128(m, *POW10.get(exp as usize)?)
}

/// Compares two decimals exactly: [`cmp_products`] of one factor each.
fn cmp_decimals(a: &Decimal, b: &Decimal) -> Ordering {
    let sign = |d: &Decimal| match (d.is_zero(), d.is_sign_negative()) {
        (true, _) => Ordering::Equal,
        (false, true) => Ordering::Less,
        (false, false) => Ordering::Greater,
    };
    let (sa, sb) = (sign(a), sign(b));
    if sa != sb || sa == Ordering::Equal {
        return sa.cmp(&sb);
    }
    let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    // A magnitude scaled up beyond 128 bits is larger than the other (below 2^96).
    let magnitude = match a.scale().cmp(&b.scale()) {
        Ordering::Equal => ma.cmp(&mb),
        Ordering::Less => {
            times_pow10(ma, b.scale() - a.scale()).map_or(Ordering::Greater, |ma| ma.cmp(&mb))
        }
        Ordering::Greater => {
            times_pow10(mb, a.scale() - b.scale()).map_or(Ordering::Less, |mb| ma.cmp(&mb))
        }
    };
    if sa == Ordering::Less {
        magnitude.reverse()
    } else {
        magnitude
    }
}

fn limbs_product<'a>(factors: impl Iterator<Item = &'a Decimal>) -> Limbs {
    let mut out = Limbs::one();
    for d in factors {
        out.mul_mantissa(d.mantissa().unsigned_abs());
    }
    out
}

/// Compares the exact product of one list of decimals with that of another (an empty list is
/// 1): in 128 bits when the products fit, else in limbs on the stack, else on the heap.
pub(crate) fn cmp_products_iter<'a, L, R>(lhs: L, rhs: R) -> Ordering
where
    L: Iterator<Item = &'a Decimal> + Clone,
    R: Iterator<Item = &'a Decimal> + Clone,
{
    let l = summarize(lhs.clone());
    let r = summarize(rhs.clone());
    if l.sign != r.sign || l.sign == Ordering::Equal {
        return l.sign.cmp(&r.sign);
    }
    let (lshift, rshift) = (
        r.scale.saturating_sub(l.scale),
        l.scale.saturating_sub(r.scale),
    );
    let small = match (l.magnitude, r.magnitude) {
        (Some(lm), Some(rm)) => times_pow10(lm, lshift).zip(times_pow10(rm, rshift)),
        _ => None,
    };
    let magnitude = match small {
        Some((lm, rm)) => lm.cmp(&rm),
        None if l.count > STACK_FACTORS || r.count > STACK_FACTORS => {
            return cmp_products_nat(lhs, rhs);
        }
        None => {
            let mut lm = limbs_product(lhs);
            let mut rm = limbs_product(rhs);
            lm.times_pow10(lshift);
            rm.times_pow10(rshift);
            lm.cmp(&rm)
        }
    };
    if l.sign == Ordering::Less {
        magnitude.reverse()
    } else {
        magnitude
    }
}

/// Compares the exact product of `lhs` with the exact product of `rhs` (an empty slice is 1).
pub(crate) fn cmp_products(lhs: &[Decimal], rhs: &[Decimal]) -> Ordering {
    match (lhs, rhs) {
        ([a], [b]) => cmp_decimals(a, b),
        _ => cmp_products_iter(lhs.iter(), rhs.iter()),
    }
}

/// `num / den` to 28 significant digits, and whether that is the exact quotient.
pub(crate) fn quotient(num: Decimal, den: Decimal) -> Result<(Decimal, bool), UnitError> {
    let q = quotient_value(num, den)?;
    let exact = cmp_products(&[q, den], &[num]) == Ordering::Equal;
    Ok((q, exact))
}

/// [`quotient`] without finding out whether it is exact.
fn quotient_value(num: Decimal, den: Decimal) -> Result<Decimal, UnitError> {
    if den.is_zero() {
        return Err(UnitError::DivisionByZero);
    }
    let q = if is_whole_one(&den) {
        // What dividing by a whole 1 gives: the same digits (zero as plain 0).
        canonical(num)
    } else {
        or_overflow(num.checked_div(den))?
    };
    if q.is_zero() && !num.is_zero() {
        return Err(UnitError::OutOfRange);
    }
    Ok(q)
}

/// The product of some decimals (checked), refusing a nonzero product that rounds to zero.
pub(crate) fn checked_product(factors: &[Decimal]) -> Result<Decimal, UnitError> {
    // `1 · d` and `d · 1` are `d` (zero as plain 0), so factors of a whole 1 (unit factors
    // that cancel) are skipped and the first factor is taken as it is: the same digits as
    // multiplying everything out.
    let mut acc: Option<Decimal> = None;
    for d in factors {
        if is_whole_one(d) {
            continue;
        }
        acc = Some(match acc {
            None => canonical(*d),
            Some(acc) => or_overflow(acc.checked_mul(*d))?,
        });
    }
    let acc = acc.unwrap_or(Decimal::ONE);
    if acc.is_zero() && factors.iter().all(|d| !d.is_zero()) {
        return Err(UnitError::OutOfRange);
    }
    Ok(acc)
}

/// True for the decimal 1 written without decimal places (as in [`Decimal::ONE`]).
pub(crate) fn is_whole_one(d: &Decimal) -> bool {
    d.scale() == 0 && d.mantissa() == 1
}

/// `d · 1` (and `d ÷ 1`) in decimal arithmetic: `d` itself, except that a zero (`-0`, `0.00`)
/// becomes plain 0.
fn canonical(d: Decimal) -> Decimal {
    if d.is_zero() {
        Decimal::ZERO
    } else {
        d
    }
}

/// `Π num / Π den` to 28 significant digits (one rounding at most), and whether it is exact.
pub(crate) fn scaled(num: &[Decimal], den: &[Decimal]) -> Result<(Decimal, bool), UnitError> {
    let (n, d) = scaled_operands(num, den)?;
    let (q, exact) = quotient(n, d)?;
    let single = |factors: &[Decimal]| factors.iter().filter(|f| !is_whole_one(f)).count() <= 1;
    if single(num) && single(den) {
        // `n` and `d` are then the products themselves (whole ones change nothing), so the
        // quotient's own check is this one.
        return Ok((q, exact));
    }
    let lhs = std::iter::once(&q).chain(den);
    Ok((q, cmp_products_iter(lhs, num.iter()) == Ordering::Equal))
}

/// [`scaled`] without finding out whether it is exact (same value, same errors).
pub(crate) fn scaled_value(num: &[Decimal], den: &[Decimal]) -> Result<Decimal, UnitError> {
    let (n, d) = scaled_operands(num, den)?;
    quotient_value(n, d)
}

/// `Π num` and `Π den` for [`scaled`], refusing a zero denominator.
fn scaled_operands(num: &[Decimal], den: &[Decimal]) -> Result<(Decimal, Decimal), UnitError> {
    let d = checked_product(den)?;
    if d.is_zero() {
        return Err(UnitError::DivisionByZero);
    }
    Ok((checked_product(num)?, d))
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
