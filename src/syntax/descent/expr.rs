//! Expressions: a run of operands and operators read as the grammar's `op_expr`, `term` and
//! `value_body` write it, then given its precedence by the same Pratt algorithm as
//! `syntax::expr` (the same binding powers, `syntax::expr::infix_binding`; same associativity,
//! same spans).

use rust_decimal::Decimal;
use smallvec::SmallVec;

use super::super::ast::{BinaryOp, Expr, ExprKind, Ident, IsTest, RoundMode, UnaryOp};
use super::super::expr::{
    infix_binding, prefix_binding, quantity_literal, tree_depth, MAX_EXPR_DEPTH, POSTFIX_BINDING,
};
use super::{rules, Reader, MAX_CLIMB};
use crate::diagnostics::Span;

/// How many parts of a run are kept in place: a rule's condition of two bands and a
/// parenthesised `or` is nine parts, and a run that outgrew four took a heap block of its own
/// (one for most conditions).
const INLINE_PARTS: usize = 12;

/// The parts of a run, kept in place up to [`INLINE_PARTS`].
type Parts = SmallVec<[Part; INLINE_PARTS]>;

/// One part of a flat run.
enum Part {
    Operand(Expr),
    Prefix(UnaryOp, Span),
    Infix(BinaryOp),
    Postfix(Post, Span),
}

/// The postfix forms.
enum Post {
    Field(Ident),
    Index(Expr),
    Is(IsTest),
}

/// Which operators may join the operands of a run.
#[derive(Clone, Copy, PartialEq)]
enum Run {
    /// `op_expr`: every infix operator.
    Full,
    /// `value_body`: arithmetic only (`+ - * / ^`).
    Arithmetic,
}

/// The infix operators in the grammar's order of trial (`<=` before `<`, `..` before nothing
/// shorter), and whether each is a word.
const INFIXES: &[(&str, BinaryOp, bool)] = &[
    ("or", BinaryOp::Or, true),
    ("and", BinaryOp::And, true),
    ("<=", BinaryOp::Le, false),
    (">=", BinaryOp::Ge, false),
    ("!=", BinaryOp::Ne, false),
    ("==", BinaryOp::Eq, false),
    ("<", BinaryOp::Lt, false),
    (">", BinaryOp::Gt, false),
    ("..", BinaryOp::Range, false),
    ("in", BinaryOp::In, true),
    ("+", BinaryOp::Add, false),
    ("-", BinaryOp::Sub, false),
    ("*", BinaryOp::Mul, false),
    ("/", BinaryOp::Div, false),
    ("^", BinaryOp::Pow, false),
];

/// How tightly the part binds as an operator: postfix forms tightest; `None` for an operand
/// or a prefix (never seen where an operator is looked for).
fn left_binding(part: &Part) -> Option<u32> {
    match part {
        Part::Infix(op) => Some(infix_binding(*op).0),
        Part::Postfix(..) => Some(POSTFIX_BINDING),
        Part::Operand(_) | Part::Prefix(..) => None,
    }
}

