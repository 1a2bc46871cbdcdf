//! Every way evaluating a checked protocol for one patient can fail, as data: the one place
//! that turns each kind into its code, message, labels and help. Unit arithmetic keeps its own
//! kinds ([`UnitError`](crate::units::UnitError)); these are the failures only evaluation meets.

use std::fmt;

use super::actions::MAX_SCHEDULE_STEPS;
use super::budget::{Exhausted, WORK_BUDGET};
use crate::diagnostics::{Code, Diagnostic, Span};

/// One failed evaluation (the eval layer's error kind). Each variant carries the spans it
/// labels: they point into the text the program came from, which the caller attaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// A `schedule` whose step is zero or negative.
    ScheduleStep {
        /// The step as shown (`0 mg`).
        step: String,
        /// The schedule.
        span: Span,
    },
    /// A `schedule` that would have more than `MAX_SCHEDULE_STEPS` steps.
    ScheduleTooLong {
        /// Its starting dose.
        from: Span,
    },
    /// A `schedule` interval that is not a whole number of days (or is absurdly long).
    ScheduleInterval {
        /// The interval as shown.
        interval: String,
        /// The interval expression.
        span: Span,
    },
    /// A step of a schedule written step by step whose `for` is not whole days above zero.
    StepDuration {
        /// The duration as shown.
        duration: String,
        /// The duration expression.
        span: Span,
    },
    /// A dose frequency `every T` with T zero or negative.
    Frequency {
        /// The interval as shown.
        interval: String,
        /// The interval expression.
        span: Span,
    },
    /// An `observe` time that worked out to zero or less.
    TimeNotPositive {
        /// The time as shown.
        time: String,
        /// The time's expression.
        span: Span,
    },
    /// The evaluation ran out of its [`WORK_BUDGET`]: no decision, so no dose.
    WorkBudget {
        /// Where the work was being done.
        place: Exhausted,
    },
    /// A value a rule needs is missing for this patient.
    Missing {
        /// What has no value, quoted as written (`` `weight` ``).
        name: String,
        /// The input's name, when the value is an input (the help names it).
        input: Option<String>,
        /// The expression that needs it.
        span: Span,
    },
    /// A `require` of the protocol that the patient's data does not meet.
    Rejected {
        /// The requirement's `because` text.
        because: String,
        /// Its condition.
        span: Span,
    },
    /// No rule of a `decide first` block applies.
    NoDecision {
        /// The protocol or phase, in words ("the protocol", or "the phase" and its quoted name).
        place: String,
        /// The phase's declaration (empty for a protocol without phases).
        span: Span,
    },
    /// A `goto` back to a phase already decided.
    GotoLoop {
        /// The phase it returns to.
        phase: String,
        /// The `goto`.
        span: Span,
    },
    /// A `begin in` choice that names no phase.
    NoPhase {
        /// The choice.
        span: Span,
    },
}

impl EvalError {
    /// The registry code.
    pub fn code(&self) -> Code {
        match self {
            EvalError::ScheduleStep { .. } => Code::EvalScheduleStep,
            EvalError::ScheduleTooLong { .. } => Code::EvalScheduleTooLong,
            EvalError::ScheduleInterval { .. } | EvalError::StepDuration { .. } => {
                Code::EvalScheduleInterval
            }
            EvalError::Frequency { .. } => Code::EvalFrequency,
            EvalError::TimeNotPositive { .. } => Code::EvalTimeNotPositive,
            EvalError::WorkBudget { .. } => Code::EvalWorkBudget,
            EvalError::Missing { .. } => Code::EvalMissing,
            // Found by evaluating the protocol's `require`, but it is the patient's data that
            // is refused: the code is the input layer's.
            EvalError::Rejected { .. } => Code::InputRejected,
            EvalError::NoDecision { .. } => Code::EvalNoDecision,
            EvalError::GotoLoop { .. } => Code::EvalGotoLoop,
            EvalError::NoPhase { .. } => Code::EvalNoPhase,
        }
    }

    /// One sentence saying what is wrong.
    pub fn message(&self) -> String {
        match self {
            EvalError::ScheduleStep { step, .. } => {
                format!("a schedule's step must be more than zero, but is {step}")
            }
            EvalError::ScheduleTooLong { .. } => {
                format!("this schedule would have more than {MAX_SCHEDULE_STEPS} steps")
            }
            EvalError::ScheduleInterval { interval, .. } => {
                format!("a schedule steps every whole number of days, not every {interval}")
            }
            EvalError::StepDuration { duration, .. } => format!(
                "a schedule step lasts a whole number of days, more than zero, not {duration}"
            ),
            EvalError::Frequency { interval, .. } => {
                format!("a dose cannot be given every {interval}")
            }
            EvalError::TimeNotPositive { time, .. } => {
                format!("an observation time must be ahead (more than zero), but is {time}")
            }
            EvalError::WorkBudget { .. } => format!(
                "deciding for this patient takes more than {WORK_BUDGET} steps, so nothing is \
                 decided and no dose is given"
            ),
            EvalError::Missing { name, .. } => {
                format!("{name} has no value for this patient, but this rule needs it")
            }
            EvalError::Rejected { because, .. } => {
                format!("the patient's data is refused: {because}")
            }
            EvalError::NoDecision { place, .. } => {
                format!(
                    "nothing is decided for this patient in {place}: no rule that applies gives, \
                     schedules, holds, waits, stops or refuses"
                )
            }
            EvalError::GotoLoop { phase, .. } => {
                format!("`goto {phase}` returns to a phase already decided")
            }
            EvalError::NoPhase { .. } => "this choice names no phase".to_string(),
        }
    }

