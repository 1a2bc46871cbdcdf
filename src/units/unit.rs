//! Compound units: products of atoms with integer exponents (`mcg·day⁻¹`), their dimension,
//! exact conversion factors, multiplication with cancellation, and safe printing.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::atom::{bits, Atom, Kind, ALL, ATOMS, ATOM_COUNT, NOT_SMOOTH_BITS};
use super::dim::Dim;
use super::error::UnitError;
use super::intern::{self, Exponents, Handle, UnitData, SPILLED};
use super::ratio::Ratio;
use crate::diagnostics::did_you_mean;

/// A unit: a product of atoms with nonzero integer exponents, kept sorted so that equal units
/// compare equal (`mg/kg/day` is `mg¹·kg⁻¹·day⁻¹`). The empty product is a plain number.
///
/// A unit is a handle on data worked out once per distinct unit for the whole process (its
/// atoms, dimension, factor; see `intern.rs`): cloning it copies a pointer and `==` compares
/// two pointers, which matters because a quantity's unit goes through every step of the
/// evaluator. It is not `Copy` only because a unit made once the process-wide table is full
/// (hostile input writing thousands of distinct units) is reference-counted instead.
/// Equality, hashing and `Debug` look at the atoms only.
#[derive(Clone)]
pub struct Unit(Handle);

/// Index of `%` in [`Exponents`].
const PERCENT: usize = Atom::Percent as usize;

/// Index of the mass atoms (kg, lb, g, mg, mcg, ng) in [`Exponents`]; the body weights (kg,
/// lb) first.
const MASS: std::ops::Range<usize> = Atom::Kilogram as usize..Atom::Nanogram as usize + 1;

/// How many of the first [`MASS`] atoms are body weights below the line (kg, lb).
const BODY_WEIGHTS: usize = Atom::Pound as usize + 1 - Atom::Kilogram as usize;

/// How many kinds [`Unit::mul`] folds: every kind with atoms, except `%` (a plain number).
const FOLD_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < ATOM_COUNT {
        let kind = ATOMS[i].kind;
        if !matches!(kind, Kind::Ratio) && (i == 0 || ATOMS[i - 1].kind as u8 != kind as u8) {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The kinds that [`Unit::mul`] folds, in the order it folds them (that of [`ATOMS`]): the
/// range of their atoms in [`Exponents`] and a bound in bits on the factor between two of their
/// atoms. Computed from the atom table, so a new atom moves no hand-kept position.
pub(super) const FOLDS: [(Kind, usize, usize, u32); FOLD_COUNT] = {
    let mut folds = [(Kind::Mass, 0, 0, 0); FOLD_COUNT];
    let mut f = 0;
    let mut lo = 0;
    while lo < ATOM_COUNT {
        let kind = ATOMS[lo].kind;
        let mut hi = lo;
        while hi < ATOM_COUNT && ATOMS[hi].kind as u8 == kind as u8 {
            hi += 1;
        }
        // A kind's atoms are one run: a fold covers them as one range.
        let mut later = hi;
        while later < ATOM_COUNT {
            assert!(
                ATOMS[later].kind as u8 != kind as u8,
                "an atom is apart from its kind"
            );
            later += 1;
        }
        if !matches!(kind, Kind::Ratio) {
            // The largest ratio between two atoms of the kind, in lowest terms.
            let mut bound = 0;
            let mut a = lo;
            while a < hi {
                let mut b = lo;
                while b < hi {
                    let (an, ad) = ATOMS[a].factor;
                    let (bn, bd) = ATOMS[b].factor;
                    let (num, den) = (an as u64 * bd as u64, ad as u64 * bn as u64);
                    let g = gcd(num, den);
                    let size = bits(if num > den { num / g } else { den / g });
                    if size > bound {
                        bound = size;
                    }
                    b += 1;
                }
                a += 1;
            }
            folds[f] = (kind, lo, hi, bound);
            f += 1;
        }
        lo = hi;
    }
    folds
};

/// The greatest common divisor (for [`FOLDS`], at compile time).
const fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let r = a % b;
        a = b;
        b = r;
    }
    a
}

