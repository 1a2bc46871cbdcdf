//! Examples: each `given` patient is checked like a patient file, each `expect` typed.

use crate::diagnostics::Code;
use std::collections::HashMap;
use std::sync::Arc;

use super::{Checker, ExampleSpec, ExpectSpec, ExpectSpecKind, FrequencySpec, GiveExpect, Type};
use crate::diagnostics::{Diagnostic, Span};
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
        let mut seen: HashMap<&str, Span> = HashMap::new();
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
                Diagnostic::warning(
                    Code::ExampleNoExpect,
                    format!("the example \"{}\" expects nothing", example.name.value),
                )
                .with_label(example.name.span, "checks nothing")
                .with_help("add `expect status give` or another expectation"),
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
            self.error(
                Diagnostic::error(
                    Code::ExampleGiven,
                    "`given` is followed by the patient's values in braces",
                )
                .with_label(given.span, "not a record")
                .with_help("write `given { phase: start, age: 45 years }`"),
            );
            return None;
        };
        let mut written: Vec<(usize, Value)> = Vec::with_capacity(fields.len());
        let mut first: HashMap<usize, Span> = HashMap::with_capacity(fields.len());
        let mut ok = true;
        for (name, value) in fields {
            let Some(&slot) = self.input_names.get(&name.name) else {
                if self.muted() {
                    self.error_unshown(Code::InputUnknownField);
                    ok = false;
                    continue;
                }
                let help = close_match(&name.name, self.input_names.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "only declared inputs can be given".into());
                self.error(
                    Diagnostic::error(
                        Code::InputUnknownField,
                        format!("`{}` is not an input of this protocol", name.name),
                    )
                    .with_label(name.span, "unknown input")
                    .with_help(help),
                );
                ok = false;
                continue;
            };
            if let Some(&first) = first.get(&slot) {
                self.error(
                    Diagnostic::error(
                        Code::InputDuplicateField,
                        format!("`{}` is given twice", name.name),
                    )
                    .with_label(name.span, "given again")
                    .with_label(first, "first given here")
                    .with_help("keep one value"),
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
                Diagnostic::error(
                    Code::InputMissingField,
                    format!("the example does not give `{name}`"),
                )
                .with_label(given.span, format!("needs `{name}`"))
                .with_help(format!(
                    "`{name}` is required: add `{name}: …`, or declare it optional"
                )),
            );
        }
        ok.then_some(written)
    }

    fn expect(&mut self, e: &ast::Expect) -> Option<ExpectSpecKind> {
        Some(match &e.kind {
            ExpectKind::Status(word) => {
                if !super::examples::STATUSES.contains(&word.name.as_str()) {
                    let help = close_match(&word.name, STATUSES.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("a status is one of {}", STATUSES.join(", ")));
                    self.error(
                        Diagnostic::error(
                            Code::ExampleUnknownStatus,
                            format!("`{}` is not a status", word.name),
                        )
                        .with_label(word.span, "unknown status")
                        .with_help(help),
                    );
                    return None;
                }
                ExpectSpecKind::Status(word.name.clone())
            }
            ExpectKind::Give(g) => {
                let amount = self.written_dose(
                    &g.amount,
                    Code::ExampleGive,
                    "expect a written-out dose, e.g. `expect give 10 mg`",
                    "write the dose the decision must contain",
                )?;
                ExpectSpecKind::Give(GiveExpect {
                    amount,
                    form: g.form.as_ref().map(|f| f.name.clone()),
                    route: g.route.as_ref().map(|r| r.name.clone()),
                    frequency: g.frequency.as_ref().map(|f| self.expect_frequency(f)),
                    among: g.among,
                })
            }
            ExpectKind::Daily(amount) => {
                let value = self.written_dose(
                    amount,
                    Code::ExampleDaily,
                    "expect a written-out total per day, e.g. `expect daily 45 mg/day`",
                    "write the decision's total per day, with its unit",
                )?;
                let per_day = match &value {
                    Value::Num(q) => q.dim().time == -1,
                    Value::Range(r) => {
                        matches!((&r.0, &r.1), (Value::Num(a), Value::Num(b)) if a.dim().time == -1 && b.dim().time == -1)
                    }
                    _ => false,
                };
                if !per_day {
                    self.error(
                        Diagnostic::error(
                            Code::ExampleDaily,
                            "a total per day is a quantity per time, e.g. `45 mg/day`",
                        )
                        .with_label(amount.span, "not per day")
                        .with_help(
                            "write a unit per day: 15 mg 3 times daily is `expect daily 45 mg/day`",
                        ),
                    );
                    return None;
                }
                ExpectSpecKind::Daily(value)
            }
            ExpectKind::Schedule(items) => {
                let mut doses = Vec::new();
                for item in items {
                    let written = match &item.kind {
                        ValueKind::Expr(expr) => Some(self.expr(expr, None)),
                        _ => None,
                    };
                    if written.as_ref().is_some_and(|c| c.ty == Type::Error) {
                        return None; // already reported
                    }
                    match written.map(|c| c.kind) {
                        Some(super::CExprKind::Const(Value::Num(q))) => doses.push(q),
                        _ => {
                            self.error(
                                Diagnostic::error(
                                    Code::ExampleSchedule,
                                    "expect a list of written-out doses",
                                )
                                .with_label(item.span, "not a dose")
                                .with_help("write e.g. `expect schedule [5 mg, 10 mg]`"),
                            );
                            return None;
                        }
                    }
                }
                ExpectSpecKind::Schedule(doses)
            }
            ExpectKind::Warn { critical, text } => ExpectSpecKind::Warn {
                critical: *critical,
                text: text.value.clone(),
            },
            ExpectKind::Note(t) => ExpectSpecKind::Note(t.value.clone()),
            ExpectKind::Stop(t) => ExpectSpecKind::Stop(t.as_ref().map(|t| t.value.clone())),
            ExpectKind::Proposal(word, range) => {
                let allowed = match word.name.as_str() {
                    "allowed" => true,
                    "refused" => false,
                    _ => {
                        self.error(
                            Diagnostic::error(
                                Code::ExampleProposal,
                                format!(
                                    "a proposal is `allowed` or `refused`, not `{}`",
                                    word.name
                                ),
                            )
                            .with_label(word.span, "not `allowed` or `refused`")
                            .with_help(
                                "write `expect proposal allowed` or `expect proposal refused`",
                            ),
                        );
                        return None;
                    }
                };
                let range = match range {
                    None => None,
                    Some(r) => {
                        let v = self.written_dose(
                            r,
                            Code::ExampleProposal,
                            "expect the written-out range shown as allowed, e.g. `range 5 mg..15 mg`",
                            "write both ends of the range the decision shows",
                        )?;
                        if !matches!(v, Value::Range(_)) {
                            self.error(
                                Diagnostic::error(
                                    Code::ExampleProposal,
                                    "the allowed range is written `LOW..HIGH`",
                                )
                                .with_label(r.span, "not a range")
                                .with_help("write both ends, e.g. `range 5 mg..15 mg`"),
                            );
                            return None;
                        }
                        Some(v)
                    }
                };
                ExpectSpecKind::Proposal(allowed, range)
            }
            ExpectKind::Phase(p) => {
                let Some(&i) = self.phase_names.get(&p.name) else {
                    if self.muted() {
                        self.error_unshown(Code::PhaseUnknown);
                        return None;
                    }
                    let help = close_match(&p.name, self.phase_names.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("the phases are {}", self.phase_list()));
                    self.error(
                        Diagnostic::error(
                            Code::PhaseUnknown,
                            format!("there is no phase `{}`", p.name),
                        )
                        .with_label(p.span, "unknown phase")
                        .with_help(help),
                    );
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
                self.error(
                    Diagnostic::error(
                        Code::ExampleThatReadsInputs,
                        "`expect that` is worked out from the example's inputs, not from the decision",
                    )
                    .with_label(
                        expr.span,
                        "read from the inputs and lets, not from the decision",
                    )
                    .with_help(
                        "to check a value computed from the inputs write `expect given that …`; to check the dose decided write `expect give …` or `expect daily …`",
                    ),
                );
                return None;
            }
            ExpectKind::Limit(verdict, dose, freq) => {
                let refuses = match verdict.name.as_str() {
                    "refuses" => true,
                    "allows" => false,
                    _ => {
                        let help = close_match(&verdict.name, ["refuses", "allows"])
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| {
                                "write `expect limit refuses 25 mg` or `expect limit allows 20 mg`"
                                    .into()
                            });
                        self.error(
                            Diagnostic::error(
                                Code::ExampleLimit,
                                format!(
                                    "`expect limit` is followed by `refuses` or `allows`, not `{}`",
                                    verdict.name
                                ),
                            )
                            .with_label(verdict.span, "not `refuses` or `allows`")
                            .with_help(help),
                        );
                        return None;
                    }
                };
                let amount = self.written_dose(
                    dose,
                    Code::ExampleLimit,
                    "expect a written-out dose, e.g. `expect limit refuses 25 mg`",
                    "write the dose to hold against the protocol's hard limits",
                )?;
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
    /// A written-out dose, rate or range (constants only); reports `code` otherwise.
    fn written_dose(
        &mut self,
        amount: &ast::Expr,
        code: Code,
        message: &str,
        help: &str,
    ) -> Option<Value> {
        let c = self.expr(amount, None);
        match (&c.ty, c.kind) {
            (Type::Num(_) | Type::Range(_), super::CExprKind::Const(v)) => Some(v),
            (Type::Error, _) => None,
            // A range of two written-out doses; any other range is reported below.
            (Type::Range(_), kind) if fold_range(&kind).is_some() => fold_range(&kind),
            _ => {
                self.error(
                    Diagnostic::error(code, message.to_string())
                        .with_label(amount.span, "not a dose")
                        .with_help(help.to_string()),
                );
                None
            }
        }
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
