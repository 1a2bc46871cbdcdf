//! Builds the AST from pest's parse tree. The grammar guarantees each pair's shape, so a missing
//! child here is an internal error, reported as a diagnostic rather than a panic.

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::ast::*;
use super::error::from_pest;
use super::expr::build_expr;
use super::kind::SyntaxError;
use super::lex::TokenKind;
use crate::diagnostics::{Diagnostic, Span};

/// The pest parser generated from `grammar/posology.pest`.
#[derive(Parser)]
#[grammar = "../grammar/posology.pest"]
pub struct ProtocolParser;

/// Parses a protocol's text into its AST, or the first syntax error.
pub fn parse(text: &str) -> Result<Protocol, Diagnostic> {
    super::precheck(text)?;
    // The hand-written reader builds the same tree, faster; on anything it does not read, the
    // grammar reads the text again and says what is wrong.
    if let Some(protocol) = super::descent::protocol(text) {
        return Ok(protocol);
    }
    parse_with_pest(text)
}

/// [`parse`] by the grammar alone, after [`super::precheck`].
pub(super) fn parse_with_pest(text: &str) -> Result<Protocol, Diagnostic> {
    set_call_limit(text);
    let mut pairs = ProtocolParser::parse(Rule::file, text).map_err(|e| from_pest(e, text))?;
    let file = next(&mut pairs, Span::new(0, 0))?;
    let mut inner = file.into_inner();
    let protocol = next(&mut inner, Span::new(0, 0))?;
    build_protocol(protocol)
}

/// Parses one expression (a REPL line such as `300 mcg/day / 500 mcg/mL`).
pub fn parse_expr(text: &str) -> Result<Expr, Diagnostic> {
    super::precheck(text)?;
    if let Some(e) = super::descent::expression(text) {
        return Ok(e);
    }
    parse_expr_with_pest(text)
}

/// [`parse_expr`] by the grammar alone, after [`super::precheck`].
pub(super) fn parse_expr_with_pest(text: &str) -> Result<Expr, Diagnostic> {
    set_call_limit(text);
    let mut pairs = ProtocolParser::parse(Rule::line_expr, text).map_err(|e| from_pest(e, text))?;
    let line = next(&mut pairs, Span::new(0, text.len()))?;
    let mut inner = meaningful(line).filter(|p| p.as_rule() != Rule::EOI);
    build_expr(next(&mut inner, Span::new(0, text.len()))?)
}

/// Parses the expression written at `start..end` of `text` (the inside of a `{…}` in a
/// message), with its places (and those of a syntax error) in `text`.
pub fn parse_expr_in(text: &str, start: usize, end: usize) -> Result<Expr, Diagnostic> {
    let piece = text.get(start..end).unwrap_or("");
    match parse_expr(piece) {
        Ok(mut e) => {
            e.shift(start);
            Ok(e)
        }
        Err(mut d) => {
            d.source = None;
            for label in &mut d.labels {
                label.span = label.span.shifted(start);
            }
            Err(d)
        }
    }
}

/// Parses one value as written in an example's `given` block (`300 mcg/day`, `spinal`,
/// `[{ dose: 50 mcg, response: negative }]`).
pub fn parse_value(text: &str) -> Result<Value, Diagnostic> {
    super::precheck(text)?;
    set_call_limit(text);
    let mut pairs =
        ProtocolParser::parse(Rule::line_value, text).map_err(|e| from_pest(e, text))?;
    let line = next(&mut pairs, Span::new(0, text.len()))?;
    let mut inner = meaningful(line).filter(|p| p.as_rule() != Rule::EOI);
    build_value(next(&mut inner, Span::new(0, text.len()))?)
}

const NON_ZERO_ONE: std::num::NonZeroUsize = std::num::NonZeroUsize::MIN;

/// The most grammar-rule calls the reader may make per byte of protocol. Protocols of every
/// shape measured need at most about 23 a byte (a long `expect schedule [1 mg, 1 mg, …]`); the
/// grammar never backtracks far, so this only stops a text crafted to make it try many
/// alternatives. A limit that grows with the text lets a protocol of the largest size accepted
/// ([`super::MAX_PROTOCOL_BYTES`]) be read whatever its shape, while reading stays linear.
const CALLS_PER_BYTE: usize = 64;

