//! Every way protocol text can fail to be read, as data: the one place that turns each kind
//! into its code, message, labels and help. (`error.rs` decides which kind a parse error is,
//! from the text around it; this file says it.)

use std::fmt;

use super::expr::MAX_EXPR_DEPTH;
use super::{MAX_NESTING, MAX_PROTOCOL_BYTES, MAX_UNBRACKETED_NESTING};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::display::quoted;
use crate::units::NumberLimit;

/// The rule openings, as the messages about a rule's start list them.
const RULE_STARTS: &str = "`when`, `otherwise` or `always`";

/// One failure to read protocol text (the syntax layer's error kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    /// The protocol is larger than [`MAX_PROTOCOL_BYTES`].
    TooLarge {
        /// Its size in bytes.
        len: usize,
    },
    /// A character that looks like protocol syntax but is not (a curly quote, a
    /// non-breaking space).
    Lookalike {
        /// The character.
        c: char,
        /// Its name.
        name: &'static str,
        /// What to write instead.
        write: &'static str,
        /// Its byte offset.
        at: usize,
    },
    /// A character shown as a line break, or that reorders the text around it, while the
    /// parser reads on as if on the same line ("Trojan Source").
    HiddenText {
        /// The character.
        c: char,
        /// What it is, in words.
        what: &'static str,
        /// Its byte offset.
        at: usize,
    },
    /// Brackets nested more than [`MAX_NESTING`] deep.
    NestingTooDeep {
        /// The offset of the bracket too many.
        at: usize,
    },
    /// An expression more than `MAX_EXPR_DEPTH` operations deep.
    ExprTooDeep {
        /// The expression.
        span: Span,
    },
    /// The reader ran out of stack (its guard against deep nesting).
    ReaderTooDeep {
        /// Where it stopped.
        span: Span,
    },
    /// `list of` types nested in one another more than `MAX_UNBRACKETED_NESTING` deep.
    TypeTooDeep {
        /// The `list` that goes one too deep.
        span: Span,
    },
    /// The reader ran out of work (its guard against text that takes too long to read).
    ReaderTooComplex {
        /// Where it stopped.
        span: Span,
    },
    /// Text the grammar does not expect, matching none of the known slips. What was expected
    /// and the advice depend on the parser's state at that point, so they are carried as text.
    Unexpected {
        /// What was expected and found.
        message: String,
        /// A few words at the place.
        label: String,
        /// How to fix it.
        help: String,
        /// Where.
        span: Span,
    },
    /// `=` where `==` compares.
    SingleEquals {
        /// The `=`.
        span: Span,
    },
    /// A `}` after the protocol was closed.
    ExtraBrace {
        /// The `}`.
        span: Span,
    },
    /// Two actions of one rule without a `;` between them.
    MissingSemicolon {
        /// The second action's word.
        action: String,
        /// Where.
        span: Span,
    },
    /// An action after a condition without `=>`.
    MissingArrow {
        /// The action's word.
        action: String,
        /// Where.
        span: Span,
    },
    /// The file ends while a `{` is open.
    Unclosed {
        /// The end of the file.
        span: Span,
        /// The offset of a `{` that no `}` lines up with, if one is found.
        open: Option<usize>,
    },
    /// A Latin dosing abbreviation (`tid`).
    LatinAbbreviation {
        /// The word.
        word: String,
        /// The safe wording.
        instead: &'static str,
        /// The word's span.
        span: Span,
    },
    /// A rule name without its `:`.
    RuleNameColon {
        /// The name.
        word: String,
        /// The rule opening that follows it.
        keyword: String,
        /// The name's span.
        span: Span,
    },
    /// A rule that starts with another word than `when`, `otherwise` or `always`.
    RuleStart {
        /// The word.
        word: String,
        /// A close rule opening, if the word is a slip for one.
        similar: Option<String>,
        /// The word's span.
        span: Span,
    },
    /// A keyword where a name is declared (`let daily = …`, `in: mg`).
    ReservedWord {
        /// The keyword.
        word: String,
        /// The keyword's span.
        span: Span,
    },
    /// A protocol with two `begin at`.
    DuplicateBegin {
        /// The second one.
        again: Span,
        /// The first one.
        first: Span,
    },
    /// A part of a dose (form, route, frequency, …) written twice.
    DuplicateModifier {
        /// The part written again.
        span: Span,
        /// In an example's `expect give` (which has fewer parts) rather than a `give`.
        expect: bool,
    },
    /// A number without its leading zero (`.5`).
    LeadingDecimalPoint {
        /// The number as written.
        digits: String,
        /// The quantity.
        span: Span,
    },
    /// A number with a trailing zero (`5.0`).
    TrailingZero {
        /// The number as written.
        digits: String,
        /// The number.
        span: Span,
    },
    /// A number that cannot be held exactly.
    OutOfRange {
        /// The number as written.
        digits: String,
        /// The number.
        span: Span,
    },
    /// The parse tree has a shape the builder does not know: a bug in Posology.
    Internal {
        /// What was being read.
        span: Span,
    },
}

