//! Exact rational numbers for dosing arithmetic: a value is a fraction `num / den` in lowest
//! terms, held in two machine words when it fits (almost always: doses, rates, factors) and as
//! a [`BigRational`] otherwise. Every operation here is exact; the size of a value is bounded
//! by [`Rational::check_bounds`], which [`Quantity`](super::Quantity) applies to every result.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;

use super::error::UnitError;

/// The most bits a value's numerator or denominator may have (in lowest terms). Past this a
/// result is [`UnitError::Overflow`]: no hang, no exhausted memory, however a protocol chains
/// its arithmetic. 256 bits is far beyond any dose (a denominator of 2²⁵⁶ is about 10⁷⁷).
pub const MAX_BITS: u64 = 256;

/// Values must stay below 2⁹⁶ = 79228162514264337593543950336 in magnitude, the range that
/// numbers have always had in Posology (the largest literal); past it a result is
/// [`UnitError::Overflow`].
pub const MAX_MAGNITUDE_BITS: u64 = 96;

/// An exact rational number (see the module documentation).
///
/// The representation is canonical (lowest terms, positive denominator, the small form
/// whenever both parts fit), so the derived `==` and `Hash` are those of the number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rational(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `num / den` with `den ≥ 1`, `gcd(num, den) = 1` and `|num| ≤ i64::MAX` (so negation
    /// never overflows).
    Small { num: i64, den: i64 },
    /// Anything that does not fit [`Repr::Small`] (already reduced by `num-rational`).
    Big(Box<BigRational>),
}

impl Default for Rational {
    fn default() -> Rational {
        Rational::ZERO
    }
}

impl fmt::Debug for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rational({})", self.exact_text())
    }
}

impl fmt::Display for Rational {
    /// The exact value: every digit of a terminating decimal (`0.0002625`), else a fraction in
    /// lowest terms (`2/3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.exact_text())
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Rational {
        Rational::from_i128(i128::from(n))
    }
}

impl From<i32> for Rational {
    fn from(n: i32) -> Rational {
        Rational::from(i64::from(n))
    }
}

impl From<u64> for Rational {
    fn from(n: u64) -> Rational {
        Rational::from_i128(i128::from(n))
    }
}

impl From<Decimal> for Rational {
    /// The decimal's exact value (`0.25` is 1/4).
    fn from(d: Decimal) -> Rational {
        let mantissa = d.mantissa();
        let scale = d.scale();
        if scale == 0 {
            return Rational::from_i128(mantissa);
        }
        // A decimal's scale is at most 28, and every power in `POW10` (up to 10^38) fits an
        // i128; the big path is only a fallback.
        match POW10
            .get(scale as usize)
            .and_then(|&p| i128::try_from(p).ok())
        {
            Some(p) => Rational::ratio_i128(mantissa, p),
            None => Rational::from_big(BigRational::new(
                BigInt::from(mantissa),
                BigInt::from(10u32).pow(scale),
            )),
        }
    }
}

impl Rational {
    /// 0.
    pub const ZERO: Rational = Rational(Repr::Small { num: 0, den: 1 });
    /// 1.
    pub const ONE: Rational = Rational(Repr::Small { num: 1, den: 1 });

    /// `num / den` (any signs; `den` nonzero), reduced. `None` for a zero denominator.
    pub fn new(num: i64, den: i64) -> Option<Rational> {
        (den != 0).then(|| Rational::ratio_i128(i128::from(num), i128::from(den)))
    }

    /// `num / den` already in lowest terms with `den > 0` (a unit factor), without a gcd.
    pub(crate) fn from_reduced(num: i64, den: i64) -> Rational {
        debug_assert!(den > 0 && gcd_u64(num.unsigned_abs(), den as u64) == 1);
        if num == i64::MIN {
            return Rational::ratio_i128(i128::from(num), i128::from(den));
        }
        Rational(Repr::Small { num, den })
    }

    /// Parses a decimal as written (`0.5`, `-12`, `300`), exactly; `None` for anything else,
    /// or more than 28 significant digits (the literal limit).
    pub fn parse_decimal(text: &str) -> Option<Rational> {
        Decimal::from_str_exact(text).ok().map(Rational::from)
    }

    /// A whole number.
    fn from_i128(n: i128) -> Rational {
        match i64::try_from(n) {
            Ok(num) if num != i64::MIN => Rational(Repr::Small { num, den: 1 }),
            _ => Rational(Repr::Big(Box::new(BigRational::from_integer(
                BigInt::from(n),
            )))),
        }
    }

