//! Errors from parsing units and quantities and from arithmetic on them, each with a stable
//! code, a message in the pharmacist's terms and help saying how to fix it.

use crate::diagnostics::Code;
use thiserror::Error;

use super::dim::Dim;
use super::parse::NumberLimit;
use crate::diagnostics::{Diagnostic, Span};
use crate::display::quoted;

/// Everything that can go wrong with a unit or a quantity.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum UnitError {
    /// A word that is not a unit this language knows.
    #[error("`{}` is not a unit I know", quoted(text))]
    Unknown {
        /// The word as written.
        text: String,
        /// The closest accepted spelling, if one is close.
        suggestion: Option<String>,
    },
    /// An error-prone abbreviation (ISMP list) that is refused on purpose.
    #[error(
        "`{}` is an error-prone abbreviation ({})",
        quoted(text),
        banned_reason(text)
    )]
    Banned {
        /// The abbreviation as written.
        text: String,
        /// The safe spelling to use instead.
        write_instead: String,
    },
    /// Two quantities of different kinds met, e.g. a mass and a volume.
    #[error("{}", mismatch_message(left, right, op))]
    Mismatch {
        /// The kind of the left (or converted) quantity.
        left: Dim,
        /// The kind of the right (or target) quantity.
        right: Dim,
        /// The operation: `add`, `subtract`, `compare`, `convert`, `round`.
        op: &'static str,
    },
    /// A value per an area of body surface given for an input normalised to the standard
    /// 1.73 m^2 (or the other way round): the two convert, but a laboratory that writes
    /// `mL/min/m^2` for an eGFR almost always means per 1.73 m^2, and converting would change
    /// the value 1.73-fold, so the patient's data is refused rather than guessed at.
    #[error(
        "this value is per {}, but it is declared per {} (`{}`)",
        other_area(declared),
        area_of(declared),
        quoted(declared)
    )]
    AreaBasis {
        /// The unit the input is declared in.
        declared: String,
    },
    /// A conversion or quotient that has no exact decimal value.
    #[error("{} cannot be expressed exactly in {}", quoted(from), quoted(to))]
    Inexact {
        /// The quantity (or expression) being converted, as text.
        from: String,
        /// The unit asked for, as text.
        to: String,
    },
    /// A result too large to hold exactly.
    #[error("the result is too large to compute exactly")]
    Overflow,
    /// A division by a zero quantity.
    #[error("division by zero")]
    DivisionByZero,
    /// A number written without a unit where a quantity is needed.
    #[error("this number has no unit")]
    MissingUnit,
    /// A number written in an unsafe or ambiguous way (ISMP safe notation).
    #[error(
        "`{}` is not written in safe notation: {}",
        quoted(text),
        super::parse::notation_reason(text)
    )]
    Notation {
        /// The text as written.
        text: String,
        /// The safe way to write it.
        write_instead: String,
    },
    /// A number with more digits than can be held exactly, or beyond the range of values.
    #[error("value out of range: a number can have at most 28 significant digits and must be below 79228162514264337593543950336")]
    OutOfRange,
    /// A number written with more digits than can be held exactly, or too large, saying which.
    #[error("{}", limit.message(&quoted(text)))]
    Digits {
        /// The number (or quantity) as written.
        text: String,
        /// The limit it passes.
        limit: NumberLimit,
    },
    /// The square root of a negative value (`sqrt` in a formula).
    #[error("the square root of {} is not a number", quoted(value))]
    NegativeRoot {
        /// The value, as shown.
        value: String,
    },
    /// A date moved by a number of days lands outside the calendar that can be computed.
    #[error("{date} {op} {by} is outside the calendar that can be computed (years -9999 to 9999)")]
    DateOutOfRange {
        /// The date moved.
        date: jiff::civil::Date,
        /// `+` or `-`.
        op: char,
        /// The duration it was moved by, as shown (`38 days`).
        by: String,
    },
}

impl UnitError {
    /// The stable machine-readable code, e.g. `posology::unit::mismatch`.
    pub fn code(&self) -> Code {
        match self {
            UnitError::Unknown { .. } => Code::UnitUnknown,
            UnitError::Banned { .. } => Code::UnitBanned,
            UnitError::Mismatch { .. } | UnitError::AreaBasis { .. } => Code::UnitMismatch,
            UnitError::Inexact { .. } => Code::UnitInexact,
            UnitError::Overflow => Code::ValueOverflow,
            UnitError::DivisionByZero => Code::ValueDivisionByZero,
            UnitError::MissingUnit => Code::UnitMissing,
            UnitError::Notation { .. } => Code::UnitNotation,
            UnitError::OutOfRange | UnitError::Digits { .. } => Code::ValueOutOfRange,
            UnitError::DateOutOfRange { .. } => Code::ValueDateOutOfRange,
            UnitError::NegativeRoot { .. } => Code::FormulaSqrtNegative,
        }
    }

