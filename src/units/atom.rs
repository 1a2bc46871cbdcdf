//! Unit atoms (mg, mL, day, tablet, …): their exact factors to a base unit per dimension, their
//! safe printed names and every spelling accepted on input.

use super::dim::Dim;
use super::ratio::Ratio;

/// One named unit. The declaration order is the canonical order inside a compound unit, so
/// that `mg/kg/day` prints mass first, then body mass, then time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// kg: 1000 g.
    Kilogram,
    /// lb: exactly 453.59237 g (the international pound); below the line a body weight, as kg.
    Pound,
    /// g: the mass base.
    Gram,
    /// mg: 0.001 g.
    Milligram,
    /// mcg: 0.000001 g (input may say µg, μg or ug; always printed mcg).
    Microgram,
    /// ng: 0.000000001 g.
    Nanogram,
    /// L: 1000 mL.
    Litre,
    /// dL: 100 mL (laboratory values: mg/dL).
    Decilitre,
    /// mL: the volume base.
    Millilitre,
    /// m: 100 cm.
    Metre,
    /// cm: the length base.
    Centimetre,
    /// in: exactly 2.54 cm (printed `inch`: `in` is a keyword of the language).
    Inch,
    /// m^2: a body surface area, 10000 cm^2 (input may say m2 or m²; printed m^2).
    SquareMetre,
    /// 1.73 m^2: the standard body surface area that eGFR is normalised to
    /// (`mL/min/1.73 m^2`), an area of its own so that it is never read as a plain `mL/min`.
    StandardBsa,
    /// mmol: 1000 micromol.
    Millimole,
    /// micromol: the amount-of-substance base (input may say umol or µmol; printed micromol).
    Micromole,
    /// mEq: milliequivalents, their own dimension (not mmol without a valence).
    Milliequivalent,
    /// A tablet (a counted item).
    Tablet,
    /// A capsule (a counted item).
    Capsule,
    /// A dose (a counted item).
    Dose,
    /// A million units (penicillin: `2.4 million units`; never abbreviated MU).
    MillionUnits,
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
    /// Length (base cm).
    Length,
    /// Area (base cm^2): a length squared, with atoms of its own (m^2, 1.73 m^2).
    Area,
    /// Amount of substance (base micromol).
    Substance,
    /// Milliequivalents (base mEq).
    Equivalents,
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

impl Kind {
    /// The dimension one atom of this kind measures (`%` is a plain number).
    pub const fn dim(self) -> Dim {
        match self {
            Kind::Mass => Dim::MASS,
            Kind::Volume => Dim::VOLUME,
            Kind::Length => Dim::LENGTH,
            Kind::Area => Dim::LENGTH.plus_times(Dim::LENGTH, 1),
            Kind::Substance => Dim::SUBSTANCE,
            Kind::Equivalents => Dim::EQUIVALENTS,
            Kind::Count => Dim::COUNT,
            Kind::Activity => Dim::ACTIVITY,
            Kind::Ratio => Dim::NONE,
            Kind::Time => Dim::TIME,
            Kind::Calendar => Dim::CALENDAR,
        }
    }
}

/// What the language knows of one atom. Adding a unit is adding a variant to [`Atom`] and a row
/// to [`ATOMS`]: its dimension, exact factor, printed names and spellings are all here, and
/// everything else (the prime exponents and size bounds of the fast paths, the folds of
/// [`Unit::mul`](super::Unit::mul)) is computed from the rows at compile time.
#[derive(Clone, Copy, Debug)]
pub struct AtomInfo {
    /// The atom this row describes (rows are in [`Atom`]'s declaration order).
    pub atom: Atom,
    /// The base dimension it measures.
    pub kind: Kind,
    /// The exact factor to the base unit of its dimension, as numerator and denominator in
    /// lowest terms. Most are products of 2, 3, 5 and 7 (so factors multiply without a gcd);
    /// one with another prime factor (lb, inch) is [`Atom::is_smooth`] false and takes the
    /// general path of the unit algebra.
    pub factor: (u32, u32),
    /// The printed name in safe medication notation (singular): `mcg`, `mL`, `day`, `%`.
    pub symbol: &'static str,
    /// The printed name for an amount other than one (`days`); a symbol such as `mg` keeps it.
    pub plural: &'static str,
    /// Other spellings read as this atom (`hr`, `milligrams`), offered after the safe ones.
    pub aliases: &'static [&'static str],
    /// Spellings read but error-prone in a protocol (ISMP): a protocol using one is warned and
    /// `posology fmt` writes [`AtomInfo::symbol`] instead (`µg` is misread as `mg`).
    pub discouraged: &'static [&'static str],
    /// Error-prone abbreviations (ISMP), lower-case, refused on input in any case: `U` and `IU`
    /// are misread as 0 and 10, `cc` as `u`. The message asks for [`AtomInfo::plural`].
    pub refused: &'static [&'static str],
}

