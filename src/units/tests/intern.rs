//! Interned units: a unit is a small handle, equal units are one entry of the process-wide
//! table however they were made, the table is bounded, and a unit left out of it (spilled)
//! behaves exactly as the interned one with the same atoms.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::fast_paths::units;
use super::{q, u};
use crate::units::atom::ATOM_COUNT;
use crate::units::intern::{Handle, Interner, UnitData, CAPACITY};
use crate::units::*;

fn hash_of(unit: &Unit) -> u64 {
    let mut h = DefaultHasher::new();
    unit.hash(&mut h);
    h.finish()
}

/// The exponents of a unit, as the table keys it.
fn exponents(unit: &Unit) -> [i8; ATOM_COUNT] {
    let mut exps = [0; ATOM_COUNT];
    for &(atom, exp) in unit.atoms() {
        exps[atom.index()] = exp;
    }
    exps
}

/// The same unit, spilled (as if the table had been full when it was made).
fn spilled(unit: &Unit) -> Unit {
    Unit::spilled(&exponents(unit))
}

#[test]
fn a_quantity_is_small_enough_to_pass_around() {
    // A unit was 112 bytes when its atoms were stored inline, a quantity 136: both were copied
    // through every step of the evaluator.
    assert_eq!(std::mem::size_of::<Unit>(), 16);
    assert_eq!(std::mem::size_of::<Rational>(), 24);
    assert_eq!(std::mem::size_of::<Quantity>(), 40);
    assert_eq!(std::mem::size_of::<Option<Quantity>>(), 40);
}

#[test]
fn equal_units_are_one_entry_however_they_are_made() {
    let parsed = u("mcg/mL");
    let from_atoms = Unit::from_atoms([(Atom::Microgram, 1), (Atom::Millilitre, -1)]).unwrap();
    let quotient = u("mcg/day").div(&u("mL/day")).unwrap().unit;
    let product = q("2 mcg/kg").mul(&q("3 kg/mL")).unwrap().unit;
    for unit in [&from_atoms, &quotient, &product] {
        assert_eq!(unit, &parsed);
        assert!(unit.is_interned());
        assert_eq!(hash_of(unit), hash_of(&parsed));
    }
    assert_ne!(u("mcg/mL"), u("mg/mL"));
    assert_ne!(u("mg/kg"), u("mg"));
    assert_eq!(Unit::none(), Unit::default());
    assert_eq!(Unit::atom(Atom::Percent), Unit::percent());
    assert!(Unit::none().is_interned() && Unit::atom(Atom::Month).is_interned());
}

#[test]
fn a_spilled_unit_behaves_as_the_interned_one() {
    let all = units();
    for a in &all {
        let sa = spilled(a);
        assert!(!sa.is_interned());
        assert_eq!(&sa, a);
        assert_eq!(a, &sa);
        assert_eq!(hash_of(&sa), hash_of(a), "{a}");
        assert_eq!(format!("{sa:?}"), format!("{a:?}"));
        assert_eq!(sa.to_string(), a.to_string());
        assert_eq!(sa.render(true), a.render(true));
        assert_eq!((sa.dim(), sa.factor()), (a.dim(), a.factor()));
        assert_eq!(
            (sa.is_none(), sa.is_dimensionless(), sa.is_mass_ratio()),
            (a.is_none(), a.is_dimensionless(), a.is_mass_ratio())
        );
        for b in &all {
            let sb = spilled(b);
            assert_eq!(sa == sb, a == b);
            assert_eq!(sa.factor_to(&sb), a.factor_to(b), "{a} → {b}");
            assert_eq!(sa.same_scale(&sb), a.same_scale(b));
            assert_eq!(sa.converts_to_itself(&sb), a.converts_to_itself(b));
            assert_eq!(sa.mul(&sb), a.mul(b), "{a} · {b}");
            assert_eq!(sa.div(b), a.div(b), "{a} / {b}");
        }
    }
}

