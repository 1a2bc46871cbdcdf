//! The fast JSON path ([`super::fast`]) held against the full reader
//! ([`super::read_patient`]): on every bundled patient file and cohort row, on hostile
//! variations of them, and on random texts, for the bundled protocols and the test protocols
//! beside their patient files. Wherever the fast path gives values, the full reader gives the
//! very same values; and what `Protocol::read_patient` gives (fast path first) is always
//! exactly what the full reader gives, values or diagnostics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::{fast, read_fast, read_patient, Format};
use crate::diagnostics::Source;
use crate::value::Value;
use crate::Protocol;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one text gives both ways, after checking the two agree; and whether the fast path
/// took it.
fn agree(protocol: &Protocol, text: &str) -> bool {
    let program = protocol.program();
    let unmet = |values: &[Value]| {
        crate::eval::unmet_requirements(program, values)
            .map(|u| u.into_iter().map(|x| (x.require, x.because)).collect())
    };
    let source = Source::new("patient.json", text);
    let tree = read_patient(program, text, Format::Json, &source, &[], &unmet);
    let fast = fast::read(program, text);
    if let Some(values) = &fast {
        match unmet(values) {
            Ok(u) if u.is_empty() => assert_eq!(
                tree.as_ref().ok(),
                Some(values),
                "the fast path read other values than the full reader from {text:?}: {tree:#?}"
            ),
            _ => assert!(
                tree.is_err(),
                "values that fail a require were accepted from {text:?}"
            ),
        }
    }
    // What `Protocol::read_patient` gives: the fast path's values, else the full reader's.
    let both = read_fast(program, text, Format::Json, &[], &unmet)
        .ok_or(())
        .or_else(|()| read_patient(program, text, Format::Json, &source, &[], &unmet));
    assert_eq!(
        format!("{both:?}"),
        format!("{tree:?}"),
        "the fast path and the full reader disagree on {text:?}"
    );
    fast.is_some() && tree.is_ok()
}

/// The files under `dir` whose names end in `.{ext}`, found as `posology check DIR` finds
/// them.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    out.extend(crate::files::find_files(&[dir.to_path_buf()], ext).files);
}

fn load(path: &Path) -> Option<Protocol> {
    let text = std::fs::read_to_string(path).ok()?;
    Protocol::load(path.display().to_string(), &text).ok()
}

/// The bundled protocols, each with the patient texts of its `cases/` folder.
fn bundled() -> Vec<(Protocol, Vec<String>)> {
    let mut doses = Vec::new();
    files(&root().join("protocols"), "dose", &mut doses);
    doses
        .iter()
        .filter_map(|dose| {
            let protocol = load(dose)?;
            let mut cases = Vec::new();
            files(&dose.with_extension("").join("cases"), "json", &mut cases);
            let texts = cases
                .iter()
                .filter_map(|c| std::fs::read_to_string(c).ok())
                .collect();
            Some((protocol, texts))
        })
        .collect()
}

/// Every patient text under `tests/` and `protocols/`: JSON files, and each line of JSON
/// Lines files.
fn all_patient_texts() -> Vec<String> {
    let mut paths = Vec::new();
    for dir in ["tests", "protocols"] {
        files(&root().join(dir), "json", &mut paths);
        files(&root().join(dir), "jsonl", &mut paths);
    }
    let mut texts = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "jsonl") {
            texts.extend(text.lines().map(str::to_string));
        } else {
            texts.push(text);
        }
    }
    texts
}

/// The protocol a test's patient file is for: `dir/name.dose` beside `dir/name[.variant].json`.
fn sibling_protocol(json: &Path) -> Option<Protocol> {
    let stem = json.file_name()?.to_str()?.split('.').next()?;
    load(&json.with_file_name(format!("{stem}.dose")))
}

