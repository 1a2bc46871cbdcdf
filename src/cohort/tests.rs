//! Cohort reading and running, on small files built in the test.

use super::*;
use crate::Protocol;

const PROTOCOL: &str = r#"protocol demo {
  title "Demo"
  version "1.0.0"
  source "Demo label"
  drug "demo"
  route "oral"
  inputs {
    weight: kg in 1 kg..300 kg
    doses:  count in 1..4 default 1
  }
  limit dose <= 100 mg hard
  decide first {
    heavy: when weight >= 50 kg => give 50 mg doses times daily
    light: otherwise            => give 25 mg doses times daily
  }
}"#;

fn protocol() -> Protocol {
    Protocol::load("demo.dose", PROTOCOL).expect("the demo protocol checks")
}

fn run_all(text: &str, format: RowFormat, jobs: usize) -> Vec<Outcome> {
    let protocol = protocol();
    let records = Records::new(text.as_bytes(), "patients", format);
    let mut out = Vec::new();
    run(&protocol, records, jobs, |o| out.push(o));
    out
}

/// Each outcome's line number and status, in order.
fn line_statuses(outcomes: &[Outcome]) -> Vec<(usize, &str)> {
    outcomes.iter().map(|o| (o.line, o.status())).collect()
}

#[test]
fn outcomes_come_back_in_input_order_with_their_line_numbers() {
    let mut text = String::new();
    for i in 0..200 {
        if i % 7 == 3 {
            text.push_str("{\"weight\": \"70\"}\n");
        } else if i % 11 == 5 {
            text.push('\n');
        } else {
            text.push_str(&format!("{{\"weight\": \"{} kg\"}}\n", 20 + i));
        }
    }
    let outcomes = run_all(&text, RowFormat::Jsonl, 4);
    let expected: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    let lines: Vec<usize> = outcomes.iter().map(|o| o.line).collect();
    assert_eq!(lines, expected);
    for o in &outcomes {
        let bare = text.lines().nth(o.line - 1) == Some("{\"weight\": \"70\"}");
        assert_eq!(o.failed(), bare, "line {}", o.line);
    }
    let error = outcomes.iter().find(|o| o.failed()).expect("an error row");
    let diags = error.decision.as_ref().expect_err("an error");
    assert_eq!(diags[0].code, "posology::unit::missing");
}

#[test]
fn a_csv_row_is_read_as_the_patient_file_would_be() {
    let text = "weight (kg),doses\n70,3\n,2\n40,\n70,1,9\n";
    let outcomes = run_all(text, RowFormat::Csv, 2);
    let statuses = line_statuses(&outcomes);
    assert_eq!(
        statuses,
        [(2, "give"), (3, "error"), (4, "give"), (5, "error")]
    );
    let missing = outcomes[1].decision.as_ref().expect_err("weight missing");
    assert_eq!(missing[0].code, "posology::input::missing_field");
    let cells = outcomes[3].decision.as_ref().expect_err("too many cells");
    assert_eq!(cells[0].code, "posology::cohort::csv_row");
    let row = csv_row(&outcomes[0]);
    assert_eq!(row[4], "50 mg oral 3 times daily (150 mg/day)");
}

#[test]
fn a_bad_csv_header_refuses_every_row_with_its_reason() {
    let outcomes = run_all("weight,weight\n70 kg,70 kg\n", RowFormat::Csv, 1);
    let diags = outcomes[0].decision.as_ref().expect_err("header");
    assert_eq!(diags[0].code, "posology::cohort::csv_header");
    assert_eq!(outcomes[0].line, 2);
}

#[test]
fn a_bad_csv_header_with_no_row_after_it_is_still_reported() {
    let outcomes = run_all("\nweight,weight\n\n", RowFormat::Csv, 1);
    let lines = line_statuses(&outcomes);
    assert_eq!(lines, [(2, "error")]);
    let diags = outcomes[0].decision.as_ref().expect_err("header");
    assert_eq!(diags[0].code, "posology::cohort::csv_header");
    assert!(run_all("weight (kg)\n", RowFormat::Csv, 1).is_empty());
}

#[test]
fn a_bare_carriage_return_never_hides_a_row() {
    // A file with old Mac line ends is one line: its header is refused, not read as a header
    // with no rows after it.
    let outcomes = run_all("weight (kg),doses\r70,1\r40,2\r", RowFormat::Csv, 1);
    let lines = line_statuses(&outcomes);
    assert_eq!(lines, [(1, "error")]);
    let diags = outcomes[0].decision.as_ref().expect_err("header");
    assert_eq!(diags[0].code, "posology::cohort::csv_header");
    // Within a row, the patient after the CR is not dropped: the row is an error.
    let text = "weight (kg),doses\r\n70,1\r400,2\r\n\"40\r\",1\r\n60,1\r\n";
    let outcomes = run_all(text, RowFormat::Csv, 2);
    let lines = line_statuses(&outcomes);
    assert_eq!(lines, [(2, "error"), (3, "give"), (4, "give")]);
    let diags = outcomes[0]
        .decision
        .as_ref()
        .expect_err("a CR inside the row");
    assert_eq!(diags[0].code, "posology::cohort::csv_row");
    assert!(
        diags[0].message.contains("carriage return"),
        "{}",
        diags[0].message
    );
}

