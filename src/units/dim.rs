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
    /// Exponent of length (cm, m, inch); an area (m^2) is a length squared.
    pub length: i16,
    /// Exponent of amount of substance (mmol, micromol).
    pub substance: i16,
    /// Exponent of milliequivalents (mEq): not an amount of substance without a valence.
    pub equivalents: i16,
}

/// Pharmacist words for the dimensions that protocols use.
const NAMED: &[(Dim, &str)] = &[
    (Dim::NONE, "a plain number"),
    (Dim::MASS, "a mass (e.g. mg)"),
    (Dim::VOLUME, "a volume (e.g. mL)"),
    (Dim::TIME, "a time (e.g. h, days)"),
    (Dim::CALENDAR, "an age or calendar time (e.g. years)"),
    (Dim::COUNT, "a count (e.g. tablets)"),
    (Dim::ACTIVITY, "an amount of activity (e.g. units)"),
    (Dim::MASS.per(Dim::TIME), "a mass per time (e.g. mcg/day)"),
    (
        Dim::MASS.per(Dim::VOLUME),
        "a mass per volume (e.g. mcg/mL)",
    ),
    (
        Dim::VOLUME.per(Dim::TIME),
        "a volume per time (e.g. mL/min)",
    ),
    (
        Dim::MASS.per(Dim::BODY_MASS),
        "a mass per body mass (e.g. mg/kg)",
    ),
    (
        Dim::MASS.per(Dim::BODY_MASS).per(Dim::TIME),
        "a mass per body mass per time (e.g. mg/kg/day)",
    ),
    // A volume per body mass is written `mL/kg`, and `kg` alone below the line of a unit with
    // no mass above it is a mass, not a body mass (see `Unit::dim`).
    (
        Dim::VOLUME.per(Dim::MASS),
        "a volume per body mass (e.g. mL/kg)",
    ),
    (
        Dim::VOLUME.per(Dim::MASS).per(Dim::TIME),
        "a volume per body mass per time (e.g. mL/kg/h)",
    ),
    (
        Dim::COUNT.per(Dim::TIME),
        "a count per time (e.g. doses/day)",
    ),
    (
        Dim::MASS.per(Dim::COUNT),
        "a mass per item (e.g. mg/tablet)",
    ),
    (
        Dim::ACTIVITY.per(Dim::TIME),
        "an activity per time (e.g. units/h)",
    ),
    (
        Dim::ACTIVITY.per(Dim::VOLUME),
        "an activity per volume (e.g. units/mL)",
    ),
    (
        Dim::ACTIVITY.per(Dim::MASS),
        "an activity per body mass (e.g. units/kg)",
    ),
    (
        Dim::ACTIVITY.per(Dim::MASS).per(Dim::TIME),
        "an activity per body mass per time (e.g. units/kg/h)",
    ),
    (Dim::NONE.per(Dim::TIME), "a frequency (e.g. 1/day)"),
    (Dim::LENGTH, "a length (e.g. cm, a height)"),
    (Dim::AREA, "an area (e.g. m^2, a body surface area)"),
    (
        Dim::SUBSTANCE,
        "an amount of substance (e.g. mmol, micromol)",
    ),
    (Dim::EQUIVALENTS, "an amount in milliequivalents (mEq)"),
    (
        Dim::MASS.per(Dim::AREA),
        "a mass per area (e.g. mg/m^2 for a dose, kg/m^2 for a body mass index)",
    ),
    (
        Dim::SUBSTANCE.per(Dim::VOLUME),
        "a substance concentration (e.g. micromol/L)",
    ),
    (
        Dim::SUBSTANCE.per(Dim::TIME),
        "an amount of substance per time (e.g. mmol/h)",
    ),
    (
        Dim::EQUIVALENTS.per(Dim::VOLUME),
        "milliequivalents per volume (e.g. mEq/L)",
    ),
    (
        Dim::EQUIVALENTS.per(Dim::TIME),
        "milliequivalents per time (e.g. mEq/h)",
    ),
    (
        Dim::VOLUME.per(Dim::TIME).per(Dim::AREA),
        "a volume per time per body surface area (e.g. mL/min/1.73 m^2, an eGFR)",
    ),
];

