//! The reports on decisions the bundled protocols never make: refusals by the gate, doses given
//! less than daily, non-terminating values.

use crate::check::Program;
use crate::eval::test_support::decide_text;
use crate::eval::Decision;

fn decide(body: &str, patient: &str) -> (Program, Decision) {
    let text = format!("protocol t {{\n version \"1\"\n source \"s\"\n{body}\n}}\n");
    decide_text(&text, patient)
}

const LIMITS: &str = " limit dose <= 20 mg hard\n limit daily <= 80 mg/day hard because \"label maximum\" source \"PI 2.1\"";

#[test]
fn a_refused_decision_prints_no_dose_and_names_the_limit() {
    let (p, d) = decide(
        &format!(" inputs {{ n: count }}\n{LIMITS}\n decide first {{ otherwise => give 20 mg n times daily }}"),
        r#"{"n": 5}"#,
    );
    let text = super::text::decision(&p, &d, false);
    assert!(text.contains("Status: REFUSED"), "{text}");
    assert!(!text.contains("Give:"), "{text}");
    assert!(
        text.contains("100 mg/day, above the hard limit daily <= 80 mg/day: label maximum"),
        "{text}"
    );
    assert!(text.contains("PI 2.1"), "{text}");
    let json = super::json::decision(&p, &d, false);
    assert_eq!(json["status"], "refused");
    assert_eq!(json["doses"].as_array().map(Vec::len), Some(0));
    assert!(json["schedule"].is_null());
}

#[test]
fn a_weekly_dose_shows_no_daily_total() {
    let (p, d) = decide(
        &format!(" inputs {{ x: bool optional }}\n{LIMITS}\n decide first {{ otherwise => give 20 mg every 1 week }}"),
        "{}",
    );
    let text = super::text::decision(&p, &d, false);
    assert!(text.contains("20 mg every 1 week  ["), "{text}");
    assert!(
        !text.contains("mg/day)"),
        "a weekly dose must not read as a daily one: {text}"
    );
    let (p, d) = decide(
        &format!(" inputs {{ x: bool optional }}\n{LIMITS}\n decide first {{ otherwise => give 20 mg every 6 h }}"),
        "{}",
    );
    let text = super::text::decision(&p, &d, false);
    assert!(text.contains("20 mg every 6 h (80 mg/day)"), "{text}");
}

#[test]
fn safe_notation_and_exact_values() {
    let (p, d) = decide(
        &format!(" inputs {{ x: bool optional }}\n{LIMITS}\n decide first {{ otherwise => give 0.5 mg..(20 mg / 3) 3 times daily ; show third }}\n let third = 2 mg / 3"),
        "{}",
    );
    let text = super::text::decision(&p, &d, false);
    assert!(
        text.contains("0.5 mg to ~6.6667 mg 3 times daily"),
        "{text}"
    );
    assert!(!text.contains(" .5"), "{text}");
    let json = super::json::decision(&p, &d, false);
    let dose = &json["doses"][0]["amount"];
    assert_eq!(dose["max_exact"], "20/3", "{json}");
    assert_eq!(dose["approximate"], true, "{json}");
    assert!(dose.get("min_exact").is_none(), "0.5 is exact: {json}");
}

#[test]
fn a_shown_text_is_the_text_itself_in_json() {
    let (p, d) = decide(
        &format!(" inputs {{\n label: text optional\n pump: a | b optional\n }}\n{LIMITS}\n decide first {{ otherwise => give 5 mg ; show label, pump }}"),
        r#"{"label": "say \"hi\"", "pump": "a"}"#,
    );
    let json = super::json::decision(&p, &d, false);
    assert_eq!(json["values"]["label"], "say \"hi\"", "{json}");
    assert_eq!(json["values"]["pump"], "a", "{json}");
    let mut fast = Vec::new();
    super::json::decision_into(&mut fast, &p, &d);
    let fast: serde_json::Value = serde_json::from_slice(&fast).unwrap_or_default();
    assert_eq!(
        fast["values"], json["values"],
        "the two JSON writers must agree"
    );
    // The text report keeps the quotes that set a text apart from a name.
    let text = super::text::decision(&p, &d, false);
    assert!(text.contains("label = \"say"), "{text}");
}
