//! Fast paths: each shortcut in the unit algebra (the same unit on both sides, a plain number,
//! `%`, factors as powers of primes) gives exactly what the step-by-step definition gives,
//! errors included, and arithmetic on quantities agrees with plain rational arithmetic.

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::{d, u};
use crate::units::unit::{add_dim, factor_general, is_per_body_mass, FOLDS};
use crate::units::*;

/// Units to try: the usual ones, ones that cancel or fold, and exponents so large that
/// factors overflow (where no shortcut may hide the error).
pub(super) fn units() -> Vec<Unit> {
    let texts = [
        "",
        "mg",
        "mcg",
        "g",
        "kg",
        "mL",
        "L",
        "day",
        "h",
        "min",
        "s",
        "week",
        "month",
        "year",
        "tablet",
        "capsule",
        "dose",
        "unit",
        "%",
        "mg/kg",
        "mg/kg/day",
        "mcg/day",
        "mcg/h",
        "mg/day",
        "mL/day",
        "mL/h",
        "mcg/mL",
        "mg/mL",
        "tablet/day",
        "dose/day",
        "unit/kg/h",
        "1/day",
        "mg/mcg",
        "mg·mcg",
        "kg/mg",
        "g/kg",
        "mg/g",
        "%/day",
        "mg·%",
        "%·%",
        "1/%",
        "capsule/tablet",
        "year/month",
        "week/s",
        "lb",
        "mg/lb",
        "lb/kg",
        "kg/lb",
        "lb·lb",
        "inch",
        "inch/cm",
        "m/inch",
        "m^2",
        "mL/min/1.73 m^2",
        "1.73 m^2/m^2",
        "mmol/L",
        "micromol/mmol",
        "mg/dL",
        "dL/L",
        "ng/mcg",
        "mEq/L",
        "million units/unit",
        "unit/million units",
        "h·min",
        "mg/kg/kg",
        "mcg/kg/min",
        "mL/kg/h",
        "mcg·mcg·mcg·mcg·mcg",
        "kg·kg·kg·kg·kg·kg·kg·kg·kg·kg",
        "week·week·week·week·week/s",
    ];
    let mut out: Vec<Unit> = texts.iter().map(|t| unit(t)).collect();
    for atoms in [
        vec![(Atom::Microgram, 20)],
        vec![(Atom::Microgram, 4), (Atom::Week, 3)],
        vec![(Atom::Week, -100)],
        vec![(Atom::Percent, 13)],
        vec![(Atom::Percent, 14)],
        vec![(Atom::Percent, -15)],
        vec![(Atom::Kilogram, 127)],
        vec![(Atom::Gram, -128)],
        vec![(Atom::Tablet, 100), (Atom::Capsule, 100)],
        vec![(Atom::Tablet, 100), (Atom::Capsule, -100)],
        vec![(Atom::Milligram, 5), (Atom::Microgram, -3)],
        vec![(Atom::Milligram, 9), (Atom::Kilogram, -9)],
        vec![(Atom::Litre, 9), (Atom::Millilitre, -1), (Atom::Day, 2)],
    ] {
        out.push(Unit::from_atoms(atoms).unwrap());
    }
    out
}

/// A unit from its text; `""` is a plain number.
fn unit(text: &str) -> Unit {
    if text.is_empty() {
        Unit::none()
    } else {
        u(text)
    }
}

fn values() -> Vec<Rational> {
    [
        "0",
        "1",
        "-1",
        "0.5",
        "12.5",
        "300",
        "-22.5",
        "5000",
        "0.0000000000000000000000000001",
        "0.3333333333333333333333333333",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7.9228162514264337593543950335",
        "18446744073709551616",
    ]
    .iter()
    .map(|s| d(s))
    .chain([
        Rational::new(1, 3).unwrap(),
        Rational::new(-190, 3).unwrap(),
    ])
    .collect()
}

/// A product's atoms and its factor.
type ProductParts = (Vec<(Atom, i8)>, Ratio);

fn parts(p: Result<Product, UnitError>) -> Result<ProductParts, UnitError> {
    p.map(|p| (p.unit.atoms().to_vec(), p.factor))
}

/// `v` if within the bounds of a quantity, else the overflow.
fn bounded(v: Rational) -> Result<Rational, UnitError> {
    v.check_bounds().map(|()| v)
}

/// [`Unit::dim`] as it was defined before dimensions were stored in the unit.
fn dim_by_definition(unit: &Unit) -> Dim {
    let mass: Vec<(Atom, i8)> = unit
        .atoms()
        .iter()
        .copied()
        .filter(|(a, _)| a.kind() == Kind::Mass)
        .collect();
    let per_body_mass = is_per_body_mass(&mass);
    let mut dim = Dim::default();
    for &(atom, exp) in unit.atoms() {
        add_dim(&mut dim, atom, exp, per_body_mass);
    }
    dim
}