/// One row of [`ATOMS`], with no discouraged or refused spellings.
const fn atom(
    atom: Atom,
    kind: Kind,
    factor: (u32, u32),
    symbol: &'static str,
    plural: &'static str,
    aliases: &'static [&'static str],
) -> AtomInfo {
    AtomInfo {
        atom,
        kind,
        factor,
        symbol,
        plural,
        aliases,
        discouraged: &[],
        refused: &[],
    }
}

/// Every atom, one row each, in [`Atom`]'s declaration (canonical) order.
#[rustfmt::skip] // one row a line reads as a table
pub const ATOMS: &[AtomInfo] = &[
    atom(Atom::Kilogram, Kind::Mass, (1000, 1), "kg", "kg", &["kilogram", "kilograms"]),
    atom(Atom::Pound, Kind::Mass, (45_359_237, 100_000), "lb", "lb", &["lbs", "pound", "pounds"]),
    atom(Atom::Gram, Kind::Mass, (1, 1), "g", "g", &["gram", "grams"]),
    atom(Atom::Milligram, Kind::Mass, (1, 1000), "mg", "mg", &["milligram", "milligrams"]),
    AtomInfo {
        discouraged: &["\u{b5}g", "\u{3bc}g", "ug"],
        ..atom(Atom::Microgram, Kind::Mass, (1, 1_000_000), "mcg", "mcg", &["microgram", "micrograms"])
    },
    atom(Atom::Nanogram, Kind::Mass, (1, 1_000_000_000), "ng", "ng", &["nanogram", "nanograms"]),
    atom(Atom::Litre, Kind::Volume, (1000, 1), "L", "L", &["l", "liter", "liters", "litre", "litres"]),
    atom(Atom::Decilitre, Kind::Volume, (100, 1), "dL", "dL", &["dl", "deciliter", "deciliters", "decilitre", "decilitres"]),
    AtomInfo {
        refused: &["cc"],
        ..atom(Atom::Millilitre, Kind::Volume, (1, 1), "mL", "mL", &["ml", "milliliter", "milliliters", "millilitre", "millilitres"])
    },
    atom(Atom::Metre, Kind::Length, (100, 1), "m", "m", &["meter", "meters", "metre", "metres"]),
    atom(Atom::Centimetre, Kind::Length, (1, 1), "cm", "cm", &["centimeter", "centimeters", "centimetre", "centimetres"]),
    atom(Atom::Inch, Kind::Length, (127, 50), "inch", "inches", &["in"]),
    AtomInfo {
        discouraged: &["m\u{b2}"],
        ..atom(Atom::SquareMetre, Kind::Area, (10_000, 1), "m^2", "m^2", &["m2"])
    },
    AtomInfo {
        discouraged: &["1.73 m\u{b2}", "1.73m\u{b2}"],
        ..atom(Atom::StandardBsa, Kind::Area, (17_300, 1), "1.73 m^2", "1.73 m^2", &["1.73m^2", "1.73 m2", "1.73m2"])
    },
    atom(Atom::Millimole, Kind::Substance, (1000, 1), "mmol", "mmol", &["millimole", "millimoles"]),
    AtomInfo {
        discouraged: &["umol", "\u{b5}mol", "\u{3bc}mol"],
        ..atom(Atom::Micromole, Kind::Substance, (1, 1), "micromol", "micromol", &["micromole", "micromoles"])
    },
    atom(Atom::Milliequivalent, Kind::Equivalents, (1, 1), "mEq", "mEq", &["meq", "milliequivalent", "milliequivalents"]),
    atom(Atom::Tablet, Kind::Count, (1, 1), "tablet", "tablets", &["tab", "tabs"]),
    atom(Atom::Capsule, Kind::Count, (1, 1), "capsule", "capsules", &["cap", "caps"]),
    atom(Atom::Dose, Kind::Count, (1, 1), "dose", "doses", &[]),
    AtomInfo {
        refused: &["mu", "miu"],
        ..atom(Atom::MillionUnits, Kind::Activity, (1_000_000, 1), "million units", "million units", &["million unit"])
    },
    AtomInfo {
        refused: &["u", "iu"],
        ..atom(Atom::Unit, Kind::Activity, (1, 1), "unit", "units", &[])
    },
    atom(Atom::Percent, Kind::Ratio, (1, 100), "%", "%", &[]),
    atom(Atom::Week, Kind::Time, (604_800, 1), "week", "weeks", &["wk", "wks"]),
    atom(Atom::Day, Kind::Time, (86_400, 1), "day", "days", &[]),
    atom(Atom::Hour, Kind::Time, (3600, 1), "h", "h", &["hr", "hrs", "hour", "hours"]),
    atom(Atom::Minute, Kind::Time, (60, 1), "min", "min", &["mins", "minute", "minutes"]),
    atom(Atom::Second, Kind::Time, (1, 1), "s", "s", &["sec", "secs", "second", "seconds"]),
    atom(Atom::Year, Kind::Calendar, (12, 1), "year", "years", &["yr", "yrs"]),
    atom(Atom::Month, Kind::Calendar, (1, 1), "month", "months", &[]),
];