impl SyntaxError {
    /// The registry code.
    pub fn code(&self) -> Code {
        match self {
            SyntaxError::TooLarge { .. } => Code::SyntaxTooLarge,
            SyntaxError::Lookalike { .. } => Code::SyntaxLookalikeCharacter,
            SyntaxError::HiddenText { .. } => Code::SyntaxHiddenText,
            SyntaxError::NestingTooDeep { .. }
            | SyntaxError::ExprTooDeep { .. }
            | SyntaxError::ReaderTooDeep { .. }
            | SyntaxError::TypeTooDeep { .. } => Code::SyntaxTooDeep,
            SyntaxError::ReaderTooComplex { .. } => Code::SyntaxTooComplex,
            SyntaxError::Unexpected { .. }
            | SyntaxError::SingleEquals { .. }
            | SyntaxError::ExtraBrace { .. }
            | SyntaxError::MissingSemicolon { .. }
            | SyntaxError::MissingArrow { .. }
            | SyntaxError::Unclosed { .. }
            | SyntaxError::LatinAbbreviation { .. }
            | SyntaxError::RuleNameColon { .. }
            | SyntaxError::RuleStart { .. } => Code::SyntaxUnexpected,
            SyntaxError::ReservedWord { .. } => Code::SyntaxReservedWord,
            SyntaxError::DuplicateBegin { .. } => Code::SyntaxDuplicateBegin,
            SyntaxError::DuplicateModifier { .. } => Code::SyntaxDuplicateModifier,
            SyntaxError::LeadingDecimalPoint { .. } => Code::SyntaxLeadingDecimalPoint,
            // The same ISMP rule as `5.0 mg` in a patient file: the unit layer's code.
            SyntaxError::TrailingZero { .. } => Code::UnitNotation,
            SyntaxError::OutOfRange { .. } => Code::ValueOutOfRange,
            SyntaxError::Internal { .. } => Code::Internal,
        }
    }

    /// One sentence saying what is wrong.
    pub fn message(&self) -> String {
        match self {
            SyntaxError::TooLarge { len } => format!(
                "this protocol is {len} bytes; the largest accepted is {MAX_PROTOCOL_BYTES} bytes"
            ),
            SyntaxError::Lookalike { c, name, .. } => {
                format!("this is a {name} (U+{:04X}), not protocol text", *c as u32)
            }
            SyntaxError::HiddenText { c, what, .. } => format!(
                "this is a {what} (U+{:04X}): the text may be shown differently from how it is \
                 read",
                *c as u32
            ),
            SyntaxError::NestingTooDeep { .. } => {
                format!("brackets are nested more than {MAX_NESTING} deep here")
            }
            SyntaxError::ExprTooDeep { .. } => {
                format!("this expression nests more than {MAX_EXPR_DEPTH} operations deep")
            }
            SyntaxError::ReaderTooDeep { .. } => {
                "the text nests too deeply here to be read".to_string()
            }
            SyntaxError::TypeTooDeep { .. } => {
                format!("`list of` types nest more than {MAX_UNBRACKETED_NESTING} deep here")
            }
            SyntaxError::ReaderTooComplex { .. } => {
                "the protocol is too long or too involved to be read past this point".to_string()
            }
            SyntaxError::Unexpected { message, .. } => message.clone(),
            SyntaxError::SingleEquals { .. } => {
                "`=` does not compare two values: write `==`".to_string()
            }
            SyntaxError::ExtraBrace { .. } => "there is a `}` too many".to_string(),
            SyntaxError::MissingSemicolon { action, .. } => {
                format!("a `;` is missing before `{action}`")
            }
            SyntaxError::MissingArrow { action, .. } => {
                format!("a `=>` is missing before `{action}`")
            }
            SyntaxError::Unclosed { .. } => "the file ends before every `{` is closed".to_string(),
            SyntaxError::LatinAbbreviation { word, .. } => {
                format!("`{word}` is an abbreviation the language does not use")
            }
            SyntaxError::RuleNameColon { word, .. } => {
                format!("the rule name `{word}` needs a `:` after it")
            }
            SyntaxError::RuleStart { word, .. } => {
                format!("a rule starts with {RULE_STARTS}, not `{word}`")
            }
            SyntaxError::ReservedWord { word, .. } => {
                format!("`{word}` is a word of the language and cannot be used as a name")
            }
            SyntaxError::DuplicateBegin { .. } => "`begin at` is written twice".to_string(),
            SyntaxError::DuplicateModifier { .. } => {
                "this part of the dose is written twice".to_string()
            }
            SyntaxError::LeadingDecimalPoint { digits, .. } => {
                format!("`{digits}` has no leading zero")
            }
            SyntaxError::TrailingZero { digits, .. } => format!("`{digits}` has a trailing zero"),
            SyntaxError::OutOfRange { digits, .. } => {
                NumberLimit::of(digits).message(&quoted(digits))
            }
            SyntaxError::Internal { .. } => {
                "internal error: the parse tree has an unexpected shape".to_string()
            }
        }
    }