/// The call limit for a text of `len` bytes: never below the 5 million calls that small texts
/// always had.
fn call_limit(len: usize) -> usize {
    len.saturating_mul(CALLS_PER_BYTE).max(5_000_000)
}

/// Sets pest's call limit for reading `text` (pest keeps one limit for the whole process, read
/// when a parse starts).
fn set_call_limit(text: &str) {
    pest::set_call_limit(Some(
        std::num::NonZeroUsize::new(call_limit(text.len())).unwrap_or(NON_ZERO_ONE),
    ));
}

/// The span of a pair, without the whitespace and comments pest lets a pair end with (a rule
/// such as `a ~ b?` keeps the whitespace it skipped before looking for `b`), so that a label
/// under it stops at its last character rather than at the next line.
pub(super) fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    let start = s.start();
    let end = start + trimmed_len(s.as_str());
    Span::new(start, end)
}

/// The length of `text` without trailing whitespace and `//` comments.
///
/// Only the end of the text is lexed (a pair's text may be the whole file, and every pair
/// around a rule is trimmed): the lexer starts afresh after a line break that does not end in
/// `\\` (no string or comment goes on past it), so lexing from there finds the tokens that
/// lexing the whole text finds there; only when nothing but spaces and comments follows is the
/// text before it lexed, back to the line break before.
fn trimmed_len(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let from = fresh_line_start(&text[..end]);
        if let Some(last) = last_meaningful_end(&text[from..end]) {
            return from + last;
        }
        if from == 0 {
            return 0;
        }
        end = from;
    }
}

/// Where the lexer starts afresh at the last line break of `text` not escaped by a `\\`
/// before it (that line break's place), or 0.
fn fresh_line_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while let Some(at) = bytes[..end].iter().rposition(|&b| b == b'\n') {
        if at == 0 || bytes[at - 1] != b'\\' {
            return at;
        }
        end = at;
    }
    0
}

/// The end of the last token of `text` that is not whitespace or a `//` comment.
fn last_meaningful_end(text: &str) -> Option<usize> {
    // Without a comment, a text that ends in a character other than a space ends in a token
    // that counts (a name, a number, a bracket, a quoted text); without a quote either, so do
    // the spaces after such a character end the text (no unclosed string takes them in).
    let counts = |c: char| !c.is_whitespace();
    if !text.contains("//") {
        if text.chars().next_back().is_some_and(counts) {
            return Some(text.len());
        }
        let before_spaces = text.trim_end_matches([' ', '\t', '\r', '\n']);
        if !before_spaces.contains('"') && before_spaces.chars().next_back().is_some_and(counts) {
            return Some(before_spaces.len());
        }
    }
    super::lex::lex(text)
        .iter()
        .rev()
        .find(|t| match t.kind {
            TokenKind::Space | TokenKind::Comment => false,
            // `str::trim_end` trims any Unicode space, not only the grammar's.
            TokenKind::Other => !t.text(text).chars().all(char::is_whitespace),
            _ => true,
        })
        .map(|t| t.span.end)
}

/// The next child, or an internal error pointing at the parent.
pub(super) fn next<'a>(
    pairs: &mut impl Iterator<Item = Pair<'a, Rule>>,
    parent: Span,
) -> Result<Pair<'a, Rule>, Diagnostic> {
    pairs.next().ok_or_else(|| internal(parent))
}

/// A grammar/AST mismatch: a bug in Posology, not in the protocol.
pub(super) fn internal(span: Span) -> Diagnostic {
    SyntaxError::Internal { span }.into()
}

/// Children that carry meaning (punctuation rules filtered out).
pub(super) fn meaningful(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::lbrace
                | Rule::rbrace
                | Rule::lparen
                | Rule::rparen
                | Rule::colon
                | Rule::comma
                | Rule::semi
                | Rule::arrow
                | Rule::equals
                | Rule::kw_protocol
        )
    })
}

pub(super) fn ident(pair: Pair<Rule>) -> Ident {
    Ident {
        span: span_of(&pair),
        name: pair.as_str().to_string(),
    }
}

pub(super) fn text(pair: Pair<Rule>) -> Text {
    let span = span_of(&pair);
    let raw = pair.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    Text {
        value: unescape(inner),
        span,
    }
}

