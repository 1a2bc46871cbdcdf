//! Hostile input against the process-wide table of units: a cohort whose patients write a new
//! unit each (`mg^k·mL^j`) fills the table, which stops growing at its capacity; units made
//! after that are kept out of it, and every result is the same as before it filled. (A process
//! of its own: filling the table in the library's tests would slow the tests beside it.)

use posology::units::{Atom, Quantity, Rational, Unit};

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Arithmetic a protocol does, as text.
fn results() -> Vec<String> {
    let dose = q("5 mg/kg/day").mul(&q("70 kg")).unwrap();
    let rate = q("300 mcg/day").div(&q("24 h/day")).unwrap();
    let volume = q("350 mg/day").div(&q("2000 mcg/mL")).unwrap();
    let fresh = Unit::from_atoms([(Atom::Tablet, 3), (Atom::Dose, -2)]).unwrap();
    let odd = Quantity::new(Rational::from(6), fresh.clone());
    let squared = odd
        .mul(&Quantity::new(Rational::new(1, 2).unwrap(), fresh))
        .unwrap();
    vec![
        dose.to_string(),
        rate.to_string(),
        volume.to_string(),
        volume
            .convert_to(&Unit::parse("L/week").unwrap())
            .unwrap()
            .to_string(),
        format!("{:?}", q("1 mg").compare(&q("999 mcg"))),
        squared.to_string(),
        format!("{:?}", q("2 mL").add(&q("1 mg")).err()),
    ]
}

#[test]
fn a_flood_of_distinct_units_changes_no_result() {
    let before = results();
    assert_eq!(
        before[..6],
        [
            "350 mg/day",
            "12.5 mcg/h",
            "175 mL/day",
            "1.225 L/week",
            "Ok(Greater)",
            "3 tablet^2"
        ]
    );
    assert!(before[6].starts_with("Some(Mismatch"), "{}", before[6]);
    // 12,100 distinct units, more than the table holds.
    let mut flood = Vec::new();
    for i in -55..55 {
        for j in -55..55 {
            let unit = Unit::from_atoms([(Atom::Milligram, i), (Atom::Millilitre, j)]).unwrap();
            flood.push(unit);
        }
    }
    assert_eq!(results(), before);
    // Units made once the table is full (these two and those of `results`) still compare by
    // what they are, and print and convert as before.
    let a = Unit::from_atoms([(Atom::Capsule, 7), (Atom::Week, -3)]).unwrap();
    let b = Unit::parse("capsule·capsule·capsule·capsule·capsule·capsule·capsule/week^3").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        a.to_string(),
        "capsule·capsule·capsule·capsule·capsule·capsule·capsule/week^3"
    );
    assert_ne!(
        a,
        Unit::from_atoms([(Atom::Capsule, 7), (Atom::Week, -2)]).unwrap()
    );
    // The flood itself: each unit equals itself made again, and only itself.
    for (n, unit) in flood.iter().enumerate().step_by(97) {
        let (i, j) = ((n / 110) as i8 - 55, (n % 110) as i8 - 55);
        let again = Unit::from_atoms([(Atom::Milligram, i), (Atom::Millilitre, j)]).unwrap();
        assert_eq!(unit, &again);
        assert_eq!(unit.to_string(), again.to_string());
        assert_ne!(unit, &flood[(n + 1) % flood.len()]);
    }
}
