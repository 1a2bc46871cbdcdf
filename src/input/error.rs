//! Every way a patient's data can be refused, as data: the one place that turns each kind into
//! its code, message, labels and help. The document readers (JSON, YAML, TOML) and the decoder
//! that holds values against the protocol's inputs both build these; which source the spans
//! point into (a patient file, a `--set` argument) is the caller's to attach.

use std::fmt;

use super::document::{Format, MAX_DEPTH};
use super::{MAX_DIAGNOSTICS, MAX_LIST_ITEMS, MAX_RECORD_VALUES};
use crate::check::Invalid;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::display::quoted;
use crate::units::{NumberLimit, Quantity, Unit, UnitError};

/// The advice for a YAML anchor or alias: a patient file writes each value where it is used.
const WRITE_IT_OUT: &str = "write the value out in full wherever it is needed, without `&` \
                            anchors and `*` aliases";

/// A YAML feature that patient files refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlFeature {
    /// A second document (`---`) in one file.
    SecondDocument,
    /// An anchor (`&name`).
    Anchor,
    /// A tag (`!name`, `!!name`).
    Tag,
    /// An alias (`*name`), or an anchor that was never defined.
    Alias,
}

/// What is said instead of a name that is not known: a lookalike character, a close name, or
/// the list of names there are (which list, and how a close name is quoted, is the variant's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    /// The name holds a character that looks like another (this is the help, as written by
    /// `document::lookalike_help`).
    Lookalike(String),
    /// A known name close to the one written.
    Similar(String),
    /// No close name: the known names, listed.
    Listed(String),
}

