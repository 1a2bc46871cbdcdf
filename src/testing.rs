//! Runs a protocol's examples (`posology test`): each `given` patient is evaluated and every
//! `expect` line is compared with the decision.

use crate::check::{ExampleSpec, ExpectSpec, ExpectSpecKind, FrequencySpec, Level, Program};
use crate::diagnostics::Diagnostic;
use crate::eval::{self, Amount, Decision, Env, Options, ReasonKind};
use crate::value::Value;

/// The outcome of one example.
#[derive(Debug)]
pub struct ExampleResult {
    /// The example's name.
    pub name: String,
    /// The expectations that did not hold, each with what was found instead.
    pub failures: Vec<String>,
    /// A run-time error instead of a decision.
    pub error: Option<Diagnostic>,
    /// The decision, when one was made.
    pub decision: Option<Decision>,
    /// Rules, limits and requirements this example exercised (for coverage).
    pub fired: Vec<String>,
}

impl ExampleResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }
}

/// Runs every example of a checked protocol.
pub fn run_examples(program: &Program) -> Vec<ExampleResult> {
    program
        .examples
        .iter()
        .map(|e| run_example(program, e))
        .collect()
}

fn run_example(program: &Program, example: &ExampleSpec) -> ExampleResult {
    let mut result = ExampleResult {
        name: example.name.clone(),
        failures: Vec::new(),
        error: None,
        decision: None,
        fired: Vec::new(),
    };
    let rejected: Vec<String> = match eval::unmet_requirements(program, &example.given) {
        Ok(unmet) => unmet.iter().map(|u| u.require.because.clone()).collect(),
        Err(d) => {
            result.error = Some(d);
            return result;
        }
    };
    let expects_rejection = example
        .expects
        .iter()
        .any(|e| matches!(e.kind, ExpectSpecKind::Rejected(_)));
    if expects_rejection || !rejected.is_empty() {
        for expect in &example.expects {
            let ok = match &expect.kind {
                ExpectSpecKind::Rejected(text) => rejected
                    .iter()
                    .any(|r| text.as_ref().is_none_or(|t| r.contains(t.as_str()))),
                _ => false,
            };
            if !ok {
                let found = if rejected.is_empty() {
                    "the data is accepted".to_string()
                } else {
                    format!("the data is refused: {}", rejected.join("; "))
                };
                result
                    .failures
                    .push(format!("expected `{}`, but {found}", expect.text.trim()));
            }
        }
        for id in example_rejected_ids(program, &example.given) {
            result.fired.push(id);
        }
        return result;
    }
    match eval::evaluate(program, &example.given, Options { trace: false }) {
        Ok(decision) => {
            for expect in &example.expects {
                if let Err(found) = holds(program, example, &decision, expect) {
                    result
                        .failures
                        .push(format!("expected `{}`, but {found}", expect.text.trim()));
                }
            }
            result.fired.extend(decision.fired.iter().cloned());
            result.decision = Some(decision);
        }
        Err(d) => result.error = Some(d),
    }
    result
}