/// Resolves `\"`, `\\`, `\n` and `\t`; any other escaped character stands for itself.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn build_protocol(pair: Pair<Rule>) -> Result<Protocol, Diagnostic> {
    let span = span_of(&pair);
    let mut items = meaningful(pair);
    let name = ident(next(&mut items, span)?);
    let mut protocol = Protocol {
        name,
        headers: Vec::new(),
        inputs: Vec::new(),
        lets: Vec::new(),
        limits: Vec::new(),
        requires: Vec::new(),
        begin: None,
        decides: Vec::new(),
        phases: Vec::new(),
        examples: Vec::new(),
        span,
    };
    let mut begin_span: Option<Span> = None;
    for item in items {
        let item_span = span_of(&item);
        match item.as_rule() {
            Rule::header => protocol.headers.push(build_header(item)?),
            Rule::inputs => {
                for decl in meaningful(item).filter(|p| p.as_rule() == Rule::input_decl) {
                    protocol.inputs.push(build_input(decl)?);
                }
            }
            Rule::let_item => protocol.lets.push(build_let(item)?),
            Rule::table_item => protocol.lets.push(super::table::build_table(item)?),
            Rule::limit_item => protocol.limits.push(build_limit(item)?),
            Rule::require_item => protocol.requires.push(build_require(item)?),
            Rule::begin_item => {
                let mut inner = meaningful(item);
                let expr = build_expr(next(&mut inner, item_span)?)?;
                if let Some(previous) = begin_span {
                    return Err(SyntaxError::DuplicateBegin {
                        again: item_span,
                        first: previous,
                    }
                    .into());
                }
                begin_span = Some(item_span);
                protocol.begin = Some(expr);
            }
            Rule::decide => protocol.decides.push(build_decide(item)?),
            Rule::phase => protocol.phases.push(build_phase(item)?),
            Rule::example => protocol.examples.push(build_example(item)?),
            _ => return Err(internal(item_span)),
        }
    }
    Ok(protocol)
}

fn build_header(pair: Pair<Rule>) -> Result<Header, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let key_pair = next(&mut inner, span)?;
    let key = match key_pair.as_str() {
        "title" => HeaderKey::Title,
        "version" => HeaderKey::Version,
        "source" => HeaderKey::Source,
        "drug" => HeaderKey::Drug,
        _ => HeaderKey::Route,
    };
    Ok(Header {
        key,
        key_span: span_of(&key_pair),
        value: text(next(&mut inner, span)?),
    })
}

fn build_input(pair: Pair<Rule>) -> Result<InputDecl, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = ident(next(&mut inner, span)?);
    let ty = build_type(next(&mut inner, span)?)?;
    let mut decl = InputDecl {
        name,
        ty,
        optional: None,
        default: None,
        range: None,
        convert: Vec::new(),
        span,
    };
    for opt in inner {
        let opt_span = span_of(&opt);
        match opt.as_rule() {
            Rule::opt_optional => decl.optional = Some(opt_span),
            Rule::opt_default => {
                let mut v = meaningful(opt);
                decl.default = Some(build_value(next(&mut v, opt_span)?)?);
            }
            Rule::opt_range => {
                let mut v = meaningful(opt);
                decl.range = Some(build_expr(next(&mut v, opt_span)?)?);
            }
            Rule::opt_convert => decl.convert.push(build_conversion(opt)?),
            _ => return Err(internal(opt_span)),
        }
    }
    Ok(decl)
}

/// `convert A = B` (the word and the `=` are not kept).
fn build_conversion(pair: Pair<Rule>) -> Result<Conversion, Diagnostic> {
    let span = span_of(&pair);
    let mut sides = meaningful(pair).filter(|p| p.as_rule() == Rule::op_expr);
    let left = build_expr(next(&mut sides, span)?)?;
    let right = build_expr(next(&mut sides, span)?)?;
    Ok(Conversion { left, right, span })
}

