//! Hostile files, devices and terminals (issue 10, part C): what a patient file, a protocol or a
//! REPL line says is shown, never obeyed, and never crashes the program.
//!
//! - Escape sequences (`ESC ] 0 ; … BEL` retitles a terminal, `ESC [ 2 J` clears it), a lone
//!   carriage return and bidirectional overrides are escaped wherever user text is printed:
//!   diagnostics (message, labels, help and the source lines drawn), the REPL, text reports,
//!   `posology test` and `fmt --check` diffs. A value of megabytes is shortened.
//! - Column widths come from user text (a 70,000-character input name, a list of 2,000 test
//!   doses): they never reach Rust's format width limit (65,535), which panics.
//! - Messages say which limit a number or a date passes; a whole-number input given any
//!   fraction is refused; an ambiguous number gets every reading, never a guess; `µg` and `ug`
//!   in a protocol are warned about and `fmt` writes `mcg`.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use posology::check::parse_and_check;
use posology::diagnostics::{render, Diagnostic, RenderStyle, Source};
use posology::input::Format;
use posology::repl::Session;
use posology::Protocol;

use common::{posology, root};

/// A scratch directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile_text")
        .join(name);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Characters that act on a terminal, or reorder what it shows, and must never be printed raw.
const RAW: [char; 6] = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\r'];

fn assert_no_raw_controls(what: &str, out: &str) {
    for c in RAW {
        assert!(!out.contains(c), "{what}: a raw {c:?} is printed:\n{out:?}");
    }
}

fn bundled(name: &str) -> Protocol {
    let text = std::fs::read_to_string(root().join("protocols").join(name))
        .expect("bundled protocol is readable");
    Protocol::load(name, &text).unwrap_or_else(|diags| panic!("{name} does not check: {diags:#?}"))
}