/// Factors whose size bounds add up to at most this many bits fit a [`Ratio`] at every step.
const SAFE_BITS: u32 = 63;

/// A unit produced by [`Unit::mul`] or [`Unit::div`], with the exact factor that the product
/// of the values must be multiplied by (from cancelling e.g. `mg/mcg` or folding a `%`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    /// The resulting unit.
    pub unit: Unit,
    /// The exact factor to fold into the value.
    pub factor: Ratio,
}

impl PartialEq for Unit {
    #[inline]
    fn eq(&self, other: &Unit) -> bool {
        match (&self.0, &other.0) {
            // The table holds one entry per distinct unit.
            (Handle::Interned(a), Handle::Interned(b)) => std::ptr::eq(*a, *b),
            _ => self.data().exps == other.data().exps,
        }
    }
}

impl Eq for Unit {}

impl Hash for Unit {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.atoms().hash(state);
    }
}

impl fmt::Debug for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unit")
            .field("atoms", &self.atoms())
            .finish()
    }
}

impl Default for Unit {
    fn default() -> Unit {
        Unit(intern::none())
    }
}

impl Unit {
    /// The unit of a plain number (no atoms).
    pub fn none() -> Unit {
        Unit::default()
    }

    /// `%`: a plain number times 0.01.
    pub fn percent() -> Unit {
        Unit::atom(Atom::Percent)
    }

    /// A unit of one atom, e.g. `Unit::atom(Atom::Milligram)` is `mg`.
    pub fn atom(atom: Atom) -> Unit {
        Unit(intern::atom(atom))
    }

    /// A unit from atoms and exponents as written: the same atom's exponents add, zero
    /// exponents vanish; different atoms are kept (`mg/kg` stays `mg/kg`).
    pub fn from_atoms(atoms: impl IntoIterator<Item = (Atom, i8)>) -> Result<Unit, UnitError> {
        let mut exps = [0i8; ATOM_COUNT];
        for (atom, exp) in atoms {
            let slot = &mut exps[atom.index()];
            let Some(sum) = slot.checked_add(exp) else {
                return Err(UnitError::Overflow);
            };
            *slot = sum;
        }
        Ok(Unit::from_exponents(&exps))
    }

    /// Like [`Unit::from_atoms`] but saturating the exponents (for describing a dimension).
    pub(crate) fn from_atoms_unchecked(atoms: impl IntoIterator<Item = (Atom, i8)>) -> Unit {
        let mut exps = [0i8; ATOM_COUNT];
        for (atom, exp) in atoms {
            let slot = &mut exps[atom.index()];
            *slot = slot.saturating_add(exp);
        }
        Unit::from_exponents(&exps)
    }

    /// The unit with these exponents, with its dimension and factor worked out once.
    fn from_exponents(exps: &Exponents) -> Unit {
        Unit::build(exps, present_atoms(exps))
    }

    /// [`Unit::from_exponents`], given the atoms with a nonzero exponent as a mask.
    fn build(exps: &Exponents, present: u32) -> Unit {
        debug_assert_eq!(present, present_atoms(exps));
        Unit(intern::lookup(exps, present))
    }

    /// A unit outside the process-wide table, as one made when it is full (for tests: it must
    /// behave exactly as the interned unit with the same atoms).
    #[cfg(test)]
    pub(super) fn spilled(exps: &Exponents) -> Unit {
        let data = UnitData::new(exps, present_atoms(exps));
        Unit(Handle::Spilled(std::sync::Arc::new(data)))
    }

    /// True when the unit is in the process-wide table (for tests).
    #[cfg(test)]
    pub(super) fn is_interned(&self) -> bool {
        matches!(self.0, Handle::Interned(_))
    }

    /// What is known of the unit.
    #[inline]
    fn data(&self) -> &UnitData {
        self.0.data()
    }

    /// The atoms and their exponents, in canonical order.
    pub fn atoms(&self) -> &[(Atom, i8)] {
        let data = self.data();
        &data.atoms[..usize::from(data.len)]
    }

