//! A decision's message texts, kept as their pieces and written out when first read: a cohort
//! run that reads only the doses does not pay for writing out every value a message quotes
//! (formatting exact quantities was a tenth of an evaluation). The text, once written, is the
//! very text an eager rendering gave: the same pieces, in the same order, written the same way.

use std::fmt;
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;

use crate::check::TextPart;
use crate::units::Quantity;

/// A message's text: read it as a `&str` ([`Text::as_str`], or through `Deref`); it is written
/// out the first time, and kept.
///
/// The first piece is held inline, so a text of one piece (a name, a number) needs no list.
#[derive(Clone)]
pub struct Text {
    head: Piece,
    rest: Vec<Piece>,
    written: OnceLock<String>,
}

impl Default for Text {
    fn default() -> Text {
        Text::with_capacity(0)
    }
}

/// One piece of a [`Text`].
#[derive(Clone)]
enum Piece {
    /// Words of the evaluator's own.
    Static(&'static str),
    /// Words of the protocol's (a message's literal text, shared with the program).
    Shared(Arc<str>),
    /// Words already written out.
    Owned(String),
    /// A quantity as `{}` writes it (`2000 mcg/day`).
    Quantity(Quantity),
    /// A number a message quotes, as a message shows a value (see [`crate::display::shown_owned`]).
    ShownQuantity(Quantity),
    /// A date a message quotes, shown the same way.
    ShownDate(Date),
    /// Why a value breaks a limit (see [`LimitWords`]), in one piece: most of these
    /// sentences are never read.
    Limit(Box<LimitWords>),
    /// A message as the protocol wrote it (shared with the program) and the values it quotes,
    /// in order, one piece each: its words are not copied piece by piece into every message
    /// given, only written out when read.
    Template(Arc<[TextPart]>, Box<[Piece]>),
}

/// The values a message quotes, each as its piece, gathered in order for [`Text::template`].
pub(crate) struct Quoted(Vec<Piece>);

impl Quoted {
    /// Room for `n` values.
    pub(crate) fn with_capacity(n: usize) -> Quoted {
        Quoted(Vec::with_capacity(n))
    }

    /// A number a message quotes (see [`Text::push_shown_quantity`]).
    pub(crate) fn shown_quantity(&mut self, q: Quantity) {
        self.0.push(Piece::ShownQuantity(q));
    }

    /// A date a message quotes (see [`Text::push_shown_date`]).
    pub(crate) fn shown_date(&mut self, d: Date) {
        self.0.push(Piece::ShownDate(d));
    }

    /// A value's words, shared (see [`Text::push_shared`]).
    pub(crate) fn shared(&mut self, s: Arc<str>) {
        self.0.push(Piece::Shared(s));
    }

    /// A value's words, already written out (see [`Text::push_string`]).
    pub(crate) fn owned(&mut self, s: String) {
        self.0.push(Piece::Owned(s));
    }
}

/// The words of a limit's breach, kept as they are until read: "the {what} {value} is {side}
/// the {kind} limit of {bound} ({target} {op} {bound})", then ": " and the limit's reason when
/// it has one.
#[derive(Clone)]
pub(crate) struct LimitWords {
    /// `dose`, `bolus` or `daily total`.
    pub what: &'static str,
    /// The value that breaks the limit.
    pub value: Quantity,
    /// `above` or `below`.
    pub side: &'static str,
    /// `hard` or `soft`.
    pub kind: &'static str,
    /// The limit's bound for the patient.
    pub bound: Quantity,
    /// The limit's target as written (`daily`).
    pub target: &'static str,
    /// Its comparison as written (`<=`).
    pub op: &'static str,
    /// The limit's reason, its values filled in.
    pub because: Option<Text>,
}

impl LimitWords {
    fn write(&self, out: &mut String) {
        use std::fmt::Write as _;
        let LimitWords {
            what,
            value,
            side,
            kind,
            bound,
            target,
            op,
            because,
        } = self;
        let _ = write!(
            out,
            "the {what} {value} is {side} the {kind} limit of {bound} ({target} {op} {bound})"
        );
        if let Some(because) = because {
            out.push_str(": ");
            because.write_into(out);
        }
    }
}

impl Piece {
    fn write(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Piece::Static(s) => out.push_str(s),
            Piece::Shared(s) => out.push_str(s),
            Piece::Owned(s) => out.push_str(s),
            Piece::Quantity(q) => {
                let _ = write!(out, "{q}");
            }
            Piece::ShownQuantity(q) => out.push_str(&crate::display::shown_owned(q.to_string())),
            Piece::ShownDate(d) => out.push_str(&crate::display::shown_owned(d.to_string())),
            Piece::Limit(words) => words.write(out),
            Piece::Template(parts, values) => {
                // Each `{value}` takes the next value quoted: as many as the parts have.
                let mut values = values.iter();
                for part in parts.iter() {
                    match part {
                        TextPart::Literal(t) => out.push_str(t),
                        TextPart::Value(_) => {
                            if let Some(v) = values.next() {
                                v.write(out);
                            }
                        }
                    }
                }
            }
        }
    }
}

