//! A hand-written reader of the grammar (`grammar/posology.pest`), rule for rule, that builds
//! the AST straight from the text, without pest's parse tree: the fast path of
//! [`super::parse`] and [`super::parse_expr`].
//!
//! It decides nothing of its own. It gives either the very tree the pest path builds, or
//! `None`, on anything it does not read (a syntax error, a refusal of the tree builder, a
//! limit, a text that would make it try too many alternatives), and the pest path then reads
//! the text again and says what is wrong, so that every diagnostic comes from one place. Each
//! rule is read as the grammar writes it (a PEG: ordered choices, greedy repetitions that give
//! back a failed last round), with the implicit whitespace and comments between the parts of a
//! non-atomic rule; spans end at a node's last token, as `build::span_of` trims them.

mod decide;
mod example;
mod expr;
mod items;
mod rules;
#[cfg(test)]
mod tests;

use super::ast::{Expr, Ident, Protocol, Text};
use crate::diagnostics::Span;

/// The protocol of `text` as [`super::parse`] would build it, or `None` for the pest path to
/// read (and, if it is wrong, explain). `text` has passed [`super::precheck`].
pub(super) fn protocol(text: &str) -> Option<Protocol> {
    let mut r = Reader::new(text);
    r.skip();
    let protocol = r.protocol();
    r.finish(protocol)
}

/// One expression as [`super::parse_expr`] would build it (a REPL line, a message's `{…}`),
/// or `None`. `text` has passed [`super::precheck`].
pub(super) fn expression(text: &str) -> Option<Expr> {
    let mut r = Reader::new(text);
    r.skip();
    let e = r.expr();
    r.finish(e)
}

/// How many token attempts a text may cost per byte (a real protocol needs a few): past
/// that, a text crafted to make the reader try alternative after alternative goes to pest.
const STEPS_PER_BYTE: usize = 32;

/// The deepest expressions may nest (brackets, `if`s, call arguments; types and values too)
/// here: well below what
/// the pest path's guards allow (`expr::Level`), so that whatever this reader accepts, they
/// accept too.
const MAX_NESTED: usize = 32;

/// The most operands and operators of all the runs being read at once: a bound on the
/// precedence levels the pest path's Pratt parser climbs (at most 256), with room.
const MAX_CLIMB: usize = 200;

/// True when `rest` starts with the bytes of `s`: `<[u8]>::starts_with` compared byte by byte
/// in place (the literals and words of the grammar are a few bytes long; a call to `memcmp`
/// for each of them cost more than the comparison).
#[inline]
fn starts_with(rest: &[u8], s: &str) -> bool {
    let s = s.as_bytes();
    rest.len() >= s.len() && rest.iter().zip(s).all(|(a, b)| a == b)
}

/// Where the reader is: a place to come back to when an alternative fails.
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    last_end: usize,
}

