//! Statements printed in canonical layout, in their original order, with comments and blank
//! lines kept where the author put them.

use super::expr::{expr, frequency, input_rest, op_expr, quote, term, type_expr, value};
use super::{Comment, WIDTH};
use crate::diagnostics::Span;
use crate::syntax::ast::*;
use crate::syntax::lex::{lex, TokenKind};
use crate::syntax::KEYWORDS;

/// One statement of a block, in source order.
enum Item<'a> {
    Header(&'a Header),
    Inputs(&'a [InputDecl], Span),
    Let(&'a Let),
    Limit(&'a Limit),
    Require(&'a Require),
    Begin(&'a Expr),
    Decide(&'a Decide),
    Phase(&'a Phase),
    Proposal(&'a Proposal),
    Example(&'a Example),
}

pub(super) struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    out: String,
    indent: usize,
}

impl<'a> Printer<'a> {
    pub fn new(text: &'a str, comments: Vec<Comment>) -> Self {
        Printer {
            text,
            comments,
            out: String::with_capacity(text.len() + 64),
            indent: 0,
        }
    }

    pub fn finish(mut self) -> String {
        self.leading(usize::MAX);
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.out
    }

    fn pad(&self) -> String {
        "  ".repeat(self.indent)
    }

    fn push_line(&mut self, s: &str) {
        let pad = self.pad();
        self.out.push_str(&pad);
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// True when the source has an empty line just before the line holding `pos`.
    fn blank_before(&self, pos: usize) -> bool {
        let pos = pos.min(self.text.len());
        let line_start = self
            .text
            .get(..pos)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        if line_start == 0 {
            return false;
        }
        let before = &self.text[..line_start - 1];
        let prev_start = before.rfind('\n').map_or(0, |i| i + 1);
        before[prev_start..].trim().is_empty()
    }

    fn maybe_blank(&mut self, pos: usize) {
        let after_open = self.out.trim_end().ends_with('{') || self.out.is_empty();
        if self.blank_before(pos) && !after_open && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Prints the comments that stand before `pos`, each on its own line.
    fn leading(&mut self, pos: usize) {
        for i in 0..self.comments.len() {
            if self.comments[i].done || self.comments[i].start >= pos {
                continue;
            }
            let start = self.comments[i].start;
            self.maybe_blank(start);
            self.comments[i].done = true;
            let text = self.comments[i].text.clone();
            self.push_line(&text);
        }
    }

    /// A comment at the end of the line where `end` falls, if any.
    fn trailing(&mut self, span: Span) -> Option<String> {
        let line_end = self.line_end(span.end);
        let text = self.text;
        // A comment after a `}` that closes a block on the same line (`w: kg } // end inputs`)
        // is the block's, not the statement's: the block takes it when it closes.
        let closes_between =
            |c: &Comment| text.get(span.end..c.start).is_some_and(|t| t.contains('}'));
        let c = self.comments.iter_mut().find(|c| {
            !c.done
                && c.trailing
                && c.start >= span.end
                && c.start <= line_end
                && !closes_between(c)
        })?;
        c.done = true;
        Some(c.text.clone())
    }

    /// Where the line holding `pos` ends (its `\n`, or the end of the text).
    fn line_end(&self, pos: usize) -> usize {
        let from = pos.min(self.text.len());
        self.text
            .get(from..)
            .and_then(|t| t.find('\n'))
            .map_or(self.text.len(), |i| from + i)
    }

    /// The `inputs { … }` block around the declarations from `first` to `last`.
    fn inputs_span(&self, first: usize, last: usize) -> Span {
        let start = self.last_word_before("inputs", first);
        let end = self
            .text
            .get(last..)
            .and_then(|t| t.find('}'))
            .map_or(last, |i| last + i + 1);
        Span::new(start, end)
    }

    /// Where the keyword `word` last stands before `pos`, outside comments (`// the inputs`
    /// is not the keyword); `pos` itself when it is not found.
    fn last_word_before(&self, word: &str, pos: usize) -> usize {
        let in_comment = |at: usize| {
            self.comments
                .iter()
                .any(|c| at >= c.start && at < c.start + c.text.len())
        };
        self.text
            .get(..pos)
            .and_then(|t| {
                t.rmatch_indices(word)
                    .map(|(i, _)| i)
                    .find(|&i| !in_comment(i))
            })
            .unwrap_or(pos)
    }

    /// A comment at the end of a block's first line (`decide first { // adults`): it stays
    /// there, as the block's own, not the first statement's inside it.
    fn head_comment(&mut self, span: Span) -> Option<String> {
        let from = span.start.min(self.text.len());
        let line_end = self.line_end(from);
        let c = self
            .comments
            .iter_mut()
            .find(|c| !c.done && c.trailing && c.start >= from && c.start <= line_end)?;
        // Only a comment right after the block's `{`: one after a statement begun on that line
        // (`decide first { a1: when … // c`) is the statement's, and a comment after the
        // block's `}` (a one-line block) ends the block's line.
        let after_brace = self
            .text
            .get(from..c.start)
            .and_then(|t| t.rfind('{'))
            .and_then(|b| self.text.get(from + b + 1..c.start));
        if c.start >= span.end || !after_brace.is_some_and(|t| t.trim().is_empty()) {
            return None;
        }
        c.done = true;
        Some(c.text.clone())
    }

    /// Prints one statement: its leading comments, a kept blank line, its lines, and a
    /// trailing comment on its last line.
    fn statement(&mut self, span: Span, lines: Vec<String>) {
        self.leading(span.start);
        self.maybe_blank(span.start);
        let trailing = self.trailing(span);
        // A comment written inside the statement (at the end of one of its first lines) goes
        // before it: printed after it, it would read as a comment on the next statement.
        self.leading(span.end);
        let count = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            match (&trailing, i + 1 == count) {
                (Some(c), true) => self.push_line(&format!("{line} {c}")),
                _ => self.push_line(&line),
            }
        }
    }

    /// Opens a block `head {`, prints its body, closes it with the comments before `}`.
    fn block(&mut self, span: Span, head: String, body: impl FnOnce(&mut Self)) {
        self.leading(span.start);
        self.maybe_blank(span.start);
        match self.head_comment(span) {
            Some(c) => self.push_line(&format!("{head} {{ {c}")),
            None => self.push_line(&format!("{head} {{")),
        }
        self.indent += 1;
        body(self);
        self.leading(span.end.saturating_sub(1));
        self.indent -= 1;
        let trailing = self.trailing(span);
        match trailing {
            Some(c) => self.push_line(&format!("}} {c}")),
            None => self.push_line("}"),
        }
    }

    pub fn protocol(&mut self, p: &Protocol) {
        let mut items: Vec<(usize, Item)> = Vec::new();
        items.extend(
            p.headers
                .iter()
                .map(|h| (h.key_span.start, Item::Header(h))),
        );
        if !p.inputs.is_empty() {
            let start = p.inputs.first().map_or(0, |d| d.span.start);
            let end = p.inputs.last().map_or(0, |d| d.span.end);
            let span = self.inputs_span(start, end);
            items.push((span.start, Item::Inputs(&p.inputs, span)));
        }
        items.extend(p.lets.iter().map(|l| (l.span.start, Item::Let(l))));
        items.extend(p.limits.iter().map(|l| (l.span.start, Item::Limit(l))));
        items.extend(p.requires.iter().map(|r| (r.span.start, Item::Require(r))));
        if let Some(b) = &p.begin {
            let start = self.last_word_before("begin", b.span.start);
            items.push((start, Item::Begin(b)));
        }
        items.extend(p.decides.iter().map(|d| (d.span.start, Item::Decide(d))));
        items.extend(p.phases.iter().map(|ph| (ph.span.start, Item::Phase(ph))));
        items.extend(p.examples.iter().map(|e| (e.span.start, Item::Example(e))));
        items.sort_by_key(|(start, _)| *start);
        let head = format!("protocol {}", p.name.name);
        self.block(p.span, head, |me| {
            for (start, item) in &items {
                me.item(*start, item);
            }
        });
    }

    fn item(&mut self, start: usize, item: &Item) {
        match item {
            Item::Header(h) => {
                let span = Span::new(h.key_span.start, h.value.span.end);
                self.statement(
                    span,
                    vec![format!("{:<7} {}", h.key.keyword(), quote(&h.value.value))],
                );
            }
            Item::Inputs(decls, span) => self.inputs(decls, *span),
            Item::Let(Let {
                expr:
                    Expr {
                        kind: ExprKind::Table(t),
                        ..
                    },
                ..
            }) => self.table(t),
            Item::Let(l) => {
                let ty =
                    l.ty.as_ref()
                        .map(|t| format!(": {}", type_expr(t)))
                        .unwrap_or_default();
                self.statement(
                    l.span,
                    vec![format!("let {}{ty} = {}", l.name.name, expr(&l.expr))],
                );
            }
            Item::Limit(l) => {
                let kind = if l.hard { "hard" } else { "soft" };
                let mut head = format!(
                    "limit {} {} {} {kind}",
                    l.target.name,
                    l.op.symbol(),
                    op_expr(&l.value)
                );
                if let Some(w) = &l.when {
                    head.push_str(&format!(" when {}", expr(w)));
                }
                let tail = clauses(l.because.as_ref(), l.source.as_ref());
                self.statement(l.span, break_long(head, tail));
            }
            Item::Require(r) => {
                let head = format!("require {}", expr(&r.condition));
                let tail = clauses(Some(&r.because), r.source.as_ref());
                self.statement(r.span, break_long(head, tail));
            }
            Item::Begin(b) => self.statement(
                Span::new(start, b.span.end),
                vec![format!("begin at {}", expr(b))],
            ),
            Item::Decide(d) => self.decide(d),
            Item::Phase(p) => self.phase(p),
            Item::Proposal(p) => self.proposal(p),
            Item::Example(e) => self.example(e),
        }
    }

    fn inputs(&mut self, decls: &[InputDecl], span: Span) {
        let width = decls.iter().map(|d| d.name.name.len()).max().unwrap_or(0) + 1;
        self.block(span, "inputs".into(), |me| {
            for d in decls {
                // Not `{:<width$}`: a name of 70,000 characters is legal, and format widths
                // above 65,535 panic.
                let name = crate::display::pad(&format!("{}:", d.name.name), width);
                let line = format!("{name} {}", input_rest(d));
                me.statement(d.span, vec![line]);
            }
        });
    }

    fn decide(&mut self, d: &Decide) {
        let policy = d.policy.word();
        self.block(d.span, format!("decide {policy}"), |me| {
            for rule in &d.rules {
                let lines = rule_lines(rule);
                me.statement(rule.span, lines);
            }
        });
    }

    fn phase(&mut self, p: &Phase) {
        let mut items: Vec<(usize, Item)> = Vec::new();
        items.extend(p.lets.iter().map(|l| (l.span.start, Item::Let(l))));
        items.extend(p.decides.iter().map(|d| (d.span.start, Item::Decide(d))));
        items.extend(
            p.proposals
                .iter()
                .map(|pr| (pr.span.start, Item::Proposal(pr))),
        );
        items.sort_by_key(|(start, _)| *start);
        self.block(p.span, format!("phase {}", p.name.name), |me| {
            for (start, item) in &items {
                me.item(*start, item);
            }
        });
    }

    fn proposal(&mut self, p: &Proposal) {
        let freq = p
            .frequency
            .as_ref()
            .map(|f| format!(" {}", frequency(f)))
            .unwrap_or_default();
        self.block(p.span, format!("proposal {}{freq}", p.input.name), |me| {
            for r in &p.rules {
                let mut head = match &r.kind {
                    ProposalRuleKind::Refuse => String::from("refuse"),
                    ProposalRuleKind::Allow(range) => format!("allow {}", op_expr(range)),
                };
                if let Some(w) = &r.when {
                    head.push_str(&format!(" when {}", expr(w)));
                }
                let tail = clauses(Some(&r.because), r.source.as_ref());
                me.statement(r.span, break_long(head, tail));
            }
        });
    }

    fn example(&mut self, e: &Example) {
        self.block(e.span, format!("example {}", quote(&e.name.value)), |me| {
            let one_line = format!("given {}", value(&e.given));
            let given_lines = match &e.given.kind {
                ValueKind::Record(fields) if one_line.len() + 2 * me.indent > WIDTH => {
                    let mut lines = vec!["given {".to_string()];
                    let n = fields.len();
                    for (i, (name, v)) in fields.iter().enumerate() {
                        let comma = if i + 1 < n { "," } else { "" };
                        lines.push(format!("  {}: {}{comma}", name.name, value(v)));
                    }
                    lines.push("}".into());
                    lines
                }
                _ => vec![one_line],
            };
            let given_start = me
                .text
                .get(..e.given.span.start)
                .and_then(|t| t.rfind("given"))
                .unwrap_or(e.given.span.start);
            me.statement(Span::new(given_start, e.given.span.end), given_lines);
            for x in &e.expects {
                me.statement(x.span, vec![expect_line(x)]);
            }
        });
    }
}

/// ` because "…" source "…"`, as separate pieces.
fn clauses(because: Option<&Text>, source: Option<&Text>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(b) = because {
        out.push(format!("because {}", quote(&b.value)));
    }
    if let Some(s) = source {
        out.push(format!("source {}", quote(&s.value)));
    }
    out
}

/// One line if it fits, else the head, then the clauses indented on the next line.
fn break_long(head: String, tail: Vec<String>) -> Vec<String> {
    if tail.is_empty() {
        return vec![head];
    }
    let one = format!("{head} {}", tail.join(" "));
    if one.len() <= WIDTH - 4 {
        vec![one]
    } else {
        vec![head, format!("  {}", tail.join(" "))]
    }
}

fn rule_lines(rule: &Rule) -> Vec<String> {
    let mut head = rule
        .name
        .as_ref()
        .map(|n| format!("{}: ", n.name))
        .unwrap_or_default();
    match (&rule.when, rule.always) {
        (Some(c), _) => head.push_str(&format!("when {}", expr(c))),
        (None, true) => head.push_str("always"),
        (None, false) => head.push_str("otherwise"),
    }
    if let Some(s) = &rule.source {
        head.push_str(&format!(" source {}", quote(&s.value)));
    }
    let actions: Vec<String> = rule.actions.iter().map(action).collect();
    if let [one] = actions.as_slice() {
        let one = format!("{head} => {one}");
        if one.len() <= WIDTH - 8 && !one.contains('\n') {
            return vec![one];
        }
    }
    let mut lines = vec![head];
    for (i, a) in actions.into_iter().enumerate() {
        // An action laid out on several lines (a long stepped schedule or `choose`) continues
        // under its first word.
        let mut parts = a.split('\n');
        let first = parts.next().unwrap_or_default();
        if i == 0 {
            lines.push(format!("  => {first}"));
        } else {
            lines.push(format!("   ; {first}"));
        }
        lines.extend(parts.map(|p| format!("     {p}")));
    }
    lines
}

/// `give AMOUNT [form] [route R] [freq] [over T] [for T]`.
fn give(g: &Give) -> String {
    let mut s = format!("give {}", amount(expr(&g.amount), g.form.as_ref()));
    if let Some(f) = &g.form {
        s.push_str(&format!(" {}", f.name));
    }
    if let Some(r) = &g.route {
        s.push_str(&format!(" route {}", r.name));
    }
    if let Some(f) = &g.frequency {
        push_frequency(&mut s, f);
    }
    if let Some(o) = &g.over {
        s.push_str(&format!(" over {}", term(o)));
    }
    if let Some(d) = &g.duration {
        s.push_str(&format!(" for {}", term(d)));
    }
    s
}

/// `choose { a: give …; b: give … }`, on one line.
fn choose(alts: &[Alternative]) -> String {
    let alts: Vec<String> = alts
        .iter()
        .map(|a| format!("{}: {}", a.name.name, give(&a.give)))
        .collect();
    let one = format!("choose {{ {} }}", alts.join(" ; "));
    if one.len() <= WIDTH - 16 {
        return one;
    }
    // One alternative a line.
    format!("choose {{\n  {}\n}}", alts.join("\n  "))
}

fn action(a: &Action) -> String {
    match &a.kind {
        ActionKind::Give(g) => give(g),
        ActionKind::Choose(alts) => choose(alts),
        ActionKind::Schedule(sc) => {
            let mut s = format!("schedule from {}", op_expr(&sc.from));
            if let Some(f) = &sc.frequency {
                push_frequency(&mut s, f);
            }
            let direction = if sc.increase { "increase" } else { "decrease" };
            s.push_str(&format!(
                " {direction} by {} every {}",
                op_expr(&sc.step),
                term(&sc.every)
            ));
            if let Some(u) = &sc.until {
                s.push_str(&format!(" until {}", term(u)));
            }
            if let Some(st) = &sc.starting {
                s.push_str(&format!(" starting {}", term(st)));
            }
            if sc.then_stop {
                s.push_str(" then stop");
            }
            s
        }
        ActionKind::Stepped(sc) => stepped(sc),
        ActionKind::Hold(t) => format!("hold {}", quote(&t.value)),
        ActionKind::Stop(t) => format!("stop {}", quote(&t.value)),
        ActionKind::Refuse(t) => format!("refuse {}", quote(&t.value)),
        ActionKind::Warn {
            critical,
            code,
            text,
        } => {
            let critical = if *critical { " critical" } else { "" };
            let code = code
                .as_ref()
                .map(|c| format!(" {}:", c.name))
                .unwrap_or_default();
            format!("warn{critical}{code} {}", quote(&text.value))
        }
        ActionKind::Note { code, text } => {
            let code = code
                .as_ref()
                .map(|c| format!(" {}:", c.name))
                .unwrap_or_default();
            format!("note{code} {}", quote(&text.value))
        }
        ActionKind::Observe(e) => format!("observe {}", op_expr(e)),
        ActionKind::Wait(e) => format!("wait {}", op_expr(e)),
        ActionKind::Goto(p) => format!("goto {}", p.name),
        ActionKind::Next(p, after) => match after {
            Some(t) => format!("next {} after {}", p.name, op_expr(t)),
            None => format!("next {}", p.name),
        },
        ActionKind::Show(names) => {
            let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
            format!("show {}", names.join(", "))
        }
    }
}

/// True when `text` ends with a number (`5`, `dose + 5`), which a word written after it would
/// be read as the unit of; not a name that ends in a digit (`dose_1`).
fn ends_with_number(text: &str) -> bool {
    lex(text)
        .last()
        .is_some_and(|t| t.kind == TokenKind::Number)
}

/// A dose's amount, in parentheses when its form would be read as its unit (`give (5) tablet`,
/// not `give 5 tablet`, which is five of the unit `tablet` with no form).
fn amount(text: String, form: Option<&Ident>) -> String {
    match form {
        Some(f) if ends_with_number(&text) && !KEYWORDS.contains(&f.name.as_str()) => {
            format!("({text})")
        }
        _ => text,
    }
}

/// Appends a frequency to a dose.
fn push_frequency(s: &mut String, f: &Frequency) {
    let text = frequency(f);
    // `give 5 n times daily` would read `n` as the unit of 5: wrap the count (only a count:
    // `every` is a keyword, never a unit, and `once daily` is never read as a unit either).
    match &f.kind {
        FrequencyKind::TimesDaily(n)
            if ends_with_number(s)
                && text.ends_with(" times daily")
                && text.starts_with(|c: char| c.is_alphabetic()) =>
        {
            s.push_str(&format!(" ({}) times daily", term(n)));
        }
        _ => s.push_str(&format!(" {text}")),
    }
}

/// `schedule 300 mg once daily for 1 day, then 300 mg twice daily …`.
fn stepped(sc: &Stepped) -> String {
    let steps: Vec<String> = sc
        .steps
        .iter()
        .map(|st| {
            let mut s = expr(&st.amount);
            if let Some(f) = &st.frequency {
                push_frequency(&mut s, f);
            }
            if let Some(d) = &st.duration {
                s.push_str(&format!(" for {}", term(d)));
            }
            s
        })
        .collect();
    let mut tail = String::new();
    if let Some(st) = &sc.starting {
        tail.push_str(&format!(" starting {}", term(st)));
    }
    if sc.then_stop.is_some() {
        tail.push_str(", then stop");
    }
    let one = format!("schedule {}{tail}", steps.join(", then "));
    if one.len() <= WIDTH - 16 || steps.len() < 2 {
        return one;
    }
    // One step a line, as a label's table reads.
    format!("schedule {}{tail}", steps.join(",\n  then "))
}

/// An expected dose: `give AMOUNT [form] [route R] [freq] [among]`.
fn expect_give(g: &ExpectGive) -> String {
    let mut s = format!("give {}", amount(op_expr(&g.amount), g.form.as_ref()));
    if let Some(f) = &g.form {
        s.push_str(&format!(" {}", f.name));
    }
    if let Some(r) = &g.route {
        s.push_str(&format!(" route {}", r.name));
    }
    if let Some(f) = &g.frequency {
        push_frequency(&mut s, f);
    }
    if g.among {
        s.push_str(" among");
    }
    s
}

fn expect_line(x: &Expect) -> String {
    match &x.kind {
        ExpectKind::Status(w) => format!("expect status {}", w.name),
        ExpectKind::Give(g) => format!("expect {}", expect_give(g)),
        ExpectKind::Alternative(name, g) => match g {
            Some(g) => format!("expect alternative {} {}", name.name, expect_give(g)),
            None => format!("expect alternative {} refused", name.name),
        },
        ExpectKind::Daily(amount) => format!("expect daily {}", op_expr(amount)),
        ExpectKind::Schedule(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|st| {
                    let mut s = op_expr(&st.amount);
                    if let Some(f) = &st.frequency {
                        push_frequency(&mut s, f);
                    }
                    s
                })
                .collect();
            format!("expect schedule [{}]", items.join(", "))
        }
        ExpectKind::Warn { critical, text } => {
            let critical = if *critical { " critical" } else { "" };
            format!("expect warn{critical} {}", quote(&text.value))
        }
        ExpectKind::Note(t) => format!("expect note {}", quote(&t.value)),
        ExpectKind::Stop(t) => match t {
            Some(t) => format!("expect stop {}", quote(&t.value)),
            None => "expect stop".into(),
        },
        ExpectKind::Proposal(input, w, range) => {
            let input = input
                .as_ref()
                .map(|i| format!("{} ", i.name))
                .unwrap_or_default();
            match range {
                Some(r) => format!("expect proposal {input}{} range {}", w.name, op_expr(r)),
                None => format!("expect proposal {input}{}", w.name),
            }
        }
        ExpectKind::Phase(p) => format!("expect phase {}", p.name),
        ExpectKind::GivenThat(e) => format!("expect given that {}", expr(e)),
        ExpectKind::That(e) => format!("expect that {}", expr(e)),
        ExpectKind::Limit(verdict, dose, f) => {
            let mut s = format!("expect limit {} {}", verdict.name, op_expr(dose));
            if let Some(f) = f {
                push_frequency(&mut s, f);
            }
            s
        }
        ExpectKind::Rejected(t) => match t {
            Some(t) => format!("expect rejected {}", quote(&t.value)),
            None => "expect rejected".into(),
        },
    }
}

impl Printer<'_> {
    /// A table laid out as the label prints it: bands left, `=>` aligned, each column's cells
    /// aligned under its name.
    fn table(&mut self, t: &Table) {
        let heads: Vec<String> = t.rows.iter().map(row_head).collect();
        let head_width = heads
            .iter()
            .map(|h| h.chars().count())
            .chain(["columns".len()])
            .max()
            .unwrap_or(0);
        let cells: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| c.as_ref().map_or_else(|| "missing".to_string(), expr))
                    .collect()
            })
            .collect();
        let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
        let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
        for row in &cells {
            for (j, c) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(j) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let head = format!("table {} by {}", t.name.name, op_expr(&t.key));
        self.block(t.span, head, |me| {
            let columns = crate::display::pad("columns", head_width + 4);
            let first = t.columns.first().map_or(t.span, |c| c.span);
            let last = t.columns.last().map_or(t.span, |c| c.span);
            me.statement(
                Span::new(first.start, last.end),
                vec![format!("{columns}{}", aligned(&names, &widths))],
            );
            for ((row, head), cells) in t.rows.iter().zip(&heads).zip(&cells) {
                let line = format!(
                    "{} => {}",
                    crate::display::pad(head, head_width),
                    aligned(cells, &widths)
                );
                me.statement(row.span, vec![line]);
            }
        });
    }
}

/// `row >= 60 mL/min [source "…"]` or `otherwise [source "…"]`.
fn row_head(row: &TableRow) -> String {
    let mut head = match &row.band {
        None => "otherwise".to_string(),
        Some(b) if b.exact => match &b.lower {
            Some(v) => format!("row == {}", op_expr(&v.value)),
            None => "row".to_string(),
        },
        Some(b) => {
            let lower = b.lower.as_ref().map(|v| {
                let op = if v.closed { ">=" } else { ">" };
                format!("{op} {}", op_expr(&v.value))
            });
            let upper = b.upper.as_ref().map(|v| {
                let op = if v.closed { "<=" } else { "<" };
                format!("{op} {}", op_expr(&v.value))
            });
            let parts: Vec<String> = lower.into_iter().chain(upper).collect();
            format!("row {}", parts.join(" and "))
        }
    };
    if let Some(s) = &row.source {
        head.push_str(&format!(" source {}", quote(&s.value)));
    }
    head
}

/// Cells (or column names) separated by `, `, each padded to its column's width; the last is
/// not padded, so no line ends in spaces.
fn aligned(cells: &[String], widths: &[usize]) -> String {
    let last = cells.len().saturating_sub(1);
    let mut out = String::new();
    for (j, c) in cells.iter().enumerate() {
        if j == last {
            out.push_str(c);
        } else {
            let width = widths.get(j).map_or(0, |w| w + 2);
            out.push_str(&crate::display::pad(&format!("{c}, "), width));
        }
    }
    out.trim_end().to_string()
}
