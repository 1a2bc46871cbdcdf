//! Expressions: pest gives a flat run of operands and operators; a Pratt parser applies the
//! precedence, from loosest to tightest: `or`, `and`, `not`, comparisons and `in`, `..`, `+ -`,
//! `* /`, unary `-`, `^`, then the postfix forms (`.field`, `is missing`, `is empty`).

use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::ast::*;
use super::build::{ident, internal, meaningful, next, span_of, unescape, Rule};
use super::kind::SyntaxError;
use crate::diagnostics::{Diagnostic, Span};
use crate::units::{Quantity, UnitError};

/// How an operator of the flat run stands: before its operand, between two, or after one.
#[derive(Clone, Copy)]
enum Affix {
    Prefix,
    /// Left-associative (`a - b - c` is `(a - b) - c`) when true.
    Infix(bool),
    Postfix,
}

/// How tightly an infix operator binds (higher binds tighter) and whether it is
/// left-associative, from loosest to tightest: `or`, `and`, comparisons and `in`, `..`, `+ -`,
/// `* /`, `^`. Both readers of the grammar (this Pratt parser over pest's run and
/// `syntax::descent`'s over the text) take their precedence from here, so they cannot build
/// different trees from one text; `posology fmt` brackets by it too.
pub(crate) fn infix_binding(op: BinaryOp) -> (u32, bool) {
    match op {
        BinaryOp::Or => (10, true),
        BinaryOp::And => (20, true),
        BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::In => (40, true),
        BinaryOp::Range => (50, true),
        BinaryOp::Add | BinaryOp::Sub => (60, true),
        BinaryOp::Mul | BinaryOp::Div => (70, true),
        // `-x ^ 2` is `-(x ^ 2)` and `a ^ b ^ c` is `a ^ (b ^ c)`, as in arithmetic.
        BinaryOp::Pow => (90, false),
    }
}

/// How tightly a prefix operator binds: `not` between `and` and the comparisons, unary `-`
/// between `* /` and `^` (see [`infix_binding`]).
pub(super) fn prefix_binding(op: UnaryOp) -> u32 {
    match op {
        UnaryOp::Not => 30,
        UnaryOp::Neg => 80,
    }
}

/// How tightly the postfix forms (`.field`, `[i]`, `is missing`, `is empty`) bind: tightest.
pub(super) const POSTFIX_BINDING: u32 = 100;

/// How `rule` stands as an operator, and how tightly it binds (see [`infix_binding`]).
/// `None` for an operand.
fn affix(rule: Rule) -> Option<(Affix, u32)> {
    if let Some(op) = binary_op(rule) {
        let (binds, left) = infix_binding(op);
        return Some((Affix::Infix(left), binds));
    }
    Some(match rule {
        Rule::op_not => (Affix::Prefix, prefix_binding(UnaryOp::Not)),
        Rule::op_neg => (Affix::Prefix, prefix_binding(UnaryOp::Neg)),
        Rule::field_access
        | Rule::index
        | Rule::is_missing
        | Rule::is_not_missing
        | Rule::is_empty
        | Rule::is_not_empty => (Affix::Postfix, POSTFIX_BINDING),
        _ => return None,
    })
}

/// The deepest an expression's tree may be: operators, calls, `if`s and brackets together. Every
/// later stage (checking, evaluating) recurses over the tree, so a deeper one is refused here.
pub const MAX_EXPR_DEPTH: usize = 64;

/// The most operands and operators one run of an expression may have (between brackets).
const MAX_EXPR_PARTS: usize = 4 * MAX_EXPR_DEPTH;

/// The most levels of operator precedence an expression's reading may be inside at once, over
/// all the brackets and `if`s around it. Each is a node of the tree above the operand being
/// read, so a tree within [`MAX_EXPR_DEPTH`] never needs more than that and one a bracket;
/// deeper, the tree is refused before the reader's recursion (`a ^ a ^ … ^ (a ^ …)`) can use
/// up the stack.
const MAX_PRECEDENCE_LEVELS: usize = 4 * MAX_EXPR_DEPTH;

