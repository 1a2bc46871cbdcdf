//! The pieces of `posology diff`: input comparison, outcomes, change lines, and the summary's
//! exact dose movements.

use super::*;
use crate::eval::test_support::decide_text;
use crate::Protocol;

fn program(inputs: &str) -> Program {
    let text = format!(
        "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{\n{inputs}\n }}\n limit dose <= 5 mg hard\n decide first {{ otherwise => give 1 mg }}\n}}\n"
    );
    match Protocol::load("t.dose", &text) {
        Ok(p) => p.program().clone(),
        Err(d) => panic!("{d:?}"),
    }
}

#[test]
fn inputs_only_one_protocol_has_or_of_another_kind_block_the_comparison() {
    let old = program("  weight: kg\n  dose: mg\n  gone: bool");
    let new = program("  weight: mL\n  dose: mcg\n  added: count");
    let d = input_differences(&old, &new);
    assert_eq!(
        d.blocking,
        [
            "`weight` is kg in the old protocol but mL in the new",
            "`gone` (true/false) is an input of the old protocol only",
            "`added` (count) is an input of the new protocol only",
        ]
    );
    assert_eq!(
        d.notes,
        ["`dose` is mg in the old protocol but mcg in the new (values convert exactly)"]
    );
}

#[test]
fn a_changed_range_or_default_is_a_note_not_a_refusal() {
    let old = program("  dose: mg in 1 mg..100 mg\n  age: years optional");
    let new = program("  dose: mg in 1 mg..80 mg\n  age: years");
    let d = input_differences(&old, &new);
    assert!(d.blocking.is_empty(), "{d:?}");
    assert_eq!(
        d.notes,
        [
            "`dose` allows 1 mg..100 mg in the old protocol but 1 mg..80 mg in the new",
            "`age` is optional in the old protocol but is required in the new",
        ]
    );
    assert_eq!(input_differences(&old, &old), InputDifferences::default());
}

#[test]
fn a_changed_default_value_is_a_note() {
    let old = program("  n: count in 1..4 default 1");
    let new = program("  n: count in 1..4 default 2");
    let d = input_differences(&old, &new);
    assert!(d.blocking.is_empty(), "{d:?}");
    assert_eq!(
        d.notes,
        ["`n` has one default in the old protocol and another in the new"]
    );
    assert_eq!(input_differences(&old, &old), InputDifferences::default());
}

const BODY: &str = " inputs {\n  n: count\n  proposed: mg optional\n }\n limit dose <= 20 mg hard\n limit daily <= LIMIT hard\n \
    phase only {\n decide first {\n  big: when n > 2 => give 10 mg n times daily ; warn many: \"many doses\"\n  \
    otherwise => give 10 mg\n }\n proposal proposed { allow 5 mg..20 mg because \"policy\" }\n }";

fn gist(limit: &str, patient: &str) -> Gist {
    let text = format!(
        "protocol t {{\n version \"1\"\n source \"s\"\n{}\n}}\n",
        BODY.replace("LIMIT", limit)
    );
    Gist::of(&decide_text(&text, patient).1)
}

