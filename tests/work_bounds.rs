//! Work bounds: a protocol of the largest size accepted checks whatever its shape (the checker
//! and the reader are linear), an evaluation that needs more than the work budget gives a
//! coded diagnostic and never a dose, diagnostics are capped, REPL lists obey the patient
//! files' item limit, and an endless multi-line REPL entry is dropped. No test here is timed:
//! each would take minutes if the work it bounds were quadratic again (the times themselves are
//! measured by `cargo bench --bench scale`).

mod common;
mod shapes;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use posology::check::{parse_and_check, MAX_DIAGNOSTICS};
use posology::diagnostics::{render, Diagnostic, RenderStyle, Source};
use posology::eval::{Options, Status, WORK_BUDGET};
use posology::input::{Format, MAX_LIST_ITEMS};
use posology::repl::Session;
use posology::syntax::MAX_PROTOCOL_BYTES;
use posology::Protocol;

use common::{on_cli_stack, root};

/// A protocol through the library's front door, for tests that read a patient against it.
fn loaded(text: &str) -> Protocol {
    Protocol::load("test.dose", text).unwrap_or_else(|diags| {
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        panic!("the protocol does not check: {codes:?}")
    })
}

/// A proper error: a `posology::` code, a label inside its text, help, and it renders.
fn assert_proper(d: &Diagnostic) {
    assert!(d.code.starts_with("posology::"), "{d:?}");
    let len = d.source.as_ref().map(|s| s.text.len()).expect("a source");
    assert!(!d.labels.is_empty(), "no label: {d:?}");
    for l in &d.labels {
        assert!(l.span.start <= l.span.end && l.span.end <= len, "{d:?}");
    }
    assert!(d.help.as_deref().is_some_and(|h| !h.is_empty()), "{d:?}");
    assert!(render(d, RenderStyle::Plain).contains(d.code));
}

// ------------------------------------------------------------------ checking

/// Checks a protocol of `shape` of at most `size` bytes, which must pass.
fn shape_checks(shape: &str, size: usize) {
    let text = shapes::protocol(shape, size);
    assert!(text.len() <= size, "{shape}: {} bytes", text.len());
    assert!(
        text.len() > size * 8 / 10 || shape == "lets_doubling",
        "{shape}: {} bytes",
        text.len()
    );
    let source = Source::new(format!("{shape}.dose"), text.as_str());
    let (program, diags) = parse_and_check(&text, &source);
    let errors: Vec<&str> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    assert!(program.is_some(), "{shape}: {errors:?}");
}

#[test]
fn protocols_of_every_shape_check() {
    // Small: reading 1 MiB takes seconds in a debug build, whatever its shape (`cargo bench
    // --bench scale` checks each at the largest size).
    on_cli_stack(|| {
        for shape in shapes::SHAPES {
            shape_checks(shape, MAX_PROTOCOL_BYTES / 64);
        }
    });
}

#[test]
fn protocols_of_many_choices_or_fields_check() {
    // What the red team found quadratic: 100,000 choices took 14.6 s to check and 50,000
    // record fields 3.8 s, and a 1 MiB protocol of either was refused as "too complex" to read.
    // Each would now take minutes here if it were quadratic again.
    on_cli_stack(|| {
        shape_checks("choices", MAX_PROTOCOL_BYTES);
        shape_checks("record_fields", MAX_PROTOCOL_BYTES / 8);
    });
}

#[test]
fn only_so_many_problems_are_reported_and_the_rest_counted() {
    let n = 5 * MAX_DIAGNOSTICS;
    let rules: String = (0..n)
        .map(|i| format!("      r{i}: when unknown{i} > 1 mg => give dose\n"))
        .collect();
    let text = format!(
        "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ dose: mg }}\n  limit dose <= 1 g hard\n  \
         phase a {{\n    decide first {{\n{rules}      otherwise => give dose\n    }}\n  }}\n}}\n"
    );
    let source = Source::new("test.dose", text.as_str());
    let (program, diags) = parse_and_check(&text, &source);
    assert!(program.is_none());
    assert_eq!(diags.len(), MAX_DIAGNOSTICS + 1);
    let last = diags.last().expect("the count");
    assert_eq!(last.code, "posology::check::too_many_problems");
    assert!(last.is_error());
    assert!(
        last.message.contains(&format!("{}", n - MAX_DIAGNOSTICS)),
        "{}",
        last.message
    );
    assert_proper(last);
}

