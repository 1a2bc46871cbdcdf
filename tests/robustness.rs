//! Robustness: limits and malformed input get a diagnostic (a `posology::` code, a labelled span
//! inside the file, help), never a crash, a hang or a dose.
//!
//! Every file under `tests/robustness/` is run the way the command line runs it (see
//! [`every_fixture_gets_a_diagnostic_or_a_decision`]); some of them are inputs found by fuzzing
//! (`fuzz/README.md`). The other tests here pin the limits: nesting, size, digits, overflow,
//! division by zero, list length, invalid UTF-8 and characters pasted from a word processor.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use posology::diagnostics::{render, Diagnostic, RenderStyle};
use posology::input::{Format, MAX_LIST_ITEMS};
use posology::Protocol;

use common::{on_cli_stack, only_error, posology, root};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/robustness").join(name)
}

/// A fixture's text, as the fuzz targets read bytes: invalid UTF-8 becomes U+FFFD.
fn fixture_text(name: &str) -> String {
    let bytes = std::fs::read(fixture(name)).expect("fixture is readable");
    String::from_utf8_lossy(&bytes).into_owned()
}

fn bundled(name: &str) -> Protocol {
    let text = std::fs::read_to_string(root().join("protocols").join(name))
        .expect("bundled protocol is readable");
    checked(&text)
}

fn checked(text: &str) -> Protocol {
    let (program, diags) = Protocol::check("test.dose", text);
    program.unwrap_or_else(|| panic!("the protocol does not check: {diags:#?}"))
}

/// A proper diagnostic: a `posology::` code; for an error also help, at least one label, every
/// label inside the text it points into (`text` when it carries none), and it renders.
fn assert_proper(d: &Diagnostic, text: &str) {
    assert!(d.code.starts_with("posology::"), "no posology code: {d:?}");
    if !d.is_error() {
        return;
    }
    let len = d.source.as_ref().map_or(text.len(), |s| s.text.len());
    assert!(!d.labels.is_empty(), "an error without a label: {d:?}");
    for label in &d.labels {
        assert!(
            label.span.start <= label.span.end && label.span.end <= len,
            "a label outside its text ({len} bytes): {d:?}"
        );
    }
    assert!(
        d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
        "an error without help: {d:?}"
    );
    let shown = render(d, RenderStyle::Plain);
    assert!(
        shown.contains(d.code),
        "the rendering lost the code: {shown}"
    );
}

/// Checks a protocol that must be refused; returns its diagnostics, every one proper.
fn refused_protocol(text: &str) -> Vec<Diagnostic> {
    let (program, diags) = Protocol::check("test.dose", text);
    assert!(program.is_none(), "the protocol was accepted");
    assert!(
        diags.iter().any(Diagnostic::is_error),
        "refused without an error"
    );
    for d in &diags {
        assert_proper(d, text);
    }
    diags
}

/// Reads a patient file that must be refused; returns its diagnostics, every one proper.
fn refused_patient(program: &Protocol, text: &str, format: Format) -> Vec<Diagnostic> {
    let Err(diags) = program.read_patient("patient", text, format, &[]) else {
        panic!("the patient file was accepted:\n{text}");
    };
    assert!(!diags.is_empty(), "refused without a diagnostic");
    for d in &diags {
        assert_proper(d, text);
    }
    diags
}

/// The text a diagnostic's first label points at.
fn labelled<'a>(d: &Diagnostic, text: &'a str) -> &'a str {
    let span = d.primary_span().expect("a label");
    &text[span.start..span.end]
}

fn format_of(path: &Path) -> Option<Format> {
    Format::from_path(path)
}

/// Reads a patient file and evaluates it: a decision, or proper diagnostics; never a panic.
fn run_patient(protocol: &Protocol, text: &str, format: Format) -> Result<(), Vec<Diagnostic>> {
    let patient = protocol.read_patient("patient", text, format, &[])?;
    let program = protocol.program();
    protocol
        .evaluate(&patient, posology::Options { trace: true })
        .map(|decision| {
            // The reports must not panic either.
            let _ = posology::report::text::decision(program, &decision, true);
            let _ = posology::report::json::decision(program, &decision, true);
        })
        .map_err(|d| vec![d])
}

#[test]
fn every_fixture_gets_a_diagnostic_or_a_decision() {
    on_cli_stack(run_every_fixture);
}

