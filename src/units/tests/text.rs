//! Text: parsing what pharmacists write, refusals, safe formatting, messages.

use rust_decimal::Decimal;

use super::{d, q, u};
use crate::diagnostics::Span;
use crate::units::*;

#[test]
fn parses_what_pharmacists_write() {
    for text in ["mcg", "ug", "µg", "μg", "microgram", "micrograms"] {
        assert_eq!(u(text), Unit::atom(Atom::Microgram), "{text}");
        assert_eq!(u(text).to_string(), "mcg");
    }
    assert_eq!(q("5 µg").to_string(), "5 mcg");
    assert_eq!(q("5 ug").to_string(), "5 mcg");
    for (text, shown) in [
        ("ml", "mL"),
        ("l", "L"),
        ("hours", "h"),
        ("hr", "h"),
        ("minutes", "min"),
        ("sec", "s"),
        ("wk", "week"),
        ("yr", "year"),
        ("millilitres", "mL"),
        ("kilograms", "kg"),
        ("mg/kg/day", "mg/kg/day"),
        ("mcg / mL", "mcg/mL"),
        ("mL/min", "mL/min"),
        ("units/kg/h", "unit/kg/h"),
        ("tablets/day", "tablet/day"),
        ("tabs", "tablet"),
        ("1/day", "1/day"),
    ] {
        assert_eq!(u(text).to_string(), shown, "{text}");
    }
    assert_eq!(u("mg/kg/day"), u("milligrams / kilogram / days"));
}

#[test]
fn error_prone_abbreviations_are_refused() {
    for (text, instead) in [
        ("U", "units"),
        ("IU", "units"),
        ("cc", "mL"),
        ("iu", "units"),
    ] {
        let err = Unit::parse(text).unwrap_err();
        assert_eq!(
            err,
            UnitError::Banned {
                text: text.to_string(),
                write_instead: instead.to_string()
            }
        );
        assert_eq!(err.help().unwrap(), format!("write `{instead}`"));
        assert_eq!(err.code(), "posology::unit::banned");
    }
    assert!(matches!(
        Quantity::parse("10 U/h"),
        Err(UnitError::Banned { .. })
    ));
    assert!(matches!(
        Quantity::parse("5 cc"),
        Err(UnitError::Banned { .. })
    ));
}

