//! Examples: `example "…" { given { … } expect … }`, their values and expectations.

use super::super::ast::*;
use super::{rules, Reader};

impl Reader<'_> {
    /// `example "NAME" { given RECORD expectation* }`.
    pub(super) fn example(&mut self) -> Option<Example> {
        let start = self.start();
        self.word("example")?;
        let name = self.string()?;
        self.lit("{")?;
        self.word("given")?;
        let given = self.record_value()?;
        let mut expects = Vec::new();
        while let Some(e) = self.attempt(|r| r.expectation()) {
            expects.push(e);
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        Some(Example {
            name,
            given,
            expects,
            span: self.span_from(start),
        })
    }

    /// `value = record_value | list_value | op_expr`.
    pub(super) fn value(&mut self) -> Option<Value> {
        self.deeper(|r| r.value_inside())
    }

    fn value_inside(&mut self) -> Option<Value> {
        let start = self.start();
        if let Some(v) = self.attempt(|r| r.record_value()) {
            return Some(v);
        }
        if let Some(items) = self.attempt(|r| r.list_value()) {
            return Some(Value {
                kind: ValueKind::List(items),
                span: self.span_from(start),
            });
        }
        if self.abort {
            return None;
        }
        let e = self.op_expr()?;
        Some(Value {
            kind: ValueKind::Expr(e),
            span: self.span_from(start),
        })
    }

    /// `{ (NAME : value (, NAME : value)* ,?)? }`.
    fn record_value(&mut self) -> Option<Value> {
        let start = self.start();
        self.lit("{")?;
        let mut fields = Vec::new();
        if let Some(first) = self.attempt(|r| r.field_value()) {
            fields.push(first);
            while let Some(f) = self.attempt(|r| {
                r.lit(",")?;
                r.field_value()
            }) {
                fields.push(f);
            }
            self.attempt(|r| r.lit(","));
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        Some(Value {
            kind: ValueKind::Record(fields),
            span: self.span_from(start),
        })
    }

    fn field_value(&mut self) -> Option<(Ident, Value)> {
        let name = self.ident()?;
        self.lit(":")?;
        Some((name, self.value()?))
    }

    /// `[ (value (, value)* ,?)? ]`.
    fn list_value(&mut self) -> Option<Vec<Value>> {
        self.lit("[")?;
        let mut items = Vec::new();
        if let Some(first) = self.attempt(|r| r.value()) {
            items.push(first);
            while let Some(v) = self.attempt(|r| {
                r.lit(",")?;
                r.value()
            }) {
                items.push(v);
            }
            self.attempt(|r| r.lit(","));
        }
        if self.abort {
            return None;
        }
        self.lit("]")?;
        Some(items)
    }

    /// `expect …`: the forms in the grammar's order of trial.
    fn expectation(&mut self) -> Option<Expect> {
        let start = self.start();
        self.word("expect")?;
        self.skip();
        let end = rules::word_end(self.bytes, self.pos)?;
        let kind = match &self.text[self.pos..end] {
            "status" => {
                self.word("status")?;
                ExpectKind::Status(self.any_word()?)
            }
            "given" => {
                self.word("given")?;
                self.word("that")?;
                ExpectKind::GivenThat(self.expr()?)
            }
            "give" => ExpectKind::Give(self.expect_give()?),
            "daily" => {
                self.word("daily")?;
                ExpectKind::Daily(self.op_expr()?)
            }
            "schedule" => ExpectKind::Schedule(self.expect_schedule()?),
            "warn" => {
                self.word("warn")?;
                let critical = self.attempt(|r| r.critical()).is_some();
                let text = self.string()?;
                ExpectKind::Warn { critical, text }
            }
            "note" => {
                self.word("note")?;
                ExpectKind::Note(self.string()?)
            }
            _ => self.expect_rest()?,
        };
        Some(Expect {
            kind,
            span: self.span_from(start),
        })
    }

    /// The forms after `note` in the grammar's order: `proposal`, `phase`, `that`, `limit`,
    /// `stop`, `rejected`, `alternative`.
    fn expect_rest(&mut self) -> Option<ExpectKind> {
        let end = rules::word_end(self.bytes, self.pos)?;
        Some(match &self.text[self.pos..end] {
            "proposal" => self.expect_proposal()?,
            "phase" => {
                self.word("phase")?;
                ExpectKind::Phase(self.ident()?)
            }
            "that" => {
                self.word("that")?;
                ExpectKind::That(self.expr()?)
            }
            "limit" => {
                self.word("limit")?;
                let verdict = self.any_word()?;
                let dose = self.op_expr()?;
                let frequency = self.attempt(|r| r.frequency());
                ExpectKind::Limit(verdict, dose, frequency)
            }
            "stop" => {
                self.word("stop")?;
                ExpectKind::Stop(self.attempt(|r| r.string()))
            }
            "rejected" => {
                self.word("rejected")?;
                ExpectKind::Rejected(self.attempt(|r| r.string()))
            }
            "alternative" => {
                self.word("alternative")?;
                let name = self.ident()?;
                let give = match self.attempt(|r| r.word("refused")) {
                    Some(_) => None,
                    None => Some(self.expect_give()?),
                };
                ExpectKind::Alternative(name, give)
            }
            _ => return None,
        })
    }

    /// `give EXPR (form | route R | frequency)* among?`; a modifier written twice is the pest
    /// path's to refuse.
    fn expect_give(&mut self) -> Option<ExpectGive> {
        self.word("give")?;
        let amount = self.op_expr()?;
        let mut give = ExpectGive {
            amount,
            form: None,
            route: None,
            frequency: None,
            among: false,
        };
        while let Some(m) = self.attempt(|r| r.give_mod(false)) {
            if !give.set(m) {
                return self.give_up();
            }
        }
        if self.abort {
            return None;
        }
        give.among = self.attempt(|r| r.word("among")).is_some();
        Some(give)
    }

    /// `schedule [ (step (, step)* ,?)? ]`, each step `op_expr frequency?`.
    fn expect_schedule(&mut self) -> Option<Vec<ExpectStep>> {
        self.word("schedule")?;
        self.lit("[")?;
        let mut steps = Vec::new();
        if let Some(first) = self.attempt(|r| r.expect_step()) {
            steps.push(first);
            while let Some(s) = self.attempt(|r| {
                r.lit(",")?;
                r.expect_step()
            }) {
                steps.push(s);
            }
            self.attempt(|r| r.lit(","));
        }
        if self.abort {
            return None;
        }
        self.lit("]")?;
        Some(steps)
    }

    fn expect_step(&mut self) -> Option<ExpectStep> {
        let start = self.start();
        let amount = self.op_expr()?;
        let frequency = self.attempt(|r| r.frequency());
        if self.abort {
            return None;
        }
        Some(ExpectStep {
            amount,
            frequency,
            span: self.span_from(start),
        })
    }

    /// `proposal (INPUT before allowed|refused)? WORD (range EXPR)?`.
    fn expect_proposal(&mut self) -> Option<ExpectKind> {
        self.word("proposal")?;
        let input = self.attempt(|r| {
            let input = r.ident()?;
            let m = r.mark();
            r.one_of(&["allowed", "refused"])?;
            r.reset(m);
            Some(input)
        });
        let verdict = self.any_word()?;
        let range = self.attempt(|r| {
            r.word("range")?;
            r.op_expr()
        });
        if self.abort {
            return None;
        }
        Some(ExpectKind::Proposal(input, verdict, range))
    }
}

impl ExpectGive {
    /// Sets the modifier `m`; false if it was already set.
    fn set(&mut self, m: super::decide::GiveMod) -> bool {
        use super::decide::GiveMod;
        match m {
            GiveMod::Form(f) => self.form.replace(f).is_none(),
            GiveMod::Route(r) => self.route.replace(r).is_none(),
            GiveMod::Frequency(f) => self.frequency.replace(f).is_none(),
            GiveMod::Over(_) | GiveMod::For(_) => false,
        }
    }
}