fn build_type(pair: Pair<Rule>) -> Result<TypeExpr, Diagnostic> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::named_type => TypeExprKind::Named(pair.as_str().trim().to_string()),
        Rule::enum_type => TypeExprKind::Enum(meaningful(pair).map(ident).collect()),
        Rule::list_type => {
            let mut inner = meaningful(pair);
            TypeExprKind::List(Box::new(build_type(next(&mut inner, span)?)?))
        }
        Rule::record_type => TypeExprKind::Record(
            meaningful(pair)
                .map(build_input)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => return Err(internal(span)),
    };
    Ok(TypeExpr { kind, span })
}

fn build_let(pair: Pair<Rule>) -> Result<Let, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = ident(next(&mut inner, span)?);
    let mut part = next(&mut inner, span)?;
    let mut ty = None;
    if part.as_rule() == Rule::named_type {
        ty = Some(build_type(part)?);
        part = next(&mut inner, span)?;
    }
    Ok(Let {
        name,
        ty,
        expr: build_expr(part)?,
        span,
    })
}

fn build_limit(pair: Pair<Rule>) -> Result<Limit, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let target = ident(next(&mut inner, span)?);
    let op = match next(&mut inner, span)?.as_str() {
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        _ => CmpOp::Ge,
    };
    let value = build_expr(next(&mut inner, span)?)?;
    let hard = next(&mut inner, span)?.as_str() == "hard";
    let mut limit = Limit {
        target,
        op,
        value,
        hard,
        when: None,
        because: None,
        source: None,
        span,
    };
    for opt in inner {
        match opt.as_rule() {
            Rule::when_clause => limit.when = Some(clause_expr(opt)?),
            Rule::because => limit.because = Some(clause_text(opt)?),
            Rule::cite => limit.source = Some(clause_text(opt)?),
            _ => return Err(internal(span_of(&opt))),
        }
    }
    Ok(limit)
}

fn build_require(pair: Pair<Rule>) -> Result<Require, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let condition = build_expr(next(&mut inner, span)?)?;
    let because = clause_text(next(&mut inner, span)?)?;
    let source = inner.next().map(clause_text).transpose()?;
    Ok(Require {
        condition,
        because,
        source,
        span,
    })
}

fn clause_expr(pair: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    build_expr(next(&mut inner, span)?)
}

fn clause_text(pair: Pair<Rule>) -> Result<Text, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    Ok(text(next(&mut inner, span)?))
}

fn build_phase(pair: Pair<Rule>) -> Result<Phase, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = ident(next(&mut inner, span)?);
    let mut phase = Phase {
        name,
        lets: Vec::new(),
        decides: Vec::new(),
        proposals: Vec::new(),
        span,
    };
    for item in inner {
        match item.as_rule() {
            Rule::let_item => phase.lets.push(build_let(item)?),
            Rule::table_item => phase.lets.push(super::table::build_table(item)?),
            Rule::decide => phase.decides.push(build_decide(item)?),
            Rule::proposal => phase.proposals.push(build_proposal(item)?),
            _ => return Err(internal(span_of(&item))),
        }
    }
    Ok(phase)
}

fn build_decide(pair: Pair<Rule>) -> Result<Decide, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let policy = match next(&mut inner, span)?.as_str() {
        "first" => HitPolicy::First,
        "unique" => HitPolicy::Unique,
        "any" => HitPolicy::Any,
        _ => HitPolicy::Collect,
    };
    let rules = inner.map(build_rule).collect::<Result<Vec<_>, _>>()?;
    Ok(Decide {
        policy,
        rules,
        span,
    })
}

