//! `decide` blocks, their rules and actions, `phase`s and `proposal`s.

use rust_decimal::Decimal;

use super::super::ast::*;
use super::{rules, Reader};
use crate::diagnostics::Span;

/// The give modifiers, as far as they are read: each may be written once.
pub(super) enum GiveMod {
    Form(Ident),
    Route(Ident),
    Frequency(Frequency),
    Over(Expr),
    For(Expr),
}

impl Reader<'_> {
    /// `decide POLICY { rule* }`.
    pub(super) fn decide(&mut self) -> Option<Decide> {
        let start = self.start();
        self.word("decide")?;
        let policy = match self.one_of(&["first", "collect", "unique", "any"])?.0 {
            "first" => HitPolicy::First,
            "unique" => HitPolicy::Unique,
            "any" => HitPolicy::Any,
            _ => HitPolicy::Collect,
        };
        self.lit("{")?;
        let mut rules = Vec::new();
        while let Some(rule) = self.attempt(|r| r.rule()) {
            rules.push(rule);
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        Some(Decide {
            policy,
            rules,
            span: self.span_from(start),
        })
    }

    /// `(NAME :)? (when … | otherwise | always) (source "…")? => actions`.
    fn rule(&mut self) -> Option<Rule> {
        let start = self.start();
        let name = self.attempt(|r| r.named());
        let head = self.start();
        let mut when = None;
        let mut always = false;
        if let Some((e, _)) = self.attempt(|r| r.when_clause()) {
            when = Some(e);
        } else if self.attempt(|r| r.word("otherwise")).is_none() {
            self.word("always")?;
            always = true;
        }
        let head_span = self.span_from(head);
        let source = self.attempt(|r| r.cite());
        self.lit("=>")?;
        let actions = self.actions()?;
        Some(Rule {
            name,
            when,
            always,
            head_span,
            source,
            actions,
            span: self.span_from(start),
        })
    }

    /// `rule_name` and `message_code`: `(ident | rule_keyword) :`, the name.
    fn named(&mut self) -> Option<Ident> {
        let name = match self.attempt(|r| r.ident()) {
            Some(name) => name,
            None => self.rule_keyword()?,
        };
        self.lit(":")?;
        Some(name)
    }

    /// `rule_keyword = @{ keyword ~ &((" " | "\t")* ~ ":") }`.
    fn rule_keyword(&mut self) -> Option<Ident> {
        self.step()?;
        self.skip();
        let end = rules::word_end(self.bytes, self.pos)?;
        if !rules::is_keyword(&self.text[self.pos..end]) {
            return None;
        }
        let mut after = end;
        while matches!(self.bytes.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        if self.bytes.get(after) != Some(&b':') {
            return None;
        }
        let name = self.text[self.pos..end].to_string();
        let span = self.take(end);
        Some(Ident { name, span })
    }

    /// `action (; action)*`.
    fn actions(&mut self) -> Option<Vec<Action>> {
        let first = self.action()?;
        let next = |r: &mut Self| {
            r.attempt(|r| {
                r.lit(";")?;
                r.action()
            })
        };
        // Room for the second action made with the first (a rule's `give …; note …`), not by
        // growing a vector of one: an action is half a kilobyte, and the growth a copy of it.
        let actions = match next(self) {
            None => vec![first],
            Some(second) => {
                let mut actions = Vec::with_capacity(2);
                actions.push(first);
                actions.push(second);
                while let Some(a) = next(self) {
                    actions.push(a);
                }
                actions
            }
        };
        if self.abort {
            return None;
        }
        Some(actions)
    }

    /// One action: its alternatives in the grammar's order, known by the first word.
    fn action(&mut self) -> Option<Action> {
        let start = self.start();
        let end = rules::word_end(self.bytes, start)?;
        let kind = match &self.text[start..end] {
            "give" => ActionKind::Give(self.give()?),
            "schedule" => self.schedule_action()?,
            "choose" => ActionKind::Choose(self.choose()?),
            "hold" => ActionKind::Hold(self.word_then_text("hold")?),
            "stop" => ActionKind::Stop(self.word_then_text("stop")?),
            "refuse" => ActionKind::Refuse(self.word_then_text("refuse")?),
            "warn" => self.warn()?,
            "note" => {
                self.word("note")?;
                let code = self.attempt(|r| r.named());
                let text = self.string()?;
                ActionKind::Note { code, text }
            }
            "observe" => ActionKind::Observe(self.word_then_op("observe")?),
            "wait" => ActionKind::Wait(self.word_then_op("wait")?),
            "goto" => {
                self.word("goto")?;
                ActionKind::Goto(self.ident()?)
            }
            "next" => self.next_phase()?,
            "show" => ActionKind::Show(self.show()?),
            _ => return None,
        };
        Some(Action {
            kind,
            span: self.span_from(start),
        })
    }

    fn word_then_text(&mut self, w: &str) -> Option<Text> {
        self.word(w)?;
        self.string()
    }

    fn word_then_op(&mut self, w: &str) -> Option<Expr> {
        self.word(w)?;
        self.op_expr()
    }

    /// `warn critical? message_code? "…"`.
    fn warn(&mut self) -> Option<ActionKind> {
        self.word("warn")?;
        let critical = self.attempt(|r| r.critical()).is_some();
        let code = self.attempt(|r| r.named());
        let text = self.string()?;
        Some(ActionKind::Warn {
            critical,
            code,
            text,
        })
    }

    /// `critical = { "critical" ~ !colon }` (whitespace and comments skipped before the `:`).
    pub(super) fn critical(&mut self) -> Option<()> {
        self.word("critical")?;
        (!self.sees(":")).then_some(())
    }

    /// `next PHASE (after EXPR)?`.
    fn next_phase(&mut self) -> Option<ActionKind> {
        self.word("next")?;
        let phase = self.ident()?;
        let after = self.attempt(|r| {
            r.word("after")?;
            r.op_expr()
        });
        if self.abort {
            return None;
        }
        Some(ActionKind::Next(phase, after))
    }

    /// `show NAME (, NAME)*`.
    fn show(&mut self) -> Option<Vec<Ident>> {
        self.word("show")?;
        let mut names = vec![self.ident()?];
        while let Some(n) = self.attempt(|r| {
            r.lit(",")?;
            r.ident()
        }) {
            names.push(n);
        }
        Some(names)
    }

    /// `give EXPR give_mod*`; a modifier written twice is the pest path's to refuse.
    pub(super) fn give(&mut self) -> Option<Give> {
        self.word("give")?;
        let amount = self.expr()?;
        let mut give = Give {
            amount,
            form: None,
            route: None,
            frequency: None,
            over: None,
            duration: None,
        };
        while let Some(m) = self.attempt(|r| r.give_mod(true)) {
            let duplicate = match m {
                GiveMod::Form(f) => give.form.replace(f).is_some(),
                GiveMod::Route(r) => give.route.replace(r).is_some(),
                GiveMod::Frequency(f) => give.frequency.replace(f).is_some(),
                GiveMod::Over(e) => give.over.replace(e).is_some(),
                GiveMod::For(e) => give.duration.replace(e).is_some(),
            };
            if duplicate {
                return self.give_up();
            }
        }
        if self.abort {
            return None;
        }
        Some(give)
    }

    /// `form | route_mod | frequency` and, for a `give` (`timed`), `over | for_dur`.
    pub(super) fn give_mod(&mut self, timed: bool) -> Option<GiveMod> {
        if let Some(f) = self.attempt(|r| r.form()) {
            return Some(GiveMod::Form(f));
        }
        if let Some(route) = self.attempt(|r| {
            r.word("route")?;
            r.ident()
        }) {
            return Some(GiveMod::Route(route));
        }
        if let Some(f) = self.attempt(|r| r.frequency()) {
            return Some(GiveMod::Frequency(f));
        }
        if !timed {
            return None;
        }
        if let Some(e) = self.attempt(|r| {
            r.word("over")?;
            r.term()
        }) {
            return Some(GiveMod::Over(e));
        }
        self.word("for")?;
        self.term().map(GiveMod::For)
    }

    /// `form`: a form word not followed (on its line) by `:`, which would make it the next
    /// rule's name.
    fn form(&mut self) -> Option<Ident> {
        let forms = [
            "bolus",
            "infusion",
            "tablets",
            "tablet",
            "solution",
            "injection",
        ];
        let m = self.mark();
        let (word, span) = self.one_of(&forms)?;
        let mut after = span.end;
        while matches!(self.bytes.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        if self.bytes.get(after) == Some(&b':') {
            self.reset(m);
            return None;
        }
        Some(Ident {
            name: word.to_string(),
            span,
        })
    }

    /// `frequency = times_daily | once_daily | every`.
    pub(super) fn frequency(&mut self) -> Option<Frequency> {
        let start = self.start();
        let kind = if let Some(n) = self.attempt(|r| {
            let n = r.term()?;
            r.word("times")?;
            r.word("daily")?;
            Some(n)
        }) {
            FrequencyKind::TimesDaily(n)
        } else if let Some(n) = self.attempt(|r| r.once_daily()) {
            FrequencyKind::TimesDaily(n)
        } else {
            self.word("every")?;
            FrequencyKind::Every(self.term()?)
        };
        Some(Frequency {
            kind,
            span: self.span_from(start),
        })
    }

    /// `once daily` (the count 1) or `twice daily` (2).
    fn once_daily(&mut self) -> Option<Expr> {
        let (word, span) = self.one_of(&["once", "twice"])?;
        self.word("daily")?;
        let count = if word == "twice" { 2 } else { 1 };
        Some(Expr {
            kind: ExprKind::Quantity {
                value: Decimal::from(count),
                unit: None,
            },
            span,
        })
    }

    /// `schedule from …` (a titration) or `schedule STEP, then STEP …` (stepped).
    fn schedule_action(&mut self) -> Option<ActionKind> {
        if let Some(s) = self.attempt(|r| r.schedule()) {
            return Some(ActionKind::Schedule(s));
        }
        if self.abort {
            return None;
        }
        self.stepped().map(ActionKind::Stepped)
    }

    /// `schedule from DOSE freq? increase|decrease by STEP every T schedule_opt*`.
    fn schedule(&mut self) -> Option<Schedule> {
        self.word("schedule")?;
        self.word("from")?;
        let from = self.op_expr()?;
        let frequency = self.attempt(|r| r.frequency());
        let increase = self.one_of(&["increase", "decrease"])?.0 == "increase";
        self.word("by")?;
        let step = self.op_expr()?;
        self.word("every")?;
        let every = self.term()?;
        let mut s = Schedule {
            from,
            frequency,
            increase,
            step,
            every,
            until: None,
            starting: None,
            then_stop: false,
        };
        loop {
            if let Some(e) = self.attempt(|r| r.word_then_term("until")) {
                s.until = Some(e);
            } else if let Some(e) = self.attempt(|r| r.word_then_term("starting")) {
                s.starting = Some(e);
            } else if self.attempt(|r| r.then_stop()).is_some() {
                s.then_stop = true;
            } else {
                break;
            }
        }
        if self.abort {
            return None;
        }
        Some(s)
    }

    fn word_then_term(&mut self, w: &str) -> Option<Expr> {
        self.word(w)?;
        self.term()
    }

    /// `then stop`, and its span.
    fn then_stop(&mut self) -> Option<Span> {
        let start = self.start();
        self.word("then")?;
        self.word("stop")?;
        Some(self.span_from(start))
    }

    /// `schedule !from step (, then !stop step)* stepped_opt*`.
    fn stepped(&mut self) -> Option<Stepped> {
        self.word("schedule")?;
        if self.attempt(|r| r.word("from")).is_some() {
            return None;
        }
        let mut stepped = Stepped {
            steps: vec![self.stepped_step()?],
            starting: None,
            then_stop: None,
        };
        while let Some(step) = self.attempt(|r| {
            r.lit(",")?;
            r.word("then")?;
            if r.attempt(|r| r.word("stop")).is_some() {
                return None;
            }
            r.stepped_step()
        }) {
            stepped.steps.push(step);
        }
        loop {
            if let Some(e) = self.attempt(|r| r.word_then_term("starting")) {
                stepped.starting = Some(e);
            } else if let Some(span) = self.attempt(|r| {
                r.attempt(|r| r.lit(","));
                r.then_stop()
            }) {
                stepped.then_stop = Some(span);
            } else {
                break;
            }
        }
        if self.abort {
            return None;
        }
        Some(stepped)
    }

    /// `expr frequency? for_dur?`.
    fn stepped_step(&mut self) -> Option<SteppedStep> {
        let start = self.start();
        let amount = self.expr()?;
        let frequency = self.attempt(|r| r.frequency());
        let duration = self.attempt(|r| r.word_then_term("for"));
        if self.abort {
            return None;
        }
        Some(SteppedStep {
            amount,
            frequency,
            duration,
            span: self.span_from(start),
        })
    }

    /// `choose { alternative (;? alternative)* ;? }`.
    fn choose(&mut self) -> Option<Vec<Alternative>> {
        self.word("choose")?;
        self.lit("{")?;
        let mut alternatives = vec![self.alternative()?];
        while let Some(a) = self.attempt(|r| {
            r.attempt(|r| r.lit(";"));
            r.alternative()
        }) {
            alternatives.push(a);
        }
        if self.abort {
            return None;
        }
        self.attempt(|r| r.lit(";"));
        self.lit("}")?;
        Some(alternatives)
    }

    /// `NAME : give …`.
    fn alternative(&mut self) -> Option<Alternative> {
        let start = self.start();
        let name = self.ident()?;
        self.lit(":")?;
        let give = self.give()?;
        Some(Alternative {
            name,
            give,
            span: self.span_from(start),
        })
    }

    /// `phase NAME { (let | table | decide | proposal)* }`.
    pub(super) fn phase(&mut self) -> Option<Phase> {
        let start = self.start();
        self.word("phase")?;
        let name = self.ident()?;
        self.lit("{")?;
        let mut phase = Phase {
            name,
            lets: Vec::new(),
            decides: Vec::new(),
            proposals: Vec::new(),
            span: Span::new(start, start),
        };
        while self.attempt(|r| r.phase_item(&mut phase)).is_some() {}
        if self.abort {
            return None;
        }
        self.lit("}")?;
        phase.span = self.span_from(start);
        Some(phase)
    }

    fn phase_item(&mut self, phase: &mut Phase) -> Option<()> {
        self.skip();
        let end = rules::word_end(self.bytes, self.pos)?;
        match &self.text[self.pos..end] {
            "let" => phase.lets.push(self.let_item()?),
            "table" => phase.lets.push(self.table()?),
            "decide" => phase.decides.push(self.decide()?),
            "proposal" => phase.proposals.push(self.proposal()?),
            _ => return None,
        }
        Some(())
    }

    /// `proposal INPUT frequency? { (refuse when … | allow …)* }`.
    fn proposal(&mut self) -> Option<Proposal> {
        let start = self.start();
        self.word("proposal")?;
        let input = self.ident()?;
        let frequency = self.attempt(|r| r.frequency());
        self.lit("{")?;
        let mut rules = Vec::new();
        while let Some(rule) = self.attempt(|r| r.proposal_rule()) {
            rules.push(rule);
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        Some(Proposal {
            input,
            frequency,
            rules,
            span: self.span_from(start),
        })
    }

    fn proposal_rule(&mut self) -> Option<ProposalRule> {
        let start = self.start();
        let (kind, when) = if self.attempt(|r| r.word("refuse")).is_some() {
            (ProposalRuleKind::Refuse, Some(self.when_clause()?.0))
        } else {
            self.word("allow")?;
            let range = self.op_expr()?;
            let when = self.attempt(|r| r.when_clause()).map(|(e, _)| e);
            (ProposalRuleKind::Allow(range), when)
        };
        let because = self.because()?;
        let source = self.attempt(|r| r.cite());
        if self.abort {
            return None;
        }
        Some(ProposalRule {
            kind,
            when,
            because,
            source,
            span: self.span_from(start),
        })
    }
}