    /// Parses a unit as pharmacists write it: `mg`, `mcg`, `µg`, `mL`, `hours`, `mg/kg/day`,
    /// `mcg / mL`. `U`, `IU` and `cc` are refused; unknown words get a did-you-mean.
    pub fn parse(text: &str) -> Result<Unit, UnitError> {
        if !text.contains(['/', '·', '*']) {
            // One word: what the loop below does with it.
            let (atom, power) = parse_powered_atom(text.trim(), text)?;
            return if power == 1 {
                Ok(Unit::atom(atom))
            } else {
                Unit::from_atoms([(atom, power)])
            };
        }
        // As `from_atoms` of every word in turn, but a word that is not a unit is reported
        // before an exponent that overflows.
        let mut exps = [0i8; ATOM_COUNT];
        let mut overflow = false;
        for (i, segment) in text.split('/').enumerate() {
            let segment = segment.trim();
            let sign = if i == 0 { 1 } else { -1 };
            if i == 0 && (segment.is_empty() || segment == "1") && text.contains('/') {
                continue;
            }
            for word in segment.split(['·', '*']) {
                let (atom, power) = parse_powered_atom(word.trim(), text)?;
                let slot = &mut exps[atom.index()];
                match slot.checked_add(sign * power) {
                    Some(sum) if !overflow => *slot = sum,
                    _ => overflow = true,
                }
            }
        }
        if overflow {
            return Err(UnitError::Overflow);
        }
        Ok(Unit::from_exponents(&exps))
    }

    /// What kind of quantity this unit measures. A mass divided by `kg` (and only by `kg`),
    /// as in `mg/kg`, is a mass per *body* mass rather than a plain number.
    pub fn dim(&self) -> Dim {
        self.data().dim
    }

    /// True when the unit measures a plain number (`none`, `%`, `mg/g`, …).
    pub fn is_dimensionless(&self) -> bool {
        self.data().dim.is_dimensionless()
    }

    /// True for a dimensionless unit with mass atoms (`mcg/g`, `mg/g`; `mg/kg` is a mass per
    /// body mass, not a plain number).
    pub(crate) fn is_mass_ratio(&self) -> bool {
        self.data().mass_ratio
    }

    /// True for the unit with no atoms at all.
    pub fn is_none(&self) -> bool {
        self.data().len == 0
    }

    /// The exact factor from this unit to the base units (g, mL, s, month, item, unit).
    pub fn factor(&self) -> Result<Ratio, UnitError> {
        match self.data().factor {
            Some(factor) => Ok(factor),
            None => Err(UnitError::Overflow),
        }
    }

    /// The exact factor converting a value in `self` to a value in `to` (1 mg → 1000 mcg is
    /// 1000); a [`UnitError::Mismatch`] when they measure different kinds of things.
    pub fn factor_to(&self, to: &Unit) -> Result<Ratio, UnitError> {
        if self.converts_to_itself(to) {
            return Ok(Ratio::ONE);
        }
        let (left, right) = (self.dim(), to.dim());
        if left != right {
            return Err(UnitError::Mismatch {
                left,
                right,
                op: "convert",
            });
        }
        self.factor()?.div(&to.factor()?)
    }

    /// True when values in `self` and in `other` compare as they are, with no conversion:
    /// the same unit, with a factor that does not overflow.
    #[inline]
    pub(crate) fn same_scale(&self, other: &Unit) -> bool {
        self.data().factor.is_some() && self == other
    }

    /// True when [`Unit::factor_to`] from this unit to `other` is 1, without computing it.
    pub(crate) fn converts_to_itself(&self, other: &Unit) -> bool {
        self.data().self_convertible && self == other
    }

    /// `self · other`: exponents add and the same atom cancels; atoms of one kind above and
    /// below the line cancel into the finest of them (`mg·mcg⁻¹` → 1000, `h/week` → 1/168);
    /// `%` folds into the factor; a dimensionless side (a plain number, `%`, `mcg/g`, `h/day`)
    /// folds into the factor whole, so it never changes the other side's unit.
    pub fn mul(&self, other: &Unit) -> Result<Product, UnitError> {
        self.combine(other, 1)
    }