/// How many atoms there are: a unit has at most one entry per atom.
pub(crate) const ATOM_COUNT: usize = ATOMS.len();

/// Every atom, in declaration (canonical) order: `ALL[atom.index()] == atom`.
pub(crate) const ALL: [Atom; ATOM_COUNT] = {
    let mut all = [Atom::Kilogram; ATOM_COUNT];
    let mut i = 0;
    while i < ATOM_COUNT {
        // The table is indexed by `Atom as usize`: a row out of place fails the build.
        assert!(
            ATOMS[i].atom as usize == i,
            "ATOMS must list the atoms in declaration order"
        );
        all[i] = ATOMS[i].atom;
        i += 1;
    }
    all
};

/// The exponents of 2, 3, 5 and 7 in `n`, and whether `n` has no other prime factor (the fast
/// paths multiply factors by adding these exponents, so only such factors may take them).
const fn prime_powers(mut n: u32) -> ([i16; 4], bool) {
    let primes = [2, 3, 5, 7];
    let mut out = [0; 4];
    let mut i = 0;
    while i < 4 {
        while n.is_multiple_of(primes[i]) {
            n /= primes[i];
            out[i] += 1;
        }
        i += 1;
    }
    (out, n == 1)
}

/// [`Atom::factor_bits`] of an atom whose factor has a prime other than 2, 3, 5 and 7: more
/// than any fast path allows.
pub(crate) const NOT_SMOOTH_BITS: u32 = 64;

/// The number of bits of `n` (0 for 1, so that a base unit adds nothing to a bound).
pub(super) const fn bits(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        u64::BITS - n.leading_zeros()
    }
}

/// [`Atom::is_smooth`] of every atom, computed from its factor.
const SMOOTH: [bool; ATOM_COUNT] = {
    let mut out = [true; ATOM_COUNT];
    let mut i = 0;
    while i < ATOM_COUNT {
        let (num, den) = ATOMS[i].factor;
        out[i] = prime_powers(num).1 && prime_powers(den).1;
        i += 1;
    }
    out
};

/// [`Atom::prime_exponents`] of every atom, computed from its factor.
const PRIME_EXPONENTS: [[i16; 4]; ATOM_COUNT] = {
    let mut out = [[0; 4]; ATOM_COUNT];
    let mut i = 0;
    while i < ATOM_COUNT {
        let (num, den) = ATOMS[i].factor;
        let (n, d) = (prime_powers(num).0, prime_powers(den).0);
        let mut p = 0;
        while p < 4 {
            out[i][p] = n[p] - d[p];
            p += 1;
        }
        i += 1;
    }
    out
};

/// Every accepted spelling: the printed names of every atom first (for did-you-mean), then
/// the other spellings.
fn spellings() -> impl Iterator<Item = (&'static str, Atom)> {
    let named = ATOMS.iter().flat_map(|a| {
        let plural = (a.plural != a.symbol).then_some(a.plural);
        std::iter::once(a.symbol).chain(plural).map(|s| (s, a.atom))
    });
    let others = ATOMS
        .iter()
        .flat_map(|a| a.aliases.iter().chain(a.discouraged).map(|s| (*s, a.atom)));
    named.chain(others)
}

