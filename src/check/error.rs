//! Every problem the checker finds in a protocol, as data: the one place that turns each kind
//! into its code, severity, message, labels and help. The checker works out what each kind
//! needs from the program (how a type is described, which names are close); the words are here.
//! Unit problems keep the unit layer's kinds ([`UnitError`]).

use std::fmt;

use super::consts::MAX_RECORD_CELLS;
use super::declare::MAX_LET_DEPTH;
use super::expr::MAX_CHECK_DEPTH;
use super::{Invalid, MAX_DIAGNOSTICS};
use crate::diagnostics::{Code, Diagnostic, Severity, Span};
use crate::display::quoted;
use crate::units::UnitError;

/// Which `expect` wants a written-out dose (each says what it wants in its own words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// `expect give …`.
    Give,
    /// `expect daily …`.
    Daily,
    /// The range of `expect proposal allowed range …`.
    ProposalRange,
    /// `expect limit refuses|allows …`.
    Limit,
}

/// What is wrong with a brace in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaceholderProblem {
    /// A `{` with no `}` after it.
    Unclosed,
    /// A `}` with no `{` before it.
    StrayClose,
    /// `{}` with nothing (or only spaces) inside.
    Empty,
    /// Braces around text that is not an expression; the reader's complaint.
    NotAValue(String),
}

impl PlaceholderProblem {
    fn message(&self) -> String {
        match self {
            Self::Unclosed => "this `{` in a message is never closed".to_string(),
            Self::StrayClose => "this `}` in a message closes no `{`".to_string(),
            Self::Empty => "this `{}` in a message shows nothing".to_string(),
            Self::NotAValue(why) => {
                // The value was read on its own, so its end is the closing brace.
                let why = why.replace("the end of the file", "the closing `}`");
                format!("the braces in a message must hold a value to show: {why}")
            }
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Unclosed => "opened here, never closed",
            Self::StrayClose => "no `{` before it",
            Self::Empty => "empty",
            Self::NotAValue(_) => "not a value",
        }
    }

    fn help(&self) -> &'static str {
        match self {
            Self::Unclosed => {
                "close it after the value, e.g. `{daily_dose}`; write `{{` for a brace as text"
            }
            Self::StrayClose => "write `}}` for a brace as text",
            Self::Empty | Self::NotAValue(_) => {
                "write a name or an expression inside the braces, e.g. `{daily_dose}` or \
                 `{dose * 2}`; write `{{` and `}}` for braces as text"
            }
        }
    }
}

/// One problem found by the checker (the check layer's error kind).
#[derive(Clone, Debug, PartialEq)]
pub enum CheckError {
    /// A problem with a `table` (its own kinds: `check::table`).
    Table(super::TableProblem),
    // --- Declarations ---
    /// A header line every protocol must have.
    HeaderMissing {
        /// `version` or `source`.
        key: &'static str,
        /// How the line is written.
        example: &'static str,
        /// The protocol's name.
        span: Span,
    },
    /// A value that may be missing, used unguarded where one is needed.
    MaybeMissing {
        /// The use, as written.
        used: String,
        /// Why it may be missing.
        cause: String,
        /// The use.
        span: Span,
        /// Where it goes missing: the optional input's (or field's) declaration, or the
        /// `first`/`last` call inside a `let`.
        declared: Option<Span>,
        /// The optional input, when a `default` would do.
        default_of: Option<String>,
        /// The list that may be empty, as written, for `first`/`last`/`min`/`max`.
        list: Option<String>,
        /// The `let` used and where it is defined, when the use is one.
        via: Option<(String, Span)>,
    },
    /// A name declared twice.
    Duplicate {
        /// What kind of name ("input", "phase", …).
        what: &'static str,
        /// The name.
        name: String,
        /// The second declaration.
        again: Span,
        /// The first.
        first: Span,
    },
    /// A brace in a message that is not a `{value}` placeholder.
    Placeholder {
        /// What is wrong with it.
        problem: PlaceholderProblem,
        /// The brace, or the braces and what they hold.
        span: Span,
    },
    /// An input both optional and with a default.
    OptionalAndDefault {
        /// The input.
        name: String,
        /// `optional`.
        optional: Span,
        /// The default.
        default: Span,
    },
    /// A type that is neither a unit nor a known type.
    UnknownType {
        /// The word.
        name: String,
        /// A close spelling.
        similar: Option<String>,
        /// The word's span.
        span: Span,
    },
    /// An allowed range not written `low..high`.
    RangeNotARange {
        /// The range.
        span: Span,
    },
    /// Two `convert`s of one input to the same kind of unit.
    ConversionTwice {
        /// The input.
        input: String,
        /// The second `convert …` to the kind.
        again: Span,
        /// The first.
        first: Span,
    },
    /// A `convert A = B` that is not an equivalence to another kind: B has no unit or the
    /// same kind as A, or a side is not above zero (A not in the input's kind is a mismatch).
    ConversionSides {
        /// The input.
        input: String,
        /// What is wrong.
        problem: &'static str,
        /// The `convert …`.
        span: Span,
    },
    /// A `convert A = B` on an input that is not measured in a unit (a choice, a count, a
    /// text): only a quantity can arrive in another unit.
    ConversionNotQuantity {
        /// The input.
        input: String,
        /// What the input is, as a reader says it ("a choice").
        kind: String,
        /// The `convert …`.
        span: Span,
    },
    /// An allowed range whose low end is above its high end.
    RangeEmpty {
        /// The range.
        span: Span,
    },
    /// A `let` worked out more than `MAX_LET_DEPTH` operations deep.
    LetTooDeep {
        /// The `let`.
        name: String,
        /// Its name's span.
        span: Span,
    },
    /// A `let` that depends on itself.
    Cycle {
        /// The `let`.
        name: String,
        /// The `let` whose definition uses it, if known.
        user: Option<String>,
        /// Where it is used, if known.
        used_at: Option<Span>,
        /// Its name's span.
        defined: Span,
    },
    /// A unit written with an error-prone abbreviation (a warning).
    UnsafeAbbreviation {
        /// The unit as written.
        text: String,
        /// The safe spelling.
        safe: String,
        /// The unit.
        span: Span,
    },
    /// More problems than [`MAX_DIAGNOSTICS`]: how many were not shown.
    TooManyProblems {
        /// How many were not shown.
        count: usize,
        /// How many of them are errors (none: a warning).
        errors: usize,
        /// The first not shown.
        first: Option<Span>,
    },

    // --- Written-out values ---
    /// Records written in the protocol hold more than `MAX_RECORD_CELLS` values.
    TooManyRecordValues {
        /// Where the limit is passed.
        span: Span,
    },
    /// A value its input's constraints refuse (the words are shared with patient files).
    NotAllowed {
        /// The checker's words.
        invalid: Invalid,
        /// The value.
        span: Span,
    },
    /// A written value of the wrong shape (a list for a number).
    ShapeMismatch {
        /// What is wanted, described.
        want: String,
        /// What it is ("a list").
        found: &'static str,
        /// The value.
        span: Span,
    },
    /// A field a record type does not declare, in a written record.
    UnknownRecordField {
        /// The field.
        name: String,
        /// A close field name.
        similar: Option<String>,
        /// The record type's fields, listed.
        fields: String,
        /// The field's span.
        span: Span,
    },
    /// A written record that lacks a required field.
    MissingRecordField {
        /// The field.
        name: String,
        /// The record.
        span: Span,
    },
    /// A text that is not a date.
    BadDate {
        /// The text.
        text: String,
        /// Its span.
        span: Span,
    },
    /// A calculation where a written-out value is needed.
    NotLiteral {
        /// What is wanted, described.
        want: String,
        /// The calculation.
        span: Span,
    },
    /// A written number without the unit its input needs.
    MissingUnit {
        /// The kind of quantity needed, described.
        needed: String,
        /// The number with the input's unit.
        example: String,
        /// The number.
        span: Span,
    },
    /// A written quantity of another kind than its input's unit.
    WrongUnit {
        /// The quantity.
        value: String,
        /// Its kind, described.
        kind: String,
        /// The kind needed, described.
        needed: String,
        /// The input's unit.
        unit: String,
        /// The quantity's span.
        span: Span,
    },
    /// A written quantity that its input's unit cannot hold exactly.
    Inexact {
        /// The unit layer's error (its message and label are kept).
        error: UnitError,
        /// The input's unit.
        unit: String,
        /// The quantity.
        span: Span,
    },