    /// `self / other`, with the same cancellation as [`Unit::mul`]; dividing a mass by `kg`
    /// alone gives a mass per body mass (`mg/kg`) and is not cancelled.
    pub fn div(&self, other: &Unit) -> Result<Product, UnitError> {
        self.combine(other, -1)
    }

    /// True when `self · day ÷ day` gives `self` back with no factor either way (`mcg/day`):
    /// a rate in this unit is then its own rate per day, with no arithmetic on its value.
    /// False when either step does not combine. Worked out once per unit (the unit's data
    /// keeps it): the answer depends on the unit alone.
    pub(crate) fn per_day_unchanged(&self) -> bool {
        *self.data().per_day_unchanged.get_or_init(|| {
            let day = Unit::atom(Atom::Day);
            let Ok(there) = self.mul(&day) else {
                return false;
            };
            let Ok(back) = there.unit.div(&day) else {
                return false;
            };
            back.unit == *self && there.factor.is_one() && back.factor.is_one()
        })
    }

    /// `self · other^sign`. A mass ratio (a dimensionless unit with mass atoms, such as
    /// `mcg/g`) is a plain number: it is folded into the factor whole first, so that it cannot
    /// cancel the body weight of a `mg/kg`: `(6.3 mg/kg) ÷ (1 mcg/g)` is `(6.3 mg/kg) ÷
    /// 0.000001`, both 6300000 mg/kg.
    pub(super) fn combine(&self, other: &Unit, sign: i8) -> Result<Product, UnitError> {
        let (left, right) = (self.data(), other.data());
        if let Some((unit, factor)) = intern::remembered_product(left, right, sign) {
            return Ok(Product {
                unit: Unit(Handle::Interned(unit)),
                factor,
            });
        }
        let product = self.combine_uncached(other, sign)?;
        intern::remember_product(left, right, sign, &product.unit.0, product.factor);
        Ok(product)
    }

    /// [`Unit::combine`] worked out.
    pub(super) fn combine_uncached(&self, other: &Unit, sign: i8) -> Result<Product, UnitError> {
        if other.is_mass_ratio() {
            let factor = other.factor()?.pow(sign)?;
            let Product { unit, factor: f } = self.combine_atoms(&Unit::none(), sign)?;
            return Ok(Product {
                unit,
                factor: f.mul(&factor)?,
            });
        }
        if self.is_mass_ratio() {
            let factor = self.factor()?;
            let Product { unit, factor: f } = Unit::none().combine_atoms(other, sign)?;
            return Ok(Product {
                unit,
                factor: f.mul(&factor)?,
            });
        }
        self.combine_atoms(other, sign)
    }

