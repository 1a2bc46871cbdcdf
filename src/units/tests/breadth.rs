//! The units a hospital's labels and lab reports need (ng, lb, dL, cm, inch, m^2, mmol,
//! micromol, mEq, million units, eGFR's `/1.73 m^2`): every accepted spelling, the one printed,
//! and exact factors both ways.

use super::{d, q, u};
use crate::units::{safe_unit_spelling, Dim, Quantity, Unit, UnitError};

/// Each accepted spelling parses to the unit printed as `canonical`.
#[test]
fn every_spelling_parses_and_prints_the_canonical_one() {
    let table: &[(&str, &[&str])] = &[
        ("ng", &["ng", "nanogram", "nanograms"]),
        ("lb", &["lb", "lbs", "pound", "pounds"]),
        ("dL", &["dL", "dl", "deciliter", "decilitres"]),
        ("cm", &["cm", "centimeter", "centimetres"]),
        ("m", &["m", "meter", "metres"]),
        ("inch", &["inch", "inches", "in"]),
        ("m^2", &["m^2", "m2", "m\u{b2}"]),
        (
            "1.73 m^2",
            &["1.73 m^2", "1.73m^2", "1.73 m2", "1.73m2", "1.73 m\u{b2}"],
        ),
        ("mmol", &["mmol", "millimole", "millimoles"]),
        (
            "micromol",
            &["micromol", "umol", "\u{b5}mol", "\u{3bc}mol", "micromoles"],
        ),
        ("mEq", &["mEq", "meq", "milliequivalents"]),
        ("million units", &["million units", "million unit"]),
        ("mcg", &["mcg", "ug", "\u{b5}g"]),
    ];
    for (canonical, spellings) in table {
        for spelling in *spellings {
            assert_eq!(u(spelling).to_string(), *canonical, "{spelling}");
        }
    }
}

#[test]
fn clinical_composites_parse_check_and_print() {
    for (text, printed, dim) in [
        ("mg/dL", "mg/dL", Dim::MASS.per(Dim::VOLUME)),
        ("umol/L", "micromol/L", Dim::SUBSTANCE.per(Dim::VOLUME)),
        ("mmol/L", "mmol/L", Dim::SUBSTANCE.per(Dim::VOLUME)),
        ("mEq/L", "mEq/L", Dim::EQUIVALENTS.per(Dim::VOLUME)),
        ("mL/min", "mL/min", Dim::VOLUME.per(Dim::TIME)),
        (
            "mL/min/1.73 m^2",
            "mL/min/1.73 m^2",
            Dim::VOLUME.per(Dim::TIME).per(Dim::AREA),
        ),
        (
            "mL/1.73 m2/min",
            "mL/min/1.73 m^2",
            Dim::VOLUME.per(Dim::TIME).per(Dim::AREA),
        ),
        ("kg/m^2", "kg/m^2", Dim::MASS.per(Dim::AREA)),
        ("mg/m2", "mg/m^2", Dim::MASS.per(Dim::AREA)),
        (
            "units/kg/h",
            "unit/kg/h",
            Dim::ACTIVITY.per(Dim::MASS).per(Dim::TIME),
        ),
        (
            "mg/kg/day",
            "mg/kg/day",
            Dim::MASS.per(Dim::BODY_MASS).per(Dim::TIME),
        ),
        ("mg/lb", "mg/lb", Dim::MASS.per(Dim::BODY_MASS)),
        (
            "million units/day",
            "million units/day",
            Dim::ACTIVITY.per(Dim::TIME),
        ),
    ] {
        let unit = u(text);
        assert_eq!(unit.to_string(), printed, "{text}");
        assert_eq!(unit.dim(), dim, "{text}");
        assert_eq!(u(printed), unit, "{printed} reads back");
    }
}

#[test]
fn quantities_print_in_safe_notation() {
    for (text, printed) in [
        ("2.4 million units", "2.4 million units"),
        ("88.42 umol/L", "88.42 micromol/L"),
        ("88.42 \u{b5}mol/L", "88.42 micromol/L"),
        ("60 mL/min/1.73 m2", "60 mL/min/1.73 m^2"),
        ("1.9 m^2", "1.9 m^2"),
        ("70 in", "70 inches"),
        ("1 in", "1 inch"),
        ("20 mEq", "20 mEq"),
        ("0.5 ng", "0.5 ng"),
        ("154 lb", "154 lb"),
    ] {
        assert_eq!(q(text).to_string(), printed, "{text}");
    }
}

/// `to` in the unit of `to`, from `from`, exactly.
fn converts(from: &str, to: &str) {
    let target = q(to);
    let got = q(from).convert_to(&target.unit).unwrap();
    assert_eq!(got, target, "{from} -> {to}");
}

#[test]
fn factors_are_exact_both_ways() {
    for (a, b) in [
        ("1 lb", "453.59237 g"),
        ("1 lb", "0.45359237 kg"),
        ("1 kg", "1000000000000 ng"),
        ("1 mcg", "1000 ng"),
        ("1 dL", "100 mL"),
        ("1 L", "10 dL"),
        ("1 in", "2.54 cm"),
        ("1 m", "100 cm"),
        ("1 m^2", "10000 cm\u{b7}cm"),
        ("1 mmol", "1000 micromol"),
        ("1 million units", "1000000 units"),
        ("1 mg/dL", "10 mg/L"),
        ("1 mmol/L", "1000 umol/L"),
        ("173 mL/min/1.73 m^2", "100 mL/min/m^2"),
    ] {
        converts(a, b);
        converts(b, a);
    }
    // One standard body surface area is 1.73 m^2.
    let bsa = Quantity::new(d("1"), u("1.73 m^2"));
    assert_eq!(bsa.convert_to(&u("m^2")).unwrap(), q("1.73 m^2"));
    // 1 mg/lb is 100000000/45359237 mg/kg: exact, though not a finite decimal.
    let factor = u("mg/lb").factor_to(&u("mg/kg")).unwrap();
    assert_eq!(
        factor.to_rational(),
        d("100000000").div(&d("45359237")).unwrap()
    );
    assert!(matches!(
        q("1 mg/lb").convert_to(&u("mg/kg")),
        Err(UnitError::Inexact { .. })
    ));
}

