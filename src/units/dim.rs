//! Dimensions: what kind of thing a quantity measures (a mass, a mass per time, …), as small
//! integer exponents over the base dimensions.

use std::fmt;

use super::atom::Atom;
use super::unit::Unit;

/// The kind of a quantity as integer exponents over the base dimensions; two quantities can be
/// added, compared or converted into each other exactly when their `Dim`s are equal.
///
/// `body_mass` is the `kg` in `mg/kg`: a mass divided by a body weight is not a plain number in
/// a dosing protocol, so a unit like `mg/kg` keeps it apart (see [`Unit::dim`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dim {
    /// Exponent of mass (g).
    pub mass: i16,
    /// Exponent of body mass (the `kg` in `mg/kg`).
    pub body_mass: i16,
    /// Exponent of volume (mL).
    pub volume: i16,
    /// Exponent of exact time (s, min, h, day, week).
    pub time: i16,
    /// Exponent of calendar time (month, year), which has no fixed length in days.
    pub calendar: i16,
    /// Exponent of counted items (tablets, capsules, doses).
    pub count: i16,
    /// Exponent of biological activity (insulin-style `units`).
    pub activity: i16,
}

/// Pharmacist words for the dimensions that protocols use, in the field order of [`Dim`].
const NAMED: &[([i16; 7], &str)] = &[
    ([0, 0, 0, 0, 0, 0, 0], "a plain number"),
    ([1, 0, 0, 0, 0, 0, 0], "a mass (e.g. mg)"),
    ([0, 0, 1, 0, 0, 0, 0], "a volume (e.g. mL)"),
    ([0, 0, 0, 1, 0, 0, 0], "a time (e.g. h, days)"),
    (
        [0, 0, 0, 0, 1, 0, 0],
        "an age or calendar time (e.g. years)",
    ),
    ([0, 0, 0, 0, 0, 1, 0], "a count (e.g. tablets)"),
    ([0, 0, 0, 0, 0, 0, 1], "an amount of activity (e.g. units)"),
    ([1, 0, 0, -1, 0, 0, 0], "a mass per time (e.g. mcg/day)"),
    ([1, 0, -1, 0, 0, 0, 0], "a mass per volume (e.g. mcg/mL)"),
    ([0, 0, 1, -1, 0, 0, 0], "a volume per time (e.g. mL/min)"),
    ([1, -1, 0, 0, 0, 0, 0], "a mass per body mass (e.g. mg/kg)"),
    (
        [1, -1, 0, -1, 0, 0, 0],
        "a mass per body mass per time (e.g. mg/kg/day)",
    ),
    (
        [-1, 0, 1, 0, 0, 0, 0],
        "a volume per body mass (e.g. mL/kg)",
    ),
    (
        [-1, 0, 1, -1, 0, 0, 0],
        "a volume per body mass per time (e.g. mL/kg/h)",
    ),
    ([0, 0, 0, -1, 0, 1, 0], "a count per time (e.g. doses/day)"),
    ([1, 0, 0, 0, 0, -1, 0], "a mass per item (e.g. mg/tablet)"),
    (
        [0, 0, 0, -1, 0, 0, 1],
        "an activity per time (e.g. units/h)",
    ),
    (
        [0, 0, -1, 0, 0, 0, 1],
        "an activity per volume (e.g. units/mL)",
    ),
    (
        [-1, 0, 0, 0, 0, 0, 1],
        "an activity per body mass (e.g. units/kg)",
    ),
    (
        [-1, 0, 0, -1, 0, 0, 1],
        "an activity per body mass per time (e.g. units/kg/h)",
    ),
    ([0, 0, 0, -1, 0, 0, 0], "a frequency (e.g. 1/day)"),
];

impl Dim {
    /// A plain number: every exponent zero.
    pub const NONE: Dim = Dim::from_array([0, 0, 0, 0, 0, 0, 0]);
    /// A mass (mg).
    pub const MASS: Dim = Dim::from_array([1, 0, 0, 0, 0, 0, 0]);
    /// A volume (mL).
    pub const VOLUME: Dim = Dim::from_array([0, 0, 1, 0, 0, 0, 0]);
    /// An exact time (h, days).
    pub const TIME: Dim = Dim::from_array([0, 0, 0, 1, 0, 0, 0]);
    /// A calendar time (months, years).
    pub const CALENDAR: Dim = Dim::from_array([0, 0, 0, 0, 1, 0, 0]);
    /// A count of items (tablets).
    pub const COUNT: Dim = Dim::from_array([0, 0, 0, 0, 0, 1, 0]);
    /// An amount of biological activity (units).
    pub const ACTIVITY: Dim = Dim::from_array([0, 0, 0, 0, 0, 0, 1]);

    const fn from_array(e: [i16; 7]) -> Dim {
        Dim {
            mass: e[0],
            body_mass: e[1],
            volume: e[2],
            time: e[3],
            calendar: e[4],
            count: e[5],
            activity: e[6],
        }
    }

    fn to_array(self) -> [i16; 7] {
        [
            self.mass,
            self.body_mass,
            self.volume,
            self.time,
            self.calendar,
            self.count,
            self.activity,
        ]
    }

    /// True for a plain number (every exponent zero).
    pub fn is_dimensionless(&self) -> bool {
        *self == Dim::NONE
    }

    /// The kind in pharmacist words, e.g. "a mass per time (e.g. mcg/day)", for messages.
    pub fn describe(&self) -> String {
        let exps = self.to_array();
        match NAMED.iter().find(|(e, _)| *e == exps) {
            Some((_, words)) => (*words).to_string(),
            None => format!("a quantity measured in {}", self.example_unit()),
        }
    }

    /// A unit of this dimension built from one everyday atom per base dimension.
    fn example_unit(&self) -> Unit {
        // A mass below the line is a body weight: `1/kg` reads better than `1/mg`.
        let mass = if self.mass < 0 {
            Atom::Kilogram
        } else {
            Atom::Milligram
        };
        let bases = [
            mass,
            Atom::Kilogram,
            Atom::Millilitre,
            Atom::Hour,
            Atom::Month,
            Atom::Tablet,
            Atom::Unit,
        ];
        let mut atoms = Vec::new();
        for (atom, exp) in bases.into_iter().zip(self.to_array()) {
            let exp = i8::try_from(exp).unwrap_or(if exp > 0 { i8::MAX } else { i8::MIN });
            atoms.push((atom, exp));
        }
        Unit::from_atoms_unchecked(atoms)
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