impl Reader<'_> {
    /// `expr`: an `op_expr`, then perhaps a rounding clause.
    pub(super) fn expr(&mut self) -> Option<Expr> {
        self.deeper(|r| r.expr_inside())
    }

    fn expr_inside(&mut self) -> Option<Expr> {
        let start = self.start();
        let body = self.op_expr()?;
        match self.attempt(|r| r.rounding()) {
            None => Some(body),
            Some((mode, step, of_list)) => {
                let (body, step) = (Box::new(body), Box::new(step));
                let kind = if of_list {
                    ExprKind::RoundOf(body, mode, step)
                } else {
                    ExprKind::Round(body, mode, step)
                };
                Some(Expr {
                    kind,
                    span: self.span_from(start),
                })
            }
        }
    }

    /// `round [up|down] to (nearest of TERM | TERM)`: the mode, the step, and whether it is a
    /// list of values.
    fn rounding(&mut self) -> Option<(RoundMode, Expr, bool)> {
        self.word("round")?;
        let mode = match self.attempt(|r| r.one_of(&["up", "down"])) {
            Some(("up", _)) => RoundMode::Up,
            Some(_) => RoundMode::Down,
            None => RoundMode::Nearest,
        };
        self.word("to")?;
        let list = self.attempt(|r| {
            r.word("nearest")?;
            r.word("of")?;
            r.term()
        });
        match list {
            Some(step) => Some((mode, step, true)),
            None => Some((mode, self.term()?, false)),
        }
    }

    /// `op_expr = operand ~ (infix ~ operand)*`.
    pub(super) fn op_expr(&mut self) -> Option<Expr> {
        self.run(Run::Full)
    }

    /// `term = primary ~ postfix*`.
    pub(super) fn term(&mut self) -> Option<Expr> {
        let base = self.climb;
        let mut parts = Parts::new();
        let out = self.term_parts(&mut parts, base);
        self.climb = base;
        out?;
        self.pratt(parts)
    }

    fn term_parts(&mut self, parts: &mut Parts, base: usize) -> Option<()> {
        self.climb = base + 1;
        let e = self.primary()?;
        parts.push(Part::Operand(e));
        self.postfixes(parts, base)
    }

    /// A run of operands joined by the operators `run` allows.
    fn run(&mut self, run: Run) -> Option<Expr> {
        let base = self.climb;
        let mut parts = Parts::new();
        let out = self.run_parts(&mut parts, run, base);
        self.climb = base;
        out?;
        self.pratt(parts)
    }

    fn run_parts(&mut self, parts: &mut Parts, run: Run, base: usize) -> Option<()> {
        self.operand(parts, base)?;
        loop {
            let m = self.mark();
            let len = parts.len();
            let more = self.infix(run).and_then(|op| {
                parts.push(Part::Infix(op));
                self.operand(parts, base)
            });
            if more.is_none() {
                if self.abort {
                    return None;
                }
                self.reset(m);
                parts.truncate(len);
                return Some(());
            }
        }
    }

    /// Counts one more part of the runs being read, giving up past [`MAX_CLIMB`].
    fn count(&mut self, parts: &[Part], base: usize) -> Option<()> {
        self.climb = base + parts.len() + 1;
        if self.climb > MAX_CLIMB {
            return self.give_up();
        }
        Some(())
    }

    /// `operand = prefix* ~ primary ~ postfix*`, its parts added to `parts`.
    fn operand(&mut self, parts: &mut Parts, base: usize) -> Option<()> {
        loop {
            self.count(parts, base)?;
            // A prefix starts with `n` (`not`) or `-`.
            if !matches!(self.peek(), Some(b'n' | b'-')) {
                break;
            }
            let prefix = self.attempt(|r| match r.word("not") {
                Some(span) => Some((UnaryOp::Not, span)),
                None => Some((UnaryOp::Neg, r.lit("-")?)),
            });
            match prefix {
                Some((op, span)) => parts.push(Part::Prefix(op, span)),
                None => break,
            }
        }
        let e = self.primary()?;
        parts.push(Part::Operand(e));
        self.postfixes(parts, base)
    }

    /// `postfix*`.
    fn postfixes(&mut self, parts: &mut Parts, base: usize) -> Option<()> {
        loop {
            self.count(parts, base)?;
            // A postfix starts with `.`, `[` or `i` (`is`).
            if !matches!(self.peek(), Some(b'.' | b'[' | b'i')) {
                return Some(());
            }
            let start = self.start();
            match self.attempt(|r| r.postfix()) {
                Some(post) => parts.push(Part::Postfix(post, self.span_from(start))),
                None if self.abort => return None,
                None => return Some(()),
            }
        }
    }

    /// `field_access | index | is_not_missing | is_missing | is_not_empty | is_empty`.
    fn postfix(&mut self) -> Option<Post> {
        if let Some(field) = self.attempt(|r| {
            r.lit(".")?;
            r.ident()
        }) {
            return Some(Post::Field(field));
        }
        if let Some(at) = self.attempt(|r| {
            r.lit("[")?;
            let at = r.expr()?;
            r.lit("]")?;
            Some(at)
        }) {
            return Some(Post::Index(at));
        }
        self.word("is")?;
        let not = self.attempt(|r| r.word("not")).is_some();
        let test = match (not, self.one_of(&["missing", "empty"])?.0) {
            (true, "missing") => IsTest::NotMissing,
            (false, "missing") => IsTest::Missing,
            (true, _) => IsTest::NotEmpty,
            (false, _) => IsTest::Empty,
        };
        Some(Post::Is(test))
    }

    /// One infix operator of those `run` allows.
    fn infix(&mut self, run: Run) -> Option<BinaryOp> {
        self.step()?;
        self.skip();
        let rest = &self.bytes[self.pos..];
        for &(s, op, is_word) in INFIXES {
            if run == Run::Arithmetic && !matches!(s, "+" | "-" | "*" | "/" | "^") {
                continue;
            }
            if super::starts_with(rest, s) {
                let end = self.pos + s.len();
                if is_word && rules::ident_char_at(self.bytes, end) {
                    continue;
                }
                self.take(end);
                return Some(op);
            }
        }
        None
    }

    /// The Pratt parser over a finished run, with the pest path's refusals of a run too long
    /// or a tree too deep (here: giving up).
    fn pratt(&mut self, parts: Parts) -> Option<Expr> {
        let prefixes = parts
            .iter()
            .filter(|p| matches!(p, Part::Prefix(..)))
            .count();
        if parts.len() > 4 * MAX_EXPR_DEPTH || prefixes > MAX_EXPR_DEPTH {
            return self.give_up();
        }
        let mut pratt = Pratt {
            parts: parts.into_iter().peekable(),
        };
        let e = match pratt.expr(0) {
            Ok(e) if pratt.parts.peek().is_none() => e,
            _ => return self.give_up(),
        };
        if tree_depth(&e) > MAX_EXPR_DEPTH {
            return self.give_up();
        }
        Some(e)
    }
}