#[test]
fn an_outcome_holds_what_a_reviewer_compares() {
    let o = gist("40 mg/day", r#"{"n": 3, "proposed": "30 mg"}"#);
    assert_eq!(o.status, "give");
    assert_eq!(o.rules, ["only.big"]);
    assert_eq!(o.doses, ["10 mg 3 times daily (30 mg/day)"]);
    assert_eq!(
        o.daily,
        Some(Amount::One(Quantity::parse("30 mg/day").unwrap()))
    );
    assert_eq!(o.proposal.as_deref(), Some("refused (5 mg to 20 mg)"));
    assert_eq!(o.messages, ["WARNING many"]);
}

#[test]
fn a_change_line_shows_every_changed_field_old_beside_new_and_nothing_else() {
    let old = gist("40 mg/day", r#"{"n": 3}"#);
    let new = gist("20 mg/day", r#"{"n": 3}"#);
    assert_eq!(
        changed_fields(&old, &new),
        ["status", "rule", "doses", "daily total", "messages"]
    );
    let line = change_line(7, &old, &new);
    assert!(
        line.starts_with("line 7: give → refused; rule: only.big → "),
        "{line}"
    );
    assert!(
        line.contains(
            "; doses: 10 mg 3 times daily (30 mg/day) → none; daily total: 30 mg/day → none"
        ),
        "{line}"
    );
    assert!(line.ends_with("; messages: +CRITICAL limit.hard"), "{line}");
    let same = gist("40 mg/day", r#"{"n": 3}"#);
    assert!(changed_fields(&old, &same).is_empty());
}

fn daily(text: &str) -> Gist {
    let mut o = Gist::failed(Vec::new());
    o.status = "give".into();
    o.rules = vec![format!("r{text}")];
    o.daily = Some(Amount::One(Quantity::parse(text).unwrap()));
    o
}

#[test]
fn the_summary_counts_transitions_and_exact_dose_movements() {
    let mut s = DiffSummary::default();
    // Up by 1/3 mg/day (exactly), by 0.5 mg/day and by 0.5 mg/day again; down by 1 mg/day
    // across units; one the same dose by another rule; one unchanged patient.
    let third = Quantity::parse("1 mg/day")
        .unwrap()
        .div(&Quantity::number(3.into()))
        .unwrap();
    let mut up_third = daily("10 mg/day");
    up_third.daily = Some(Amount::One(
        Quantity::parse("10 mg/day").unwrap().add(&third).unwrap(),
    ));
    assert!(s.add(&daily("10 mg/day"), &up_third));
    assert!(s.add(&daily("10 mg/day"), &daily("10.5 mg/day")));
    assert!(s.add(&daily("20 mg/day"), &daily("20.5 mg/day")));
    assert!(s.add(&daily("2 mg/day"), &daily("1000 mcg/day")));
    let mut same_dose = daily("5 mg/day");
    same_dose.rules = vec!["other".into()];
    assert!(s.add(&daily("5 mg/day"), &same_dose));
    assert!(!s.add(&daily("7 mg/day"), &daily("7 mg/day")));
    assert!(s.add(&daily("7 mg/day"), &Gist::failed(vec!["x::y".into()])));
    assert_eq!((s.patients, s.changed), (7, 6));
    let text = s.text();
    assert!(
        text.contains("up for 3 patients: by ~0.3333 mg/day to 0.5 mg/day (median 0.5 mg/day)"),
        "{text}"
    );
    assert!(
        text.contains("down for 1 patient: by 1 mg/day to 1 mg/day (median 1 mg/day)"),
        "{text}"
    );
    assert!(text.contains("the same for 1 patient"), "{text}");
    assert!(
        text.contains("no total any more (no dose given) for 1 patient"),
        "{text}"
    );
    assert!(text.contains("give → error  1"), "{text}");
    let row = |l: &str| l.trim_start().starts_with("r5 mg/day → other ") && l.ends_with("  1");
    assert!(text.lines().any(row), "{text}");
    let json = s.json();
    assert_eq!(json["daily_total"]["up"]["patients"], 3);
    assert_eq!(json["daily_total"]["up"]["smallest"]["value_exact"], "1/3");
    assert_eq!(json["daily_total"]["down"]["median"]["value"], 1);
}

#[test]
fn an_even_count_has_the_exact_mean_of_the_two_middle_changes_as_median() {
    let mut s = DiffSummary::default();
    s.add(&daily("10 mg/day"), &daily("11 mg/day"));
    s.add(&daily("10 mg/day"), &daily("12 mg/day"));
    assert!(
        s.text()
            .contains("up for 2 patients: by 1 mg/day to 2 mg/day (median 1.5 mg/day)"),
        "{}",
        s.text()
    );
}

fn scheduled(every: &str) -> Gist {
    let text = format!(
        "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{\n  n: count\n }}\n limit dose <= 20 mg hard\n \
         decide first {{ otherwise => schedule from 5 mg 3 times daily increase by 5 mg every {every} until 20 mg }}\n}}\n"
    );
    Gist::of(&decide_text(&text, r#"{"n": 1}"#).1)
}

#[test]
fn a_schedule_that_changes_is_a_change() {
    // The same doses, three times as fast: the doses and totals of the decision are empty,
    // so only the schedule's steps tell the two apart.
    let (old, new) = (scheduled("3 days"), scheduled("1 day"));
    assert!(
        old.schedule[0].starts_with("days 1-3: 5 mg 3 times daily"),
        "{old:?}"
    );
    assert!(
        new.schedule[0].starts_with("day 1: 5 mg 3 times daily"),
        "{new:?}"
    );
    assert_eq!(changed_fields(&old, &new), ["schedule"]);
    let line = change_line(7, &old, &new);
    assert!(
        line.starts_with("line 7: give → give; schedule: days 1-3: 5 mg"),
        "{line}"
    );
    assert!(changed_fields(&old, &scheduled("3 days")).is_empty());
}

#[test]
fn the_same_choices_in_another_order_are_a_note_other_choices_block() {
    let old = program("  site: arm | leg");
    let d = input_differences(&old, &program("  site: leg | arm"));
    assert!(d.blocking.is_empty(), "{d:?}");
    assert_eq!(
        d.notes,
        ["`site` lists the same choices in another order in the new protocol"]
    );
    let d = input_differences(&old, &program("  site: arm | leg | hip"));
    assert_eq!(
        d.blocking,
        ["`site` is arm | leg in the old protocol but arm | leg | hip in the new"]
    );
}

#[test]
fn the_summary_counts_in_the_singular_for_one() {
    let one = DiffSummary {
        patients: 1,
        ..DiffSummary::default()
    };
    assert_eq!(
        one.text(),
        "1 patient: 0 decisions change, 1 stays the same\n"
    );
    let two = DiffSummary {
        patients: 2,
        changed: 1,
        ..DiffSummary::default()
    };
    assert!(
        two.text()
            .starts_with("2 patients: 1 decision changes, 1 stays the same\n"),
        "{}",
        two.text()
    );
}