/// One refusal of a patient's data (the input layer's error kind).
#[derive(Clone, Debug, PartialEq)]
pub enum InputError {
    /// The file is not valid in its format. The parsers find these at many places, each with
    /// its own detail and advice, so both are carried as text.
    Syntax {
        /// The file's format.
        format: Format,
        /// What is wrong, as a phrase.
        detail: String,
        /// How to fix it.
        help: String,
        /// Where.
        span: Span,
    },
    /// Records and lists nest too deep.
    TooDeep {
        /// The file's format.
        format: Format,
        /// Where the level too many starts.
        span: Span,
    },
    /// A list with more than [`MAX_LIST_ITEMS`] items, or a record with as many fields, seen
    /// while the file is read.
    TooManyItems {
        /// The first item too many.
        past: Span,
        /// Where the list or record starts, if known.
        open: Option<Span>,
        /// A record (fields) rather than a list (items).
        record: bool,
    },
    /// A field given twice in one record.
    DuplicateField {
        /// The field's name as written.
        key: String,
        /// Its first place, if known.
        first: Option<Span>,
        /// Its second place.
        again: Span,
    },
    /// A YAML feature patient files refuse.
    Unsupported {
        /// Which.
        feature: YamlFeature,
        /// Where.
        span: Span,
    },
    /// The file holds nothing but blanks (and comments).
    Empty {
        /// The file's format.
        format: Format,
        /// The file's length in bytes (all of it is labelled).
        len: usize,
    },
    /// The top level is not a record.
    NotARecord {
        /// The file's format (for the example).
        format: Format,
        /// What it holds instead ("a list").
        what: &'static str,
        /// The top-level value.
        span: Span,
    },
    /// A `require` of the protocol that the data does not meet, labelling the values it read.
    Rejected {
        /// The requirement's `because` text.
        because: String,
        /// The condition as written in the protocol.
        condition: String,
        /// The requirement's cited source, if it has one.
        cite: Option<String>,
        /// The values it read that the file gives: each place and name.
        read: Vec<(Span, String)>,
        /// The whole document (labelled at its start when no value read is in the file).
        whole: Span,
    },
    /// A required input the file does not give.
    MissingInput {
        /// The input.
        name: String,
        /// How a value of its type is written.
        spelling: String,
        /// The whole document (labelled at its start).
        whole: Span,
    },
    /// A record that lacks a required field.
    MissingField {
        /// Where the record is (`doses[2]`).
        path: String,
        /// The field.
        field: String,
        /// How a value of its type is written.
        spelling: String,
        /// The record.
        span: Span,
    },
    /// A number written with an exponent (`3e0`).
    Exponent {
        /// Where the number is.
        path: String,
        /// The number as written.
        text: String,
        /// Its span.
        span: Span,
    },
    /// A whole-number input given a fraction (message and help are the checker's, shared
    /// with constants in a protocol).
    NotWhole {
        /// The checker's words.
        invalid: Invalid,
        /// The number.
        span: Span,
    },
    /// A value its input's own constraints refuse (the checker's words, said of `path`).
    NotAllowed {
        /// The checker's words, which name the input.
        invalid: Invalid,
        /// The input's name, as the checker's message quotes it.
        name: String,
        /// Where the value is, which replaces the name in the message.
        path: String,
        /// The value.
        span: Span,
    },
    /// A number that cannot be held exactly.
    OutOfRange {
        /// Where the number is.
        path: String,
        /// The number as written.
        text: String,
        /// Its span.
        span: Span,
    },
    /// Records hold more than [`MAX_RECORD_VALUES`] field values in all.
    TooManyValues {
        /// Where the limit is passed.
        span: Span,
    },
    /// More problems than [`MAX_DIAGNOSTICS`]: how many were not shown.
    TooManyProblems {
        /// How many.
        count: usize,
        /// The whole document (labelled at its start).
        whole: Span,
    },
    /// A top-level field that is not an input of the protocol.
    UnknownField {
        /// The field's name as written.
        key: String,
        /// What to say instead.
        hint: Hint,
        /// The name.
        span: Span,
    },
    /// A `--set NAME=VALUE` whose name is not an input of the protocol.
    UnknownSetting {
        /// The name as written.
        name: String,
        /// What to say instead.
        hint: Hint,
        /// The name.
        span: Span,
    },
    /// A field of a record that its record type does not declare.
    UnknownRecordField {
        /// The field's name as written.
        key: String,
        /// Where the record is.
        path: String,
        /// What to say instead.
        hint: Hint,
        /// The name.
        span: Span,
    },
    /// A `--set` without `=`.
    SetSyntax {
        /// The setting's length (all of it is labelled).
        len: usize,
    },
    /// A `--set NAME=` with nothing after `=` (not "leave it out": an empty shell variable
    /// would put the protocol's default over the patient file's value).
    SetEmpty {
        /// The input's name as written.
        name: String,
        /// Where the value should be.
        span: Span,
    },
    /// The same input given twice with `--set` (the last one silently winning would hide a
    /// contradiction).
    SetTwice {
        /// The input's name as written.
        name: String,
        /// The setting's length (all of it is labelled).
        len: usize,
    },
    /// A number without a unit where a quantity is needed.
    BareNumber {
        /// Where the number is.
        path: String,
        /// The number as written.
        text: String,
        /// The unit the input is declared in.
        unit: Unit,
        /// The number.
        span: Span,
    },
    /// A quantity of another kind than the input's unit.
    WrongUnit {
        /// Where the value is.
        path: String,
        /// The value as written.
        text: String,
        /// The unit the input is declared in.
        unit: Unit,
        /// The value.
        span: Span,
    },
    /// Any other unit problem in a quantity, said of the value's place.
    Unit {
        /// Where the value is.
        path: String,
        /// The unit layer's error.
        error: UnitError,
        /// The value.
        span: Span,
    },
    /// A text that is not one of its choice's values.
    UnknownChoice {
        /// The text as written.
        text: String,
        /// Where it is.
        path: String,
        /// What to say instead.
        hint: Hint,
        /// The text.
        span: Span,
    },
    /// A text that is not a date.
    BadDate {
        /// Where it is.
        path: String,
        /// The text as written.
        text: String,
        /// The text.
        span: Span,
    },
    /// A value of the wrong type.
    WrongType {
        /// Where it is.
        path: String,
        /// How a value of the right type is written.
        want: String,
        /// What it is instead ("a list").
        got: &'static str,
        /// The value.
        span: Span,
    },
    /// A list with more than [`MAX_LIST_ITEMS`] items, found while decoding.
    ListTooLong {
        /// Where the list is.
        path: String,
        /// How many items it has.
        count: usize,
        /// The list.
        span: Span,
    },
}