#[test]
fn json_in_a_csv_cell_is_read_as_written() {
    // A record naming a field twice is refused, as in a JSON Lines row, not decided with one
    // of its values; a number keeps every digit it was written with.
    let text = "weight (kg),doses,extra\n70,1,\"{\"\"a\"\": 1, \"\"a\"\": 2}\"\n70,1.000000000000000000001,\n";
    let records: Vec<Record> = Records::new(text.as_bytes(), "p", RowFormat::Csv).collect();
    let first = records[0].text.as_ref().expect("a record");
    assert_eq!(
        first,
        r#"{"weight":"70 kg","doses":1,"extra":{"a": 1, "a": 2}}"#
    );
    let second = records[1].text.as_ref().expect("a record");
    assert_eq!(
        second,
        r#"{"weight":"70 kg","doses":1.000000000000000000001}"#
    );
    let diags = records[0].read(&protocol()).expect_err("a field twice");
    assert!(
        diags
            .iter()
            .any(|d| d.code == "posology::input::duplicate_field"),
        "{diags:?}"
    );
}

#[test]
fn a_row_longer_than_a_patient_file_is_an_error_record() {
    let mut text = "{\"weight\": \"70 kg\"}\n".to_string();
    text.push_str(&"x".repeat(MAX_ROW_BYTES + 10));
    text.push_str("\n{\"weight\": \"70 kg\"}\n");
    let outcomes = run_all(&text, RowFormat::Jsonl, 2);
    let statuses = line_statuses(&outcomes);
    assert_eq!(statuses, [(1, "give"), (2, "error"), (3, "give")]);
    let diags = outcomes[1].decision.as_ref().expect_err("too long");
    assert_eq!(diags[0].code, "posology::io::too_large");
}

#[test]
fn the_summary_counts_and_gives_exact_medians() {
    let text =
        "{\"weight\": \"70 kg\"}\n{\"weight\": \"20 kg\"}\n{\"weight\": \"90 kg\", \"doses\": 2}\n";
    let protocol = protocol();
    let mut summary = Summary::default();
    let records = Records::new(text.as_bytes(), "patients", RowFormat::Jsonl);
    run(&protocol, records, 3, |o| {
        summary.add(protocol.program(), &o)
    });
    let shown = summary.text();
    assert!(shown.contains("cohort: 3 patients: 3 give"), "{shown}");
    assert!(shown.contains("heavy: 2"), "{shown}");
    assert!(
        shown.contains("min 25 mg/day, median 50 mg/day, max 100 mg/day"),
        "{shown}"
    );
}

#[test]
fn a_consumer_that_stops_stops_the_run() {
    let text = "{\"weight\": \"70 kg\"}\n".repeat(2_000);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let protocol = protocol();
        let records = Records::new(text.as_bytes(), "patients", RowFormat::Jsonl);
        let mut seen = Vec::new();
        let finished = run_while(&protocol, records, 4, |o| {
            seen.push(o.line);
            seen.len() < 5
        });
        let _ = tx.send((finished, seen));
    });
    let (finished, seen) = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the run ends once its consumer stops");
    assert!(!finished);
    assert_eq!(seen, [1, 2, 3, 4, 5]);
}

#[test]
fn a_wide_header_is_checked_without_comparing_every_pair_of_columns() {
    // Comparing each of 200,000 names with every other would take hours.
    let mut names: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
    names.push("c5 (mg)".into());
    let err = super::table::header(&names.join(","), "h").expect_err("c5 twice");
    assert!(
        err.message.contains("in columns 6 and 200001"),
        "{}",
        err.message
    );
}

/// Memory stays bounded: while the consumer holds the first outcome, the reader takes no more
/// than the window of batches (plus the one it is filling) from the input.
#[test]
fn the_reader_stays_within_its_window_of_the_consumer() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let text = "{\"weight\": \"70 kg\"}\n".repeat(5_000);
    let taken = AtomicUsize::new(0);
    let records = Records::new(text.as_bytes(), "patients", RowFormat::Jsonl).inspect(|_| {
        taken.fetch_add(1, Ordering::SeqCst);
    });
    let jobs = 2;
    let finished = work_while(
        records,
        jobs,
        |r| r.line,
        |_| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            false
        },
    );
    assert!(!finished);
    let bound = (jobs * BATCHES_IN_FLIGHT_PER_JOB + 1) * ROWS_PER_BATCH;
    let read = taken.load(Ordering::SeqCst);
    assert!(read <= bound, "{read} rows read ahead, bound {bound}");
    assert!(read >= ROWS_PER_BATCH, "{read}");
}

