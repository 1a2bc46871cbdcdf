//! Decisions, actions, limits, proposals, the `begin at` phase selector and reachability.

use super::Name;
use super::{
    ActionAt, ActionSpec, CExpr, CheckError, Checker, DecideSpec, FrequencySpec, GiveSpec, Level,
    LimitSpec, LimitTarget, PlaceholderProblem, ProposalRuleSpec, ProposalSpec, RequireSpec,
    RuleSpec, ScheduleSpec, SteppedSpec, SteppedStepSpec, TextPart, Type,
};
use crate::diagnostics::Code;
use foldhash::{HashMap, HashSet};

use crate::diagnostics::Span;
use crate::ops::CmpOp;
use crate::syntax::ast::{self, ActionKind, FrequencyKind, ProposalRuleKind};
use crate::syntax::{close_match, FORMS};
use crate::units::{Dim, Unit};

fn time_type() -> Type {
    Type::Num(Unit::parse("h").unwrap_or_default())
}

/// True for what can be given as one dose: an amount (mass, volume, count, activity).
fn is_amount(d: Dim) -> bool {
    d.time == 0 && d.calendar == 0 && !d.is_dimensionless() && d.body_mass == 0
}

/// True for a rate: an amount per time.
fn is_rate(d: Dim) -> bool {
    d.time == -1 && is_amount(Dim { time: 0, ..d })
}