impl Text {
    /// An empty text, to build piece by piece.
    pub(crate) fn with_capacity(pieces: usize) -> Text {
        Text {
            head: Piece::Static(""),
            rest: Vec::with_capacity(pieces.saturating_sub(1)),
            written: OnceLock::new(),
        }
    }

    fn one(head: Piece) -> Text {
        Text {
            head,
            rest: Vec::new(),
            written: OnceLock::new(),
        }
    }

    /// True while no piece has been added.
    fn is_blank(&self) -> bool {
        matches!(self.head, Piece::Static("")) && self.rest.is_empty()
    }

    /// Adds a piece (a text is built before it is read; adding to one already read writes it
    /// out again when next read).
    fn push(&mut self, piece: Piece) {
        if let Some(done) = self.written.take() {
            self.head = Piece::Owned(done);
            self.rest.clear();
        }
        if self.is_blank() {
            self.head = piece;
        } else {
            self.rest.push(piece);
        }
    }

    /// Writes the pieces out.
    fn write_out(&self) -> String {
        let mut out = String::new();
        self.write_into(&mut out);
        out
    }

    /// Writes the text at the end of `out` (as it reads: written out already, or its pieces).
    fn write_into(&self, out: &mut String) {
        if let Some(done) = self.written.get() {
            out.push_str(done);
            return;
        }
        self.head.write(out);
        for piece in &self.rest {
            piece.write(out);
        }
    }

    /// The message `parts` as the protocol wrote it, with its `{value}`s filled in by
    /// `quoted` (one each, in order): as [`Text::push_shared`] of each literal and the quoted
    /// values' pieces in turn would read, without a piece for each literal.
    pub(crate) fn template(parts: Arc<[TextPart]>, quoted: Quoted) -> Text {
        Text::one(Piece::Template(parts, quoted.0.into_boxed_slice()))
    }

    /// The words of a limit's breach, as one piece (see [`LimitWords`]).
    pub(crate) fn limit(words: LimitWords) -> Text {
        Text::one(Piece::Limit(Box::new(words)))
    }

    /// Adds words of the evaluator's own.
    pub(crate) fn push_static(&mut self, s: &'static str) {
        self.push(Piece::Static(s));
    }

    /// Adds words of the protocol's.
    pub(crate) fn push_shared(&mut self, s: &Arc<str>) {
        self.push(Piece::Shared(Arc::clone(s)));
    }

    /// Adds words already written out.
    pub(crate) fn push_string(&mut self, s: String) {
        self.push(Piece::Owned(s));
    }

    /// Adds a quantity as `{}` writes it.
    pub(crate) fn push_quantity(&mut self, q: Quantity) {
        self.push(Piece::Quantity(q));
    }

    /// Adds a number a message quotes (shortened when long, as a message shows values).
    pub(crate) fn push_shown_quantity(&mut self, q: Quantity) {
        self.push(Piece::ShownQuantity(q));
    }

    /// Adds a date a message quotes.
    pub(crate) fn push_shown_date(&mut self, d: Date) {
        self.push(Piece::ShownDate(d));
    }

    /// Adds the pieces of another text.
    pub(crate) fn append(&mut self, other: Text) {
        match other.written.into_inner() {
            Some(done) => self.push_string(done),
            None => {
                self.push(other.head);
                for piece in other.rest {
                    self.push(piece);
                }
            }
        }
    }

    /// The text, written out (the first time it is read; words alone are read as they are).
    pub fn as_str(&self) -> &str {
        if self.rest.is_empty() {
            match &self.head {
                Piece::Static(s) => return s,
                Piece::Shared(s) => return s,
                Piece::Owned(s) => return s,
                _ => {}
            }
        }
        self.written.get_or_init(|| self.write_out())
    }

    /// The text as an owned string.
    pub fn into_string(mut self) -> String {
        if let Some(done) = self.written.take() {
            return done;
        }
        if self.rest.is_empty() {
            if let Piece::Owned(s) = &mut self.head {
                return std::mem::take(s);
            }
        }
        self.write_out()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::one(Piece::Owned(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::from(s.to_string())
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Text;
    use crate::units::Quantity;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Pieces are written out in order, once, and adding to a text already read keeps what it
    /// said.
    #[test]
    fn a_text_is_its_pieces_written_out_in_order() {
        let mut t = Text::with_capacity(4);
        t.push_static("At ");
        t.push_shown_quantity(q("0.5 mg"));
        t.push_shared(&std::sync::Arc::from(" daily: "));
        t.push_quantity(q("2000 mcg/day"));
        assert_eq!(t.as_str(), "At 0.5 mg daily: 2000 mcg/day");
        t.push_string(", then".to_string());
        assert_eq!(t, "At 0.5 mg daily: 2000 mcg/day, then");
        let mut u = Text::from("Why: ");
        u.append(t.clone());
        assert_eq!(u.into_string(), "Why: At 0.5 mg daily: 2000 mcg/day, then");
        assert_eq!(format!("{t}|{t:?}"), format!("{0}|{0:?}", t.as_str()));
        assert_eq!(Text::default(), "");
        let mut shown = Text::default();
        shown.push_shown_quantity(q("3 mg"));
        assert_eq!(shown.into_string(), "3 mg");
    }
}