impl Dim {
    /// A plain number: every exponent zero.
    pub const NONE: Dim = Dim {
        mass: 0,
        body_mass: 0,
        volume: 0,
        time: 0,
        calendar: 0,
        count: 0,
        activity: 0,
        length: 0,
        substance: 0,
        equivalents: 0,
    };
    /// A mass (mg).
    pub const MASS: Dim = Dim {
        mass: 1,
        ..Dim::NONE
    };
    /// A body mass: the `kg` in `mg/kg`.
    pub const BODY_MASS: Dim = Dim {
        body_mass: 1,
        ..Dim::NONE
    };
    /// A volume (mL).
    pub const VOLUME: Dim = Dim {
        volume: 1,
        ..Dim::NONE
    };
    /// An exact time (h, days).
    pub const TIME: Dim = Dim {
        time: 1,
        ..Dim::NONE
    };
    /// A calendar time (months, years).
    pub const CALENDAR: Dim = Dim {
        calendar: 1,
        ..Dim::NONE
    };
    /// A count of items (tablets).
    pub const COUNT: Dim = Dim {
        count: 1,
        ..Dim::NONE
    };
    /// An amount of biological activity (units).
    pub const ACTIVITY: Dim = Dim {
        activity: 1,
        ..Dim::NONE
    };

    /// A length (cm, m, inch).
    pub const LENGTH: Dim = Dim {
        length: 1,
        ..Dim::NONE
    };
    /// An area (m^2): a length squared.
    pub const AREA: Dim = Dim {
        length: 2,
        ..Dim::NONE
    };
    /// An amount of substance (mmol, micromol).
    pub const SUBSTANCE: Dim = Dim {
        substance: 1,
        ..Dim::NONE
    };
    /// Milliequivalents (mEq).
    pub const EQUIVALENTS: Dim = Dim {
        equivalents: 1,
        ..Dim::NONE
    };

    /// `self` plus `other` times `e`: the dimension of a product with `other^e`.
    #[must_use]
    pub const fn plus_times(self, other: Dim, e: i16) -> Dim {
        Dim {
            mass: self.mass + other.mass * e,
            body_mass: self.body_mass + other.body_mass * e,
            volume: self.volume + other.volume * e,
            time: self.time + other.time * e,
            calendar: self.calendar + other.calendar * e,
            count: self.count + other.count * e,
            activity: self.activity + other.activity * e,
            length: self.length + other.length * e,
            substance: self.substance + other.substance * e,
            equivalents: self.equivalents + other.equivalents * e,
        }
    }

    /// `self` divided by `other`, e.g. `Dim::MASS.per(Dim::TIME)` for mcg/day.
    #[must_use]
    pub const fn per(self, other: Dim) -> Dim {
        self.plus_times(other, -1)
    }

    /// True for a plain number (every exponent zero).
    pub fn is_dimensionless(&self) -> bool {
        *self == Dim::NONE
    }

    /// Why two kinds that pharmacists often take for each other do not convert, when they
    /// differ only by a molar mass (mg/dL and micromol/L), a valence (mmol and mEq) or a body
    /// surface area (mL/min/1.73 m^2 and mL/min): a help text, or `None`.
    pub fn why_not_convertible(&self, other: &Dim) -> Option<&'static str> {
        let gap = self.per(*other);
        let only = |d: Dim| gap == d || gap == Dim::NONE.per(d);
        if only(Dim::MASS.per(Dim::SUBSTANCE)) {
            Some(
                "a mass (mg/dL) and an amount of substance (micromol/L) convert only through \
                 the substance's molar mass, which differs for each substance: declare it on \
                 the input (`scr: mg/dL convert 1 mg/dL = 88.42 micromol/L`), so that a value \
                 in either unit is read in the input's unit, and compare in that unit",
            )
        } else if only(Dim::SUBSTANCE.per(Dim::EQUIVALENTS)) {
            Some(
                "mEq and mmol differ by the ion's valence (1 mmol of calcium is 2 mEq): write \
                 the amount in the unit the label uses",
            )
        } else if only(Dim::AREA) {
            Some(
                "a value per 1.73 m^2 (an eGFR) is normalised to a standard body surface area \
                 and is not a plain mL/min (a creatinine clearance): use the one the label \
                 names, or multiply by the patient's body surface area / 1.73 m^2",
            )
        } else {
            None
        }
    }

    /// The kind in pharmacist words, e.g. "a mass per time (e.g. mcg/day)", for messages.
    pub fn describe(&self) -> String {
        match NAMED.iter().find(|(d, _)| d == self) {
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
            (mass, self.mass),
            (Atom::Kilogram, self.body_mass),
            (Atom::Millilitre, self.volume),
            (Atom::Hour, self.time),
            (Atom::Month, self.calendar),
            (Atom::Tablet, self.count),
            (Atom::Unit, self.activity),
            (Atom::Centimetre, self.length),
            (Atom::Millimole, self.substance),
            (Atom::Milliequivalent, self.equivalents),
        ];
        let mut atoms = Vec::new();
        for (atom, exp) in bases {
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
