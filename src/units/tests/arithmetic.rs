//! Arithmetic: exact conversions, the calculations protocols do, overflow and rounding.

use std::cmp::Ordering;

use super::{d, q, u};
use crate::units::*;

#[test]
fn mass_units_convert_exactly() {
    assert_eq!(q("1 mg").convert_to(&u("mcg")).unwrap(), q("1000 mcg"));
    assert_eq!(q("250 mcg").convert_to(&u("mg")).unwrap(), q("0.25 mg"));
    assert_eq!(q("1.5 g").convert_to(&u("mg")).unwrap(), q("1500 mg"));
    assert_eq!(q("1 mcg").convert_to(&u("g")).unwrap(), q("0.000001 g"));
    assert_eq!(q("2 L").convert_to(&u("mL")).unwrap(), q("2000 mL"));
}

#[test]
fn rates_convert_exactly_or_not_at_all() {
    let c = q("0.3 mg/day").convert_to(&u("mcg/day")).unwrap();
    assert_eq!(c, q("300 mcg/day"));
    assert_eq!(c.to_string(), "300 mcg/day");
    let per_hour = q("300 mcg/day").convert_to(&u("mcg/h")).unwrap();
    assert_eq!(per_hour.to_string(), "12.5 mcg/h");
    let err = q("1 mg/day").convert_to(&u("mcg/h")).unwrap_err();
    assert!(matches!(err, UnitError::Inexact { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "1 mg/day cannot be expressed exactly in mcg/h"
    );
}

#[test]
fn time_converts_but_calendar_does_not() {
    assert_eq!(q("2 weeks").convert_to(&u("days")).unwrap(), q("14 days"));
    assert_eq!(q("21 days").convert_to(&u("weeks")).unwrap(), q("3 weeks"));
    assert_eq!(q("1 day").convert_to(&u("h")).unwrap(), q("24 h"));
    assert_eq!(
        q("2 years").convert_to(&u("months")).unwrap(),
        q("24 months")
    );
    let err = q("1 year").convert_to(&u("days")).unwrap_err();
    assert!(matches!(err, UnitError::Mismatch { op: "convert", .. }));
    assert!(err.help().unwrap().contains("no fixed number of days"));
    assert!(q("365 days").convert_to(&u("year")).is_err());
    assert!(q("1 year").compare(&q("365 days")).is_err());
}

#[test]
fn infusion_volume_per_day_from_dose_and_concentration() {
    let rate = q("300 mcg/day").div(&q("500 mcg/mL")).unwrap();
    assert_eq!(rate, q("0.6 mL/day"));
    assert_eq!(rate.dim().describe(), "a volume per time (e.g. mL/min)");
}

#[test]
fn days_a_reservoir_lasts() {
    let days = q("38 mL").div(&q("0.6 mL/day")).unwrap();
    assert_eq!(days.unit, u("day"));
    assert!(days.is_approximate());
    assert_eq!(days.to_string(), "~63.3333 days");
    assert_eq!(days.floor(), q("63 days"));
    assert_eq!(days.ceil(), q("64 days"));
    assert!(q("38 mL").div_exact(&q("0.6 mL/day")).is_err());
}

#[test]
fn refill_interval_is_exactly_25_days() {
    let usable = q("20 mL").sub(&q("3 mL")).unwrap();
    let rate = q("340 mcg/day").div(&q("500 mcg/mL")).unwrap();
    let days = usable.div_exact(&rate).unwrap();
    assert_eq!(days, q("25 days"));
    assert_eq!(days.to_string(), "25 days");
}

#[test]
fn adding_converts_to_the_finer_unit() {
    let sum = q("5 mg").add(&q("500 mcg")).unwrap();
    assert_eq!(sum, q("5500 mcg"));
    assert_eq!(q("500 mcg").add(&q("5 mg")).unwrap(), q("5500 mcg"));
    assert_eq!(q("1 week").sub(&q("2 days")).unwrap(), q("5 days"));
    // Neither mg/day nor mcg/h holds the sum of the other exactly: mcg/day does.
    assert_eq!(q("1 mg/day").add(&q("1 mcg/h")).unwrap(), q("1024 mcg/day"));
    assert_eq!(q("10%").add(&Quantity::number(d("1"))).unwrap(), q("110%"));
}

#[test]
fn different_kinds_do_not_mix() {
    let err = q("5 mg").add(&q("5 mL")).unwrap_err();
    assert_eq!(
        err,
        UnitError::Mismatch {
            left: Dim::MASS,
            right: Dim::VOLUME,
            op: "add"
        }
    );
    assert_eq!(
        err.to_string(),
        "cannot add a mass (e.g. mg) and a volume (e.g. mL)"
    );
    assert_eq!(err.code(), "posology::unit::mismatch");
    let err = q("5 mcg").compare(&q("5 mcg/day")).unwrap_err();
    assert!(matches!(err, UnitError::Mismatch { op: "compare", .. }));
    assert!(err.to_string().contains("a mass per time (e.g. mcg/day)"));
}

#[test]
fn comparison_is_exact_across_units() {
    // 1 mg/day = 41.666… mcg/h.
    assert_eq!(
        q("1 mg/day").compare(&q("41 mcg/h")).unwrap(),
        Ordering::Greater
    );
    assert_eq!(
        q("1 mg/day").compare(&q("42 mcg/h")).unwrap(),
        Ordering::Less
    );
    assert_eq!(
        q("24 mg/day").compare(&q("1000 mcg/h")).unwrap(),
        Ordering::Equal
    );
    assert_eq!(q("-1 mg").compare(&q("-999 mcg")).unwrap(), Ordering::Less);
}

#[test]
fn multiplication_cancels_units() {
    let dose = q("5 mg/kg/day").mul(&q("70 kg")).unwrap();
    assert_eq!(dose, q("350 mg/day"));
    let neonate = q("5 mg/kg").mul(&q("3500 g")).unwrap();
    assert_eq!(neonate, q("17.5 mg"));
    let ratio = q("1 mg").div(&q("250 mcg")).unwrap();
    assert_eq!(ratio, Quantity::number(d("4")));
    assert!(ratio.unit.is_none());
    let per_kg = q("350 mg").div(&q("70 kg")).unwrap();
    assert_eq!(per_kg, q("5 mg/kg"));
    assert_eq!(per_kg.dim().describe(), "a mass per body mass (e.g. mg/kg)");
    let half = q("30 min").div(&q("1 h")).unwrap();
    assert_eq!(half, Quantity::number(d("0.5")));
    let tablets = q("2 tablets/dose").mul(&q("3 doses/day")).unwrap();
    assert_eq!(tablets.to_string(), "6 tablets/day");
}

#[test]
fn percent_folds_into_the_value() {
    let boosted = q("300 mcg/day").mul(&q("110%")).unwrap();
    assert_eq!(boosted, q("330 mcg/day"));
    assert_eq!(q("110%").mul(&q("300 mcg/day")).unwrap(), q("330 mcg/day"));
    let plain = q("50%").mul(&Quantity::number(d("3"))).unwrap();
    assert_eq!(plain, Quantity::number(d("1.5")));
    assert_eq!(plain.unit, Unit::none());
    assert_eq!(Unit::percent().to_string(), "%");
}

#[test]
fn overflow_and_division_by_zero_are_errors() {
    let huge = q("79228162514264337593543950335 mg");
    let ten = Quantity::number(d("10"));
    assert_eq!(huge.mul(&ten), Err(UnitError::Overflow));
    assert_eq!(huge.add(&huge), Err(UnitError::Overflow));
    assert_eq!(huge.convert_to(&u("mcg")), Err(UnitError::Overflow));
    assert_eq!(huge.neg().sub(&huge), Err(UnitError::Overflow));
    let zero = q("0 mL/day");
    assert_eq!(q("5 mL").div(&zero), Err(UnitError::DivisionByZero));
    assert_eq!(
        q("5 mg").round_to_step(&q("0 mg"), RoundMode::Nearest),
        Err(UnitError::DivisionByZero)
    );
    // Tiny values are exact (no rounding to zero); past the bit budget they overflow.
    let tiny = q("0.000000000000001 mg");
    let square = tiny.mul(&tiny).unwrap();
    assert_eq!(square.to_string(), "0.000000000000000000000000000001 mg^2");
    let three = Quantity::number(d("3"));
    let mut v = q("1 mg");
    let mut steps = 0;
    let err = loop {
        match v.div(&three) {
            Ok(next) => v = next,
            Err(e) => break e,
        }
        steps += 1;
    };
    assert_eq!(err, UnitError::Overflow);
    assert_eq!(steps, 161, "3^161 < 2^256 < 3^162");
    assert_eq!(UnitError::Overflow.code(), "posology::value::overflow");
    assert_eq!(
        UnitError::DivisionByZero.code(),
        "posology::value::division_by_zero"
    );
}

#[test]
fn rounds_to_a_step() {
    let step = q("5 mg");
    let round = |text: &str, mode| q(text).round_to_step(&step, mode).unwrap();
    assert_eq!(round("23 mg", RoundMode::Down), q("20 mg"));
    assert_eq!(round("23 mg", RoundMode::Up), q("25 mg"));
    assert_eq!(round("23 mg", RoundMode::Nearest), q("25 mg"));
    assert_eq!(round("22 mg", RoundMode::Nearest), q("20 mg"));
    // Ties go away from zero.
    assert_eq!(round("22.5 mg", RoundMode::Nearest), q("25 mg"));
    assert_eq!(round("-22.5 mg", RoundMode::Nearest), q("-25 mg"));
    assert_eq!(round("25 mg", RoundMode::Up), q("25 mg"));
    assert_eq!(round("25 mg", RoundMode::Down), q("25 mg"));
    assert_eq!(round("-23 mg", RoundMode::Down), q("-25 mg"));
    // The step may be in another unit; the result is in the step's unit.
    assert_eq!(
        q("0.0123 g").round_to_step(&step, RoundMode::Down).unwrap(),
        q("10 mg")
    );
    assert_eq!(
        q("1 mg/day")
            .round_to_step(&q("0.5 mcg/h"), RoundMode::Down)
            .unwrap(),
        q("41.5 mcg/h")
    );
    let err = q("5 mg").round_to_step(&q("1 mL"), RoundMode::Up);
    assert!(matches!(err, Err(UnitError::Mismatch { op: "round", .. })));
}

#[test]
fn arithmetic_is_exact() {
    let n = |text: &str| Quantity::number(d(text));
    // (140 - 36) / 72 * 54 / 2.6 is exactly 30.
    let v = n("140")
        .sub(&n("36"))
        .and_then(|x| x.div(&n("72")))
        .and_then(|x| x.mul(&n("54")))
        .and_then(|x| x.div(&n("2.6")))
        .unwrap();
    assert_eq!(v.compare(&n("30")).unwrap(), Ordering::Equal);
    assert_eq!(v, n("30"));
    let third = n("1").div(&n("3")).unwrap();
    assert_eq!(third.mul(&n("3")).unwrap(), n("1"));
    let dose = q("10 mg").div(&n("3")).unwrap().mul(&n("3")).unwrap();
    assert_eq!(dose, q("10 mg"));
    // (1 h / 1 week) * 168 == 1
    let ratio = q("1 h").div(&q("1 week")).unwrap().mul(&n("168")).unwrap();
    assert_eq!(ratio, n("1"));
}

#[test]
fn a_quotient_of_one_dimension_cancels() {
    let v = q("300 mg/day")
        .mul(&q("50 mL/min"))
        .and_then(|x| x.div(&q("15 mL/min")))
        .unwrap();
    assert_eq!(v.to_string(), "1000 mg/day");
    assert_eq!(v, q("1000 mg/day"));
}

#[test]
fn a_mass_ratio_is_a_plain_number() {
    let by_ratio = q("6.3 mg/kg").div(&q("1 mcg/g")).unwrap();
    let by_number = q("6.3 mg/kg")
        .div(&Quantity::number(d("0.000001")))
        .unwrap();
    assert_eq!(by_ratio, by_number);
    assert_eq!(by_ratio.to_string(), "6300000 mg/kg");
    let times = q("6.3 mg/kg").mul(&q("2 mg/g")).unwrap();
    assert_eq!(times.to_string(), "0.0126 mg/kg");
    // Multiplying by a weight still cancels the body mass.
    assert_eq!(q("5 mg/kg").mul(&q("3500 g")).unwrap(), q("17.5 mg"));
}

#[test]
fn rounding_is_exact_without_snapping() {
    // 18 mL at 200/300 mL/day lasts exactly 27 days: rounding down keeps all 27.
    let rate = q("200 mL/day").div(&Quantity::number(d("300"))).unwrap();
    let days = q("18 mL").div(&rate).unwrap();
    assert_eq!(days, q("27 days"));
    let step = q("1 day");
    assert_eq!(
        days.round_to_step(&step, RoundMode::Down).unwrap(),
        q("27 days")
    );
    let almost = q("26.9999999999999999999999999 days");
    assert_eq!(
        almost.round_to_step(&step, RoundMode::Down).unwrap(),
        q("26 days")
    );
}

/// The canonical form every path must reach: lowest terms, a positive denominator, and the
/// small representation exactly when both parts fit in an i64 other than i64::MIN (whose
/// negation overflows). The derived `==` and `Hash` rely on it, so two paths to one number
/// must agree on the representation, not only on the value.
#[test]
fn every_path_reaches_the_canonical_form() {
    let new = |n: i64, d: i64| Rational::new(n, d).expect("a nonzero denominator");
    assert_eq!(new(3, -6), new(-1, 2));
    assert!(new(3, -6).is_small() && new(-1, 2).is_negative());
    assert_eq!(new(-4, -6), new(2, 3));
    assert_eq!(new(6, 3), Rational::from(2));
    // i64::MIN over an odd denominator stays big: its negation does not fit.
    let min_third = new(i64::MIN, 3);
    assert!(!min_third.is_small());
    assert_eq!(min_third.neg().neg(), min_third);
    assert_eq!(min_third.mul(&Rational::from(3)), Rational::from(i64::MIN));
    assert!(!Rational::from(i64::MIN).is_small());
    // Over an even one it reduces into the small form.
    let half_min = new(i64::MIN, 2);
    assert!(half_min.is_small());
    assert_eq!(half_min, Rational::from(i64::MIN / 2));
    // i64::MIN / -1 is 2^63, which no i64 holds.
    let two_63 = new(i64::MIN, -1);
    assert!(!two_63.is_small() && two_63.is_positive());
    assert_eq!(two_63, Rational::from(i64::MAX).add(&Rational::ONE));
    assert_eq!(new(i64::MAX, -1), Rational::from(-i64::MAX));
    assert!(new(i64::MAX, -1).is_small());
}

/// The whole-number questions the evaluator asks of a value (a schedule's day count, a choice
/// by number, the sign of a difference), each at and either side of its edges.
#[test]
fn whole_numbers_and_signs_are_told_exactly() {
    let new = |n: i64, d: i64| Rational::new(n, d).expect("a nonzero denominator");
    assert_eq!(u32::try_from(Rational::from(7)), Ok(7));
    assert_eq!(u32::try_from(Rational::ZERO), Ok(0));
    assert_eq!(
        u32::try_from(Rational::from(i64::from(u32::MAX))),
        Ok(u32::MAX)
    );
    assert!(u32::try_from(Rational::from(i64::from(u32::MAX) + 1)).is_err());
    assert!(u32::try_from(Rational::from(-1)).is_err());
    assert!(u32::try_from(new(15, 2)).is_err());
    assert_eq!(i64::try_from(Rational::from(-42)), Ok(-42));
    assert!(i64::try_from(new(1, 3)).is_err());
    assert!(i64::try_from(new(i64::MIN, -1)).is_err());
    assert!(Rational::from(3).is_integer() && !new(7, 2).is_integer());
    assert!(new(i64::MIN, -1).is_integer() && !new(i64::MIN, 3).is_integer());
    assert_eq!(new(7, 2).fract(), new(1, 2));
    assert_eq!(new(-7, 2).fract(), new(-1, 2));
    assert_eq!(Rational::from(3).fract(), Rational::ZERO);
    assert!(!Rational::ZERO.is_negative() && !Rational::ZERO.is_positive());
    assert!(Rational::ZERO.is_sign_positive() && !Rational::ZERO.is_sign_negative());
    assert!(new(-1, 3).is_negative() && new(-1, 3).is_sign_negative());
    assert!(!new(-1, 3).is_sign_positive() && !new(1, 3).is_sign_negative());
    assert!(new(i64::MIN, 3).is_negative() && !new(i64::MIN, -3).is_negative());
}