    /// The labelled places, the main one first.
    fn labels(&self) -> Vec<(Span, String)> {
        let one = |span: Span, text: &str| vec![(span, text.to_string())];
        match self {
            SyntaxError::TooLarge { .. } => one(Span::new(0, 0), "file starts here"),
            SyntaxError::Lookalike { c, name, at, .. } => {
                vec![(Span::new(*at, at + c.len_utf8()), format!("a {name}"))]
            }
            SyntaxError::HiddenText { c, what, at } => {
                vec![(Span::new(*at, at + c.len_utf8()), format!("a {what}"))]
            }
            SyntaxError::NestingTooDeep { at } => one(Span::new(*at, at + 1), "too deep"),
            SyntaxError::ExprTooDeep { span } | SyntaxError::TypeTooDeep { span } => {
                one(*span, "too deep")
            }
            SyntaxError::ReaderTooDeep { span } | SyntaxError::ReaderTooComplex { span } => {
                one(*span, "the reader stopped here")
            }
            SyntaxError::Unexpected { label, span, .. } => one(*span, label),
            SyntaxError::SingleEquals { span } => one(*span, "write `==` here"),
            SyntaxError::ExtraBrace { span } => {
                one(*span, "the protocol was already closed before this `}`")
            }
            SyntaxError::MissingSemicolon { span, .. } => {
                one(*span, "`;` missing before this action")
            }
            SyntaxError::MissingArrow { span, .. } => one(*span, "`=>` missing before this action"),
            SyntaxError::Unclosed { span, open } => {
                let mut labels = one(*span, "the file ends here");
                if let Some(open) = open {
                    labels.push((
                        Span::new(*open, open + 1),
                        "this `{` seems not to be closed: no `}` lines up with it".to_string(),
                    ));
                }
                labels
            }
            SyntaxError::LatinAbbreviation { span, .. } => one(*span, "not understood"),
            SyntaxError::RuleNameColon { span, .. } => one(*span, "`:` missing after this name"),
            SyntaxError::RuleStart { span, .. } => {
                vec![(*span, format!("not {RULE_STARTS}"))]
            }
            SyntaxError::ReservedWord { span, .. } => one(*span, "a reserved word"),
            SyntaxError::DuplicateBegin { again, first } => vec![
                (*again, "second `begin at`".to_string()),
                (*first, "first one here".to_string()),
            ],
            SyntaxError::DuplicateModifier { span, .. } => one(*span, "written again here"),
            SyntaxError::LeadingDecimalPoint { span, .. } => {
                one(*span, "write a zero before the decimal point")
            }
            SyntaxError::TrailingZero { span, .. } => one(*span, "trailing zero"),
            SyntaxError::OutOfRange { digits, span } => one(*span, NumberLimit::of(digits).label()),
            SyntaxError::Internal { span } => one(*span, "while reading this"),
        }
    }