/// An example of a patient file in each format.
fn example(format: Format) -> &'static str {
    match format {
        Format::Json => r#"{"age": "45 years", "dose": "10 mg"}"#,
        Format::Yaml => "`age: 45 years` on one line and `dose: 10 mg` on the next",
        Format::Toml => r#"`age = "45 years"` on one line and `dose = "10 mg"` on the next"#,
    }
}

/// The help for an unknown name: `similar` formats a close name, `listed` is said before the
/// list of names.
fn hint_help(hint: &Hint, similar: impl Fn(&str) -> String, listed: &str) -> String {
    match hint {
        Hint::Lookalike(help) => help.clone(),
        Hint::Similar(name) => similar(name),
        Hint::Listed(names) => format!("{listed}{names}"),
    }
}

/// The one character at the start of `whole`, where a problem with the whole document is shown.
fn start_of(whole: Span) -> Span {
    Span::new(whole.start, whole.start + 1)
}

impl InputError {
    /// The registry code.
    pub fn code(&self) -> Code {
        match self {
            InputError::Syntax { .. } => Code::InputSyntax,
            InputError::TooDeep { .. } => Code::InputTooDeep,
            InputError::TooManyItems { .. } | InputError::ListTooLong { .. } => {
                Code::InputTooManyItems
            }
            InputError::DuplicateField { .. } => Code::InputDuplicateField,
            InputError::Unsupported { .. } => Code::InputUnsupported,
            InputError::Empty { .. } => Code::InputEmpty,
            InputError::NotARecord { .. } => Code::InputNotARecord,
            InputError::Rejected { .. } => Code::InputRejected,
            InputError::MissingInput { .. } | InputError::MissingField { .. } => {
                Code::InputMissingField
            }
            // Exponents are refused in protocols too, with the unit layer's code.
            InputError::Exponent { .. } => Code::UnitNotation,
            InputError::NotWhole { invalid, .. } | InputError::NotAllowed { invalid, .. } => {
                invalid.code
            }
            InputError::OutOfRange { .. } => Code::ValueOutOfRange,
            InputError::TooManyValues { .. } => Code::InputTooManyValues,
            InputError::TooManyProblems { .. } => Code::InputTooManyProblems,
            InputError::UnknownField { .. }
            | InputError::UnknownSetting { .. }
            | InputError::UnknownRecordField { .. } => Code::InputUnknownField,
            InputError::SetSyntax { .. } | InputError::SetEmpty { .. } => Code::InputSetSyntax,
            InputError::SetTwice { .. } => Code::InputDuplicateField,
            InputError::BareNumber { .. } => Code::InputBareNumber,
            InputError::WrongUnit { .. } => Code::UnitMismatch,
            InputError::Unit { error, .. } => error.code(),
            InputError::UnknownChoice { .. } => Code::InputUnknownValue,
            InputError::BadDate { .. } => Code::InputBadDate,
            InputError::WrongType { .. } => Code::InputWrongType,
        }
    }