    // --- Limits, phases, rules ---
    /// `limit X` with an unknown X.
    UnknownLimitTarget {
        /// The word.
        word: String,
        /// A close target.
        similar: Option<&'static str>,
        /// Its span.
        span: Span,
    },
    /// A limit value of the wrong kind for its target.
    LimitDimension {
        /// What the target wants ("a daily limit is an amount per day").
        want: &'static str,
        /// What it is, described.
        found: String,
        /// The target's word.
        target: &'static str,
        /// The value corrected, or an example.
        example: String,
        /// The value.
        span: Span,
    },
    /// Several phases and no `begin at`.
    NoBegin {
        /// An input whose choices name the phases, if there is one.
        selector: Option<String>,
        /// The protocol's name.
        span: Span,
    },
    /// `begin at` with a value that is not a choice.
    BeginType {
        /// What it is, described.
        found: String,
        /// The value.
        span: Span,
    },
    /// `begin at` names a let or an expression, not the input itself: a limit written for a
    /// phase could not be held in every phase a `goto` leads through.
    BeginNotInput {
        /// The expression.
        span: Span,
    },
    /// A choice of the `begin at` input that names no phase.
    ChoiceNamesNoPhase {
        /// The choice.
        choice: String,
        /// A close phase name.
        similar: Option<String>,
        /// The `begin at` value.
        span: Span,
    },
    /// A phase name that is not declared.
    UnknownPhase {
        /// The name.
        name: String,
        /// A close phase name.
        similar: Option<String>,
        /// The phases, listed.
        phases: String,
        /// Offer to declare it (not in an example, which names existing phases).
        offer_new: bool,
        /// Its span.
        span: Span,
    },
    /// A second proposal block on the same input in a phase.
    DuplicateProposal {
        /// The second block's head.
        again: Span,
        /// The first block's head.
        first: Span,
    },
    /// A phase without a `decide` block.
    PhaseEmpty {
        /// The phase.
        name: String,
        /// Its name's span.
        span: Span,
    },
    /// A phase nothing leads to (a warning).
    PhaseUnreachable {
        /// The phase.
        name: String,
        /// Its name's span.
        span: Span,
    },
    /// Rules after `otherwise` in a first-hit block (a warning).
    UnreachableRule {
        /// The rule after `otherwise`.
        never: Span,
        /// The `otherwise`.
        otherwise: Span,
    },
    /// A first-hit block without `otherwise` (a warning).
    NoOtherwise {
        /// The block's head.
        span: Span,
    },

    // --- Doses ---
    /// A dose that is neither an amount nor a rate.
    NotADose {
        /// What it is, described.
        found: String,
        /// For a dose per kg: the dose as written and the weight input to multiply it by.
        per_kg: Option<(String, String)>,
        /// The dose.
        span: Span,
    },
    /// A rate with a frequency.
    RateWithFrequency {
        /// The frequency.
        frequency: Span,
        /// The rate.
        rate: Span,
        /// A proposal's rate (other advice) rather than a `give`.
        proposed: bool,
    },
    /// A bolus of a rate.
    BolusRate {
        /// The rate.
        amount: Span,
        /// `bolus`.
        form: Span,
    },
    /// A proposal block for an input that is not declared.
    UnknownProposalInput {
        /// The name.
        name: String,
        /// A close input name.
        similar: Option<String>,
        /// Its span.
        span: Span,
    },
    /// A proposal block for an input that is not a dose.
    ProposalNotADose {
        /// The input.
        name: String,
        /// Its type, described.
        found: String,
        /// Its span.
        span: Span,
    },
    /// A limit of a kind no dose of the protocol has.
    LimitNeverApplies {
        /// The target's word.
        target: &'static str,
        /// The limit's kind, described.
        kind: String,
        /// The kinds the protocol gives, listed.
        kinds: String,
        /// The limit.
        span: Span,
    },
    /// A dose of another kind than every dose limit.
    OutsideDoseLimits {
        /// The dose's kind, described.
        kind: String,
        /// The limits' kind, described.
        limits: String,
        /// The dose.
        span: Span,
    },
    /// A dose whose daily total is of another kind than every daily limit.
    OutsideDailyLimits {
        /// The daily total's kind, described.
        kind: String,
        /// The limits' kind, described.
        limits: String,
        /// The dose.
        span: Span,
    },
    /// A dose no hard maximum holds.
    Unlimited {
        /// The dose's kind, described.
        kind: String,
        /// Its daily total's kind, described (empty when it has none).
        daily: String,
        /// A rate (held only by a daily limit).
        rate: bool,
        /// The dose.
        span: Span,
    },
    /// A constant range whose low end is above its high end.
    ReversedDoseRange {
        /// The low end, as written.
        low: String,
        /// The high end.
        high: String,
        /// The dose.
        span: Span,
    },
    /// A constant dose of zero or less.
    NotPositive {
        /// The value.
        value: String,
        /// The dose.
        span: Span,
    },
    /// Two alternatives of one `choose` with the same name.
    DuplicateAlternative {
        /// The name.
        name: String,
        /// The second one.
        again: Span,
        /// The first one.
        first: Span,
    },
    /// `expect alternative NAME` naming no alternative of the protocol.
    UnknownAlternative {
        /// The name.
        name: String,
        /// A close alternative name.
        similar: Option<String>,
        /// Its span.
        span: Span,
    },
    /// A schedule step with no `for` (given on and on) followed by another step.
    StepAfterOpenEnded {
        /// The step without `for`.
        open: Span,
        /// The step after it.
        next: Span,
    },
    /// A schedule step's constant duration that is not a whole number of days above zero.
    StepDuration {
        /// The value.
        value: String,
        /// The duration.
        span: Span,
    },
    /// A constant frequency of zero or less.
    FrequencyNotPositive {
        /// The value.
        value: String,
        /// What it counts ("doses a day").
        what: &'static str,
        /// The frequency.
        span: Span,
    },

    // --- Examples ---
    /// An example that expects nothing (a warning).
    ExampleNoExpect {
        /// The example's name.
        name: String,
        /// Its span.
        span: Span,
    },
    /// `given` not followed by a record.
    ExampleGiven {
        /// The value.
        span: Span,
    },
    /// An example that gives an input that is not declared.
    ExampleUnknownInput {
        /// The name.
        name: String,
        /// A close input name.
        similar: Option<String>,
        /// Its span.
        span: Span,
    },
    /// An example that gives an input twice.
    ExampleDuplicateInput {
        /// The input.
        name: String,
        /// The second place.
        again: Span,
        /// The first.
        first: Span,
    },
    /// An example that does not give a required input.
    ExampleMissingInput {
        /// The input.
        name: String,
        /// The `given` record.
        span: Span,
    },
    /// `expect status` with an unknown status.
    UnknownStatus {
        /// The word.
        word: String,
        /// A close status.
        similar: Option<String>,
        /// Its span.
        span: Span,
    },
    /// An `expect` that wants a written-out dose and has something else.
    NotWrittenDose {
        /// Which `expect`.
        expectation: Expectation,
        /// The value.
        span: Span,
    },
    /// `expect daily` with a value that is not per day.
    DailyNotPerDay {
        /// The value.
        span: Span,
    },
    /// `expect schedule` with an item that is not a written-out dose.
    ScheduleNotDose {
        /// The item.
        span: Span,
    },
    /// `expect proposal` with a word other than `allowed` or `refused`.
    ProposalWord {
        /// The word.
        word: String,
        /// Its span.
        span: Span,
    },
    /// `expect proposal … range` with a value that is not a range.
    ProposalNotRange {
        /// The value.
        span: Span,
    },
    /// `expect that`, which reads inputs where the decision was meant.
    ExpectThat {
        /// The condition.
        span: Span,
    },
    /// `expect limit` with a word other than `refuses` or `allows`.
    LimitVerdict {
        /// The word.
        word: String,
        /// A close word.
        similar: Option<&'static str>,
        /// Its span.
        span: Span,
    },

