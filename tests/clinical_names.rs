//! Names from clinical vocabulary, many of which begin with a word of the language (`in` in
//! `indication`, `every` in `every_dose`, `give` in `giver`, `to` in `toxicity`, `if` in
//! `ifosfamide`), used in every place a name goes: inputs declared after a range, conditions,
//! `let` values, `give` lines, `show`, examples; and rule names that are keywords (`daily:`,
//! `in:`). Each generated protocol must parse, check, and round-trip through `posology fmt`.

use posology::check::parse_and_check;
use posology::diagnostics::{render_all, RenderStyle, Source};
use posology::format::format;
use posology::syntax::parse;
use proptest::prelude::*;

/// Input and `let` names: clinical words, drug names and words that begin with a keyword.
const NAMES: &[&str] = &[
    "indication",
    "inr",
    "interval",
    "infusion_rate",
    "index",
    "every_dose",
    "daily_max",
    "giver",
    "from_date",
    "toxicity",
    "byproduct",
    "weight",
    "crcl",
    "scr",
    "age",
    "isoniazid",
    "ifosfamide",
    "tobramycin",
    "orlistat",
    "andexanet",
    "notes",
    "thence",
    "limitation",
    "overdose",
    "forecast",
    "until_stable",
    "starting_dose",
    "roundup",
    "hardness",
    "softener",
    "because_code",
    "source_dose",
    "optional_dose",
    "default_dose",
    "whenever",
    "otherwise_dose",
    "holdover",
    "stopgap",
    "refusal",
    "warning",
    "observed",
    "waiting",
    "letter",
    "decided",
    "givens",
    "expected",
    "inputs_total",
    "scheduled",
    "increased",
    "decreased",
    "router",
    "bolus_count",
    "critically",
    "nextday",
    "afterload",
    "always_on",
    "required",
    "shown",
    "times_per_day",
    "emptying",
    "missing_doses",
    "falsehood",
    "trueness",
    "elsewhere",
    "ordinal",
    "isotonic",
    "inotrope",
    "once_weekly",
    "twice_checked",
];

/// The values of a choice input (none of them is also an input's name).
const CHOICES: &[&str] = &[
    "inpatient",
    "outpatient",
    "initial",
    "intolerant",
    "everyday",
    "toxic",
    "byday",
    "infant",
    "ifneeded",
    "tonight",
    "oncology",
];

/// Rule names: keywords (`daily`, `in`, `otherwise`), forms, and plain names.
const RULES: &[&str] = &[
    "daily",
    "every",
    "in",
    "give",
    "once",
    "twice",
    "if",
    "when",
    "otherwise",
    "always",
    "stop",
    "note",
    "warn",
    "critical",
    "infusion",
    "bolus",
    "tablets",
    "for",
    "over",
    "route",
    "by",
    "from",
    "to",
    "at",
    "indication_rule",
    "low_inr",
];

/// `k` different words of `words`, in random order.
fn distinct(words: &'static [&'static str], k: usize) -> impl Strategy<Value = Vec<&'static str>> {
    Just(words.to_vec())
        .prop_shuffle()
        .prop_map(move |w| w[..k].to_vec())
}

/// A small protocol using six names, two choices and three rule names everywhere they go.
fn protocol(n: &[&str], c: &[&str], r: &[&str]) -> String {
    let (dose, choice, count, level, total, capped) = (n[0], n[1], n[2], n[3], n[4], n[5]);
    let (yes, no) = (c[0], c[1]);
    format!(
        r#"protocol clinical {{
  version "1.0.0"
  source  "generated"
  inputs {{
    phase: | treat
    {dose}: mg in 1 mg..20 mg
    {choice}: {yes} | {no}
    {count}: count in 1..4 default 3
    {level}: number in 0.5..10 optional
  }}
  limit dose <= 20 mg hard because "label"
  limit daily <= 60 mg/day hard because "label"
  let {total} = {dose} * {count} / 1 day
  begin at phase
  phase treat {{
    let {capped} = if {level} is missing then {dose} else {dose} round down to 1 mg
    decide first {{
      {r0}: when {level} is not missing and {level} in 2..3 and {choice} == {yes} => give {dose} {count} times daily ; show {total}
      {r1}: when {total} > 40 mg/day => give {capped} once daily
      {r2}: otherwise => give {dose} every 12 h
    }}
  }}
  example "generated" {{
    given {{ phase: treat, {dose}: 5 mg, {choice}: {yes}, {count}: 2, {level}: 2.5 }}
    expect give 5 mg 2 times daily
    expect given that {total} == 10 mg/day
  }}
}}
"#,
        r0 = r[0],
        r1 = r[1],
        r2 = r[2],
    )
}

