//! `posology cohort` end to end, on input that a fixture file cannot hold or that comes on
//! standard input: rows written back in input order with `--jobs 4`, error rows keeping their
//! line numbers, standard input in both formats, and the JSON summary.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::root;
use serde_json::Value as Json;

const PROTOCOL: &str = "protocols/baclofen_intrathecal.dose";

/// Runs `posology cohort PROTOCOL ARGS…` with `stdin` piped in.
fn cohort(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_posology"))
        .arg("cohort")
        .arg(PROTOCOL)
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("posology starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    // A run that fails early may close its input: a broken pipe here is not the test's failure.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("posology runs")
}

/// The output's JSON records.
fn records(output: &Output) -> Vec<Json> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// A file in the system's temporary directory, named for this test process.
fn temp_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("posology-cohort-{}-{name}", std::process::id()))
}

fn patient(i: usize) -> String {
    match i % 5 {
        0 => format!(
            "{{\"phase\": \"titration\", \"origin\": \"spinal\", \"age\": \"{} years\", \
             \"daily_dose\": \"{} mcg/day\", \"hours_since_change\": \"24 h\", \
             \"response\": \"inadequate\"}}",
            20 + i % 50,
            100 + 10 * (i % 30)
        ),
        1 => "{\"phase\": \"screening\", \"origin\": \"spinal\", \"age\": 34}".to_string(),
        2 => String::new(),
        _ => format!(
            "{{\"phase\": \"screening\", \"origin\": \"cerebral\", \"age\": \"{} years\"}}",
            i % 90
        ),
    }
}

#[test]
fn decisions_come_back_in_input_order_and_errors_keep_their_line() {
    let lines: Vec<String> = (0..300).map(patient).collect();
    let path = temp_file("order.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("temp file is writable");
    let path_text = path.display().to_string();
    let output = cohort(&["--patients", &path_text, "--jobs", "4"], "");
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(1), "an error row fails the run");
    let records = records(&output);
    let expected: Vec<u64> = (0..300u64).filter(|i| i % 5 != 2).map(|i| i + 1).collect();
    let found: Vec<u64> = records.iter().filter_map(|r| r["line"].as_u64()).collect();
    assert_eq!(found, expected);
    for r in &records {
        let line = r["line"].as_u64().expect("a line number");
        let error = r["status"] == "error";
        assert_eq!(error, (line - 1) % 5 == 1, "line {line}: {r}");
        if error {
            assert_eq!(r["diagnostics"][0]["code"], "posology::input::bare_number");
            let file = format!("{path_text}, line {line}");
            assert_eq!(r["diagnostics"][0]["file"], Json::String(file));
        }
    }
}

#[test]
fn standard_input_is_jsonl_unless_told_csv() {
    let jsonl = "{\"phase\": \"screening\", \"origin\": \"spinal\", \"age\": \"34 years\"}\n\n\
                 {\"phase\": \"screening\", \"origin\": \"cerebral\", \"age\": \"3 years\"}\n";
    let output = cohort(&["--patients", "-"], jsonl);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let statuses: Vec<(u64, String)> = records(&output)
        .iter()
        .map(|r| (r["line"].as_u64().unwrap_or(0), r["status"].to_string()))
        .collect();
    assert_eq!(
        statuses,
        [(1, "\"give\"".to_string()), (3, "\"refused\"".to_string())]
    );
    let csv = "phase,origin,age (years)\nscreening,spinal,34\n";
    let output = cohort(
        &[
            "--patients",
            "-",
            "--input-format",
            "csv",
            "--format",
            "csv",
        ],
        csv,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("line,status,phase,rule,doses"),
        "{stdout}"
    );
    assert!(stdout.contains("\n2,give,screening,"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cohort: 1 patient: 1 give"), "{stderr}");
}

#[test]
fn the_summary_is_written_as_json_with_exact_doses() {
    let path = temp_file("summary.json");
    let path_text = path.display().to_string();
    let output = cohort(
        &[
            "--patients",
            "protocols/baclofen_intrathecal/cohort.jsonl",
            "--summary-json",
            &path_text,
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = std::fs::read_to_string(&path).expect("the summary is written");
    let _ = std::fs::remove_file(&path);
    let summary: Json = serde_json::from_str(&text).expect("the summary is JSON");
    assert_eq!(summary["patients"], 15);
    assert_eq!(summary["statuses"]["give"], 14);
    assert_eq!(summary["statuses"]["refused"], 1);
    assert_eq!(summary["soft_limits_warned"]["daily <= 1000 mcg/day"], 3);
    let screening = summary["doses"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["phase"] == "screening"))
        .expect("screening doses");
    assert_eq!(
        screening["median"].to_string(),
        r#"{"value":62.5,"unit":"mcg"}"#
    );
}

#[test]
fn a_closed_output_ends_the_run_quietly() {
    let path = temp_file("closed.jsonl");
    let row = "{\"phase\": \"screening\", \"origin\": \"spinal\", \"age\": \"34 years\"}\n";
    std::fs::write(&path, row.repeat(20_000)).expect("temp file is writable");
    let mut child = Command::new(env!("CARGO_BIN_EXE_posology"))
        .args(["cohort", PROTOCOL, "--patients"])
        .arg(&path)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("posology starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).expect("a first record");
    drop(stdout);
    let output = child.wait_with_output().expect("posology ends");
    let _ = std::fs::remove_file(&path);
    assert!(
        first.starts_with("{\"line\":1,\"status\":\"give\""),
        "{first}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let summary = stderr.lines().next().unwrap_or_default();
    assert!(!summary.contains("20000 patients"), "{stderr}");
    // The rows after the first were never decided: not a success (as for `diff`).
    assert_eq!(output.status.code(), Some(1), "{stderr}");
}
