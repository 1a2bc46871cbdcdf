//! Examples: each `given` patient is checked like a patient file, each `expect` typed.

use crate::diagnostics::Code;
use foldhash::HashMap;
use std::sync::Arc;

use super::{
    CheckError, Checker, ExampleSpec, ExpectSpec, ExpectSpecKind, Expectation, FrequencySpec,
    GiveExpect, StepExpect, Type,
};
use crate::diagnostics::Span;
use crate::syntax::ast::{self, ExpectKind, FrequencyKind, ValueKind};
use crate::syntax::close_match;
use crate::value::Value;

/// The statuses a decision can have.
pub const STATUSES: &[&str] = &["give", "wait", "stop", "refused"];

impl Checker<'_> {
    pub(super) fn check_examples(&mut self) {
        let ast = self.ast;
        let required: Vec<usize> = (self.program.inputs.iter().enumerate())
            .filter(|(_, i)| !i.optional && i.default.is_none())
            .map(|(slot, _)| slot)
            .collect();
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for example in &ast.examples {
            if let Some(&first) = seen.get(example.name.value.as_str()) {
                self.duplicate("example", &example.name.value, example.name.span, first);
            } else {
                seen.insert(&example.name.value, example.name.span);
            }
            if let Some(spec) = self.example(example, &required) {
                self.program.examples.push(spec);
            }
        }
    }

    fn example(&mut self, example: &ast::Example, required: &[usize]) -> Option<ExampleSpec> {
        let given = self.given(&example.given, required);
        let mut expects = Vec::new();
        for e in &example.expects {
            if let Some(kind) = self.expect(e) {
                let text = self
                    .program
                    .source
                    .text
                    .get(e.span.start..e.span.end)
                    .unwrap_or("")
                    .to_string();
                expects.push(ExpectSpec {
                    kind,
                    span: e.span,
                    text,
                });
            }
        }
        if example.expects.is_empty() {
            self.error(
                CheckError::ExampleNoExpect {
                    name: example.name.value.clone(),
                    span: example.name.span,
                }
                .into(),
            );
        }
        Some(ExampleSpec {
            name: example.name.value.clone(),
            span: example.span,
            given: given?,
            expects,
        })
    }

    /// The values an example writes, by input slot; `None` after an error. `required` lists
    /// the inputs every example must give (neither optional nor with a default).
    fn given(&mut self, given: &ast::Value, required: &[usize]) -> Option<Vec<(usize, Value)>> {
        let ValueKind::Record(fields) = &given.kind else {
            self.error(CheckError::ExampleGiven { span: given.span }.into());
            return None;
        };
        let mut written: Vec<(usize, Value)> = Vec::with_capacity(fields.len());
        let mut first: HashMap<usize, Span> =
            HashMap::with_capacity_and_hasher(fields.len(), Default::default());
        let mut ok = true;
        for (name, value) in fields {
            let Some(&slot) = self.input_names.get(&name.name) else {
                if self.muted() {
                    self.error_unshown(Code::InputUnknownField);
                    ok = false;
                    continue;
                }
                let d = CheckError::ExampleUnknownInput {
                    name: name.name.clone(),
                    similar: close_match(&name.name, self.input_names.keys().map(String::as_str))
                        .map(str::to_string),
                    span: name.span,
                };
                self.error(d.into());
                ok = false;
                continue;
            };
            if let Some(&first) = first.get(&slot) {
                self.error(
                    CheckError::ExampleDuplicateInput {
                        name: name.name.clone(),
                        again: name.span,
                        first,
                    }
                    .into(),
                );
                ok = false;
                continue;
            }
            first.insert(slot, name.span);
            let spec = self.program.inputs[slot].clone();
            match self.const_value(value, &spec) {
                Some(v) => written.push((slot, v)),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        for &slot in required {
            if first.contains_key(&slot) {
                continue;
            }
            ok = false;
            if self.muted() {
                // One is enough to refuse the example; the rest would only be counted.
                self.error_unshown(Code::InputMissingField);
                break;
            }
            let name = self.program.inputs[slot].name.clone();
            self.error(
                CheckError::ExampleMissingInput {
                    name,
                    span: given.span,
                }
                .into(),
            );
        }
        ok.then_some(written)
    }

    // Long on purpose: one arm per `expect` form; each arm is short.
    fn expect(&mut self, e: &ast::Expect) -> Option<ExpectSpecKind> {
        Some(match &e.kind {
            ExpectKind::Status(word) => {
                if !super::examples::STATUSES.contains(&word.name.as_str()) {
                    self.error(
                        CheckError::UnknownStatus {
                            word: word.name.clone(),
                            similar: close_match(&word.name, STATUSES.iter().copied())
                                .map(str::to_string),
                            span: word.span,
                        }
                        .into(),
                    );
                    return None;
                }
                ExpectSpecKind::Status(word.name.clone())
            }
            ExpectKind::Give(g) => ExpectSpecKind::Give(self.give_expect(g)?),
            ExpectKind::Alternative(name, g) => {
                let names = self.program.alternative_ids();
                let known = names
                    .iter()
                    .filter_map(|id| id.rsplit_once('.').map(|(_, n)| n))
                    .any(|n| n == name.name);
                if !known {
                    let similar = close_match(
                        &name.name,
                        names
                            .iter()
                            .filter_map(|id| id.rsplit_once('.').map(|(_, n)| n)),
                    )
                    .map(str::to_string);
                    self.error(
                        CheckError::UnknownAlternative {
                            name: name.name.clone(),
                            similar,
                            span: name.span,
                        }
                        .into(),
                    );
                    return None;
                }
                let give = match g {
                    Some(g) => Some(self.give_expect(g)?),
                    None => None,
                };
                ExpectSpecKind::Alternative(name.name.clone(), give)
            }
            ExpectKind::Daily(amount) => {
                let value = self.written_dose(amount, Expectation::Daily)?;
                let per_day = match &value {
                    Value::Num(q) => q.dim().time == -1,
                    Value::Range(r) => {
                        matches!((&r.0, &r.1), (Value::Num(a), Value::Num(b)) if a.dim().time == -1 && b.dim().time == -1)
                    }
                    _ => false,
                };
                if !per_day {
                    self.error(CheckError::DailyNotPerDay { span: amount.span }.into());
                    return None;
                }
                ExpectSpecKind::Daily(value)
            }
            ExpectKind::Schedule(items) => {
                let mut steps = Vec::new();
                for item in items {
                    let written = self.expr(&item.amount, None);
                    if written.ty == Type::Error {
                        return None; // already reported
                    }
                    match written.kind {
                        super::CExprKind::Const(Value::Num(q)) => steps.push(StepExpect {
                            dose: q,
                            frequency: item.frequency.as_ref().map(|f| self.expect_frequency(f)),
                        }),
                        _ => {
                            self.error(CheckError::ScheduleNotDose { span: item.span }.into());
                            return None;
                        }
                    }
                }
                ExpectSpecKind::Schedule(steps)
            }
            ExpectKind::Warn { critical, text } => ExpectSpecKind::Warn {
                critical: *critical,
                text: text.value.clone(),
            },
            ExpectKind::Note(t) => ExpectSpecKind::Note(t.value.clone()),
            ExpectKind::Stop(t) => ExpectSpecKind::Stop(t.as_ref().map(|t| t.value.clone())),
            ExpectKind::Proposal(input, word, range) => {
                if let Some(input) = input {
                    let judged = self
                        .program
                        .phases
                        .iter()
                        .flat_map(|p| &p.proposals)
                        .any(|p| self.program.inputs[p.input].name == input.name);
                    if !judged {
                        self.error(
                            CheckError::UnknownProposalInput {
                                name: input.name.clone(),
                                similar: None,
                                span: input.span,
                            }
                            .into(),
                        );
                        return None;
                    }
                }
                let allowed = match word.name.as_str() {
                    "allowed" => true,
                    "refused" => false,
                    _ => {
                        self.error(
                            CheckError::ProposalWord {
                                word: word.name.clone(),
                                span: word.span,
                            }
                            .into(),
                        );
                        return None;
                    }
                };
                let range = match range {
                    None => None,
                    Some(r) => {
                        let v = self.written_dose(r, Expectation::ProposalRange)?;
                        if !matches!(v, Value::Range(_)) {
                            self.error(CheckError::ProposalNotRange { span: r.span }.into());
                            return None;
                        }
                        Some(v)
                    }
                };
                ExpectSpecKind::Proposal(allowed, range, input.as_ref().map(|i| i.name.clone()))
            }
            ExpectKind::Phase(p) => {
                let Some(&i) = self.phase_names.get(&p.name) else {
                    if self.muted() {
                        self.error_unshown(Code::PhaseUnknown);
                        return None;
                    }
                    let d = CheckError::UnknownPhase {
                        name: p.name.clone(),
                        similar: close_match(&p.name, self.phase_names.keys().map(String::as_str))
                            .map(str::to_string),
                        phases: self.phase_list(),
                        offer_new: false,
                        span: p.span,
                    };
                    self.error(d.into());
                    return None;
                };
                ExpectSpecKind::Phase(i)
            }
            ExpectKind::Rejected(t) => {
                ExpectSpecKind::Rejected(t.as_ref().map(|t| t.value.clone()))
            }
            ExpectKind::GivenThat(expr) => {
                let c = self.condition(expr);
                if c.ty == Type::Error {
                    return None;
                }
                ExpectSpecKind::GivenThat(c)
            }
            ExpectKind::That(expr) => {
                self.error(CheckError::ExpectThat { span: expr.span }.into());
                return None;
            }
            ExpectKind::Limit(verdict, dose, freq) => {
                let refuses = match verdict.name.as_str() {
                    "refuses" => true,
                    "allows" => false,
                    _ => {
                        self.error(
                            CheckError::LimitVerdict {
                                word: verdict.name.clone(),
                                similar: close_match(&verdict.name, ["refuses", "allows"]),
                                span: verdict.span,
                            }
                            .into(),
                        );
                        return None;
                    }
                };
                let amount = self.written_dose(dose, Expectation::Limit)?;
                ExpectSpecKind::Limit {
                    refuses,
                    amount,
                    frequency: freq.as_ref().map(|f| self.expect_frequency(f)),
                }
            }
        })
    }
}

impl Checker<'_> {
    /// A written-out dose, rate or range (constants only); reports what `expectation` wants
    /// otherwise.
    fn written_dose(&mut self, amount: &ast::Expr, expectation: Expectation) -> Option<Value> {
        let c = self.expr(amount, None);
        match (&c.ty, c.kind) {
            (Type::Num(_) | Type::Range(_), super::CExprKind::Const(v)) => Some(v),
            (Type::Error, _) => None,
            // A range of two written-out doses; any other range is reported below.
            (Type::Range(_), kind) if fold_range(&kind).is_some() => fold_range(&kind),
            _ => {
                self.error(
                    CheckError::NotWrittenDose {
                        expectation,
                        span: amount.span,
                    }
                    .into(),
                );
                None
            }
        }
    }

    fn give_expect(&mut self, g: &ast::ExpectGive) -> Option<GiveExpect> {
        let amount = self.written_dose(&g.amount, Expectation::Give)?;
        Some(GiveExpect {
            amount,
            form: g.form.as_ref().map(|f| f.name.clone()),
            route: g.route.as_ref().map(|r| r.name.clone()),
            frequency: g.frequency.as_ref().map(|f| self.expect_frequency(f)),
            among: g.among,
        })
    }

    fn expect_frequency(&mut self, f: &ast::Frequency) -> FrequencySpec {
        match &f.kind {
            FrequencyKind::TimesDaily(n) => FrequencySpec::TimesDaily(self.expect_type(
                n,
                &Type::number(),
                "the number of doses per day",
            )),
            FrequencyKind::Every(t) => FrequencySpec::Every(self.expr(t, None)),
        }
    }
}

/// `a..b` of two constants as a range value.
fn fold_range(kind: &super::CExprKind) -> Option<Value> {
    let super::CExprKind::Binary(crate::ops::BinaryOp::Range, a, b) = kind else {
        return None;
    };
    match (&a.kind, &b.kind) {
        (super::CExprKind::Const(x), super::CExprKind::Const(y)) => {
            Some(Value::Range(Arc::new((x.clone(), y.clone()))))
        }
        _ => None,
    }
}