/// The reader: the text, the place it has reached, and its budgets.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
    /// The end of the last token read: where the node being read ends so far.
    last_end: usize,
    /// Token attempts left.
    steps: usize,
    /// Set when the reader gives up on the whole text (a limit, a refusal of the builder).
    abort: bool,
    /// Expressions being read inside one another.
    nested: usize,
    /// Operands and operators of the runs being read.
    climb: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            last_end: 0,
            steps: text.len().saturating_mul(STEPS_PER_BYTE) + 10_000,
            abort: false,
            nested: 0,
            climb: 0,
        }
    }

    /// `value` if the whole text was read into it and nothing made the reader give up.
    fn finish<T>(&mut self, value: Option<T>) -> Option<T> {
        self.skip();
        if self.abort || self.pos != self.bytes.len() {
            return None;
        }
        value
    }

    /// Gives up on the whole text.
    fn give_up<T>(&mut self) -> Option<T> {
        self.abort = true;
        None
    }

    /// Runs `f` one level deeper in the nesting of expressions, types and values, giving up
    /// past [`MAX_NESTED`] levels (so that the reader's own recursion stays shallow).
    fn deeper<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.nested += 1;
        let out = if self.nested > MAX_NESTED {
            self.give_up()
        } else {
            f(self)
        };
        self.nested -= 1;
        out
    }

    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            last_end: self.last_end,
        }
    }

    fn reset(&mut self, m: Mark) {
        self.pos = m.pos;
        self.last_end = m.last_end;
    }

    /// Runs `f`, coming back to where it started if it fails (a PEG alternative, an optional
    /// part, one round of a repetition).
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let m = self.mark();
        let out = f(self);
        if out.is_none() {
            self.reset(m);
        }
        out
    }

    /// One more token attempt: `None` when the budget is spent or the reader gave up.
    fn step(&mut self) -> Option<()> {
        if self.abort {
            return None;
        }
        match self.steps.checked_sub(1) {
            Some(left) => {
                self.steps = left;
                Some(())
            }
            None => self.give_up(),
        }
    }

    /// Skips the grammar's implicit whitespace and `//` comments.
    fn skip(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    let rest = &self.bytes[self.pos..];
                    self.pos += rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
                }
                _ => return,
            }
        }
    }

    /// Skips whitespace, then notes where the next node starts.
    fn start(&mut self) -> usize {
        self.skip();
        self.pos
    }

    /// The span from `start` to the end of the last token read.
    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.last_end.max(start))
    }

    /// Consumes a token ending at `end`, and gives its span.
    fn take(&mut self, end: usize) -> Span {
        let span = Span::new(self.pos, end);
        self.pos = end;
        self.last_end = end;
        span
    }

    /// The literal `s`, after whitespace.
    fn lit(&mut self, s: &str) -> Option<Span> {
        self.step()?;
        self.skip();
        if starts_with(&self.bytes[self.pos..], s) {
            Some(self.take(self.pos + s.len()))
        } else {
            None
        }
    }

    /// The word `w` as a whole word (`w ~ !ident_char`), after whitespace.
    fn word(&mut self, w: &str) -> Option<Span> {
        self.step()?;
        self.skip();
        let end = self.pos + w.len();
        if starts_with(&self.bytes[self.pos..], w) && !rules::ident_char_at(self.bytes, end) {
            Some(self.take(end))
        } else {
            None
        }
    }

    /// The first of `words` that is here as a whole word (after whitespace), with its span.
    /// As in the grammar's `("a" | "b") ~ !ident_char`, the first word whose letters are here
    /// is the only one held against what follows.
    fn one_of(&mut self, words: &[&'static str]) -> Option<(&'static str, Span)> {
        self.step()?;
        self.skip();
        let rest = &self.bytes[self.pos..];
        let w = *words.iter().find(|w| starts_with(rest, w))?;
        let end = self.pos + w.len();
        if rules::ident_char_at(self.bytes, end) {
            return None;
        }
        Some((w, self.take(end)))
    }

    /// A name that is not a reserved word (`ident`), after whitespace.
    fn ident(&mut self) -> Option<Ident> {
        self.step()?;
        self.skip();
        let end = rules::word_end(self.bytes, self.pos)?;
        let name = &self.text[self.pos..end];
        if rules::is_keyword(name) {
            return None;
        }
        let span = self.take(end);
        Some(Ident {
            name: name.to_string(),
            span,
        })
    }

    /// Any word, reserved words too (`word`), after whitespace.
    fn any_word(&mut self) -> Option<Ident> {
        self.step()?;
        self.skip();
        let end = rules::word_end(self.bytes, self.pos)?;
        let name = self.text[self.pos..end].to_string();
        let span = self.take(end);
        Some(Ident { name, span })
    }

    /// A quoted text (`string`), after whitespace.
    fn string(&mut self) -> Option<Text> {
        self.step()?;
        self.skip();
        let end = rules::string_end(self.bytes, self.pos)?;
        let inner = &self.text[self.pos + 1..end - 1];
        let value = if inner.contains('\\') {
            super::unescape(inner)
        } else {
            inner.to_string()
        };
        let span = self.take(end);
        Some(Text { value, span })
    }

    /// The next byte after whitespace, if any (nothing consumed): a look at what may follow
    /// before trying alternatives that all start with other bytes.
    fn peek(&mut self) -> Option<u8> {
        let m = self.mark();
        self.skip();
        let b = self.bytes.get(self.pos).copied();
        self.reset(m);
        b
    }

    /// True when the next thing, after whitespace, is `s` (nothing consumed).
    fn sees(&mut self, s: &str) -> bool {
        let m = self.mark();
        self.skip();
        let seen = starts_with(&self.bytes[self.pos..], s);
        self.reset(m);
        seen
    }
}