/// A Pratt parser over one run (`syntax::expr`'s, step for step). `Err` for a bug of this
/// reader (a run out of shape, or a number with a trailing point read as a field), on which
/// the reader gives up.
struct Pratt {
    parts: std::iter::Peekable<smallvec::IntoIter<[Part; INLINE_PARTS]>>,
}

impl Pratt {
    fn expr(&mut self, rbp: u32) -> Result<Expr, ()> {
        let mut lhs = self.nud()?;
        while rbp < self.lbp() {
            lhs = self.led(lhs)?;
        }
        Ok(lhs)
    }

    fn nud(&mut self) -> Result<Expr, ()> {
        match self.parts.next() {
            Some(Part::Prefix(op, span)) => {
                let rhs = self.expr(prefix_binding(op) - 1)?;
                Ok(Expr {
                    span: span.join(rhs.span),
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                })
            }
            Some(Part::Operand(e)) => Ok(e),
            _ => Err(()),
        }
    }

    fn led(&mut self, lhs: Expr) -> Result<Expr, ()> {
        match self.parts.next() {
            Some(Part::Infix(op)) => {
                let (prec, left) = infix_binding(op);
                let rhs = self.expr(if left { prec } else { prec - 1 })?;
                Ok(Expr {
                    span: lhs.span.join(rhs.span),
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                })
            }
            Some(Part::Postfix(post, span)) => postfix(lhs, post, span),
            _ => Err(()),
        }
    }

    fn lbp(&mut self) -> u32 {
        self.parts.peek().and_then(left_binding).unwrap_or(0)
    }
}

/// `lhs` with a postfix form written at `op`.
fn postfix(lhs: Expr, post: Post, op: Span) -> Result<Expr, ()> {
    let span = lhs.span.join(op);
    let kind = match post {
        // `5.x`: the pest path refuses a point right after a unitless number.
        Post::Field(_)
            if matches!(lhs.kind, ExprKind::Quantity { unit: None, .. })
                && op.start == lhs.span.end =>
        {
            return Err(())
        }
        Post::Field(field) => ExprKind::Field(Box::new(lhs), field),
        Post::Index(at) => ExprKind::Index(Box::new(lhs), Box::new(at)),
        Post::Is(test) => ExprKind::Is(Box::new(lhs), test),
    };
    Ok(Expr { kind, span })
}