    /// `num / den` for `den ≠ 0`, reduced to the canonical form.
    fn ratio_i128(num: i128, den: i128) -> Rational {
        debug_assert!(den != 0);
        if den == 1 {
            return Rational::from_i128(num);
        }
        // Work with a positive denominator; i128::MIN cannot arise from i64 products.
        let (num, den) = match (num.checked_neg(), den.checked_neg()) {
            (Some(n), Some(d)) if den < 0 => (n, d),
            _ if den < 0 => {
                return Rational::from_big(BigRational::new(BigInt::from(num), BigInt::from(den)))
            }
            _ => (num, den),
        };
        if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
            // The common case, in 64-bit arithmetic (i128 division is slow).
            let g = gcd_u64(n.unsigned_abs(), d.unsigned_abs()) as i64;
            if n != i64::MIN && g > 0 {
                return Rational(Repr::Small {
                    num: n / g,
                    den: d / g,
                });
            }
        }
        let g = gcd_u128(num.unsigned_abs(), den.unsigned_abs()) as i128;
        let (num, den) = if g > 1 {
            (num / g, den / g)
        } else {
            (num, den)
        };
        Rational::reduced_i128(num, den)
    }

    /// An already reduced `num / den` (`den > 0`) in canonical form.
    fn reduced_i128(num: i128, den: i128) -> Rational {
        match (i64::try_from(num), i64::try_from(den)) {
            (Ok(n), Ok(d)) if n != i64::MIN => Rational(Repr::Small { num: n, den: d }),
            _ => Rational(Repr::Big(Box::new(BigRational::new_raw(
                BigInt::from(num),
                BigInt::from(den),
            )))),
        }
    }

    /// A reduced big rational in canonical form (small when it fits).
    fn from_big(r: BigRational) -> Rational {
        if let (Some(n), Some(d)) = (r.numer().to_i64(), r.denom().to_i64()) {
            if n != i64::MIN {
                return Rational(Repr::Small { num: n, den: d });
            }
        }
        Rational(Repr::Big(Box::new(r)))
    }

    /// The value as a big rational (for the slow paths).
    fn to_big(&self) -> BigRational {
        match &self.0 {
            Repr::Small { num, den } => {
                BigRational::new_raw(BigInt::from(*num), BigInt::from(*den))
            }
            Repr::Big(b) => (**b).clone(),
        }
    }

    /// The numerator (in lowest terms, carrying the sign).
    pub fn numer(&self) -> BigInt {
        match &self.0 {
            Repr::Small { num, .. } => BigInt::from(*num),
            Repr::Big(b) => b.numer().clone(),
        }
    }

    /// True when the value is held in two machine words (the fast path): arithmetic on the
    /// other kind costs a hundred times more, which the evaluator's work budget counts.
    pub fn is_small(&self) -> bool {
        matches!(self.0, Repr::Small { .. })
    }

    /// True for 0.
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small { num: 0, .. })
    }

    /// True below zero.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small { num, .. } => *num < 0,
            Repr::Big(b) => b.is_negative(),
        }
    }

    /// True above zero.
    pub fn is_positive(&self) -> bool {
        match &self.0 {
            Repr::Small { num, .. } => *num > 0,
            Repr::Big(b) => b.is_positive(),
        }
    }

    /// True for a whole number.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small { den, .. } => *den == 1,
            Repr::Big(b) => b.is_integer(),
        }
    }

    /// True for ±1.
    pub fn is_one_in_magnitude(&self) -> bool {
        matches!(
            self.0,
            Repr::Small {
                num: 1 | -1,
                den: 1
            }
        )
    }

    /// The value as an `i64` when it is a whole number that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Small { num, den: 1 } => Some(*num),
            _ => None,
        }
    }

    /// The value as a `u32` when it is a whole number that fits.
    pub fn to_u32(&self) -> Option<u32> {
        self.to_i64().and_then(|n| u32::try_from(n).ok())
    }

    /// True at or above zero (as `Decimal::is_sign_positive` for a value without `-0`).
    pub fn is_sign_positive(&self) -> bool {
        !self.is_negative()
    }

    /// True below zero (as `Decimal::is_sign_negative` for a value without `-0`).
    pub fn is_sign_negative(&self) -> bool {
        self.is_negative()
    }

    /// The fractional part, `self − trunc(self)` (zero for a whole number).
    pub fn fract(&self) -> Rational {
        if self.is_integer() {
            Rational::ZERO
        } else {
            self.sub(&self.trunc())
        }
    }

    /// `-self`.
    pub fn neg(&self) -> Rational {
        match &self.0 {
            Repr::Small { num, den } => Rational(Repr::Small {
                num: -num,
                den: *den,
            }),
            Repr::Big(b) => Rational::from_big(-(**b).clone()),
        }
    }

    /// `|self|`.
    pub fn abs(&self) -> Rational {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `self + other`, exactly.
    pub fn add(&self, other: &Rational) -> Rational {
        match (&self.0, &other.0) {
            (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) => {
                let (a, b, c, d) = (
                    i128::from(*a),
                    i128::from(*b),
                    i128::from(*c),
                    i128::from(*d),
                );
                if b == d {
                    if b == 1 {
                        return Rational::from_i128(a + c);
                    }
                    return Rational::ratio_i128(a + c, b);
                }
                // |a·d + c·b| < 2^127 and b·d < 2^126: no overflow.
                Rational::ratio_i128(a * d + c * b, b * d)
            }
            _ => Rational::from_big(self.to_big() + other.to_big()),
        }
    }

    /// `self − other`, exactly.
    pub fn sub(&self, other: &Rational) -> Rational {
        self.add(&other.neg())
    }

    /// `self × other`, exactly.
    pub fn mul(&self, other: &Rational) -> Rational {
        match (&self.0, &other.0) {
            (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) => {
                if *b == 1 && *d == 1 {
                    return Rational::from_i128(i128::from(*a) * i128::from(*c));
                }
                // Cancel across first, so that the product is already in lowest terms.
                let g1 = gcd_u64(a.unsigned_abs(), d.unsigned_abs()) as i64;
                let g2 = gcd_u64(c.unsigned_abs(), b.unsigned_abs()) as i64;
                // A gcd of 1 is the common case (a dose times a unit factor): no division.
                let cut = |x: i64, g: i64| if g == 1 { x } else { x / g };
                let num = i128::from(cut(*a, g1)) * i128::from(cut(*c, g2));
                let den = i128::from(cut(*b, g2)) * i128::from(cut(*d, g1));
                Rational::reduced_i128(num, den)
            }
            _ => Rational::from_big(self.to_big() * other.to_big()),
        }
    }

    /// `1 / self`, or `None` for zero.
    pub fn recip(&self) -> Option<Rational> {
        match &self.0 {
            Repr::Small { num: 0, .. } => None,
            Repr::Small { num, den } if *num < 0 => Some(Rational(Repr::Small {
                num: -den,
                den: -num,
            })),
            Repr::Small { num, den } => Some(Rational(Repr::Small {
                num: *den,
                den: *num,
            })),
            Repr::Big(b) => Some(Rational::from_big(b.recip())),
        }
    }

    /// `self ÷ other`, exactly, or [`UnitError::DivisionByZero`].
    pub fn div(&self, other: &Rational) -> Result<Rational, UnitError> {
        match other.recip() {
            Some(r) => Ok(self.mul(&r)),
            None => Err(UnitError::DivisionByZero),
        }
    }

    /// The largest whole number not above the value.
    pub fn floor(&self) -> Rational {
        match &self.0 {
            Repr::Small { num, den } => Rational::from(num.div_euclid(*den)),
            Repr::Big(b) => Rational::from_big(b.floor()),
        }
    }

    /// The smallest whole number not below the value.
    pub fn ceil(&self) -> Rational {
        self.neg().floor().neg()
    }

    /// The whole part, towards zero.
    pub fn trunc(&self) -> Rational {
        if self.is_negative() {
            self.ceil()
        } else {
            self.floor()
        }
    }

    /// True when the value has a finite decimal expansion (its denominator divides a power of
    /// ten): `1/8` does, `2/3` does not.
    pub fn terminates(&self) -> bool {
        match &self.0 {
            Repr::Small { den, .. } => {
                let mut d = *den as u64;
                d >>= d.trailing_zeros();
                while d.is_multiple_of(5) {
                    d /= 5;
                }
                d == 1
            }
            Repr::Big(b) => {
                let mut d = b.denom().magnitude().clone();
                if let Some(z) = d.trailing_zeros() {
                    d >>= z;
                }
                let five = num_bigint::BigUint::from(5u32);
                while (&d % &five).is_zero() {
                    d /= &five;
                }
                d.is_one()
            }
        }
    }

    /// [`UnitError::Overflow`] unless the value is within the bounds every quantity keeps: a
    /// magnitude below 2⁹⁶ and a numerator and a denominator of at most `MAX_BITS` bits.
    // Inlined: asked of every result of arithmetic, and a small value, the usual, is in bounds.
    #[inline]
    pub fn check_bounds(&self) -> Result<(), UnitError> {
        match &self.0 {
            // |num| < 2^63 < 2^96 and den < 2^63.
            Repr::Small { .. } => Ok(()),
            Repr::Big(b) => Rational::check_big_bounds(b),
        }
    }

    /// [`Rational::check_bounds`] of a big value.
    #[inline(never)]
    fn check_big_bounds(b: &BigRational) -> Result<(), UnitError> {
        let (n, d) = (b.numer().magnitude(), b.denom().magnitude());
        if n.bits() > MAX_BITS || d.bits() > MAX_BITS {
            return Err(UnitError::Overflow);
        }
        // |n / d| < 2^96  ⇔  n < d · 2^96
        if n.bits() > d.bits() + MAX_MAGNITUDE_BITS - 1
            && *n >= (d.clone() << MAX_MAGNITUDE_BITS as usize)
        {
            return Err(UnitError::Overflow);
        }
        Ok(())
    }

    /// The value in lowest terms as `numerator/denominator` (`2/3`, `-5/1`).
    pub fn fraction_text(&self) -> String {
        match &self.0 {
            Repr::Small { num, den } => format!("{num}/{den}"),
            Repr::Big(b) => format!("{}/{}", b.numer(), b.denom()),
        }
    }

    /// [`Rational::decimal_text`] when it can be printed without allocating (a small value):
    /// `Some(Some(_))` to print, `Some(None)` when it does not terminate, `None` otherwise.
    pub(crate) fn small_decimal(&self) -> Option<Option<SmallDecimal>> {
        match &self.0 {
            Repr::Small { num, den } => small_decimal(*num, *den as u64),
            Repr::Big(_) => None,
        }
    }

    /// Every digit of a terminating value in safe notation (`0.0002625`, `5`, `-12.5`), or
    /// `None` if it does not terminate.
    pub fn decimal_text(&self) -> Option<String> {
        if let Repr::Small { num, den } = &self.0 {
            if let Some(text) = small_decimal_text(*num, *den as u64) {
                return text;
            }
        }
        if !self.terminates() {
            return None;
        }
        let (twos, fives) = match &self.0 {
            Repr::Small { den, .. } => {
                let d = *den as u64;
                let twos = d.trailing_zeros();
                let mut rest = d >> twos;
                let mut fives = 0;
                while rest.is_multiple_of(5) {
                    rest /= 5;
                    fives += 1;
                }
                (twos as u64, fives)
            }
            Repr::Big(b) => {
                let mut d = b.denom().magnitude().clone();
                let twos = d.trailing_zeros().unwrap_or(0);
                d >>= twos;
                let five = num_bigint::BigUint::from(5u32);
                let mut fives = 0;
                while (&d % &five).is_zero() {
                    d /= &five;
                    fives += 1;
                }
                (twos, fives)
            }
        };
        let scale = twos.max(fives);
        // value · 10^scale is a whole number: num · 2^(scale−twos) · 5^(scale−fives).
        if let Repr::Small { num, .. } = &self.0 {
            let small = pow_u128(2, scale - twos)
                .zip(pow_u128(5, scale - fives))
                .and_then(|(a, b)| a.checked_mul(b))
                .and_then(|m| m.checked_mul(u128::from(num.unsigned_abs())));
            if let Some(digits) = small {
                return Some(place_point(&digits.to_string(), scale, *num < 0));
            }
        }
        let digits = self.numer().magnitude()
            * num_bigint::BigUint::from(2u32).pow(u32::try_from(scale - twos).ok()?)
            * num_bigint::BigUint::from(5u32).pow(u32::try_from(scale - fives).ok()?);
        Some(place_point(&digits.to_string(), scale, self.is_negative()))
    }

    /// The exact value as text: [`Rational::decimal_text`] when it terminates, else
    /// [`Rational::fraction_text`].
    pub fn exact_text(&self) -> String {
        self.decimal_text().unwrap_or_else(|| self.fraction_text())
    }

    /// The value rounded to `places` decimal places, ties away from zero, in safe notation
    /// (trailing zeros dropped): `2/3` to 4 places is `0.6667`.
    pub fn rounded_text(&self, places: u64) -> String {
        let r = round_scaled(&self.to_big(), places as i64);
        place_point(&r.magnitude().to_string(), places, r.sign() == Sign::Minus)
    }

    /// The value rounded to `digits` significant digits, ties away from zero, in safe notation.
    pub fn significant_text(&self, digits: u64) -> String {
        if self.is_zero() {
            return "0".to_string();
        }
        let big = self.to_big();
        // e = floor(log10 |v|): 10^e ≤ |v| < 10^(e+1).
        let (n, d) = (big.numer().magnitude(), big.denom().magnitude());
        let mut e = n.to_string().len() as i64 - d.to_string().len() as i64;
        let abs = big.abs();
        while abs < pow10_big(e) {
            e -= 1;
        }
        while abs >= pow10_big(e + 1) {
            e += 1;
        }
        let places = digits as i64 - 1 - e;
        let r = round_scaled(&big, places);
        let negative = r.sign() == Sign::Minus;
        if places >= 0 {
            place_point(&r.magnitude().to_string(), places as u64, negative)
        } else {
            let mut text = r.magnitude().to_string();
            if text != "0" {
                text.push_str(&"0".repeat(places.unsigned_abs() as usize));
            }
            place_point(&text, 0, negative)
        }
    }
}

