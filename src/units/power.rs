//! Powers and square roots of quantities, and the plain number of a unit in a quantity: what
//! empirical formulas (Cockcroft–Gault, body mass index, Mosteller's body surface area) need.
//! Units follow the arithmetic (`cm ^ 2` is an area, `√(m^2)` is `m`); every value stays exact.

use super::atom::{Atom, Kind};
use super::error::UnitError;
use super::quantity::Quantity;
use super::rational::Rational;
use super::round::RoundMode;
use super::unit::Unit;

/// The largest exponent `^` takes (either sign): formulas square or cube a value; a larger
/// power is a slip, and `10 ^ 1000000` must never be worked out. The checker refuses larger
/// ones; [`Quantity::powi`] refuses them too.
pub const MAX_EXPONENT: u32 = 12;

impl Quantity {
    /// `self ^ exp` for a whole exponent (at most [`MAX_EXPONENT`] either way), exactly, the
    /// unit raised with it (`(170 cm) ^ 2` is `28900 cm^2`); a negative power is one over the
    /// positive power. Each product is bounded, so a huge base overflows at once.
    pub fn powi(&self, exp: i32) -> Result<Quantity, UnitError> {
        if exp.unsigned_abs() > MAX_EXPONENT {
            return Err(UnitError::Overflow);
        }
        let mut acc = Quantity::number(Rational::from(1));
        for _ in 0..exp.unsigned_abs() {
            acc = acc.mul(self)?;
        }
        if exp < 0 {
            Quantity::number(Rational::from(1)).div(&acc)
        } else {
            Ok(acc)
        }
    }

    /// How many `unit` there are in the quantity, as a plain number, exactly (`value(scr in
    /// mg/dL)`): a [`UnitError::Mismatch`] when `unit` measures another kind of thing.
    pub fn number_of(&self, unit: &Unit) -> Result<Rational, UnitError> {
        let factor = self.unit.factor_to(unit)?;
        let value = self.value.mul(&factor.to_rational());
        value.check_bounds()?;
        Ok(value)
    }

    /// The square root when it is exact (`√(9/4 m^4)`... `√(2.25)` is `1.5`), `Ok(None)` when
    /// the root of the value is not a rational number. A negative value is
    /// [`UnitError::NegativeRoot`]; a unit that is not a square (`mg`) a
    /// [`UnitError::Mismatch`].
    pub fn sqrt(&self) -> Result<Option<Quantity>, UnitError> {
        let root_unit = self.root_unit()?;
        let base = self.in_base()?;
        let Some(root) = base.sqrt_exact() else {
            return Ok(None);
        };
        let value = root.div(&root_unit.factor()?.to_rational())?;
        value.check_bounds()?;
        Ok(Some(Quantity::new(value, root_unit)))
    }

    /// The square root rounded to a multiple of `step` (its sign ignored), in the step's unit:
    /// `round to 0.01 m^2` gives the multiple of 0.01 m^2 that the true root rounds to, decided
    /// exactly with integer square roots even when the root is irrational.
    pub fn sqrt_rounded(&self, step: &Quantity, mode: RoundMode) -> Result<Quantity, UnitError> {
        let root_unit = self.root_unit()?;
        if root_unit.dim() != step.dim() {
            return Err(UnitError::Mismatch {
                left: root_unit.dim(),
                right: step.dim(),
                op: "round",
            });
        }
        if step.value.is_zero() {
            return Err(UnitError::DivisionByZero);
        }
        let step_value = step.value.abs();
        let step_base = step_value.mul(&step.unit.factor()?.to_rational());
        // The root in steps is √(x / s²).
        let steps_squared = self.in_base()?.div(&step_base.mul(&step_base))?;
        let steps = steps_squared
            .sqrt_whole(mode)
            .ok_or_else(|| self.negative_root())?;
        let value = steps.mul(&step_value);
        value.check_bounds()?;
        Ok(Quantity::new(value, step.unit.clone()))
    }