    /// How to fix it.
    // Long on purpose: one help per kind of error, in one match the compiler keeps whole.
    pub fn help(&self) -> String {
        match self {
            SyntaxError::TooLarge { .. } => {
                "split the protocol, or remove pasted material that is not protocol text"
                    .to_string()
            }
            SyntaxError::Lookalike { write, .. } => format!(
                "this often comes from pasting from a word processor: write {write} instead"
            ),
            SyntaxError::HiddenText { .. } => "remove it: an editor or terminal may show what \
                 follows on a line of its own, or reordered, while Posology reads it as part of \
                 this line (in a comment it is ignored, in quotes it is text); end lines with \\n \
                 or \\r\\n only"
                .to_string(),
            SyntaxError::NestingTooDeep { .. }
            | SyntaxError::ExprTooDeep { .. }
            | SyntaxError::ReaderTooDeep { .. } => {
                "split the expression into named `let` values".to_string()
            }
            SyntaxError::TypeTooDeep { .. } => "declare a flatter type: a list of records, \
                 each holding a list, reads as well as lists nested in one another"
                .to_string(),
            SyntaxError::ReaderTooComplex { .. } => "split long expressions into named `let` \
                 values, or the protocol into smaller protocols"
                .to_string(),
            SyntaxError::Unexpected { help, .. } => help.clone(),
            SyntaxError::SingleEquals { .. } => "`=` only names a value (`let x = …`); a \
                 comparison is `==`, as in `response == adverse`"
                .to_string(),
            SyntaxError::ExtraBrace { .. } => {
                "remove one `}`: each `}` closes the nearest `{` still open above it".to_string()
            }
            SyntaxError::MissingSemicolon { action, .. } => format!(
                "separate the actions of one rule with `;`, e.g. `=> give 5 mg 3 times daily ; \
                 {action} …`"
            ),
            SyntaxError::MissingArrow { action, .. } => {
                format!("a rule is written `when condition => action`: put `=>` before `{action}`")
            }
            SyntaxError::Unclosed { .. } => {
                "add the missing `}`: every `{` needs its own `}`".to_string()
            }
            SyntaxError::LatinAbbreviation { word, instead, .. } => format!(
                "write `{instead}`: Latin abbreviations such as `{word}` are error-prone (ISMP)"
            ),
            SyntaxError::RuleNameColon { word, keyword, .. } => {
                format!("write `{word}: {keyword} …`")
            }
            SyntaxError::RuleStart {
                similar: Some(s), ..
            } => format!("did you mean `{s}`?"),
            SyntaxError::RuleStart { similar: None, .. } => "a rule is written `when condition \
                 => …`, `otherwise => …` or `always => …`, optionally after a name and `:`"
                .to_string(),
            SyntaxError::ReservedWord { word, .. } => format!(
                "choose another name, e.g. `{word}_value`: a name may begin with a word of the \
                 language (`indication`, `daily_max`) but not be one"
            ),
            SyntaxError::DuplicateBegin { .. } => {
                "keep one `begin at`: it says which phase applies to a patient".to_string()
            }
            SyntaxError::DuplicateModifier { expect: false, .. } => {
                "a `give` has at most one form, route, frequency, `over` and `for`".to_string()
            }
            SyntaxError::DuplicateModifier { expect: true, .. } => {
                "an `expect give` has at most one form, route and frequency".to_string()
            }
            SyntaxError::LeadingDecimalPoint { digits, .. } => {
                format!("write `0{digits}`: a bare `.5` is misread as `5` (ISMP safe notation)")
            }
            SyntaxError::TrailingZero { digits, .. } => {
                let trimmed = digits.trim_end_matches('0').trim_end_matches('.');
                format!(
                    "write `{trimmed}`: a trailing zero (5.0 mg) is misread as ten times the dose \
                     (ISMP safe notation)"
                )
            }
            SyntaxError::OutOfRange { digits, .. } => NumberLimit::of(digits).help().to_string(),
            SyntaxError::Internal { .. } => {
                "this is a bug in Posology; please report it with this protocol".to_string()
            }
        }
    }

    /// The crate's diagnostic for this error (the caller attaches the protocol's source).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut diag = Diagnostic::error(self.code(), self.message());
        for (span, text) in self.labels() {
            diag = diag.with_label(span, text);
        }
        diag.with_help(self.help())
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for SyntaxError {}

impl From<SyntaxError> for Diagnostic {
    fn from(error: SyntaxError) -> Self {
        error.to_diagnostic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_brace_is_labelled_when_it_is_found() {
        let found = SyntaxError::Unclosed {
            span: Span::new(30, 30),
            open: Some(4),
        }
        .to_diagnostic();
        assert_eq!(found.labels.len(), 2);
        assert_eq!(found.labels[1].span, Span::new(4, 5));
        let not_found = SyntaxError::Unclosed {
            span: Span::new(30, 30),
            open: None,
        };
        assert_eq!(not_found.to_diagnostic().labels.len(), 1);
    }

    #[test]
    fn codes_follow_the_kind_not_the_layer() {
        let trailing = SyntaxError::TrailingZero {
            digits: "5.0".into(),
            span: Span::new(0, 3),
        };
        assert_eq!(trailing.code(), Code::UnitNotation);
        assert_eq!(trailing.help().split(':').next(), Some("write `5`"));
        let expect = SyntaxError::DuplicateModifier {
            span: Span::new(0, 1),
            expect: true,
        };
        assert!(expect.help().starts_with("an `expect give`"));
    }

    #[test]
    fn a_lookalike_is_labelled_over_its_whole_character() {
        let quote = SyntaxError::Lookalike {
            c: '\u{201C}',
            name: "curly double quote",
            write: "a straight quote \"",
            at: 7,
        };
        assert_eq!(quote.to_diagnostic().primary_span(), Some(Span::new(7, 10)));
        assert!(quote.message().contains("(U+201C)"));
    }
}