impl TryFrom<Rational> for i64 {
    type Error = UnitError;

    /// A whole number that fits; anything else is [`UnitError::OutOfRange`].
    fn try_from(r: Rational) -> Result<i64, UnitError> {
        r.to_i64().ok_or(UnitError::OutOfRange)
    }
}

impl TryFrom<Rational> for u32 {
    type Error = UnitError;

    /// A whole number that fits; anything else is [`UnitError::OutOfRange`].
    fn try_from(r: Rational) -> Result<u32, UnitError> {
        r.to_u32().ok_or(UnitError::OutOfRange)
    }
}

// Square roots, exact or rounded to a whole number with integer arithmetic.
mod root;

impl std::ops::Neg for Rational {
    type Output = Rational;

    fn neg(self) -> Rational {
        Rational::neg(&self)
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Rational) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rational {
    // Inlined: every comparison of two quantities ends here, and two small values, the usual,
    // compare in a few instructions.
    #[inline]
    fn cmp(&self, other: &Rational) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) => {
                if b == d {
                    return a.cmp(c);
                }
                (i128::from(*a) * i128::from(*d)).cmp(&(i128::from(*c) * i128::from(*b)))
            }
            _ => self.cmp_big(other),
        }
    }
}

impl Rational {
    /// [`Ord::cmp`] when either value is big.
    #[inline(never)]
    fn cmp_big(&self, other: &Rational) -> Ordering {
        self.to_big().cmp(&other.to_big())
    }
}

