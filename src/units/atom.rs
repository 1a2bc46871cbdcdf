//! Unit atoms (mg, mL, day, tablet, …): their exact factors to a base unit per dimension, their
//! safe printed names and every spelling accepted on input.

use super::ratio::Ratio;

/// One named unit. The declaration order is the canonical order inside a compound unit, so
/// that `mg/kg/day` prints mass first, then body mass, then time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// kg: 1000 g.
    Kilogram,
    /// g: the mass base.
    Gram,
    /// mg: 0.001 g.
    Milligram,
    /// mcg: 0.000001 g (input may say µg, μg or ug; always printed mcg).
    Microgram,
    /// L: 1000 mL.
    Litre,
    /// mL: the volume base.
    Millilitre,
    /// A tablet (a counted item).
    Tablet,
    /// A capsule (a counted item).
    Capsule,
    /// A dose (a counted item).
    Dose,
    /// An insulin-style unit of biological activity (never abbreviated U or IU).
    Unit,
    /// %: a plain number times 0.01.
    Percent,
    /// A week: 7 days.
    Week,
    /// A dosing day: 24 h.
    Day,
    /// h: 3600 s.
    Hour,
    /// min: 60 s.
    Minute,
    /// s: the exact-time base.
    Second,
    /// A year: 12 months (not a number of days).
    Year,
    /// A month: the calendar base.
    Month,
}

/// The base dimension an atom measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Mass (base g).
    Mass,
    /// Volume (base mL).
    Volume,
    /// Counted items (tablet, capsule, dose).
    Count,
    /// Biological activity (units).
    Activity,
    /// A pure ratio (percent): dimensionless.
    Ratio,
    /// Exact time (base s).
    Time,
    /// Calendar time (base month).
    Calendar,
}

/// Every accepted spelling, the safe one of each atom first (used for did-you-mean).
const SPELLINGS: &[(&str, Atom)] = &[
    ("mg", Atom::Milligram),
    ("mcg", Atom::Microgram),
    ("g", Atom::Gram),
    ("kg", Atom::Kilogram),
    ("mL", Atom::Millilitre),
    ("L", Atom::Litre),
    ("h", Atom::Hour),
    ("min", Atom::Minute),
    ("s", Atom::Second),
    ("day", Atom::Day),
    ("days", Atom::Day),
    ("week", Atom::Week),
    ("weeks", Atom::Week),
    ("month", Atom::Month),
    ("months", Atom::Month),
    ("year", Atom::Year),
    ("years", Atom::Year),
    ("tablet", Atom::Tablet),
    ("tablets", Atom::Tablet),
    ("capsule", Atom::Capsule),
    ("capsules", Atom::Capsule),
    ("tab", Atom::Tablet),
    ("tabs", Atom::Tablet),
    ("cap", Atom::Capsule),
    ("caps", Atom::Capsule),
    ("dose", Atom::Dose),
    ("doses", Atom::Dose),
    ("unit", Atom::Unit),
    ("units", Atom::Unit),
    ("%", Atom::Percent),
    ("ug", Atom::Microgram),
    ("\u{b5}g", Atom::Microgram),
    ("\u{3bc}g", Atom::Microgram),
    ("ml", Atom::Millilitre),
    ("l", Atom::Litre),
    ("hr", Atom::Hour),
    ("hrs", Atom::Hour),
    ("hour", Atom::Hour),
    ("hours", Atom::Hour),
    ("mins", Atom::Minute),
    ("minute", Atom::Minute),
    ("minutes", Atom::Minute),
    ("sec", Atom::Second),
    ("secs", Atom::Second),
    ("second", Atom::Second),
    ("seconds", Atom::Second),
    ("wk", Atom::Week),
    ("wks", Atom::Week),
    ("yr", Atom::Year),
    ("yrs", Atom::Year),
    ("milligram", Atom::Milligram),
    ("milligrams", Atom::Milligram),
    ("microgram", Atom::Microgram),
    ("micrograms", Atom::Microgram),
    ("gram", Atom::Gram),
    ("grams", Atom::Gram),
    ("kilogram", Atom::Kilogram),
    ("kilograms", Atom::Kilogram),
    ("milliliter", Atom::Millilitre),
    ("milliliters", Atom::Millilitre),
    ("millilitre", Atom::Millilitre),
    ("millilitres", Atom::Millilitre),
    ("liter", Atom::Litre),
    ("liters", Atom::Litre),
    ("litre", Atom::Litre),
    ("litres", Atom::Litre),
];