#[test]
fn stored_dimension_and_factor_are_the_definitions() {
    for unit in units() {
        assert_eq!(unit.dim(), dim_by_definition(&unit), "{unit}");
        let general = factor_general(unit.atoms());
        assert_eq!(unit.factor(), general, "{unit}");
    }
    // The overflowing ones are still reported.
    assert_eq!(u("mcg·mcg·mcg·mcg·mcg").factor(), Err(UnitError::Overflow));
    let huge = Unit::from_atoms([(Atom::Kilogram, 127)]).unwrap();
    assert_eq!(huge.factor(), Err(UnitError::Overflow));
}

#[test]
fn atom_factors_are_their_prime_powers() {
    let mg_per_day = u("mg/day").factor().unwrap();
    assert_eq!(mg_per_day, Ratio::from_integers(1, 86_400_000));
    for (i, atom) in crate::units::atom::ALL.into_iter().enumerate() {
        assert_eq!(atom.index(), i);
        let unit = Unit::atom(atom);
        assert_eq!(unit.atoms(), &[(atom, 1)]);
        assert_eq!(Unit::from_atoms([(atom, 1)]).unwrap(), unit);
        assert_eq!(unit.factor().unwrap(), atom.factor());
        let (num, den) = atom.factor_integers();
        let bound = 1u128 << atom.factor_bits();
        assert!(
            atom.factor_bits() == 0 && num == 1 && den == 1 || u128::from(num.max(den)) < bound
        );
        // An atom whose factor has another prime (lb, inch) never takes the fast path.
        assert_eq!(atom.is_smooth(), atom.factor_bits() < 64, "{atom:?}");
    }
}

#[test]
fn multiplying_units_matches_the_step_by_step_definition() {
    let all = units();
    for a in &all {
        for b in &all {
            for sign in [1, -1] {
                assert_eq!(
                    parts(a.combine_atoms(b, sign)),
                    parts(a.combine_general(b, sign)),
                    "{a:?} ^ {b:?} ^ {sign}"
                );
            }
        }
    }
}

#[test]
fn plain_numbers_and_percent_multiply_as_before() {
    let none = Unit::none();
    for text in ["mcg/day", "mg/kg", "%", "mg/mcg", ""] {
        let unit = unit(text);
        for (a, b) in [(&unit, &none), (&none, &unit)] {
            assert_eq!(parts(a.mul(b)), parts(a.combine_general(b, 1)));
            assert_eq!(parts(a.div(b)), parts(a.combine_general(b, -1)));
        }
    }
    // `%` folds into the factor, `mg/mcg` cancels, `kg/mg` is not a body weight.
    assert_eq!(
        u("%").mul(&none).unwrap().factor,
        Ratio::from_integers(1, 100)
    );
    assert_eq!(
        none.mul(&u("mg/mcg")).unwrap().factor,
        Ratio::from_integers(1000, 1)
    );
    assert!(none.mul(&u("mg/mcg")).unwrap().unit.is_none());
    let inverse = none.div(&u("mg/kg")).unwrap();
    assert_eq!(inverse.factor, Ratio::from_integers(1_000_000, 1));
    assert!(inverse.unit.is_none());
}

#[test]
fn conversion_factors_match_the_definition() {
    let all = units();
    for a in &all {
        for b in &all {
            let general = if a.dim() == b.dim() {
                a.factor()
                    .and_then(|fa| b.factor().and_then(|fb| fa.div(&fb)))
            } else {
                Err(UnitError::Mismatch {
                    left: a.dim(),
                    right: b.dim(),
                    op: "convert",
                })
            };
            assert_eq!(a.factor_to(b), general, "{a} → {b}");
        }
    }
}

#[test]
fn units_compare_and_hash_by_their_atoms() {
    let hash = |x: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        x(&mut h);
        h.finish()
    };
    for unit in units() {
        // As when the atoms were a `Vec`.
        let atoms = unit.atoms().to_vec();
        assert_eq!(hash(&|h| unit.hash(h)), hash(&|h| atoms.hash(h)));
        assert_eq!(format!("{unit:?}"), format!("Unit {{ atoms: {atoms:?} }}"));
        assert_eq!(Unit::from_atoms(atoms).unwrap(), unit);
    }
    assert_eq!(u("mg/kg/day"), u("milligrams / kilogram / days"));
    assert_ne!(u("mg/kg"), u("mg"));
    assert_eq!(format!("{:?}", Unit::none()), "Unit { atoms: [] }");
    assert_eq!(Unit::default(), Unit::none());
}