/// `10^e` as a big rational (`e` may be negative).
fn pow10_big(e: i64) -> BigRational {
    let p = BigInt::from(10u32).pow(e.unsigned_abs() as u32);
    if e >= 0 {
        BigRational::from_integer(p)
    } else {
        BigRational::new_raw(BigInt::one(), p)
    }
}

/// `round(v · 10^places)`, ties away from zero (`places` may be negative).
fn round_scaled(v: &BigRational, places: i64) -> BigInt {
    let scaled = v * pow10_big(places);
    let (n, d) = (scaled.numer(), scaled.denom());
    // |n| / d rounded half up, then the sign.
    let (q, r) = n.magnitude().div_rem(d.magnitude());
    let q = if r * 2u32 >= *d.magnitude() {
        q + 1u32
    } else {
        q
    };
    let q = BigInt::from_biguint(Sign::Plus, q);
    if n.is_negative() {
        -q
    } else {
        q
    }
}

/// Digits of `|v| · 10^scale` as text with the decimal point put back, trailing zeros after the
/// point dropped, a zero before a leading point, and no sign on zero.
fn place_point(digits: &str, scale: u64, negative: bool) -> String {
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits.to_string()
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    let frac = frac.trim_end_matches('0');
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    if negative && body != "0" {
        format!("-{body}")
    } else {
        body
    }
}