    // --- Expressions ---
    /// Checking a value goes more than `MAX_CHECK_DEPTH` operations deep.
    CheckTooDeep {
        /// The value.
        span: Span,
    },
    /// A bare choice name that several inputs have.
    Ambiguous {
        /// The choice.
        name: String,
        /// The inputs that have it, in words.
        owners: String,
        /// One of them, for the example.
        example: String,
        /// The name's span.
        span: Span,
    },
    /// A name (or a choice, where one is expected) that is not declared.
    UnknownName {
        /// The name.
        name: String,
        /// A choice was expected.
        choice: bool,
        /// A close name.
        similar: Option<String>,
        /// The expected choice's values, listed (when a choice was expected).
        choices: Option<String>,
        /// The name's span.
        span: Span,
    },
    /// `x.f` where the record has no field `f`.
    UnknownField {
        /// The field.
        name: String,
        /// A close field name.
        similar: Option<String>,
        /// The record's fields, listed.
        fields: String,
        /// The field's span.
        span: Span,
    },
    /// `x.f` where `x` is not a record.
    NotARecord {
        /// `x` as written, when it fits on a line.
        written: Option<String>,
        /// What `x` is, described.
        found: String,
        /// The field's span.
        field: Span,
        /// `x`'s span.
        base: Span,
    },
    /// `a in b` where `b` is no range or list of `a`'s kind.
    InMismatch {
        /// `a`, described.
        left: String,
        /// `b`, described.
        right: String,
        /// `b`.
        span: Span,
    },
    /// `is empty` on something that is not a list.
    EmptyNotList {
        /// What it is, described.
        found: String,
        /// The value.
        span: Span,
    },
    /// A function that does not exist.
    UnknownFunction {
        /// The name.
        name: String,
        /// A close function name (or one it cuts short).
        similar: Option<&'static str>,
        /// The functions, listed.
        functions: String,
        /// The name's span.
        span: Span,
    },
    /// A function given the wrong number of values.
    Arity {
        /// The function.
        name: &'static str,
        /// How many it takes, in words.
        takes: String,
        /// How many it is given.
        given: usize,
        /// How it is written.
        usage: &'static str,
        /// The call.
        span: Span,
    },
    /// A part of a formula made of constants only that cannot be worked out for any patient:
    /// a division by zero, `0 ^ -1`, rounding to a step of zero or to the nearest of no
    /// strength, an index past a list's end.
    AlwaysFails {
        /// `posology::value::division_by_zero` for a division (as the evaluator says it), else
        /// `posology::formula::always_fails`.
        code: Code,
        /// What fails, in words ("this divides by zero").
        message: String,
        /// The label at the constant that makes it fail.
        label: String,
        /// What it does to a patient, and how to fix it.
        help: String,
        /// The constant part.
        span: Span,
    },
    /// `x ^ n` with `n` not a whole number written in the protocol, or too large.
    Exponent {
        /// What is wrong with it, in words ("is worked out from the patient's data").
        problem: String,
        /// The exponent.
        span: Span,
    },
    /// `sqrt(x)` where `x` is not a plain number or a unit squared.
    SqrtUnit {
        /// What `x` is, described.
        found: String,
        /// `x`.
        span: Span,
    },
    /// `sqrt(x)` of a value that may have no exact root, not rounded where it is taken.
    SqrtRounding {
        /// The call.
        span: Span,
    },
    /// `value(x in UNIT)` where `x` is not a quantity of UNIT's kind.
    ValueUnit {
        /// What `x` is, described.
        found: String,
        /// The unit as written.
        unit: String,
        /// UNIT's kind, described.
        kind: String,
        /// An input declared in micromol/L asked for in mg/dL: its name, for the help.
        input: Option<String>,
        /// `x`.
        span: Span,
        /// UNIT.
        unit_span: Span,
    },
    /// A function with a condition given a list that is not of records.
    ConditionNeedsRecords {
        /// The function.
        name: String,
        /// What the list is, described.
        found: String,
        /// The list.
        span: Span,
    },
    /// A value of the wrong type where one type is needed.
    Mismatch {
        /// Where ("the value of `sum`").
        place: String,
        /// What is needed, described.
        expected: String,
        /// What it is, described.
        found: String,
        /// Both are numbers (a unit mismatch rather than a type mismatch).
        numbers: bool,
        /// Advice about the kinds of quantity, when there is some.
        fix: Option<String>,
        /// The value.
        span: Span,
    },
    /// Two operands that must agree but do not.
    OperandMismatch {
        /// The operation ("compare", "add").
        op: String,
        /// The left operand, described.
        left: String,
        /// The right, described.
        right: String,
        /// Both are numbers (a unit mismatch rather than a type mismatch).
        numbers: bool,
        /// A fix found from the operands (a per-time unit, a choice's input), if any.
        fix: Option<String>,
        /// The left operand.
        a: Span,
        /// The right.
        b: Span,
    },
    /// An item given for an input that is not a list (a REPL `+=`, for instance).
    NotAList {
        /// The input.
        name: String,
        /// The item.
        span: Span,
    },
}