    /// One sentence saying what is wrong.
    // Long on purpose: one arm per kind: the message of every input diagnostic in one place.
    pub fn message(&self) -> String {
        match self {
            InputError::Syntax { format, detail, .. } => {
                format!("this {} is not valid: {detail}", format.name())
            }
            InputError::TooDeep { format, .. } => format!(
                "this {} nests records and lists more than {MAX_DEPTH} levels deep",
                format.name()
            ),
            InputError::TooManyItems { record, .. } => {
                let (what, items) = container_words(*record);
                format!(
                    "this {what} has more than {MAX_LIST_ITEMS} {items}; at most \
                     {MAX_LIST_ITEMS} are accepted"
                )
            }
            InputError::DuplicateField { key, .. } => format!(
                "the field `{}` is given twice in the same record",
                quoted(key)
            ),
            InputError::Unsupported { feature, .. } => match feature {
                YamlFeature::SecondDocument => "this YAML file holds more than one document",
                YamlFeature::Anchor => {
                    "this YAML marks a value with an anchor (`&name`), which patient files do \
                     not allow"
                }
                YamlFeature::Tag => {
                    "this YAML gives a value a tag (`!name` or `!!name`), which patient files do \
                     not allow"
                }
                YamlFeature::Alias => {
                    "this YAML repeats a value with an alias (`*name`), which patient files do \
                     not allow"
                }
            }
            .to_string(),
            InputError::Empty { format, .. } => {
                format!("this patient file ({}) is empty", format.name())
            }
            InputError::NotARecord { what, .. } => format!(
                "a patient file must hold a record of named fields, but this one holds {what}"
            ),
            InputError::Rejected { because, .. } => {
                format!("the patient's data is refused: {because}")
            }
            InputError::MissingInput { name, .. } => {
                format!("the patient file does not give `{name}`")
            }
            InputError::MissingField { path, field, .. } => format!("`{path}` has no `{field}`"),
            InputError::Exponent { path, text, .. } => format!(
                "`{path}` is written with an exponent (`{}`): exponent notation is not \
                 accepted, as it is easily misread",
                quoted(text)
            ),
            InputError::NotWhole { invalid, .. } => invalid.message.clone(),
            InputError::NotAllowed {
                invalid,
                name,
                path,
                ..
            } => invalid
                .message
                .replace(&format!("`{name}`"), &format!("`{path}`")),
            InputError::OutOfRange { path, text, .. } => {
                format!("`{path}`: {}", NumberLimit::of(text).message(&quoted(text)))
            }
            InputError::TooManyValues { .. } => format!(
                "the records in the patient's data hold more than {MAX_RECORD_VALUES} field \
                 values in all"
            ),
            InputError::TooManyProblems { count, .. } => format!(
                "{count} more problem{} in the patient's data {} not shown",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "is" } else { "are" }
            ),
            InputError::UnknownField { key, .. } => {
                format!("`{}` is not an input of this protocol", quoted(key))
            }
            InputError::UnknownSetting { name, .. } => {
                format!("`{}` is not an input of this protocol", quoted(name))
            }
            InputError::UnknownRecordField { key, path, .. } => {
                format!("`{}` is not a field of `{path}`", quoted(key))
            }
            InputError::SetSyntax { .. } => "a setting is written NAME=VALUE".to_string(),
            InputError::SetEmpty { name, .. } => {
                format!("`--set {}=` gives no value", quoted(name))
            }
            InputError::SetTwice { name, .. } => {
                format!("`{}` is set twice with --set", quoted(name))
            }
            InputError::BareNumber { path, unit, .. } => format!(
                "`{path}` is a bare number, but it must be {} with its unit",
                unit.dim().describe()
            ),
            InputError::WrongUnit {
                path, text, unit, ..
            } => format!(
                "`{path}` is \"{}\", but it must be in {unit} ({})",
                quoted(text),
                unit.dim().describe()
            ),
            InputError::Unit { path, error, .. } => format!("`{path}`: {error}"),
            InputError::UnknownChoice { text, path, .. } => {
                format!("\"{}\" is not a choice of `{path}`", quoted(text))
            }
            InputError::BadDate { path, text, .. } => {
                format!("`{path}` is \"{}\", which is not a date", quoted(text))
            }
            InputError::WrongType {
                path, want, got, ..
            } => format!("`{path}` must be {want}, but is {got}"),
            InputError::ListTooLong { path, count, .. } => {
                format!("`{path}` has {count} items; at most {MAX_LIST_ITEMS} are accepted")
            }
        }
    }

    /// The labelled places, the main one first.
    fn labels(&self) -> Vec<(Span, String)> {
        let one = |span: Span, text: &str| vec![(span, text.to_string())];
        match self {
            InputError::Syntax { span, .. } => one(*span, "here"),
            InputError::TooDeep { span, .. } => {
                vec![(*span, format!("level {} starts here", MAX_DEPTH + 1))]
            }
            InputError::TooManyItems { past, open, record } => {
                let (what, items) = container_words(*record);
                let mut labels = vec![(
                    *past,
                    format!("{} {}", &items[..items.len() - 1], MAX_LIST_ITEMS + 1),
                )];
                if let Some(open) = open {
                    labels.push((*open, format!("this {what} starts here")));
                }
                labels
            }
            InputError::DuplicateField { first, again, .. } => {
                let mut labels = one(*again, "given again here");
                if let Some(first) = first {
                    labels.push((*first, "first given here".to_string()));
                }
                labels
            }
            InputError::Unsupported { feature, span } => one(
                *span,
                match feature {
                    YamlFeature::SecondDocument => "a second document starts here",
                    YamlFeature::Anchor => "anchor",
                    YamlFeature::Tag => "tag",
                    YamlFeature::Alias => "alias",
                },
            ),
            InputError::Empty { len, .. } => one(Span::new(0, *len), "nothing here"),
            InputError::NotARecord { what, span, .. } => vec![(*span, format!("this is {what}"))],
            InputError::Rejected { read, whole, .. } if read.is_empty() => {
                one(start_of(*whole), "in this patient's data")
            }
            InputError::Rejected { read, .. } => read
                .iter()
                .map(|(span, name)| (*span, format!("`{name}`")))
                .collect(),
            InputError::MissingInput { name, whole, .. } => {
                vec![(start_of(*whole), format!("needs `{name}`"))]
            }
            InputError::MissingField { field, span, .. } => {
                vec![(*span, format!("needs `{field}`"))]
            }
            InputError::Exponent { span, .. } => one(*span, "exponent"),
            InputError::NotWhole { span, .. } => one(*span, "not a whole number"),
            InputError::NotAllowed { span, .. } => one(*span, "not allowed"),
            InputError::OutOfRange { text, span, .. } => one(*span, NumberLimit::of(text).label()),
            InputError::TooManyValues { span } => one(*span, "the limit is passed here"),
            InputError::TooManyProblems { whole, .. } => {
                one(start_of(*whole), "in this patient's data")
            }
            InputError::UnknownField { span, .. } | InputError::UnknownRecordField { span, .. } => {
                one(*span, "unknown field")
            }
            InputError::UnknownSetting { span, .. } => one(*span, "unknown input"),
            InputError::SetSyntax { len } => one(Span::new(0, *len), "no `=`"),
            InputError::SetEmpty { span, .. } => one(*span, "no value after `=`"),
            InputError::SetTwice { len, .. } => one(Span::new(0, *len), "set again here"),
            InputError::BareNumber { span, .. } => one(*span, "no unit"),
            InputError::WrongUnit { span, .. } => one(*span, "wrong kind of unit"),
            InputError::Unit { error, span, .. } => one(*span, error.label()),
            InputError::UnknownChoice { span, .. } => one(*span, "unknown choice"),
            InputError::BadDate { span, .. } => one(*span, "not a date"),
            InputError::WrongType { got, span, .. } => vec![(*span, format!("{got} here"))],
            InputError::ListTooLong { span, .. } => one(*span, "too long"),
        }
    }

    /// How to fix it, when there is something useful to say.
    // Long on purpose: one arm per kind: the help of every input diagnostic in one place.
    pub fn help(&self) -> Option<String> {
        let text = match self {
            InputError::Syntax { help, .. } => help.clone(),
            InputError::TooDeep { .. } => "a patient file needs only a few levels of nesting; \
                 check for unclosed brackets, or simplify the file"
                .to_string(),
            InputError::TooManyItems { .. } | InputError::ListTooLong { .. } => {
                "a patient's list should hold only what the protocol needs".to_string()
            }
            InputError::DuplicateField { key, .. } => format!(
                "keep only one `{}`, with the value you mean: it is not safe to guess which one \
                 applies",
                quoted(key)
            ),
            InputError::Unsupported { feature, .. } => match feature {
                YamlFeature::SecondDocument => {
                    "a patient file holds one document: remove this `---` and what follows, or \
                     put each document in a file of its own"
                }
                YamlFeature::Anchor | YamlFeature::Alias => WRITE_IT_OUT,
                YamlFeature::Tag => {
                    "remove the tag and write the value out plainly (in quotes if it is meant as \
                     text)"
                }
            }
            .to_string(),
            InputError::Empty { format, .. } => format!(
                "write the patient's data into the file as named fields, e.g. {}",
                example(*format)
            ),
            InputError::NotARecord { format, .. } => format!(
                "write the patient's data as named fields, e.g. {}",
                example(*format)
            ),
            InputError::Rejected {
                condition, cite, ..
            } => {
                let cite = cite.as_ref().map(|s| format!(" ({s})")).unwrap_or_default();
                format!(
                    "the protocol requires `{condition}`{cite}; correct the data, since no dose \
                     is decided on data that makes no clinical sense"
                )
            }
            InputError::MissingInput { name, spelling, .. } => {
                format!("`{name}` is required: add `\"{name}\": …` ({spelling})")
            }
            InputError::MissingField {
                field, spelling, ..
            } => format!("add `\"{field}\": …` ({spelling})"),
            InputError::Exponent { text, .. } => {
                match rust_decimal::Decimal::from_scientific(text) {
                    Ok(d) => format!("write `{}`", crate::units::format_decimal(&d)),
                    Err(_) => "write the number out in full, without an exponent".to_string(),
                }
            }
            InputError::NotWhole { invalid, .. } | InputError::NotAllowed { invalid, .. } => {
                invalid.help.clone()
            }
            InputError::OutOfRange { text, .. } => NumberLimit::of(text).help().to_string(),
            InputError::TooManyValues { .. } => "each record holds every field the protocol \
                 declares for it: give only the records the protocol needs"
                .to_string(),
            InputError::TooManyProblems { .. } => format!(
                "at most {MAX_DIAGNOSTICS} problems are shown at once: correct these and read \
                 the file again"
            ),
            InputError::UnknownField { hint, .. } | InputError::UnknownSetting { hint, .. } => {
                hint_help(
                    hint,
                    |s| format!("did you mean `{s}`?"),
                    "this protocol's inputs are: ",
                )
            }
            InputError::UnknownRecordField { hint, .. } => {
                hint_help(hint, |s| format!("did you mean `{s}`?"), "the fields are: ")
            }
            InputError::SetSyntax { .. } => {
                "for example --set dose=\"10 mg\" or --set doses_per_day=3".to_string()
            }
            InputError::SetEmpty { .. } => "write a value after `=` (--set NAME=VALUE); to leave \
                 an optional input out, remove it from the patient file"
                .to_string(),
            InputError::SetTwice { .. } => "keep one --set for each input".to_string(),
            InputError::BareNumber { text, unit, .. } => {
                let example = text
                    .parse::<rust_decimal::Decimal>()
                    .map(|d| Quantity::new(d.into(), unit.clone()).to_string())
                    .unwrap_or_else(|_| format!("{} {unit}", quoted(text)));
                format!(
                    "write the unit with the number, in quotes: \"{example}\" (a bare number is \
                     never guessed to be in {unit})"
                )
            }
            InputError::WrongUnit { unit, text, .. } => wrong_unit_help(unit, text),
            InputError::Unit { error, .. } => return error.help(),
            InputError::UnknownChoice { hint, .. } => hint_help(
                hint,
                |x| format!("did you mean \"{x}\"?"),
                "the choices are: ",
            ),
            InputError::BadDate { .. } => {
                "write the date as YYYY-MM-DD, e.g. \"2026-12-01\"".to_string()
            }
            InputError::WrongType { want, .. } => format!("write {want}"),
        };
        Some(text)
    }

    /// The crate's diagnostic for this error (the caller attaches the source the spans point
    /// into).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut diag = Diagnostic::error(self.code(), self.message());
        for (span, text) in self.labels() {
            diag = diag.with_label(span, text);
        }
        match self.help() {
            Some(help) => diag.with_help(help),
            None => diag,
        }
    }
}