/// The intrathecal protocol's maintenance patient as JSON, with one field replaced.
fn intrathecal_patient(field: &str, json_value: &str) -> String {
    let mut fields: Vec<(String, String)> = [
        ("phase", r#""maintenance""#),
        ("origin", r#""spinal""#),
        ("age", r#""34 years""#),
        ("daily_dose", r#""500 mcg/day""#),
        ("hours_since_change", r#""720 h""#),
        ("response", r#""inadequate""#),
        ("pump", r#""synchromed_ii_40ml""#),
        ("concentration", r#""500 mcg/mL""#),
        ("last_refill", r#""2026-11-20""#),
    ]
    .iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect();
    match fields.iter_mut().find(|(name, _)| name == field) {
        Some(slot) => slot.1 = json_value.to_string(),
        None => fields.push((field.to_string(), json_value.to_string())),
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("\"{name}\": {value}"))
        .collect();
    format!("{{{}}}", body.join(", "))
}

/// The oral protocol's titration patient, with one more field, in each format.
fn oral_patient(format: Format, field: &str, value: &str) -> String {
    match format {
        Format::Json => format!(
            r#"{{"phase": "titrate", "age": "45 years", "dose": "10 mg", "days_at_dose": "3 days", "{field}": {value}}}"#
        ),
        Format::Yaml => format!(
            "phase: titrate\nage: 45 years\ndose: 10 mg\ndays_at_dose: 3 days\n{field}: {value}\n"
        ),
        Format::Toml => format!(
            "phase = \"titrate\"\nage = \"45 years\"\ndose = \"10 mg\"\ndays_at_dose = \"3 days\"\n{field} = {value}\n"
        ),
    }
}

/// Reads a patient file that must be refused; its diagnostics.
fn refused(program: &Protocol, text: &str, format: Format) -> Vec<Diagnostic> {
    match program.read_patient("patient", text, format, &[]) {
        Ok(_) => panic!("the patient file was accepted:\n{text}"),
        Err(diags) => diags,
    }
}

/// The one error, with the code expected; every error has a label and help.
fn only_error<'a>(diags: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let d = common::only_error(diags, code);
    assert!(!d.labels.is_empty() && d.help.is_some(), "{d:#?}");
    d
}

// ------------------------------------------------------------------ escape sequences

#[test]
fn escape_sequences_in_a_patient_file_are_shown_escaped_not_obeyed() {
    let dir = scratch("escapes");
    let patient = dir.join("pump.json");
    std::fs::write(
        &patient,
        intrathecal_patient("pump", r#""\u001b]0;pwned\u0007\u001b[2J\u202esynchromed""#),
    )
    .expect("writable");
    let out = posology(&[
        "run",
        "protocols/baclofen_intrathecal.dose",
        "--patient",
        &patient.display().to_string(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("posology::input::unknown_value"),
        "{stderr}"
    );
    assert!(
        stderr.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}synchromed"),
        "the value is shown escaped: {stderr}"
    );
    assert_no_raw_controls("run", &stderr);
}

#[test]
fn a_value_of_megabytes_is_shortened_in_the_diagnostic() {
    // 3 MB: patient files are capped at 4 MiB (`posology::io::too_large`).
    let dir = scratch("megabytes");
    let patient = dir.join("pump.json");
    let huge = "x".repeat(3_000_000);
    std::fs::write(
        &patient,
        intrathecal_patient("pump", &format!("\"{huge}\"")),
    )
    .expect("writable");
    let started = Instant::now();
    let out = posology(&[
        "run",
        "protocols/baclofen_intrathecal.dose",
        "--patient",
        &patient.display().to_string(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    assert!(
        stderr.len() < 5_000,
        "{} bytes of diagnostics",
        stderr.len()
    );
    assert!(
        stderr.contains("2999920") && stderr.contains("more characters"),
        "{stderr}"
    );
    // Not compared character by character with every choice for "did you mean".
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A protocol whose message, example name and comment hold raw escape sequences and a
/// bidirectional override.
const HOSTILE_PROTOCOL: &str = "protocol hostile {\n  version \"1.0.0\"\n  source  \"test\"\n  inputs {\n    weight: kg\n  }\n  limit dose <=   10 mg hard\n  // comment \u{1b}]0;retitled\u{7}\n  decide first {\n    otherwise => give 5 mg ; note \"\u{1b}[2Jcleared\u{9b} gm 01\"\n  }\n  example \"\u{1b}[31mred\u{1b}[0m name\" {\n    given { weight: 70 kg }\n    expect give 6 mg\n  }\n}\n";

/// A terminal acts on an escape sequence where the file is shown (`cat`, `git diff`): one in a
/// comment can erase a limit's line and print another. Every command refuses such a protocol
/// (`posology::syntax::hidden_text`, at the first one) and prints none of it raw.
#[test]
fn escape_sequences_in_a_protocol_are_refused_and_never_printed_raw() {
    let dir = scratch("protocol");
    let protocol = dir.join("hostile.dose");
    std::fs::write(&protocol, HOSTILE_PROTOCOL).expect("writable");
    let patient = dir.join("patient.json");
    std::fs::write(&patient, r#"{"weight": "70 kg"}"#).expect("writable");
    let protocol = protocol.display().to_string();
    let patient = patient.display().to_string();
    for args in [
        vec!["run", &protocol, "--patient", &patient, "--trace"],
        vec!["check", &protocol],
        vec!["test", &protocol],
        vec!["fmt", "--check", &protocol],
    ] {
        let out = posology(&args);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        assert!(
            stdout.contains("posology::syntax::hidden_text")
                || stderr.contains("posology::syntax::hidden_text"),
            "{args:?}: {stdout}{stderr}"
        );
        assert!(
            (stdout.clone() + &stderr).contains("U+001B"),
            "{args:?}: the first escape character is named: {stdout}{stderr}"
        );
        assert_no_raw_controls(&format!("{args:?} stdout"), &stdout);
        assert_no_raw_controls(&format!("{args:?} stderr"), &stderr);
    }
}

#[cfg(unix)]
#[test]
fn a_file_named_with_an_escape_sequence_is_printed_escaped() {
    let dir = scratch("file_names");
    let name = "\u{1b}]0;retitled\u{7}\u{1b}[2J.dose";
    std::fs::write(
        dir.join(name),
        "protocol named {\n  version \"1.0.0\"\n  source  \"test\"\n  inputs {\n    weight: kg\n  }\n  limit dose <=  10 mg hard\n  decide first {\n    otherwise => give 5 mg\n  }\n  example \"five\" {\n    given { weight: 70 kg }\n    expect give 5 mg\n  }\n}\n",
    )
    .expect("writable");
    let dir = dir.display().to_string();
    for args in [
        vec!["check", dir.as_str()],
        vec!["test", dir.as_str()],
        vec!["fmt", "--check", dir.as_str()],
    ] {
        let out = posology(&args);
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        assert!(
            stdout.contains(r"\u{1b}]0;retitled\u{7}\u{1b}[2J.dose"),
            "{args:?}: {stdout}{stderr}"
        );
        assert_no_raw_controls(&format!("{args:?} stdout"), &stdout);
        assert_no_raw_controls(&format!("{args:?} stderr"), &stderr);
    }
}

#[test]
fn an_input_set_twice_on_the_command_line_is_refused_not_the_last_one_kept() {
    // A field given twice in a patient file is refused; two --set of one input kept the last
    // one silently (dose=5 mg, then dose=15 mg: the 15 mg was titrated to 20 mg).
    let program = bundled("baclofen_oral.dose");
    let text =
        r#"{"phase": "titrate", "age": "45 years", "dose": "10 mg", "days_at_dose": "3 days"}"#;
    let sets = ["dose=5 mg".to_string(), " dose = 15 mg".to_string()];
    let diags = program
        .read_patient("patient", text, Format::Json, &sets)
        .expect_err("the same input set twice is refused");
    let d = only_error(&diags, "posology::input::duplicate_field");
    assert!(d.message.contains("`dose` is set twice"), "{}", d.message);
    // Two different inputs are fine.
    let sets = ["dose=5 mg".to_string(), "doses_per_day=2".to_string()];
    assert!(program
        .read_patient("patient", text, Format::Json, &sets)
        .is_ok());
}

#[test]
fn an_empty_set_is_refused_not_read_as_leave_it_out() {
    // `--set doses_per_day=` (an empty shell variable) put the protocol's default (3 times
    // daily) in place of the patient file's once daily.
    let program = bundled("baclofen_oral.dose");
    let text = r#"{"phase": "titrate", "age": "45 years", "dose": "10 mg", "days_at_dose": "3 days", "doses_per_day": 1}"#;
    for set in ["doses_per_day=", "doses_per_day =  "] {
        let diags = program
            .read_patient("patient", text, Format::Json, &[set.to_string()])
            .expect_err("an empty --set is refused");
        let d = only_error(&diags, "posology::input::set_syntax");
        assert!(d.message.contains("gives no value"), "{}", d.message);
    }
}

#[test]
fn a_usage_error_quotes_the_argument_escaped() {
    // `posology check *` over a directory holding a file named like an option: the usage error
    // quotes the argument. Escape sequences were dropped when piped, but a bidirectional
    // override and a lone carriage return were printed raw (and on a terminal, everything).
    for args in [
        vec!["ab\u{202e}cd\rEVIL\u{1b}]0;retitled\u{7}"],
        vec!["check", "--\u{202e}x\r\u{1b}[2J"],
        vec![
            "run",
            "p.dose",
            "--patient",
            "p.json",
            "--format",
            "j\u{202e}\r",
        ],
    ] {
        let out = posology(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("\\u{202e}"), "{args:?}: {stderr}");
        assert_no_raw_controls(&format!("{args:?} stderr"), &stderr);
    }
}

#[test]
fn escape_sequences_in_diagnostics_of_every_kind_are_escaped() {
    // A raw escape in the source text, in the message and in the help, drawn both ways.
    let oral = bundled("baclofen_oral.dose");
    let cases = [
        // An unknown field name (its key), an unknown choice, a bad date, a unit.
        (
            "\"\u{1b}[2Jphase\": \"titrate\", \"age\": \"45 years\"",
            "\\u{1b}[2Jphase",
        ),
        (
            "\"phase\": \"\u{1b}[2J\", \"age\": \"45 years\"",
            "\\u{1b}[2J",
        ),
        (
            "\"phase\": \"start\", \"age\": \"45 years\", \"start_date\": \"\u{202e}2026\"",
            "\\u{202e}2026",
        ),
        (
            "\"phase\": \"titrate\", \"age\": \"45 \u{1b}[1myears\"",
            "\\u{1b}[1myears",
        ),
    ];
    for (fields, shown) in cases {
        // JSON does not allow raw control characters in strings, YAML flow style does not
        // either: write them escaped in JSON, so the decoded value holds the raw character.
        let json = format!("{{{fields}}}")
            .replace('\u{1b}', "\\u001b")
            .replace('\u{202e}', "\\u202e");
        let diags = refused(&oral, &json, Format::Json);
        let plain: Vec<String> = diags
            .iter()
            .map(|d| render(d, RenderStyle::Plain))
            .collect();
        assert!(
            plain.iter().any(|out| out.contains(shown)),
            "{shown} in {plain:#?}"
        );
        for d in &diags {
            for style in [RenderStyle::Plain, RenderStyle::Fancy] {
                let out = render(d, style);
                for c in ['\u{202e}', '\u{7}', '\u{9b}'] {
                    assert!(!out.contains(c), "{c:?} in {out:?}");
                }
                if style == RenderStyle::Plain {
                    assert!(!out.contains('\u{1b}'), "{out:?}");
                }
            }
        }
    }
}

#[test]
fn the_repl_escapes_what_it_echoes_and_shortens_long_values() {
    let dir = scratch("repl");
    let protocol = dir.join("notes.dose");
    std::fs::write(
        &protocol,
        "protocol notes {\n  version \"1.0.0\"\n  source  \"test\"\n  inputs {\n    remark: text optional\n    doses: count in 1..4 default 3\n  }\n  limit dose <= 10 mg hard\n  decide first {\n    otherwise => give 5 mg\n  }\n}\n",
    )
    .expect("writable");
    let mut session = Session::new(RenderStyle::Plain);
    let loaded = session.load(&protocol, false);
    assert!(loaded.ok, "{}", loaded.text);

    // Refused, as in a protocol file (a terminal acts on it), and never echoed raw.
    let reply = session.line("remark = \"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}\"");
    assert!(!reply.ok, "{}", reply.text);
    assert!(reply.text.contains("hidden_text"), "{}", reply.text);
    assert_no_raw_controls("REPL echo", &reply.text);
    let reply = session.line("\u{1b}c oops");
    assert!(!reply.ok);
    assert_no_raw_controls("REPL error", &reply.text);

    // A value longer than 65,535 characters: `:inputs` pads its columns to the longest cell,
    // and a format width that large panics ("Formatting argument out of range").
    let long = "y".repeat(70_000);
    let reply = session.line(&format!("remark = \"{long}\""));
    assert!(reply.ok, "{}", &reply.text[..reply.text.len().min(500)]);
    assert!(
        reply.text.len() < 2_000,
        "echoed whole: {} bytes",
        reply.text.len()
    );
    let reply = session.line(":inputs");
    assert!(reply.ok, "{}", &reply.text[..reply.text.len().min(500)]);
    assert!(reply.text.contains("more characters"), "{}", reply.text);
    assert!(reply.text.len() < 5_000, "{} bytes", reply.text.len());
}

#[test]
fn repl_inputs_with_two_thousand_test_doses_does_not_panic() {
    let dir = scratch("repl_doses");
    let items = 2_000.min(posology::input::MAX_LIST_ITEMS);
    let doses =
        vec![r#"{"dose": "50 mcg", "response": "negative", "effect_duration": "6 h"}"#; items];
    let patient = dir.join("doses.json");
    std::fs::write(
        &patient,
        format!(
            r#"{{"phase": "screening", "origin": "spinal", "age": "34 years", "test_doses": [{}]}}"#,
            doses.join(", ")
        ),
    )
    .expect("writable");
    let mut session = Session::new(RenderStyle::Plain);
    assert!(
        session
            .load(&root().join("protocols/baclofen_intrathecal.dose"), false)
            .ok
    );
    let reply = session.line(&format!(":patient {}", patient.display()));
    assert!(reply.ok, "{}", reply.text);
    let reply = session.line(":inputs");
    assert!(reply.ok, "{}", &reply.text[..reply.text.len().min(500)]);
    assert!(reply.text.len() < 10_000, "{} bytes", reply.text.len());
}

// ------------------------------------------------------------------ format widths

#[test]
fn fmt_and_fmt_check_take_a_70000_character_input_name() {
    let dir = scratch("long_name");
    let name = "n".repeat(70_000);
    let file = dir.join("long.dose");
    // Not formatted: two spaces before `count`.
    let protocol = format!(
        "protocol long {{\n  version \"1.0.0\"\n  source  \"test\"\n  inputs {{\n    {name}: mg in 1 mg..10 mg\n    doses:  count in 1..4\n  }}\n  limit dose <= 10 mg hard\n  decide first {{\n    otherwise => give {name}\n  }}\n}}\n"
    );
    std::fs::write(&file, &protocol).expect("writable");
    let file = file.display().to_string();
    let check = posology(&["check", &file]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));

    let diff = posology(&["fmt", "--check", &file]);
    let stderr = text(&diff.stderr);
    assert_eq!(diff.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(text(&diff.stdout).contains("is not formatted"));

    let fmt = posology(&["fmt", &file]);
    assert_eq!(fmt.status.code(), Some(0), "{}", text(&fmt.stderr));
    let again = posology(&["fmt", "--check", &file]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    let formatted = std::fs::read_to_string(&file).expect("readable");
    assert!(formatted.contains(&format!("{name}: mg in 1 mg..10 mg")));
}

// ------------------------------------------------------------------ sharper messages

#[test]
fn a_date_moved_out_of_the_calendar_says_so() {
    let program = bundled("baclofen_intrathecal.dose");
    let text = intrathecal_patient("last_refill", r#""9999-12-31""#);
    let patient = program
        .read_patient("patient", &text, Format::Json, &[])
        .expect("read");
    let err = program
        .evaluate(&patient, posology::Options::default())
        .expect_err("the refill date is out of the calendar");
    assert_eq!(err.code, "posology::value::date_out_of_range", "{err:#?}");
    assert!(
        err.message.contains("9999-12-31 + 38 days"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("years -9999 to 9999"),
        "{}",
        err.message
    );
    assert!(
        !err.message.contains("significant digits"),
        "{}",
        err.message
    );
}

#[test]
fn a_number_too_small_to_hold_names_decimal_places_not_significant_digits() {
    let program = bundled("baclofen_intrathecal.dose");
    let text = intrathecal_patient(
        "concentration",
        r#""0.00000000000000000000000000001 mcg/mL""#,
    );
    let diags = refused(&program, &text, Format::Json);
    let d = only_error(&diags, "posology::value::out_of_range");
    assert!(
        d.message.contains("more than 28 decimal places"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("0.0000000000000000000000000001"),
        "{}",
        d.message
    );
    assert!(!d.message.contains("significant"), "{}", d.message);

    // 10⁻²⁸ can be held, but the daily volume computed from it cannot: the message shows the
    // values divided, so the tiny concentration is seen.
    let text = intrathecal_patient(
        "concentration",
        r#""0.0000000000000000000000000001 mcg/mL""#,
    );
    let patient = program
        .read_patient("patient", &text, Format::Json, &[])
        .expect("read");
    let err = program
        .evaluate(&patient, posology::Options::default())
        .expect_err("the daily volume overflows");
    assert_eq!(err.code, "posology::value::overflow");
    assert!(
        err.message
            .contains("500 mcg/day / 0.0000000000000000000000000001 mcg/mL"),
        "{}",
        err.message
    );
}

#[test]
fn exponents_in_bare_numbers_say_so_and_suggest_the_number() {
    let oral = bundled("baclofen_oral.dose");
    for format in [Format::Json, Format::Yaml, Format::Toml] {
        let text = oral_patient(format, "doses_per_day", "3e0");
        let diags = refused(&oral, &text, format);
        let d = only_error(&diags, "posology::unit::notation");
        assert!(d.message.contains("exponent"), "{format:?}: {}", d.message);
        assert_eq!(d.help.as_deref(), Some("write `3`"), "{format:?}");
    }
}

#[test]
fn a_whole_number_input_given_a_tiny_fraction_is_refused() {
    let oral = bundled("baclofen_oral.dose");
    for format in [Format::Json, Format::Yaml, Format::Toml] {
        for value in ["3.0000000000000000000000000000000000000001", "3.5"] {
            let text = oral_patient(format, "doses_per_day", value);
            let diags = refused(&oral, &text, format);
            let d = only_error(&diags, "posology::input::not_whole");
            assert!(d.message.contains(value), "{format:?}: {}", d.message);
            assert!(
                d.message.contains("whole number"),
                "{format:?}: {}",
                d.message
            );
        }
    }
}

#[test]
fn sweeping_a_list_says_it_is_a_list_and_what_can_be_swept() {
    let mut session = Session::new(RenderStyle::Plain);
    assert!(
        session
            .load(&root().join("protocols/baclofen_intrathecal.dose"), false)
            .ok
    );
    let reply = session.line(":sweep test_doses");
    assert!(!reply.ok);
    assert!(
        reply.text.contains("posology::repl::sweep"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("`test_doses` is a list"),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("is a quantity"), "{}", reply.text);
    assert!(reply.text.contains("can be swept are"), "{}", reply.text);
}

#[test]
fn ambiguous_numbers_in_a_patient_file_get_readings_not_a_guess() {
    let program = bundled("baclofen_intrathecal.dose");
    // (value, what the help must say, what it must never say)
    let cases = [
        (
            "1.000,5 mcg/mL",
            "`1000.5 mcg/mL` if the comma is a decimal comma",
            "1.0005",
        ),
        (
            "10,0 mcg/mL",
            "`10 mcg/mL` if the comma is a decimal comma",
            "10.0",
        ),
        (
            "1,000 mcg/mL",
            "`1 mcg/mL` if it is a decimal comma",
            "never-said",
        ),
    ];
    for (value, says, never) in cases {
        let text = intrathecal_patient("concentration", &format!("\"{value}\""));
        let diags = refused(&program, &text, Format::Json);
        let d = only_error(&diags, "posology::unit::notation");
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.contains(says), "{value}: {help}");
        assert!(!help.contains(never), "{value}: {help}");
    }
    let text = intrathecal_patient("daily_dose", r#""1 1/d""#);
    let diags = refused(&program, &text, Format::Json);
    let d = only_error(&diags, "posology::unit::notation");
    let help = d.help.as_deref().unwrap_or_default();
    assert!(!help.contains("11/d"), "{help}");
}

// ------------------------------------------------------------------ ISMP: µg in a protocol

const MICROGRAMS: &str = "protocol micrograms {\n  version \"1.0.0\"\n  source  \"test\"\n  inputs {\n    conc: \u{b5}g/mL in 1 \u{3bc}g/mL..2000 ug/mL\n  }\n  limit dose <= 100 ug hard\n  decide first {\n    otherwise => give 50 \u{3bc}g\n  }\n}\n";

#[test]
fn micrograms_written_ug_in_a_protocol_are_warned_about_and_fmt_writes_mcg() {
    let source = Source::new("micrograms.dose", MICROGRAMS);
    let (program, diags) = parse_and_check(MICROGRAMS, &source);
    assert!(program.is_some(), "a warning, not an error: {diags:#?}");
    let warned: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "posology::unit::unsafe_abbreviation")
        .map(|d| {
            assert!(!d.is_error());
            assert!(
                d.help.as_deref().is_some_and(|h| h.contains("mcg")),
                "{d:#?}"
            );
            let span = d.primary_span().expect("a label");
            &MICROGRAMS[span.start..span.end]
        })
        .collect();
    assert_eq!(
        warned,
        ["\u{b5}g/mL", "\u{3bc}g/mL", "ug/mL", "ug", "\u{3bc}g"],
        "{diags:#?}"
    );

    let formatted = posology::format::format(MICROGRAMS).expect("formats");
    assert!(
        formatted.contains("conc: mcg/mL in 1 mcg/mL..2000 mcg/mL"),
        "{formatted}"
    );
    assert!(formatted.contains("give 50 mcg"), "{formatted}");
    for bad in ["\u{b5}g", "\u{3bc}g", "ug"] {
        assert!(!formatted.contains(bad), "{bad} kept:\n{formatted}");
    }
    let source = Source::new("formatted.dose", formatted.as_str());
    let (program, diags) = parse_and_check(&formatted, &source);
    assert!(program.is_some() && diags.is_empty(), "{diags:#?}");

    // The same on the command line: `fmt --check` shows the rewrite, `fmt` makes it.
    let dir = scratch("micrograms");
    let file = dir.join("micrograms.dose");
    std::fs::write(&file, MICROGRAMS).expect("writable");
    let file = file.display().to_string();
    let diff = posology(&["fmt", "--check", &file]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(
        text(&diff.stdout).contains("+    conc: mcg/mL"),
        "{}",
        text(&diff.stdout)
    );
    assert_eq!(posology(&["fmt", &file]).status.code(), Some(0));
    let written = std::fs::read_to_string(&file).expect("readable");
    assert_eq!(written, formatted);
}