    /// [`Unit::combine_general`] without maps or gcds: a plain number on either side changes
    /// nothing, and the factor is worked out as powers of primes when it cannot overflow.
    // Long on purpose: one pass over both units' atoms; split, the partial product would be passed
    // around on unit arithmetic's fast path.
    pub(super) fn combine_atoms(&self, other: &Unit, sign: i8) -> Result<Product, UnitError> {
        if other.is_none() && self.data().normal {
            return Ok(Product {
                unit: self.clone(),
                factor: Ratio::ONE,
            });
        }
        if sign == 1 && self.is_none() && other.data().normal {
            return Ok(Product {
                unit: other.clone(),
                factor: Ratio::ONE,
            });
        }
        let mut exps = self.data().exps;
        let mut present = self.data().present;
        for &(atom, exp) in other.atoms() {
            let slot = &mut exps[atom.index()];
            match exp.checked_mul(sign).and_then(|e| slot.checked_add(e)) {
                Some(sum) => *slot = sum,
                None => return Err(UnitError::Overflow),
            }
            let bit = 1 << atom.index();
            present = if *slot == 0 {
                present & !bit
            } else {
                present | bit
            };
        }
        let folds = FOLDS.iter().any(|&(_, lo, hi, _)| mixed(&exps, lo, hi));
        if present & (1 << PERCENT) == 0 && !folds {
            // Nothing to cancel: the factor is 1.
            return Ok(Product {
                unit: Unit::build(&exps, present),
                factor: Ratio::ONE,
            });
        }
        let percent = std::mem::take(&mut exps[PERCENT]);
        let mut folded = present & !(1 << PERCENT);
        let mut bits = u32::from(percent.unsigned_abs()) * Atom::Percent.factor_bits();
        let mut primes = [0i32; 4];
        add_primes(&mut primes, Atom::Percent, i32::from(percent));
        let per_body_mass = is_per_body_mass_exps(&exps[MASS]);
        for (kind, lo, hi, kind_bits) in FOLDS {
            if !mixed(&exps, lo, hi) || (kind == Kind::Mass && per_body_mass) {
                continue;
            }
            // The finest atom: the first of the smallest factor.
            let mut finest = lo;
            for i in lo..hi {
                let smaller = ALL[i].compare_factor(ALL[finest]) == Ordering::Less;
                if exps[i] != 0 && (exps[finest] == 0 || smaller) {
                    finest = i;
                }
            }
            let mut net: i8 = 0;
            for i in lo..hi {
                let exp = std::mem::take(&mut exps[i]);
                if exp == 0 {
                    continue;
                }
                let Some(sum) = net.checked_add(exp) else {
                    return Err(UnitError::Overflow);
                };
                net = sum;
                bits += u32::from(exp.unsigned_abs()) * kind_bits;
                if !ALL[i].is_smooth() || !ALL[finest].is_smooth() {
                    bits += NOT_SMOOTH_BITS;
                }
                // (atom / finest)^exp
                add_primes(&mut primes, ALL[i], i32::from(exp));
                add_primes(&mut primes, ALL[finest], -i32::from(exp));
            }
            exps[finest] = net;
            folded &= !kind_mask(lo, hi);
            if net != 0 {
                folded |= 1 << finest;
            }
        }
        let fast = (bits <= SAFE_BITS).then(|| Ratio::from_prime_exponents(primes));
        match fast.flatten() {
            Some(factor) => Ok(Product {
                unit: Unit::build(&exps, folded),
                factor,
            }),
            None => self.combine_general(other, sign),
        }
    }

    /// `self · other^sign` step by step: the definition, used when
    /// exponents are so large that the factor may overflow at some step.
    pub(super) fn combine_general(&self, other: &Unit, sign: i8) -> Result<Product, UnitError> {
        let mut map: BTreeMap<Atom, i8> = self.atoms().iter().copied().collect();
        for &(atom, exp) in other.atoms() {
            let exp = exp.checked_mul(sign).ok_or(UnitError::Overflow)?;
            let slot = map.entry(atom).or_insert(0);
            *slot = slot.checked_add(exp).ok_or(UnitError::Overflow)?;
        }
        map.retain(|_, e| *e != 0);
        let mut factor = Ratio::ONE;
        if let Some(exp) = map.remove(&Atom::Percent) {
            factor = factor.mul(&Atom::Percent.factor().pow(exp)?)?;
        }
        for (kind, ..) in FOLDS {
            factor = factor.mul(&fold_kind(&mut map, kind)?)?;
        }
        let mut exps = [0; ATOM_COUNT];
        for (atom, exp) in map {
            exps[atom.index()] = exp;
        }
        Ok(Product {
            unit: Unit::from_exponents(&exps),
            factor,
        })
    }

    /// The unit as printed after a value: the first word of the numerator in the plural when
    /// `plural` (`3 tablets/day`), denominators singular. Returns (numerator, "/den/…"). The
    /// eGFR's `/1.73 m^2` is printed last, as labs write it (`mL/min/1.73 m^2`).
    pub(crate) fn render(&self, plural: bool) -> (String, String) {
        let (numerator, denominator) = &self.data().text[usize::from(plural)];
        (numerator.to_string(), denominator.to_string())
    }

    /// The unit after a number, appended to `out`: a space first unless the unit is empty or
    /// starts with `%` (`5 mg/day`, `110%`, `3/day`), as `Quantity`'s `Display` writes it.
    /// Writes straight into `out`: quantities are formatted for every message of every patient.
    pub(crate) fn push_after_number(&self, plural: bool, out: &mut String) {
        // Writing to a `String` cannot fail.
        let _ = self.write_after_number(plural, out);
    }