#[test]
fn a_patient_with_many_problems_gets_them_capped() {
    let protocol = loaded(
        &std::fs::read_to_string(root().join("protocols/baclofen_oral.dose")).expect("bundled"),
    );
    let fields: Vec<String> = (0..2000).map(|i| format!("\"nope{i}\": 1")).collect();
    let text = format!(
        "{{\"phase\": \"start\", \"age\": \"45 years\", {}}}",
        fields.join(", ")
    );
    let diags = protocol
        .read_patient("patient.json", &text, Format::Json, &[])
        .expect_err("refused");
    assert_eq!(diags.len(), MAX_DIAGNOSTICS + 1);
    let last = diags.last().expect("the count");
    assert_eq!(last.code, "posology::input::too_many_problems");
    assert_proper(last);
}

#[test]
fn records_of_many_fields_in_examples_are_bounded() {
    // `[{}, {}, …]` of a record type with 2,000 optional fields: 1,000 records would hold two
    // million values.
    let fields: Vec<String> = (0..2000).map(|i| format!("f{i}: mg optional")).collect();
    let items = vec!["{}"; 1000].join(", ");
    let text = format!(
        "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ dose: mg\n    xs: list of {{ {} }} default [] }}\n  \
         limit dose <= 1 g hard\n  phase a {{ decide first {{ otherwise => give dose }} }}\n  \
         example \"e\" {{ given {{ dose: 1 mg, xs: [{items}] }} expect give 1 mg }}\n}}\n",
        fields.join(", ")
    );
    let source = Source::new("test.dose", text.as_str());
    let (program, diags) = parse_and_check(&text, &source);
    assert!(program.is_none());
    let d = diags
        .iter()
        .find(|d| d.code == "posology::value::too_large")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_proper(d);
}

#[test]
fn records_of_many_fields_in_a_patient_are_bounded() {
    // The same two million values, from a patient file of 1,000 empty records.
    let fields: Vec<String> = (0..2000).map(|i| format!("f{i}: mg optional")).collect();
    let protocol = loaded(&format!(
        "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ dose: mg\n    xs: list of {{ {} }} default [] }}\n  \
         limit dose <= 1 g hard\n  phase a {{ decide first {{ otherwise => give dose }} }}\n}}\n",
        fields.join(", ")
    ));
    let items = vec!["{}"; 1000].join(", ");
    let text = format!("{{\"dose\": \"1 mg\", \"xs\": [{items}]}}");
    let diags = protocol
        .read_patient("patient.json", &text, Format::Json, &[])
        .expect_err("refused");
    let d = diags
        .iter()
        .find(|d| d.code == "posology::input::too_many_values")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_proper(d);
}

// ------------------------------------------------------------------ the work budget

/// A protocol whose condition goes over the list once for each of its items.
const NESTED: &str = "protocol nested {
  version \"1\"
  source \"x\"
  inputs { xs: list of { dose: mg } }
  limit dose <= 100 mg hard
  decide first {
    big: when all(xs, count(xs, dose > 1 mg) > 0) => give 1 mg
    otherwise => give 2 mg
  }
}
";

fn doses(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!("{{\"dose\": \"{} mg\"}}", i % 50))
        .collect();
    format!("{{\"xs\": [{}]}}", items.join(", "))
}

#[test]
fn an_evaluation_over_the_work_budget_gives_no_dose() {
    let protocol = loaded(NESTED);
    // 100 items: 10,000 steps, well within the budget.
    let small = doses(100);
    let patient = protocol
        .read_patient("patient.json", &small, Format::Json, &[])
        .expect("reads");
    let decision = protocol
        .evaluate(&patient, Options::default())
        .expect("decides");
    assert_eq!(decision.status, Status::Give);
    // 3,000 items: nine million steps.
    let big = doses(3000);
    let patient = protocol
        .read_patient("patient.json", &big, Format::Json, &[])
        .expect("reads");
    // With the trace kept, as the REPL decides (the command line's test runs without).
    {
        let d = protocol
            .evaluate(&patient, Options { trace: true })
            .expect_err("over the budget");
        assert_eq!(d.code, "posology::eval::work_budget");
        assert!(
            d.message.contains(&WORK_BUDGET.to_string()),
            "{}",
            d.message
        );
        assert_proper(&d);
        // The outer walk is labelled up to the inner one, which is labelled too.
        let text = &protocol.program().source.text;
        let shown: Vec<&str> = d
            .labels
            .iter()
            .map(|l| &text[l.span.start..l.span.end])
            .collect();
        assert_eq!(shown, ["all(xs, ", "count(xs, dose > 1 mg)"]);
    }
}