#[test]
fn protocol_fixtures_are_refused_with_their_codes() {
    for (name, code) in [
        ("empty.dose", "posology::syntax::unexpected"),
        ("big_numbers.dose", "posology::value::out_of_range"),
        ("smart_quotes.dose", "posology::syntax::lookalike_character"),
        ("nbsp.dose", "posology::syntax::lookalike_character"),
        ("nested_ifs.dose", "posology::syntax::too_deep"),
        ("not_chain.dose", "posology::syntax::too_deep"),
        ("plus_chain.dose", "posology::syntax::too_deep"),
        ("let_chain.dose", "posology::name::too_deep"),
    ] {
        let text = fixture_text(name);
        let diags = on_cli_stack(move || refused_protocol(&text));
        assert!(
            diags.iter().any(|d| d.code == code),
            "{name}: expected {code}, got {:?}",
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        );
    }
}

fn run_every_fixture() {
    let bundled = [
        bundled("baclofen_oral.dose"),
        bundled("baclofen_intrathecal.dose"),
    ];
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/robustness"))
        .expect("fixtures directory")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let mut ran = 0;
    for path in &paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let text = fixture_text(&name);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if path.extension().is_some_and(|e| e == "dose") {
                let (program, diags) = Protocol::check(name.to_string(), &text);
                for d in &diags {
                    assert_proper(d, &text);
                }
                let Some(program) = program else {
                    assert!(diags.iter().any(Diagnostic::is_error));
                    return;
                };
                let _ = posology::testing::run_examples(&program);
                // A patient file with the same name is run against this protocol.
                for ext in ["json", "yaml", "toml"] {
                    let patient = path.with_extension(ext);
                    if patient.exists() {
                        let patient_text = fixture_text(&format!(
                            "{}",
                            patient.file_name().unwrap_or_default().to_string_lossy()
                        ));
                        if let Err(diags) =
                            run_patient(&program, &patient_text, format_of(&patient).unwrap())
                        {
                            for d in &diags {
                                assert_proper(d, &patient_text);
                            }
                        }
                    }
                }
            } else if let Some(format) = format_of(path) {
                if path.with_extension("dose").exists() {
                    return; // run with its protocol above
                }
                for program in &bundled {
                    if let Err(diags) = run_patient(program, &text, format) {
                        assert!(!diags.is_empty());
                        for d in &diags {
                            assert_proper(d, &text);
                        }
                    }
                }
            }
        }));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("tests/robustness/{name}: {message}");
        }
        ran += 1;
    }
    assert!(ran >= 10, "only {ran} fixtures ran");
}

// ------------------------------------------------------------------ protocol limits