    /// [`Unit::push_after_number`] to any writer.
    pub(crate) fn write_after_number(
        &self,
        plural: bool,
        out: &mut impl fmt::Write,
    ) -> fmt::Result {
        let (numerator, denominator) = &self.data().text[usize::from(plural)];
        if !(numerator.is_empty() || numerator.starts_with('%')) {
            out.write_char(' ')?;
        }
        out.write_str(numerator)?;
        out.write_str(denominator)
    }
}

/// [`Unit::render`] worked out from the atoms, once per unit: the numerator atoms (joined by
/// `·`) and `/atom` for each denominator atom.
fn render_atoms(atoms: &[(Atom, i8)], plural: bool) -> (Box<str>, Box<str>) {
    let (mut numerator, mut denominator) = (String::new(), String::new());
    render_parts(atoms, plural, &mut numerator, &mut denominator);
    (numerator.into(), denominator.into())
}

/// The numerator atoms (joined by `·`) appended to `numerator`, and `/atom` for each
/// denominator atom appended to `denominator` (see [`Unit::render`]).
fn render_parts(
    atoms: &[(Atom, i8)],
    plural: bool,
    numerator: &mut String,
    denominator: &mut String,
) {
    let start = numerator.len();
    let push_word = |numerator: &mut String, word: &str| {
        if numerator.len() > start {
            numerator.push('·');
        }
        numerator.push_str(word);
    };
    let bsa_last = atoms
        .iter()
        .filter(|(a, _)| *a != Atom::StandardBsa)
        .chain(atoms.iter().filter(|(a, _)| *a == Atom::StandardBsa));
    for &(atom, exp) in bsa_last {
        // `cm^2`, not `cm·cm`; an atom whose symbol holds a power or a space (`m^2`,
        // `1.73 m^2`) repeats instead (`m^2·m^2`), which reads unambiguously.
        let symbol = atom.symbol();
        let power = exp.unsigned_abs();
        if (2..=3).contains(&power) && !symbol.contains(['^', ' ']) {
            let digit = if power == 2 { "^2" } else { "^3" };
            if exp > 0 {
                push_word(numerator, symbol);
                numerator.push_str(digit);
            } else {
                denominator.push('/');
                denominator.push_str(symbol);
                denominator.push_str(digit);
            }
            continue;
        }
        for _ in 0..usize::from(power) {
            if exp > 0 {
                let word = if plural && numerator.len() == start {
                    atom.plural()
                } else {
                    symbol
                };
                push_word(numerator, word);
            } else {
                denominator.push('/');
                denominator.push_str(symbol);
            }
        }
    }
}

impl UnitData {
    /// Works out everything about the unit with these exponents (`present` is the mask of the
    /// nonzero ones): its atoms in canonical order, dimension, factor and flags. Not yet in the
    /// process-wide table (`id` is [`SPILLED`]).
    pub(super) fn new(exps: &Exponents, present: u32) -> UnitData {
        debug_assert_eq!(present, present_atoms(exps));
        let per_body_mass = is_per_body_mass_exps(&exps[MASS]);
        let mut atoms = [(Atom::Kilogram, 0); ATOM_COUNT];
        let mut dim = Dim::default();
        let mut bits = 0;
        let mut primes = [0i32; 4];
        let mut rest = present;
        let mut len = 0;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let (atom, exp) = (ALL[i], exps[i]);
            atoms[len] = (atom, exp);
            len += 1;
            add_dim(&mut dim, atom, exp, per_body_mass);
            bits += u32::from(exp.unsigned_abs()) * atom.factor_bits();
            add_primes(&mut primes, atom, i32::from(exp));
        }
        let fast = (bits <= SAFE_BITS).then(|| Ratio::from_prime_exponents(primes));
        let factor = match fast.flatten() {
            Some(factor) => Some(factor),
            None => factor_general(&atoms[..len]).ok(),
        };
        let normal = present & (1 << PERCENT) == 0
            && FOLDS.iter().all(|&(kind, lo, hi, _)| {
                !mixed(exps, lo, hi) || (kind == Kind::Mass && per_body_mass)
            });
        let mass_ratio = dim.is_dimensionless() && present & kind_mask(MASS.start, MASS.end) != 0;
        UnitData {
            exps: *exps,
            atoms,
            len: len as u8,
            present,
            dim,
            self_convertible: factor.is_some_and(|f| f.divides_itself()),
            factor,
            normal,
            mass_ratio,
            text: [false, true].map(|plural| render_atoms(&atoms[..len], plural)),
            id: SPILLED,
            per_day_unchanged: std::sync::OnceLock::new(),
        }
    }
}