fn holds(
    program: &Program,
    example: &ExampleSpec,
    d: &Decision,
    expect: &ExpectSpec,
) -> Result<(), String> {
    match &expect.kind {
        ExpectSpecKind::Status(s) => check(d.status.word() == s, || {
            format!("the status is {}", d.status.word())
        }),
        ExpectSpecKind::Give(value, freq) => {
            let found = d.doses.iter().any(|dose| {
                same_amount(&dose.amount, value)
                    && same_frequency(program, example, dose, freq.as_ref())
            });
            check(found, || {
                let doses: Vec<String> = d
                    .doses
                    .iter()
                    .map(|x| {
                        crate::report::text::amount(&x.amount)
                            + &x.frequency
                                .as_ref()
                                .map(|f| format!(" {}", f.text))
                                .unwrap_or_default()
                    })
                    .collect();
                if doses.is_empty() {
                    format!("no dose is given (status {})", d.status.word())
                } else {
                    format!("the doses are: {}", doses.join("; "))
                }
            })
        }
        ExpectSpecKind::Schedule(want) => {
            let got: Vec<_> = d
                .schedule
                .iter()
                .flat_map(|s| s.steps.iter().filter_map(|st| st.dose.clone()))
                .collect();
            let same = got.len() == want.len()
                && got
                    .iter()
                    .zip(want)
                    .all(|(a, b)| a.compare(b).is_ok_and(|o| o.is_eq()));
            check(same, || {
                let shown: Vec<String> = got.iter().map(ToString::to_string).collect();
                format!("the schedule is [{}]", shown.join(", "))
            })
        }
        ExpectSpecKind::Warn(text) => message(d, text, |l| l >= Level::Warning),
        ExpectSpecKind::Note(text) => message(d, text, |l| l == Level::Info),
        ExpectSpecKind::Stop(text) => {
            let stopped = d.reasons.iter().any(|r| {
                r.kind == ReasonKind::Stop
                    && text.as_ref().is_none_or(|t| r.text.contains(t.as_str()))
            });
            check(stopped, || format!("the status is {}", d.status.word()))
        }
        ExpectSpecKind::Proposal(allowed) => match &d.proposal {
            Some(p) => check(p.allowed == *allowed, || {
                format!(
                    "the proposal is {} ({})",
                    if p.allowed { "allowed" } else { "refused" },
                    p.reason
                )
            }),
            None => Err("there is no proposal".into()),
        },
        ExpectSpecKind::Phase(i) => {
            let name = &program.phases[*i].name;
            check(&d.phase == name, || format!("the phase is {}", d.phase))
        }
        ExpectSpecKind::Rejected(_) => Err("the data is accepted".into()),
        ExpectSpecKind::That(c) => {
            let mut env = Env::new(program, &example.given);
            match env.truth(c) {
                Ok(b) => check(b, || "it is false".into()),
                Err(e) => Err(format!("it cannot be evaluated: {}", e.message)),
            }
        }
    }
}

fn check(ok: bool, found: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(found())
    }
}

fn message(d: &Decision, text: &str, level: impl Fn(Level) -> bool) -> Result<(), String> {
    let found = d
        .messages
        .iter()
        .any(|m| level(m.level) && m.text.contains(text));
    check(found, || {
        let texts: Vec<&str> = d
            .messages
            .iter()
            .filter(|m| level(m.level))
            .map(|m| m.text.as_str())
            .collect();
        if texts.is_empty() {
            "there is no such message".into()
        } else {
            format!("the messages are: {}", texts.join(" | "))
        }
    })
}

fn same_amount(a: &Amount, v: &Value) -> bool {
    let eq = |x: &crate::units::Quantity, y: &Value| matches!(y, Value::Num(q) if x.compare(q).is_ok_and(|o| o.is_eq()));
    match (a, v) {
        (Amount::One(x), Value::Num(_)) => eq(x, v),
        (Amount::Range(lo, hi), Value::Range(r)) => eq(lo, &r.0) && eq(hi, &r.1),
        _ => false,
    }
}

fn same_frequency(
    program: &Program,
    example: &ExampleSpec,
    dose: &eval::Dose,
    want: Option<&FrequencySpec>,
) -> bool {
    let Some(want) = want else {
        return true;
    };
    let Some(f) = &dose.frequency else {
        return false;
    };
    let mut env = Env::new(program, &example.given);
    match want {
        FrequencySpec::TimesDaily(n) => match (env.num(n), &f.times_per_day) {
            (Ok(n), Some(got)) => n.compare(got).is_ok_and(|o| o.is_eq()),
            _ => false,
        },
        FrequencySpec::Every(t) => match (env.num(t), &f.every) {
            (Ok(t), Some(got)) => t.compare(got).is_ok_and(|o| o.is_eq()),
            _ => false,
        },
    }
}

/// The ids of the requirements a patient's data fails.
pub fn example_rejected_ids(program: &Program, given: &[Value]) -> Vec<String> {
    eval::unmet_requirements(program, given)
        .map(|u| u.iter().map(|x| x.require.id.clone()).collect())
        .unwrap_or_default()
}

