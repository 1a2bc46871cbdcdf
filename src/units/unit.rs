//! Compound units: products of atoms with integer exponents (`mcg·day⁻¹`), their dimension,
//! exact conversion factors, multiplication with cancellation, and safe printing.

use std::collections::BTreeMap;
use std::fmt;

use super::atom::{Atom, Kind};
use super::dim::Dim;
use super::error::UnitError;
use super::ratio::Ratio;
use crate::diagnostics::did_you_mean;

/// A unit: a product of atoms with nonzero integer exponents, kept sorted so that equal units
/// compare equal (`mg/kg/day` is `mg¹·kg⁻¹·day⁻¹`). The empty product is a plain number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Unit {
    atoms: Vec<(Atom, i8)>,
}

/// A unit produced by [`Unit::mul`] or [`Unit::div`], with the exact factor that the product
/// of the values must be multiplied by (from cancelling e.g. `mg/mcg` or folding a `%`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    /// The resulting unit.
    pub unit: Unit,
    /// The exact factor to fold into the value.
    pub factor: Ratio,
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
        Unit {
            atoms: vec![(atom, 1)],
        }
    }

    /// A unit from atoms and exponents as written: the same atom's exponents add, zero
    /// exponents vanish; different atoms are kept (`mg/kg` stays `mg/kg`).
    pub fn from_atoms(atoms: impl IntoIterator<Item = (Atom, i8)>) -> Result<Unit, UnitError> {
        let mut map = BTreeMap::new();
        for (atom, exp) in atoms {
            let slot: &mut i8 = map.entry(atom).or_insert(0);
            *slot = slot.checked_add(exp).ok_or(UnitError::Overflow)?;
        }
        Ok(Unit::from_map(map))
    }

    /// Like [`Unit::from_atoms`] but saturating the exponents (for describing a dimension).
    pub(crate) fn from_atoms_unchecked(atoms: impl IntoIterator<Item = (Atom, i8)>) -> Unit {
        let mut map = BTreeMap::new();
        for (atom, exp) in atoms {
            let slot: &mut i8 = map.entry(atom).or_insert(0);
            *slot = slot.saturating_add(exp);
        }
        Unit::from_map(map)
    }

    fn from_map(map: BTreeMap<Atom, i8>) -> Unit {
        Unit {
            atoms: map.into_iter().filter(|(_, e)| *e != 0).collect(),
        }
    }

    /// The atoms and their exponents, in canonical order.
    pub fn atoms(&self) -> &[(Atom, i8)] {
        &self.atoms
    }

    /// Parses a unit as pharmacists write it: `mg`, `mcg`, `µg`, `mL`, `hours`, `mg/kg/day`,
    /// `mcg / mL`. `U`, `IU` and `cc` are refused; unknown words get a did-you-mean.
    pub fn parse(text: &str) -> Result<Unit, UnitError> {
        let mut atoms = Vec::new();
        for (i, segment) in text.split('/').enumerate() {
            let segment = segment.trim();
            let sign = if i == 0 { 1 } else { -1 };
            if i == 0 && (segment.is_empty() || segment == "1") && text.contains('/') {
                continue;
            }
            for word in segment.split(['·', '*']) {
                atoms.push((parse_atom(word.trim(), text)?, sign));
            }
        }
        Unit::from_atoms(atoms)
    }

    /// What kind of quantity this unit measures. A mass divided by `kg` (and only by `kg`),
    /// as in `mg/kg`, is a mass per *body* mass rather than a plain number.
    pub fn dim(&self) -> Dim {
        let per_body_mass = is_per_body_mass(&self.atoms_of(Kind::Mass));
        let mut dim = Dim::default();
        for &(atom, exp) in &self.atoms {
            let e = i16::from(exp);
            match atom.kind() {
                Kind::Mass if per_body_mass && exp < 0 => dim.body_mass += e,
                Kind::Mass => dim.mass += e,
                Kind::Volume => dim.volume += e,
                Kind::Time => dim.time += e,
                Kind::Calendar => dim.calendar += e,
                Kind::Count => dim.count += e,
                Kind::Activity => dim.activity += e,
                Kind::Ratio => {}
            }
        }
        dim
    }

    /// True when the unit measures a plain number (`none`, `%`, `mg/g`, …).
    pub fn is_dimensionless(&self) -> bool {
        self.dim().is_dimensionless()
    }

    /// True for the unit with no atoms at all.
    pub fn is_none(&self) -> bool {
        self.atoms.is_empty()
    }

    /// The exact factor from this unit to the base units (g, mL, s, month, item, unit).
    pub fn factor(&self) -> Result<Ratio, UnitError> {
        self.atoms.iter().try_fold(Ratio::ONE, |acc, &(atom, exp)| {
            acc.mul(&atom.factor().pow(exp)?)
        })
    }

    /// The exact factor converting a value in `self` to a value in `to` (1 mg → 1000 mcg is
    /// 1000); a [`UnitError::Mismatch`] when they measure different kinds of things.
    pub fn factor_to(&self, to: &Unit) -> Result<Ratio, UnitError> {
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

    /// `self · other`: exponents add, the same atom cancels, different atoms of one dimension
    /// cancel into the finest of them (`mg·mcg⁻¹` → 1000), `%` folds into the factor.
    pub fn mul(&self, other: &Unit) -> Result<Product, UnitError> {
        self.combine(other, 1)
    }

    /// `self / other`, with the same cancellation as [`Unit::mul`]; dividing a mass by `kg`
    /// alone gives a mass per body mass (`mg/kg`) and is not cancelled.
    pub fn div(&self, other: &Unit) -> Result<Product, UnitError> {
        self.combine(other, -1)
    }

    fn combine(&self, other: &Unit, sign: i8) -> Result<Product, UnitError> {
        let mut map: BTreeMap<Atom, i8> = self.atoms.iter().copied().collect();
        for &(atom, exp) in &other.atoms {
            let exp = exp.checked_mul(sign).ok_or(UnitError::Overflow)?;
            let slot = map.entry(atom).or_insert(0);
            *slot = slot.checked_add(exp).ok_or(UnitError::Overflow)?;
        }
        map.retain(|_, e| *e != 0);
        let mut factor = Ratio::ONE;
        if let Some(exp) = map.remove(&Atom::Percent) {
            factor = factor.mul(&Atom::Percent.factor().pow(exp)?)?;
        }
        for kind in [
            Kind::Mass,
            Kind::Volume,
            Kind::Count,
            Kind::Activity,
            Kind::Time,
            Kind::Calendar,
        ] {
            factor = factor.mul(&fold_kind(&mut map, kind)?)?;
        }
        Ok(Product {
            unit: Unit::from_map(map),
            factor,
        })
    }

    fn atoms_of(&self, kind: Kind) -> Vec<(Atom, i8)> {
        self.atoms
            .iter()
            .copied()
            .filter(|(a, _)| a.kind() == kind)
            .collect()
    }

    /// The unit as printed after a value: the first word of the numerator in the plural when
    /// `plural` (`3 tablets/day`), denominators singular. Returns (numerator, "/den/…").
    pub(crate) fn render(&self, plural: bool) -> (String, String) {
        let mut numerator = Vec::new();
        let mut denominator = String::new();
        for &(atom, exp) in &self.atoms {
            let times = usize::from(exp.unsigned_abs());
            if exp > 0 {
                for _ in 0..times {
                    let word = if plural && numerator.is_empty() {
                        atom.plural()
                    } else {
                        atom.symbol()
                    };
                    numerator.push(word);
                }
            } else {
                for _ in 0..times {
                    denominator.push('/');
                    denominator.push_str(atom.symbol());
                }
            }
        }
        (numerator.join("·"), denominator)
    }
}