/// Error-prone abbreviations (ISMP) refused on input, lower-cased, with the safe spelling.
const BANNED: &[(&str, &str)] = &[("u", "units"), ("iu", "units"), ("cc", "mL")];

/// Spellings read (a patient file or a pasted value may use them) but error-prone in a
/// protocol: `µg` (either code point) is misread as `mg`, a thousandfold overdose, and `ug` is
/// its typed form (ISMP). A protocol using one gets a warning and `posology fmt` rewrites it.
const DISCOURAGED: &[(&str, &str)] = &[("\u{b5}g", "mcg"), ("\u{3bc}g", "mcg"), ("ug", "mcg")];

/// A unit as written (`µg/mL`, `ug/kg/min`) with every discouraged spelling replaced by the
/// safe one (`mcg/mL`), or `None` when it has none. Separators and spaces are kept as written,
/// so the result means exactly the same unit.
pub fn safe_unit_spelling(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 2);
    let mut changed = false;
    let mut word_start = 0;
    let boundaries = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '/' | '·' | '*' | ' ' | '\t'))
        .map(|(i, c)| (i, i + c.len_utf8()))
        .chain(std::iter::once((text.len(), text.len())));
    for (end, next) in boundaries {
        let word = &text[word_start..end];
        match DISCOURAGED.iter().find(|(bad, _)| *bad == word) {
            Some((_, good)) => {
                out.push_str(good);
                changed = true;
            }
            None => out.push_str(word),
        }
        out.push_str(&text[end..next]);
        word_start = next;
    }
    changed.then_some(out)
}

/// How many atoms there are: a unit has at most one entry per atom.
pub(crate) const ATOM_COUNT: usize = 18;

/// Every atom, in declaration (canonical) order: `ALL[atom.index()] == atom`.
pub(crate) const ALL: [Atom; ATOM_COUNT] = [
    Atom::Kilogram,
    Atom::Gram,
    Atom::Milligram,
    Atom::Microgram,
    Atom::Litre,
    Atom::Millilitre,
    Atom::Tablet,
    Atom::Capsule,
    Atom::Dose,
    Atom::Unit,
    Atom::Percent,
    Atom::Week,
    Atom::Day,
    Atom::Hour,
    Atom::Minute,
    Atom::Second,
    Atom::Year,
    Atom::Month,
];

impl Atom {
    /// The position of the atom in [`ALL`] (its canonical order).
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The factor (see [`Atom::factor`]) as exponents of the primes 2, 3, 5 and 7: mcg is 2⁻⁶·5⁻⁶, a week
    /// is 2⁷·3³·5²·7. Exact, so products of factors need no gcd.
    pub(crate) fn prime_exponents(self) -> [i16; 4] {
        match self {
            Atom::Kilogram | Atom::Litre => [3, 0, 3, 0],
            Atom::Milligram => [-3, 0, -3, 0],
            Atom::Microgram => [-6, 0, -6, 0],
            Atom::Percent => [-2, 0, -2, 0],
            Atom::Week => [7, 3, 2, 1],
            Atom::Day => [7, 3, 2, 0],
            Atom::Hour => [4, 2, 2, 0],
            Atom::Minute => [2, 1, 1, 0],
            Atom::Year => [2, 1, 0, 0],
            Atom::Gram
            | Atom::Millilitre
            | Atom::Tablet
            | Atom::Capsule
            | Atom::Dose
            | Atom::Unit
            | Atom::Second
            | Atom::Month => [0, 0, 0, 0],
        }
    }

    /// A bound on the size of the factor: its numerator and denominator are below
    /// `2^factor_bits` (or both 1 and the bound is 0). A product of factors whose bounds add
    /// up to at most 63 bits cannot overflow a [`Ratio`], at any step.
    pub(crate) fn factor_bits(self) -> u32 {
        match self {
            Atom::Kilogram | Atom::Litre | Atom::Milligram => 10,
            Atom::Microgram | Atom::Week => 20,
            Atom::Percent => 7,
            Atom::Day => 17,
            Atom::Hour => 12,
            Atom::Minute => 6,
            Atom::Year => 4,
            Atom::Gram
            | Atom::Millilitre
            | Atom::Tablet
            | Atom::Capsule
            | Atom::Dose
            | Atom::Unit
            | Atom::Second
            | Atom::Month => 0,
        }
    }