/// Parses one atom word, refusing banned abbreviations and suggesting close spellings.
/// An atom with a power, as a unit prints one that appears more than once: `cm^2`, `cm²`,
/// `min^3`. A word that is an atom itself (`m^2`, an area of its own) is that atom; the power
/// of another atom is 2 or 3 (a length squared or cubed, a time squared).
fn parse_powered_atom(word: &str, whole: &str) -> Result<(Atom, i8), UnitError> {
    let unknown = match parse_atom(word, whole) {
        Ok(atom) => return Ok((atom, 1)),
        Err(e) => e,
    };
    let powered = [("^2", 2), ("²", 2), ("^3", 3), ("³", 3)]
        .into_iter()
        .find_map(|(suffix, power)| Some((word.strip_suffix(suffix)?, power)));
    match powered {
        Some((base, power)) => parse_atom(base, whole)
            .map(|atom| (atom, power))
            .map_err(|_| unknown),
        None => Err(unknown),
    }
}

fn parse_atom(word: &str, whole: &str) -> Result<Atom, UnitError> {
    if let Some(atom) = Atom::from_spelling(word) {
        return Ok(atom);
    }
    if let Some(good) = Atom::banned(word) {
        return Err(UnitError::Banned {
            text: word.to_string(),
            write_instead: good.to_string(),
        });
    }
    let text = if word.is_empty() { whole } else { word };
    Err(UnitError::Unknown {
        text: text.to_string(),
        suggestion: suggest(word).map(str::to_string),
    })
}

/// A close accepted spelling: any word differing only in case (`ML` → `mL`), or a typo in a
/// word of four letters or more. Short abbreviations get no guess: `d` is not `g`, `m2` is
/// not `mg`, and a wrong guess at a unit is worse than none.
fn suggest(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    let same_letters = Atom::spellings().find(|s| s.to_lowercase() == lower);
    if same_letters.is_some() || word.chars().count() < 4 {
        return same_letters;
    }
    did_you_mean(word, Atom::spellings())
        .or_else(|| Atom::spellings().find(|s| swaps_two_letters(&lower, &s.to_lowercase())))
}