/// [`Rational::decimal_text`] of `num / den` in machine words: `Some(None)` when it does not
/// terminate, `None` when the digits do not fit 128 bits (the caller then uses big numbers).
fn small_decimal_text(num: i64, den: u64) -> Option<Option<String>> {
    small_decimal(num, den).map(|d| d.map(|d| d.to_string()))
}

/// A terminating value of [`Repr::Small`] as a whole number or `int.frac` with `scale` digits
/// after the point, to print without building a big number.
#[derive(Clone, Copy)]
pub(crate) enum SmallDecimal {
    /// A whole number.
    Whole(i64),
    /// `sign int . frac`, `frac` written with `scale` digits.
    Point {
        negative: bool,
        int: u128,
        frac: u128,
        scale: usize,
    },
}

impl fmt::Display for SmallDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SmallDecimal::Whole(n) => write!(f, "{n}"),
            SmallDecimal::Point {
                negative,
                int,
                frac,
                scale,
            } => {
                let sign = if negative { "-" } else { "" };
                // In lowest terms the last digit is not zero. The width is at most 38 (`POW10`
                // has 39 entries), far below the 65,535 at which a format width panics.
                write!(f, "{sign}{int}.{frac:0>scale$}")
            }
        }
    }
}

/// [`small_decimal_text`] without the text: `Some(None)` when the value does not terminate,
/// `None` when the digits do not fit 128 bits.
fn small_decimal(num: i64, den: u64) -> Option<Option<SmallDecimal>> {
    if den == 1 {
        return Some(Some(SmallDecimal::Whole(num)));
    }
    let twos = den.trailing_zeros();
    let mut rest = den >> twos;
    let mut fives = 0u32;
    while rest.is_multiple_of(5) {
        rest /= 5;
        fives += 1;
    }
    if rest != 1 {
        return Some(None);
    }
    let scale = twos.max(fives);
    let pow10 = *POW10.get(scale as usize)?;
    // num / den = num · (10^scale / den) / 10^scale
    let digits = u128::from(num.unsigned_abs()).checked_mul(pow10 / u128::from(den))?;
    let (int, frac) = (digits / pow10, digits % pow10);
    Some(Some(SmallDecimal::Point {
        negative: num < 0,
        int,
        frac,
        scale: scale as usize,
    }))
}