fn build_rule(pair: Pair<Rule>) -> Result<super::ast::Rule, Diagnostic> {
    let span = span_of(&pair);
    let mut rule = super::ast::Rule {
        name: None,
        when: None,
        always: false,
        head_span: span,
        source: None,
        actions: Vec::new(),
        span,
    };
    for part in meaningful(pair) {
        match part.as_rule() {
            Rule::rule_name => {
                let part_span = span_of(&part);
                let mut inner = meaningful(part);
                rule.name = Some(ident(next(&mut inner, part_span)?));
            }
            Rule::when_clause => {
                rule.head_span = span_of(&part);
                rule.when = Some(clause_expr(part)?);
            }
            Rule::otherwise => rule.head_span = span_of(&part),
            Rule::always => {
                rule.head_span = span_of(&part);
                rule.always = true;
            }
            Rule::cite => rule.source = Some(clause_text(part)?),
            Rule::actions => {
                rule.actions = meaningful(part)
                    .map(build_action)
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(internal(span_of(&part))),
        }
    }
    Ok(rule)
}

fn build_action(pair: Pair<Rule>) -> Result<Action, Diagnostic> {
    let span = span_of(&pair);
    let which = pair.as_rule();
    let mut inner = meaningful(pair);
    let kind = match which {
        Rule::give => ActionKind::Give(build_give(inner, span)?),
        Rule::schedule => ActionKind::Schedule(build_schedule(inner, span)?),
        Rule::stepped => ActionKind::Stepped(build_stepped(inner)?),
        Rule::choose => ActionKind::Choose(
            inner
                .filter(|p| p.as_rule() == Rule::alternative)
                .map(build_alternative)
                .collect::<Result<_, _>>()?,
        ),
        Rule::hold => ActionKind::Hold(text(next(&mut inner, span)?)),
        Rule::stop => ActionKind::Stop(text(next(&mut inner, span)?)),
        Rule::refuse => ActionKind::Refuse(text(next(&mut inner, span)?)),
        Rule::warn | Rule::note => {
            let mut critical = false;
            let mut code = None;
            let mut message = None;
            for part in inner {
                match part.as_rule() {
                    Rule::critical => critical = true,
                    Rule::message_code => {
                        let part_span = span_of(&part);
                        let mut c = meaningful(part);
                        code = Some(ident(next(&mut c, part_span)?));
                    }
                    _ => message = Some(text(part)),
                }
            }
            let text = message.ok_or_else(|| internal(span))?;
            if which == Rule::warn {
                ActionKind::Warn {
                    critical,
                    code,
                    text,
                }
            } else {
                ActionKind::Note { code, text }
            }
        }
        Rule::observe => ActionKind::Observe(build_expr(next(&mut inner, span)?)?),
        Rule::wait => ActionKind::Wait(build_expr(next(&mut inner, span)?)?),
        Rule::goto => ActionKind::Goto(ident(next(&mut inner, span)?)),
        Rule::show => ActionKind::Show(inner.map(ident).collect()),
        Rule::next_phase => {
            let phase = ident(next(&mut inner, span)?);
            let after = inner.next().map(build_expr).transpose()?;
            ActionKind::Next(phase, after)
        }
        _ => return Err(internal(span)),
    };
    Ok(Action { kind, span })
}

fn build_give<'a>(
    mut inner: impl Iterator<Item = Pair<'a, Rule>>,
    span: Span,
) -> Result<Give, Diagnostic> {
    let amount = build_expr(next(&mut inner, span)?)?;
    let mut give = Give {
        amount,
        form: None,
        route: None,
        frequency: None,
        over: None,
        duration: None,
    };
    for part in inner {
        let part_span = span_of(&part);
        let duplicate = match part.as_rule() {
            Rule::form => give.form.replace(ident(part)).is_some(),
            Rule::route_mod => {
                let mut r = meaningful(part);
                give.route
                    .replace(ident(next(&mut r, part_span)?))
                    .is_some()
            }
            Rule::frequency => give.frequency.replace(build_frequency(part)?).is_some(),
            Rule::over => give.over.replace(clause_expr(part)?).is_some(),
            Rule::for_dur => give.duration.replace(clause_expr(part)?).is_some(),
            _ => return Err(internal(part_span)),
        };
        if duplicate {
            return Err(SyntaxError::DuplicateModifier {
                span: part_span,
                expect: false,
            }
            .into());
        }
    }
    Ok(give)
}

pub(super) fn build_frequency(pair: Pair<Rule>) -> Result<Frequency, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let which = next(&mut inner, span)?;
    let which_rule = which.as_rule();
    let which_span = span_of(&which);
    let mut parts = meaningful(which);
    let part = next(&mut parts, which_span)?;
    let term = match part.as_rule() {
        Rule::count_word => count_word(&part),
        _ => build_expr(part)?,
    };
    let kind = match which_rule {
        Rule::times_daily | Rule::once_daily => FrequencyKind::TimesDaily(term),
        _ => FrequencyKind::Every(term),
    };
    Ok(Frequency { kind, span })
}