    /// How to fix the problem, when there is something useful to say.
    pub fn help(&self) -> Option<String> {
        match self {
            UnitError::Unknown {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}`?")),
            UnitError::Unknown {
                suggestion: None, ..
            } => Some(
                "write a unit such as mg, mcg, g, kg, mL, L, h, day, week, tablets or units"
                    .to_string(),
            ),
            UnitError::Banned { write_instead, .. } => {
                Some(format!("write `{}`", quoted(write_instead)))
            }
            UnitError::Mismatch { left, right, .. } => mismatch_help(left, right),
            UnitError::AreaBasis { declared, .. } => Some(format!(
                "write the value in `{}` as the laboratory reports it (an eGFR is per \
                 1.73 m^2); if it truly is per {}, convert it by hand and write the result \
                 in `{}`, so that the 1.73-fold difference is a decision someone made",
                quoted(declared),
                other_area(declared),
                quoted(declared)
            )),
            UnitError::Inexact { .. } => Some(
                "convert to a unit that divides evenly (e.g. mcg/day instead of mcg/h), \
                 or round explicitly to a step"
                    .to_string(),
            ),
            UnitError::Overflow => Some("check the values: no dose is this large".to_string()),
            UnitError::DivisionByZero => Some(
                "check that the divisor (a concentration, a rate, a number of doses) is not zero"
                    .to_string(),
            ),
            UnitError::MissingUnit => {
                Some("write the unit after the number, e.g. `5 mg`".to_string())
            }
            UnitError::Notation {
                text,
                write_instead,
            } => Some(super::parse::notation_help(text, write_instead)),
            UnitError::OutOfRange => {
                Some("check the number: it has too many digits or is too large".to_string())
            }
            UnitError::Digits { limit, .. } => Some(limit.help().to_string()),
            UnitError::DateOutOfRange { .. } => Some(
                "check the dates and durations in the patient's data: a year such as 9999 or \
                 a duration of thousands of years is a typing slip"
                    .to_string(),
            ),
            UnitError::NegativeRoot { .. } => Some(
                "a formula under `sqrt` must not be negative: check the patient's values and \
                 the formula (a subtraction such as `140 - age` turns negative past its range)"
                    .to_string(),
            ),
        }
    }

    /// A few words for the label under the offending text.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            UnitError::Unknown { .. } => "unknown unit",
            UnitError::Banned { .. } => "error-prone abbreviation",
            UnitError::Mismatch { .. } => "these quantities are of different kinds",
            UnitError::AreaBasis { .. } => "not per the declared body surface area",
            UnitError::Inexact { .. } => "not exact",
            UnitError::Overflow => "too large",
            UnitError::DivisionByZero => "division by zero",
            UnitError::MissingUnit => "unit missing",
            UnitError::Notation { .. } => "unsafe notation",
            UnitError::OutOfRange => "out of range",
            UnitError::Digits { limit, .. } => limit.label(),
            UnitError::DateOutOfRange { .. } => "date out of range",
            UnitError::NegativeRoot { .. } => "negative under the square root",
        }
    }

    /// The crate's diagnostic for this error, labelled at `span` (the text it came from).
    pub fn to_diagnostic(&self, span: Span) -> Diagnostic {
        let diag = Diagnostic::error(self.code(), self.to_string()).with_label(span, self.label());
        match self.help() {
            Some(help) => diag.with_help(help),
            None => diag,
        }
    }
}

/// The body surface a unit is per, as a reader says it.
fn area_of(unit_text: &str) -> &'static str {
    if unit_text.contains("1.73") {
        "1.73 m^2"
    } else {
        "m^2 of body surface"
    }
}

/// The basis the declared unit is not per: what the value given is per.
fn other_area(declared: &str) -> &'static str {
    if declared.contains("1.73") {
        "m^2 of body surface"
    } else {
        "1.73 m^2"
    }
}

/// `Some(v)` as `Ok(v)` and `None` as [`UnitError::Overflow`]. Unlike
/// `ok_or(UnitError::Overflow)` it builds (and drops) no error value when there is none, which
/// matters on the paths every evaluation takes.
pub(crate) fn or_overflow<T>(value: Option<T>) -> Result<T, UnitError> {
    match value {
        Some(v) => Ok(v),
        None => Err(UnitError::Overflow),
    }
}

/// Why an abbreviation is banned (ISMP list of error-prone abbreviations).
fn banned_reason(text: &str) -> &'static str {
    match text.to_lowercase().as_str() {
        "u" => "it is misread as 0 or 4, causing a tenfold overdose",
        "iu" => "it is misread as IV or 10",
        "cc" => "it is misread as U or 00",
        "mu" | "miu" => "M is read as a thousand as well as a million, and U as 0 or 4",
        _ => "it is easily misread",
    }
}

fn mismatch_message(left: &Dim, right: &Dim, op: &str) -> String {
    let (l, r) = (left.describe(), right.describe());
    match op {
        "convert" => format!("cannot convert {l} to {r}"),
        "compare" => format!("cannot compare {l} with {r}"),
        "round" => format!("cannot round {l} to a step that is {r}"),
        _ => format!("cannot {op} {l} and {r}"),
    }
}

fn mismatch_help(left: &Dim, right: &Dim) -> Option<String> {
    let calendar = |d: &Dim| d.calendar != 0;
    let time = |d: &Dim| d.time != 0;
    if (calendar(left) && time(right)) || (time(left) && calendar(right)) {
        return Some(
            "months and years have no fixed number of days: write the duration in days or \
             weeks, or the age in months or years"
                .to_string(),
        );
    }
    if let Some(why) = left.why_not_convertible(right) {
        return Some(why.to_string());
    }
    Some("check the units on both sides".to_string())
}