impl Reader<'_> {
    /// `primary`: its alternatives in the grammar's order.
    fn primary(&mut self) -> Option<Expr> {
        let start = self.start();
        let first = *self.bytes.get(self.pos)?;
        let kind = if first.is_ascii_digit() {
            return self.quantity();
        } else if first == b'(' {
            return self.paren(start);
        } else if first == b'"' {
            ExprKind::Text(self.string()?.value)
        } else if first == b'[' {
            ExprKind::List(self.bracketed("[", "]")?)
        } else if first == b'.' && rules::bad_number_at(self.bytes, self.pos) {
            return self.give_up();
        } else {
            return self.word_primary(start);
        };
        Some(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    /// The primaries that start with a letter: `if`, `value(… in …)`, a call, `true`/`false`,
    /// a name.
    fn word_primary(&mut self, start: usize) -> Option<Expr> {
        let first = self.bytes.get(self.pos).copied();
        if first == Some(b'i') {
            if let Some(e) = self.attempt(|r| r.if_expr(start)) {
                return Some(e);
            }
        }
        if let Some(e) = self.attempt(|r| r.value_of(start)) {
            return Some(e);
        }
        if let Some(e) = self.attempt(|r| r.call(start)) {
            return Some(e);
        }
        let truth = match first {
            Some(b't' | b'f') => self.attempt(|r| r.one_of(&["true", "false"])),
            _ => None,
        };
        let kind = match truth {
            Some((w, _)) => ExprKind::Bool(w == "true"),
            None => ExprKind::Name(self.ident()?.name),
        };
        Some(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    fn if_expr(&mut self, start: usize) -> Option<Expr> {
        self.word("if")?;
        let c = self.expr()?;
        self.word("then")?;
        let a = self.expr()?;
        self.word("else")?;
        let b = self.expr()?;
        Some(Expr {
            kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
            span: self.span_from(start),
        })
    }

    /// `value(BODY in UNIT)`, built as the call `value(BODY, 1 UNIT)`.
    fn value_of(&mut self, start: usize) -> Option<Expr> {
        if !self.bytes[self.pos..].starts_with(b"value(") {
            return None;
        }
        let keyword = self.take(self.pos + 5);
        self.lit("(")?;
        let body = self.deeper(|r| r.run(Run::Arithmetic))?;
        self.word("in")?;
        self.step()?;
        self.skip();
        let end = rules::unit_end(self.bytes, self.pos)?;
        let unit = (self.text[self.pos..end].to_string(), self.take(end));
        self.lit(")")?;
        let func = Ident {
            name: super::super::ast::VALUE_FUNCTION.to_string(),
            span: keyword,
        };
        let one = Expr {
            span: unit.1,
            kind: ExprKind::Quantity {
                value: Decimal::ONE,
                unit: Some(unit),
            },
        };
        Some(Expr {
            kind: ExprKind::Call(func, vec![body, one]),
            span: self.span_from(start),
        })
    }

    /// `NAME(args)`, the name touching its `(`.
    fn call(&mut self, start: usize) -> Option<Expr> {
        let end = rules::word_end(self.bytes, self.pos)?;
        if self.bytes.get(end) != Some(&b'(') {
            return None;
        }
        let func = self.ident()?;
        let args = self.bracketed("(", ")")?;
        Some(Expr {
            kind: ExprKind::Call(func, args),
            span: self.span_from(start),
        })
    }

    /// `open (expr (, expr)*)? close`.
    fn bracketed(&mut self, open: &str, close: &str) -> Option<Vec<Expr>> {
        self.lit(open)?;
        let mut items = Vec::new();
        if let Some(first) = self.attempt(|r| r.expr()) {
            items.push(first);
            while let Some(e) = self.attempt(|r| {
                r.lit(",")?;
                r.expr()
            }) {
                items.push(e);
            }
        }
        if self.abort {
            return None;
        }
        self.lit(close)?;
        Some(items)
    }

    /// `( expr )`: the expression, spanning the brackets.
    fn paren(&mut self, start: usize) -> Option<Expr> {
        self.lit("(")?;
        let mut e = self.expr()?;
        self.lit(")")?;
        e.span = self.span_from(start);
        Some(e)
    }

    /// `quantity = ${ number ~ ((" " | "\t")* ~ unit)? }`, with the pest path's refusals
    /// (`5.0`, digits past what a decimal holds, `10mg`) as giving up.
    fn quantity(&mut self) -> Option<Expr> {
        self.step()?;
        let start = self.pos;
        let number_end = rules::number_end(self.bytes, start)?;
        self.take(number_end);
        let mut at = number_end;
        while matches!(self.bytes.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        let unit = match rules::unit_end(self.bytes, at) {
            Some(end) => {
                let span = Span::new(at, end);
                self.pos = end;
                self.last_end = end;
                Some((self.text[at..end].to_string(), span))
            }
            None => None,
        };
        let span = Span::new(start, self.pos);
        match quantity_literal(&self.text[start..self.pos], span, number_end - start, unit) {
            Ok(e) => Some(e),
            Err(_) => self.give_up(),
        }
    }
}
