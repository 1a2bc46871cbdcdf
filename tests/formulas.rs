//! Formulas: `value(x in UNIT)`, `x ^ n` and `sqrt(x)` through the whole pipeline (parse,
//! check, evaluate, report, REPL, fmt), with exact expected values for known patients.

use posology::diagnostics::RenderStyle;
use posology::input::Format;
use posology::repl::Session;
use posology::testing::run_examples;
use posology::{Options, Protocol};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn renal() -> Protocol {
    let path = root().join("tests/formulas/renal_dosing.dose");
    let text = std::fs::read_to_string(&path).expect("readable");
    let (protocol, diags) = Protocol::check(path.display().to_string(), &text);
    assert!(diags.is_empty(), "{diags:?}");
    protocol.expect("checks")
}

#[test]
fn cockcroft_gault_bmi_and_mosteller_examples_pass() {
    let results = run_examples(&renal());
    assert_eq!(results.len(), 4);
    for r in results {
        assert!(
            r.passed(),
            "{}: {:?} {:?}",
            r.name,
            r.failures,
            r.error.map(|d| d.message)
        );
    }
}

/// Evaluates `exprs` in a REPL session on the renal protocol for one patient, returning each
/// reply's text (or the diagnostic code of a failed line).
fn repl(patient: &[&str], exprs: &[&str]) -> Vec<String> {
    let mut s = Session::new(RenderStyle::Plain);
    let path = root().join("tests/formulas/renal_dosing.dose");
    assert!(s.line(&format!(":load {}", path.display())).ok);
    for p in patient {
        let r = s.line(p);
        assert!(r.ok, "{p}: {}", r.text);
    }
    exprs
        .iter()
        .map(|e| {
            let r = s.line(e);
            if r.ok {
                r.text.trim().to_string()
            } else {
                r.text
                    .split_whitespace()
                    .find(|w| w.starts_with("posology::"))
                    .unwrap_or("no code")
                    .to_string()
            }
        })
        .collect()
}

const MAN: &[&str] = &[
    "age = 60 years",
    "weight = 72 kg",
    "height = 180 cm",
    "sex = male",
    "scr = 1 mg/dL",
];

#[test]
fn formulas_give_exact_values_for_a_known_patient() {
    let out = repl(
        MAN,
        &[
            "crcl",
            "bmi * 9",
            "bsa",
            "bsa_down",
            "value(scr in mg/dL)",
            "value(weight in g)",
            "value(1 min in h) * 60",
            "height ^ 2 == 3.24 m^2",
            "(2 m) ^ 3 == 8000000 cm * 1 cm * 1 cm",
            "2 ^ -2",
            "-2 ^ 2",
            "sqrt(9 / 4)",
            "sqrt(0)",
            "sqrt(2) round to 0.001",
            "sqrt(2) round up to 0.001",
            "sqrt(2) round down to 0.001",
            "sqrt(4 m^2) round to 1 cm",
            "sqrt(1.73 m^2 * 1.73 m^2) round to 0.01 m^2",
            "2 m^2",
            "1.73 m^2 * 2",
            "3 in 1..5",
        ],
    );
    let expected = [
        "80 mL/min",
        "200 kg/m^2",
        "1.9 m^2",
        "1.89",
        "1",
        "72000",
        "1",
        "true",
        "true",
        "0.25",
        "-4",
        "1.5",
        "0",
        "1.414",
        "1.415",
        "1.414",
        "200 cm",
        "1.73 m^2",
        "2 m^2",
        "3.46 m^2",
        "true",
    ];
    assert_eq!(out, expected);
}

#[test]
fn a_creatinine_in_micromol_per_litre_is_converted_by_the_declared_equivalence() {
    let mut patient = MAN.to_vec();
    patient[4] = "scr = 88.42 micromol/L";
    assert_eq!(
        repl(&patient, &["value(scr in mg/dL)", "crcl"]),
        ["1", "80 mL/min"]
    );
    // A clearance that does not terminate is exact, and shown marked as approximate.
    patient[4] = "scr = 97 micromol/L";
    let out = repl(&patient, &["crcl * 97 == 80 mL/min * 88.42", "crcl"]);
    assert_eq!(out, ["true", "~72.9237 mL/min"]);
}