    /// The atom a spelling stands for, e.g. `µg` → [`Atom::Microgram`]; case-sensitive.
    pub fn from_spelling(text: &str) -> Option<Atom> {
        SPELLINGS
            .iter()
            .find(|(spelling, _)| *spelling == text)
            .map(|(_, atom)| *atom)
    }

    /// Every accepted spelling, safe ones first (for did-you-mean suggestions).
    pub fn spellings() -> impl Iterator<Item = &'static str> {
        SPELLINGS.iter().map(|(spelling, _)| *spelling)
    }

    /// For a refused abbreviation (`U`, `IU`, `cc`, any case), the safe spelling to write.
    pub fn banned(text: &str) -> Option<&'static str> {
        let lower = text.to_lowercase();
        BANNED
            .iter()
            .find(|(bad, _)| *bad == lower)
            .map(|(_, good)| *good)
    }

    /// The base dimension this atom measures.
    pub fn kind(self) -> Kind {
        match self {
            Atom::Kilogram | Atom::Gram | Atom::Milligram | Atom::Microgram => Kind::Mass,
            Atom::Litre | Atom::Millilitre => Kind::Volume,
            Atom::Tablet | Atom::Capsule | Atom::Dose => Kind::Count,
            Atom::Unit => Kind::Activity,
            Atom::Percent => Kind::Ratio,
            Atom::Week | Atom::Day | Atom::Hour | Atom::Minute | Atom::Second => Kind::Time,
            Atom::Year | Atom::Month => Kind::Calendar,
        }
    }

    /// The exact factor to the base unit of its dimension (g, mL, s, month, item, unit).
    pub fn factor(self) -> Ratio {
        let (num, den) = self.factor_integers();
        Ratio::from_integers(num, den)
    }

    /// The factor's numerator and denominator (in lowest terms).
    pub(crate) fn factor_integers(self) -> (u32, u32) {
        match self {
            Atom::Kilogram | Atom::Litre => (1000, 1),
            Atom::Milligram => (1, 1000),
            Atom::Microgram => (1, 1_000_000),
            Atom::Percent => (1, 100),
            Atom::Week => (604_800, 1),
            Atom::Day => (86_400, 1),
            Atom::Hour => (3600, 1),
            Atom::Minute => (60, 1),
            Atom::Year => (12, 1),
            Atom::Gram
            | Atom::Millilitre
            | Atom::Tablet
            | Atom::Capsule
            | Atom::Dose
            | Atom::Unit
            | Atom::Second
            | Atom::Month => (1, 1),
        }
    }

    /// Compares the factors of two atoms exactly (as [`Ratio::compare`] would).
    pub(crate) fn compare_factor(self, other: Atom) -> std::cmp::Ordering {
        let (an, ad) = self.factor_integers();
        let (bn, bd) = other.factor_integers();
        (u64::from(an) * u64::from(bd)).cmp(&(u64::from(bn) * u64::from(ad)))
    }

    /// The printed name in safe medication notation (singular): `mcg`, `mL`, `day`, `%`.
    pub fn symbol(self) -> &'static str {
        match self {
            Atom::Kilogram => "kg",
            Atom::Gram => "g",
            Atom::Milligram => "mg",
            Atom::Microgram => "mcg",
            Atom::Litre => "L",
            Atom::Millilitre => "mL",
            Atom::Tablet => "tablet",
            Atom::Capsule => "capsule",
            Atom::Dose => "dose",
            Atom::Unit => "unit",
            Atom::Percent => "%",
            Atom::Week => "week",
            Atom::Day => "day",
            Atom::Hour => "h",
            Atom::Minute => "min",
            Atom::Second => "s",
            Atom::Year => "year",
            Atom::Month => "month",
        }
    }

    /// The printed name for an amount other than one: `days`, `tablets`; symbols such as `mg`
    /// and `h` do not change.
    pub fn plural(self) -> &'static str {
        match self {
            Atom::Tablet => "tablets",
            Atom::Capsule => "capsules",
            Atom::Dose => "doses",
            Atom::Unit => "units",
            Atom::Week => "weeks",
            Atom::Day => "days",
            Atom::Year => "years",
            Atom::Month => "months",
            other => other.symbol(),
        }
    }
}