thread_local! {
    /// How many `build_expr` calls are under way on this thread.
    static BUILDING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many precedence levels (`Pratt::expr` calls) are under way on this thread.
    static CLIMBING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one level of a recursive reading (a `BUILDING` or `CLIMBING` counter) while it
/// lives, so that every way out of the level, an error too, counts it out again.
struct Level(&'static std::thread::LocalKey<std::cell::Cell<usize>>);

impl Level {
    /// Enters one more level of `counter`, refusing more than `limit` in the expression at
    /// `span`.
    fn enter(
        counter: &'static std::thread::LocalKey<std::cell::Cell<usize>>,
        limit: usize,
        span: Span,
    ) -> Result<Level, Diagnostic> {
        let depth = counter.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        let guard = Level(counter);
        if depth > limit {
            return Err(too_deep(span));
        }
        Ok(guard)
    }

    /// One more precedence level (a `Pratt::expr` call).
    fn climbing(span: Span) -> Result<Level, Diagnostic> {
        Level::enter(&CLIMBING, MAX_PRECEDENCE_LEVELS, span)
    }

    /// One more `build_expr` level, refusing to go deeper than the tree may be (an `if` inside
    /// an `if` … is built depth first, before its depth can be measured).
    fn building(span: Span) -> Result<Level, Diagnostic> {
        // Two levels per bracket or `if` (`expr`, then its `op_expr`), with room for the
        // brackets the precheck allows.
        let limit = 2 * (super::MAX_NESTING.max(MAX_EXPR_DEPTH) + 8);
        Level::enter(&BUILDING, limit, span)
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        self.0.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// `posology::syntax::too_deep` for an expression.
fn too_deep(span: Span) -> Diagnostic {
    SyntaxError::ExprTooDeep { span }.into()
}

/// The depth of an expression's tree (1 for a single value), measured without recursion.
pub(super) fn tree_depth(e: &Expr) -> usize {
    let mut deepest = 0;
    // Kept in place while short (it is, for nearly every expression: it is measured for each
    // run the hand-written reader reads).
    let mut stack: smallvec::SmallVec<[(&Expr, usize); 16]> = smallvec::smallvec![(e, 1)];
    while let Some((e, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        let below = depth + 1;
        match &e.kind {
            ExprKind::Quantity { .. }
            | ExprKind::Bool(_)
            | ExprKind::Text(_)
            | ExprKind::Name(_) => {}
            ExprKind::Call(_, items) | ExprKind::List(items) => {
                stack.extend(items.iter().map(|i| (i, below)));
            }
            ExprKind::Field(a, _) | ExprKind::Unary(_, a) | ExprKind::Is(a, _) => {
                stack.push((a, below));
            }
            ExprKind::Binary(_, a, b)
            | ExprKind::Round(a, _, b)
            | ExprKind::RoundOf(a, _, b)
            | ExprKind::Index(a, b) => {
                stack.extend([(&**a, below), (&**b, below)]);
            }
            // Built from its own item, never inside an expression.
            ExprKind::Table(_) => {}
            ExprKind::If(c, a, b) => stack.extend([(&**c, below), (&**a, below), (&**b, below)]),
        }
    }
    deepest
}

/// Builds an expression from an `expr`, `op_expr`, `term` or `operand` pair.
pub(super) fn build_expr(pair: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    let _level = Level::building(span)?;
    match pair.as_rule() {
        Rule::expr => {
            let mut inner = meaningful(pair);
            let body = build_expr(next(&mut inner, span)?)?;
            match inner.next() {
                None => Ok(body),
                Some(rounding) => build_rounding(body, rounding, span),
            }
        }
        Rule::op_expr | Rule::term | Rule::operand | Rule::value_body => {
            let mut flat = Vec::new();
            flatten(pair, &mut flat);
            if flat.is_empty() {
                return Err(internal(span));
            }
            // The Pratt parser recurses once per prefix operator (`not`, `-`) before the
            // tree's depth can be measured.
            let prefixes = flat
                .iter()
                .filter(|p| matches!(p.as_rule(), Rule::op_not | Rule::op_neg))
                .count();
            if flat.len() > MAX_EXPR_PARTS || prefixes > MAX_EXPR_DEPTH {
                return Err(too_deep(span));
            }
            let expr = run_pratt(flat, span)?;
            if tree_depth(&expr) > MAX_EXPR_DEPTH {
                return Err(too_deep(span));
            }
            Ok(expr)
        }
        _ => build_primary(pair),
    }
}

/// Spreads operands into their prefix, primary and postfix parts for the Pratt parser.
fn flatten<'a>(pair: Pair<'a, Rule>, out: &mut Vec<Pair<'a, Rule>>) {
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::operand => flatten(child, out),
            _ => out.push(child),
        }
    }
}

fn run_pratt(flat: Vec<Pair<Rule>>, span: Span) -> Result<Expr, Diagnostic> {
    Pratt {
        parts: flat.into_iter().peekable(),
        span,
    }
    .expr(0)
}

/// A Pratt parser over one flat run of operands and operators (the algorithm of pest's
/// `PrattParser`, step for step, so that the same trees come out; its own so that each level
/// it recurses is counted, see [`Level::climbing`]). The first error met, in the order the parts are
/// built, is the result.
struct Pratt<'a> {
    parts: std::iter::Peekable<std::vec::IntoIter<Pair<'a, Rule>>>,
    /// The whole run, for a refusal.
    span: Span,
}

impl<'a> Pratt<'a> {
    /// The expression from here up to the first operator binding no tighter than `rbp`.
    fn expr(&mut self, rbp: u32) -> Result<Expr, Diagnostic> {
        let _level = Level::climbing(self.span)?;
        let mut lhs = self.nud()?;
        while rbp < self.lbp()? {
            lhs = self.led(lhs)?;
        }
        Ok(lhs)
    }

    /// An operand, with the prefix operators before it.
    fn nud(&mut self) -> Result<Expr, Diagnostic> {
        let pair = self.parts.next().ok_or_else(|| internal(self.span))?;
        match affix(pair.as_rule()) {
            Some((Affix::Prefix, prec)) => {
                let rhs = self.expr(prec - 1)?;
                Ok(prefix(pair, rhs))
            }
            None => build_primary(pair),
            Some(_) => Err(internal(span_of(&pair))),
        }
    }

    /// `lhs` with the next infix or postfix operator applied.
    fn led(&mut self, lhs: Expr) -> Result<Expr, Diagnostic> {
        let pair = self.parts.next().ok_or_else(|| internal(self.span))?;
        match affix(pair.as_rule()) {
            Some((Affix::Infix(left), prec)) => {
                let rhs = self.expr(if left { prec } else { prec - 1 })?;
                infix(lhs, pair, rhs)
            }
            Some((Affix::Postfix, _)) => postfix(lhs, pair),
            _ => Err(internal(span_of(&pair))),
        }
    }

    /// How tightly the next operator binds: 0 at the end of the run.
    fn lbp(&mut self) -> Result<u32, Diagnostic> {
        match self.parts.peek() {
            None => Ok(0),
            Some(pair) => affix(pair.as_rule())
                .map(|(_, prec)| prec)
                .ok_or_else(|| internal(span_of(pair))),
        }
    }
}

/// `not rhs` or `-rhs`.
fn prefix(op: Pair<Rule>, rhs: Expr) -> Expr {
    let span = span_of(&op).join(rhs.span);
    let op = if op.as_rule() == Rule::op_not {
        UnaryOp::Not
    } else {
        UnaryOp::Neg
    };
    Expr {
        kind: ExprKind::Unary(op, Box::new(rhs)),
        span,
    }
}

/// `lhs` with the postfix operator `op` (`.field`, `[i]`, `is missing`, …).
fn postfix(lhs: Expr, op: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let span = lhs.span.join(span_of(&op));
    let kind = match op.as_rule() {
        Rule::field_access if trailing_point(&lhs, &op) => {
            // `5. mg` (misread as 50 mg) reads as a field of the number 5.
            let written = &op.as_span().get_input()[lhs.span.start..span.end];
            return Err(match Quantity::parse(written) {
                Err(e @ UnitError::Notation { .. }) => e.to_diagnostic(span),
                _ => internal(span),
            });
        }
        Rule::field_access => {
            let op_span = span_of(&op);
            let mut inner = meaningful(op);
            ExprKind::Field(Box::new(lhs), ident(next(&mut inner, op_span)?))
        }
        Rule::index => {
            let op_span = span_of(&op);
            let mut inner = meaningful(op);
            let at = build_expr(next(&mut inner, op_span)?)?;
            ExprKind::Index(Box::new(lhs), Box::new(at))
        }
        Rule::is_missing => ExprKind::Is(Box::new(lhs), IsTest::Missing),
        Rule::is_not_missing => ExprKind::Is(Box::new(lhs), IsTest::NotMissing),
        Rule::is_empty => ExprKind::Is(Box::new(lhs), IsTest::Empty),
        _ => ExprKind::Is(Box::new(lhs), IsTest::NotEmpty),
    };
    Ok(Expr { kind, span })
}

/// `lhs op rhs`.
fn infix(lhs: Expr, op: Pair<Rule>, rhs: Expr) -> Result<Expr, Diagnostic> {
    let op = binary_op(op.as_rule()).ok_or_else(|| internal(span_of(&op)))?;
    Ok(Expr {
        span: lhs.span.join(rhs.span),
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
    })
}

/// True for a `.` written right after a number without a unit (`5.`), which the grammar reads
/// as the start of a field access.
fn trailing_point(lhs: &Expr, op: &Pair<Rule>) -> bool {
    matches!(lhs.kind, ExprKind::Quantity { unit: None, .. })
        && op.as_span().start() == lhs.span.end
}

fn binary_op(r: Rule) -> Option<BinaryOp> {
    Some(match r {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_range => BinaryOp::Range,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_pow => BinaryOp::Pow,
        _ => return None,
    })
}

fn build_primary(pair: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::quantity => return build_quantity(pair),
        Rule::bad_quantity => {
            let digits = pair.as_str().trim();
            return Err(SyntaxError::LeadingDecimalPoint {
                digits: digits.to_string(),
                span,
            }
            .into());
        }
        Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
        Rule::string => {
            let raw = pair.as_str();
            ExprKind::Text(unescape(
                raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""),
            ))
        }
        Rule::name => ExprKind::Name(pair.as_str().to_string()),
        Rule::paren => {
            let mut inner = meaningful(pair);
            let mut e = build_expr(next(&mut inner, span)?)?;
            e.span = span;
            return Ok(e);
        }
        Rule::if_expr => {
            let mut inner = meaningful(pair);
            let c = build_expr(next(&mut inner, span)?)?;
            let a = build_expr(next(&mut inner, span)?)?;
            let b = build_expr(next(&mut inner, span)?)?;
            ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
        }
        Rule::call => {
            let mut inner = meaningful(pair);
            let func = ident(next(&mut inner, span)?);
            let args = inner.map(build_expr).collect::<Result<Vec<_>, _>>()?;
            ExprKind::Call(func, args)
        }
        Rule::value_of => return build_value_of(pair),
        Rule::list_expr => {
            ExprKind::List(meaningful(pair).map(build_expr).collect::<Result<_, _>>()?)
        }
        Rule::expr | Rule::op_expr | Rule::term | Rule::operand => return build_expr(pair),
        _ => return Err(internal(span)),
    };
    Ok(Expr { kind, span })
}

