//! Fast paths: each shortcut (the same unit on both sides, a plain number, `%`, factors as
//! powers of primes, 128-bit comparisons, multiplying by a whole 1) gives exactly what the
//! general path gives, digit for digit (decimals are compared by their bytes, so even the scale
//! of `5.0` against `5` counts), errors included.

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use rust_decimal::Decimal;

use super::{d, u};
use crate::units::exact::{
    checked_product, cmp_products, cmp_products_nat, is_whole_one, quotient, scaled, scaled_value,
};
use crate::units::unit::{factor_general, is_per_body_mass, FOLDS};
use crate::units::*;

/// Units to try: the usual ones, ones that cancel or fold, and exponents so large that
/// factors overflow (where no shortcut may hide the error).
fn units() -> Vec<Unit> {
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

fn values() -> Vec<Decimal> {
    let mut out: Vec<Decimal> = [
        "0",
        "0.00",
        "1",
        "-1",
        "1.0",
        "0.5",
        "12.5",
        "300",
        "-22.5",
        "5000",
        "0.0000000000000000000000000001",
        "0.3333333333333333333333333333",
        "63.333333333333333333333333333",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7.9228162514264337593543950335",
        "18446744073709551616",
    ]
    .iter()
    .map(|s| d(s))
    .collect();
    let mut negative_zero = d("0.0");
    negative_zero.set_sign_negative(true);
    out.push(negative_zero);
    out
}

fn bits(d: &Decimal) -> [u8; 16] {
    d.serialize()
}

fn ratio_bits(r: &Ratio) -> ([u8; 16], [u8; 16]) {
    (bits(&r.num), bits(&r.den))
}

/// A product's atoms and the bytes of its factor.
type ProductBits = (Vec<(Atom, i8)>, [u8; 16], [u8; 16]);

fn product_bits(p: Result<Product, UnitError>) -> Result<ProductBits, UnitError> {
    p.map(|p| {
        (
            p.unit.atoms().to_vec(),
            bits(&p.factor.num),
            bits(&p.factor.den),
        )
    })
}

fn quantity_bits(q: Result<Quantity, UnitError>) -> Result<([u8; 16], Unit), UnitError> {
    q.map(|q| (bits(&q.value), q.unit))
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

#[test]
fn stored_dimension_and_factor_are_the_definitions() {
    for unit in units() {
        assert_eq!(unit.dim(), dim_by_definition(&unit), "{unit}");
        let general = factor_general(unit.atoms()).map(|r| ratio_bits(&r));
        assert_eq!(unit.factor().map(|r| ratio_bits(&r)), general, "{unit}");
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
        assert_eq!(
            ratio_bits(&unit.factor().unwrap()),
            ratio_bits(&atom.factor())
        );
        let (num, den) = atom.factor_integers();
        let bound = 1u64 << atom.factor_bits();
        assert!(atom.factor_bits() == 0 && num == 1 && den == 1 || u64::from(num.max(den)) < bound);
    }
}

#[test]
fn multiplying_units_matches_the_step_by_step_definition() {
    let all = units();
    for a in &all {
        for b in &all {
            for sign in [1, -1] {
                assert_eq!(
                    product_bits(a.combine(b, sign)),
                    product_bits(a.combine_general(b, sign)),
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
            assert_eq!(
                product_bits(a.mul(b)),
                product_bits(a.combine_general(b, 1))
            );
            assert_eq!(
                product_bits(a.div(b)),
                product_bits(a.combine_general(b, -1))
            );
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
                    .map(|r| ratio_bits(&r))
            } else {
                Err(UnitError::Mismatch {
                    left: a.dim(),
                    right: b.dim(),
                    op: "convert",
                })
            };
            assert_eq!(a.factor_to(b).map(|r| ratio_bits(&r)), general, "{a} → {b}");
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
fn same_unit_arithmetic_matches_the_general_path() {
    let all = units();
    for unit in &all {
        for a in values() {
            for b in values() {
                let (x, y) = (
                    Quantity::new(a, unit.clone()),
                    Quantity::new(b, unit.clone()),
                );
                assert_eq!(x.compare(&y), x.compare_general(&y), "{x:?} {y:?}");
                let fast = x
                    .aligned(&y, "add")
                    .map(|(u, a, b)| (u, bits(&a), bits(&b)));
                let general = x
                    .aligned_general(&y, "add")
                    .map(|(u, a, b)| (u, bits(&a), bits(&b)));
                assert_eq!(fast, general, "{x:?} {y:?}");
                assert_eq!(
                    quantity_bits(x.convert_to(unit)),
                    quantity_bits(x.convert_general(unit)),
                    "{x:?}"
                );
            }
        }
    }
}

#[test]
fn cross_unit_arithmetic_is_unchanged() {
    let q = |v: &str, text: &str| Quantity::new(d(v), unit(text));
    // mg against mcg, mcg/day against mcg/h, percent and plain numbers.
    let pairs = [
        (q("5", "mg"), q("500", "mcg")),
        (q("1", "mg/day"), q("41", "mcg/h")),
        (q("300", "mcg/day"), q("12.5", "mcg/h")),
        (q("300", "mcg/day"), q("110", "%")),
        (q("10", "%"), q("1", "")),
        (q("50", "%"), q("3", "")),
        (q("3", ""), q("0.5", "")),
        (q("1", "year"), q("365", "day")),
    ];
    for (x, y) in pairs {
        for (a, b) in [(&x, &y), (&y, &x)] {
            assert_eq!(a.compare(b), a.compare_general(b), "{a} {b}");
            let fast = a.aligned(b, "add").map(|(u, a, b)| (u, bits(&a), bits(&b)));
            let general = a
                .aligned_general(b, "add")
                .map(|(u, a, b)| (u, bits(&a), bits(&b)));
            assert_eq!(fast, general, "{a} {b}");
            assert_eq!(
                quantity_bits(a.convert_to(&b.unit)),
                quantity_bits(a.convert_general(&b.unit)),
                "{a} → {}",
                b.unit
            );
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
}

#[test]
fn overflow_is_still_reported_on_fast_paths() {
    let max = d("79228162514264337593543950335");
    let mg = |v: Decimal| Quantity::new(v, u("mg"));
    assert_eq!(mg(max).add(&mg(max)), Err(UnitError::Overflow));
    assert_eq!(mg(-max).sub(&mg(max)), Err(UnitError::Overflow));
    let plain = Quantity::number(d("10"));
    assert_eq!(mg(max).mul(&plain), Err(UnitError::Overflow));
    assert_eq!(plain.mul(&mg(max)), Err(UnitError::Overflow));
    // A unit whose factor overflows: comparing or adding in it fails as before, even against
    // itself.
    let huge = u("mcg·mcg·mcg·mcg·mcg");
    let (a, b) = (
        Quantity::new(d("1"), huge.clone()),
        Quantity::new(d("2"), huge.clone()),
    );
    assert_eq!(a.compare(&b), Err(UnitError::Overflow));
    assert_eq!(a.add(&b), Err(UnitError::Overflow));
    assert_eq!(a.convert_to(&huge), Err(UnitError::Overflow));
    let tiny = Quantity::new(d("0.000000000000001"), u("mg"));
    assert_eq!(
        tiny.mul(&Quantity::new(d("0.000000000000001"), Unit::none())),
        Err(UnitError::OutOfRange)
    );
}

#[test]
fn products_skip_whole_ones_without_changing_a_digit() {
    let one = Decimal::ONE;
    let plain = |factors: &[Decimal]| -> Result<Decimal, UnitError> {
        let mut acc = Decimal::ONE;
        for f in factors {
            acc = acc.checked_mul(*f).ok_or(UnitError::Overflow)?;
        }
        if acc.is_zero() && factors.iter().all(|f| !f.is_zero()) {
            return Err(UnitError::OutOfRange);
        }
        Ok(acc)
    };
    let vs = values();
    for a in &vs {
        for b in &vs {
            for factors in [
                vec![*a, *b],
                vec![*a, one, *b],
                vec![one, *a],
                vec![*a, one],
                vec![one],
                vec![],
            ] {
                assert_eq!(
                    checked_product(&factors).map(|d| bits(&d)),
                    plain(&factors).map(|d| bits(&d)),
                    "{factors:?}"
                );
            }
            // Dividing by a whole 1.
            let by_one = quotient(*a, one).map(|(q, e)| (bits(&q), e));
            let divided = a
                .checked_div(one)
                .map(|q| (bits(&q), true))
                .ok_or(UnitError::Overflow);
            assert_eq!(by_one, divided, "{a}");
        }
    }
    assert!(is_whole_one(&Decimal::ONE));
    assert!(!is_whole_one(&d("1.0")));
    assert!(!is_whole_one(&d("-1")));
    // A product needing more than 28 digits is still rounded the same way.
    let third = d("0.3333333333333333333333333333");
    assert_eq!(
        scaled(&[third, third, one], &[one]).map(|(q, _)| bits(&q)),
        plain(&[third, third]).map(|d| bits(&d))
    );
}

#[test]
fn comparisons_match_arbitrary_precision() {
    let vs = values();
    let mut lists: Vec<Vec<Decimal>> = vec![vec![]];
    for a in &vs {
        lists.push(vec![*a]);
    }
    for a in vs.iter().step_by(2) {
        for b in vs.iter().skip(1).step_by(2) {
            lists.push(vec![*a, *b]);
        }
    }
    lists.push(vec![d("79228162514264337593543950335"); 9]);
    lists.push(vec![d("0.0000000000000000000000000001"); 10]);
    let mut mixed = vec![d("7.9228162514264337593543950335"); 8];
    mixed.push(d("-3"));
    lists.push(mixed);
    for l in &lists {
        for r in &lists {
            assert_eq!(
                cmp_products(l, r),
                cmp_products_nat(l.iter(), r.iter()),
                "{l:?} vs {r:?}"
            );
        }
    }
    for l in lists.iter().filter(|l| l.len() == 2) {
        for r in lists.iter().filter(|r| r.len() <= 2) {
            let mut three = l.clone();
            three.push(d("3"));
            assert_eq!(
                cmp_products(&three, r),
                cmp_products_nat(three.iter(), r.iter())
            );
        }
    }
}

#[test]
fn ratio_products_in_whole_numbers_match_decimal_arithmetic() {
    let wholes: Vec<Decimal> = [
        0u128,
        1,
        2,
        3,
        1000,
        86_400,
        1_000_000,
        (1 << 48) - 1,
        1 << 48,
        (1 << 48) + 1,
        1 << 64,
        (1 << 95) + 7,
        (1 << 96) - 1,
    ]
    .iter()
    .map(|&n| Decimal::from_i128_with_scale(n as i128, 0))
    .collect();
    let mut others = vec![d("0.5"), d("1.0"), d("-2"), d("2.50")];
    others.extend_from_slice(&wholes[..4]);
    for (set, name) in [(&wholes, "whole"), (&others, "mixed")] {
        for a in set {
            for b in set {
                for c in set {
                    for e in set {
                        let x = Ratio { num: *a, den: *b };
                        let y = Ratio { num: *c, den: *e };
                        assert_eq!(
                            x.mul(&y).map(|r| ratio_bits(&r)),
                            x.mul_general(&y).map(|r| ratio_bits(&r)),
                            "{name}: {x:?} · {y:?}"
                        );
                    }
                }
                let x = Ratio { num: *a, den: *b };
                assert_eq!(x.divides_itself(), x.div(&x).is_ok(), "{x:?}");
            }
        }
    }
    // 2^48 · 2^48 = 2^96 does not fit; (2^48 − 1)(2^48 + 1) = 2^96 − 1 does.
    let r = |n: u128| Ratio {
        num: Decimal::from_i128_with_scale(n as i128, 0),
        den: Decimal::ONE,
    };
    assert_eq!(r(1 << 48).mul(&r(1 << 48)), Err(UnitError::Overflow));
    assert!(r((1 << 48) - 1).mul(&r((1 << 48) + 1)).is_ok());
}

#[test]
fn quotients_not_checked_for_exactness_are_the_same() {
    let vs = values();
    let all = units();
    for a in &vs {
        for b in &vs {
            for (num, den) in [
                (vec![*a], vec![*b]),
                (vec![*a, Decimal::ONE], vec![*b, Decimal::ONE]),
                (vec![*a, d("1000")], vec![*b, d("3")]),
                (vec![*a, *b], vec![d("7")]),
            ] {
                assert_eq!(
                    scaled_value(&num, &den).map(|q| bits(&q)),
                    scaled(&num, &den).map(|(q, _)| bits(&q)),
                    "{num:?} / {den:?}"
                );
            }
        }
    }
    for x in [&all[1], &all[21], &all[18], &all[0]] {
        for y in &all {
            for (a, b) in [(d("300"), d("12.5")), (d("1"), d("3")), (d("5"), d("0"))] {
                let (p, q) = (Quantity::new(a, x.clone()), Quantity::new(b, y.clone()));
                let general = p.divide(&q).map(|(r, _)| r);
                assert_eq!(
                    quantity_bits(p.div(&q)),
                    quantity_bits(general),
                    "{p} ÷ {q}"
                );
            }
        }
    }
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
                let bound = Decimal::from(1u64 << bits);
                assert!(
                    big < bound || (bits == 0 && big == Decimal::ONE),
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
    // 2^95 fits, 2^96 does not; 3^60 fits, 3^61 does not; products are checked too.
    assert!(Ratio::from_prime_exponents([95, 0, 0, 0]).is_some());
    assert!(Ratio::from_prime_exponents([96, 0, 0, 0]).is_none());
    assert!(Ratio::from_prime_exponents([0, -60, 0, 0]).is_some());
    assert!(Ratio::from_prime_exponents([0, -61, 0, 0]).is_none());
    assert!(Ratio::from_prime_exponents([50, 0, 30, 0]).is_none());
    assert!(Ratio::from_prime_exponents([0, 0, 0, 1000]).is_none());
}