impl Checker<'_> {
    pub(super) fn check_limits(&mut self) {
        for (i, limit) in self.ast.limits.iter().enumerate() {
            if let Some(spec) = self.limit(limit, i) {
                self.program.limits.push(spec);
            }
        }
    }

    fn limit(&mut self, limit: &ast::Limit, index: usize) -> Option<LimitSpec> {
        let target = match limit.target.name.as_str() {
            "dose" => LimitTarget::Dose,
            "bolus" => LimitTarget::Bolus,
            "daily" => LimitTarget::Daily,
            other => {
                self.error(
                    CheckError::UnknownLimitTarget {
                        word: other.to_string(),
                        similar: close_match(other, ["dose", "bolus", "daily"]),
                        span: limit.target.span,
                    }
                    .into(),
                );
                return None;
            }
        };
        let value = self.expr(&limit.value, None);
        let ok = match (&value.ty, target) {
            (Type::Error, _) => false,
            (Type::Num(u), LimitTarget::Daily) => is_rate(u.dim()),
            (Type::Num(u), _) => is_amount(u.dim()),
            _ => false,
        };
        if !ok {
            if value.ty != Type::Error {
                let (want, example) = match target {
                    LimitTarget::Daily => ("a daily limit is an amount per day", "80 mg/day"),
                    LimitTarget::Dose => ("a dose limit is an amount", "20 mg"),
                    LimitTarget::Bolus => ("a bolus limit is an amount", "100 mcg"),
                };
                // The written figure with its unit corrected: `80 mg` → `80 mg/day`.
                let written = source_text(self, value.span);
                let literal = matches!(value.kind, super::CExprKind::Const(_));
                let example = match (target, written.split_once('/')) {
                    (LimitTarget::Daily, None) if literal => format!("{written}/day"),
                    (LimitTarget::Dose | LimitTarget::Bolus, Some((amount, _))) if literal => {
                        amount.trim().to_string()
                    }
                    _ => example.to_string(),
                };
                self.error(
                    CheckError::LimitDimension {
                        want,
                        found: self.describe(&value.ty),
                        target: target.word(),
                        example,
                        span: value.span,
                    }
                    .into(),
                );
            }
            return None;
        }
        let when = limit.when.as_ref().map(|w| self.condition(w));
        let (because, reason) = match limit.because.as_ref().map(|t| self.reason_text(t)) {
            Some((written, parts)) => (Some(written), parts),
            None => (None, Vec::new()),
        };
        Some(LimitSpec {
            id: format!(
                "{} {} {}",
                target.word(),
                limit.op.symbol(),
                source_text(self, limit.value.span)
            )
            .into(),
            target,
            op: limit.op,
            value,
            hard: limit.hard,
            when,
            because,
            reason,
            source: limit.source.as_ref().map(|t| Name::from(t.value.as_str())),
            span: limit.span,
        })
        .filter(|_| index < usize::MAX)
    }

    pub(super) fn check_begin(&mut self) {
        let Some(begin) = &self.ast.begin else {
            if self.program.phases.len() > 1 {
                // An input whose choices are the phase names is what `begin at` wants.
                let selector = self.program.inputs.iter().find(|i| match i.ty {
                    Type::Enum(id) => self.program.enums[id as usize]
                        .values
                        .iter()
                        .all(|v| self.phase_names.contains_key(v)),
                    _ => false,
                });
                self.error(
                    CheckError::NoBegin {
                        selector: selector.map(|input| input.name.clone()),
                        span: self.ast.name.span,
                    }
                    .into(),
                );
            }
            // Which phases are reached is unknown without `begin at` (or obvious with one phase).
            self.reached.fill(true);
            return;
        };
        let c = self.expr(begin, None);
        let Type::Enum(id) = c.ty else {
            if c.ty != Type::Error {
                let d = CheckError::BeginType {
                    found: self.describe(&c.ty),
                    span: c.span,
                };
                self.error(d.into());
            }
            self.reached.fill(true);
            return;
        };
        if !matches!(c.kind, super::CExprKind::Input(_)) {
            // The safety gate holds a limit written for a phase (`when phase == b`) in every
            // phase a `goto` went through by setting this input to each of them. A let or an
            // expression cannot be set: such limits were silently skipped after a `goto`.
            self.error(CheckError::BeginNotInput { span: c.span }.into());
        }
        let values = self.program.enums[id as usize].values.clone();
        let mut map = Vec::with_capacity(values.len());
        for v in &values {
            match self.phase_names.get(v) {
                Some(&p) => {
                    self.reached[p] = true;
                    map.push(Some(p));
                }
                None if self.muted() => {
                    self.error_unshown(Code::PhaseUnknown);
                    map.push(None);
                }
                None => {
                    let d = CheckError::ChoiceNamesNoPhase {
                        choice: v.clone(),
                        similar: close_match(v, self.phase_names.keys().map(String::as_str))
                            .map(str::to_string),
                        span: c.span,
                    };
                    self.error(d.into());
                    map.push(None);
                }
            }
        }
        // Sized by the map itself: the phases' specs may not all be in the program yet.
        let phases = map.iter().flatten().max().map_or(0, |&p| p + 1);
        let mut choice_of = vec![None; phases];
        for (choice, phase) in map.iter().enumerate() {
            if let Some(slot) = phase.and_then(|p| choice_of.get_mut(p)) {
                slot.get_or_insert(choice);
            }
        }
        self.program.begin = Some(c);
        self.program.begin_phases = map;
        self.program.begin_choice_of_phase = choice_of;
    }

    pub(super) fn check_global_decisions(&mut self) {
        let ast = self.ast;
        let mut decides = Vec::new();
        for d in &ast.decides {
            decides.push(self.decide(d, None));
        }
        self.program.global = decides;
    }

    pub(super) fn check_phases(&mut self) {
        let ast = self.ast;
        for phase in &ast.phases {
            let Some(index) = self.phase_of(phase) else {
                continue;
            };
            self.current_phase = Some(index);
            let decides: Vec<DecideSpec> = phase
                .decides
                .iter()
                .map(|d| self.decide(d, Some(&phase.name.name)))
                .collect();
            // Several proposals, each on its own input (a maintenance dose and a supplement);
            // two on one input would judge one dose twice.
            let mut proposals = Vec::new();
            let several = phase.proposals.len() > 1;
            for (i, p) in phase.proposals.iter().enumerate() {
                let head = |p: &ast::Proposal| Span::new(p.span.start, p.input.span.end);
                if let Some(first) = phase.proposals[..i]
                    .iter()
                    .find(|q| q.input.name == p.input.name)
                {
                    self.error(
                        CheckError::DuplicateProposal {
                            again: head(p),
                            first: head(first),
                        }
                        .into(),
                    );
                    continue;
                }
                let prefix = if several {
                    format!("{}.{}", phase.name.name, p.input.name)
                } else {
                    phase.name.name.clone()
                };
                proposals.extend(self.proposal(p, &prefix));
            }
            if phase.decides.is_empty() {
                self.error(
                    CheckError::PhaseEmpty {
                        name: phase.name.name.clone(),
                        span: phase.name.span,
                    }
                    .into(),
                );
            }
            let spec = &mut self.program.phases[index];
            spec.decides = decides;
            spec.proposals = proposals;
            self.current_phase = None;
        }
    }

    fn decide(&mut self, d: &ast::Decide, phase: Option<&str>) -> DecideSpec {
        let mut rules: Vec<RuleSpec> = Vec::with_capacity(d.rules.len());
        let mut names: foldhash::HashMap<&str, Span> = Default::default();
        for (i, rule) in d.rules.iter().enumerate() {
            let unnamed;
            let local = match &rule.name {
                Some(n) => n.name.as_str(),
                None => {
                    unnamed = format!("rule{}", i + 1);
                    unnamed.as_str()
                }
            };
            if let Some(n) = &rule.name {
                if let Some(&first) = names.get(n.name.as_str()) {
                    self.duplicate("rule", &n.name, n.span, first);
                } else {
                    names.insert(&n.name, n.span);
                }
            }
            if rule.when.is_none()
                && !rule.always
                && i + 1 < d.rules.len()
                && d.policy.stops_at_first()
            {
                self.error(
                    CheckError::UnreachableRule {
                        never: d.rules[i + 1].head_span,
                        otherwise: rule.head_span,
                    }
                    .into(),
                );
            }
            rules.push(self.rule(rule, rule_id(phase, local)));
        }
        // The verifier says whether patients can fall through (and which), or why it cannot
        // tell (then `posology::decide::no_otherwise`, as before it existed).
        self.verify_decide(d, &rules);
        DecideSpec {
            policy: d.policy,
            rules,
        }
    }

    fn rule(&mut self, rule: &ast::Rule, id: String) -> RuleSpec {
        self.reads = Some(super::Reads::default());
        let when = rule.when.as_ref().map(|w| self.condition(w));
        let reads = self.reads.take().map(|r| r.list).unwrap_or_default();
        let default_code = rule.name.as_ref().map_or("note", |n| n.name.as_str());
        let actions = rule
            .actions
            .iter()
            .filter_map(|a| self.action(a, default_code))
            .collect();
        RuleSpec {
            id: id.into(),
            when,
            always: rule.always,
            source: rule.source.as_ref().map(|t| Name::from(t.value.as_str())),
            actions,
            reads,
            span: rule.span,
        }
    }

    fn action(&mut self, a: &ast::Action, default_code: &str) -> Option<ActionAt> {
        let action = match &a.kind {
            ActionKind::Give(g) => ActionSpec::Give(Box::new(self.give(g)?)),
            ActionKind::Schedule(s) => ActionSpec::Schedule(Box::new(self.schedule(s)?)),
            ActionKind::Stepped(s) => ActionSpec::Stepped(Box::new(self.stepped(s)?)),
            ActionKind::Choose(alts) => ActionSpec::Choose(self.choose(alts)?),
            ActionKind::Hold(t) => ActionSpec::Hold(self.message_text(t)),
            ActionKind::Stop(t) => ActionSpec::Stop(self.message_text(t)),
            ActionKind::Refuse(t) => ActionSpec::Refuse(self.message_text(t)),
            ActionKind::Warn {
                critical,
                code,
                text,
            } => ActionSpec::Message {
                level: if *critical {
                    Level::Critical
                } else {
                    Level::Warning
                },
                code: code
                    .as_ref()
                    .map_or(default_code, |c| c.name.as_str())
                    .into(),
                text: self.message_text(text).into(),
            },
            ActionKind::Note { code, text } => ActionSpec::Message {
                level: Level::Info,
                code: code
                    .as_ref()
                    .map_or(default_code, |c| c.name.as_str())
                    .into(),
                text: self.message_text(text).into(),
            },
            ActionKind::Observe(e) => {
                ActionSpec::Observe(self.time_or_range(e, "an observation time")?)
            }
            ActionKind::Wait(e) => ActionSpec::Wait(self.time_value(e, "a wait")?),
            ActionKind::Goto(p) => ActionSpec::Goto(self.phase_ref(p)?),
            ActionKind::Next(p, after) => {
                let phase = self.phase_ref(p)?;
                let after = match after {
                    Some(e) => Some(self.time_value(e, "the time before the next phase")?),
                    None => None,
                };
                ActionSpec::Next(phase, after)
            }
            ActionKind::Show(names) => {
                let mut shown = Vec::new();
                for n in names {
                    let e = ast::Expr {
                        kind: ast::ExprKind::Name(n.name.clone()),
                        span: n.span,
                    };
                    let c = self.expr(&e, None);
                    if c.ty == Type::Error {
                        return None;
                    }
                    shown.push((Name::from(n.name.as_str()), c));
                }
                ActionSpec::Show(shown)
            }
        };
        Some(ActionAt {
            action,
            span: a.span,
        })
    }

    /// Splits a message into literal text and `{expression}` values, each checked; `{{` and
    /// `}}` are braces as text, and any other brace is refused.
    fn message_text(&mut self, text: &ast::Text) -> Vec<TextPart> {
        // The text between the quotes, as written (escapes are undone in the literal pieces).
        let start = text.span.start + 1;
        let end = text.span.end.saturating_sub(1).max(start);
        // The text shared, not copied: `self` is borrowed mutably while it is read.
        let source = std::sync::Arc::clone(&self.program.source.text);
        let raw = source.get(start..end).unwrap_or("");
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut at = 0;
        while at < raw.len() {
            let rest = &raw[at..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                literal.push_str(&rest[..1]);
                at += 2;
            } else if rest.starts_with('}') {
                self.placeholder_error(PlaceholderProblem::StrayClose, start + at, 1);
                at += 1;
            } else if rest.starts_with('{') {
                flush_literal(&mut parts, &mut literal);
                let Some(close) = rest.find('}') else {
                    self.placeholder_error(PlaceholderProblem::Unclosed, start + at, 1);
                    break;
                };
                if let Some(value) = self.placeholder(start + at, close) {
                    parts.push(TextPart::Value(Box::new(value)));
                }
                at += close + 1;
            } else {
                let next = rest.find(['{', '}']).unwrap_or(rest.len());
                literal.push_str(&rest[..next]);
                at += next;
            }
        }
        flush_literal(&mut parts, &mut literal);
        parts
    }

    /// The value of the placeholder whose `{` is at `open` and whose `}` is `close` bytes
    /// later, checked; `None` (with the error reported) if it holds no expression.
    fn placeholder(&mut self, open: usize, close: usize) -> Option<CExpr> {
        let (inner_start, inner_end) = (open + 1, open + close);
        let inner = self.program.source.text.get(inner_start..inner_end)?;
        if inner.trim().is_empty() {
            self.placeholder_error(PlaceholderProblem::Empty, open, close + 1);
            return None;
        }
        if inner.contains("//") {
            // Read alone, `//` would start a comment and silently drop the rest of the value.
            let why = "`//` starts a comment, which cannot be inside a value".to_string();
            self.placeholder_error(PlaceholderProblem::NotAValue(why), open, close + 1);
            return None;
        }
        match self.placeholder_expr(inner_start, inner_end) {
            Ok(e) => Some(self.expr(&e, None)),
            Err(d) => {
                self.placeholder_error(PlaceholderProblem::NotAValue(d.message), open, close + 1);
                None
            }
        }
    }

    /// What [`crate::syntax::parse_expr_in`] reads at `start..end` of the protocol's text, each
    /// placeholder text read once (the expression at its place is the one read alone, moved).
    fn placeholder_expr(
        &mut self,
        start: usize,
        end: usize,
    ) -> Result<ast::Expr, crate::diagnostics::Diagnostic> {
        let source = &self.program.source.text;
        let inner = source.get(start..end).unwrap_or("");
        let mut e = match self.placeholders.get(inner) {
            Some(e) => e.clone(),
            None => match crate::syntax::parse_expr(inner) {
                Ok(e) => {
                    self.placeholders.insert(inner.to_string(), e.clone());
                    e
                }
                // The error as `parse_expr_in` places it in the protocol's text.
                Err(_) => return crate::syntax::parse_expr_in(source, start, end),
            },
        };
        e.shift(start);
        Ok(e)
    }

    /// A limit's or a requirement's `because`: the text as written (a `{value}` written out in
    /// braces, for places that show the protocol itself) and its parts, whose values are filled
    /// in when the reason is given, as a message's are. The values are read where the limit or
    /// requirement is written: inputs and top-level `let`s.
    fn reason_text(&mut self, text: &ast::Text) -> (String, Vec<TextPart>) {
        let parts = self.message_text(text);
        let mut written = String::new();
        for part in &parts {
            match part {
                TextPart::Literal(t) => written.push_str(t),
                TextPart::Value(e) => {
                    written.push('{');
                    written.push_str(&source_text(self, e.span));
                    written.push('}');
                }
            }
        }
        (written, parts)
    }

    fn placeholder_error(&mut self, problem: PlaceholderProblem, at: usize, len: usize) {
        let span = Span::new(at, at + len);
        self.error(CheckError::Placeholder { problem, span }.into());
    }

    pub(super) fn check_requires(&mut self) {
        let ast = self.ast;
        // Lines counted as the requires come, in the order written (once over the text, however
        // many requires a protocol has).
        let mut counted = (0, 1);
        for (i, r) in ast.requires.iter().enumerate() {
            let line = line_at(&self.program.source.text, r.span.start, &mut counted);
            self.reads = Some(super::Reads::default());
            let condition = self.condition(&r.condition);
            let reads = self.reads.take().map(|r| r.list).unwrap_or_default();
            let reads = reads.into_iter().map(|(n, r)| (n.to_string(), r)).collect();
            if condition.ty == Type::Error {
                continue;
            }
            let (because, reason) = self.reason_text(&r.because);
            self.program.requires.push(RequireSpec {
                id: format!("require {} (line {line})", i + 1).into(),
                condition,
                because,
                reason,
                source: r.source.as_ref().map(|t| Name::from(t.value.as_str())),
                reads,
                span: r.span,
            });
        }
    }

    fn phase_ref(&mut self, p: &ast::Ident) -> Option<usize> {
        if let Some(&i) = self.phase_names.get(&p.name) {
            self.reached[i] = true;
            return Some(i);
        }
        if self.muted() {
            self.error_unshown(Code::PhaseUnknown);
            return None;
        }
        let d = CheckError::UnknownPhase {
            name: p.name.clone(),
            similar: close_match(&p.name, self.phase_names.keys().map(String::as_str))
                .map(str::to_string),
            phases: self.phase_list(),
            offer_new: true,
            span: p.span,
        };
        self.error(d.into());
        None
    }

    /// The head of a block (`decide first`), up to its `{`, for a label that does not cover
    /// the whole block.
    pub(super) fn block_head(&self, block: Span) -> Span {
        let text = self
            .program
            .source
            .text
            .get(block.start..block.end)
            .unwrap_or("");
        match text.find('{') {
            Some(brace) => Span::new(block.start, block.start + text[..brace].trim_end().len()),
            None => block,
        }
    }

    /// The phase names in file order, for help: "`start`, `titrate` and `discontinue`".
    pub(super) fn phase_list(&self) -> String {
        let names: Vec<String> = self
            .program
            .phases
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect();
        match names.as_slice() {
            [] => "none".to_string(),
            [one] => one.clone(),
            [.., last] => format!(
                "{} and {last}",
                super::list_some(names[..names.len() - 1].iter().map(String::as_str), ", ")
            ),
        }
    }

    fn time_value(&mut self, e: &ast::Expr, place: &str) -> Option<CExpr> {
        let c = self.expect_type(e, &time_type(), place);
        (c.ty != Type::Error).then_some(c)
    }

    fn time_or_range(&mut self, e: &ast::Expr, place: &str) -> Option<CExpr> {
        let c = self.expr(e, None);
        let inner = match &c.ty {
            Type::Range(t) => (**t).clone(),
            t => t.clone(),
        };
        if inner == Type::Error {
            return None;
        }
        if !inner.same(&time_type()) {
            let d = self.mismatch(&c, &time_type(), place);
            self.error(d);
            return None;
        }
        Some(c)
    }

    fn give(&mut self, g: &ast::Give) -> Option<GiveSpec> {
        let amount = self.expr(&g.amount, None);
        let dim = match &amount.ty {
            Type::Num(u) => u.dim(),
            Type::Range(inner) => inner.dim()?,
            Type::Error => return None,
            _ => Dim::NONE,
        };
        if !is_amount(dim) && !is_rate(dim) {
            let d = CheckError::NotADose {
                found: self.describe(&amount.ty),
                per_kg: self.per_kg_fix(&amount, dim),
                span: amount.span,
            };
            self.error(d.into());
            return None;
        }
        let frequency = self.frequency(g.frequency.as_ref())?;
        if is_rate(dim) {
            if let Some(f) = &g.frequency {
                self.error(
                    CheckError::RateWithFrequency {
                        frequency: f.span,
                        rate: amount.span,
                        proposed: false,
                    }
                    .into(),
                );
                return None;
            }
        }
        if let Some(form) = &g.form {
            if !FORMS.contains(&form.name.as_str()) {
                return None;
            }
            if form.name == "bolus" && is_rate(dim) {
                self.error(
                    CheckError::BolusRate {
                        amount: amount.span,
                        form: form.span,
                    }
                    .into(),
                );
                return None;
            }
        }
        let over = match &g.over {
            Some(e) => Some(self.time_value(e, "the time a dose is given over")?),
            None => None,
        };
        let duration = match &g.duration {
            Some(e) => Some(self.time_or_range(e, "how long a dose is given")?),
            None => None,
        };
        self.doses_given.push(GivenDose {
            dim,
            span: amount.span,
        });
        Some(GiveSpec {
            amount,
            form: g.form.as_ref().map(|f| Name::from(f.name.as_str())),
            route: g.route.as_ref().map(|r| Name::from(r.name.as_str())),
            frequency,
            over,
            duration,
        })
    }

    /// How to turn what was written into a dose: a dose per kg is multiplied by the weight.
    /// For a dose per kg of body weight: the dose as written and the weight input to multiply
    /// it by (the advice for a dose that is not one).
    fn per_kg_fix(&self, amount: &CExpr, dim: Dim) -> Option<(String, String)> {
        let per_kg = Dim {
            body_mass: 0,
            ..dim
        };
        if dim.body_mass == -1 && (is_amount(per_kg) || is_rate(per_kg)) {
            let weight = self
                .program
                .inputs
                .iter()
                .find(|i| {
                    i.name.contains("weight")
                        || i.unit.as_ref().is_some_and(|u| u.to_string() == "kg")
                })
                .map_or("weight", |i| i.name.as_str());
            let text = self
                .program
                .source
                .text
                .get(amount.span.start..amount.span.end)
                .unwrap_or("the dose per kg");
            return Some((text.to_string(), weight.to_string()));
        }
        None
    }

    /// `Ok(None)` for no frequency; `None` (outer) when it is wrong (already reported).
    fn frequency(&mut self, f: Option<&ast::Frequency>) -> Option<Option<FrequencySpec>> {
        let Some(f) = f else {
            return Some(None);
        };
        Some(Some(match &f.kind {
            FrequencyKind::TimesDaily(n) => {
                let c = self.expect_type(n, &Type::number(), "the number of doses per day");
                if c.ty == Type::Error {
                    return None;
                }
                FrequencySpec::TimesDaily(c)
            }
            FrequencyKind::Every(t) => {
                FrequencySpec::Every(self.time_value(t, "the interval between doses")?)
            }
        }))
    }

    fn schedule(&mut self, s: &ast::Schedule) -> Option<ScheduleSpec> {
        let from = self.expr(&s.from, None);
        let dim = from.ty.dim()?;
        self.doses_given.push(GivenDose {
            dim,
            span: from.span,
        });
        if !is_amount(dim) {
            let d = self.mismatch(
                &from,
                &Type::Num(Unit::parse("mg").unwrap_or_default()),
                "a schedule's first dose",
            );
            self.error(d);
            return None;
        }
        let frequency = self.frequency(s.frequency.as_ref())?;
        let step = self.expect_type(&s.step, &from.ty, "a schedule's step");
        let every = self.time_value(&s.every, "a schedule's interval")?;
        self.fault_if_not_whole_days(&every, "a schedule's interval");
        let until = match &s.until {
            None => None,
            Some(e) => {
                let c = self.expr(e, None);
                let ok =
                    c.ty.same(&from.ty) || c.ty.dim().is_some_and(|d| d == Dim { time: -1, ..dim });
                if !ok {
                    if c.ty != Type::Error {
                        let d = self.mismatch(&c, &from.ty, "a schedule's last dose").with_help("write the last single dose (`20 mg`) or the last daily total (`60 mg/day`)");
                        self.error(d);
                    }
                    return None;
                }
                Some(c)
            }
        };
        let starting = s
            .starting
            .as_ref()
            .map(|e| self.expect_type(e, &Type::Date, "a schedule's first day"));
        if step.ty == Type::Error {
            return None;
        }
        Some(ScheduleSpec {
            from,
            frequency,
            increase: s.increase,
            step,
            every,
            until,
            starting,
            then_stop: s.then_stop,
        })
    }

    /// Alternatives: each a dose checked as a `give` is, under a name no other alternative of
    /// the same `choose` has.
    fn choose(&mut self, alts: &[ast::Alternative]) -> Option<Vec<super::AlternativeSpec>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for a in alts {
            if let Some(first) = seen.insert(a.name.name.as_str(), a.name.span) {
                self.error(
                    CheckError::DuplicateAlternative {
                        name: a.name.name.clone(),
                        again: a.name.span,
                        first,
                    }
                    .into(),
                );
                ok = false;
            }
            match self.give(&a.give) {
                Some(give) => out.push(super::AlternativeSpec {
                    name: a.name.name.clone(),
                    give,
                }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A step's single dose: an amount, of the first step's kind (`None` when it is not,
    /// reported).
    fn step_dose(&mut self, e: &ast::Expr, first: Option<&Type>) -> Option<CExpr> {
        let amount = match first {
            None => self.expr(e, None),
            Some(ty) => self.expect_type(e, ty, "a schedule step's dose"),
        };
        if amount.ty == Type::Error {
            return None;
        }
        let dim = amount.ty.dim();
        if let Some(dim) = dim {
            self.doses_given.push(GivenDose {
                dim,
                span: amount.span,
            });
        }
        if !dim.is_some_and(is_amount) {
            let d = self.mismatch(
                &amount,
                &Type::Num(Unit::parse("mg").unwrap_or_default()),
                "a schedule step's dose",
            );
            self.error(d);
            return None;
        }
        Some(amount)
    }

    /// A schedule written step by step: every step a single dose (an amount, of one kind with
    /// the first), its frequency, and how long it lasts; only the last step may go on.
    fn stepped(&mut self, s: &ast::Stepped) -> Option<SteppedSpec> {
        let mut steps = Vec::new();
        let mut ok = true;
        let mut first_ty: Option<Type> = None;
        for (i, step) in s.steps.iter().enumerate() {
            let Some(amount) = self.step_dose(&step.amount, first_ty.as_ref()) else {
                ok = false;
                continue;
            };
            first_ty.get_or_insert_with(|| amount.ty.clone());
            let frequency = self.frequency(step.frequency.as_ref());
            let duration = match &step.duration {
                Some(e) => match self.time_value(e, "how long a schedule step lasts") {
                    Some(c) => Some(c),
                    None => {
                        ok = false;
                        None
                    }
                },
                None => None,
            };
            if step.duration.is_none() {
                if let Some(next) = s.steps.get(i + 1) {
                    self.error(
                        CheckError::StepAfterOpenEnded {
                            open: step.span,
                            next: next.span,
                        }
                        .into(),
                    );
                    ok = false;
                }
            }
            let Some(frequency) = frequency else {
                ok = false;
                continue;
            };
            steps.push(SteppedStepSpec {
                amount,
                frequency,
                duration,
                span: step.span,
            });
        }
        if let (Some(stop), Some(last)) = (s.then_stop, s.steps.last()) {
            if last.duration.is_none() {
                self.error(
                    CheckError::StepAfterOpenEnded {
                        open: last.span,
                        next: stop,
                    }
                    .into(),
                );
                ok = false;
            }
        }
        let starting = s
            .starting
            .as_ref()
            .map(|e| self.expect_type(e, &Type::Date, "a schedule's first day"));
        ok.then_some(SteppedSpec {
            steps,
            starting,
            then_stop: s.then_stop.is_some(),
        })
    }

    // Long on purpose: a proposal block's input, frequency and each kind of rule, checked in one
    // place.
    fn proposal(&mut self, p: &ast::Proposal, phase: &str) -> Option<ProposalSpec> {
        let Some(&slot) = self.input_names.get(&p.input.name) else {
            if self.muted() {
                self.error_unshown(Code::NameUnknown);
                return None;
            }
            let d = CheckError::UnknownProposalInput {
                name: p.input.name.clone(),
                similar: close_match(&p.input.name, self.input_names.keys().map(String::as_str))
                    .map(str::to_string),
                span: p.input.span,
            };
            self.error(d.into());
            return None;
        };
        let ty = self.program.inputs[slot].ty.clone();
        if !matches!(ty, Type::Num(ref u) if is_amount(u.dim()) || is_rate(u.dim())) {
            let d = CheckError::ProposalNotADose {
                name: p.input.name.clone(),
                found: self.describe(&ty),
                span: p.input.span,
            };
            self.error(d.into());
            return None;
        }
        let frequency = self.frequency(p.frequency.as_ref())?;
        if let (Type::Num(u), Some(f)) = (&ty, &p.frequency) {
            if is_rate(u.dim()) {
                self.error(
                    CheckError::RateWithFrequency {
                        frequency: f.span,
                        rate: p.input.span,
                        proposed: true,
                    }
                    .into(),
                );
                return None;
            }
        }
        if let Type::Num(u) = &ty {
            self.doses_given.push(GivenDose {
                dim: u.dim(),
                span: p.input.span,
            });
        }
        let mut rules = Vec::new();
        for (i, r) in p.rules.iter().enumerate() {
            let when = r.when.as_ref().map(|w| self.condition(w));
            let allow = match &r.kind {
                ProposalRuleKind::Refuse => None,
                ProposalRuleKind::Allow(e) => {
                    let c = self.expr(e, None);
                    let ok = c.ty.same(&ty) || c.ty.same(&Type::Range(Box::new(ty.clone())));
                    if !ok {
                        if c.ty != Type::Error {
                            let d = self.mismatch(
                                &c,
                                &Type::Range(Box::new(ty.clone())),
                                "an allowed proposal",
                            );
                            self.error(d);
                        }
                        continue;
                    }
                    Some(c)
                }
            };
            rules.push(ProposalRuleSpec {
                id: format!("{phase}.proposal{}", i + 1).into(),
                allow,
                when,
                because: self.message_text(&r.because),
                source: r.source.as_ref().map(|t| Name::from(t.value.as_str())),
            });
        }
        Some(ProposalSpec {
            input: slot,
            frequency,
            rules,
        })
    }

    pub(super) fn check_reachability(&mut self) {
        let ast = self.ast;
        for phase in &ast.phases {
            let Some(index) = self.phase_of(phase) else {
                continue;
            };
            if !self.reached[index] {
                self.error(
                    CheckError::PhaseUnreachable {
                        name: phase.name.name.clone(),
                        span: phase.name.span,
                    }
                    .into(),
                );
            }
        }
    }
}

/// The 1-based line of byte `offset` in `text`, counting on from `counted` (an offset and its
/// line) when `offset` comes after it, and leaving it at `offset`.
fn line_at(text: &str, offset: usize, counted: &mut (usize, usize)) -> usize {
    let offset = offset.min(text.len());
    if offset < counted.0 {
        *counted = (0, 1);
    }
    let between = text.as_bytes().get(counted.0..offset).unwrap_or(&[]);
    let line = counted.1 + between.iter().filter(|&&b| b == b'\n').count();
    *counted = (offset, line);
    line
}

/// The text of a span of the protocol (for ids such as `limit daily <= 80 mg/day`).
fn source_text(checker: &Checker<'_>, span: Span) -> String {
    checker
        .program
        .source
        .text
        .get(span.start..span.end)
        .unwrap_or("")
        .to_string()
}

/// The distinct values, in the order first met.
fn unique(dims: impl Iterator<Item = Dim>) -> Vec<Dim> {
    let mut seen = HashSet::default();
    dims.filter(|d| seen.insert(*d)).collect()
}

/// A dose some `give` or `schedule` can output: what limits must be able to hold.
#[derive(Clone, Copy, Debug)]
pub(super) struct GivenDose {
    /// Its dimension (an amount or a rate).
    pub dim: Dim,
    /// Where it is written.
    pub span: Span,
}

impl GivenDose {
    /// The dimension of its daily total: a rate is its own; an amount is given some number
    /// of times a day (once, without a frequency), so its total is the amount per time.
    fn daily_dim(self) -> Option<Dim> {
        if is_rate(self.dim) {
            Some(self.dim)
        } else {
            Some(Dim {
                time: self.dim.time - 1,
                ..self.dim
            })
        }
    }
}

impl Checker<'_> {
    /// Every limit must be able to hold some dose the protocol gives, and every dose must be
    /// of a kind its limits can hold: a limit in mL over doses in mg would never act, and a
    /// dose in mL under limits in mg would escape them, both without a word.
    // Long on purpose: both directions (limits that hold no dose, doses no limit holds) in one pass
    // over the indexes built at its top.
    pub(super) fn check_limits_hold_doses(&mut self) {
        let doses = std::mem::take(&mut self.doses_given);
        let limits: Vec<(LimitTarget, Dim, Span)> = self
            .program
            .limits
            .iter()
            .filter_map(|l| l.value.ty.dim().map(|d| (l.target, d, l.value.span)))
            .collect();
        // The kinds of dose given, and of limit written: a protocol may have thousands of
        // each, so every question below is asked of these sets, never of every pair.
        let single_dims: HashSet<Dim> = doses
            .iter()
            .filter(|d| !is_rate(d.dim))
            .map(|d| d.dim)
            .collect();
        let daily_dims: HashSet<Dim> = doses.iter().filter_map(|d| d.daily_dim()).collect();
        let proposal_dims: HashSet<Dim> = self
            .program
            .phases
            .iter()
            .flat_map(|p| p.proposals.iter())
            .filter_map(|p| self.program.inputs[p.input].ty.dim())
            .collect();
        let dose_limits: Vec<Dim> = unique(
            limits
                .iter()
                .filter(|(t, _, _)| *t == LimitTarget::Dose)
                .map(|(_, dim, _)| *dim),
        );
        let daily_limits: Vec<Dim> = unique(
            limits
                .iter()
                .filter(|(t, _, _)| *t == LimitTarget::Daily)
                .map(|(_, dim, _)| *dim),
        );
        let kinds = || -> String {
            doses
                .iter()
                .map(|d| d.dim.describe())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(" and ")
        };
        for &(target, dim, span) in &limits {
            let applies = match target {
                // A bolus limit holds every single administration (fail closed).
                LimitTarget::Dose | LimitTarget::Bolus => single_dims.contains(&dim),
                LimitTarget::Daily => daily_dims.contains(&dim),
            };
            let proposal_applies = match target {
                LimitTarget::Daily => {
                    proposal_dims.contains(&dim)
                        || proposal_dims.contains(&Dim {
                            time: dim.time + 1,
                            ..dim
                        })
                }
                _ => proposal_dims.contains(&dim),
            };
            if !applies && !proposal_applies && !doses.is_empty() {
                if self.muted() {
                    self.error_unshown(Code::LimitNeverApplies);
                    continue;
                }
                self.error(
                    CheckError::LimitNeverApplies {
                        target: target.word(),
                        kind: dim.describe(),
                        kinds: kinds(),
                        span,
                    }
                    .into(),
                );
            }
        }
        let dose_limit_set: HashSet<Dim> = dose_limits.iter().copied().collect();
        let daily_limit_set: HashSet<Dim> = daily_limits.iter().copied().collect();
        let mut escaped = HashSet::default();
        for d in &doses {
            if !is_rate(d.dim) && !dose_limits.is_empty() && !dose_limit_set.contains(&d.dim) {
                self.error(
                    CheckError::OutsideDoseLimits {
                        kind: d.dim.describe(),
                        limits: dose_limits[0].describe(),
                        span: d.span,
                    }
                    .into(),
                );
                escaped.insert(d.span);
                continue;
            }
            if let Some(daily) = d.daily_dim() {
                if !daily_limits.is_empty() && !daily_limit_set.contains(&daily) {
                    self.error(
                        CheckError::OutsideDailyLimits {
                            kind: daily.describe(),
                            limits: daily_limits[0].describe(),
                            span: d.span,
                        }
                        .into(),
                    );
                    escaped.insert(d.span);
                }
            }
        }
        self.check_doses_held(&doses, &escaped);
        self.doses_given = doses;
    }

    /// Every dose, schedule and proposal must be held by at least one hard limit of its kind:
    /// the safety gate refuses at run time what no hard limit holds, so say it here first.
    fn check_doses_held(&mut self, doses: &[GivenDose], escaped: &HashSet<Span>) {
        // Only a hard ceiling holds a dose: a floor alone lets any amount through.
        let hard: HashSet<(bool, Dim)> = self
            .program
            .limits
            .iter()
            .filter(|l| l.hard && matches!(l.op, CmpOp::Lt | CmpOp::Le))
            .filter_map(|l| {
                let daily = l.target == LimitTarget::Daily;
                l.value.ty.dim().map(|d| (daily, d))
            })
            .collect();
        for d in doses.iter().filter(|d| !escaped.contains(&d.span)) {
            let held = (!is_rate(d.dim) && hard.contains(&(false, d.dim)))
                || d.daily_dim()
                    .is_some_and(|daily| hard.contains(&(true, daily)));
            if held {
                continue;
            }
            self.error(
                CheckError::Unlimited {
                    kind: d.dim.describe(),
                    daily: d.daily_dim().map(|x| x.describe()).unwrap_or_default(),
                    rate: is_rate(d.dim),
                    span: d.span,
                }
                .into(),
            );
        }
    }
}

/// Adds the literal text gathered so far (escapes undone) as one piece of a message.
/// A rule's id: `phase.local`, or `local` outside a phase (joined by hand: `format!` for each
/// rule of a block of thousands was a tenth of the checker's own work on a rule).
fn rule_id(phase: Option<&str>, local: &str) -> String {
    let Some(phase) = phase else {
        return local.to_string();
    };
    let mut id = String::with_capacity(phase.len() + 1 + local.len());
    id.push_str(phase);
    id.push('.');
    id.push_str(local);
    id
}

fn flush_literal(parts: &mut Vec<TextPart>, literal: &mut String) {
    if literal.is_empty() {
        return;
    }
    // Without a `\\`, unescaping gives the text back as it is: no copy is made of it, and the
    // buffer is kept for the next piece.
    let piece = if literal.contains('\\') {
        crate::syntax::unescape(literal).into()
    } else {
        literal.as_str().into()
    };
    literal.clear();
    parts.push(TextPart::Literal(piece));
}