/// What a container and its members are called.
fn container_words(record: bool) -> (&'static str, &'static str) {
    if record {
        ("record", "fields")
    } else {
        ("list", "items")
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for InputError {}

impl From<InputError> for Diagnostic {
    fn from(error: InputError) -> Self {
        error.to_diagnostic()
    }
}

/// The help of [`InputError::WrongUnit`]: the unit to write, and why the one written does not
/// convert when it is a kind often taken for the input's (micromol/L for mg/dL).
fn wrong_unit_help(unit: &Unit, text: &str) -> String {
    let write = format!("write a value in {unit} or a unit convertible to it");
    let why = Quantity::parse(text)
        .ok()
        .and_then(|q| q.dim().why_not_convertible(&unit.dim()));
    match why {
        Some(why) => format!("{write}; {why}"),
        None => write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_that_read_no_value_in_the_file_points_at_its_start() {
        let rejected = |read: Vec<(Span, String)>| {
            InputError::Rejected {
                because: "weight is positive".into(),
                condition: "weight > 0 kg".into(),
                cite: Some("label".into()),
                read,
                whole: Span::new(3, 50),
            }
            .to_diagnostic()
        };
        let none = rejected(Vec::new());
        assert_eq!(none.primary_span(), Some(Span::new(3, 4)));
        assert_eq!(none.labels[0].text, "in this patient's data");
        assert!(none
            .help
            .is_some_and(|h| h.starts_with("the protocol requires `weight > 0 kg` (label);")));
        let two = rejected(vec![
            (Span::new(10, 12), "a".into()),
            (Span::new(20, 22), "b".into()),
        ]);
        let texts: Vec<&str> = two.labels.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["`a`", "`b`"]);
    }

    #[test]
    fn hints_are_worded_for_what_is_unknown() {
        let choice = InputError::UnknownChoice {
            text: "hihg".into(),
            path: "risk".into(),
            hint: Hint::Similar("high".into()),
            span: Span::new(0, 4),
        };
        assert_eq!(choice.help().as_deref(), Some("did you mean \"high\"?"));
        let field = InputError::UnknownRecordField {
            key: "x".into(),
            path: "doses[0]".into(),
            hint: Hint::Listed("a, b".into()),
            span: Span::new(0, 1),
        };
        assert_eq!(field.help().as_deref(), Some("the fields are: a, b"));
        let lookalike = InputError::UnknownField {
            key: "x".into(),
            hint: Hint::Lookalike("as written".into()),
            span: Span::new(0, 1),
        };
        assert_eq!(lookalike.help().as_deref(), Some("as written"));
    }

    #[test]
    fn a_unit_problem_keeps_its_code_and_is_said_of_its_place() {
        let unit = InputError::Unit {
            path: "dose".into(),
            error: UnitError::MissingUnit,
            span: Span::new(0, 2),
        };
        let diag = unit.to_diagnostic();
        assert_eq!(diag.code, UnitError::MissingUnit.code().as_str());
        assert_eq!(diag.message, "`dose`: this number has no unit");
        assert_eq!(diag.help, UnitError::MissingUnit.help());
    }

    #[test]
    fn too_many_items_names_the_container() {
        let record = InputError::TooManyItems {
            past: Span::new(5, 6),
            open: Some(Span::new(0, 1)),
            record: true,
        }
        .to_diagnostic();
        assert!(record.message.starts_with("this record has more than"));
        assert_eq!(
            record.labels[0].text,
            format!("field {}", MAX_LIST_ITEMS + 1)
        );
        assert_eq!(record.labels[1].text, "this record starts here");
    }
}
