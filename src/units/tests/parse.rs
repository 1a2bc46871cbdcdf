//! Number parsing and the help for unsafe notation: each test pins what a pharmacist sees
//! when a number is refused (the error kind, the limit named, the suggested fix or the
//! readings named when no single fix can be given).

use super::q;
use crate::units::{NumberLimit, Quantity, UnitError};

fn notation(text: &str) -> (String, String) {
    match Quantity::parse(text) {
        Err(err @ UnitError::Notation { .. }) => {
            let help = err.help().expect("a notation error has help");
            let UnitError::Notation { write_instead, .. } = err else {
                unreachable!()
            };
            (write_instead, help)
        }
        other => panic!("{text}: expected a notation error, got {other:?}"),
    }
}

#[test]
fn an_e_that_is_not_an_exponent_is_not_read_as_one() {
    // `5e mg`: an `e` with no digits after it is no exponent; it is not refused as a number
    // out of range.
    for text in ["5e mg", "5E mg", "5e+ mg", "5e- mg"] {
        let err = Quantity::parse(text).unwrap_err();
        assert!(!matches!(err, UnitError::Digits { .. }), "{text}: {err:?}");
        assert!(!err.to_string().contains("exponent"), "{text}: {err}");
    }
    // A real exponent is still refused, with the number written out.
    let (write, help) = notation("5e3 mg");
    assert_eq!(write, "5000 mg");
    assert_eq!(help, "write `5000 mg`");
}

#[test]
fn percent_and_per_attach_to_the_number_in_the_suggested_fix() {
    for (text, write) in [
        (".5%", "0.5%"),
        ("5e1%", "50%"),
        (".5/day", "0.5/day"),
        ("5./day", "5/day"),
        ("5e3", "5000"),
        (".5 mg", "0.5 mg"),
    ] {
        let err = Quantity::parse(text).unwrap_err();
        assert_eq!(
            err,
            UnitError::Notation {
                text: text.to_string(),
                write_instead: write.to_string()
            },
            "{text}"
        );
        assert_eq!(err.help().unwrap(), format!("write `{write}`"), "{text}");
    }
}

#[test]
fn a_comma_read_the_same_both_ways_gives_the_one_reading() {
    // `0,000 mg` is zero whether the comma separates thousands or is a decimal comma.
    let (write, help) = notation("0,000 mg");
    assert_eq!(write, "0 mg");
    assert!(help.contains("`0 mg`"), "{help}");
    assert!(help.contains("never use separators"), "{help}");
    // Two different readings: no single fix, and the help names both.
    let (write, help) = notation("1,000 mg");
    assert_eq!(write, "<number> <unit>");
    assert!(
        help.contains("`1000 mg`") && help.contains("`1 mg`"),
        "{help}"
    );
    let (write, help) = notation("1.000,5 mg");
    assert_eq!(write, "1000.5 mg");
    assert!(help.contains("`1000.5 mg`"), "{help}");
    assert!(help.contains("decimal comma"), "{help}");
    assert!(!help.contains("1.0005"), "{help}");
}

#[test]
fn a_comma_or_point_with_nothing_after_it_is_no_reading() {
    // `1,000.` and `1,` cannot be read as a number either way: no number is suggested.
    for text in ["1,000. mg", "1, mg", "12,345. mg"] {
        let (write, help) = notation(text);
        assert_eq!(write, "<number> <unit>", "{text}");
        assert_eq!(
            help,
            "check which number was meant and write it with a decimal point; never use \
             separators in a number",
            "{text}"
        );
    }
}

#[test]
fn number_limit_names_the_limit_passed() {
    // 29 digits before the point but below 2^96: too many digits, not too large.
    assert_eq!(
        NumberLimit::of("10000000000000000000000000000.5"),
        NumberLimit::TooManyDigits
    );
    assert_eq!(
        NumberLimit::of("79228162514264337593543950335.5"),
        NumberLimit::TooManyDigits
    );
    // 30 digits or more before the point, or at least 2^96: too large.
    assert_eq!(
        NumberLimit::of("100000000000000000000000000000"),
        NumberLimit::TooLarge
    );
    assert_eq!(
        NumberLimit::of("-100000000000000000000000000000.5"),
        NumberLimit::TooLarge
    );
    assert_eq!(
        NumberLimit::of("79228162514264337593543950336"),
        NumberLimit::TooLarge
    );
    // A short integer part that sorts after the bound as text is not too large.
    assert_eq!(
        NumberLimit::of("9.00000000000000000000000000001"),
        NumberLimit::TooManyDecimals
    );
    // Exactly 28 decimal places is within the limit: the digits in all are too many.
    assert_eq!(
        NumberLimit::of("1234.0000000000000000000000000001"),
        NumberLimit::TooManyDigits
    );
    assert_eq!(
        NumberLimit::of("1234.00000000000000000000000000001"),
        NumberLimit::TooManyDecimals
    );
    // Through parsing, as a pharmacist sees it.
    for (text, limit) in [
        (
            "10000000000000000000000000000.5 mg",
            NumberLimit::TooManyDigits,
        ),
        (
            "9.00000000000000000000000000001 mg",
            NumberLimit::TooManyDecimals,
        ),
        (
            "1234.0000000000000000000000000001 mg",
            NumberLimit::TooManyDigits,
        ),
    ] {
        assert_eq!(
            Quantity::parse(text).unwrap_err(),
            UnitError::Digits {
                text: text.to_string(),
                limit
            },
            "{text}"
        );
    }
}

