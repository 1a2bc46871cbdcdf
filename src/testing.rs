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
    };
    match eval::evaluate(program, &example.given, Options { trace: false }) {
        Ok(decision) => {
            for expect in &example.expects {
                if let Err(found) = holds(program, example, &decision, expect) {
                    result
                        .failures
                        .push(format!("expected `{}`, but {found}", expect.text.trim()));
                }
            }
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