#[test]
fn one_word_units_parse_as_before() {
    for word in [
        "mg", " mcg ", "µg", "days", "%", "ML", "U", "iu", "bogus", "tablets", "h ",
    ] {
        // `w·w/w` is `w` again, the long way round.
        let long_way = format!("{word}·{word}/{word}");
        assert_eq!(Unit::parse(word), Unit::parse(&long_way), "{word}");
    }
    // Errors as the word-by-word path reports them.
    assert!(matches!(Unit::parse("U"), Err(UnitError::Banned { .. })));
    assert_eq!(
        Unit::parse(" bogus "),
        Err(UnitError::Unknown {
            text: "bogus".into(),
            suggestion: None
        })
    );
    assert!(matches!(Unit::parse(""), Err(UnitError::Unknown { text, .. }) if text.is_empty()));
    // A word that is not a unit is reported before an exponent that overflows.
    let many = vec!["mg"; 128].join("·");
    assert_eq!(Unit::parse(&many), Err(UnitError::Overflow));
    assert!(matches!(
        Unit::parse(&format!("{many}·bogus")),
        Err(UnitError::Unknown { .. })
    ));
    let fits = format!("{}/mg", vec!["mg"; 127].join("·"));
    assert_eq!(
        Unit::parse(&fits).unwrap().atoms(),
        &[(Atom::Milligram, 126)]
    );
}

#[test]
fn arithmetic_in_one_unit_is_rational_arithmetic() {
    for unit in &units() {
        for a in values() {
            for b in values() {
                let (x, y) = (
                    Quantity::new(a.clone(), unit.clone()),
                    Quantity::new(b.clone(), unit.clone()),
                );
                // A unit whose factor overflows cannot be compared, added or converted.
                if unit.factor().is_err() {
                    assert_eq!(x.compare(&y), Err(UnitError::Overflow), "{x:?}");
                    assert_eq!(x.add(&y), Err(UnitError::Overflow), "{x:?}");
                    continue;
                }
                assert_eq!(x.compare(&y), Ok(a.cmp(&b)), "{x:?} {y:?}");
                let sum = bounded(a.add(&b)).map(|v| Quantity::new(v, unit.clone()));
                assert_eq!(x.add(&y), sum, "{x:?} {y:?}");
                let difference = bounded(a.sub(&b)).map(|v| Quantity::new(v, unit.clone()));
                assert_eq!(x.sub(&y), difference, "{x:?} {y:?}");
                assert_eq!(x.convert_to(unit), Ok(x.clone()), "{x:?}");
            }
        }
    }
}

#[test]
fn cross_unit_arithmetic_is_exact() {
    let q = |v: &str, text: &str| Quantity::new(d(v), unit(text));
    // mg against mcg, mcg/day against mcg/h, percent and plain numbers.
    let pairs = [
        (q("5", "mg"), q("500", "mcg")),
        (q("1", "mg/day"), q("41", "mcg/h")),
        (q("300", "mcg/day"), q("12.5", "mcg/h")),
        (q("10", "%"), q("1", "")),
        (q("50", "%"), q("3", "")),
        (q("3", ""), q("0.5", "")),
    ];
    for (x, y) in pairs {
        for (a, b) in [(&x, &y), (&y, &x)] {
            // Compared, added and converted in base units, exactly.
            let base = |q: &Quantity| q.value.mul(&q.unit.factor().unwrap().to_rational());
            assert_eq!(a.compare(b), Ok(base(a).cmp(&base(b))), "{a} {b}");
            let sum = a.add(b).unwrap();
            assert_eq!(base(&sum), base(a).add(&base(b)), "{a} + {b}");
            if let Ok(c) = a.convert_to(&b.unit) {
                assert_eq!(base(&c), base(a), "{a} → {}", b.unit);
            }
        }
    }
    assert_eq!(
        q("5", "mg").add(&q("500", "mcg")).unwrap(),
        q("5500", "mcg")
    );
    assert_eq!(
        q("1", "mg/day").compare(&q("41", "mcg/h")),
        Ok(Ordering::Greater)
    );
    assert_eq!(
        q("300", "mcg/day").mul(&q("110", "%")).unwrap(),
        q("330", "mcg/day")
    );
    assert_eq!(q("10", "%").add(&q("1", "")).unwrap(), q("110", "%"));
    assert_eq!(q("3", "mg").mul(&q("2", "")).unwrap(), q("6", "mg"));
    assert_eq!(q("3", "").div(&q("2", "mg")).unwrap(), q("1.5", "1/mg"));
    assert!(q("1", "year").compare(&q("365", "day")).is_err());
}