/// The tree's debug text with every span blanked.
fn shape(text: &str) -> Result<String, String> {
    let tree = parse(text).map_err(|d| format!("{}\n{text}", d.message))?;
    let debug = format!("{tree:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The protocol checks without errors (warnings are allowed).
fn checks(text: &str) -> Result<(), String> {
    let source = Source::new("generated.dose", text);
    let (program, diags) = parse_and_check(text, &source);
    match program {
        Some(_) => Ok(()),
        None => Err(format!(
            "{}\n{text}",
            render_all(&diags, RenderStyle::Plain)
        )),
    }
}

#[test]
fn the_vocabularies_do_not_overlap_and_hold_no_keyword() {
    for name in NAMES.iter().chain(CHOICES) {
        assert!(
            !posology::syntax::KEYWORDS.contains(name),
            "`{name}` is a keyword"
        );
    }
    assert!(NAMES.iter().all(|n| !CHOICES.contains(n)));
}

#[test]
fn a_hand_written_protocol_of_such_names_round_trips() {
    let text = protocol(
        &[
            "indication",
            "inr",
            "interval",
            "infusion_rate",
            "every_dose",
            "daily_max",
        ],
        &["inpatient", "outpatient"],
        &["daily", "in", "otherwise"],
    );
    checks(&text).unwrap_or_else(|e| panic!("{e}"));
    let once = format(&text).unwrap_or_else(|d| panic!("{}", d.message));
    assert_eq!(shape(&once), shape(&text));
    assert!(
        once.contains(
            "daily: when infusion_rate is not missing and infusion_rate in 2..3 and inr == inpatient"
        ),
        "{once}"
    );
    assert!(once.contains("give daily_max once daily"), "{once}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn clinical_names_parse_check_and_round_trip(
        names in distinct(NAMES, 6),
        choices in distinct(CHOICES, 2),
        rules in distinct(RULES, 3),
    ) {
        let text = protocol(&names, &choices, &rules);
        checks(&text).map_err(TestCaseError::fail)?;
        let once = format(&text).map_err(|d| TestCaseError::fail(format!("{}\n{text}", d.message)))?;
        let (before, after) = (shape(&text), shape(&once));
        prop_assert_eq!(after.map_err(TestCaseError::fail)?, before.map_err(TestCaseError::fail)?, "{}", once);
        checks(&once).map_err(TestCaseError::fail)?;
        let twice = format(&once).map_err(|d| TestCaseError::fail(d.message))?;
        prop_assert_eq!(twice, once);
    }
}

/// `once daily` and `twice daily` mean 1 and 2 times daily wherever a frequency goes (a dose,
/// a schedule, a proposal, `expect give`, `expect limit`); a choice of one value is the phase
/// input; rules are named by keywords. The examples run and pass.
#[test]
fn once_daily_a_choice_of_one_and_keyword_rule_names_run() {
    let text = r#"protocol words {
  version "1.0.0"
  source  "generated"
  inputs {
    phase:      | treat
    indication: spasm | pain
    inr:        number in 0.5..10
    proposed:   mg optional
  }
  limit dose <= 20 mg hard because "label"
  limit daily <= 30 mg/day hard because "label"
  begin at phase
  phase treat {
    decide first {
      daily: when inr in 2..3 and indication == pain => give 5 mg 1 times daily
      every: when inr > 3 => schedule from 5 mg twice daily increase by 5 mg every 3 days until 10 mg
      in: otherwise => give 10 mg twice daily
    }
    proposal proposed once daily {
      allow 5 mg..20 mg because "label"
    }
  }
  example "once" {
    given { phase: treat, indication: pain, inr: 2.5, proposed: 20 mg }
    expect give 5 mg once daily
    expect daily 5 mg/day
    expect proposal allowed
    expect limit refuses 25 mg once daily
    expect limit allows 15 mg twice daily
    expect limit refuses 20 mg 2 times daily
  }
  example "schedule" {
    given { phase: treat, indication: spasm, inr: 4 }
    expect schedule [5 mg, 10 mg]
  }
  example "twice" {
    given { phase: treat, indication: spasm, inr: 1 }
    expect give 10 mg 2 times daily
    expect daily 20 mg/day
  }
}
"#;
    let (protocol, diags) = posology::Protocol::check("words.dose", text);
    let protocol = protocol.unwrap_or_else(|| panic!("{}", render_all(&diags, RenderStyle::Plain)));
    let results = posology::testing::run_examples(&protocol);
    assert_eq!(results.len(), 3);
    for r in results {
        assert!(r.passed(), "{}: {:?} {:?}", r.name, r.failures, r.error);
    }
    let once = format(text).unwrap_or_else(|d| panic!("{}", d.message));
    assert!(once.contains("give 5 mg once daily"), "{once}");
    assert!(once.contains("proposal proposed once daily {"), "{once}");
    assert!(once.contains("give 10 mg 2 times daily"), "{once}");
    assert_eq!(shape(&once), shape(text));
}