/// `once` as the count 1, `twice` as 2 (`once daily` is `1 times daily`).
fn count_word(pair: &Pair<Rule>) -> Expr {
    let count = if pair.as_str() == "twice" { 2 } else { 1 };
    Expr {
        kind: ExprKind::Quantity {
            value: rust_decimal::Decimal::from(count),
            unit: None,
        },
        span: span_of(pair),
    }
}

fn build_schedule<'a>(
    mut inner: impl Iterator<Item = Pair<'a, Rule>>,
    span: Span,
) -> Result<Schedule, Diagnostic> {
    let from = build_expr(next(&mut inner, span)?)?;
    let mut part = next(&mut inner, span)?;
    let mut frequency = None;
    if part.as_rule() == Rule::frequency {
        frequency = Some(build_frequency(part)?);
        part = next(&mut inner, span)?;
    }
    let increase = part.as_str() == "increase";
    let step = build_expr(next(&mut inner, span)?)?;
    let every = build_expr(next(&mut inner, span)?)?;
    let mut schedule = Schedule {
        from,
        frequency,
        increase,
        step,
        every,
        until: None,
        starting: None,
        then_stop: false,
    };
    for opt in inner {
        match opt.as_rule() {
            Rule::until => schedule.until = Some(clause_expr(opt)?),
            Rule::starting => schedule.starting = Some(clause_expr(opt)?),
            Rule::then_stop => schedule.then_stop = true,
            _ => return Err(internal(span_of(&opt))),
        }
    }
    Ok(schedule)
}

fn build_alternative(pair: Pair<Rule>) -> Result<Alternative, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = ident(next(&mut inner, span)?);
    let give = next(&mut inner, span)?;
    let give_span = span_of(&give);
    let give = build_give(meaningful(give), give_span)?;
    Ok(Alternative { name, give, span })
}

fn build_stepped<'a>(inner: impl Iterator<Item = Pair<'a, Rule>>) -> Result<Stepped, Diagnostic> {
    let mut stepped = Stepped {
        steps: Vec::new(),
        starting: None,
        then_stop: None,
    };
    for part in inner {
        match part.as_rule() {
            Rule::stepped_step => stepped.steps.push(build_stepped_step(part)?),
            Rule::starting => stepped.starting = Some(clause_expr(part)?),
            Rule::then_stop => stepped.then_stop = Some(span_of(&part)),
            _ => return Err(internal(span_of(&part))),
        }
    }
    Ok(stepped)
}

fn build_stepped_step(pair: Pair<Rule>) -> Result<SteppedStep, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let amount = build_expr(next(&mut inner, span)?)?;
    let mut step = SteppedStep {
        amount,
        frequency: None,
        duration: None,
        span,
    };
    for part in inner {
        match part.as_rule() {
            Rule::frequency => step.frequency = Some(build_frequency(part)?),
            Rule::for_dur => step.duration = Some(clause_expr(part)?),
            _ => return Err(internal(span_of(&part))),
        }
    }
    Ok(step)
}

fn build_expect_step(pair: Pair<Rule>) -> Result<ExpectStep, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let amount = build_expr(next(&mut inner, span)?)?;
    let frequency = inner.next().map(build_frequency).transpose()?;
    Ok(ExpectStep {
        amount,
        frequency,
        span,
    })
}

fn build_proposal(pair: Pair<Rule>) -> Result<Proposal, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair).peekable();
    let input = ident(next(&mut inner, span)?);
    let mut frequency = None;
    if inner.peek().map(|p| p.as_rule()) == Some(Rule::frequency) {
        frequency = Some(build_frequency(next(&mut inner, span)?)?);
    }
    let rules = inner
        .map(build_proposal_rule)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Proposal {
        input,
        frequency,
        rules,
        span,
    })
}

fn build_proposal_rule(pair: Pair<Rule>) -> Result<ProposalRule, Diagnostic> {
    let span = span_of(&pair);
    let is_allow = pair.as_rule() == Rule::allow;
    let mut kind = ProposalRuleKind::Refuse;
    let mut when = None;
    let mut because = None;
    let mut source = None;
    for part in meaningful(pair) {
        match part.as_rule() {
            Rule::when_clause => when = Some(clause_expr(part)?),
            Rule::because => because = Some(clause_text(part)?),
            Rule::cite => source = Some(clause_text(part)?),
            _ if is_allow => kind = ProposalRuleKind::Allow(build_expr(part)?),
            _ => return Err(internal(span_of(&part))),
        }
    }
    Ok(ProposalRule {
        kind,
        when,
        because: because.ok_or_else(|| internal(span))?,
        source,
        span,
    })
}