#[test]
fn every_bundled_and_test_patient_file_reads_the_same_both_ways() {
    let protocols = bundled();
    let texts = all_patient_texts();
    let mut fast = 0;
    for (protocol, cases) in &protocols {
        for text in texts.iter().chain(cases) {
            fast += usize::from(agree(protocol, text));
        }
    }
    let mut jsons = Vec::new();
    files(&root().join("tests"), "json", &mut jsons);
    for json in jsons {
        if let (Some(protocol), Ok(text)) =
            (sibling_protocol(&json), std::fs::read_to_string(&json))
        {
            fast += usize::from(agree(&protocol, &text));
        }
    }
    // Not vacuous: most of the bundled cases that read at all are read by the fast path.
    assert!(fast >= 100, "the fast path read only {fast} files");
}

/// Values a field may be given in a hostile file, as JSON text (some of it not JSON).
const HOSTILE: &[&str] = &[
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1",
    "1.5",
    "-1",
    "01",
    "1.",
    ".5",
    "+1",
    "1e3",
    "1E+3",
    "1e-400",
    "123456789012345678901234567890123456789",
    "3.0000000000000000000000000000000000000001",
    "NaN",
    "Infinity",
    "-Infinity",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "[1, 2]",
    "[[[]]]",
    "\"\"",
    "\"5\"",
    "\"5 mg\"",
    "\"5mg\"",
    "\"5 mcg\"",
    "\"5 kg\"",
    "\"5 mg/day\"",
    "\"-5 mg\"",
    "\"0 mg\"",
    "\"-0 mg\"",
    "\"-0.0 mg\"",
    "\"007 mg\"",
    "\"5.50 mL\"",
    "\"5  mg\"",
    "\"5 mg \"",
    "\" 5 mg\"",
    "\"5\tmg\"",
    "\"5 mcg / day\"",
    "\"5 /day\"",
    "\"5 mcg/day/\"",
    "\"5 mg2\"",
    "\"5 1mg\"",
    "\"5 000 mg\"",
    "\"1,5 mg\"",
    "\"1.2.3 mg\"",
    "\"5. mg\"",
    "\"-.5 mg\"",
    "\"--5 mg\"",
    "\"- 5 mg\"",
    "\"5e mg\"",
    "\"5 e3\"",
    "\"5 MG\"",
    "\"5 U\"",
    "\"5 mcg/mL\"",
    "\"999999999999999999999999999 mcg/day\"",
    "\"9999999999999999999999999999 mcg/day\"",
    "\"99999999999999999999999999999 mcg/day\"",
    "\"0.000000000000000000000000001 mcg/day\"",
    "\"1.0000000000000000000000000000 mcg/day\"",
    "\"1e3 mg\"",
    "\"99999999999999999999999999999999999 mcg/day\"",
    "\"0.00000000000000000000000000001 mg\"",
    "\"NaN mg\"",
    "\"Infinity mcg\"",
    "\"5 µg\"",
    "\"5 \\u00b5g\"",
    "\"5\\u0020mg\"",
    "\"5\u{a0}mg\"",
    "\"5 mg\\n\"",
    "\"\\ud800\"",
    "\"2026-12-01\"",
    "\"2026-02-30\"",
    "\"2026-12-01T00:00\"",
    "\"maintenance\"",
    "\"spinal\"",
    "\"Maintenance\"",
    "\"maintenance \"",
    "\"yes\"",
    "\"true\"",
    "\"70 kg\"",
    "\"70 lb\"",
    "\"70 years\"",
    "\"7 days\"",
    "\"7 h\"",
    "\"1.5 mL\"",
    "\"80 mL/min\"",
    "\"2 mg/dL\"",
    "\"150 umol/L\"",
    "[\"5 mg\"]",
    "[\"2026-12-01\", \"2026-12-02\"]",
    "[{}]",
    "{\"a\": 1}",
    "/* c */ 1",
    "1 // c",
    "\"a\" \"b\"",
    "\"\u{201c}5 mg\u{201d}\"",
    "\"5 mg\"\u{a0}",
    "\u{feff}1",
];