#[test]
fn thousands_of_limits_held_against_thousands_of_doses_are_bounded() {
    // 2,000 doses against 2,000 limits, every one broken: four million checks.
    let limits: String = (0..2000)
        .map(|i| format!("  limit dose <= {} mg hard because \"r{i}\"\n", i + 1))
        .collect();
    let gives = " ; give d".repeat(2000);
    let text = format!(
        "protocol gate {{\n  version \"1\"\n  source \"x\"\n  inputs {{ d: mg }}\n{limits}  \
         limit daily <= 1000000 g/day hard\n  decide first {{ otherwise => give d{gives} }}\n}}\n"
    );
    let protocol = loaded(&text);
    let patient = r#"{"d": "6000 mg"}"#;
    let patient = protocol
        .read_patient("patient.json", patient, Format::Json, &[])
        .expect("reads");
    let d = protocol
        .evaluate(&patient, Options::default())
        .expect_err("over the budget");
    assert_eq!(d.code, "posology::eval::work_budget");
    assert_proper(&d);
    // The gate on its own (what `expect limit` asks) refuses too.
    let held = protocol
        .hold_dose(
            &patient,
            posology::eval::Amount::One(
                posology::units::Quantity::parse("6000 mg").expect("a dose"),
            ),
            None,
        )
        .expect("the patient was read for this protocol");
    assert_eq!(held.status, Status::Refused);
    assert!(held.doses.is_empty());
}

#[test]
fn the_command_line_refuses_an_evaluation_over_the_budget() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("work_bounds");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let protocol = dir.join("nested.dose");
    let patient = dir.join("nested.json");
    std::fs::write(&protocol, NESTED).expect("writable");
    std::fs::write(&patient, doses(3000)).expect("writable");
    {
        let format = "json";
        let output = Command::new(env!("CARGO_BIN_EXE_posology"))
            .arg("run")
            .arg(&protocol)
            .arg("--patient")
            .arg(&patient)
            .args(["--format", format])
            .env("NO_COLOR", "1")
            .output()
            .expect("posology runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        // With `--format json` the refusal is JSON diagnostics on stdout, and no decision.
        let stdout = String::from_utf8_lossy(&output.stdout);
        let json: serde_json::Value =
            serde_json::from_str(&stdout).expect("the refusal is printed as JSON");
        let diags = json.as_array().expect("an array of diagnostics");
        assert_eq!(diags.len(), 1, "{stdout}");
        assert_eq!(diags[0]["code"], "posology::eval::work_budget", "{stdout}");
        assert!(json.get("status").is_none() && !stdout.contains("\"doses\""));
    }
}

// ------------------------------------------------------------------ the REPL