fn build_example(pair: Pair<Rule>) -> Result<Example, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = text(next(&mut inner, span)?);
    let given_pair = next(&mut inner, span)?;
    let given_span = span_of(&given_pair);
    let mut g = meaningful(given_pair);
    let given = build_value(next(&mut g, given_span)?)?;
    let expects = inner.map(build_expect).collect::<Result<Vec<_>, _>>()?;
    Ok(Example {
        name,
        given,
        expects,
        span,
    })
}

fn build_value(pair: Pair<Rule>) -> Result<Value, Diagnostic> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::record_value => {
            let mut fields = Vec::new();
            for field in meaningful(pair) {
                let field_span = span_of(&field);
                let mut f = meaningful(field);
                let name = ident(next(&mut f, field_span)?);
                let value = build_value(next(&mut f, field_span)?)?;
                fields.push((name, value));
            }
            ValueKind::Record(fields)
        }
        Rule::list_value => ValueKind::List(
            meaningful(pair)
                .map(build_value)
                .collect::<Result<_, _>>()?,
        ),
        _ => ValueKind::Expr(build_expr(pair)?),
    };
    Ok(Value { kind, span })
}

fn build_expect_give<'a>(
    mut inner: impl Iterator<Item = Pair<'a, Rule>>,
    span: Span,
) -> Result<ExpectGive, Diagnostic> {
    let amount = build_expr(next(&mut inner, span)?)?;
    let mut give = ExpectGive {
        amount,
        form: None,
        route: None,
        frequency: None,
        among: false,
    };
    for part in inner {
        let part_span = span_of(&part);
        let duplicate = match part.as_rule() {
            Rule::form => give.form.replace(ident(part)).is_some(),
            Rule::route_mod => {
                let mut r = meaningful(part);
                give.route
                    .replace(ident(next(&mut r, part_span)?))
                    .is_some()
            }
            Rule::frequency => give.frequency.replace(build_frequency(part)?).is_some(),
            Rule::among => std::mem::replace(&mut give.among, true),
            _ => return Err(internal(part_span)),
        };
        if duplicate {
            return Err(SyntaxError::DuplicateModifier {
                span: part_span,
                expect: true,
            }
            .into());
        }
    }
    Ok(give)
}

// Long on purpose: one arm per `expect` form of the grammar.
fn build_expect(pair: Pair<Rule>) -> Result<Expect, Diagnostic> {
    let span = span_of(&pair);
    let mut outer = meaningful(pair);
    let which = next(&mut outer, span)?;
    let which_rule = which.as_rule();
    let mut inner = meaningful(which);
    let kind = match which_rule {
        Rule::expect_status => ExpectKind::Status(ident(next(&mut inner, span)?)),
        Rule::expect_give => ExpectKind::Give(build_expect_give(inner, span)?),
        Rule::expect_alternative => {
            let _keyword = next(&mut inner, span)?;
            let name = ident(next(&mut inner, span)?);
            let verdict = next(&mut inner, span)?;
            let give = match verdict.as_rule() {
                Rule::alternative_refused => None,
                _ => {
                    let give_span = span_of(&verdict);
                    Some(build_expect_give(meaningful(verdict), give_span)?)
                }
            };
            ExpectKind::Alternative(name, give)
        }
        Rule::expect_daily => ExpectKind::Daily(build_expr(next(&mut inner, span)?)?),
        Rule::expect_schedule => {
            ExpectKind::Schedule(inner.map(build_expect_step).collect::<Result<_, _>>()?)
        }
        Rule::expect_warn => {
            let mut critical = false;
            let mut message = None;
            for part in inner {
                match part.as_rule() {
                    Rule::critical => critical = true,
                    _ => message = Some(text(part)),
                }
            }
            ExpectKind::Warn {
                critical,
                text: message.ok_or_else(|| internal(span))?,
            }
        }
        Rule::expect_note => ExpectKind::Note(text(next(&mut inner, span)?)),
        Rule::expect_stop => ExpectKind::Stop(inner.next().map(text)),
        Rule::expect_proposal => {
            let mut inner = inner.peekable();
            let input = match inner.next_if(|p| p.as_rule() == Rule::proposal_input) {
                Some(p) => {
                    let p_span = span_of(&p);
                    Some(ident(next(&mut meaningful(p), p_span)?))
                }
                None => None,
            };
            let verdict = ident(next(&mut inner, span)?);
            let range = match inner.next() {
                Some(r) => {
                    let r_span = span_of(&r);
                    let mut parts = meaningful(r).filter(|p| p.as_rule() != Rule::kw_range);
                    Some(build_expr(next(&mut parts, r_span)?)?)
                }
                None => None,
            };
            ExpectKind::Proposal(input, verdict, range)
        }
        Rule::expect_phase => ExpectKind::Phase(ident(next(&mut inner, span)?)),
        Rule::expect_given_that | Rule::expect_that => {
            let mut parts = inner.filter(|p| p.as_rule() != Rule::kw_that);
            let condition = build_expr(next(&mut parts, span)?)?;
            if which_rule == Rule::expect_that {
                ExpectKind::That(condition)
            } else {
                ExpectKind::GivenThat(condition)
            }
        }
        Rule::expect_limit => {
            let verdict = ident(next(&mut inner, span)?);
            let dose = build_expr(next(&mut inner, span)?)?;
            let frequency = inner.next().map(build_frequency).transpose()?;
            ExpectKind::Limit(verdict, dose, frequency)
        }
        Rule::expect_rejected => ExpectKind::Rejected(inner.next().map(text)),
        _ => return Err(internal(span)),
    };
    Ok(Expect { kind, span })
}