#[test]
fn formula_mistakes_are_refused_with_their_codes() {
    let out = repl(
        MAN,
        &[
            "height ^ weight",
            "height ^ 0.5",
            "10 ^ 1000000",
            "10 ^ -13",
            "height ^ 0",
            "sqrt(2)",
            "sqrt(weight)",
            "sqrt(weight * height) round to 0.01",
            "sqrt(-4)",
            "sqrt(0 - 1) round to 1",
            "value(scr in micromol/L)",
            "value(weight in years)",
            "value(72 in kg)",
            "value(sex in kg)",
            "value(weight in kgs)",
            "value(weight)",
            "sqrt(4) round to 1 mg",
            // Hostile sizes: refused, never worked out at length.
            "79228162514264337593543950335 ^ 2",
            "0.0000000000000000000000000001 ^ -12",
            "(height ^ 12) ^ 12",
            "0 ^ -1",
        ],
    );
    let expected = [
        "posology::formula::exponent",
        "posology::formula::exponent",
        "posology::formula::exponent",
        "posology::formula::exponent",
        "posology::formula::exponent",
        "posology::formula::sqrt_rounding",
        "posology::formula::sqrt_unit",
        "posology::formula::sqrt_unit",
        "posology::formula::sqrt_negative",
        "posology::formula::sqrt_negative",
        "posology::formula::value_unit",
        "posology::formula::value_unit",
        "posology::formula::value_unit",
        "posology::formula::value_unit",
        "posology::unit::unknown",
        // `value` is a function: the help says to write `value(quantity in unit)`.
        "posology::type::arity",
        "posology::unit::mismatch",
        "posology::value::overflow",
        "posology::value::overflow",
        // cm to the power 144: no unit holds it.
        "posology::value::overflow",
        "posology::value::division_by_zero",
    ];
    assert_eq!(out, expected);
}

const NEGATIVE_AT_RUN_TIME: &str = r#"
protocol root_of_data {
  version "1"
  source "s"
  inputs { age: years in 0 years..150 years }
  let root = sqrt(140 - value(age in years)) round to 0.1
  limit dose <= 100 mg hard
  decide first { otherwise => give root * 1 mg }
}
"#;

#[test]
fn a_negative_root_from_the_patients_data_is_refused_when_run_and_no_dose_is_given() {
    let (protocol, diags) = Protocol::check("root.dose", NEGATIVE_AT_RUN_TIME);
    assert!(diags.is_empty(), "{diags:?}");
    let protocol = protocol.expect("checks");
    let read = |age: &str| {
        protocol
            .read_patient(
                "patient",
                &format!(r#"{{"age": "{age}"}}"#),
                Format::Json,
                &[],
            )
            .expect("a valid patient")
    };
    // √(140 − 40) = 10 exactly; √(140 − 41) = 9.9498… → 9.9.
    for (age, dose) in [("40 years", "10"), ("41 years", "9.9"), ("139 years", "1")] {
        let decision = protocol
            .evaluate(&read(age), Options::default())
            .expect("decided");
        let json = posology::report::json::decision(protocol.program(), &decision, false);
        assert_eq!(
            json["doses"][0]["amount"]["value"].to_string(),
            dose,
            "{json}"
        );
    }
    let err = protocol
        .evaluate(&read("141 years"), Options::default())
        .expect_err("no root of -1");
    assert_eq!(err.code.to_string(), "posology::formula::sqrt_negative");
    assert!(err.message.contains("-1"), "{}", err.message);
}

#[test]
fn value_stays_a_name_and_in_stays_membership() {
    let text = r#"
protocol names {
  version "1"
  source "s"
  inputs {
    value: mg in 1 mg..10 mg
    n: count in 1..5
  }
  let doubled = value * 2
  limit dose <= 100 mg hard
  decide first {
    small: when n in 1..2 and value(value in mg) < 5 => give doubled
    otherwise => give value
  }
}
"#;
    let (protocol, diags) = Protocol::check("names.dose", text);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(protocol.is_some());
}