#[test]
fn different_kinds_never_convert() {
    for (a, b) in [
        ("mL/min", "mL/min/1.73 m^2"),
        ("mmol", "mEq"),
        ("mmol/L", "mg/dL"),
        ("cm", "m^2"),
        ("units", "mg"),
    ] {
        let err = u(a).factor_to(&u(b)).unwrap_err();
        assert!(matches!(err, UnitError::Mismatch { .. }), "{a} -> {b}");
    }
}

#[test]
fn new_dimensions_are_described_in_pharmacist_words() {
    let describe = |unit: &str| u(unit).dim().describe();
    assert_eq!(describe("inch"), "a length (e.g. cm, a height)");
    assert_eq!(describe("m2"), "an area (e.g. m^2, a body surface area)");
    assert_eq!(
        describe("mmol"),
        "an amount of substance (e.g. mmol, micromol)"
    );
    assert_eq!(describe("mEq"), "an amount in milliequivalents (mEq)");
    assert_eq!(
        describe("mL/min/1.73 m^2"),
        "a volume per time per body surface area (e.g. mL/min/1.73 m^2, an eGFR)"
    );
    assert_eq!(
        describe("umol/L"),
        "a substance concentration (e.g. micromol/L)"
    );
}

#[test]
fn error_prone_spellings_stay_refused_or_are_rewritten() {
    for text in ["MU", "mu", "MIU", "U", "IU", "cc"] {
        let err = Unit::parse(text).unwrap_err();
        assert!(matches!(err, UnitError::Banned { .. }), "{text}: {err}");
    }
    let err = Unit::parse("MU").unwrap_err();
    assert!(
        err.help().unwrap_or_default().contains("million units"),
        "{err}"
    );
    assert_eq!(safe_unit_spelling("umol/L").as_deref(), Some("micromol/L"));
    assert_eq!(
        safe_unit_spelling("mL/min/1.73 m\u{b2}").as_deref(),
        Some("mL/min/1.73 m^2")
    );
    assert_eq!(safe_unit_spelling("mg/m\u{b2}").as_deref(), Some("mg/m^2"));
    assert_eq!(safe_unit_spelling("million units"), None);
}

#[test]
fn million_units_and_pounds_fold_exactly() {
    // 2.4 million units / 4 doses = 600000 units a dose, exactly, in either unit.
    let dose = q("2.4 million units").div(&q("4 doses")).unwrap();
    assert_eq!(
        dose.convert_to(&u("unit/dose")).unwrap(),
        q("600000 units/dose")
    );
    // A weight in lb times a dose per kg is a mass, exactly.
    let total = q("2 mg/kg").mul(&q("220 lb")).unwrap();
    assert_eq!(total.convert_to(&u("mg")).unwrap(), q("199.5806428 mg"));
}

/// A dose per lb times a weight in kg is a dose: the body weights cancel (`kg/lb` is a plain
/// number), for every kind of dose (red team: `units/lb × kg` was `mg·unit/kg`, not a dose).
#[test]
fn a_dose_per_lb_times_a_weight_in_kg_is_a_dose() {
    // 5 units/lb × 0.45359237 kg (1 lb) = 5 units, exactly.
    let total = q("5 units/lb").mul(&q("0.45359237 kg")).unwrap();
    assert_eq!(total.convert_to(&u("units")).unwrap(), q("5 units"));
    assert_eq!(total.dim(), q("1 units").dim());
    let total = q("2 mL/lb").mul(&q("45.359237 kg")).unwrap();
    assert_eq!(total.convert_to(&u("mL")).unwrap(), q("200 mL"));
    let total = q("1 mEq/lb/day").mul(&q("4.5359237 kg")).unwrap();
    assert_eq!(total.convert_to(&u("mEq/day")).unwrap(), q("10 mEq/day"));
    let total = q("3 mg/lb").mul(&q("0.45359237 kg")).unwrap();
    assert_eq!(total.convert_to(&u("mg")).unwrap(), q("3 mg"));
    // A dose per body weight stays one: mg/kg and mg/lb are not plain numbers.
    assert_ne!(q("1 mg/kg").dim(), Dim::NONE);
    assert_ne!(q("1 mg/lb").dim(), Dim::NONE);
    assert_eq!(q("1 kg").div(&q("1 lb")).unwrap().dim(), Dim::NONE);
}

#[test]
fn an_egfr_times_a_body_surface_area_is_a_clearance() {
    // 60 mL/min/1.73 m^2 for a patient of 1.73 m^2 is 60 mL/min, exactly.
    let crcl = q("60 mL/min/1.73 m^2").mul(&q("1.73 m^2")).unwrap();
    assert_eq!(crcl, q("60 mL/min"));
    let crcl = q("173 mL/min/1.73 m^2").mul(&q("2 m^2")).unwrap();
    assert_eq!(crcl, q("200 mL/min"));
}

#[test]
fn a_sum_of_kg_and_lb_is_exact() {
    let sum = q("1 kg").add(&q("1 lb")).unwrap();
    assert_eq!(sum.convert_to(&u("g")).unwrap(), q("1453.59237 g"));
    let sum = q("2.54 cm").add(&q("1 inch")).unwrap();
    assert_eq!(sum.convert_to(&u("cm")).unwrap(), q("5.08 cm"));
}