#[test]
fn number_limit_help_and_label_say_what_to_do() {
    assert_eq!(NumberLimit::TooLarge.label(), "too large");
    assert_eq!(
        NumberLimit::TooManyDecimals.label(),
        "too many decimal places"
    );
    assert_eq!(NumberLimit::TooManyDigits.label(), "too many digits");
    assert!(NumberLimit::TooLarge
        .help()
        .contains("no dose or measurement is this large"));
    assert!(NumberLimit::TooManyDecimals
        .help()
        .contains("write it in a smaller unit (mcg, not mg)"));
    assert!(NumberLimit::TooManyDigits
        .help()
        .contains("28 significant digits at most"));
    // The error a pharmacist sees carries the same help and label.
    let err = Quantity::parse("1e40 mg").unwrap_err();
    assert_eq!(err.help().as_deref(), Some(NumberLimit::TooLarge.help()));
    assert_eq!(err.label(), "too large");
    let err = Quantity::parse("1e-40 mg").unwrap_err();
    assert_eq!(err.label(), "too many decimal places");
    assert!(err.help().unwrap().contains("smaller unit"));
    let err = Quantity::parse("12345678901234567890.123456789012 mg").unwrap_err();
    assert_eq!(err.label(), "too many digits");
    assert!(err.help().unwrap().contains("28 significant digits"));
}

#[test]
fn a_space_inside_a_number_names_the_thousands_reading_only_when_grouped() {
    // Groups of three after a space, then a unit: the thousands reading is named.
    for (text, reading) in [
        ("5 000 mg", "5000 mg"),
        ("5 000 000 mg", "5000000 mg"),
        ("1 000%", "1000%"),
        ("-2 500 mg", "-2500 mg"),
    ] {
        let (write, help) = notation(text);
        assert_eq!(write, reading, "{text}");
        q(reading);
        assert_eq!(
            help,
            format!(
                "write `{reading}` if the space separates thousands; never put a space inside \
                 a number"
            ),
            "{text}"
        );
    }
    // No unit, a first group of four digits, a decimal point, or no unit word after the
    // groups: no reading is guessed.
    for text in [
        "5 000",
        "1234 567 mg",
        "1.5 000 mg",
        "5 000/day",
        "1 1/day",
        "12 5 mg",
    ] {
        let (write, help) = notation(text);
        assert_eq!(write, "<number> <unit>", "{text}");
        assert_eq!(
            help,
            "write the number with no space inside it, then one space and the unit (a space \
             inside a number can be read more than one way)",
            "{text}"
        );
    }
}

#[test]
fn a_comma_help_gives_the_reason_that_fits_the_text() {
    // The same number both ways is named once, not offered as two readings.
    let (_, help) = notation("0,000 mg");
    assert_eq!(help.matches("`0 mg`").count(), 1, "{help}");
    assert!(!help.contains("either way"), "{help}");
    // It has no decimal point, so the help must not say it has one.
    assert!(!help.contains("decimal point"), "{help}");
    assert!(help.contains("the same number"), "{help}");
    let (_, help) = notation("1,000.5 mg");
    assert!(help.contains("the number has a decimal point"), "{help}");
    // A decimal comma with no point: the reason is the digits after the comma.
    for (text, reading) in [("0,5 mg", "0.5 mg"), ("12,25 mg", "12.25 mg")] {
        let (write, help) = notation(text);
        assert_eq!(write, reading, "{text}");
        assert_eq!(
            help,
            format!(
                "write `{reading}` if the comma is a decimal comma (a comma separating \
                 thousands has three digits after it); never use separators in a number"
            ),
            "{text}"
        );
    }
    // A decimal comma after points: the reason is the points separating thousands.
    let (_, help) = notation("1.000,5 mg");
    assert_eq!(
        help,
        "write `1000.5 mg` if the comma is a decimal comma and the point separates thousands \
         (read with a decimal point, it is not a number); never use separators in a number"
    );
}

#[test]
fn the_reason_names_what_is_unsafe() {
    for (text, reason) in [
        ("1.2.3 mg", "a number can have only one decimal point"),
        (
            "10mg",
            "leave a space between the number and the unit (10mg is misread as 100 mg)",
        ),
        ("5e3 mg", "exponents are not allowed in doses"),
        (
            ".5 mg",
            "a decimal point needs a zero before it (.5 is misread as 5)",
        ),
    ] {
        let err = Quantity::parse(text).unwrap_err();
        assert!(matches!(err, UnitError::Notation { .. }), "{text}: {err:?}");
        assert!(err.to_string().ends_with(reason), "{text}: {err}");
    }
}

// Not tested, equivalent: in `comma_readings` the guard `!frac.contains([',', '.'])` on the
// decimal-comma reading can be dropped, since `exact` already refuses any part after the
// comma that is not all digits, so both give `None` for such a part.

#[test]
fn a_number_not_in_decimal_digits_is_named_so() {
    for written in ["0x2", ".inf", "-inf", "inf", "nan", "NaN", "0o7", "1_0"] {
        assert_eq!(
            NumberLimit::of(written),
            NumberLimit::NotDecimal,
            "{written}"
        );
    }
    for written in ["1e40", "-12.5", "+3", "0.5e-3"] {
        assert_ne!(
            NumberLimit::of(written),
            NumberLimit::NotDecimal,
            "{written}"
        );
    }
}