/// `base^exp` if it fits 128 bits.
fn pow_u128(base: u128, exp: u64) -> Option<u128> {
    base.checked_pow(u32::try_from(exp).ok()?)
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

/// The greatest common divisor (binary); `gcd(0, b) = b`.
pub(crate) fn gcd_u64(a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        return a | b;
    }
    // A whole number's denominator, a unit fraction's numerator: no loop to find 1.
    if a == 1 || b == 1 {
        return 1;
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

/// The greatest common divisor (binary, in 64 bits when both fit); `gcd(0, b) = b`.
pub(crate) fn gcd_u128(a: u128, b: u128) -> u128 {
    if let (Ok(a), Ok(b)) = (u64::try_from(a), u64::try_from(b)) {
        return u128::from(gcd_u64(a, b));
    }
    if a == 0 || b == 0 {
        return a | b;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> Rational {
        Rational::parse_decimal(text).unwrap()
    }

    #[test]
    fn arithmetic_is_exact() {
        let third = Rational::ONE.div(&Rational::from(3)).unwrap();
        assert_eq!(third.mul(&Rational::from(3)), Rational::ONE);
        assert_eq!(r("0.1").add(&r("0.2")), r("0.3"));
        let v = r("140")
            .sub(&r("36"))
            .div(&r("72"))
            .unwrap()
            .mul(&r("54"))
            .div(&r("2.6"))
            .unwrap();
        assert_eq!(v, Rational::from(30));
        assert_eq!(third.fraction_text(), "1/3");
        assert_eq!(third.neg().fraction_text(), "-1/3");
    }

    #[test]
    fn big_values_fall_back_and_come_back() {
        let big = Rational::from(i64::MAX).mul(&Rational::from(i64::MAX));
        assert!(matches!(big.0, Repr::Big(_)));
        let back = big.div(&Rational::from(i64::MAX)).unwrap();
        assert_eq!(back, Rational::from(i64::MAX));
        assert!(matches!(back.0, Repr::Small { .. }));
        assert_eq!(Rational::from(i64::MIN).neg().to_i64(), None);
        assert!(Rational::from(i64::MIN).is_negative());
        assert_eq!(
            Rational::from(i64::MIN).add(&Rational::ONE),
            Rational::from(i64::MIN + 1)
        );
    }

    #[test]
    fn prints_terminating_values_in_full_and_others_rounded() {
        assert_eq!(r("0.0002625").exact_text(), "0.0002625");
        assert_eq!(r("-12.50").exact_text(), "-12.5");
        assert_eq!(r("0").exact_text(), "0");
        let two_thirds = Rational::new(2, 3).unwrap();
        assert_eq!(two_thirds.decimal_text(), None);
        assert_eq!(two_thirds.rounded_text(4), "0.6667");
        assert_eq!(two_thirds.neg().rounded_text(4), "-0.6667");
        assert_eq!(
            two_thirds.significant_text(28),
            "0.6666666666666666666666666667"
        );
        assert_eq!(
            Rational::new(1_000_000, 3).unwrap().significant_text(2),
            "330000"
        );
        assert_eq!(
            Rational::new(1, 30_000_000).unwrap().significant_text(4),
            "0.00000003333"
        );
        assert_eq!(Rational::new(-1, 3).unwrap().rounded_text(0), "0");
    }

    /// Denominators with more than 38 factors of two do not fit the 128-bit fast path of
    /// [`small_decimal_text`]: their digits are worked out from the counted twos and fives.
    #[test]
    fn long_terminating_values_print_every_digit() {
        let with_fives = Rational::new(7, (1 << 40) * 125).unwrap();
        assert_eq!(
            with_fives.decimal_text().as_deref(),
            Some("0.0000000000000509317032992839813232421875")
        );
        let negative = Rational::new(-3, 1 << 39).unwrap();
        assert_eq!(
            negative.decimal_text().as_deref(),
            Some("-0.000000000005456968210637569427490234375")
        );
        let widest = Rational::new(1, 1 << 62).unwrap();
        assert_eq!(
            widest.exact_text(),
            "0.00000000000000000021684043449710088680149056017398834228515625"
        );
        assert!(matches!(widest.0, Repr::Small { .. }));
        let big_den = BigInt::from(125u32) << 70usize;
        let big = Rational::from_big(BigRational::new(BigInt::from(7u32), big_den));
        assert!(matches!(big.0, Repr::Big(_)));
        assert!(big.terminates());
        assert_eq!(
            big.decimal_text().as_deref(),
            Some("0.0000000000000000000000474338450462408189878260600380599498748779296875")
        );
        let big_third = Rational::from_big(BigRational::new(
            BigInt::one(),
            BigInt::from(3u32) << 70usize,
        ));
        assert!(!big_third.terminates());
        assert_eq!(big_third.decimal_text(), None);
    }

    /// A numerator of exactly `MAX_BITS` bits is still in bounds when the magnitude is.
    #[test]
    fn bounds_at_the_widest_numerator() {
        let numer = (BigInt::one() << 255usize) + 1u32;
        let at_limit =
            Rational::from_big(BigRational::new(numer.clone(), BigInt::one() << 200usize));
        assert_eq!(at_limit.check_bounds(), Ok(()));
        let past = Rational::from_big(BigRational::new(
            numer << 1usize | BigInt::one(),
            BigInt::one() << 200usize,
        ));
        assert_eq!(past.check_bounds(), Err(UnitError::Overflow));
    }

    /// The operators agree with the methods: `<` and `>` order values (never "unordered"),
    /// and unary minus negates, on both representations.
    #[test]
    fn operators_order_and_negate() {
        let (third, half) = (Rational::new(1, 3).unwrap(), Rational::new(1, 2).unwrap());
        assert!(third < half);
        assert!(half > third);
        assert!(half >= Rational::new(2, 4).unwrap());
        assert_eq!(third.partial_cmp(&half), Some(Ordering::Less));
        assert_eq!(-half.clone(), Rational::new(-1, 2).unwrap());
        let big = Rational::from(i64::MAX).mul(&Rational::from(3));
        assert!(big > half && -big.clone() < half);
        assert_eq!(-(-big.clone()), big);
    }

    /// Products where a side is a whole number or a unit fraction (the gcd's shortcut for 1)
    /// are the big rationals' products, at the edges of the small form and past them.
    #[test]
    fn products_with_whole_numbers_and_unit_fractions_are_exact_at_the_edges() {
        let max = i64::MAX;
        let cases: [(i64, i64, i64, i64); 12] = [
            (max, 1, 1, max),
            (max, 1, 1, 1),
            (1, max, max, 1),
            (-max, 1, 1, 2),
            (max, 1, 2, 1),
            (max - 1, 1, 1, max),
            (-max, 1, -1, max),
            (0, 1, 1, max),
            (1, 1, 1, 1),
            (1, 3, 3, 1),
            (max, 1, max, 1),
            (-1, max, -1, max),
        ];
        for (a, b, c, d) in cases {
            let (x, y) = (Rational::new(a, b).unwrap(), Rational::new(c, d).unwrap());
            let exact = Rational::from_big(x.to_big() * y.to_big());
            assert_eq!(x.mul(&y), exact, "{a}/{b} * {c}/{d}");
            assert_eq!(y.mul(&x), exact, "{c}/{d} * {a}/{b}");
        }
    }

    /// The binary gcd against Euclid's, in 64 bits and beyond, with zero on either side.
    #[test]
    fn gcd_agrees_with_euclid() {
        fn euclid(a: u128, b: u128) -> u128 {
            if b == 0 {
                a
            } else {
                euclid(b, a % b)
            }
        }
        let values: [u128; 15] = [
            0,
            1,
            2,
            3,
            12,
            1 << 63,
            u128::from(u64::MAX - 1),
            u128::from(i64::MAX as u64),
            3 << 100,
            9 << 70,
            (1 << 64) + 2,
            u128::from(u64::MAX),
            u128::MAX,
            6_000_000_000_000_000_000_000_000_000,
            (1 << 64) + 1,
        ];
        for a in values {
            for b in values {
                assert_eq!(gcd_u128(a, b), euclid(a, b), "gcd({a}, {b})");
                if let (Ok(x), Ok(y)) = (u64::try_from(a), u64::try_from(b)) {
                    assert_eq!(u128::from(gcd_u64(x, y)), euclid(a, b), "gcd({a}, {b})");
                }
            }
        }
        assert_eq!(gcd_u128(3 << 100, 9 << 70), 3 << 70);
    }

    /// Display is the exact text; Debug names the type around it; `u64`s convert exactly,
    /// the largest to the big form.
    #[test]
    fn shows_exactly_and_converts_unsigned() {
        let two_thirds = Rational::new(2, 3).unwrap();
        assert_eq!(two_thirds.to_string(), "2/3");
        assert_eq!(r("0.0002625").to_string(), "0.0002625");
        assert_eq!(format!("{two_thirds:?}"), "Rational(2/3)");
        assert_eq!(Rational::from(5u64), Rational::from(5i64));
        let max = Rational::from(u64::MAX);
        assert_eq!(max.to_string(), u64::MAX.to_string());
        assert!(matches!(max.0, Repr::Big(_)));
    }

    /// The reciprocal keeps the canonical form: the sign on the numerator, the denominator
    /// positive.
    #[test]
    fn reciprocals_keep_the_sign_on_the_numerator() {
        let recip = |n, d| Rational::new(n, d).unwrap().recip().unwrap();
        assert_eq!(recip(-1, 2), Rational::from(-2));
        assert_eq!(recip(-2, 3), Rational::new(-3, 2).unwrap());
        assert!(recip(-2, 3).is_negative());
        assert_eq!(recip(2, 3), Rational::new(3, 2).unwrap());
        assert_eq!(Rational::ZERO.recip(), None);
    }

    #[test]
    fn floor_and_ceil() {
        let v = Rational::new(-7, 2).unwrap();
        assert_eq!(v.floor(), Rational::from(-4));
        assert_eq!(v.ceil(), Rational::from(-3));
        assert_eq!(v.trunc(), Rational::from(-3));
        assert_eq!(Rational::new(7, 2).unwrap().trunc(), Rational::from(3));
    }

    #[test]
    fn bounds() {
        let two = Rational::from(2);
        let mut v = Rational::ONE;
        for _ in 0..95 {
            v = v.mul(&two);
        }
        assert!(v.check_bounds().is_ok());
        assert_eq!(v.mul(&two).check_bounds(), Err(UnitError::Overflow));
        let mut tiny = Rational::ONE;
        for _ in 0..256 {
            tiny = tiny.div(&two).unwrap();
        }
        assert_eq!(tiny.check_bounds(), Err(UnitError::Overflow));
        assert!(tiny.mul(&two).check_bounds().is_ok());
    }
}