    /// The value in the base units of its kind, refusing a negative one.
    fn in_base(&self) -> Result<Rational, UnitError> {
        if self.value.is_negative() {
            return Err(self.negative_root());
        }
        Ok(self.value.mul(&self.unit.factor()?.to_rational()))
    }

    fn negative_root(&self) -> UnitError {
        UnitError::NegativeRoot {
            value: self.display_exact(),
        }
    }

    /// The unit of the square root (see [`Unit::sqrt`]), or a mismatch naming the kind.
    fn root_unit(&self) -> Result<Unit, UnitError> {
        self.unit.sqrt().ok_or(UnitError::Mismatch {
            left: self.dim(),
            right: self.dim(),
            op: "take the square root of",
        })
    }
}

impl Unit {
    /// The unit whose square this unit is, when there is one: every exponent halved, an area
    /// read as a length squared (`m^2` → `m`, `m^2 · m^2` → `m^2`, `kg^2/cm^2` → `kg/cm`; a
    /// plain number stays one). `None` for a unit that is not a square (`mg`, `mL/min`).
    pub fn sqrt(&self) -> Option<Unit> {
        let mut halves = Vec::with_capacity(self.atoms().len());
        for &(atom, exp) in self.atoms() {
            // An area is a length squared: the root of `m^2` is `m` (the `1.73 m^2` of eGFR
            // is an area too; its root is in m, its factor read from the base units).
            let (atom, exp) = match atom.kind() {
                Kind::Area => (Atom::Metre, exp.checked_mul(2)?),
                _ => (atom, exp),
            };
            if exp % 2 != 0 {
                return None;
            }
            halves.push((atom, exp / 2));
        }
        Unit::from_atoms(halves).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `"5 mg"`, `"-3"`, `"2.25"`: a number, then its unit if any.
    fn q(text: &str) -> Quantity {
        let (number, unit) = text.split_once(' ').unwrap_or((text, ""));
        let (digits, negative) = match number.strip_prefix('-') {
            Some(d) => (d, true),
            None => (number, false),
        };
        let value = Rational::parse_decimal(digits).expect("a number");
        let value = if negative { value.neg() } else { value };
        let unit = if unit.is_empty() {
            Unit::none()
        } else {
            Unit::parse(unit).expect("a unit")
        };
        Quantity::new(value, unit)
    }

    #[test]
    fn powers_raise_the_unit() {
        let h = q("170 cm").powi(2).expect("a square");
        assert_eq!(h.value, Rational::from(28_900));
        assert_eq!(h.dim(), q("1 m^2").dim());
        assert_eq!(
            h.compare(&q("2.89 m^2")).expect("areas compare"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(q("2").powi(3).expect("a cube"), q("8"));
        assert_eq!(
            q("2").powi(-2).expect("a quarter").value,
            Rational::new(1, 4).expect("1/4")
        );
        assert_eq!(q("0").powi(2).expect("zero"), q("0"));
        assert_eq!(q("0").powi(-1), Err(UnitError::DivisionByZero));
        assert_eq!(q("-3").powi(3).expect("negative cube"), q("-27"));
        assert_eq!(q("5 mg").powi(1).expect("itself"), q("5 mg"));
        assert_eq!(q("5 mg").powi(0).expect("one"), q("1"));
    }

    #[test]
    fn powers_are_bounded() {
        assert_eq!(q("10").powi(13), Err(UnitError::Overflow));
        assert_eq!(q("10").powi(-1_000_000), Err(UnitError::Overflow));
        // 10^12 fits; (10^12)^12 = 10^144 does not (values stay below 2^96).
        let big = q("10").powi(12).expect("10^12");
        assert_eq!(big.powi(12), Err(UnitError::Overflow));
        assert_eq!(
            q("79228162514264337593543950335").powi(2),
            Err(UnitError::Overflow)
        );
    }

    #[test]
    fn number_of_converts_exactly() {
        assert_eq!(q("1.2 mg/dL").number_of(&unit("mg/dL")), Ok(q("1.2").value));
        assert_eq!(q("2 g").number_of(&unit("mg")), Ok(Rational::from(2000)));
        assert_eq!(q("72 kg").number_of(&unit("kg")), Ok(Rational::from(72)));
        assert!(matches!(
            q("88.42 micromol/L").number_of(&unit("mg/dL")),
            Err(UnitError::Mismatch { .. })
        ));
        // 1 mcg in mg/... stays exact even when it does not terminate: 1 min in h is 1/60.
        assert_eq!(
            q("1 min").number_of(&unit("h")),
            Ok(Rational::new(1, 60).expect("1/60"))
        );
    }

    fn unit(text: &str) -> Unit {
        Unit::parse(text).expect("a unit")
    }

    #[test]
    fn roots_of_units() {
        assert_eq!(unit("m^2").sqrt(), Some(unit("m")));
        assert_eq!(Unit::none().sqrt(), Some(Unit::none()));
        assert_eq!(unit("mg").sqrt(), None);
        assert_eq!(unit("mL/min").sqrt(), None);
        let cm2 = q("1 cm").powi(2).expect("cm^2").unit;
        assert_eq!(cm2.sqrt(), Some(unit("cm")));
        let m4 = q("1 m^2").powi(2).expect("m^4").unit;
        let root = m4.sqrt().expect("m^4 is a square");
        assert_eq!(root.dim(), unit("m^2").dim());
    }

    #[test]
    fn exact_roots() {
        assert_eq!(q("2.25").sqrt(), Ok(Some(q("1.5"))));
        assert_eq!(q("0").sqrt(), Ok(Some(q("0"))));
        assert_eq!(q("2").sqrt(), Ok(None));
        assert_eq!(q("4 m^2").sqrt(), Ok(Some(q("2 m"))));
        assert!(matches!(
            q("-4").sqrt(),
            Err(UnitError::NegativeRoot { .. })
        ));
        assert!(matches!(q("4 mg").sqrt(), Err(UnitError::Mismatch { .. })));
    }

    #[test]
    fn rounded_roots_are_those_of_the_true_root() {
        // Mosteller for 180 cm and 80 kg: √(180 · 80 / 3600) = √4 = 2.
        assert_eq!(
            q("4").sqrt_rounded(&q("0.01"), RoundMode::Nearest),
            Ok(q("2"))
        );
        // 170 cm, 70 kg: √(11900/3600) = 1.81812… → 1.82, down 1.81, up 1.82.
        let x = Quantity::number(Rational::new(11_900, 3_600).expect("a ratio"));
        assert_eq!(
            x.sqrt_rounded(&q("0.01"), RoundMode::Nearest),
            Ok(q("1.82"))
        );
        assert_eq!(x.sqrt_rounded(&q("0.01"), RoundMode::Down), Ok(q("1.81")));
        assert_eq!(x.sqrt_rounded(&q("0.01"), RoundMode::Up), Ok(q("1.82")));
        // A root in m rounded to a step in cm: √(3 m^2) = 1.7320508… m → 173 cm.
        assert_eq!(
            q("3 m^2").sqrt_rounded(&q("1 cm"), RoundMode::Nearest),
            Ok(q("173 cm"))
        );
        assert!(matches!(
            q("-1").sqrt_rounded(&q("0.01"), RoundMode::Nearest),
            Err(UnitError::NegativeRoot { .. })
        ));
        assert_eq!(
            q("2").sqrt_rounded(&q("0"), RoundMode::Nearest),
            Err(UnitError::DivisionByZero)
        );
        assert!(matches!(
            q("2").sqrt_rounded(&q("1 mg"), RoundMode::Nearest),
            Err(UnitError::Mismatch { .. })
        ));
    }
}