/// A patient case file run through the protocol.
#[derive(Debug)]
pub struct CaseResult {
    /// The case file.
    pub path: std::path::PathBuf,
    /// What it exercised: fired rules, acted limits, failed requirements.
    pub fired: Vec<String>,
    /// Why it could not be run, if it could not (a rejected case still counts its requirement).
    pub error: Option<String>,
}

/// The patient cases beside a protocol: `protocols/x.dose` → `protocols/x/cases/*`.
pub fn case_files(protocol: &std::path::Path) -> Vec<std::path::PathBuf> {
    let dir = protocol.with_extension("").join("cases");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| crate::input::Format::from_path(p).is_some());
    files.sort();
    files
}

/// Runs one case file and records what it exercised.
pub fn run_case(program: &Program, path: &std::path::Path) -> CaseResult {
    let mut result = CaseResult {
        path: path.to_path_buf(),
        fired: Vec::new(),
        error: None,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let Some(format) = crate::input::Format::from_path(path) else {
        return result;
    };
    let source = crate::diagnostics::Source::new(path.display().to_string(), text.as_str());
    match crate::input::read_patient(program, &text, format, &source, &[]) {
        Ok(values) => match eval::evaluate(program, &values, Options { trace: false }) {
            Ok(d) => result.fired = d.fired,
            Err(d) => result.error = Some(d.message),
        },
        Err(diags) => {
            // A case that shows a refused input exercises the requirement that refused it.
            for d in &diags {
                if let Some(r) = program
                    .requires
                    .iter()
                    .find(|r| d.message.ends_with(&r.because))
                {
                    result.fired.push(r.id.clone());
                }
            }
            result.error = Some(
                diags
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
    }
    result
}

/// The rules, proposal rules, limits and requirements that nothing exercised.
pub fn unexercised<'a>(
    program: &Program,
    fired: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    let seen: std::collections::HashSet<&String> = fired.into_iter().collect();
    program
        .coverable_ids()
        .into_iter()
        .filter(|id| !seen.contains(id))
        .collect()
}

/// One kind of thing coverage counts, and which of them nothing exercised.
#[derive(Debug)]
pub struct CoverageGroup {
    /// What is counted and what exercising one means ("hard limits (refused or capped a dose)").
    pub what: &'static str,
    /// How many the protocol has.
    pub total: usize,
    /// The ids nothing exercised.
    pub missing: Vec<String>,
}

/// Coverage by kind, each with its own meaning of "exercised": a rule fired; a proposal rule
/// decided a proposal; a hard limit refused a dose, a proposal or a schedule step, or capped a
/// range; a soft limit warned; a requirement refused a patient's data. A limit that was merely
/// compared with a dose that it allowed does not count.
pub fn coverage<'a>(
    program: &Program,
    fired: impl IntoIterator<Item = &'a String>,
) -> Vec<CoverageGroup> {
    let seen: std::collections::HashSet<&String> = fired.into_iter().collect();
    let group = |what, ids: Vec<String>| CoverageGroup {
        what,
        total: ids.len(),
        missing: ids.into_iter().filter(|id| !seen.contains(id)).collect(),
    };
    let proposal_rules = program
        .phases
        .iter()
        .filter_map(|p| p.proposal.as_ref())
        .flat_map(|p| p.rules.iter().map(|r| r.id.clone()))
        .collect();
    let limits = |hard: bool| {
        program
            .limits
            .iter()
            .filter(|l| l.hard == hard)
            .map(|l| l.id.clone())
            .collect()
    };
    vec![
        group("rules (fired)", program.rule_ids()),
        group("proposal rules (decided a proposal)", proposal_rules),
        group("hard limits (refused or capped a dose)", limits(true)),
        group("soft limits (warned)", limits(false)),
        group(
            "requirements (refused a patient's data)",
            program.requires.iter().map(|r| r.id.clone()).collect(),
        ),
    ]
}