/// Parses one atom word, refusing banned abbreviations and suggesting close spellings.
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
}

/// True when the mass atoms are a mass over `kg` and nothing else (net exponent zero, the only
/// negative mass atom is `kg`): `mg/kg` is a dose per body weight, not a plain number.
fn is_per_body_mass(mass_atoms: &[(Atom, i8)]) -> bool {
    let net: i16 = mass_atoms.iter().map(|(_, e)| i16::from(*e)).sum();
    let has_positive = mass_atoms.iter().any(|(_, e)| *e > 0);
    let only_kg_below = mass_atoms
        .iter()
        .filter(|(_, e)| *e < 0)
        .all(|(a, _)| *a == Atom::Kilogram);
    net == 0 && has_positive && only_kg_below
}

/// Replaces several atoms of one kind by the finest of them with the net exponent, returning
/// the exact factor to fold into the value; a mass per body mass is left alone.
fn fold_kind(map: &mut BTreeMap<Atom, i8>, kind: Kind) -> Result<Ratio, UnitError> {
    let atoms: Vec<(Atom, i8)> = map
        .iter()
        .filter(|(a, _)| a.kind() == kind)
        .map(|(a, e)| (*a, *e))
        .collect();
    if atoms.len() < 2 || (kind == Kind::Mass && is_per_body_mass(&atoms)) {
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
