//! Dimensions: the kind of a quantity, which `check` uses to refuse mg where mcg/day is needed.

use super::u;
use crate::units::Dim;

/// Every base dimension, each its own constant.
const BASES: [Dim; 7] = [
    Dim::MASS,
    Dim::BODY_MASS,
    Dim::VOLUME,
    Dim::TIME,
    Dim::CALENDAR,
    Dim::COUNT,
    Dim::ACTIVITY,
];

#[test]
fn each_base_dimension_is_distinct_and_not_a_plain_number() {
    for (i, a) in BASES.iter().enumerate() {
        assert!(!a.is_dimensionless(), "{a:?}");
        for b in &BASES[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(u("units").dim(), Dim::ACTIVITY);
    assert_eq!(u("tablets").dim(), Dim::COUNT);
}

/// `plus_times` adds `e` times each exponent of `other` to the matching exponent of `self`,
/// for every base: checked with exponents other than ±1 so that a product is not mistaken for
/// a quotient, and with both sides nonzero so that a sum is not mistaken for a difference.
#[test]
fn plus_times_adds_a_multiple_of_every_exponent() {
    let start = Dim {
        mass: 1,
        body_mass: 2,
        volume: 3,
        time: 4,
        calendar: 5,
        count: 6,
        activity: 7,
        length: 8,
        substance: 9,
        equivalents: 10,
    };
    let step = Dim {
        mass: 2,
        body_mass: 3,
        volume: 4,
        time: 5,
        calendar: 6,
        count: 7,
        activity: 8,
        length: 9,
        substance: 10,
        equivalents: 11,
    };
    let expected = Dim {
        mass: 1 + 2 * 3,
        body_mass: 2 + 3 * 3,
        volume: 3 + 4 * 3,
        time: 4 + 5 * 3,
        calendar: 5 + 6 * 3,
        count: 6 + 7 * 3,
        activity: 7 + 8 * 3,
        length: 8 + 9 * 3,
        substance: 9 + 10 * 3,
        equivalents: 10 + 11 * 3,
    };
    assert_eq!(start.plus_times(step, 3), expected);
    assert_eq!(start.plus_times(step, 0), start);
    assert_eq!(start.per(start), Dim::NONE);
}

#[test]
fn a_unit_divided_by_itself_is_a_plain_number() {
    for text in ["mL/mL", "units/units", "mg/mg", "tablets/tablets", "h/day"] {
        assert!(u(text).dim().is_dimensionless(), "{text}");
    }
    assert_eq!(u("mL·mL").dim(), Dim::VOLUME.plus_times(Dim::VOLUME, 1));
    assert_eq!(u("units·units").dim().activity, 2);
}

#[test]
fn an_unnamed_kind_is_described_by_an_example_unit() {
    let per_mass = Dim {
        mass: -1,
        count: 1,
        activity: 1,
        ..Dim::NONE
    };
    // A mass below the line reads as a body weight: per kg, not per mg.
    assert_eq!(per_mass.describe(), "a quantity measured in tablet·unit/kg");
    assert_eq!(per_mass.to_string(), per_mass.describe());
    assert_eq!(Dim::MASS.to_string(), Dim::MASS.describe());
}

/// Exponents beyond what a unit can hold are shown at the largest one it can, on the same
/// side of the line, never wrapped around to the other.
#[test]
fn huge_exponents_are_described_without_wrapping() {
    let time = |time| Dim { time, ..Dim::NONE };
    assert_eq!(time(300).describe(), time(127).describe());
    assert_eq!(time(-300).describe(), time(-128).describe());
    assert_ne!(time(300).describe(), time(-300).describe());
}