/// A record written from `(key, raw value)` pairs, separated by `sep`.
fn record(entries: &[(String, String)], sep: &str) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {v}", serde_json::to_string(k).unwrap_or_default()))
        .collect();
    format!("{{{}}}", body.join(sep))
}

/// A case file's fields as `(key, raw JSON text)`, if it is a plain record.
fn fields(text: &str) -> Option<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(
        value
            .as_object()?
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
    )
}

/// Variations of one record's fields: each value replaced by each hostile one, each field
/// left out and given twice, and the whole written in other ways.
fn variations(entries: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..entries.len() {
        for hostile in HOSTILE {
            let mut e = entries.to_vec();
            e[i].1 = hostile.to_string();
            out.push(record(&e, ", "));
        }
        let mut without = entries.to_vec();
        without.remove(i);
        out.push(record(&without, ","));
        let mut twice = entries.to_vec();
        twice.push(entries[i].clone());
        out.push(record(&twice, ","));
        let mut unknown = entries.to_vec();
        unknown.insert(i, (format!("{}x", entries[i].0), entries[i].1.clone()));
        out.push(record(&unknown, ","));
    }
    let plain = record(entries, ",");
    out.push(format!("\u{feff}{plain}"));
    out.push(format!(" \n\t{plain}\r\n "));
    out.push(format!("\x0c{plain}"));
    out.push(format!("{plain} x"));
    out.push(format!("{plain}{{}}"));
    out.push(format!("// c\n{plain}"));
    out.push(record(entries, ",\n  /* c */ "));
    out.push(plain.replacen('}', ",}", 1));
    out.push(plain.replacen(": ", ":\u{a0}", 1));
    out.push(format!("[{plain}]"));
    out.push(plain.chars().take(plain.len() / 2).collect());
    out
}

#[test]
fn hostile_variations_of_the_bundled_cases_read_the_same_both_ways() {
    for (protocol, cases) in bundled() {
        // A few cases of each protocol in full; the property test below samples the rest.
        for text in cases.iter().step_by(8) {
            let Some(entries) = fields(text) else {
                continue;
            };
            for variant in variations(&entries) {
                agree(&protocol, &variant);
            }
        }
    }
}

#[test]
fn deep_long_and_odd_texts_read_the_same_both_ways() {
    let protocols = bundled();
    let deep = format!("{{\"a\": {}1{}}}", "[".repeat(100), "]".repeat(100));
    let long = format!("{{\"a\": [{}1]}}", "1, ".repeat(20_000));
    let texts = [
        "",
        " ",
        "{",
        "}",
        "{}",
        "[]",
        "null",
        "{\"\": 1}",
        "{\"a\":}",
        "{,}",
        deep.as_str(),
        long.as_str(),
        "{\"phase\": \"maintenance\", \"phase\": \"maintenance\"}",
    ];
    for (protocol, _) in &protocols {
        for text in texts {
            agree(protocol, text);
        }
    }
}

/// Pieces random texts are made of: JSON's punctuation, the bundled protocols' field names
/// and values, and hostile spellings.
fn piece() -> impl Strategy<Value = String> {
    let mut pieces: Vec<String> = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\"",
        "\\",
        "\"phase\"",
        "\"origin\"",
        "\"age\"",
        "\"daily_dose\"",
        "\"weight\"",
        "\"maintenance\"",
        "\"spinal\"",
        "\"12 years\"",
        "\"300 mcg/day\"",
        "\"70 kg\"",
        "\"2026-12-01\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    pieces.extend(HOSTILE.iter().map(|s| s.to_string()));
    proptest::sample::select(pieces)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A bundled case with one field's value replaced by random pieces, or a record of random
    /// pieces.
    #[test]
    fn random_texts_read_the_same_both_ways(
        which in 0usize..1000,
        field in 0usize..100,
        pieces in proptest::collection::vec(piece(), 0..12),
    ) {
        let protocols = PROTOCOLS.with(|p| p.clone());
        let (protocol, cases) = &protocols[which % protocols.len()];
        let glued = pieces.concat();
        if let Some(mut entries) = cases.get(which % cases.len().max(1)).and_then(|t| fields(t)) {
            if !entries.is_empty() {
                let i = field % entries.len();
                entries[i].1 = glued.clone();
                agree(protocol, &record(&entries, ","));
            }
        }
        agree(protocol, &format!("{{{glued}}}"));
        agree(protocol, &glued);
    }
}