    /// The labelled places, the main one first.
    fn labels(&self) -> Vec<(Span, String)> {
        let one = |span: &Span, text: &str| vec![(*span, text.to_string())];
        match self {
            EvalError::ScheduleStep { span, .. } => one(span, "not a step"),
            EvalError::ScheduleTooLong { from } => one(from, "starts here"),
            EvalError::ScheduleInterval { span, .. } | EvalError::StepDuration { span, .. } => {
                one(span, "not whole days")
            }
            EvalError::Frequency { span, .. } => one(span, "not an interval"),
            EvalError::TimeNotPositive { span, .. } => one(span, "not a time ahead"),
            EvalError::WorkBudget { place } => budget_labels(place),
            EvalError::Missing { span, .. } => one(span, "needed here"),
            EvalError::Rejected { span, .. } => one(span, "this requirement does not hold"),
            EvalError::NoDecision { span, .. } => one(span, "nothing decided here"),
            EvalError::GotoLoop { span, .. } => {
                one(span, "goes round in a circle for this patient")
            }
            EvalError::NoPhase { span } => one(span, "no phase for this value"),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            EvalError::ScheduleStep { .. } => "write the size of each change as a positive \
                 amount; `increase`/`decrease` gives the direction"
                .to_string(),
            EvalError::ScheduleTooLong { .. } => {
                "use a larger step, or an `until` (the last dose) closer to where the schedule starts".to_string()
            }
            EvalError::ScheduleInterval { .. } => {
                "write the interval in days, e.g. `every 3 days`".to_string()
            }
            EvalError::StepDuration { .. } => {
                "check the value the step's `for` is worked out from: a step lasts e.g. 1 day or \
                 2 weeks"
                    .to_string()
            }
            EvalError::Frequency { .. } => {
                "the interval between doses must be more than zero".to_string()
            }
            EvalError::TimeNotPositive { .. } => {
                "check the values this time is computed from".to_string()
            }
            EvalError::WorkBudget { .. } => "the protocol does more work than any dosing \
                 decision needs: a condition over a list inside another over the same list \
                 (`all(xs, count(xs, …) …)`) multiplies the steps by the list's length. Work \
                 such values out once in a `let`, or ask for shorter lists in the patient's data"
                .to_string(),
            EvalError::Missing {
                input: Some(input), ..
            } => format!(
                "add `{input}` to the patient's data, or test `{input} is missing` in an earlier \
                 rule"
            ),
            EvalError::Missing { input: None, .. } => {
                "test `is missing` or `is empty` in an earlier rule".to_string()
            }
            EvalError::Rejected { .. } => "correct the patient's data; no dose is decided on \
                 data that makes no clinical sense"
                .to_string(),
            EvalError::NoDecision { .. } => {
                "add an `otherwise` rule with an outcome to the `decide first` block, or an \
                 outcome (`give …`, `hold \"…\"`, `refuse \"…\"`) to the rule that applies: a \
                 rule that only shows values or notes decides nothing"
                    .to_string()
            }
            EvalError::GotoLoop { .. } => {
                "make the conditions of the rules that `goto` exclude each other".to_string()
            }
            EvalError::NoPhase { .. } => "add the phase to the protocol".to_string(),
        }
    }

    /// The crate's diagnostic for this error (the caller attaches the source the spans point
    /// into, when it has one).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut diag = Diagnostic::error(self.code(), self.message());
        for (span, text) in self.labels() {
            diag = diag.with_label(span, text);
        }
        diag.with_help(self.help())
    }
}

/// A walk inside another: the outer one is labelled up to where the inner one starts, so that
/// the two labels do not overlap.
fn budget_labels(place: &Exhausted) -> Vec<(Span, String)> {
    let needs = format!(
        "this needs more than {WORK_BUDGET} steps for this patient's data (its lists, the \
         protocol's rules and limits)"
    );
    match place.inner {
        Some(inner) if place.at.start < inner.start && inner.end <= place.at.end => vec![
            (Span::new(place.at.start, inner.start), needs),
            (
                inner,
                "for each item, this goes over a list again".to_string(),
            ),
        ],
        _ => vec![(place.at, needs)],
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for EvalError {}

impl From<EvalError> for Diagnostic {
    fn from(error: EvalError) -> Self {
        error.to_diagnostic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_walk_gets_two_labels_that_do_not_overlap() {
        let nested = EvalError::WorkBudget {
            place: Exhausted {
                at: Span::new(0, 40),
                inner: Some(Span::new(10, 20)),
            },
        }
        .to_diagnostic();
        let spans: Vec<Span> = nested.labels.iter().map(|l| l.span).collect();
        assert_eq!(spans, [Span::new(0, 10), Span::new(10, 20)]);
        // An inner walk that is not inside the outer one: one label.
        let apart = EvalError::WorkBudget {
            place: Exhausted {
                at: Span::new(0, 5),
                inner: Some(Span::new(10, 20)),
            },
        }
        .to_diagnostic();
        assert_eq!(apart.labels.len(), 1);
    }

    #[test]
    fn a_missing_input_is_named_in_the_help() {
        let missing = |input: Option<&str>| {
            EvalError::Missing {
                name: "`weight`".into(),
                input: input.map(str::to_string),
                span: Span::new(0, 6),
            }
            .help()
        };
        assert!(missing(Some("weight")).starts_with("add `weight` to the patient's data"));
        assert!(missing(None).starts_with("test `is missing`"));
    }

    #[test]
    fn a_refused_requirement_has_the_input_code() {
        let rejected = EvalError::Rejected {
            because: "age is at most 130 years".into(),
            span: Span::new(0, 3),
        };
        assert_eq!(rejected.code(), Code::InputRejected);
        assert_eq!(rejected.to_string(), rejected.to_diagnostic().message);
    }
}