#[test]
fn remembered_products_are_the_products() {
    let all = units();
    // Twice over: the second round is answered from this thread's cache of products.
    for _ in 0..2 {
        for a in &all {
            for b in &all {
                for sign in [1, -1] {
                    assert_eq!(
                        a.combine(b, sign),
                        a.combine_uncached(b, sign),
                        "{a:?} ^ {b:?} ^ {sign}"
                    );
                }
            }
        }
    }
}

/// A unit's data as the table would build it, from atoms.
fn data(atoms: &[(Atom, i8)]) -> UnitData {
    let exps = exponents(&Unit::from_atoms(atoms.iter().copied()).unwrap());
    let present = exps
        .iter()
        .enumerate()
        .fold(0, |mask, (i, e)| mask | (u32::from(*e != 0) << i));
    UnitData::new(&exps, present)
}

#[test]
fn the_table_is_bounded_and_spills_past_its_capacity() {
    let table = Interner::new(3);
    let interned = |h: &Handle| matches!(h, Handle::Interned(_));
    // Hostile input: a new unit every time (mg, mg², mg³, …).
    let handles: Vec<Handle> = (1..=10)
        .map(|n| table.intern(data(&[(Atom::Milligram, n)])))
        .collect();
    assert_eq!(handles.iter().filter(|h| interned(h)).count(), 3);
    assert!(handles[..3].iter().all(interned));
    assert_eq!(table.len(), 3);
    // A unit already in the table is still found once it is full; a new one still spills.
    let again = table.intern(data(&[(Atom::Milligram, 2)]));
    match (&again, &handles[1]) {
        (Handle::Interned(a), Handle::Interned(b)) => assert!(std::ptr::eq(*a, *b)),
        other => panic!("{other:?}"),
    }
    assert!(!interned(&table.intern(data(&[(Atom::Milligram, 11)]))));
    assert_eq!(table.len(), 3);
    // Spilled data is complete: the same dimension and factor as when interned.
    assert_eq!(handles[9].data().exps, data(&[(Atom::Milligram, 10)]).exps);
    assert_eq!(
        handles[9].data().dim,
        u("mg").dim().plus_times(u("mg").dim(), 9)
    );
    assert_eq!(handles[9].data().factor, None);
}

#[test]
fn making_a_unit_again_adds_nothing() {
    // Every patient of a cohort makes the same few units again.
    let table = Interner::new(CAPACITY);
    let texts = [
        &[(Atom::Microgram, 1), (Atom::Day, -1)][..],
        &[(Atom::Millilitre, 1)],
    ];
    let first: Vec<Handle> = texts.iter().map(|t| table.intern(data(t))).collect();
    for _ in 0..1000 {
        for (text, first) in texts.iter().zip(&first) {
            match (table.intern(data(text)), first) {
                (Handle::Interned(a), Handle::Interned(b)) => assert!(std::ptr::eq(a, *b)),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(table.len(), 2);
    // And so does the process-wide table: the same unit, whichever way it is made.
    for _ in 0..100 {
        let dose = q("300 mcg/day").div(&q("24 h/day")).unwrap();
        assert!(dose.unit.is_interned());
        assert_eq!(dose.unit, u("mcg/h"));
        let rate = q("5 mg/kg/day").mul(&q("70 kg")).unwrap();
        assert_eq!(rate.unit, u("mg/day"));
    }
}

#[test]
fn threads_share_the_table() {
    let texts = [
        "mcg/day",
        "mg/kg/day",
        "mL/min/1.73 m^2",
        "tablet/week",
        "mg·mL/day/min",
    ];
    let here: Vec<Unit> = texts.iter().map(|t| u(t)).collect();
    let there: Vec<Vec<Unit>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| s.spawn(|| texts.iter().map(|t| u(t)).collect::<Vec<Unit>>()))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for units in there {
        for (a, b) in units.iter().zip(&here) {
            assert!(a.is_interned());
            assert_eq!(a, b);
        }
    }
}