thread_local! {
    /// The bundled protocols and cases, loaded once per test thread.
    static PROTOCOLS: std::rc::Rc<Vec<(Protocol, Vec<String>)>> = std::rc::Rc::new(bundled());
}

/// Quantity spellings at the edges of the fast reader's own spelling (`-?digits(.digits)? unit`)
/// and just past them.
const QUANTITIES: &[&str] = &[
    "5 mg",
    "-5 mg",
    "-0 mg",
    "-0.0 mg",
    "0 mg",
    "007 mg",
    "5.50 mL",
    "2400.5 mcg/day",
    "5  mg",
    "5 mg ",
    " 5 mg",
    "5\tmg",
    "5 mg\n",
    "5 mg\u{a0}",
    "5\u{a0}mg",
    "5 mcg / day",
    "5 /day",
    "5 %",
    "5%",
    "5 mcg/day/",
    "5 mg2",
    "5 1mg",
    "5 000 mg",
    "1,5 mg",
    "1,000 mg",
    "1.2.3 mg",
    "5. mg",
    ".5 mg",
    "-.5 mg",
    "--5 mg",
    "- 5 mg",
    "+5 mg",
    "5e mg",
    "5 e3",
    "5e3 mg",
    "5 MG",
    "5 U",
    "5 iu",
    "5 cc",
    "5 µg",
    "5 ug",
    "5 mL/min/1.73 m^2",
    "5 m^2",
    "5 m²",
    "5 mg*day",
    "5 mg·day",
    "5",
    "",
    " ",
    "-",
    "5 ",
    "mg",
    "5 mg/kg/day",
    "5 horus",
    "999999999999999999999999999 mg",
    "-999999999999999999999999999 mg",
    "9999999999999999999999999999 mg",
    "99999999999999999999999999999 mg",
    "79228162514264337593543950335 mg",
    "79228162514264337593543950336 mg",
    "0.000000000000000000000000001 mg",
    "0.0000000000000000000000000001 mg",
    "0.00000000000000000000000000001 mg",
    "1.0000000000000000000000000000 mg",
    "00000000000000000000000000000000001 mg",
    "5 mgmgmgmgmgmgmgmgmgmgmgmgmgmgmgmg",
];

/// The fast reader's quantities are exactly `Quantity::parse`'s, twice over (the second time
/// from the thread's cache of units).
#[test]
fn fast_quantities_are_those_of_quantity_parse() {
    for _ in 0..2 {
        for text in QUANTITIES {
            assert_eq!(
                fast::quantity(text),
                crate::units::Quantity::parse(text).ok(),
                "{text:?}"
            );
        }
    }
}