#[test]
fn a_csv_cell_quoted_badly_is_an_error_never_a_value() {
    // Each of these was once read leniently into a dose: an open quote at the end of the file
    // as its text, a cell broken over two lines as its first half, text after a closing quote
    // run on into the value.
    let text = "weight (kg),doses\n\"7\n0\",1\n70,\"1\"2\n70,1\"\n\"70,1\n";
    let outcomes = run_all(text, RowFormat::Csv, 2);
    let lines = line_statuses(&outcomes);
    assert_eq!(
        lines,
        [
            (2, "error"),
            (3, "error"),
            (4, "error"),
            (5, "error"),
            (6, "error")
        ]
    );
    let message = |i: usize| {
        let diags = outcomes[i].decision.as_ref().expect_err("a bad row");
        assert_eq!(diags[0].code, "posology::cohort::csv_row");
        diags[0].message.clone()
    };
    assert!(
        message(0).contains("cell 1 opens a quote that is not closed"),
        "{}",
        message(0)
    );
    assert!(
        message(1).contains("cell 1 holds a quote"),
        "{}",
        message(1)
    );
    assert!(
        message(2).contains("cell 2 has text after its closing quote"),
        "{}",
        message(2)
    );
    assert!(
        message(3).contains("cell 2 holds a quote"),
        "{}",
        message(3)
    );
    assert!(
        message(4).contains("cell 1 opens a quote"),
        "{}",
        message(4)
    );
}

#[test]
fn a_csv_cell_quoted_well_is_read_whole() {
    // Spaces after a quoted cell, an escaped quote inside one, and an empty quoted cell (a
    // value not given) are CSV as spreadsheets write it; a space before the opening quote
    // makes the quotes text (so the `csv` crate reads it), and the row is refused.
    let text = "weight (kg),doses\n\"70\" ,\"3\"\n\"70\",\"\"\n70, \"3\"\n";
    let outcomes = run_all(text, RowFormat::Csv, 1);
    let lines = line_statuses(&outcomes);
    assert_eq!(lines, [(2, "give"), (3, "give"), (4, "error")]);
    assert_eq!(
        csv_row(&outcomes[0])[4],
        "50 mg oral 3 times daily (150 mg/day)"
    );
    assert_eq!(
        csv_row(&outcomes[1])[4],
        "50 mg oral once daily (50 mg/day)"
    );
    assert_eq!(
        super::table::closed_quote(r#"a ""b"" c", 1"#),
        Some(", 1"),
        "an escaped quote does not close the cell"
    );
}

#[test]
fn only_a_formats_own_whitespace_makes_a_blank_line() {
    // A form feed, a vertical tab or a no-break space is not JSON whitespace: the line is a
    // row, refused, not passed over; spaces and tabs are passed over.
    let text = "{\"weight\": \"70 kg\"}\n \t \n\u{c}\n\u{b}\n\u{a0}\n";
    let outcomes = run_all(text, RowFormat::Jsonl, 1);
    let lines = line_statuses(&outcomes);
    assert_eq!(
        lines,
        [(1, "give"), (3, "error"), (4, "error"), (5, "error")]
    );
    // A CSV line of spaces is a row of empty cells (here too few), not a blank line.
    let text = "weight (kg),doses\n70,1\n  \n\n\t\n";
    let outcomes = run_all(text, RowFormat::Csv, 1);
    let lines = line_statuses(&outcomes);
    assert_eq!(lines, [(2, "give"), (3, "error"), (5, "error")]);
}

#[test]
fn a_csv_row_shows_every_schedule_step_with_how_often() {
    let text = r#"protocol titrate {
  version "1.0.0"
  source "Demo label"
  route "oral"
  inputs { weight: kg in 1 kg..300 kg }
  limit daily <= 100 mg/day hard
  decide first {
    start: otherwise => schedule 5 mg once daily for 1 day, then 5 mg 2 times daily for 2 days, then stop
  }
}"#;
    let protocol = Protocol::load("titrate.dose", text).expect("the protocol checks");
    let records = Records::new(
        "{\"weight\": \"70 kg\"}\n".as_bytes(),
        "p",
        RowFormat::Jsonl,
    );
    let mut out = Vec::new();
    run(&protocol, records, 1, |o| out.push(o));
    assert_eq!(
        csv_row(&out[0])[4],
        "schedule day 1: 5 mg once daily oral, days 2-3: 5 mg 2 times daily oral, day 4 on: stop"
    );
}
