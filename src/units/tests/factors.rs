//! Conversion factors ([`Ratio`]) and the atom table, at their edges (issue 15: cargo-mutants
//! found these held by no test). Most of them only matter on paths today's units never take
//! (a zero part, a factor compared with itself), so each is tested on its contract directly.

use std::cmp::Ordering;

use crate::units::atom::ATOMS;
use crate::units::{Ratio, Rational, UnitError};

fn r(num: u64, den: u64) -> Ratio {
    Ratio { num, den }
}

/// `divides_itself` says whether `r.div(r)` succeeds: for every factor a unit can have (both
/// parts at least 1), and not when a part is zero.
#[test]
fn a_factor_divides_itself_unless_a_part_is_zero() {
    for (num, den) in [
        (1, 1),
        (125, 3),
        (1, 1_000_000),
        (604_800, 1),
        (0, 1),
        (1, 0),
        (0, 0),
    ] {
        let x = r(num, den);
        assert_eq!(x.divides_itself(), num != 0 && den != 0, "{num}/{den}");
        assert_eq!(x.divides_itself(), x.div(&x).is_ok(), "{num}/{den}");
        if x.divides_itself() {
            assert!(x.div(&x).unwrap().is_one(), "{num}/{den}");
        }
    }
}

#[test]
fn one_is_one_and_nothing_else_is() {
    assert!(Ratio::ONE.is_one());
    for x in [r(1, 1000), r(1000, 1), r(125, 3), r(3, 125)] {
        assert!(!x.is_one(), "{x:?}");
    }
}

/// Dividing by a zero factor is refused, whichever side the zero ends up on.
#[test]
fn a_zero_factor_divides_nothing() {
    assert_eq!(Ratio::ONE.div(&r(0, 1)), Err(UnitError::DivisionByZero));
    assert_eq!(r(125, 3).div(&r(0, 7)), Err(UnitError::DivisionByZero));
    assert_eq!(
        r(0, 1).inverse().mul(&Ratio::ONE),
        Err(UnitError::DivisionByZero)
    );
    assert_eq!(Ratio::ONE.mul(&r(1, 0)), Err(UnitError::DivisionByZero));
    assert_eq!(r(0, 1).mul(&r(125, 3)), Ok(r(0, 1)));
}

/// A factor that no `Rational` fraction holds (a zero denominator, a part past 2⁶³ − 1) is
/// read as zero, never as a division by zero or a wrapped number.
#[test]
fn a_factor_out_of_range_reads_as_zero() {
    assert_eq!(r(125, 3).to_rational(), Rational::new(125, 3).unwrap());
    assert_eq!(r(1, 1).to_rational(), Rational::new(1, 1).unwrap());
    assert_eq!(r(1, 0).to_rational(), Rational::ZERO);
    assert_eq!(r(u64::MAX, 1).to_rational(), Rational::ZERO);
    assert_eq!(r(1, u64::MAX).to_rational(), Rational::ZERO);
}

/// `compare` orders factors as their exact values, equal ones included.
#[test]
fn factors_compare_as_their_values() {
    let all = [
        r(1, 1),
        r(1, 1000),
        r(1, 1_000_000),
        r(1000, 1),
        r(125, 3),
        r(3, 125),
        r(2, 3),
        r(3, 2),
        r(86_400, 1),
        r(604_800, 1),
    ];
    for a in all {
        assert_eq!(a.compare(&a), Ordering::Equal, "{a:?}");
        for b in all {
            let want = a.to_rational().cmp(&b.to_rational());
            assert_eq!(a.compare(&b), want, "{a:?} against {b:?}");
            assert_eq!(b.compare(&a), want.reverse(), "{b:?} against {a:?}");
        }
    }
}

/// Within a kind, every atom's factor is a whole multiple of every finer atom's (mass and
/// volume by powers of 1000, time by 60, 60, 24 and 7, the calendar by 12). A sum across units
/// of the same shape relies on it (`quantity::merged`): the unit with the finer atom on top and
/// the coarser below is reached from either unit by a whole factor, so a sum of terminating
/// values terminates. An atom that breaks this (a grain, 64.79891 mg) needs that code looked at.
#[test]
fn a_coarser_atom_is_a_whole_multiple_of_a_finer_one() {
    for a in ATOMS {
        for b in ATOMS.iter().filter(|b| b.kind == a.kind) {
            let ratio = a.atom.factor().div(&b.atom.factor()).unwrap();
            if ratio.compare(&Ratio::ONE) != Ordering::Less {
                assert_eq!(ratio.den, 1, "{} is {ratio:?} {}", a.symbol, b.symbol);
            }
        }
    }
}

/// `Unit::mul` folds each kind's atoms into its finest one; the table it works from (`FOLDS`)
/// is computed from `ATOMS` at compile time: one entry per kind but `%`, in the table's order,
/// with the range of the kind's atoms and the bits of the widest ratio between two of them
/// (kg/mcg is 10⁹: 30 bits; week/s is 604800: 20 bits; year/month 12: 4 bits; one atom, or
/// atoms all of factor 1: 0). The fast path sums these bits to know that a factor cannot
/// overflow a `Ratio`.
#[test]
fn the_folds_are_each_kind_with_the_bits_of_its_widest_ratio() {
    use crate::units::unit::FOLDS;
    use crate::units::{Atom, Kind};

    let run = |first: Atom, last: Atom| (first.index(), last.index() + 1);
    let want = [
        (Kind::Mass, run(Atom::Kilogram, Atom::Microgram), 30),
        (Kind::Volume, run(Atom::Litre, Atom::Millilitre), 10),
        (Kind::Count, run(Atom::Tablet, Atom::Dose), 0),
        (Kind::Activity, run(Atom::Unit, Atom::Unit), 0),
        (Kind::Time, run(Atom::Week, Atom::Second), 20),
        (Kind::Calendar, run(Atom::Year, Atom::Month), 4),
    ];
    let got: Vec<_> = FOLDS
        .iter()
        .map(|&(kind, lo, hi, bits)| (kind, (lo, hi), bits))
        .collect();
    assert_eq!(got, want);
    // The same from the factors themselves, should an atom be added.
    for (kind, (lo, hi), bits) in got {
        let widest = ATOMS[lo..hi]
            .iter()
            .flat_map(|a| ATOMS[lo..hi].iter().map(move |b| (a, b)))
            .map(|(a, b)| a.atom.factor().div(&b.atom.factor()).unwrap())
            .map(|r| r.num.max(r.den))
            .max()
            .unwrap();
        assert_eq!(
            bits,
            u64::BITS - widest.leading_zeros() - u32::from(widest == 1),
            "{kind:?}"
        );
        assert!(ATOMS[lo..hi].iter().all(|a| a.kind == kind), "{kind:?}");
        assert!(
            ATOMS.iter().filter(|a| a.kind == kind).count() == hi - lo,
            "{kind:?}"
        );
    }
}

/// The shortcut that compares two atoms' factors in machine words agrees with the exact
/// comparison of their factors, for every pair of atoms (units picks the finest atom with it).
#[test]
fn atoms_compare_their_factors_exactly() {
    for a in ATOMS {
        for b in ATOMS {
            assert_eq!(
                a.atom.compare_factor(b.atom),
                a.atom.factor().compare(&b.atom.factor()),
                "{:?} vs {:?}",
                a.atom,
                b.atom
            );
        }
    }
}