/// The slot found by trying the slots after the last field's first is the slot of the name,
/// whatever slot it starts from, for every input of every bundled protocol; an unknown name has
/// none.
#[test]
fn fast_input_slots_are_those_of_the_program() {
    for (protocol, _) in bundled() {
        let program = protocol.program();
        let n = program.inputs.len();
        for start in 0..=n + 1 {
            for spec in &program.inputs {
                let mut next = start;
                let slot = fast::input_slot(program, &spec.name, &mut next);
                assert_eq!(slot, program.input_slot(&spec.name), "{}", spec.name);
                assert_eq!(program.inputs[slot.unwrap_or(0)].name, spec.name);
                assert_eq!(next, slot.map_or(start, |s| s + 1));
            }
            let mut next = start;
            assert_eq!(fast::input_slot(program, "no_such_input", &mut next), None);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Random quantity texts from the characters quantities are written with.
    #[test]
    fn random_quantities_are_those_of_quantity_parse(text in "[-0-9., ]{0,6}[ a-zA-Z/%^0-9.µ·*]{0,9}") {
        prop_assert_eq!(fast::quantity(&text), crate::units::Quantity::parse(&text).ok(), "{:?}", text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// The word-at-a-time search for a text's end finds the first quote, backslash or control
    /// character, as a byte-by-byte search does: in random bytes, and in plain runs of each
    /// length ended by each byte that ends a text (or by none).
    #[test]
    fn text_end_finds_the_first_ending_byte(
        bytes in proptest::collection::vec(any::<u8>(), 0..40),
        run in 0usize..40,
        end in proptest::sample::select(vec![None, Some(b'"'), Some(b'\\'), Some(0u8), Some(0x1f), Some(b'\n')]),
        fill in proptest::sample::select(vec![b'a', b' ', 0x20, 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']']),
    ) {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        prop_assert_eq!(fast::text_end(&bytes), naive(&bytes));
        let mut plain = vec![fill; run];
        plain.extend(end);
        plain.extend_from_slice(&bytes);
        prop_assert_eq!(fast::text_end(&plain), naive(&plain));
    }
}

/// A default given to a patient equals the protocol's, holds no reference count of the
/// protocol's when small, and is the protocol's own value when large.
#[test]
fn defaults_are_copied_small_and_shared_large() {
    use std::sync::Arc;
    let text = |t: &str| Value::Text(Arc::from(t));
    let record = Value::Record(0, Arc::from(vec![text("a"), Value::Bool(true)]));
    let small = Value::List(Arc::from(vec![record.clone(), record]));
    let copy = super::unshared(&small);
    assert_eq!(copy, small);
    let (Value::List(a), Value::List(b)) = (&copy, &small) else {
        panic!("a list")
    };
    assert!(!Arc::ptr_eq(a, b));
    let (Value::Record(_, fa), Value::Record(_, fb)) = (&a[0], &b[0]) else {
        panic!("a record")
    };
    assert!(!Arc::ptr_eq(fa, fb));
    let empty = Value::List(Arc::from(Vec::new()));
    assert_eq!(super::unshared(&empty), empty);
    let range = Value::Range(Arc::new((text("x"), Value::Missing)));
    assert_eq!(super::unshared(&range), range);
    let large = Value::List((0..100).map(|i| text(&i.to_string())).collect());
    let shared = super::unshared(&large);
    assert_eq!(shared, large);
    let (Value::List(a), Value::List(b)) = (&shared, &large) else {
        panic!("a list")
    };
    assert!(Arc::ptr_eq(a, b));
}

/// A protocol with an input of each kind the fast path reads, for [`edge_texts`].
const EDGES: &str = r#"protocol edges {
  title "Edges"
  version "1.0.0"
  source "Test"
  drug "demo"
  route "oral"
  inputs {
    phase: start | titrate
    weight: kg in 1 kg..300 kg
    n: count in 0..1000000 optional
    x: number optional
    remark: text optional
    started: date optional
    flag: bool default false
    doses: list of mg default []
  }
  begin at phase
  limit dose <= 100 mg hard because "test"
  phase start {
    decide first {
      otherwise => give 5 mg
    }
  }
  phase titrate {
    decide first {
      otherwise => give 5 mg
    }
  }
}
"#;

/// Records at the edges of the fast path: escapes in keys and texts, surrogate pairs, control
/// characters, huge and i64-edge numbers, odd dates, fields twice, unknown, in any order or
/// left out. Each with whether the fast path reads it (`true`) or leaves it to the full
/// reader.
fn edge_texts() -> Vec<(String, bool)> {
    let base = r#""phase": "start", "weight": "70 kg""#;
    let with = |extra: &str| format!("{{{base}, {extra}}}");
    let mut out = vec![
        (format!("{{{base}}}"), true),
        (r#"{"weight": "70 kg", "phase": "start"}"#.to_string(), true),
        (
            r#"{"doses": ["5 mg"], "flag": true, "weight": "70 kg", "remark": "a", "phase": "titrate", "n": 3}"#
                .to_string(),
            true,
        ),
        (r#"{"phase": "start"}"#.to_string(), false),
        (r#"{"weight": "70 kg"}"#.to_string(), false),
        (with(r#""phase": "start""#), false),
        (with(r#""weight": "70 kg""#), false),
        (with(r#""nope": 1"#), false),
        (with(r#""phasex": "start""#), false),
        (with(r#""phas": "start""#), false),
        (with(r#""Phase": "start""#), false),
        (r#"{"\u0070hase": "start", "weight": "70 kg"}"#.to_string(), false),
        (r#"{"ph\"ase": "start", "weight": "70 kg"}"#.to_string(), false),
        (r#"{"phase" : "start" , "weight":"70 kg"}"#.to_string(), true),
        (r#"{"phase": "start", "weight": "70 kg", "n": null}"#.to_string(), true),
        (r#"{"phase": "start", "weight": "70 kg", "phase"#.to_string(), false),
        (r#"{"phase": "start", "weight": "70 kg", ""#.to_string(), false),
        (r#"{"phase": "start", "weight": "70 kg", "remark""#.to_string(), false),
        (r#"{"phase": "start", "weight": "70 kg", "remark"#.to_string(), false),
    ];
    let notes = [
        (r#""plain""#, true),
        (r#""""#, true),
        (r#""with \" quote""#, false),
        (r#""back \\ slash""#, false),
        (r#""caf\u00e9""#, false),
        (r#""café""#, true),
        (r#""\ud83d\ude00""#, false),
        (r#""\ud83d""#, false),
        (r#""😀 eight bytes+""#, true),
        ("\"tab\there\"", false),
        ("\"nul\u{0}\"", false),
        ("\"del\u{7f}\"", true),
        ("\"1234567\"", true),
        ("\"12345678\"", true),
        ("\"123456789abcdef\"", true),
        ("\"123456789abcdef\\\"\"", false),
        ("\"unterminated", false),
        ("\"unterminated 12345678", false),
    ];
    for (note, fast) in notes {
        out.push((with(&format!(r#""remark": {note}"#)), fast));
    }
    let counts = [
        ("0", true),
        ("1000000", true),
        ("1000001", false),
        ("-1", false),
        ("9223372036854775807", false),
        ("9223372036854775808", false),
        ("-9223372036854775808", false),
        ("99999999999999999999999999999999999999999", false),
        ("1.5", false),
        ("1e3", false),
    ];
    for (n, fast) in counts {
        out.push((with(&format!(r#""n": {n}"#)), fast));
    }
    let numbers = [
        ("9223372036854775807", true),
        ("-9223372036854775808", true),
        ("9223372036854775808", true),
        ("79228162514264337593543950335", true),
        ("79228162514264337593543950336", false),
        ("0.0000000000000000000000000001", true),
        ("-0", true),
        ("00", false),
    ];
    for (x, fast) in numbers {
        out.push((with(&format!(r#""x": {x}"#)), fast));
    }
    let weights = [
        ("\"9223372036854775807 kg\"", false),
        ("\"300 kg\"", true),
        ("\"300.0000000000000000000001 kg\"", false),
        ("\"300000 g\"", true),
        ("\"300001 g\"", false),
        ("\"0.999999 kg\"", false),
        ("\"1 kg\"", true),
        ("\"70 lb\"", true),
    ];
    for (w, fast) in weights {
        out.push((format!(r#"{{"phase": "start", "weight": {w}}}"#), fast));
    }
    let dates = [
        ("2026-02-28", true),
        ("2028-02-29", true),
        ("2026-02-29", false),
        ("2026-02-30", false),
        ("2026-13-01", false),
        ("2026-00-10", false),
        ("2026-01-00", false),
        ("2026-04-31", false),
        ("0000-01-01", true),
        ("9999-12-31", true),
        ("+002026-01-01", false),
        ("-002026-01-01", false),
        ("20260101", false),
        ("2026-1-01", false),
        ("2026-01-01T00:00", false),
        ("２０２６-01-01", false),
    ];
    for (d, fast) in dates {
        out.push((with(&format!(r#""started": "{d}""#)), fast));
    }
    out
}

/// The fast path reads exactly the edge records it should, and each reads the same both ways.
#[test]
fn edge_records_read_the_same_both_ways() {
    let protocol = Protocol::load("edges.dose", EDGES).expect("the edges protocol checks");
    let mut wrong = Vec::new();
    for (text, fast) in edge_texts() {
        let both = agree(&protocol, &text);
        let read = fast::read(protocol.program(), &text).is_some();
        if both != fast || read != fast {
            wrong.push(text);
        }
    }
    assert!(
        wrong.is_empty(),
        "not as expected by the fast path: {wrong:#?}"
    );
}

/// Keys matched byte for byte: every input of a protocol of 40 (more than are held against
/// each key before the lookup by name), in order, reversed and shuffled, each read the same
/// both ways and by the fast path.
#[test]
fn keys_of_many_inputs_in_any_order_read_the_same_both_ways() {
    let inputs: String = (0..40)
        .map(|i| format!("    in{i}: mg optional\n"))
        .collect();
    let text = EDGES.replace("    phase: start", &format!("{inputs}    phase: start"));
    let protocol =
        Protocol::load("many.dose", &text).unwrap_or_else(|d| panic!("{}", d[0].message));
    let field = |i: usize| format!(r#""in{i}": "{i} mg""#);
    let mut orders: Vec<Vec<usize>> = vec![(0..40).collect(), (0..40).rev().collect()];
    orders.push((0..40).map(|i| (i * 17) % 40).collect());
    for order in orders {
        let fields: Vec<String> = order.iter().map(|&i| field(i)).collect();
        let record = format!(
            r#"{{"phase": "start", {}, "weight": "70 kg"}}"#,
            fields.join(", ")
        );
        assert!(agree(&protocol, &record), "{record}");
        let values = fast::read(protocol.program(), &record).expect("read by the fast path");
        for i in 0..40 {
            let slot = protocol
                .program()
                .input_slot(&format!("in{i}"))
                .expect("slot");
            let Value::Num(q) = &values[slot] else {
                panic!("a number in {}", slot)
            };
            assert_eq!(q.to_string(), format!("{i} mg"));
        }
    }
}

/// The fast date reader gives what `parse_date` gives, for every month and day number of two
/// digits in years at the edges, and for other spellings.
#[test]
fn fast_dates_are_those_of_parse_date() {
    for year in [
        "0000", "0001", "1900", "2000", "2024", "2026", "2100", "9999",
    ] {
        for month in 0..=99 {
            for day in 0..=99 {
                let text = format!("{year}-{month:02}-{day:02}");
                assert_eq!(fast::date(&text), crate::check::parse_date(&text), "{text}");
            }
        }
    }
    for text in [
        "+002026-01-01",
        "-2026-01-01",
        "2026-1-1",
        "2026/01/01",
        "20260101",
        "2026-01-01 ",
        "2026-01-0a",
        "",
        "٢٠٢٦-01-01",
    ] {
        assert_eq!(fast::date(text), crate::check::parse_date(text), "{text}");
    }
}