/// `value(EXPR in UNIT)`, built as the call `value(EXPR, 1 UNIT)`: the checker and the
/// interpreter then need no form of their own, and `posology fmt` writes it back with `in`.
fn build_value_of(pair: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let keyword = next(&mut inner, span)?;
    let func = Ident {
        name: VALUE_FUNCTION.to_string(),
        span: span_of(&keyword),
    };
    let body = build_expr(next(&mut inner, span)?)?;
    let unit = next(&mut inner, span)?;
    let unit_span = span_of(&unit);
    let one = Expr {
        kind: ExprKind::Quantity {
            value: Decimal::ONE,
            unit: Some((unit.as_str().to_string(), unit_span)),
        },
        span: unit_span,
    };
    Ok(Expr {
        kind: ExprKind::Call(func, vec![body, one]),
        span,
    })
}

fn build_quantity(pair: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    let written = pair.as_str();
    let mut inner = pair.into_inner();
    let number = next(&mut inner, span)?;
    let number_len = number.as_str().len();
    let unit = inner.next().map(|u| (u.as_str().to_string(), span_of(&u)));
    quantity_literal(written, span, number_len, unit)
}

/// A quantity as written at `span` (its number, the first `number_len` bytes, then its unit if
/// any), refused where its notation misleads: a trailing zero, digits past what a decimal holds
/// exactly, a unit written onto the number. Both readers of the grammar build quantities here
/// (the hand-written one gives up where this refuses), so they refuse the same numbers.
pub(super) fn quantity_literal(
    written: &str,
    span: Span,
    number_len: usize,
    unit: Option<(String, Span)>,
) -> Result<Expr, Diagnostic> {
    let digits = written.get(..number_len).unwrap_or(written);
    let number_span = Span::new(span.start, span.start + digits.len());
    if digits.contains('.') && digits.ends_with('0') {
        // ISMP: `5.0 mg` is misread as `50 mg` when the point is missed.
        return Err(SyntaxError::TrailingZero {
            digits: digits.to_string(),
            span: number_span,
        }
        .into());
    }
    let value = parse_decimal(digits, number_span)?;
    if let Some((_, unit_span)) = &unit {
        // `10mg` is misread as `100 mg`: refused here as in patient files (`10%` may attach).
        if unit_span.start == number_span.end {
            if let Err(e @ UnitError::Notation { .. }) = Quantity::parse(written) {
                return Err(e.to_diagnostic(span));
            }
        }
    }
    Ok(Expr {
        kind: ExprKind::Quantity { value, unit },
        span,
    })
}