#[test]
fn unknown_units_suggest_a_spelling() {
    let err = Unit::parse("tablts").unwrap_err();
    assert_eq!(
        err,
        UnitError::Unknown {
            text: "tablts".to_string(),
            suggestion: Some("tablets".to_string())
        }
    );
    assert_eq!(err.help().unwrap(), "did you mean `tablets`?");
    assert!(matches!(
        Unit::parse("mg/xyzzy"),
        Err(UnitError::Unknown {
            suggestion: None,
            ..
        })
    ));
    let suggestion = |text: &str| match Unit::parse(text) {
        Err(UnitError::Unknown { suggestion, .. }) => suggestion,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(suggestion("ML").as_deref(), Some("mL"));
    assert_eq!(suggestion("Hours").as_deref(), Some("hours"));
    assert_eq!(suggestion("miligram").as_deref(), Some("milligram"));
    // Two neighbouring letters swapped.
    assert_eq!(suggestion("horus").as_deref(), Some("hours"));
    assert_eq!(suggestion("yeras").as_deref(), Some("years"));
    // Four letters is long enough for a guess; three is not.
    assert_eq!(suggestion("dasy").as_deref(), Some("day"));
    assert_eq!(suggestion("dya"), None);
    // No guess at short abbreviations: `d` is not `g`, `g2` is not `mg` (`m2` is m^2).
    assert_eq!(suggestion("d"), None);
    assert_eq!(suggestion("g2"), None);
    assert_eq!(suggestion("/"), None);
    assert!(Unit::parse("mg/").is_err());
    assert!(Unit::parse("").is_err());
}

#[test]
fn parses_patient_file_quantities() {
    assert_eq!(q("5 mg"), Quantity::new(d("5"), u("mg")));
    assert_eq!(q("0.5 mg").value, d("0.5"));
    assert_eq!(q("300 mcg/day").unit, u("mcg/day"));
    assert_eq!(q("3 days").unit, u("day"));
    assert_eq!(q("45 years").unit, Unit::atom(Atom::Year));
    assert_eq!(q("2.5 mL").value, d("2.5"));
    assert_eq!(q("10%"), Quantity::new(d("10"), Unit::percent()));
    assert_eq!(q("-2 mg").value, d("-2"));
    assert_eq!(q("  1 day ").to_string(), "1 day");
    assert_eq!(
        Quantity::parse(&format!("{} mg", Decimal::MAX))
            .unwrap()
            .value,
        Rational::from(Decimal::MAX)
    );
}

#[test]
fn unsafe_notation_is_refused() {
    let notation = |text: &str| match Quantity::parse(text) {
        Err(UnitError::Notation { write_instead, .. }) => write_instead,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(notation(".5 mg"), "0.5 mg");
    assert_eq!(notation("-.5 mg"), "-0.5 mg");
    assert_eq!(notation("5,5 mg"), "5.5 mg");
    assert_eq!(notation(",5 mg"), "0.5 mg");
    assert_eq!(notation("5. mg"), "5 mg");
    assert_eq!(notation("5e3 mg"), "5000 mg");
    assert_eq!(notation("2.5E-3 mg"), "0.0025 mg");
    assert_eq!(notation("10mg"), "10 mg");
    assert_eq!(notation("5 000 mg"), "5000 mg");
    assert_eq!(notation("mg"), "<number> <unit>");
    let err = Quantity::parse(".5 mg").unwrap_err();
    assert_eq!(err.help().unwrap(), "write `0.5 mg`");
    assert!(err.to_string().contains("zero before"), "{err}");
    let err = Quantity::parse("1,000 mg").unwrap_err();
    let help = err.help().unwrap();
    assert!(
        help.contains("`1000 mg`") && help.contains("`1 mg`"),
        "{help}"
    );
    assert_eq!(Quantity::parse("5"), Err(UnitError::MissingUnit));
    assert_eq!(Quantity::parse("0.5 "), Err(UnitError::MissingUnit));
}

#[test]
fn ambiguous_numbers_get_every_reading_never_a_guess() {
    let help = |text: &str| {
        Quantity::parse(text)
            .unwrap_err()
            .help()
            .unwrap_or_default()
    };
    // European `1.000,5` is 1000.5; dropping the comma (`1.0005`) would be 1000 times less.
    let h = help("1.000,5 mg");
    assert!(
        h.contains("`1000.5 mg` if the comma is a decimal comma and the point"),
        "{h}"
    );
    assert!(!h.contains("1.0005"), "{h}");
    // `10,0` as a decimal comma is 10, written without the trailing zero safe notation refuses.
    let h = help("10,0 mg");
    assert!(h.contains("`10 mg` if the comma is a decimal comma"), "{h}");
    assert!(!h.contains("10.0"), "{h}");
    let h = help("1,000 mg");
    assert!(
        h.contains("`1000 mg` if the comma separates thousands"),
        "{h}"
    );
    assert!(h.contains("`1 mg` if it is a decimal comma"), "{h}");
    let h = help("1,000.5 mg");
    assert!(
        h.contains("`1000.5 mg` if the comma separates thousands"),
        "{h}"
    );
    // `1 1/day` may be "1 per day" or "11/day": no number is suggested.
    let h = help("1 1/d");
    assert!(!h.contains("11/d") && !h.contains('`'), "{h}");
    let h = help("12 5 mg");
    assert!(!h.contains("125"), "{h}");
    // Thousands written apart, SI style, have one reading.
    assert!(help("5 000 mg").contains("`5000 mg` if the space separates thousands"));
    let write = |text: &str| match Quantity::parse(text) {
        Err(UnitError::Notation { write_instead, .. }) => write_instead,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(write("1,000 mg"), "<number> <unit>");
    assert_eq!(write("1 1/day"), "<number> <unit>");
    assert_eq!(write("1.000,5 mg"), "1000.5 mg");
}

#[test]
fn discouraged_microgram_spellings_are_rewritten_as_mcg() {
    use crate::units::safe_unit_spelling;
    assert_eq!(safe_unit_spelling("\u{b5}g").as_deref(), Some("mcg"));
    assert_eq!(safe_unit_spelling("\u{3bc}g/mL").as_deref(), Some("mcg/mL"));
    assert_eq!(
        safe_unit_spelling("ug/kg/min").as_deref(),
        Some("mcg/kg/min")
    );
    assert_eq!(safe_unit_spelling("mg / ug").as_deref(), Some("mg / mcg"));
    assert_eq!(safe_unit_spelling("mcg/day"), None);
    assert_eq!(safe_unit_spelling("units"), None);
    assert_eq!(u("ug/mL"), u("mcg/mL"));
}

#[test]
fn numbers_beyond_decimal_precision_are_out_of_range() {
    use crate::units::NumberLimit;
    for (text, limit, says) in [
        (
            "79228162514264337593543950336 mg",
            NumberLimit::TooLarge,
            "too large",
        ),
        (
            "0.00000000000000000000000000001 mg",
            NumberLimit::TooManyDecimals,
            "more than 28 decimal places",
        ),
        (
            "1.00000000000000000000000000001 mg",
            NumberLimit::TooManyDecimals,
            "more than 28 decimal places",
        ),
        (
            "12345678901234567890.123456789012 mg",
            NumberLimit::TooManyDigits,
            "more significant digits",
        ),
        ("1e-40 mg", NumberLimit::TooManyDecimals, "decimal places"),
        ("1e40 mg", NumberLimit::TooLarge, "too large"),
    ] {
        let err = Quantity::parse(text).unwrap_err();
        assert_eq!(
            err,
            UnitError::Digits {
                text: text.to_string(),
                limit
            },
            "{text}"
        );
        assert_eq!(err.code(), "posology::value::out_of_range");
        assert!(err.to_string().contains(says), "{err}");
        assert!(!err.to_string().contains("significant") || limit == NumberLimit::TooManyDigits);
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

#[test]
fn formats_in_safe_notation() {
    assert_eq!(format_decimal(&dec("0.50")), "0.5");
    assert_eq!(format_decimal(&dec("5.0")), "5");
    assert_eq!(format_decimal(&dec("12.50")), "12.5");
    assert_eq!(format_decimal(&dec("1000000")), "1000000");
    assert_eq!(format_decimal(&dec("0.0000001")), "0.0000001");
    assert_eq!(format_decimal(&-Decimal::ZERO), "0");
    for (value, unit, shown) in [
        ("5.0", "mg", "5 mg"),
        ("0.5", "mg", "0.5 mg"),
        ("12.50", "mg", "12.5 mg"),
        ("1", "day", "1 day"),
        ("3", "day", "3 days"),
        ("1", "week", "1 week"),
        ("45", "year", "45 years"),
        ("1", "tablet", "1 tablet"),
        ("2", "tablet", "2 tablets"),
        ("10", "units", "10 units"),
        ("1", "unit", "1 unit"),
        ("110", "%", "110%"),
        ("0.5", "day", "0.5 days"),
        ("2", "units/kg/h", "2 units/kg/h"),
        ("3", "/day", "3/day"),
    ] {
        assert_eq!(Quantity::new(d(value), u(unit)).to_string(), shown);
    }
}

#[test]
fn approximate_values_are_marked() {
    let per_hour = q("100 mcg/day").div(&q("24 h/day")).unwrap();
    assert_eq!(per_hour.unit, u("mcg/h"));
    assert_eq!(per_hour.to_string(), "~4.1667 mcg/h");
    assert_eq!(per_hour.display_exact(), "25/6 mcg/h");
    assert!(!q("0.000001 g").is_approximate());
    let err = q("1 mg").div_exact(&Quantity::number(d("3"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 mg ÷ 3 cannot be expressed exactly in mg"
    );
}

#[test]
fn dimensions_are_described_in_pharmacist_words() {
    let describe = |unit: &str| u(unit).dim().describe();
    assert_eq!(describe("mg"), "a mass (e.g. mg)");
    assert_eq!(describe("L"), "a volume (e.g. mL)");
    assert_eq!(describe("week"), "a time (e.g. h, days)");
    assert_eq!(describe("mcg/day"), "a mass per time (e.g. mcg/day)");
    assert_eq!(describe("mg/mL"), "a mass per volume (e.g. mcg/mL)");
    assert_eq!(describe("mL/h"), "a volume per time (e.g. mL/min)");
    assert_eq!(describe("mcg/kg"), "a mass per body mass (e.g. mg/kg)");
    assert_eq!(describe("months"), "an age or calendar time (e.g. years)");
    assert_eq!(describe("capsules"), "a count (e.g. tablets)");
    assert_eq!(describe("%"), "a plain number");
    assert_eq!(describe("mg/g"), "a plain number");
    assert_eq!(describe("mL·mg/h/h"), "a quantity measured in mg·mL/h^2");
    assert!(u("%").is_dimensionless() && Unit::none().is_dimensionless());
}

#[test]
fn errors_become_diagnostics() {
    let err = Quantity::parse("5 IU").unwrap_err();
    let diag = err.to_diagnostic(Span::new(2, 4));
    assert_eq!(diag.code, "posology::unit::banned");
    assert!(diag.is_error());
    assert_eq!(diag.primary_span(), Some(Span::new(2, 4)));
    assert_eq!(diag.help.as_deref(), Some("write `units`"));
    assert!(diag.message.contains("`IU`"), "{}", diag.message);
    let codes = [
        (UnitError::MissingUnit, "posology::unit::missing"),
        (UnitError::OutOfRange, "posology::value::out_of_range"),
    ];
    for (err, code) in codes {
        assert_eq!(err.to_diagnostic(Span::default()).code, code);
    }
}

#[test]
fn terminating_values_print_in_full_and_tiny_ones_never_as_zero() {
    assert_eq!(q("0.0000001 g").to_string(), "0.0000001 g");
    assert_eq!(q("0.00000012345678 g").to_string(), "0.00000012345678 g");
    assert_eq!(q("0.1234567 mg").to_string(), "0.1234567 mg");
    let ml = q("0.35 mL").mul(&q("0.00075 mg/mL")).unwrap();
    assert_eq!(ml.to_string(), "0.0002625 mg");
    let third = q("0.0000001 g").div(&Quantity::number(d("3"))).unwrap();
    assert_eq!(third.to_string(), "~0.00000003333 g");
    assert_eq!(third.neg().to_string(), "~-0.00000003333 g");
    let two_thirds = q("2 mg").div(&Quantity::number(d("3"))).unwrap();
    assert_eq!(two_thirds.to_string(), "~0.6667 mg");
    assert_eq!(two_thirds.display_exact(), "2/3 mg");
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "",
        " ",
        "-",
        "--5 mg",
        "5 mg mg",
        "5 //",
        "5 /",
        "/",
        "1/",
        "5 mg/",
        "5 ·",
        "5 µ",
        "½ mg",
        "5\u{a0}mg",
        "5 mg\u{a0}",
        "٥ mg",
        "5e",
        "5e+ mg",
        "5E99999 mg",
        "1e-40 mg",
        "5..5 mg",
        "5,,5 mg",
        ",5 mg",
        "0.",
        "-0 mg",
        "5 %%",
        "5 mg·mg·mg/h/h/h",
        "99999999999999999999999999999999 mg",
        "5 mcg/kg/kg",
        "5 mg/kg·g",
    ];
    let probe = q("1 mg");
    for text in inputs {
        if let Ok(x) = Quantity::parse(text) {
            let _ = (x.to_string(), x.display_exact(), x.dim().describe());
            let _ = (x.add(&probe), x.mul(&x), x.div(&probe), x.compare(&probe));
            let _ = x.round_to_step(&probe, RoundMode::Nearest);
        }
        if let Err(e) = Quantity::parse(text) {
            let _ = (e.to_string(), e.help(), e.code());
        }
        let _ = Unit::parse(text).map(|unit| unit.to_string());
    }
}

#[test]
fn unit_products_report_the_factor_to_fold() {
    let p = u("mg").div(&u("mcg")).unwrap();
    assert_eq!(p.unit, Unit::none());
    assert_eq!(p.factor.to_rational(), d("1000"));
    let p = u("mcg/day").div(&u("mcg/mL")).unwrap();
    assert_eq!(
        (p.unit.to_string(), p.factor),
        ("mL/day".to_string(), Ratio::ONE)
    );
    let p = u("mg/kg").mul(&u("kg")).unwrap();
    assert_eq!(p.unit, u("mg"));
    assert_eq!(u("mg").div(&u("kg")).unwrap().unit, u("mg/kg"));
    assert!(!u("mg/day").factor_to(&u("mcg/h")).unwrap().terminates());
}

#[test]
fn banned_abbreviations_say_why_they_are_banned() {
    for (text, why) in [
        ("U", "misread as 0 or 4, causing a tenfold overdose"),
        ("u", "misread as 0 or 4, causing a tenfold overdose"),
        ("IU", "misread as IV or 10"),
        ("iu", "misread as IV or 10"),
        ("cc", "misread as U or 00"),
    ] {
        let message = Unit::parse(text).unwrap_err().to_string();
        assert!(message.contains(why), "{text}: {message}");
        assert!(message.starts_with(&format!("`{text}` is")), "{message}");
    }
}

#[test]
fn each_error_labels_the_offending_text_in_a_few_words() {
    let diag = Quantity::parse("5 IU")
        .unwrap_err()
        .to_diagnostic(Span::new(2, 4));
    assert_eq!(diag.labels[0].text, "error-prone abbreviation");
    let labelled = [
        (Unit::parse("mgg").unwrap_err(), "unknown unit"),
        (UnitError::Overflow, "too large"),
        (UnitError::DivisionByZero, "division by zero"),
        (UnitError::MissingUnit, "unit missing"),
        (UnitError::OutOfRange, "out of range"),
    ];
    for (err, label) in labelled {
        let diag = err.to_diagnostic(Span::new(0, 1));
        assert_eq!(diag.labels.len(), 1);
        assert_eq!(diag.labels[0].text, label, "{err}");
        assert_eq!(diag.labels[0].span, Span::new(0, 1));
    }
    let mismatch = q("5 mg").add(&q("5 mL")).unwrap_err();
    assert_eq!(
        mismatch.to_diagnostic(Span::default()).labels[0].text,
        "these quantities are of different kinds"
    );
}

#[test]
fn exact_display_pluralises_by_the_value() {
    assert_eq!(q("1 day").display_exact(), "1 day");
    assert_eq!(q("3 days").display_exact(), "3 days");
    assert_eq!(q("0.5 day").display_exact(), "0.5 days");
    assert_eq!(
        Quantity::new(Rational::new(2, 3).unwrap(), u("days")).display_exact(),
        "2/3 days"
    );
}

#[test]
fn an_approximate_value_shown_as_one_is_singular() {
    // 30001/30000 has no finite decimal expansion and rounds to 1 at 4 places.
    let near_one = Quantity::new(Rational::new(30001, 30000).unwrap(), u("days"));
    assert_eq!(near_one.to_string(), "~1 day");
    let near_two = Quantity::new(Rational::new(60001, 30000).unwrap(), u("days"));
    assert_eq!(near_two.to_string(), "~2 days");
}

#[test]
fn a_mismatch_says_what_was_tried_in_words() {
    let (mass, volume) = (q("5 mg"), q("5 mL"));
    let said = |err: UnitError| err.to_string();
    assert_eq!(
        said(mass.convert_to(&u("mL")).unwrap_err()),
        "cannot convert a mass (e.g. mg) to a volume (e.g. mL)"
    );
    assert_eq!(
        said(mass.compare(&volume).unwrap_err()),
        "cannot compare a mass (e.g. mg) with a volume (e.g. mL)"
    );
    assert_eq!(
        said(mass.round_to_step(&volume, RoundMode::Down).unwrap_err()),
        "cannot round a mass (e.g. mg) to a step that is a volume (e.g. mL)"
    );
    assert_eq!(
        said(mass.add(&volume).unwrap_err()),
        "cannot add a mass (e.g. mg) and a volume (e.g. mL)"
    );
}

/// Months and years have no fixed length in days: the help says so only when one side is a
/// calendar time and the other an exact time.
#[test]
fn calendar_against_exact_time_gets_its_own_help() {
    let help = |a: &str, b: &str| q(a).compare(&q(b)).unwrap_err().help().unwrap();
    let calendar = "months and years have no fixed number of days";
    assert!(help("1 month", "30 days").starts_with(calendar));
    assert!(help("30 days", "1 month").starts_with(calendar));
    assert_eq!(help("1 month", "5 mg"), "check the units on both sides");
    assert_eq!(help("5 mg", "30 days"), "check the units on both sides");
    assert_eq!(help("30 days", "5 mg"), "check the units on both sides");
    assert_eq!(help("5 mg", "1 year"), "check the units on both sides");
    assert_eq!(help("5 mL", "5 mg"), "check the units on both sides");
}

/// An atom that appears two or three times prints with its power (`kg/cm^2` for a BMI from
/// centimetres, not `kg/cm/cm`), and what prints parses back to the same unit.
#[test]
fn repeated_atoms_print_as_powers_and_parse_back() {
    let bmi = q("70 kg")
        .div(&q("170 cm").mul(&q("170 cm")).unwrap())
        .unwrap();
    assert_eq!(bmi.unit.to_string(), "kg/cm^2");
    assert_eq!(q("2 cm").mul(&q("3 cm")).unwrap().to_string(), "6 cm^2");
    for text in ["cm^2", "kg/cm^2", "mg/min^2", "cm^3", "mg·mL/h^2"] {
        let unit = u(text);
        assert_eq!(unit.to_string(), text);
        assert_eq!(u(&unit.to_string()), unit);
    }
    assert_eq!(u("cm²"), u("cm^2"));
    assert_eq!(u("cm³"), u("cm^3"));
    assert_eq!(u("cm^2"), u("cm·cm"));
    // An atom that is an area already repeats rather than stacking powers.
    assert_eq!(u("m^2·m^2").to_string(), "m^2·m^2");
    assert_eq!(u("m^2"), Unit::parse("m^2").unwrap());
    // Only squares and cubes; a power of an unknown word is still unknown.
    assert!(Unit::parse("cm^4").is_err());
    assert!(matches!(
        Unit::parse("zz^2"),
        Err(UnitError::Unknown { .. })
    ));
}