/// True when `a` becomes `b` by swapping two neighbouring letters (`horus` → `hours`), a slip
/// that counts as two edits for [`did_you_mean`] and so goes unnoticed in short words.
fn swaps_two_letters(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let diffs: Vec<usize> = (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect();
    a.len() == b.len()
        && matches!(diffs.as_slice(), [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i])
}

/// Adds an atom's exponent to a dimension (see [`Unit::dim`]): a mass below the line of a unit
/// per body mass is the body mass.
pub(crate) fn add_dim(dim: &mut Dim, atom: Atom, exp: i8, per_body_mass: bool) {
    let base = match atom.kind() {
        Kind::Mass if per_body_mass && exp < 0 => Dim::BODY_MASS,
        kind => kind.dim(),
    };
    *dim = dim.plus_times(base, i16::from(exp));
}

/// Adds the prime exponents of `atom`'s factor raised to `exp`.
fn add_primes(primes: &mut [i32; 4], atom: Atom, exp: i32) {
    for (p, e) in primes.iter_mut().zip(atom.prime_exponents()) {
        *p += i32::from(e) * exp;
    }
}

/// The atoms with a nonzero exponent, as a mask of atom indices.
fn present_atoms(exps: &Exponents) -> u32 {
    exps.iter()
        .enumerate()
        .fold(0, |mask, (i, e)| mask | (u32::from(*e != 0) << i))
}

/// True when the atoms `lo..hi` (one kind) have exponents of both signs: they cancel.
fn mixed(exps: &Exponents, lo: usize, hi: usize) -> bool {
    let kind = &exps[lo..hi];
    kind.iter().any(|e| *e > 0) && kind.iter().any(|e| *e < 0)
}

/// The bits of the atoms `lo..hi` in a mask of atom indices.
const fn kind_mask(lo: usize, hi: usize) -> u32 {
    (1 << hi) - (1 << lo)
}

/// [`Unit::factor`] by definition: the product of the atoms' factors raised to their exponents.
pub(super) fn factor_general(atoms: &[(Atom, i8)]) -> Result<Ratio, UnitError> {
    atoms.iter().try_fold(Ratio::ONE, |acc, &(atom, exp)| {
        acc.mul(&atom.factor().pow(exp)?)
    })
}

/// [`is_per_body_mass`] from the exponents of the [`MASS`] atoms.
fn is_per_body_mass_exps(mass: &[i8]) -> bool {
    let net: i16 = mass.iter().map(|e| i16::from(*e)).sum();
    // A drug's mass above the line: `kg/lb` (a body weight over a body weight, as in
    // `units/lb × kg`) is a plain number, not a dose per body weight.
    let drug_mass_above = mass.iter().skip(BODY_WEIGHTS).any(|e| *e > 0);
    let only_kg_below = mass.iter().skip(BODY_WEIGHTS).all(|e| *e >= 0);
    net == 0 && drug_mass_above && only_kg_below
}

/// True when the mass atoms are a drug's mass over `kg` (or `lb`) and nothing else (net
/// exponent zero, the only negative mass atoms are `kg` and `lb`, a mass other than them above):
/// `mg/kg` is a dose per body weight, not a plain number; `kg/lb` is a plain number.
pub(super) fn is_per_body_mass(mass_atoms: &[(Atom, i8)]) -> bool {
    let net: i16 = mass_atoms.iter().map(|(_, e)| i16::from(*e)).sum();
    let body_weight = |a: &Atom| matches!(a, Atom::Kilogram | Atom::Pound);
    let drug_mass_above = mass_atoms.iter().any(|(a, e)| *e > 0 && !body_weight(a));
    let only_kg_below = mass_atoms
        .iter()
        .filter(|(_, e)| *e < 0)
        .all(|(a, _)| body_weight(a));
    net == 0 && drug_mass_above && only_kg_below
}

/// Replaces several atoms of one kind by the finest of them with the net exponent, returning
/// the exact factor to fold into the value; a mass per body mass is left alone.
fn fold_kind(map: &mut BTreeMap<Atom, i8>, kind: Kind) -> Result<Ratio, UnitError> {
    let atoms: Vec<(Atom, i8)> = map
        .iter()
        .filter(|(a, _)| a.kind() == kind)
        .map(|(a, e)| (*a, *e))
        .collect();
    let mixed = atoms.iter().any(|(_, e)| *e > 0) && atoms.iter().any(|(_, e)| *e < 0);
    if !mixed || (kind == Kind::Mass && is_per_body_mass(&atoms)) {
        return Ok(Ratio::ONE);
    }
    let Some(finest) = atoms
        .iter()
        .map(|(a, _)| *a)
        .min_by(|a, b| a.factor().compare(&b.factor()))
    else {
        return Ok(Ratio::ONE);
    };
    let mut factor = Ratio::ONE;
    let mut net: i8 = 0;
    for (atom, exp) in atoms {
        map.remove(&atom);
        net = net.checked_add(exp).ok_or(UnitError::Overflow)?;
        factor = factor.mul(&atom.factor().div(&finest.factor())?.pow(exp)?)?;
    }
    if net != 0 {
        map.insert(finest, net);
    }
    Ok(factor)
}

impl fmt::Display for Unit {
    /// Safe medication notation: `mcg`, `mL`, `mcg/day`, `mg/kg/day`, `1/day`; `·` joins the
    /// atoms above the line. A plain number prints as nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (numerator, denominator) = self.render(false);
        if numerator.is_empty() && !denominator.is_empty() {
            f.write_str("1")?;
        }
        write!(f, "{numerator}{denominator}")
    }
}