/// Reads a decimal exactly, or says the number cannot be held exactly.
pub(super) fn parse_decimal(digits: &str, span: Span) -> Result<Decimal, Diagnostic> {
    Decimal::from_str_exact(digits).map_err(|_| {
        SyntaxError::OutOfRange {
            digits: digits.to_string(),
            span,
        }
        .into()
    })
}

fn build_rounding(body: Expr, rounding: Pair<Rule>, span: Span) -> Result<Expr, Diagnostic> {
    let r_span = span_of(&rounding);
    let mut mode = RoundMode::Nearest;
    let mut step = None;
    let mut of_list = false;
    for part in meaningful(rounding) {
        match part.as_rule() {
            Rule::round_mode if part.as_str() == "up" => mode = RoundMode::Up,
            Rule::round_mode => mode = RoundMode::Down,
            Rule::round_list => {
                of_list = true;
                let list_span = span_of(&part);
                let mut inner = meaningful(part).filter(|p| p.as_rule() != Rule::kw_nearest);
                step = Some(build_expr(next(&mut inner, list_span)?)?);
            }
            _ => step = Some(build_expr(part)?),
        }
    }
    let step = Box::new(step.ok_or_else(|| internal(r_span))?);
    let kind = if of_list {
        ExprKind::RoundOf(Box::new(body), mode, step)
    } else {
        ExprKind::Round(Box::new(body), mode, step)
    };
    Ok(Expr { kind, span })
}
