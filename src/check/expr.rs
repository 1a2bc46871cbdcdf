//! Expression checking: resolves names to slots and types every operation with its dimension.

use super::functions::{function, info, FunctionInfo, FUNCTIONS};
use super::{CExpr, CExprKind, CheckError, Checker, Func, Reference, Type};
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Span};
use crate::ops::{BinaryOp, IsTest, RoundMode as AstRound, UnaryOp};
use crate::syntax::ast::{Expr, ExprKind};
use crate::syntax::close_match;
use crate::units::{Quantity, RoundMode, Unit};
use crate::value::Value;

// `^`, `sqrt` and `value(… in UNIT)`.
pub(super) mod formula;

/// The deepest the checker may recurse into expressions, following the `let`s they use.
pub(super) const MAX_CHECK_DEPTH: usize = 256;

thread_local! {
    /// How many `Checker::expr` calls are under way on this thread.
    static CHECKING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one level of `Checker::expr` while it lives.
struct Checking;

impl Checking {
    /// One more level, or `None` past [`MAX_CHECK_DEPTH`].
    fn enter() -> Option<Checking> {
        let depth = CHECKING.with(|c| c.get());
        if depth >= MAX_CHECK_DEPTH {
            return None;
        }
        CHECKING.with(|c| c.set(depth + 1));
        Some(Checking)
    }
}

impl Drop for Checking {
    fn drop(&mut self) {
        CHECKING.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

fn error_expr(span: Span) -> CExpr {
    CExpr {
        kind: CExprKind::Const(Value::Missing),
        ty: Type::Error,
        span,
    }
}

impl Checker<'_> {
    /// Checks an expression; `expected` lets a bare name resolve to an enum value.
    pub(super) fn expr(&mut self, e: &Expr, expected: Option<&Type>) -> CExpr {
        // Checking a value checks the `let`s it uses first, so the recursion runs down whole
        // chains of values: bounded here, so that no protocol can exhaust the stack.
        let Some(_level) = Checking::enter() else {
            if self.diags.iter().any(|d| d.code == Code::NameTooDeep) {
                return error_expr(e.span);
            }
            self.error(CheckError::CheckTooDeep { span: e.span }.into());
            return error_expr(e.span);
        };
        self.expr_unguarded(e, expected)
    }

    fn expr_unguarded(&mut self, e: &Expr, expected: Option<&Type>) -> CExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Quantity { value, unit } => self.quantity_literal(*value, unit, span),
            ExprKind::Bool(b) => constant(Value::Bool(*b), Type::Bool, span),
            ExprKind::Text(t) => match (expected, super::consts::parse_date(t)) {
                // `alarm_date == "2027-01-22"`: a quoted ISO date where a date is expected.
                (Some(Type::Date), Some(d)) => constant(Value::Date(d), Type::Date, span),
                _ => constant(Value::Text(t.as_str().into()), Type::Text, span),
            },
            ExprKind::Name(name) => self.name(name, span, expected),
            ExprKind::Call(func, args) => self.call(&func.name, func.span, args, span),
            ExprKind::Field(base, field) => self.field(base, &field.name, field.span, span),
            ExprKind::Unary(op, operand) => self.unary(*op, operand, span),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, span, expected),
            ExprKind::If(c, a, b) => self.if_expr(c, a, b, span, expected),
            ExprKind::List(items) => self.list(items, span, expected),
            ExprKind::Is(operand, test) => self.is_test(operand, *test, span),
            ExprKind::Round(body, mode, step) => self.round(body, *mode, step, span),
            ExprKind::RoundOf(body, mode, list) => self.round_of(body, *mode, list, span),
            ExprKind::Index(list, at) => self.index(list, at, span),
            ExprKind::Table(t) => self.table(t, span),
        }
    }

    /// Checks an expression that must have type `want` (by dimension for numbers).
    pub(super) fn expect_type(&mut self, e: &Expr, want: &Type, place: &str) -> CExpr {
        let c = self.expr(e, Some(want));
        if !c.ty.same(want) {
            let d = self.mismatch(&c, want, place);
            self.error(d);
            return error_expr(c.span);
        }
        c
    }

    /// Checks a condition (true/false).
    pub(super) fn condition(&mut self, e: &Expr) -> CExpr {
        self.expect_type(e, &Type::Bool, "a condition")
    }

    fn quantity_literal(
        &mut self,
        value: rust_decimal::Decimal,
        unit: &Option<(String, Span)>,
        span: Span,
    ) -> CExpr {
        let unit = match unit {
            None => Unit::none(),
            Some((text, unit_span)) => {
                // Each spelling parsed once: a thousand rules write `mg` a thousand times.
                let (u, safe) = match self.units_read.get(text.as_str()) {
                    Some(read) => read.clone(),
                    None => match Unit::parse(text) {
                        Ok(u) => {
                            let read = (u, crate::units::safe_unit_spelling(text));
                            self.units_read.insert(text.clone(), read.clone());
                            read
                        }
                        Err(err) => {
                            self.error(err.to_diagnostic(*unit_span));
                            return error_expr(span);
                        }
                    },
                };
                if let Some(safe) = safe {
                    self.unsafe_spelling(text, safe, *unit_span);
                }
                u
            }
        };
        let q = Quantity::new(value.into(), unit.clone());
        constant(Value::Num(q), Type::Num(unit), span)
    }

    fn name(&mut self, name: &str, span: Span, expected: Option<&Type>) -> CExpr {
        for (depth, record) in self.item_scopes.iter().rev().enumerate() {
            let record = &self.program.records[*record as usize];
            if let Some(field) = record.field_index(name) {
                let ty = record.fields[field].ty.clone();
                return CExpr {
                    kind: CExprKind::Item { depth, field },
                    ty,
                    span,
                };
            }
        }
        let phase_slot = self
            .current_phase
            .and_then(|p| self.phase_lets.get(p))
            .and_then(|m| m.get(name));
        if let Some(&slot) = phase_slot.or_else(|| self.global_lets.get(name)) {
            let ty = self.check_let(slot, Some(span));
            self.note_read(name, Reference::Let(slot));
            return CExpr {
                kind: CExprKind::Let(slot),
                ty,
                span,
            };
        }
        if let Some(&slot) = self.input_names.get(name) {
            self.note_read(name, Reference::Input(slot));
            return CExpr {
                kind: CExprKind::Input(slot),
                ty: self.program.inputs[slot].ty.clone(),
                span,
            };
        }
        if let Some(c) = self.enum_value(name, span, expected) {
            return c;
        }
        if self.muted() {
            self.error_unshown(Code::NameUnknown);
            return error_expr(span);
        }
        let d = self.unknown_name(name, span, expected);
        self.error(d);
        error_expr(span)
    }

    fn note_read(&mut self, name: &str, r: Reference) {
        if let Some(reads) = &mut self.reads {
            reads.note(name, r);
        }
    }

    /// A bare name as an enum value: from the expected enum, or the only enum that has it.
    fn enum_value(&mut self, name: &str, span: Span, expected: Option<&Type>) -> Option<CExpr> {
        if let Some(Type::Enum(id)) = expected {
            return self.program.enums[*id as usize]
                .value_index(name)
                .map(|i| constant(Value::Enum(*id, i as u32), Type::Enum(*id), span));
        }
        let owners = self.enum_owners.get(name)?;
        match owners.as_slice() {
            [] => None,
            [(id, i)] => Some(constant(Value::Enum(*id, *i), Type::Enum(*id), span)),
            _ if self.muted() => {
                self.error_unshown(Code::NameAmbiguous);
                Some(error_expr(span))
            }
            many => {
                let ids: foldhash::HashSet<u32> = many.iter().map(|(id, _)| *id).collect();
                let inputs: Vec<String> = self
                    .program
                    .inputs
                    .iter()
                    .filter(|i| matches!(i.ty, Type::Enum(id) if ids.contains(&id)))
                    .map(|i| format!("`{}`", i.name))
                    .collect();
                let (owners_text, example) = match inputs.as_slice() {
                    [] => ("more than one input".to_string(), "input".to_string()),
                    [.., last] => (
                        format!(
                            "{} and {last}",
                            super::list_some(
                                inputs[..inputs.len() - 1].iter().map(String::as_str),
                                ", "
                            )
                        ),
                        inputs[0].trim_matches('`').to_string(),
                    ),
                };
                self.error(
                    CheckError::Ambiguous {
                        name: name.to_string(),
                        owners: owners_text,
                        example,
                        span,
                    }
                    .into(),
                );
                Some(error_expr(span))
            }
        }
    }

    fn unknown_name(&self, name: &str, span: Span, expected: Option<&Type>) -> Diagnostic {
        let mut candidates: Vec<&str> = Vec::new();
        if let Some(Type::Enum(id)) = expected {
            candidates.extend(
                self.program.enums[*id as usize]
                    .values
                    .iter()
                    .map(String::as_str),
            );
        }
        candidates.extend(self.input_names.keys().map(String::as_str));
        candidates.extend(self.global_lets.keys().map(String::as_str));
        if let Some(p) = self.current_phase {
            candidates.extend(self.phase_lets[p].keys().map(String::as_str));
        }
        for record in &self.item_scopes {
            let fields = &self.program.records[*record as usize].fields;
            candidates.extend(fields.iter().map(|f| f.name.as_str()));
        }
        if expected.is_none() {
            for e in &self.program.enums {
                candidates.extend(e.values.iter().map(String::as_str));
            }
        }
        candidates.sort_unstable();
        let choices = match expected {
            Some(Type::Enum(id)) => Some(self.program.enums[*id as usize].listed(", ")),
            _ => None,
        };
        CheckError::UnknownName {
            name: name.to_string(),
            choice: choices.is_some(),
            similar: close_match(name, candidates.iter().copied()).map(str::to_string),
            choices,
            span,
        }
        .into()
    }

    fn field(&mut self, base: &Expr, name: &str, name_span: Span, span: Span) -> CExpr {
        let base = self.expr(base, None);
        let (record, project) = match &base.ty {
            Type::Record(id) => (*id, false),
            Type::List(inner) => match **inner {
                Type::Record(id) => (id, true),
                _ => return self.not_a_record(&base, name_span),
            },
            Type::Error => return error_expr(span),
            _ => return self.not_a_record(&base, name_span),
        };
        let spec = &self.program.records[record as usize];
        let fields = &spec.fields;
        let Some(index) = spec.field_index(name) else {
            if self.muted() {
                self.error_unshown(Code::NameUnknownField);
                return error_expr(span);
            }
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            let d = CheckError::UnknownField {
                name: name.to_string(),
                similar: close_match(name, names.iter().copied()).map(str::to_string),
                fields: super::list_some(names.iter().copied(), ", "),
                span: name_span,
            };
            self.error(d.into());
            return error_expr(span);
        };
        let field_ty = fields[index].ty.clone();
        if project {
            CExpr {
                kind: CExprKind::Project(Box::new(base), index),
                ty: Type::List(Box::new(field_ty)),
                span,
            }
        } else {
            CExpr {
                kind: CExprKind::Field(Box::new(base), index),
                ty: field_ty,
                span,
            }
        }
    }

    fn not_a_record(&mut self, base: &CExpr, name_span: Span) -> CExpr {
        let written = self
            .program
            .source
            .text
            .get(base.span.start..base.span.end)
            .filter(|t| !t.contains('\n'))
            .map(str::to_string);
        let d = CheckError::NotARecord {
            written,
            found: self.describe(&base.ty),
            field: name_span,
            base: base.span,
        };
        self.error(d.into());
        error_expr(base.span.join(name_span))
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> CExpr {
        let c = match op {
            UnaryOp::Not => self.condition(operand),
            UnaryOp::Neg => self.expr(operand, None),
        };
        let ty = c.ty.clone();
        if op == UnaryOp::Neg && !matches!(ty, Type::Num(_) | Type::Range(_) | Type::Error) {
            let d = self.mismatch(&c, &Type::number(), "a negated value");
            self.error(d);
            return error_expr(span);
        }
        CExpr {
            kind: CExprKind::Unary(op, Box::new(c)),
            ty,
            span,
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        a: &Expr,
        b: &Expr,
        span: Span,
        expected: Option<&Type>,
    ) -> CExpr {
        if op == BinaryOp::Pow {
            return self.power(a, b, span);
        }
        let (ca, cb) = self.operands(op, a, b, expected);
        let ty = match self.binary_type(op, &ca, &cb) {
            Ok(ty) => ty,
            Err(d) => {
                self.error(d);
                Type::Error
            }
        };
        if ty == Type::Error {
            return error_expr(span);
        }
        if op == BinaryOp::Div {
            self.fault_if_zero_divisor(&cb);
        }
        CExpr {
            kind: CExprKind::Binary(op, Box::new(ca), Box::new(cb)),
            ty,
            span,
        }
    }

    /// Checks both operands; for comparisons, the side that is not a bare name first, so a
    /// bare name on the other side can resolve to a choice of its enum.
    fn operands(
        &mut self,
        op: BinaryOp,
        a: &Expr,
        b: &Expr,
        expected: Option<&Type>,
    ) -> (CExpr, CExpr) {
        let comparing = matches!(op, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::In);
        if comparing && self.is_unbound_name(a) && !self.is_unbound_name(b) {
            let cb = self.expr(b, None);
            let hint = element_type(&cb.ty);
            let ca = self.expr(a, hint.as_ref());
            return (ca, cb);
        }
        let passes = matches!(op, BinaryOp::Range).then_some(expected).flatten();
        let ca = self.expr(a, passes);
        let hint = if comparing || op == BinaryOp::Range {
            Some(ca.ty.clone())
        } else {
            None
        };
        let cb = match (op, &hint) {
            // `renal in [moderate, severe]`: the list's bare names are choices of `renal`.
            (BinaryOp::In, Some(h)) => self.expr(b, Some(&Type::List(Box::new(h.clone())))),
            (BinaryOp::In, None) => self.expr(b, None),
            _ => self.expr(b, hint.as_ref()),
        };
        (ca, cb)
    }

    fn is_unbound_name(&self, e: &Expr) -> bool {
        let ExprKind::Name(n) = &e.kind else {
            return false;
        };
        let in_items = self
            .item_scopes
            .iter()
            .any(|r| self.program.records[*r as usize].field_index(n).is_some());
        let in_phase = self
            .current_phase
            .is_some_and(|p| self.phase_lets[p].contains_key(n));
        !(in_items
            || in_phase
            || self.global_lets.contains_key(n)
            || self.input_names.contains_key(n))
    }

    fn binary_type(&self, op: BinaryOp, a: &CExpr, b: &CExpr) -> Result<Type, Diagnostic> {
        use BinaryOp::*;
        if a.ty == Type::Error || b.ty == Type::Error {
            return Ok(Type::Error);
        }
        let verb = match op {
            Add => "add",
            Sub => "subtract",
            Mul => "multiply",
            Div => "divide",
            Range => "make a range of",
            And | Or => "combine",
            _ => "compare",
        };
        match op {
            And | Or => {
                for c in [a, b] {
                    if c.ty != Type::Bool {
                        return Err(self.mismatch(
                            c,
                            &Type::Bool,
                            &format!("each side of `{}`", op.symbol()),
                        ));
                    }
                }
                Ok(Type::Bool)
            }
            Eq | Ne => {
                // Lists of plain values compare item by item (`[a, b] == [300 mg, 400 mg]`);
                // records, ranges and lists of them do not.
                let plain_list = |t: &Type| match t {
                    Type::List(inner) => !matches!(
                        **inner,
                        Type::List(_) | Type::Record(_) | Type::Range(_) | Type::EmptyList
                    ),
                    _ => false,
                };
                let lists = match (&a.ty, &b.ty) {
                    (Type::EmptyList, t) | (t, Type::EmptyList) => plain_list(t),
                    (x, _) => plain_list(x) && a.ty.same(&b.ty),
                };
                let plain = a.ty.same(&b.ty)
                    && !matches!(
                        a.ty,
                        Type::List(_) | Type::Record(_) | Type::Range(_) | Type::EmptyList
                    );
                if plain || lists {
                    Ok(Type::Bool)
                } else {
                    Err(self.operand_mismatch(verb, a, b))
                }
            }
            Lt | Le | Gt | Ge => match (&a.ty, &b.ty) {
                (Type::Num(_), Type::Num(_)) | (Type::Date, Type::Date) if a.ty.same(&b.ty) => {
                    Ok(Type::Bool)
                }
                _ => Err(self.operand_mismatch(verb, a, b)),
            },
            In => match &b.ty {
                Type::Range(inner) | Type::List(inner) if inner.same(&a.ty) => Ok(Type::Bool),
                Type::EmptyList => Ok(Type::Bool),
                _ => Err(CheckError::InMismatch {
                    left: self.describe(&a.ty),
                    right: self.describe(&b.ty),
                    span: b.span,
                }
                .into()),
            },
            Range => match (&a.ty, &b.ty) {
                (Type::Num(_), Type::Num(_)) | (Type::Date, Type::Date) if a.ty.same(&b.ty) => {
                    Ok(Type::Range(Box::new(a.ty.clone())))
                }
                _ => Err(self.operand_mismatch(verb, a, b)),
            },
            Add | Sub => self.additive_type(op, a, b, verb),
            Mul | Div => self.multiplicative_type(op, a, b, verb),
            // Checked apart (`Checker::power`): its exponent is a number written in the text.
            Pow => Err(self.operand_mismatch("raise", a, b)),
        }
    }

    fn additive_type(
        &self,
        op: BinaryOp,
        a: &CExpr,
        b: &CExpr,
        verb: &str,
    ) -> Result<Type, Diagnostic> {
        let time = Type::Num(Unit::parse("day").unwrap_or_default());
        match (&a.ty, &b.ty) {
            (Type::Num(_), Type::Num(_)) if a.ty.same(&b.ty) => Ok(a.ty.clone()),
            (Type::Range(inner), Type::Num(_)) if inner.same(&b.ty) => Ok(a.ty.clone()),
            (Type::Num(_), Type::Range(inner)) if inner.same(&a.ty) && op == BinaryOp::Add => {
                Ok(b.ty.clone())
            }
            (Type::Date, Type::Num(_)) if b.ty.same(&time) => Ok(Type::Date),
            (Type::Date, Type::Date) if op == BinaryOp::Sub => Ok(time),
            _ => Err(self.operand_mismatch(verb, a, b)),
        }
    }

    fn multiplicative_type(
        &self,
        op: BinaryOp,
        a: &CExpr,
        b: &CExpr,
        verb: &str,
    ) -> Result<Type, Diagnostic> {
        let combine = |x: &Unit, y: &Unit| {
            let product = if op == BinaryOp::Mul {
                x.mul(y)
            } else {
                x.div(y)
            };
            product.map(|p| Type::Num(p.unit))
        };
        let result = match (&a.ty, &b.ty) {
            (Type::Num(x), Type::Num(y)) => combine(x, y),
            (Type::Range(inner), Type::Num(y)) => match &**inner {
                Type::Num(x) => combine(x, y).map(|t| Type::Range(Box::new(t))),
                _ => return Err(self.operand_mismatch(verb, a, b)),
            },
            (Type::Num(x), Type::Range(inner)) if op == BinaryOp::Mul => match &**inner {
                Type::Num(y) => combine(x, y).map(|t| Type::Range(Box::new(t))),
                _ => return Err(self.operand_mismatch(verb, a, b)),
            },
            _ => return Err(self.operand_mismatch(verb, a, b)),
        };
        result.map_err(|e| e.to_diagnostic(a.span.join(b.span)))
    }

    fn if_expr(
        &mut self,
        c: &Expr,
        a: &Expr,
        b: &Expr,
        span: Span,
        expected: Option<&Type>,
    ) -> CExpr {
        let cc = self.condition(c);
        let hint = |c: &CExpr| Some(c.ty.clone()).filter(|t| *t != Type::Error);
        // A bare choice in one branch takes its input from the other branch, whichever it is.
        let (ca, cb) = if expected.is_none() && self.is_unbound_name(a) && !self.is_unbound_name(b)
        {
            let cb = self.expr(b, None);
            (self.expr(a, hint(&cb).as_ref()), cb)
        } else {
            let ca = self.expr(a, expected);
            let cb = self.expr(b, hint(&ca).as_ref().or(expected));
            (ca, cb)
        };
        if !ca.ty.same(&cb.ty) {
            let d = self.operand_mismatch("choose between", &ca, &cb);
            self.error(d);
            return error_expr(span);
        }
        let ty = if ca.ty == Type::Error {
            cb.ty.clone()
        } else {
            ca.ty.clone()
        };
        CExpr {
            kind: CExprKind::If(Box::new(cc), Box::new(ca), Box::new(cb)),
            ty,
            span,
        }
    }

    fn list(&mut self, items: &[Expr], span: Span, expected: Option<&Type>) -> CExpr {
        let mut elem_hint = match expected {
            Some(Type::List(inner)) => Some((**inner).clone()),
            _ => None,
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let c = self.expr(item, elem_hint.as_ref());
            if let Some(h) = &elem_hint {
                if !h.same(&c.ty) {
                    let d = self.mismatch(&c, h, "every item of a list");
                    self.error(d);
                    return error_expr(span);
                }
            } else if c.ty != Type::Error {
                elem_hint = Some(c.ty.clone());
            }
            out.push(c);
        }
        let ty = match elem_hint {
            Some(t) => Type::List(Box::new(t)),
            None => Type::EmptyList,
        };
        CExpr {
            kind: CExprKind::List(out),
            ty,
            span,
        }
    }

    fn is_test(&mut self, operand: &Expr, test: IsTest, span: Span) -> CExpr {
        let c = self.expr(operand, None);
        if matches!(test, IsTest::Empty | IsTest::NotEmpty)
            && !matches!(
                c.ty,
                Type::List(_) | Type::EmptyList | Type::Error | Type::Text
            )
        {
            let d = CheckError::EmptyNotList {
                found: self.describe(&c.ty),
                span: c.span,
            };
            self.error(d.into());
            return error_expr(span);
        }
        CExpr {
            kind: CExprKind::Is(Box::new(c), test),
            ty: Type::Bool,
            span,
        }
    }

    fn round(&mut self, body: &Expr, mode: AstRound, step: &Expr, span: Span) -> CExpr {
        let cb = match &body.kind {
            // `sqrt(x) round to 0.01`: the root is rounded where it is taken, so it may be
            // irrational (see `formula.rs`).
            ExprKind::Call(f, args) if f.name == "sqrt" => self.rounded_sqrt(args, body.span),
            _ => self.expr(body, None),
        };
        let cs = self.expr(step, None);
        let body_num = match &cb.ty {
            Type::Range(inner) => (**inner).clone(),
            t => t.clone(),
        };
        if !matches!(cs.ty, Type::Num(_) | Type::Error)
            || !matches!(body_num, Type::Num(_) | Type::Error)
            || !body_num.same(&cs.ty)
        {
            let d = self.operand_mismatch("round", &cb, &cs);
            self.error(d.with_help("round to a step of the same kind, e.g. `round down to 5 mg`"));
            return error_expr(span);
        }
        let mode = match mode {
            AstRound::Nearest => RoundMode::Nearest,
            AstRound::Up => RoundMode::Up,
            AstRound::Down => RoundMode::Down,
        };
        self.fault_if_zero_step(&cs);
        // The result is in the step's unit.
        let ty = match (&cb.ty, &cs.ty) {
            (Type::Range(_), t) => Type::Range(Box::new(t.clone())),
            (_, t) => t.clone(),
        };
        CExpr {
            kind: CExprKind::Round(Box::new(cb), mode, Box::new(cs)),
            ty,
            span,
        }
    }

    fn call(&mut self, name: &str, name_span: Span, args: &[Expr], span: Span) -> CExpr {
        let Some(&FunctionInfo { func, .. }) = function(name) else {
            let names = || FUNCTIONS.iter().map(|f| f.name);
            // `minimum` → `min`, `ceiling` → `ceil`: a function's name cut short.
            let shortened = || {
                let lower = name.to_lowercase();
                names().find(|n| n.len() >= 3 && lower.starts_with(n))
            };
            let d = CheckError::UnknownFunction {
                name: name.to_string(),
                similar: close_match(name, names()).or_else(shortened),
                functions: names().collect::<Vec<_>>().join(", "),
                span: name_span,
            };
            self.error(d.into());
            return error_expr(span);
        };
        if matches!(func, Func::First | Func::Last | Func::Min | Func::Max) {
            self.empty_list_calls = true;
        }
        match self.call_typed(func, name, args, span) {
            Ok((cargs, ty)) => CExpr {
                kind: CExprKind::Call(func, cargs),
                ty,
                span,
            },
            Err(d) => {
                self.error(d);
                error_expr(span)
            }
        }
    }

    /// Holds the number of values against the function's table row.
    fn arity(&self, func: Func, args: &[Expr], span: Span) -> Result<(), Diagnostic> {
        let FunctionInfo {
            name, arity, usage, ..
        } = info(func);
        if arity.contains(&args.len()) {
            return Ok(());
        }
        Err(CheckError::Arity {
            name,
            takes: plural_args(arity),
            given: args.len(),
            usage,
            span,
        }
        .into())
    }

    // Long on purpose: one arm per built-in function's argument and result types.
    fn call_typed(
        &mut self,
        func: Func,
        name: &str,
        args: &[Expr],
        span: Span,
    ) -> Result<(Vec<CExpr>, Type), Diagnostic> {
        match func {
            Func::Min | Func::Max => {
                if args.len() == 1 {
                    let list = self.expr(&args[0], None);
                    return match &list.ty {
                        Type::List(inner) if matches!(**inner, Type::Num(_)) => {
                            let ty = (**inner).clone();
                            Ok((vec![list], ty))
                        }
                        _ => Err(self.mismatch(
                            &list,
                            &Type::List(Box::new(Type::number())),
                            &format!("the value of `{name}`"),
                        )),
                    };
                }
                self.arity(func, args, span)?;
                self.same_numbers(args, name)
            }
            Func::Clamp => {
                self.arity(func, args, span)?;
                self.same_numbers(args, name)
            }
            Func::Abs | Func::Floor | Func::Ceil => {
                self.arity(func, args, span)?;
                self.same_numbers(args, name)
            }
            Func::Lower | Func::Upper => {
                self.arity(func, args, span)?;
                let r = self.expr(&args[0], None);
                match &r.ty {
                    Type::Range(inner) => {
                        let ty = (**inner).clone();
                        Ok((vec![r], ty))
                    }
                    Type::Error => Ok((vec![r], Type::Error)),
                    _ => Err(self.mismatch(
                        &r,
                        &Type::Range(Box::new(Type::number())),
                        &format!("the value of `{name}`"),
                    )),
                }
            }
            Func::Ascending => {
                self.arity(func, args, span)?;
                let list = self.list_arg(&args[0], name)?;
                match element_type(&list.ty) {
                    Some(Type::Num(_) | Type::Date | Type::Error) | None => {
                        Ok((vec![list], Type::Bool))
                    }
                    _ => Err(self.mismatch(
                        &list,
                        &Type::List(Box::new(Type::number())),
                        "the value of `ascending`",
                    )),
                }
            }
            Func::Sqrt => {
                self.arity(func, args, span)?;
                self.sqrt_typed(&args[0], span, false)
            }
            Func::Value => self.value_typed(args, span),
            Func::First | Func::Last | Func::Sum => {
                self.arity(func, args, span)?;
                let list = self.list_arg(&args[0], name)?;
                let elem = element_type(&list.ty).unwrap_or(Type::Error);
                if func == Func::Sum && !matches!(elem, Type::Num(_) | Type::Error) {
                    return Err(self.mismatch(
                        &list,
                        &Type::List(Box::new(Type::number())),
                        "the value of `sum`",
                    ));
                }
                Ok((vec![list], elem))
            }
            Func::Count | Func::Any | Func::All | Func::Filter => {
                let usage = info(func).usage;
                self.arity(func, args, span)?;
                let list = self.list_arg(&args[0], name)?;
                let elem = element_type(&list.ty).unwrap_or(Type::Error);
                let result = match func {
                    Func::Count => Type::number(),
                    Func::Filter => list.ty.clone(),
                    _ => Type::Bool,
                };
                if args.len() == 1 {
                    if matches!(func, Func::Any | Func::All)
                        && !matches!(elem, Type::Bool | Type::Error)
                    {
                        return Err(self
                            .mismatch(
                                &list,
                                &Type::List(Box::new(Type::Bool)),
                                &format!("the list of `{name}` without a condition"),
                            )
                            .with_help(format!("add a condition: `{usage}`")));
                    }
                    return Ok((vec![list], result));
                }
                let Type::Record(record) = elem else {
                    return Err(CheckError::ConditionNeedsRecords {
                        name: name.to_string(),
                        found: self.describe(&list.ty),
                        span: list.span,
                    }
                    .into());
                };
                self.item_scopes.push(record);
                let cond = self.condition(&args[1]);
                self.item_scopes.pop();
                Ok((vec![list, cond], result))
            }
        }
    }

    fn list_arg(&mut self, e: &Expr, name: &str) -> Result<CExpr, Diagnostic> {
        let list = self.expr(e, None);
        match list.ty {
            Type::List(_) | Type::EmptyList | Type::Error => Ok(list),
            _ => Err(self.mismatch(
                &list,
                &Type::List(Box::new(Type::Error)),
                &format!("the value of `{name}`"),
            )),
        }
    }

    fn same_numbers(
        &mut self,
        args: &[Expr],
        name: &str,
    ) -> Result<(Vec<CExpr>, Type), Diagnostic> {
        let mut out: Vec<CExpr> = Vec::new();
        for a in args {
            let c = self.expr(a, None);
            if !matches!(c.ty, Type::Num(_) | Type::Error) {
                return Err(self.mismatch(&c, &Type::number(), &format!("each value of `{name}`")));
            }
            if let Some(first) = out.first() {
                if !first.ty.same(&c.ty) {
                    return Err(self.operand_mismatch(&format!("take `{name}` of"), first, &c));
                }
            }
            out.push(c);
        }
        let ty = out
            .iter()
            .map(|c| c.ty.clone())
            .find(|t| *t != Type::Error)
            .unwrap_or(Type::Error);
        Ok((out, ty))
    }
}

fn constant(v: Value, ty: Type, span: Span) -> CExpr {
    CExpr {
        kind: CExprKind::Const(v),
        ty,
        span,
    }
}

/// The element type of a list or range (for resolving choices on the other side of `in`/`==`).
fn element_type(ty: &Type) -> Option<Type> {
    match ty {
        Type::List(inner) | Type::Range(inner) => Some((**inner).clone()),
        Type::EmptyList => None,
        t => Some(t.clone()),
    }
}

fn plural_args(allowed: &[usize]) -> String {
    match allowed {
        [1] => "one value".into(),
        [n] => format!("{n} values"),
        [a, .., b] => format!("{a} to {b} values"),
        [] => "no values".into(),
    }
}