/// "did you mean `s`?" for a close name, or `otherwise`.
fn did_you_mean(similar: Option<&str>, otherwise: impl FnOnce() -> String) -> String {
    match similar {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// Words that are numbers written out, which the language writes in digits.
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "once", "twice",
];

impl CheckError {
    /// The registry code.
    // Long on purpose: one arm per kind: the code of every check diagnostic in one place.
    pub fn code(&self) -> Code {
        use CheckError as E;
        match self {
            E::Table(p) => p.code(),
            E::HeaderMissing { .. } => Code::HeaderMissing,
            E::Duplicate { .. } => Code::NameDuplicate,
            E::MaybeMissing { .. } => Code::CheckMaybeMissing,
            E::OptionalAndDefault { .. } => Code::InputOptionalAndDefault,
            E::Placeholder { .. } => Code::MessagePlaceholder,
            E::UnknownType { .. } => Code::TypeUnknown,
            E::RangeNotARange { .. } | E::RangeEmpty { .. } => Code::InputRange,
            E::ConversionSides { .. }
            | E::ConversionTwice { .. }
            | E::ConversionNotQuantity { .. } => Code::UnitConversion,
            E::LetTooDeep { .. } | E::CheckTooDeep { .. } => Code::NameTooDeep,
            E::Cycle { .. } => Code::NameCycle,
            E::UnsafeAbbreviation { .. } => Code::UnitUnsafeAbbreviation,
            E::TooManyProblems { .. } => Code::CheckTooManyProblems,
            E::TooManyRecordValues { .. } => Code::ValueTooLarge,
            E::NotAllowed { invalid, .. } => invalid.code,
            E::ShapeMismatch { .. }
            | E::InMismatch { .. }
            | E::EmptyNotList { .. }
            | E::ConditionNeedsRecords { .. }
            | E::NotAList { .. } => Code::TypeMismatch,
            E::UnknownRecordField { .. } | E::ExampleUnknownInput { .. } => Code::InputUnknownField,
            E::MissingRecordField { .. } | E::ExampleMissingInput { .. } => Code::InputMissingField,
            E::BadDate { .. } => Code::InputBadDate,
            E::NotLiteral { .. } => Code::InputNotLiteral,
            E::MissingUnit { .. } => Code::UnitMissing,
            E::WrongUnit { .. } => Code::UnitMismatch,
            E::Inexact { error, .. } => error.code(),
            E::UnknownLimitTarget { .. } => Code::LimitUnknownTarget,
            E::LimitDimension { .. } => Code::LimitDimension,
            E::NoBegin { .. } => Code::PhaseNoBegin,
            E::BeginType { .. } => Code::PhaseBeginType,
            E::BeginNotInput { .. } => Code::PhaseBeginNotInput,
            E::ChoiceNamesNoPhase { .. } | E::UnknownPhase { .. } => Code::PhaseUnknown,
            E::DuplicateProposal { .. } => Code::ProposalDuplicate,
            E::PhaseEmpty { .. } => Code::PhaseEmpty,
            E::PhaseUnreachable { .. } => Code::PhaseUnreachable,
            E::UnreachableRule { .. } => Code::DecideUnreachableRule,
            E::NoOtherwise { .. } => Code::DecideNoOtherwise,
            E::NotADose { .. } => Code::GiveNotADose,
            E::RateWithFrequency { .. } => Code::GiveRateWithFrequency,
            E::BolusRate { .. } => Code::GiveBolusRate,
            E::UnknownProposalInput { .. } => Code::NameUnknown,
            E::ProposalNotADose { .. } => Code::ProposalNotADose,
            E::LimitNeverApplies { .. } => Code::LimitNeverApplies,
            E::OutsideDoseLimits { .. } | E::OutsideDailyLimits { .. } => Code::GiveOutsideLimits,
            E::Unlimited { .. } => Code::GiveUnlimited,
            E::ReversedDoseRange { .. }
            | E::NotPositive { .. }
            | E::FrequencyNotPositive { .. } => Code::GiveNotPositive,
            E::StepAfterOpenEnded { .. } => Code::ScheduleOpenStep,
            E::DuplicateAlternative { .. } => Code::ChooseDuplicate,
            E::UnknownAlternative { .. } => Code::NameUnknown,
            E::StepDuration { .. } => Code::ScheduleStepDuration,
            E::ExampleNoExpect { .. } => Code::ExampleNoExpect,
            E::ExampleGiven { .. } => Code::ExampleGiven,
            E::ExampleDuplicateInput { .. } => Code::InputDuplicateField,
            E::UnknownStatus { .. } => Code::ExampleUnknownStatus,
            E::NotWrittenDose { expectation, .. } => match expectation {
                Expectation::Give => Code::ExampleGive,
                Expectation::Daily => Code::ExampleDaily,
                Expectation::ProposalRange => Code::ExampleProposal,
                Expectation::Limit => Code::ExampleLimit,
            },
            E::DailyNotPerDay { .. } => Code::ExampleDaily,
            E::ScheduleNotDose { .. } => Code::ExampleSchedule,
            E::ProposalWord { .. } | E::ProposalNotRange { .. } => Code::ExampleProposal,
            E::ExpectThat { .. } => Code::ExampleThatReadsInputs,
            E::LimitVerdict { .. } => Code::ExampleLimit,
            E::Ambiguous { .. } => Code::NameAmbiguous,
            E::UnknownName { choice: true, .. } => Code::NameUnknownValue,
            E::UnknownName { choice: false, .. } => Code::NameUnknown,
            E::UnknownField { .. } => Code::NameUnknownField,
            E::NotARecord { .. } => Code::TypeNotARecord,
            E::UnknownFunction { .. } => Code::NameUnknownFunction,
            E::Arity { .. } => Code::TypeArity,
            E::AlwaysFails { code, .. } => *code,
            E::Exponent { .. } => Code::FormulaExponent,
            E::SqrtUnit { .. } => Code::FormulaSqrtUnit,
            E::SqrtRounding { .. } => Code::FormulaSqrtRounding,
            E::ValueUnit { .. } => Code::FormulaValueUnit,
            E::Mismatch { numbers, .. } | E::OperandMismatch { numbers, .. } => {
                if *numbers {
                    Code::UnitMismatch
                } else {
                    Code::TypeMismatch
                }
            }
        }
    }

    /// Warnings let the protocol run; everything else stops it.
    pub fn severity(&self) -> Severity {
        match self {
            CheckError::Table(p) => p.severity(),
            CheckError::UnsafeAbbreviation { .. }
            | CheckError::PhaseUnreachable { .. }
            | CheckError::UnreachableRule { .. }
            | CheckError::NoOtherwise { .. }
            | CheckError::ExampleNoExpect { .. }
            | CheckError::AlwaysFails { .. } => Severity::Warning,
            CheckError::TooManyProblems { errors: 0, .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// One sentence saying what is wrong.
    // Long on purpose: one arm per kind: the message of every check diagnostic in one place.
    pub fn message(&self) -> String {
        use CheckError as E;
        match self {
            E::Table(p) => p.message(),
            E::HeaderMissing { key, .. } => format!("the protocol has no `{key}` line"),
            E::Duplicate { what, name, .. } => format!("the {what} `{name}` is declared twice"),
            E::MaybeMissing { used, cause, .. } => {
                format!("`{used}` may be missing here, and a value is needed: {cause}")
            }
            E::OptionalAndDefault { name, .. } => {
                format!("`{name}` is both optional and has a default")
            }
            E::Placeholder { problem, .. } => problem.message(),
            E::UnknownType { name, .. } => format!("`{name}` is neither a unit nor a type"),
            E::RangeNotARange { .. } => "an allowed range is written `low..high`".to_string(),
            E::RangeEmpty { .. } => "the range's low end is above its high end".to_string(),
            E::ConversionTwice { input, .. } => format!(
                "`{}` declares two conversions to one kind of unit",
                quoted(input)
            ),
            E::ConversionSides { input, problem, .. } => format!(
                "the conversion of `{}` relates no unit of another kind: {problem}",
                quoted(input)
            ),
            E::ConversionNotQuantity { input, kind, .. } => format!(
                "`{}` is {kind}, not a quantity: only an input measured in a unit can be \
                 converted",
                quoted(input)
            ),
            E::LetTooDeep { name, .. } => format!(
                "`{name}` is worked out more than {MAX_LET_DEPTH} operations deep, through the \
                 values it uses"
            ),
            E::Cycle { name, user, .. } => match user {
                Some(other) if other != name => {
                    format!("`{name}` depends on itself, through `{other}`")
                }
                _ => format!("`{name}` is defined in terms of itself"),
            },
            E::UnsafeAbbreviation { text, safe, .. } => unsafe_message(text, safe),
            E::TooManyProblems { count, errors, .. } => format!(
                "{count} more problem{} found ({errors} error{}) are not shown",
                if *count == 1 { " was" } else { "s were" },
                if *errors == 1 { "" } else { "s" }
            ),
            E::TooManyRecordValues { .. } => format!(
                "the records written in this protocol hold more than {MAX_RECORD_CELLS} field \
                 values in all"
            ),
            E::NotAllowed { invalid, .. } => invalid.message.clone(),
            E::ShapeMismatch { want, found, .. } => format!("this must be {want}, but is {found}"),
            E::UnknownRecordField { name, .. } => format!("unknown field `{name}`"),
            E::MissingRecordField { name, .. } => format!("the field `{name}` is missing"),
            E::BadDate { text, .. } => format!("`{text}` is not a date"),
            E::NotLiteral { .. } => "this must be a written-out value".to_string(),
            E::MissingUnit { needed, .. } => {
                format!("this number has no unit, but {needed} is needed")
            }
            E::WrongUnit {
                value,
                kind,
                needed,
                ..
            } => format!("{value} is {kind}, but {needed} is needed"),
            E::Inexact { error, .. } => error.to_string(),
            E::UnknownLimitTarget { word, .. } => {
                format!("there is nothing called `{word}` to limit")
            }
            E::LimitDimension { want, found, .. } => format!("{want}, but this is {found}"),
            E::NoBegin { .. } => {
                "the protocol has several phases but does not say which applies".to_string()
            }
            E::BeginType { found, .. } => {
                format!("`begin at` needs a choice that names a phase, but this is {found}")
            }
            E::BeginNotInput { .. } => {
                "`begin at` must name an input whose choices are the phases".to_string()
            }
            E::ChoiceNamesNoPhase { choice, .. } => format!("the choice `{choice}` names no phase"),
            E::UnknownPhase { name, .. } => format!("there is no phase `{name}`"),
            E::DuplicateProposal { .. } => {
                "a phase has two proposal blocks on the same input".to_string()
            }
            E::PhaseEmpty { name, .. } => format!("the phase `{name}` decides nothing"),
            E::PhaseUnreachable { name, .. } => format!("nothing leads to the phase `{name}`"),
            E::UnreachableRule { .. } => "rules after `otherwise` can never fire".to_string(),
            E::NoOtherwise { .. } => {
                "a patient may match none of these rules, and then nothing is decided".to_string()
            }
            E::NotADose { found, .. } => {
                format!("a dose must be an amount or a rate, but this is {found}")
            }
            E::RateWithFrequency {
                proposed: false, ..
            } => "a rate already says how much per time; it takes no frequency".to_string(),
            E::RateWithFrequency { proposed: true, .. } => {
                "a proposed rate already says how much per time; it takes no frequency".to_string()
            }
            E::BolusRate { .. } => "a bolus is one amount, but this is a rate".to_string(),
            E::UnknownProposalInput { name, .. } => format!("unknown input `{name}`"),
            E::ProposalNotADose { name, found, .. } => {
                format!("a proposal must be a dose input, but `{name}` is {found}")
            }
            E::LimitNeverApplies { target, kind, .. } => format!(
                "this {target} limit is {kind}, but no dose of this protocol is of that kind: it \
                 would never act"
            ),
            E::OutsideDoseLimits { kind, limits, .. } => format!(
                "this dose is {kind}, but the protocol's dose limits are {limits}: no limit would \
                 hold it"
            ),
            E::OutsideDailyLimits { kind, limits, .. } => format!(
                "this dose's daily total is {kind}, but the protocol's daily limits are \
                 {limits}: no limit would hold it"
            ),
            E::Unlimited { kind, .. } => format!(
                "this dose is {kind}, but no hard maximum holds a dose of that kind: it would be \
                 refused for every patient"
            ),
            E::ReversedDoseRange { low, high, .. } => format!(
                "this range runs from {low} down to {high}: its low end is above its high end"
            ),
            E::NotPositive { value, .. } => {
                format!("a dose must be more than zero, but this is {value}")
            }
            E::FrequencyNotPositive { value, what, .. } => {
                format!("{value} {what} is not a frequency: it must be more than zero")
            }
            E::StepAfterOpenEnded { .. } => {
                "a schedule step without `for` goes on, so no step can come after it".to_string()
            }
            E::DuplicateAlternative { name, .. } => {
                format!("two alternatives of one `choose` are named `{name}`")
            }
            E::UnknownAlternative { name, .. } => {
                format!("no `choose` of this protocol has an alternative named `{name}`")
            }
            E::StepDuration { value, .. } => format!(
                "a schedule step lasts a whole number of days, more than zero, but this is {value}"
            ),
            E::ExampleNoExpect { name, .. } => format!("the example \"{name}\" expects nothing"),
            E::ExampleGiven { .. } => {
                "`given` is followed by the patient's values in braces".to_string()
            }
            E::ExampleUnknownInput { name, .. } => {
                format!("`{name}` is not an input of this protocol")
            }
            E::ExampleDuplicateInput { name, .. } => format!("`{name}` is given twice"),
            E::ExampleMissingInput { name, .. } => format!("the example does not give `{name}`"),
            E::UnknownStatus { word, .. } => format!("`{word}` is not a status"),
            E::NotWrittenDose { expectation, .. } => match expectation {
                Expectation::Give => "expect a written-out dose, e.g. `expect give 10 mg`",
                Expectation::Daily => {
                    "expect a written-out total per day, e.g. `expect daily 45 mg/day`"
                }
                Expectation::ProposalRange => {
                    "expect the written-out range shown as allowed, e.g. `range 5 mg..15 mg`"
                }
                Expectation::Limit => {
                    "expect a written-out dose, e.g. `expect limit refuses 25 mg`"
                }
            }
            .to_string(),
            E::DailyNotPerDay { .. } => {
                "a total per day is a quantity per time, e.g. `45 mg/day`".to_string()
            }
            E::ScheduleNotDose { .. } => "expect a list of written-out doses".to_string(),
            E::ProposalWord { word, .. } => {
                format!("a proposal is `allowed` or `refused`, not `{word}`")
            }
            E::ProposalNotRange { .. } => "the allowed range is written `LOW..HIGH`".to_string(),
            E::ExpectThat { .. } => {
                "`expect that` is worked out from the example's inputs, not from the decision"
                    .to_string()
            }
            E::LimitVerdict { word, .. } => {
                format!("`expect limit` is followed by `refuses` or `allows`, not `{word}`")
            }
            E::CheckTooDeep { .. } => format!(
                "checking this value goes more than {MAX_CHECK_DEPTH} operations deep, through \
                 the values it uses"
            ),
            E::Ambiguous { name, owners, .. } => format!("`{name}` is a choice of {owners}"),
            E::UnknownName { name, choice, .. } => {
                format!("unknown {} `{name}`", name_word(*choice))
            }
            E::UnknownField { name, .. } => format!("no field `{name}`"),
            E::NotARecord { written, found, .. } => {
                let written = written
                    .as_ref()
                    .map_or("this is ".to_string(), |t| format!("`{t}` is "));
                format!("{written}{found} and has no fields")
            }
            E::InMismatch { left, right, .. } => {
                format!("`in` needs a range or list of {left}, but this is {right}")
            }
            E::EmptyNotList { found, .. } => {
                format!("only a list can be empty, but this is {found}")
            }
            E::UnknownFunction { name, .. } => format!("unknown function `{name}`"),
            E::Arity {
                name, takes, given, ..
            } => format!("`{name}` takes {takes}, but is given {given}"),
            E::AlwaysFails { message, .. } => message.clone(),
            E::Exponent { problem, .. } => format!("the power after `^` {problem}"),
            E::SqrtUnit { found, .. } => {
                format!("`sqrt` needs a plain number or a unit squared, but this is {found}")
            }
            E::SqrtRounding { .. } => {
                "this square root may not be an exact number, and it is not rounded".to_string()
            }
            E::ValueUnit {
                found, unit, kind, ..
            } => format!("`value(… in {unit})` needs {kind}, but this is {found}"),
            E::ConditionNeedsRecords { name, .. } => {
                format!("`{name}` with a condition needs a list of records")
            }
            E::Mismatch {
                place,
                expected,
                found,
                ..
            } => format!("{place} must be {expected}, but this is {found}"),
            E::OperandMismatch {
                op, left, right, ..
            } => {
                let joined = if op == "compare" { "with" } else { "and" };
                format!("cannot {op} {left} {joined} {right}")
            }
            E::NotAList { name, .. } => format!("`{name}` is not a list, so it takes no item"),
        }
    }

    /// The labelled places, the main one first.
    // Long on purpose: one arm per kind: the labels of every check diagnostic in one place.
    fn labels(&self) -> Vec<(Span, String)> {
        use CheckError as E;
        let one = |span: Span, text: &str| vec![(span, text.to_string())];
        match self {
            E::Table(p) => p.labels(),
            E::HeaderMissing { span, .. } => one(*span, "in this protocol"),
            E::Duplicate { again, first, .. } => vec![
                (*again, "declared again here".to_string()),
                (*first, "first declared here".to_string()),
            ],
            E::MaybeMissing {
                span,
                declared,
                via,
                ..
            } => {
                let mut out = vec![(*span, "needed here, may be missing".to_string())];
                if let Some(d) = declared {
                    out.push((*d, "may be missing: declared here".to_string()));
                }
                if let Some((name, at)) = via {
                    out.push((*at, format!("`{name}` is worked out from it here")));
                }
                out
            }
            E::OptionalAndDefault {
                optional, default, ..
            } => vec![
                (*optional, "optional".to_string()),
                (*default, "default".to_string()),
            ],
            E::UnknownType { span, .. } => one(*span, "unknown type"),
            E::Placeholder { problem, span } => one(*span, problem.label()),
            E::RangeNotARange { span } => one(*span, "not a range"),
            E::RangeEmpty { span } => one(*span, "empty range"),
            E::ConversionSides { span, .. } => one(*span, "not a conversion to another kind"),
            E::ConversionNotQuantity { span, .. } => one(*span, "nothing to convert"),
            E::ConversionTwice { again, first, .. } => vec![
                (*again, "a second factor for this kind".to_string()),
                (*first, "the first".to_string()),
            ],
            E::LetTooDeep { span, .. } | E::CheckTooDeep { span } => one(*span, "too deep"),
            E::Cycle {
                name,
                user,
                used_at,
                defined,
            } => {
                let mut labels = Vec::new();
                if let (Some(used), Some(other)) = (used_at, user) {
                    labels.push((*used, format!("`{other}` uses `{name}` here")));
                }
                labels.push((*defined, format!("`{name}` is defined here")));
                labels
            }
            E::UnsafeAbbreviation { span, safe, .. } => one(*span, unsafe_label(safe)),
            E::TooManyProblems { first, .. } => {
                one(first.unwrap_or_default(), "the first one not shown")
            }
            E::TooManyRecordValues { span } => one(*span, "the limit is passed here"),
            E::NotAllowed { span, .. } => one(*span, "not allowed"),
            E::ShapeMismatch { found, span, .. } => one(*span, found),
            E::UnknownRecordField { span, .. } => one(*span, "not a field of this record"),
            E::MissingRecordField { name, span } | E::ExampleMissingInput { name, span } => {
                vec![(*span, format!("needs `{name}`"))]
            }
            E::BadDate { span, .. } => one(*span, "not a date"),
            E::NotLiteral { span, .. } => one(*span, "not a plain value"),
            E::MissingUnit { span, .. } => one(*span, "no unit"),
            E::WrongUnit { span, .. } => one(*span, "wrong kind of unit"),
            E::Inexact { error, span, .. } => one(*span, error.label()),
            E::UnknownLimitTarget { span, .. } => one(*span, "unknown limit target"),
            E::LimitDimension { span, .. } => one(*span, "wrong kind of value"),
            E::NoBegin { span, .. } => one(*span, "in this protocol"),
            E::BeginType { span, .. } => one(*span, "not a choice of phases"),
            E::BeginNotInput { span } => one(*span, "not an input"),
            E::ChoiceNamesNoPhase { choice, span, .. } => {
                vec![(*span, format!("can be `{choice}`"))]
            }
            E::UnknownPhase { span, .. } => one(*span, "unknown phase"),
            E::DuplicateProposal { again, first } => vec![
                (*again, "second proposal block on this input".to_string()),
                (*first, "first one here".to_string()),
            ],
            E::PhaseEmpty { span, .. } => one(*span, "no `decide` block"),
            E::PhaseUnreachable { span, .. } => one(*span, "unreachable phase"),
            E::UnreachableRule { never, otherwise } => vec![
                (*never, "never reached".to_string()),
                (
                    *otherwise,
                    "`otherwise` catches everything here".to_string(),
                ),
            ],
            E::NoOtherwise { span } => one(*span, "no `otherwise` rule in this block"),
            E::NotADose { span, .. } => one(*span, "not a dose"),
            E::RateWithFrequency {
                frequency, rate, ..
            } => vec![
                (*frequency, "frequency".to_string()),
                (*rate, "a rate".to_string()),
            ],
            E::BolusRate { amount, form } => vec![
                (*amount, "a rate".to_string()),
                (*form, "given as a bolus".to_string()),
            ],
            E::UnknownProposalInput { span, .. } => one(*span, "not an input"),
            E::ProposalNotADose { span, .. } => one(*span, "not a dose"),
            E::LimitNeverApplies { span, .. } => one(*span, "never applies"),
            E::OutsideDoseLimits { span, .. } => one(*span, "escapes the limits"),
            E::OutsideDailyLimits { span, .. } => one(*span, "escapes the daily limits"),
            E::Unlimited { span, .. } => one(*span, "no hard maximum of this kind"),
            E::ReversedDoseRange { span, .. }
            | E::NotPositive { span, .. }
            | E::FrequencyNotPositive { span, .. } => one(*span, "no patient can be given this"),
            E::DuplicateAlternative { again, first, .. } => vec![
                (*again, "second alternative of this name".to_string()),
                (*first, "first one here".to_string()),
            ],
            E::UnknownAlternative { span, .. } => one(*span, "unknown alternative"),
            E::StepAfterOpenEnded { open, next } => vec![
                (*open, "no `for`: given on and on".to_string()),
                (*next, "so this step never comes".to_string()),
            ],
            E::StepDuration { span, .. } => one(*span, "not a number of days a step can last"),
            E::ExampleNoExpect { span, .. } => one(*span, "checks nothing"),
            E::ExampleGiven { span } => one(*span, "not a record"),
            E::ExampleUnknownInput { span, .. } => one(*span, "unknown input"),
            E::ExampleDuplicateInput { again, first, .. } => vec![
                (*again, "given again".to_string()),
                (*first, "first given here".to_string()),
            ],
            E::UnknownStatus { span, .. } => one(*span, "unknown status"),
            E::NotWrittenDose { span, .. } | E::ScheduleNotDose { span } => {
                one(*span, "not a dose")
            }
            E::DailyNotPerDay { span } => one(*span, "not per day"),
            E::ProposalWord { span, .. } => one(*span, "not `allowed` or `refused`"),
            E::ProposalNotRange { span } => one(*span, "not a range"),
            E::ExpectThat { span } => one(
                *span,
                "read from the inputs and lets, not from the decision",
            ),
            E::LimitVerdict { span, .. } => one(*span, "not `refuses` or `allows`"),
            E::Ambiguous { span, .. } => one(*span, "which input's choice?"),
            E::UnknownName {
                name, choice, span, ..
            } => vec![(*span, format!("no {} `{name}` here", name_word(*choice)))],
            E::UnknownField { span, .. } => one(*span, "unknown field"),
            E::NotARecord {
                found, field, base, ..
            } => vec![
                (*field, "no such field".to_string()),
                (*base, format!("this is {found}")),
            ],
            E::InMismatch { span, .. } => one(*span, "not a matching range or list"),
            E::EmptyNotList { span, .. } => one(*span, "not a list"),
            E::UnknownFunction { span, .. } => one(*span, "no such function"),
            E::Arity { span, .. } => one(*span, "wrong number of values"),
            E::AlwaysFails { label, span, .. } => one(*span, label),
            E::Exponent { span, .. } => one(
                *span,
                "write a whole number from 1 to 12 (or -1 to -12) here",
            ),
            E::SqrtUnit { span, .. } => one(*span, "no square root of this unit"),
            E::SqrtRounding { span } => one(*span, "round this root"),
            E::ValueUnit {
                found,
                unit,
                span,
                unit_span,
                ..
            } => vec![
                (*span, format!("this is {found}")),
                (*unit_span, format!("not a unit of it: `{unit}`")),
            ],
            E::ConditionNeedsRecords { found, span, .. } => {
                vec![(*span, format!("this is {found}"))]
            }
            E::Mismatch { found, span, .. } => vec![(*span, format!("this is {found}"))],
            E::OperandMismatch {
                left, right, a, b, ..
            } => vec![
                (*a, format!("this is {left}")),
                (*b, format!("this is {right}")),
            ],
            E::NotAList { span, .. } => one(*span, "one item"),
        }
    }

    /// How to fix it.
    // Long on purpose: one arm per kind: the help of every check diagnostic in one place, kept
    // complete by the compiler.
    pub fn help(&self) -> String {
        use CheckError as E;
        match self {
            E::Table(p) => p.help(),
            E::HeaderMissing { key, example, .. } => format!(
                "every protocol says its {key}, so a decision can be traced: add `{example}`"
            ),
            E::Duplicate { what, .. } => {
                format!("rename one of them, or remove the second {what}")
            }
            E::MaybeMissing {
                used,
                default_of,
                list,
                ..
            } => {
                let guard = if used.contains(char::is_whitespace) {
                    format!("({used})")
                } else {
                    used.clone()
                };
                let mut help = format!(
                    "guard the use: `when {guard} is not missing and …`, `if {guard} is missing \
                     then … else …`, or an earlier rule `when {guard} is missing => hold \"…\"`"
                );
                if let Some(name) = default_of {
                    help.push_str(&format!(", or give `{name}` a `default`"));
                }
                if let Some(list) = list {
                    help.push_str(&format!(", or `when {list} is not empty and …`"));
                }
                help
            }
            E::OptionalAndDefault { .. } => {
                "keep one: a default means the value is never missing".to_string()
            }
            E::Placeholder { problem, .. } => problem.help().to_string(),
            E::UnknownType { similar, .. } => did_you_mean(similar.as_deref(), || {
                "write a unit (mg, mcg/day, mL/min, years …), a choice list `a | b` (`| a` for \
                 a choice of one value), `list of …`, or one of bool, text, date, count, number"
                    .to_string()
            }),
            E::RangeNotARange { .. } => "for example `in 0 years..120 years`".to_string(),
            E::RangeEmpty { .. } => "write the smaller value first".to_string(),
            E::ConversionTwice { .. } => {
                "keep one `convert` per kind: with two factors the order of the lines would \
                 choose the value read"
                    .to_string()
            }
            E::ConversionSides { .. } => {
                "write the input's unit on the left and a unit of another kind on the right, \
                 e.g. `convert 1 mg/dL = 88.42 micromol/L`; units of one kind (mg/dL and \
                 mg/L) convert without a declaration"
                    .to_string()
            }
            E::ConversionNotQuantity { .. } => {
                "remove the `convert …`, or declare the input in a unit (`scr: mg/dL convert 1 \
                 mg/dL = 88.42 micromol/L`)"
                    .to_string()
            }
            E::LetTooDeep { .. } | E::CheckTooDeep { .. } => {
                "work the value out in fewer steps, from the inputs directly".to_string()
            }
            E::Cycle { .. } => "a value cannot depend on itself: work out one of these values \
                 from the inputs alone"
                .to_string(),
            E::UnsafeAbbreviation { safe, .. } => {
                format!("write `{}` (`posology fmt` rewrites it)", quoted(safe))
            }
            E::TooManyProblems { .. } => format!(
                "at most {MAX_DIAGNOSTICS} problems are shown at once: correct these and check \
                 again"
            ),
            E::TooManyRecordValues { .. } => "each record holds every field of its type: write \
                 fewer records in defaults and examples, or give the record type fewer fields"
                .to_string(),
            E::NotAllowed { invalid, .. } => invalid.help.clone(),
            E::ShapeMismatch { want, .. } => format!("write {want}"),
            E::UnknownRecordField {
                similar, fields, ..
            }
            | E::UnknownField {
                similar, fields, ..
            } => did_you_mean(similar.as_deref(), || format!("the fields are: {fields}")),
            E::MissingRecordField { name, .. } => format!("add `{name}: …`"),
            E::BadDate { .. } => {
                "write the date as YYYY-MM-DD in quotes, e.g. \"2026-12-01\"".to_string()
            }
            // `2026-11-01` unquoted is a subtraction, so "write it directly" would not help.
            E::NotLiteral { want, .. } if want == "a date" => {
                "write a date in quotes, e.g. `\"2026-12-01\"` (unquoted, 2026-12-01 is a \
                 subtraction)"
                    .to_string()
            }
            E::NotLiteral { want, .. } => format!("write {want} directly, without calculation"),
            E::MissingUnit { example, .. } => format!("write the unit, e.g. `{example}`"),
            E::WrongUnit { unit, value, .. } => wrong_unit_help(unit, value),
            E::Inexact { unit, .. } => format!(
                "write the value in {unit}, the unit it is declared in (or declare it in a unit \
                 that holds this value exactly)"
            ),
            E::UnknownLimitTarget { similar, .. } => did_you_mean(*similar, || {
                "a limit bounds `dose` (each dose), `bolus` (each bolus) or `daily` (the total \
                 per day)"
                    .to_string()
            }),
            E::LimitDimension {
                target, example, ..
            } => format!("write e.g. `limit {target} <= {example} hard`"),
            E::NoBegin {
                selector: Some(input),
                ..
            } => format!("add `begin at {input}`: its choices name the phases"),
            E::NoBegin { selector: None, .. } => "add `begin at phase`, where `phase` is an \
                 input whose choices are the phase names"
                .to_string(),
            E::BeginType { .. } => "declare an input like `phase: screening | titration` and \
                 write `begin at phase`"
                .to_string(),
            E::BeginNotInput { .. } => "write `begin at phase` with the input itself: a limit \
                 written for a phase (`when phase == titrate`) applies in every phase a `goto` \
                 leads through only when it reads that input"
                .to_string(),
            E::ChoiceNamesNoPhase {
                similar: Some(s), ..
            } => format!("did you mean `{s}`? Rename the choice or the phase so they match"),
            E::ChoiceNamesNoPhase {
                choice,
                similar: None,
                ..
            } => format!("add `phase {choice} {{ … }}` or remove the choice `{choice}`"),
            E::UnknownPhase {
                name,
                similar,
                phases,
                offer_new,
                ..
            } => did_you_mean(similar.as_deref(), || {
                if *offer_new {
                    format!("the phases are {phases}; or add `phase {name} {{ … }}`")
                } else {
                    format!("the phases are {phases}")
                }
            }),
            E::DuplicateProposal { .. } => {
                "merge the rules into the first block; a phase may judge several proposed doses, \
                 each in a block on its own input"
                    .to_string()
            }
            E::PhaseEmpty { .. } => "add `decide first { … }` with the phase's rules".to_string(),
            E::PhaseUnreachable { .. } => {
                "add it to the choices of the `begin at` input, or `goto` it from a rule"
                    .to_string()
            }
            E::UnreachableRule { .. } => "move `otherwise` to the end of the block".to_string(),
            E::NoOtherwise { .. } => {
                "add `otherwise => …` at the end, saying what happens when no rule applies"
                    .to_string()
            }
            E::NotADose {
                per_kg: Some((text, weight)),
                ..
            } => format!(
                "a dose per kg of body weight is multiplied by the patient's weight: `give \
                 {text} * {weight}`"
            ),
            E::NotADose { per_kg: None, .. } => {
                "give an amount (`5 mg`, `2 mL`), a rate (`300 mcg/day`) or a range of either"
                    .to_string()
            }
            E::RateWithFrequency {
                proposed: false, ..
            } => "give an amount with a frequency (`5 mg 3 times daily`), or a rate alone \
                  (`300 mcg/day`)"
                .to_string(),
            E::RateWithFrequency { proposed: true, .. } => "remove the frequency, or declare \
                 the proposed dose as an amount (`proposed_dose: mg optional`)"
                .to_string(),
            E::BolusRate { .. } => "give the bolus as an amount (`50 mcg bolus`), or the rate \
                 as an `infusion`"
                .to_string(),
            E::UnknownProposalInput { similar, .. } => did_you_mean(similar.as_deref(), || {
                "declare the proposed dose under `inputs`, e.g. `proposed_dose: mg optional`"
                    .to_string()
            }),
            E::ProposalNotADose { .. } => {
                "declare the proposed dose with its unit, e.g. `proposed_dose: mg optional`"
                    .to_string()
            }
            E::LimitNeverApplies { kinds, .. } => {
                format!("the protocol gives {kinds}: write the limit in one of those units")
            }
            E::OutsideDoseLimits { .. } => {
                "give it in the limits' unit, or add a limit for this kind of dose".to_string()
            }
            E::OutsideDailyLimits { .. } => {
                "give it in the limits' unit, or add a daily limit for this kind of dose"
                    .to_string()
            }
            E::Unlimited {
                kind, daily, rate, ..
            } => {
                let example = if *rate {
                    format!("`limit daily <= … hard` in {daily}")
                } else {
                    format!(
                        "`limit dose <= … hard` in {kind}, or `limit daily <= … hard` in {daily}"
                    )
                };
                format!(
                    "write the label's maximum as {example}; if the label gives none, write a \
                     policy maximum with `because \"…\"`"
                )
            }
            E::ReversedDoseRange { low, high, .. } => {
                format!("write the smaller dose first: `{high}..{low}`")
            }
            E::NotPositive { .. } => {
                "write the dose as a positive amount; to give nothing, use `hold` or `stop`"
                    .to_string()
            }
            E::FrequencyNotPositive { .. } => {
                "write how often the dose is given, e.g. `3 times daily` or `every 8 h`".to_string()
            }
            E::DuplicateAlternative { .. } => {
                "give each alternative its own name: the clinician, the output and the examples \
                 tell them apart by it"
                    .to_string()
            }
            E::UnknownAlternative { similar, .. } => did_you_mean(similar.as_deref(), || {
                "name an alternative written in a `choose { name: give … }`".to_string()
            }),
            E::StepAfterOpenEnded { .. } => {
                "say how long the step lasts (`300 mg once daily for 1 day, then …`), or make it \
                 the last step"
                    .to_string()
            }
            E::StepDuration { .. } => {
                "write the step's length in days, e.g. `for 1 day` or `for 2 weeks`".to_string()
            }
            E::ExampleNoExpect { .. } => {
                "add `expect status give` or another expectation".to_string()
            }
            E::ExampleGiven { .. } => "write `given { phase: start, age: 45 years }`".to_string(),
            E::ExampleUnknownInput { similar, .. } => did_you_mean(similar.as_deref(), || {
                "only declared inputs can be given".to_string()
            }),
            E::ExampleDuplicateInput { .. } => "keep one value".to_string(),
            E::ExampleMissingInput { name, .. } => {
                format!("`{name}` is required: add `{name}: …`, or declare it optional")
            }
            E::UnknownStatus { similar, .. } => did_you_mean(similar.as_deref(), || {
                format!(
                    "a status is one of {}",
                    super::examples::STATUSES.join(", ")
                )
            }),
            E::NotWrittenDose { expectation, .. } => match expectation {
                Expectation::Give => "write the dose the decision must contain",
                Expectation::Daily => "write the decision's total per day, with its unit",
                Expectation::ProposalRange => "write both ends of the range the decision shows",
                Expectation::Limit => "write the dose to hold against the protocol's hard limits",
            }
            .to_string(),
            E::DailyNotPerDay { .. } => {
                "write a unit per day: 15 mg 3 times daily is `expect daily 45 mg/day`".to_string()
            }
            E::ScheduleNotDose { .. } => "write e.g. `expect schedule [5 mg, 10 mg]`".to_string(),
            E::ProposalWord { .. } => {
                "write `expect proposal allowed` or `expect proposal refused`".to_string()
            }
            E::ProposalNotRange { .. } => "write both ends, e.g. `range 5 mg..15 mg`".to_string(),
            E::ExpectThat { .. } => "to check a value computed from the inputs write `expect \
                 given that …`; to check the dose decided write `expect give …` or `expect \
                 daily …`"
                .to_string(),
            E::LimitVerdict { similar, .. } => did_you_mean(*similar, || {
                "write `expect limit refuses 25 mg` or `expect limit allows 20 mg`".to_string()
            }),
            E::Ambiguous { name, example, .. } => format!(
                "a choice on its own must belong to one input: compare it with its input, e.g. \
                 `{example} == {name}`, or give the choices different names"
            ),
            E::UnknownName {
                name,
                similar,
                choices,
                ..
            } => did_you_mean(similar.as_deref(), || {
                if NUMBER_WORDS.contains(&name.to_lowercase().as_str()) {
                    return "write numbers in digits, e.g. `3 times daily`".to_string();
                }
                match choices {
                    Some(choices) => format!("the choices are: {choices}"),
                    None => "declare it under `inputs`, or define it with `let`".to_string(),
                }
            }),
            E::NotARecord { .. } => "only records (and lists of records) have fields".to_string(),
            E::InMismatch { .. } => {
                "write a range `low..high` or a list `[a, b]` of the same kind".to_string()
            }
            E::EmptyNotList { .. } => {
                "to test for a value that was not given, write `is missing`".to_string()
            }
            E::UnknownFunction {
                name,
                similar,
                functions,
                ..
            } => {
                if name.to_lowercase().starts_with("round") {
                    "rounding is written after the value, e.g. `(dose + 5 mg) round down to 5 mg`"
                        .to_string()
                } else {
                    did_you_mean(*similar, || format!("the functions are: {functions}"))
                }
            }
            E::Arity { usage, .. } => format!("write it as `{usage}`"),
            E::AlwaysFails { help, .. } => help.clone(),
            E::Exponent { .. } => "write the power as a whole number, e.g. `height ^ 2`; for a \
                                   square root write `sqrt(x)`"
                .to_string(),
            E::SqrtUnit { .. } => "take the root of plain numbers, as the formula's constants \
                                   assume: `sqrt(value(height in cm) * value(weight in kg) / \
                                   3600) round to 0.01`, then give it its unit (`* 1 m^2`)"
                .to_string(),
            E::SqrtRounding { .. } => "round the root where it is taken, e.g. `sqrt(x) round to \
                                       0.01`: the rounding is that of the true root, worked \
                                       out exactly"
                .to_string(),
            E::ValueUnit {
                input: Some(input),
                unit,
                ..
            } => format!(
                "`{input}` is not held in {unit}: declare it in {unit} with a `convert` to the \
                 unit it may arrive in (e.g. `{input}: mg/dL convert 1 mg/dL = 88.42 \
                 micromol/L`), so that its values are converted exactly as they are read"
            ),
            E::ValueUnit { unit, .. } => format!(
                "`value(x in {unit})` reads how many {unit} a quantity of that kind holds: name \
                 such a quantity (an input or a value worked out from one), e.g. `value(weight \
                 in kg)`"
            ),
            E::ConditionNeedsRecords { .. } => {
                "the condition reads the fields of each record".to_string()
            }
            E::Mismatch { expected, fix, .. } => fix
                .clone()
                .unwrap_or_else(|| format!("write {expected} here")),
            E::OperandMismatch { op, fix, .. } => fix.clone().unwrap_or_else(|| {
                format!("both sides must be the same kind of value to {op} them")
            }),
            E::NotAList { name, .. } => format!("give `{name}` its whole value instead"),
        }
    }

    /// The crate's diagnostic for this problem (the checker attaches the protocol's source).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut diag = match self.severity() {
            Severity::Warning => Diagnostic::warning(self.code(), self.message()),
            _ => Diagnostic::error(self.code(), self.message()),
        };
        for (span, text) in self.labels() {
            diag = diag.with_label(span, text);
        }
        diag.with_help(self.help())
    }
}

/// What an unknown name is called: a choice where one is expected, else a name.
fn name_word(choice: bool) -> &'static str {
    if choice {
        "choice"
    } else {
        "name"
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for CheckError {}

impl From<CheckError> for Diagnostic {
    fn from(error: CheckError) -> Self {
        error.to_diagnostic()
    }
}

/// The help of [`CheckError::WrongUnit`]: the unit to write, and why the one written does not
/// convert when it is a kind often taken for the input's (micromol/L for mg/dL).
fn wrong_unit_help(unit: &str, value: &str) -> String {
    if unit.is_empty() {
        return "write a plain number, without a unit".to_string();
    }
    let write = format!("write a value in {unit} or a unit convertible to it");
    let dims = crate::units::Quantity::parse(value)
        .ok()
        .zip(crate::units::Unit::parse(unit).ok());
    match dims.and_then(|(q, u)| q.dim().why_not_convertible(&u.dim())) {
        Some(why) => format!("{write}; {why}"),
        None => write,
    }
}

/// The message of [`CheckError::UnsafeAbbreviation`]: what is error-prone in the spelling.
fn unsafe_message(text: &str, safe: &str) -> String {
    let why = if safe.contains("micromol") {
        "abbreviates micromole in an error-prone way: `µmol` is misread as `mmol` and `u` as 0 \
         or 4, a thousandfold error (ISMP: write micro out)"
    } else if safe.contains("m^2") && !safe.contains("mcg") {
        "writes an area with a superscript, which is lost when copied (`m²` read as `m`)"
    } else {
        "abbreviates microgram in an error-prone way: `µg` and `ug` are misread as `mg`, a \
         thousandfold overdose (ISMP)"
    };
    format!("`{}` {why}", quoted(text))
}

/// The label of [`CheckError::UnsafeAbbreviation`]: the safe atom to write.
fn unsafe_label(safe: &str) -> &'static str {
    if safe.contains("micromol") {
        "write micromol"
    } else if safe.contains("m^2") && !safe.contains("mcg") {
        "write m^2"
    } else {
        "write mcg"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unshown_problems_are_an_error_only_when_one_of_them_is() {
        let unshown = |errors| CheckError::TooManyProblems {
            count: 3,
            errors,
            first: None,
        };
        assert_eq!(unshown(0).severity(), Severity::Warning);
        assert_eq!(unshown(1).severity(), Severity::Error);
        assert_eq!(
            unshown(1).message(),
            "3 more problems were found (1 error) are not shown"
        );
    }

    #[test]
    fn codes_follow_the_data() {
        let name = |choice| CheckError::UnknownName {
            name: "x".into(),
            choice,
            similar: None,
            choices: choice.then(|| "a, b".to_string()),
            span: Span::new(0, 1),
        };
        assert_eq!(name(true).code(), Code::NameUnknownValue);
        assert_eq!(name(true).help(), "the choices are: a, b");
        assert_eq!(name(false).code(), Code::NameUnknown);
        let mismatch = |numbers| CheckError::Mismatch {
            place: "the dose".into(),
            expected: "a mass".into(),
            found: "a volume".into(),
            numbers,
            fix: None,
            span: Span::new(0, 1),
        };
        assert_eq!(mismatch(true).code(), Code::UnitMismatch);
        assert_eq!(mismatch(false).code(), Code::TypeMismatch);
        assert_eq!(mismatch(false).help(), "write a mass here");
    }

    #[test]
    fn a_number_word_gets_digits_advice_before_the_declaration_advice() {
        let unknown = CheckError::UnknownName {
            name: "Three".into(),
            choice: false,
            similar: None,
            choices: None,
            span: Span::new(0, 5),
        };
        assert_eq!(
            unknown.help(),
            "write numbers in digits, e.g. `3 times daily`"
        );
    }

    #[test]
    fn a_cycle_through_another_let_labels_the_use_first() {
        let cycle = CheckError::Cycle {
            name: "a".into(),
            user: Some("b".into()),
            used_at: Some(Span::new(20, 21)),
            defined: Span::new(4, 5),
        }
        .to_diagnostic();
        assert_eq!(cycle.message, "`a` depends on itself, through `b`");
        let texts: Vec<&str> = cycle.labels.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["`b` uses `a` here", "`a` is defined here"]);
    }
}