#[test]
fn ten_thousand_nested_parentheses_are_too_deep() {
    let text = format!(
        "protocol p {{\n  let x = {}1{}\n}}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let diags = refused_protocol(&text);
    let d = only_error(&diags, "posology::syntax::too_deep");
    assert_eq!(labelled(d, &text), "(");
    // The 64th bracket is allowed; the one after it is not (the protocol's `{` is the first).
    let at = d.primary_span().unwrap().start;
    assert_eq!(
        text[..at].matches(['(', '{']).count(),
        posology::syntax::MAX_NESTING
    );
}

#[test]
fn deep_brackets_of_every_kind_are_too_deep() {
    for (open, close) in [("[", "]"), ("{", "}")] {
        let text = format!("protocol p {}{}", open.repeat(10_000), close.repeat(10_000));
        let diags = refused_protocol(&text);
        only_error(&diags, "posology::syntax::too_deep");
    }
}

#[test]
fn a_protocol_over_the_size_limit_is_refused() {
    let mut text = String::from("protocol big {\n  version \"1.0.0\"\n  source \"x\"\n");
    let line = "  // padding padding padding padding padding padding padding padding\n";
    while text.len() <= posology::syntax::MAX_PROTOCOL_BYTES {
        text.push_str(line);
    }
    text.push_str("}\n");
    let started = Instant::now();
    let diags = refused_protocol(&text);
    let d = only_error(&diags, "posology::syntax::too_large");
    assert!(d.message.contains(&text.len().to_string()), "{}", d.message);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_forty_digit_number_in_a_protocol_is_out_of_range() {
    let text = fixture_text("big_numbers.dose");
    let diags = refused_protocol(&text);
    let d = only_error(&diags, "posology::value::out_of_range");
    assert_eq!(
        labelled(d, &text),
        "1234567890123456789012345678901234567890"
    );
}

#[test]
fn numbers_that_cannot_be_held_exactly_are_refused_in_a_protocol() {
    // Too many digits, too many decimal places (it would round), too large: each refused where it
    // is written, never rounded or wrapped.
    for number in [
        "79228162514264337593543950336",
        "0.00000000000000000000000000001",
        "1.00000000000000000000000000001",
        "99999999999999999999999999999999999999999",
    ] {
        let text = format!(
            "protocol p {{\n  version \"1.0.0\"\n  source \"x\"\n  inputs {{ dose: mg }}\n  \
             limit dose <= {number} mg hard\n  phase a {{ decide first {{ otherwise => give dose }} }}\n}}\n"
        );
        let diags = refused_protocol(&text);
        let d = only_error(&diags, "posology::value::out_of_range");
        assert_eq!(labelled(d, &text), number);
    }
}

#[test]
fn decimal_overflow_at_run_time_is_an_error_not_a_dose() {
    let program = checked(&fixture_text("overflow.dose"));
    let text = r#"{ "dose": "10 mg" }"#;
    let patient = program
        .read_patient("patient.json", text, Format::Json, &[])
        .expect("patient reads");
    let d = program
        .evaluate(&patient, Default::default())
        .expect_err("no dose may come of an overflow");
    assert_eq!(d.code, "posology::value::overflow");
    assert_proper(&d, &program.source().text);
    assert!(labelled(&d, &program.source().text).starts_with("dose * 792281625"));
}

#[test]
fn division_by_zero_at_run_time_points_at_the_division() {
    let program = checked(&fixture_text("division_by_zero.dose"));
    let text = fixture_text("division_by_zero.json");
    let patient = program
        .read_patient("division_by_zero.json", &text, Format::Json, &[])
        .expect("patient reads");
    let d = program
        .evaluate(&patient, Default::default())
        .expect_err("no dose may come of a division by zero");
    assert_eq!(d.code, "posology::value::division_by_zero");
    assert_proper(&d, &program.source().text);
    assert_eq!(labelled(&d, &program.source().text), "dose / (dose - dose)");
}

/// A protocol whose `give` uses `a{n}`, where `a0` is the dose and each `a{i+1}` adds 1 mg to
/// `a{i}`; the `let`s written in `order`, and the rule's condition `depth` operations deep.
fn let_chain(n: usize, reverse: bool, depth: usize) -> String {
    let mut lets: Vec<String> = (0..n)
        .map(|i| format!("  let a{} = a{i} + 1 mg\n", i + 1))
        .collect();
    if reverse {
        lets.reverse();
    }
    let condition = format!("a{n}{}", " + 1 mg".repeat(depth.saturating_sub(2)));
    format!(
        "protocol chain {{\n  version \"1.0.0\"\n  source \"x\"\n  inputs {{ dose: mg }}\n  \
         limit dose <= 1000 mg hard\n  let a0 = dose\n{}  phase a {{\n    decide first {{\n      big: when {condition} > 1 mg => \
         give a{n}\n      otherwise => give dose\n    }}\n  }}\n  example \"e\" {{ given {{ dose: \
         1 mg }} expect status give }}\n}}\n",
        lets.concat()
    )
}

/// Checks, runs the examples of, and evaluates a protocol: a decision or proper diagnostics.
fn check_and_run(text: &str) -> Result<(), Vec<Diagnostic>> {
    let (program, diags) = Protocol::check("test.dose", text);
    for d in &diags {
        assert_proper(d, text);
    }
    let program = program.ok_or(diags)?;
    for result in posology::testing::run_examples(&program) {
        assert!(result.passed(), "{result:?}");
    }
    run_patient(&program, r#"{"dose": "1 mg"}"#, Format::Json)
}

#[test]
fn the_deepest_protocol_allowed_runs_within_the_cli_stack() {
    // 63 values of depth 2 each after the dose (128 operations deep, the most a value may be),
    // used in a condition 63 operations deep (64 is the most): within every limit, in either
    // order of the `let`s.
    for reverse in [false, true] {
        let text = let_chain(63, reverse, 64);
        on_cli_stack(move || check_and_run(&text).expect("within the limits"));
    }
    // One more is refused.
    let text = let_chain(64, false, 2);
    let diags = on_cli_stack(move || check_and_run(&text).expect_err("too deep"));
    assert_eq!(diags[0].code, "posology::name::too_deep", "{diags:#?}");
}

#[test]
fn chains_of_values_too_deep_are_refused_not_a_stack_overflow() {
    // Each found by hand while fuzzing: a debug build overflowed its stack on all of them.
    for (n, reverse) in [(1_000, false), (5_000, false), (1_000, true), (5_000, true)] {
        let text = let_chain(n, reverse, 2);
        let diags = on_cli_stack(move || check_and_run(&text).expect_err("too deep"));
        assert!(
            diags.iter().any(|d| d.code == "posology::name::too_deep"),
            "{n} {reverse}: {diags:#?}"
        );
    }
}

#[test]
fn expressions_too_deep_without_brackets_are_refused() {
    // `not not … true`, `- - … dose`, `dose + 1 mg + …`, `if … then if … then …`: no brackets,
    // so the bracket limit does not see them; a debug build overflowed its stack on each.
    let wrap = |expr: String| {
        format!(
            "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ dose: mg }}\n  \
             let x = {expr}\n  phase a {{ decide first {{ otherwise => give dose }} }}\n}}\n"
        )
    };
    for n in [200, 3_000, 100_000] {
        let cases = [
            format!("{}true", "not ".repeat(n)),
            format!("{}dose", "-".repeat(n)),
            format!("dose{}", " + 1 mg".repeat(n)),
            format!("dose{}", " is missing".repeat(n)),
            format!(
                "{}1 mg{}",
                "if true then ".repeat(n),
                " else 2 mg".repeat(n)
            ),
        ];
        for expr in cases {
            let text = wrap(expr);
            let diags = on_cli_stack(move || check_and_run(&text).expect_err("too deep"));
            let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
            assert!(
                codes.iter().any(|c| {
                    ["::too_deep", "::too_complex", "::too_large"]
                        .iter()
                        .any(|end| c.ends_with(end))
                }),
                "{n}: {codes:?}"
            );
        }
    }
}

// ------------------------------------------------------------------ patient-file limits

/// The oral protocol's patient, with one field written in each format.
fn oral_patient(format: Format, field: &str, json_value: &str) -> String {
    match format {
        Format::Json => {
            format!(r#"{{"phase": "titrate", "age": "45 years", "{field}": {json_value}}}"#)
        }
        Format::Yaml => format!("phase: titrate\nage: 45 years\n{field}: {json_value}\n"),
        Format::Toml => {
            format!("phase = \"titrate\"\nage = \"45 years\"\n{field} = {json_value}\n")
        }
    }
}

#[test]
fn forty_digit_numbers_and_overflow_in_a_patient_file_are_refused() {
    let oral = bundled("baclofen_oral.dose");
    let cases = [
        // A 40-digit quantity.
        (
            "dose",
            r#""1234567890123456789012345678901234567890 mg""#,
            "posology::value::out_of_range",
        ),
        // A 40-digit count, written as a bare number.
        (
            "doses_per_day",
            "1234567890123456789012345678901234567890",
            "posology::value::out_of_range",
        ),
        // More decimal places than can be held: it would be rounded.
        (
            "dose",
            r#""10.00000000000000000000000000001 mg""#,
            "posology::value::out_of_range",
        ),
        // A value that fits, but not once converted to mg.
        (
            "dose",
            r#""79228162514264337593543950335 g""#,
            "posology::value::overflow",
        ),
    ];
    for format in [Format::Json, Format::Yaml, Format::Toml] {
        for (field, value, code) in cases {
            let text = oral_patient(format, field, value);
            let diags = refused_patient(&oral, &text, format);
            let d = only_error(&diags, code);
            let shown = labelled(d, &text);
            assert!(
                shown.contains(value.trim_matches('"')),
                "{format:?} {field}: the label shows `{shown}`"
            );
        }
    }
}

/// A list of a million items in each format.
fn million(format: Format, items: &str) -> String {
    let list = vec![items; 1_000_000].join(", ");
    match format {
        Format::Json => format!(
            r#"{{"phase": "screening", "origin": "spinal", "age": "34 years", "test_doses": [{list}]}}"#
        ),
        Format::Yaml => format!(
            "phase: screening\norigin: spinal\nage: 34 years\ntest_doses: [{list}]\n"
        ),
        Format::Toml => format!(
            "phase = \"screening\"\norigin = \"spinal\"\nage = \"34 years\"\ntest_doses = [{list}]\n"
        ),
    }
}

fn assert_too_many_items(program: &Protocol, text: &str, format: Format) {
    let started = Instant::now();
    let diags = refused_patient(program, text, format);
    let elapsed = started.elapsed();
    only_error(&diags, "posology::input::too_many_items");
    // Refused early, without reading the whole list (a debug build reads a million in seconds).
    assert!(elapsed < Duration::from_secs(3), "{format:?}: {elapsed:?}");
}

#[test]
fn a_list_of_a_million_items_is_refused_quickly() {
    let intrathecal = bundled("baclofen_intrathecal.dose");
    for format in [Format::Json, Format::Yaml, Format::Toml] {
        assert_too_many_items(&intrathecal, &million(format, "0"), format);
    }
    let block = format!(
        "phase: screening\norigin: spinal\nage: 34 years\ntest_doses:\n{}",
        "  - { dose: 50 mcg, response: negative }\n".repeat(1_000_000)
    );
    assert_too_many_items(&intrathecal, &block, Format::Yaml);
    let records = million(
        Format::Json,
        r#"{"dose": "50 mcg", "response": "negative"}"#,
    );
    assert_too_many_items(&intrathecal, &records, Format::Json);
    let tables = format!(
        "phase = \"screening\"\norigin = \"spinal\"\nage = \"34 years\"\n{}",
        "[[test_doses]]\ndose = \"50 mcg\"\nresponse = \"negative\"\n".repeat(20_000)
    );
    assert_too_many_items(&intrathecal, &tables, Format::Toml);
}

#[test]
fn a_list_at_the_limit_is_read() {
    let intrathecal = bundled("baclofen_intrathecal.dose");
    let list = vec![r#"{"dose": "50 mcg", "response": "negative"}"#; MAX_LIST_ITEMS].join(",");
    let text = format!(
        r#"{{"phase": "screening", "origin": "spinal", "age": "34 years", "test_doses": [{list}]}}"#
    );
    // Accepted as a list (the protocol then refuses the repeated test doses itself).
    let diags = refused_patient(&intrathecal, &text, Format::Json);
    only_error(&diags, "posology::input::rejected");
}

// ------------------------------------------------------------------ rendering

#[test]
fn an_error_past_column_65535_renders_with_its_place() {
    // miette draws the whole line and panicked on a label past column 65535 (found while testing
    // the list limits); such a label is now given as `name:line:column`.
    let text = format!("protocol p {{{}x\n}}\n", " ".repeat(70_000));
    let diags = refused_protocol(&text);
    let shown = render(&diags[0], RenderStyle::Plain);
    assert!(shown.contains("test.dose:1:70013"), "{shown}");
    assert!(
        shown.len() < 5_000,
        "the long line is not drawn: {} bytes",
        shown.len()
    );
    let oral = bundled("baclofen_oral.dose");
    let patient = format!(
        "{{\"phase\": \"start\",{}\"age\": 45 years}}",
        " ".repeat(70_000)
    );
    let diags = refused_patient(&oral, &patient, Format::Json);
    let shown = render(&diags[0], RenderStyle::Plain);
    assert!(shown.contains("patient:1:"), "{shown}");
}

// ------------------------------------------------------------------ invalid UTF-8, on the CLI

#[test]
fn a_protocol_that_is_not_utf8_is_refused_at_its_first_invalid_byte() {
    for command in ["check", "test"] {
        let output = posology(&[command, "tests/robustness/not_utf8.dose"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("posology::io::not_utf8"), "{stderr}");
        assert!(stderr.contains("0xB5"), "{stderr}");
        assert!(stderr.contains("line 2, column 21"), "{stderr}");
        assert!(
            stderr.contains("byte 0xB5 here"),
            "the label is missing: {stderr}"
        );
        assert!(stderr.contains("help:"), "{stderr}");
    }
    let output = posology(&[
        "run",
        "tests/robustness/not_utf8.dose",
        "--patient",
        "protocols/baclofen_oral/cases/start_dated.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no decision may be printed");
}

#[test]
fn a_patient_file_that_is_not_utf8_is_refused_at_its_first_invalid_byte() {
    let output = posology(&[
        "run",
        "protocols/baclofen_oral.dose",
        "--patient",
        "tests/robustness/not_utf8.json",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "no decision may be printed");
    assert!(stderr.contains("posology::io::not_utf8"), "{stderr}");
    assert!(stderr.contains("0xA0"), "{stderr}");
    assert!(
        stderr.contains("byte 0xA0 here"),
        "the label is missing: {stderr}"
    );
    let json = posology(&[
        "check",
        "--format",
        "json",
        "tests/robustness/not_utf8.dose",
    ]);
    let parsed: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("check --format json prints JSON");
    assert_eq!(parsed[0]["code"], "posology::io::not_utf8", "{parsed}");
}

// ------------------------------------------------------------------ word-processor characters

#[test]
fn smart_quotes_and_non_breaking_spaces_in_a_protocol_are_named() {
    for (name, character, code) in [
        ("smart_quotes.dose", "curly double quote", "U+201C"),
        ("nbsp.dose", "non-breaking space", "U+00A0"),
    ] {
        let text = fixture_text(name);
        let diags = refused_protocol(&text);
        let d = only_error(&diags, "posology::syntax::lookalike_character");
        assert!(
            d.message.contains(character) && d.message.contains(code),
            "{d:?}"
        );
        assert!(d.help.as_deref().unwrap_or("").contains("instead"), "{d:?}");
        let shown = labelled(d, &text);
        assert_eq!(
            shown.chars().count(),
            1,
            "the label covers the character: {d:?}"
        );
    }
}

#[test]
fn smart_quotes_and_non_breaking_spaces_in_a_patient_file_are_named() {
    let oral = bundled("baclofen_oral.dose");
    for name in [
        "smart_quotes.json",
        "smart_quotes.yaml",
        "smart_quotes.toml",
        "nbsp.json",
        "nbsp.yaml",
        "nbsp.toml",
    ] {
        let text = fixture_text(name);
        let format = format_of(Path::new(name)).expect("a patient format");
        let diags = refused_patient(&oral, &text, format);
        let (character, code) = if name.starts_with("nbsp") {
            ("non-breaking space", "U+00A0")
        } else {
            ("curly double quote", "U+201C")
        };
        let named = diags.iter().any(|d| {
            d.help
                .as_deref()
                .is_some_and(|h| h.contains(character) && h.contains(code))
        });
        assert!(named, "{name}: no help names the {character}: {diags:#?}");
    }
}

// ------------------------------------------------------------------ malformed patients

/// The decision for a patient text, or `None` when it is refused with a diagnostic.
fn decision_for(program: &Protocol, text: &str) -> Option<posology::Decision> {
    let patient = program
        .read_patient("patient.json", text, Format::Json, &[])
        .ok()?;
    program
        .evaluate(&patient, posology::Options::default())
        .ok()
}

/// Malformed versions of a valid JSON patient: truncated, a field renamed, a unit dropped or
/// swapped for one of another kind, a value that is no number.
fn malformed_versions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cut_points = (1..text.len()).step_by((text.len() / 12).max(1));
    for at in cut_points.filter(|&i| text.is_char_boundary(i)) {
        out.push(text[..at].to_string());
    }
    if let Some(i) = text.find("\":") {
        out.push(format!("{}_x{}", &text[..i], &text[i..]));
    }
    for (unit, replacement) in [
        (" mcg/day\"", "\""),
        (" mg\"", "\""),
        (" mcg/day\"", " mL\""),
        (" mg\"", " mL/min\""),
        (" years\"", " mg\""),
    ] {
        if text.contains(unit) {
            out.push(text.replacen(unit, replacement, 1));
        }
    }
    out.push(text.replacen(": \"", ": \"NaN ", 1));
    out
}

#[test]
fn malformed_patient_files_never_yield_a_dose() {
    let mut tried = 0;
    for name in ["baclofen_oral.dose", "baclofen_intrathecal.dose"] {
        let program = bundled(name);
        let cases = posology::testing::case_files(&root().join("protocols").join(name));
        for case in cases
            .iter()
            .filter(|c| c.extension().is_some_and(|e| e == "json"))
        {
            let text = std::fs::read_to_string(case).expect("case is readable");
            let original = serde_json::from_str::<serde_json::Value>(&text).ok();
            for bad in malformed_versions(&text) {
                // A cut after the closing brace leaves the same patient: not malformed.
                if serde_json::from_str::<serde_json::Value>(&bad).ok() == original {
                    continue;
                }
                tried += 1;
                if let Some(d) = decision_for(&program, &bad) {
                    assert!(
                        d.doses.is_empty() && d.schedule.is_none(),
                        "{}: a malformed patient was given a dose ({:?}): {bad}",
                        case.display(),
                        d.status
                    );
                }
            }
        }
    }
    assert!(tried > 1000, "only {tried} malformed patients tried");
}

#[test]
fn malformed_patient_fixtures_are_refused() {
    for name in [
        "nbsp.json",
        "nbsp.yaml",
        "nbsp.toml",
        "smart_quotes.json",
        "smart_quotes.yaml",
        "smart_quotes.toml",
        "not_utf8.json",
    ] {
        let text = fixture_text(name);
        let format = format_of(&fixture(name)).expect("a patient format");
        for protocol in ["baclofen_oral.dose", "baclofen_intrathecal.dose"] {
            let program = bundled(protocol);
            let outcome = program.read_patient(name, &text, format, &[]);
            assert!(outcome.is_err(), "{name} was accepted by {protocol}");
        }
    }
}

// ------------------------------------------------------------------ nesting on a test's own stack

/// `let x = {expr}` in a small protocol with a dose input `dose` and a yes/no input `a`.
fn with_let(expr: &str) -> String {
    format!(
        "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ dose: mg\n a: bool }}\n  \
         let x = {expr}\n  phase b {{ decide first {{ otherwise => give dose }} }}\n}}\n"
    )
}

/// The codes of the errors `text` is refused with, checked (and, if it checks, run) on the
/// calling thread: these tests run on the test harness's own thread (2 MiB of stack), not on
/// the command line's, so that a reader or walker that recurses once per level of a hostile
/// text overflows here rather than in the field.
fn refused_here(text: &str) -> Vec<&'static str> {
    let diags = check_and_run(text).expect_err("refused");
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect()
}

#[test]
fn nesting_without_brackets_is_refused_on_a_test_threads_stack() {
    let deep = "posology::syntax::too_deep";
    let ifs = |n: usize| format!("{}a{}", "if a then ".repeat(n), " else a".repeat(n));
    let conditions = |n: usize| format!("{}a{}", "if ".repeat(n), " then a else a".repeat(n));
    let cases = [
        format!("{}true", "not ".repeat(100_000)),
        format!("{}dose", "- ".repeat(100_000)),
        format!("{}dose", "-".repeat(100_000)),
        format!("dose{}", " + 1 mg".repeat(100_000)),
        format!("dose{}", " ^ 2".repeat(100_000)),
        format!("dose{}", " is missing".repeat(50_000)),
        format!("dose{}", ".a".repeat(100_000)),
        format!("dose{}", "[1]".repeat(100_000)),
        // Without their `else`s the text is wrong, but it is refused before it is read.
        "if a then ".repeat(100_000),
        ifs(50_000),
        ifs(257),
        conditions(30_000),
        format!(
            "{}a{}",
            "if a then - ".repeat(40_000),
            " else a".repeat(40_000)
        ),
        // Each run within the limits of one run, the runs nested in brackets.
        format!(
            "{}1{}",
            format!("{}(", "2 ^ ".repeat(127)).repeat(63),
            ")".repeat(63)
        ),
        format!(
            "{}1{}",
            format!("{}(", "- ".repeat(64)).repeat(63),
            ")".repeat(63)
        ),
        format!(
            "{}1{}",
            format!("{}(", "not ".repeat(64)).repeat(63),
            ")".repeat(63)
        ),
        // As deep as the reader is let go: 63 brackets (the protocol's `{` is the 64th), and
        // 256 `if`s inside them.
        format!("{}{}{}", "(".repeat(63), ifs(256), ")".repeat(63)),
        format!("{}{}{}", "(".repeat(63), conditions(256), ")".repeat(63)),
    ];
    for expr in cases {
        let text = with_let(&expr);
        assert_eq!(
            refused_here(&text),
            [deep],
            "{}",
            &expr[..expr.len().min(60)]
        );
    }
}

#[test]
fn the_reader_stops_at_the_if_nested_too_deep() {
    let n = posology::syntax::MAX_UNBRACKETED_NESTING;
    // Each `if` inside the one before, in its condition, its `then` or its `else`.
    for (open, close) in [
        ("if a then ", " else a"),
        ("if ", " then a else a"),
        ("if a then a else ", ""),
    ] {
        let text = with_let(&format!("{}a{}", open.repeat(n + 1), close.repeat(n + 1)));
        let diags = check_and_run(&text).expect_err("too deep");
        let d = only_error(&diags, "posology::syntax::too_deep");
        assert_eq!(d.message, "the text nests too deeply here to be read");
        assert_eq!(labelled(d, &text), "if");
        let at = d.primary_span().expect("a place").start;
        assert_eq!(text[..at].matches("if ").count(), n, "{open}");
        // One fewer is read, and refused by the expression's own limit, over the expression.
        let text = with_let(&format!("{}a{}", open.repeat(n), close.repeat(n)));
        let diags = check_and_run(&text).expect_err("too deep");
        let d = only_error(&diags, "posology::syntax::too_deep");
        assert_eq!(
            d.message, "this expression nests more than 64 operations deep",
            "{open}"
        );
    }
}

#[test]
fn ifs_not_inside_one_another_are_not_counted_as_nested() {
    // Many `if`s, each ending before the next starts: at a `,`, a `;`, a `=>`, a `}` or a
    // reserved word that no expression holds. None is nested in another.
    let n = 2 * posology::syntax::MAX_UNBRACKETED_NESTING;
    let one = "if a then 1 mg else 2 mg";
    let lets: String = (0..n).map(|i| format!("  let x{i} = {one}\n")).collect();
    let rules: String = (0..n)
        .map(|i| format!("      when a => give {one} ; note \"{{{one}}} {i}\"\n"))
        .collect();
    // A table's rows follow one another with nothing between them but `row` (not a reserved
    // word): an `if` in a row's band and in its cells ends at the next row's `=>`.
    let rows: String = (0..n)
        .map(|i| format!("    row >= if a then {i} mg else 0 mg => {one}\n"))
        .collect();
    let text = format!(
        "protocol many {{\n  version \"1\"\n  source \"x\"\n  inputs {{ a: bool }}\n  limit dose <= 5 mg hard\n{lets}  \
         let sum = sum([{}])\n  table t by 1 mg {{\n    columns c\n{rows}  }}\n  phase b {{\n    decide collect {{\n{rules}      \
         otherwise => give {one}\n    }}\n  }}\n}}\n",
        vec![one; n].join(", ")
    );
    let (program, diags) = Protocol::check("many.dose", &text);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(program.is_some(), "{errors:#?}");
}

#[test]
fn list_types_nested_too_deep_are_refused_on_a_test_threads_stack() {
    let n = posology::syntax::MAX_UNBRACKETED_NESTING;
    let with_type = |ty: String| {
        format!(
            "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ x: {ty}\n dose: mg }}\n  limit dose <= 5 mg hard\n  \
             phase b {{ decide first {{ otherwise => give dose }} }}\n}}\n"
        )
    };
    for depth in [n + 1, 100_000] {
        let text = with_type(format!("{}mg", "list of ".repeat(depth)));
        let diags = check_and_run(&text).expect_err("too deep");
        let d = only_error(&diags, "posology::syntax::too_deep");
        assert_eq!(labelled(d, &text), "list");
        assert_eq!(d.message, "`list of` types nest more than 256 deep here");
        let help = d.help.as_deref().unwrap_or("");
        assert!(help.starts_with("declare a flatter type"), "{help}");
        let at = d.primary_span().expect("a place").start;
        assert_eq!(text[..at].matches("list of ").count(), n);
    }
    // As deep as the reader is let go: read, then checked and written back by `fmt`, on this
    // thread's stack, whatever the checker says of such a type.
    let text = with_type(format!("{}mg", "list of ".repeat(n)));
    let _ = Protocol::check("p.dose", &text);
    posology::format::format(&text).expect("formats");
    // Many lists side by side are not nested.
    let many: String = (0..2 * n)
        .map(|i| format!("  l{i}: list of mg\n"))
        .collect();
    let text = with_type(format!("mg\n{many}"));
    assert!(Protocol::check("p.dose", &text).0.is_some());
}

#[test]
fn deep_nesting_in_a_message_or_a_repl_line_is_refused_on_a_test_threads_stack() {
    let nots = format!("{}true", "not ".repeat(100_000));
    let text = format!(
        "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ dose: mg }}\n  \
         limit dose <= 5 mg hard\n  phase b {{ decide first {{ otherwise => give dose ; note \"{{{nots}}}\" }} }}\n}}\n"
    );
    // A placeholder that does not read is a placeholder error, whatever its cause.
    let codes: Vec<&str> = refused_protocol(&text).iter().map(|d| d.code).collect();
    assert_eq!(codes, ["posology::message::placeholder"]);
    for expr in [
        nots,
        format!("{}1", "if true then ".repeat(60_000)),
        format!("{}1{}", "(if true then ".repeat(64), " else 2)".repeat(64)),
    ] {
        let d = posology::syntax::parse_expr(&expr).expect_err("too deep");
        assert_eq!(d.code, "posology::syntax::too_deep");
    }
    let d = posology::syntax::parse_value(&format!("{}1{}", "[".repeat(100), "]".repeat(100)))
        .expect_err("too deep");
    assert_eq!(d.code, "posology::syntax::too_deep");
}