#[test]
fn overflow_is_still_reported_on_fast_paths() {
    let max = d("79228162514264337593543950335");
    let mg = |v: Rational| Quantity::new(v, u("mg"));
    assert_eq!(
        mg(max.clone()).add(&mg(max.clone())),
        Err(UnitError::Overflow)
    );
    assert_eq!(
        mg(max.neg()).sub(&mg(max.clone())),
        Err(UnitError::Overflow)
    );
    let plain = Quantity::number(d("10"));
    assert_eq!(mg(max.clone()).mul(&plain), Err(UnitError::Overflow));
    assert_eq!(plain.mul(&mg(max)), Err(UnitError::Overflow));
    // A unit whose factor overflows: comparing or adding in it fails, even against itself.
    let huge = Unit::from_atoms([(Atom::Microgram, 4)]).unwrap();
    let (a, b) = (
        Quantity::new(d("1"), huge.clone()),
        Quantity::new(d("2"), huge.clone()),
    );
    assert_eq!(a.compare(&b), Err(UnitError::Overflow));
    assert_eq!(a.add(&b), Err(UnitError::Overflow));
    assert_eq!(a.convert_to(&huge), Err(UnitError::Overflow));
}

#[test]
fn fold_bounds_hold_for_every_pair_of_atoms_of_a_kind() {
    // Folding `atom` into `finest` multiplies by (atom / finest)^exp; the bound says how many
    // bits its numerator and denominator can take, so that no step can overflow.
    for (kind, lo, hi, bits) in FOLDS {
        for atom in &crate::units::atom::ALL[lo..hi] {
            assert_eq!(atom.kind(), kind);
            for finest in &crate::units::atom::ALL[lo..hi] {
                let r = atom.factor().div(&finest.factor()).unwrap();
                let big = r.num.max(r.den);
                let bound = 1u64 << bits;
                assert!(
                    big < bound || (bits == 0 && big == 1),
                    "{atom:?}/{finest:?}"
                );
            }
        }
    }
    let covered: usize = FOLDS.iter().map(|(_, lo, hi, _)| hi - lo).sum();
    assert_eq!(covered + 1, crate::units::atom::ALL.len()); // and `%`
}

#[test]
fn prime_powers_refuse_what_does_not_fit() {
    assert_eq!(Ratio::from_prime_exponents([0; 4]), Some(Ratio::ONE));
    assert_eq!(
        Ratio::from_prime_exponents([-6, 0, -6, 0]),
        Some(Ratio::from_integers(1, 1_000_000))
    );
    assert_eq!(
        Ratio::from_prime_exponents([7, 3, 2, 1]),
        Some(Ratio::from_integers(604_800, 1))
    );
    // 2^62 fits, 2^63 does not; 3^39 fits, 3^40 does not; products are checked too.
    assert!(Ratio::from_prime_exponents([62, 0, 0, 0]).is_some());
    assert!(Ratio::from_prime_exponents([63, 0, 0, 0]).is_none());
    assert!(Ratio::from_prime_exponents([0, -39, 0, 0]).is_some());
    assert!(Ratio::from_prime_exponents([0, -40, 0, 0]).is_none());
    assert!(Ratio::from_prime_exponents([40, 0, 20, 0]).is_none());
    assert!(Ratio::from_prime_exponents([0, 0, 0, 1000]).is_none());
    // The same bound step by step: 2^31 · 2^31 fits, 2^32 · 2^31 does not.
    let r = |n: u32| Ratio::from_integers(n, 1);
    assert!(r(1 << 31).mul(&r(1 << 31)).is_ok());
    assert_eq!(
        r(1 << 31).mul(&r(1 << 31)).unwrap().mul(&r(2)),
        Err(UnitError::Overflow)
    );
}

/// `Display` writes a small terminating value straight out; it must read exactly as its
/// [`Rational::decimal_text`] followed by the unit, as it did when it built the text first.
#[test]
fn a_quantity_written_straight_out_reads_as_its_decimal_text() {
    let mut values = values();
    for (num, den) in [
        (1, 8),
        (-1, 8),
        (5, 2),
        (-7, 1_000_000),
        (i64::MAX, 1 << 62),
        (i64::MAX, 5_i64.pow(27)),
        (-i64::MAX, 1),
        (3, 1 << 62),
        (2, 3),
    ] {
        values.push(Rational::new(num, den).unwrap());
    }
    for unit in units() {
        for value in &values {
            let quantity = Quantity::new(value.clone(), unit.clone());
            let Some(mut expected) = value.decimal_text() else {
                continue;
            };
            unit.push_after_number(!value.is_one_in_magnitude(), &mut expected);
            assert_eq!(quantity.to_string(), expected, "{value:?} {unit:?}");
        }
    }
}