/// Every accepted spelling → its atom, the first listed by [`spellings`] where two agree:
/// every unit word of every protocol and patient file is looked up here.
static SPELLING_INDEX: std::sync::LazyLock<std::collections::HashMap<&'static str, Atom>> =
    std::sync::LazyLock::new(|| {
        let mut index = std::collections::HashMap::new();
        for (spelling, atom) in spellings() {
            index.entry(spelling).or_insert(atom);
        }
        index
    });

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
        match ATOMS.iter().find(|a| a.discouraged.contains(&word)) {
            Some(a) => {
                let good = a.symbol;
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

impl Atom {
    /// The position of the atom in [`ALL`] (its canonical order).
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// What the language knows of this atom: its row of `ATOMS`.
    pub fn info(self) -> &'static AtomInfo {
        &ATOMS[self.index()]
    }

    /// The factor (see [`Atom::factor`]) as exponents of the primes 2, 3, 5 and 7: mcg is 2⁻⁶·5⁻⁶, a week
    /// is 2⁷·3³·5²·7. Exact, so products of factors need no gcd.
    pub(crate) fn prime_exponents(self) -> [i16; 4] {
        PRIME_EXPONENTS[self.index()]
    }

    /// A bound on the size of the factor: its numerator and denominator are below
    /// `2^factor_bits` (or both 1 and the bound is 0). A product of factors whose bounds add
    /// up to at most 63 bits cannot overflow a [`Ratio`], at any step. An atom that is not
    /// [`Atom::is_smooth`] has the bound 64, so no product with it takes the fast path.
    pub(crate) fn factor_bits(self) -> u32 {
        if !self.is_smooth() {
            return NOT_SMOOTH_BITS;
        }
        let (num, den) = self.factor_integers();
        bits(u64::from(num.max(den)))
    }

    /// True when the factor is a product of powers of 2, 3, 5 and 7, so that
    /// [`Atom::prime_exponents`] is exact (lb and inch, with 11 and 127, are not).
    pub(crate) fn is_smooth(self) -> bool {
        SMOOTH[self.index()]
    }

    /// The atom a spelling stands for, e.g. `µg` → [`Atom::Microgram`]; case-sensitive.
    pub fn from_spelling(text: &str) -> Option<Atom> {
        SPELLING_INDEX.get(text).copied()
    }

    /// Every accepted spelling, safe ones first (for did-you-mean suggestions).
    pub fn spellings() -> impl Iterator<Item = &'static str> {
        spellings().map(|(spelling, _)| spelling)
    }

    /// For a refused abbreviation (`U`, `IU`, `cc`, any case), the safe spelling to write.
    pub fn banned(text: &str) -> Option<&'static str> {
        let lower = text.to_lowercase();
        ATOMS
            .iter()
            .find(|a| a.refused.contains(&lower.as_str()))
            .map(|a| a.plural)
    }

    /// The base dimension this atom measures.
    pub fn kind(self) -> Kind {
        self.info().kind
    }

    /// The exact factor to the base unit of its dimension (g, mL, s, month, item, unit).
    pub fn factor(self) -> Ratio {
        let (num, den) = self.factor_integers();
        Ratio::from_integers(num, den)
    }

    /// The factor's numerator and denominator (in lowest terms).
    pub(crate) fn factor_integers(self) -> (u32, u32) {
        self.info().factor
    }

    /// Compares the factors of two atoms exactly (as [`Ratio::compare`] would).
    pub(crate) fn compare_factor(self, other: Atom) -> std::cmp::Ordering {
        let (an, ad) = self.factor_integers();
        let (bn, bd) = other.factor_integers();
        (u64::from(an) * u64::from(bd)).cmp(&(u64::from(bn) * u64::from(ad)))
    }

    /// The printed name in safe medication notation (singular): `mcg`, `mL`, `day`, `%`.
    pub fn symbol(self) -> &'static str {
        self.info().symbol
    }

    /// The printed name for an amount other than one: `days`, `tablets`; symbols such as `mg`
    /// and `h` do not change.
    pub fn plural(self) -> &'static str {
        self.info().plural
    }
}