#[cfg(test)]
mod tests {
    use super::trimmed_len;
    use crate::syntax::lex::{lex, TokenKind};

    /// The length without trailing spaces and comments found by lexing the whole text.
    fn lexing_all(text: &str) -> usize {
        lex(text)
            .iter()
            .rev()
            .find(|t| match t.kind {
                TokenKind::Space | TokenKind::Comment => false,
                TokenKind::Other => !t.text(text).chars().all(char::is_whitespace),
                _ => true,
            })
            .map_or(0, |t| t.span.end)
    }

    /// Lexing from the last fresh line break finds what lexing everything finds, whatever
    /// strings (escaped line breaks in them too), comments and spaces end the text.
    #[test]
    fn trimming_by_the_last_lines_is_trimming_by_all_of_it() {
        let pieces = [
            "give 5 mg",
            " ",
            "\n",
            "\r\n",
            "// a \"b",
            "\"a // b\"",
            "\"a\\\n// b",
            "\\",
            "\\\\",
            "\u{2003}",
            "x",
            "\"",
            "\t",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
            texts.dedup();
        }
        for text in &texts {
            assert_eq!(trimmed_len(text), lexing_all(text), "{text:?}");
        }
        assert_eq!(trimmed_len("when x\n  // why\n  \n"), 6);
        assert_eq!(trimmed_len("note \"a\\\n  \"\n // c\n"), 12);
    }

    /// `keyword` (by first letter) matches where a whole word of the list starts, and nowhere
    /// else: not a longer name, not a prefix, not another case.
    #[test]
    fn keyword_matches_exactly_the_listed_words() {
        use super::{ProtocolParser, Rule};
        use crate::syntax::KEYWORDS;
        use pest::Parser;
        let word_at_start = |text: &str| -> String {
            text.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut texts: Vec<String> = ["dose", "index", "iff", "Give", "_in", "", "1", " in", "zz"]
            .iter()
            .map(|t| (*t).to_string())
            .collect();
        for k in KEYWORDS {
            for after in ["", "x", "_", "1", " ", "(", ":", "\n"] {
                texts.push(format!("{k}{after}"));
            }
            for end in 1..k.len() {
                texts.push(k[..end].to_string());
                texts.push(format!("{} x", &k[..end]));
            }
        }
        for text in &texts {
            let expected = KEYWORDS.contains(&word_at_start(text).as_str());
            let matched = ProtocolParser::parse(Rule::keyword, text).is_ok();
            assert_eq!(matched, expected, "{text:?}");
        }
    }
}
