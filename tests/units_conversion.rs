//! A substance-dependent conversion declared on an input (`convert 1 mg/dL = 88.42
//! micromol/L`) reads a value of either kind into the input's unit, exactly, both ways.

use posology::check::parse_and_check;
use posology::diagnostics::Source;
use posology::units::{Quantity, Rational};

/// The first input of a protocol declaring `decl`, read from `text`.
fn read(decl: &str, text: &str) -> Result<Quantity, posology::units::UnitError> {
    let protocol = format!(
        "protocol p {{\n  version \"1\"\n  source \"s\"\n  inputs {{\n    {decl}\n  }}\n  \
         limit dose <= 5 mg hard\n  phase a {{\n    decide first {{\n      otherwise => give 1 mg\n    }}\n  }}\n}}\n"
    );
    let source = Source::new("p.dose", protocol.as_str());
    let (program, diags) = parse_and_check(&protocol, &source);
    let program = program.unwrap_or_else(|| panic!("{decl}: {diags:?}"));
    let spec = &program.inputs[0];
    let unit = spec.unit.clone().unwrap_or_default();
    spec.read_quantity(Quantity::parse(text)?, &unit)
}

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn creatinine_in_micromol_per_litre_is_read_in_mg_per_dl() {
    let decl = "scr: mg/dL convert 1 mg/dL = 88.42 micromol/L";
    assert_eq!(read(decl, "88.42 umol/L").unwrap(), q("1 mg/dL"));
    assert_eq!(read(decl, "176.84 micromol/L").unwrap(), q("2 mg/dL"));
    assert_eq!(read(decl, "0.08842 mmol/L").unwrap(), q("1 mg/dL"));
    assert_eq!(read(decl, "1.5 mg/dL").unwrap(), q("1.5 mg/dL"));
    // 100 micromol/L is 100/88.42 mg/dL: an exact fraction, not a rounded decimal.
    let exact = read(decl, "100 micromol/L").unwrap();
    let want = Rational::from(10_000).div(&Rational::from(8_842)).unwrap();
    assert_eq!(exact.value, want);
}

#[test]
fn the_other_way_round_mg_per_dl_is_read_in_micromol_per_litre() {
    let decl = "scr: micromol/L convert 88.42 micromol/L = 1 mg/dL";
    assert_eq!(read(decl, "1 mg/dL").unwrap(), q("88.42 micromol/L"));
    assert_eq!(read(decl, "10 mg/L").unwrap(), q("88.42 micromol/L"));
    assert_eq!(read(decl, "88.42 umol/L").unwrap(), q("88.42 micromol/L"));
}

#[test]
fn a_kind_no_conversion_names_is_still_refused() {
    let decl = "scr: mg/dL convert 1 mg/dL = 88.42 micromol/L";
    assert!(read(decl, "100 mEq/L").is_err());
    assert!(read("scr: mg/dL", "88.42 micromol/L").is_err());
}

/// Two factors for one kind would let the order of the lines choose the value read (red team:
/// `= 88.42 mmol/L` then `= 88.42 micromol/L` read 3 mg/dL as 0.003 mg/dL): refused.
#[test]
fn two_conversions_to_one_kind_are_refused() {
    let protocol = "protocol p {\n  version \"1\"\n  source \"s\"\n  inputs {\n    scr: mg/dL \
         convert 1 mg/dL = 88.42 mmol/L convert 1 mg/dL = 88.42 micromol/L\n  }\n  limit dose \
         <= 5 mg hard\n  phase a {\n    decide first {\n      otherwise => give 1 mg\n    }\n  \
         }\n}\n";
    let source = Source::new("p.dose", protocol);
    let (program, diags) = parse_and_check(protocol, &source);
    assert!(program.is_none());
    let diag = diags
        .iter()
        .find(|d| d.code == "posology::unit::conversion")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert!(
        diag.message.contains("two conversions to one kind"),
        "{diag:?}"
    );
    let second = protocol.rfind("convert").unwrap();
    assert_eq!(diag.labels[0].span.start, second);
}

/// An eGFR reported `mL/min/m^2` almost always means per 1.73 m^2; converting would change it
/// 1.73-fold (red team: 60 read as 103.8), so a value on the other area basis is refused, both
/// ways, while values on the declared basis (in any units of it) are read.
#[test]
fn a_value_per_another_body_surface_is_refused_not_converted() {
    let decl = "egfr: mL/min/1.73 m^2";
    let err = read(decl, "60 mL/min/m^2").unwrap_err();
    assert!(
        matches!(err, posology::units::UnitError::AreaBasis { .. }),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "posology::unit::mismatch");
    assert_eq!(
        err.to_string(),
        "this value is per m^2 of body surface, but it is declared per 1.73 m^2 (`mL/min/1.73 m^2`)"
    );
    assert!(read(decl, "60 mL/min/cm^2").is_err());
    assert_eq!(
        read(decl, "60 mL/min/1.73 m^2").unwrap(),
        q("60 mL/min/1.73 m^2")
    );
    assert_eq!(
        read(decl, "1 mL/s/1.73 m^2").unwrap(),
        q("60 mL/min/1.73 m^2")
    );
    let err = read("dose_rate: mg/m^2", "5 mg/1.73 m^2").unwrap_err();
    assert_eq!(
        err.to_string(),
        "this value is per 1.73 m^2, but it is declared per m^2 of body surface (`mg/m^2`)"
    );
    assert_eq!(
        read("dose_rate: mg/m^2", "5 g/m^2").unwrap(),
        q("5000 mg/m^2")
    );
}