#[test]
fn a_repl_list_obeys_the_patient_files_item_limit() {
    std::env::set_current_dir(root()).expect("repository root");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("work_bounds");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let file = dir.join("long_list.json");
    let items = vec![r#"{"dose": "50 mcg", "response": "negative"}"#; MAX_LIST_ITEMS - 1].join(",");
    std::fs::write(&file, format!(r#"{{"test_doses": [{items}]}}"#)).expect("writable");
    let mut session = Session::new(RenderStyle::Plain);
    assert!(
        session
            .load(Path::new("protocols/baclofen_intrathecal.dose"), false)
            .ok
    );
    assert!(session.line(&format!(":patient {}", file.display())).ok);
    // The last item allowed, echoed in brief: the one added and how many came before.
    let reply = session.line("test_doses += { dose: 75 mcg, response: negative }");
    assert!(reply.ok, "{}", reply.text);
    assert_eq!(
        reply.text,
        format!(
            "test_doses = [… {} items, {{dose: 75 mcg, response: negative}}]\n",
            MAX_LIST_ITEMS - 1
        )
    );
    // One more is refused, and the list is left as it was.
    let reply = session.line("test_doses += { dose: 100 mcg, response: negative }");
    assert!(!reply.ok);
    assert!(
        reply.text.contains("posology::input::too_many_items"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains(&format!("{}", MAX_LIST_ITEMS + 1)),
        "{}",
        reply.text
    );
    let reply = session.line("count(test_doses)");
    assert_eq!(reply.text, format!("{MAX_LIST_ITEMS}\n"));
    // So is a list written whole.
    let list = vec!["{ dose: 50 mcg, response: negative }"; MAX_LIST_ITEMS + 1].join(", ");
    let reply = session.line(&format!("test_doses = [{list}]"));
    assert!(!reply.ok);
    assert!(
        reply.text.contains("posology::input::too_many_items"),
        "{}",
        reply.text
    );
    assert_eq!(
        session.line("count(test_doses)").text,
        format!("{MAX_LIST_ITEMS}\n")
    );
}

#[test]
fn lines_added_to_a_list_are_read_in_order() {
    let mut session = Session::new(RenderStyle::Plain);
    std::env::set_current_dir(root()).expect("repository root");
    assert!(
        session
            .load(Path::new("protocols/baclofen_intrathecal.dose"), false)
            .ok
    );
    for dose in [50, 75, 100] {
        assert!(
            session
                .line(&format!(
                    "test_doses += {{ dose: {dose} mcg, response: negative }}"
                ))
                .ok
        );
    }
    assert_eq!(session.line("count(test_doses)").text, "3\n");
    assert_eq!(session.line("last(test_doses).dose").text, "100 mcg\n");
    assert!(
        session
            .line("test_doses += { dose: 50 mcg, response: positive }")
            .ok
    );
    assert_eq!(session.line("count(test_doses)").text, "4\n");
    assert!(session.line(":unset test_doses").ok);
    assert!(
        session
            .line("test_doses += { dose: 50 mcg, response: positive }")
            .ok
    );
    assert_eq!(session.line("count(test_doses)").text, "1\n");
}

#[test]
fn a_hundred_thousand_open_brackets_piped_to_the_repl_end_with_a_diagnostic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_posology"))
        .args(["repl", "protocols/baclofen_oral.dose"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("posology runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all("(\n".repeat(100_000).as_bytes());
    });
    let output = child.wait_with_output().expect("it ends");
    writer.join().expect("written");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.contains("posology::syntax::too_deep"),
        "{}",
        &stdout[..stdout.len().min(2000)]
    );
}

#[test]
fn the_rows_of_a_sweep_share_one_budget() {
    // Each row needs about four million steps (800 items, six steps each per item of the
    // outer walk): the first fits in the budget, the second not.
    let protocol = NESTED
        .replace(
            "inputs { xs: list of { dose: mg } }",
            "inputs { xs: list of { dose: mg }\n    n: count }",
        )
        .replace("dose > 1 mg", "dose > n * 1 mg");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("work_bounds");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join("sweep.dose");
    std::fs::write(&path, protocol).expect("writable");
    let patient = dir.join("sweep.json");
    std::fs::write(&patient, doses(800)).expect("writable");
    let mut session = Session::new(RenderStyle::Plain);
    assert!(session.load(&path, false).ok);
    assert!(session.line(&format!(":patient {}", patient.display())).ok);
    let reply = session.line(":sweep n 1..3 step 1");
    let rows: Vec<&str> = reply.text.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{}", reply.text);
    assert!(rows[0].contains("give"), "{}", reply.text);
    for row in &rows[1..] {
        assert!(
            row.contains("error") && row.contains("steps"),
            "{}",
            reply.text
        );
    }
}

#[test]
fn a_sweep_over_a_choice_is_bounded_like_a_sweep_over_a_range() {
    // 100,000 choices in a protocol under 1 MiB: `:sweep k` made one decision per choice
    // (3.6 s, 100,000 rows) where a range is refused past 100 values.
    let choices: Vec<String> = (0..101).map(|i| format!("c{i}")).collect();
    let protocol = format!(
        "protocol ch {{\n  version \"1\"\n  source \"x\"\n  inputs {{\n    k: {}\n  }}\n  limit dose <= 20 mg hard\n  decide first {{\n    otherwise => give 5 mg\n  }}\n}}\n",
        choices.join(" | ")
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("work_bounds");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join("many_choices.dose");
    std::fs::write(&path, &protocol).expect("writable");
    let mut session = Session::new(RenderStyle::Plain);
    assert!(session.load(&path, false).ok);
    let reply = session.line(":sweep k");
    assert!(!reply.ok, "{}", reply.text);
    assert!(
        reply.text.contains("posology::repl::sweep") && reply.text.contains("101 choices"),
        "{}",
        reply.text
    );
    // A hundred choices are swept.
    let protocol = protocol.replace(" | c100", "");
    std::fs::write(&path, protocol).expect("writable");
    assert!(session.load(&path, false).ok);
    let reply = session.line(":sweep k");
    assert!(reply.ok, "{}", reply.text);
    assert_eq!(reply.text.lines().count(), 101, "{}", reply.text);
}

#[test]
fn inputs_lists_a_choice_of_thousands_in_one_short_line() {
    // The kind column wrote out every choice: 100,000 choices made a 1.7 MB line.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("work_bounds");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let names: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
    let path = dir.join("choices.dose");
    std::fs::write(
        &path,
        format!(
            "protocol big {{\n version \"1\"\n source \"x\"\n inputs {{ pick: {} }}\n \
             limit dose <= 10 mg hard\n decide first {{ otherwise => give 5 mg }}\n}}\n",
            names.join(" | ")
        ),
    )
    .expect("writable");
    let mut session = Session::new(RenderStyle::Plain);
    assert!(session.load(&path, false).ok);
    let reply = session.line(":inputs");
    assert!(reply.ok, "{}", reply.text);
    let longest = reply.text.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 300, "a line of {longest} bytes");
    assert!(reply.text.contains("more characters)"), "{}", reply.text);
}
