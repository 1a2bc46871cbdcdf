//! Square roots of exact rationals, for `sqrt` in formulas (Mosteller's body surface area):
//! the root itself when it is rational, and otherwise the root rounded to a whole number,
//! decided with integer square roots so that the rounding is that of the true root. No
//! floating point is involved anywhere.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::One;

use super::Rational;
use crate::units::RoundMode;

impl Rational {
    /// The square root, when it is rational (the numerator and the denominator in lowest terms
    /// are both perfect squares: `9/4` → `3/2`); `None` for any other value, a negative one
    /// included.
    #[must_use]
    pub fn sqrt_exact(&self) -> Option<Rational> {
        if self.is_negative() {
            return None;
        }
        let b = self.to_big();
        let (n, d) = (b.numer(), b.denom());
        let (rn, rd) = (n.sqrt(), d.sqrt());
        if &(&rn * &rn) == n && &(&rd * &rd) == d {
            Some(Rational::from_big(BigRational::new(rn, rd)))
        } else {
            None
        }
    }

    /// The square root rounded to a whole number by `mode` (a tie, possible only for an exact
    /// root, goes away from zero), or `None` for a negative value. For `p/q` the root is
    /// `√(pq)/q`, and `⌊√(pq)/q⌋ = ⌊⌊√(pq)⌋/q⌋`, so an integer square root decides it exactly.
    #[must_use]
    pub fn sqrt_whole(&self, mode: RoundMode) -> Option<Rational> {
        if self.is_negative() {
            return None;
        }
        if let Some(root) = self.sqrt_exact() {
            return Some(match mode {
                RoundMode::Down => root.floor(),
                RoundMode::Up => root.ceil(),
                RoundMode::Nearest => root.add(&Rational::new(1, 2)?).floor(),
            });
        }
        let b = self.to_big();
        let (p, q) = (b.numer(), b.denom());
        let pq: BigInt = p * q;
        // Not a perfect square: the root is irrational, never a whole number nor a half.
        let whole = match mode {
            RoundMode::Down => pq.sqrt() / q,
            RoundMode::Up => pq.sqrt() / q + BigInt::one(),
            // ⌊√t + 1/2⌋ = ⌊(⌊2√t⌋ + 1) / 2⌋, and 2√t = √(4pq)/q.
            RoundMode::Nearest => {
                let twice: BigInt = (pq * BigInt::from(4)).sqrt() / q;
                (twice + BigInt::one()) / BigInt::from(2)
            }
        };
        Some(Rational::from_big(BigRational::from_integer(whole)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d).expect("a nonzero denominator")
    }

    #[test]
    fn perfect_squares_have_exact_roots() {
        assert_eq!(r(9, 4).sqrt_exact(), Some(r(3, 2)));
        assert_eq!(r(0, 1).sqrt_exact(), Some(r(0, 1)));
        assert_eq!(r(1, 1).sqrt_exact(), Some(r(1, 1)));
        assert_eq!(r(144, 1).sqrt_exact(), Some(r(12, 1)));
        // 2.25 = 9/4
        assert_eq!(
            Rational::parse_decimal("2.25").and_then(|x| x.sqrt_exact()),
            Some(r(3, 2))
        );
    }

    #[test]
    fn other_values_have_no_exact_root() {
        assert_eq!(r(2, 1).sqrt_exact(), None);
        assert_eq!(r(9, 2).sqrt_exact(), None);
        assert_eq!(r(-4, 1).sqrt_exact(), None);
        assert_eq!(r(-4, 1).sqrt_whole(RoundMode::Down), None);
    }

    #[test]
    fn irrational_roots_round_exactly() {
        // √2 = 1.41421…
        assert_eq!(r(2, 1).sqrt_whole(RoundMode::Down), Some(r(1, 1)));
        assert_eq!(r(2, 1).sqrt_whole(RoundMode::Up), Some(r(2, 1)));
        assert_eq!(r(2, 1).sqrt_whole(RoundMode::Nearest), Some(r(1, 1)));
        // √(9/4 + tiny) just above 1.5 goes up; √(9/4 − tiny) just below goes down.
        let above = r(9, 4).add(&r(1, 1_000_000_000_000));
        let below = r(9, 4).sub(&r(1, 1_000_000_000_000));
        assert_eq!(above.sqrt_whole(RoundMode::Nearest), Some(r(2, 1)));
        assert_eq!(below.sqrt_whole(RoundMode::Nearest), Some(r(1, 1)));
        // An exact tie goes away from zero, as `round to` does.
        assert_eq!(r(9, 4).sqrt_whole(RoundMode::Nearest), Some(r(2, 1)));
        assert_eq!(r(9, 4).sqrt_whole(RoundMode::Down), Some(r(1, 1)));
        assert_eq!(r(9, 4).sqrt_whole(RoundMode::Up), Some(r(2, 1)));
        assert_eq!(r(0, 1).sqrt_whole(RoundMode::Up), Some(r(0, 1)));
        // √(1/3) = 0.577…
        assert_eq!(r(1, 3).sqrt_whole(RoundMode::Nearest), Some(r(1, 1)));
        assert_eq!(r(1, 3).sqrt_whole(RoundMode::Down), Some(r(0, 1)));
    }

    #[test]
    fn huge_values_are_rooted_with_big_integers() {
        // (2^62 + 1)^2 does not fit a machine word; its root does.
        let big = Rational::from(i64::MAX / 2 + 1);
        let square = big.mul(&big);
        assert!(!square.is_small());
        assert_eq!(square.sqrt_exact(), Some(big.clone()));
        let above = square.add(&Rational::from(1));
        assert_eq!(above.sqrt_exact(), None);
        assert_eq!(above.sqrt_whole(RoundMode::Down), Some(big.clone()));
        assert_eq!(
            above.sqrt_whole(RoundMode::Up),
            Some(big.add(&Rational::from(1)))
        );
        assert_eq!(above.sqrt_whole(RoundMode::Nearest), Some(big));
    }
}
