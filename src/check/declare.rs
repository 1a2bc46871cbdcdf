//! Declarations: the header, the inputs and their types, phase names and `let` slots.

use super::Name;
use crate::diagnostics::Code;
use foldhash::HashMap;

use super::{CheckError, Checker, InputSpec, LetSpec, LetState, RecordSpec, Type};
use crate::check::program::{CExpr, CExprKind, EnumSpec};
use crate::diagnostics::Span;
use crate::syntax::ast::{self, HeaderKey, TypeExprKind};
use crate::syntax::close_match;
use crate::units::{Atom, Quantity, Unit};
use crate::value::Value;

/// Base type names a pharmacist can declare besides units.
const BASE_TYPES: &[&str] = &["bool", "text", "date", "count", "number"];

impl Checker<'_> {
    pub(super) fn declare_header(&mut self) {
        let mut seen: HashMap<&'static str, Span> = HashMap::default();
        for h in &self.ast.headers {
            let key = h.key.keyword();
            if let Some(first) = seen.insert(key, h.key_span) {
                self.duplicate("header line", key, h.key_span, first);
                continue;
            }
            let value = Some(h.value.value.clone());
            let header = &mut self.program.header;
            match h.key {
                HeaderKey::Title => header.title = value,
                HeaderKey::Version => header.version = value,
                HeaderKey::Source => header.source = value,
                HeaderKey::Drug => header.drug = value,
                HeaderKey::Route => header.route = value.map(Name::from),
            }
        }
        for (key, example) in [
            ("version", "version \"1.0.0\""),
            ("source", "source \"… label, section 2\""),
        ] {
            if !seen.contains_key(key) {
                self.error(
                    CheckError::HeaderMissing {
                        key,
                        example,
                        span: self.ast.name.span,
                    }
                    .into(),
                );
            }
        }
    }

    pub(super) fn declare_inputs(&mut self) {
        for decl in &self.ast.inputs {
            if let Some(&slot) = self.input_names.get(&decl.name.name) {
                let first = self.program.inputs[slot].span;
                self.duplicate("input", &decl.name.name, decl.name.span, first);
                continue;
            }
            let spec = self.input_spec(decl);
            self.input_names
                .insert(decl.name.name.clone(), self.program.inputs.len());
            self.program.inputs.push(spec);
        }
    }

    /// Builds the spec of an input or record field: its type, unit, range and default.
    fn input_spec(&mut self, decl: &ast::InputDecl) -> InputSpec {
        let (ty, unit, whole) = self.declared_type(&decl.ty);
        let mut spec = InputSpec {
            name: decl.name.name.clone(),
            span: decl.name.span,
            ty,
            unit,
            whole,
            optional: decl.optional.is_some(),
            default: None,
            range: None,
            conversions: Vec::new(),
        };
        if let Some(range) = &decl.range {
            spec.range = self.declared_range(&spec, range);
        }
        let mut declared_at = Vec::new();
        for conversion in &decl.convert {
            let Some(pair) = self.declared_conversion(&spec, conversion) else {
                continue;
            };
            // Two factors for one kind would let the order of the lines choose the value read.
            let same_kind = spec
                .conversions
                .iter()
                .position(|(_, b)| b.dim() == pair.1.dim());
            if let Some(i) = same_kind {
                let error = CheckError::ConversionTwice {
                    input: spec.name.clone(),
                    again: conversion.span,
                    first: declared_at[i],
                };
                self.error(error.into());
                continue;
            }
            spec.conversions.push(pair);
            declared_at.push(conversion.span);
        }
        if let Some(default) = &decl.default {
            if let Some(opt) = decl.optional {
                self.error(
                    CheckError::OptionalAndDefault {
                        name: spec.name.clone(),
                        optional: opt,
                        default: default.span,
                    }
                    .into(),
                );
            }
            spec.default = self.const_value(default, &spec);
        }
        spec
    }

    /// The type, the unit values are held in, and whether it must be whole.
    pub(super) fn declared_type(&mut self, ty: &ast::TypeExpr) -> (Type, Option<Unit>, bool) {
        match &ty.kind {
            TypeExprKind::Named(name) => self.named_type(name, ty.span),
            TypeExprKind::Enum(values) => {
                let mut names: Vec<String> = Vec::new();
                let mut first: HashMap<&str, Span> = HashMap::default();
                for v in values {
                    if let Some(&span) = first.get(v.name.as_str()) {
                        self.duplicate("choice", &v.name, v.span, span);
                        continue;
                    }
                    first.insert(&v.name, v.span);
                    names.push(v.name.clone());
                }
                let id = self.program.enums.len() as u32;
                for (i, name) in names.iter().enumerate() {
                    self.enum_owners
                        .entry(name.clone())
                        .or_default()
                        .push((id, i as u32));
                }
                self.program.enums.push(EnumSpec::new(names));
                (Type::Enum(id), None, false)
            }
            TypeExprKind::List(inner) => {
                let (inner, _, _) = self.declared_type(inner);
                (Type::List(Box::new(inner)), None, false)
            }
            TypeExprKind::Record(fields) => {
                let mut specs: Vec<InputSpec> = Vec::new();
                let mut first: HashMap<&str, Span> = HashMap::default();
                for f in fields {
                    if let Some(&span) = first.get(f.name.name.as_str()) {
                        self.duplicate("field", &f.name.name, f.name.span, span);
                        continue;
                    }
                    first.insert(&f.name.name, f.name.span);
                    specs.push(self.input_spec(f));
                }
                let id = self.program.records.len() as u32;
                self.program.records.push(RecordSpec::new(specs));
                (Type::Record(id), None, false)
            }
        }
    }

    fn named_type(&mut self, name: &str, span: Span) -> (Type, Option<Unit>, bool) {
        match name {
            "bool" => return (Type::Bool, None, false),
            "text" => return (Type::Text, None, false),
            "date" => return (Type::Date, None, false),
            "count" => return (Type::number(), Some(Unit::none()), true),
            "number" => return (Type::number(), Some(Unit::none()), false),
            _ => {}
        }
        match Unit::parse(name) {
            Ok(unit) => {
                self.unit_spelling(name, span);
                (Type::Num(unit.clone()), Some(unit), false)
            }
            Err(e) => {
                let candidates = BASE_TYPES.iter().copied().chain(Atom::spellings());
                let d = match e {
                    crate::units::UnitError::Unknown { .. } => CheckError::UnknownType {
                        name: name.to_string(),
                        similar: close_match(name, candidates).map(str::to_string),
                        span,
                    }
                    .into(),
                    e => e.to_diagnostic(span),
                };
                self.error(d);
                (Type::Error, None, false)
            }
        }
    }

    /// The allowed range of a numeric input, in its declared unit.
    fn declared_range(
        &mut self,
        spec: &InputSpec,
        range: &ast::Expr,
    ) -> Option<(Quantity, Quantity)> {
        let ast::ExprKind::Binary(crate::ops::BinaryOp::Range, lo, hi) = &range.kind else {
            self.error(CheckError::RangeNotARange { span: range.span }.into());
            return None;
        };
        let lo = self.const_quantity(lo, spec)?;
        let hi = self.const_quantity(hi, spec)?;
        if lo.compare(&hi).is_ok_and(|o| o.is_gt()) {
            self.error(CheckError::RangeEmpty { span: range.span }.into());
            return None;
        }
        Some((lo, hi))
    }

    /// `convert A = B`: A in the input's kind (converted to its unit), B a positive quantity of
    /// another kind, or a [`CheckError::ConversionSides`].
    fn declared_conversion(
        &mut self,
        spec: &InputSpec,
        conversion: &ast::Conversion,
    ) -> Option<(Quantity, Quantity)> {
        // A plain number (`count`, `number`, `%`) has no kind a value could arrive in either.
        if spec.unit.as_ref().is_none_or(Unit::is_dimensionless) {
            let error = CheckError::ConversionNotQuantity {
                input: spec.name.clone(),
                kind: self.describe(&spec.ty),
                span: conversion.span,
            };
            self.error(error.into());
            return None;
        }
        let left = self.const_quantity(&conversion.left, spec)?;
        let written = match &conversion.right.kind {
            ast::ExprKind::Quantity {
                unit: Some((text, _)),
                ..
            } => Unit::parse(text).ok(),
            _ => None,
        };
        let other = InputSpec {
            unit: written.clone(),
            ty: crate::check::Type::Num(written.unwrap_or_default()),
            ..spec.clone()
        };
        let right = self.const_quantity(&conversion.right, &other)?;
        let problem = if right.dim().is_dimensionless() {
            Some("its right side has no unit")
        } else if right.dim() == left.dim() {
            Some("both sides are of one kind, which converts exactly without a declaration")
        } else if !left.is_positive() || !right.is_positive() {
            Some("a side is not above zero")
        } else {
            None
        };
        if let Some(problem) = problem {
            let error = CheckError::ConversionSides {
                input: spec.name.clone(),
                problem,
                span: conversion.span,
            };
            self.error(error.into());
            return None;
        }
        Some((left, right))
    }

    pub(super) fn declare_phases(&mut self) {
        for phase in &self.ast.phases {
            if let Some(&i) = self.phase_names.get(&phase.name.name) {
                let first = self.phase_spans[i];
                self.duplicate("phase", &phase.name.name, phase.name.span, first);
                continue;
            }
            self.phase_spans.push(phase.name.span);
            self.phase_names
                .insert(phase.name.name.clone(), self.program.phases.len());
            self.program.phases.push(super::PhaseSpec {
                name: phase.name.name.as_str().into(),
                decides: Vec::new(),
                proposals: Vec::new(),
                span: Span::new(phase.span.start, phase.name.span.end),
            });
            self.phase_lets.push(HashMap::default());
        }
        self.reached = vec![false; self.program.phases.len()];
    }

    /// The program index of an AST phase, or `None` for a duplicate.
    pub(super) fn phase_of(&self, phase: &ast::Phase) -> Option<usize> {
        let index = *self.phase_names.get(&phase.name.name)?;
        (self.phase_spans[index] == phase.name.span).then_some(index)
    }

    pub(super) fn check_all_lets(&mut self) {
        for slot in 0..self.let_asts.len() {
            self.check_let(slot, None);
        }
        self.check_let_depths();
    }

    /// Refuses a `let` whose value is more than [`MAX_LET_DEPTH`] operations deep, counting
    /// through the `let`s it uses: evaluating it recurses that deep.
    fn check_let_depths(&mut self) {
        let lets = &self.program.lets;
        let shapes: Vec<(usize, Vec<usize>)> = lets.iter().map(|l| shape(&l.expr)).collect();
        let mut depth: Vec<Option<usize>> = vec![None; lets.len()];
        let mut open = vec![false; lets.len()];
        for root in 0..lets.len() {
            // Depth first without recursion; a cycle (already reported) is not followed.
            let mut stack = vec![(root, false)];
            while let Some((slot, children_done)) = stack.pop() {
                if depth[slot].is_some() {
                    continue;
                }
                let (own, uses) = &shapes[slot];
                if children_done {
                    open[slot] = false;
                    let below = uses.iter().filter_map(|&u| depth[u]).max().unwrap_or(0);
                    depth[slot] = Some(own + below);
                    continue;
                }
                open[slot] = true;
                stack.push((slot, true));
                for &u in uses {
                    if depth[u].is_none() && !open[u] {
                        stack.push((u, false));
                    }
                }
            }
        }
        // The first value along a chain that is too deep: the shallowest of those over the limit.
        let too_deep = (0..lets.len())
            .filter_map(|slot| {
                depth[slot]
                    .filter(|&d| d > MAX_LET_DEPTH)
                    .map(|d| (d, slot))
            })
            .min();
        if let Some((_, slot)) = too_deep {
            let (l, _) = self.let_asts[slot];
            self.error(
                CheckError::LetTooDeep {
                    name: l.name.name.clone(),
                    span: l.name.span,
                }
                .into(),
            );
        }
    }

    /// Checks one let (once), following references to others; reports cycles. `used_at` is
    /// where the let is named, when it is checked because an expression uses it.
    pub(super) fn check_let(&mut self, slot: usize, used_at: Option<Span>) -> Type {
        match self.let_state[slot] {
            LetState::Done => return self.let_types[slot].clone(),
            LetState::InProgress => {
                if self.muted() {
                    self.error_unshown(Code::NameCycle);
                    return Type::Error;
                }
                let (l, _) = self.let_asts[slot];
                let name = &l.name.name;
                // The `let` whose definition names this one again (itself, or one it uses).
                let user = used_at.and_then(|used| {
                    self.let_asts
                        .iter()
                        .map(|(other, _)| *other)
                        .find(|other| other.span.start <= used.start && used.end <= other.span.end)
                });
                self.error(
                    CheckError::Cycle {
                        name: name.clone(),
                        user: user.map(|other| other.name.name.clone()),
                        used_at,
                        defined: l.name.span,
                    }
                    .into(),
                );
                return Type::Error;
            }
            LetState::Unchecked => {}
        }
        self.let_state[slot] = LetState::InProgress;
        let (l, phase) = self.let_asts[slot];
        let saved_phase = std::mem::replace(&mut self.current_phase, phase);
        let saved_items = std::mem::take(&mut self.item_scopes);
        let saved_reads = self.reads.take();
        let mut expr = self.expr(&l.expr, None);
        if let Some(ty) = &l.ty {
            let (declared, _, _) = self.declared_type(ty);
            if !declared.same(&expr.ty) {
                let d = self.mismatch(&expr, &declared, "this value");
                self.error(d.with_label(ty.span, "declared here"));
                expr.ty = Type::Error;
            }
            // A value declared in a unit is held in it (`let bmi: kg/m^2 = weight / height ^
            // 2` with the height in cm), converted exactly.
            if let (Type::Num(want), Type::Num(have)) = (&declared, &expr.ty) {
                if want != have && !want.is_none() {
                    expr = super::expr::formula::in_unit(expr, want);
                }
            }
        }
        self.current_phase = saved_phase;
        self.item_scopes = saved_items;
        self.reads = saved_reads;
        self.let_types[slot] = expr.ty.clone();
        self.program.lets[slot] = LetSpec {
            name: l.name.name.clone(),
            span: l.span,
            expr,
        };
        self.let_state[slot] = LetState::Done;
        self.let_types[slot].clone()
    }
}

impl<'a> Checker<'a> {
    /// Gives every `let` a slot before any is checked, so lets may refer to each other in any
    /// order (cycles are reported when checked).
    pub(super) fn declare_lets(&mut self) {
        let ast = self.ast;
        for l in &ast.lets {
            self.declare_let(l, None);
        }
        for phase in &ast.phases {
            let Some(index) = self.phase_of(phase) else {
                continue; // a duplicate phase: already reported
            };
            for l in &phase.lets {
                self.declare_let(l, Some(index));
            }
        }
    }

    fn declare_let(&mut self, l: &'a ast::Let, phase: Option<usize>) {
        let name = &l.name.name;
        let clash = self
            .global_lets
            .get(name)
            .or_else(|| phase.and_then(|p| self.phase_lets[p].get(name)))
            .map(|&slot| self.let_asts[slot].0.name.span)
            .or_else(|| {
                self.input_names
                    .get(name)
                    .map(|&s| self.program.inputs[s].span)
            });
        if let Some(first) = clash {
            self.duplicate("name", name, l.name.span, first);
            return;
        }
        let slot = self.let_asts.len();
        self.push_let(l, phase, slot);
        match phase {
            None => self.global_lets.insert(name.clone(), slot),
            Some(p) => self.phase_lets[p].insert(name.clone(), slot),
        };
    }

    fn push_let(&mut self, l: &'a ast::Let, phase: Option<usize>, slot: usize) {
        debug_assert_eq!(slot, self.let_asts.len());
        self.let_asts.push((l, phase));
        self.let_state.push(LetState::Unchecked);
        self.let_types.push(Type::Error);
        self.program.lets.push(LetSpec {
            name: l.name.name.clone(),
            span: l.span,
            expr: CExpr {
                kind: CExprKind::Const(Value::Missing),
                ty: Type::Error,
                span: l.span,
            },
        });
    }
}

/// The most operations deep a `let` may be, counting through the `let`s it uses.
pub(crate) const MAX_LET_DEPTH: usize = 128;

/// The depth of a checked expression's tree and the `let` slots it uses, without recursion.
fn shape(e: &CExpr) -> (usize, Vec<usize>) {
    let mut deepest = 0;
    let mut uses = Vec::new();
    let mut stack = vec![(e, 1)];
    while let Some((e, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        let below = depth + 1;
        match &e.kind {
            CExprKind::Let(slot) => uses.push(*slot),
            CExprKind::Const(_) | CExprKind::Input(_) | CExprKind::Item { .. } => {}
            CExprKind::Field(a, _)
            | CExprKind::Project(a, _)
            | CExprKind::Unary(_, a)
            | CExprKind::Is(a, _) => stack.push((a, below)),
            CExprKind::Binary(_, a, b)
            | CExprKind::Round(a, _, b)
            | CExprKind::RoundOf(a, _, b)
            | CExprKind::Index(a, b) => {
                stack.extend([(&**a, below), (&**b, below)]);
            }
            CExprKind::Table(t) => {
                stack.push((&t.key, below));
                for row in &t.rows {
                    let ends = row.lower.iter().chain(&row.upper).map(|(e, _)| e);
                    stack.extend(ends.chain(row.cells.iter().flatten()).map(|e| (e, below)));
                }
            }
            CExprKind::If(c, a, b) => stack.extend([(&**c, below), (&**a, below), (&**b, below)]),
            CExprKind::List(items) | CExprKind::Call(_, items) => {
                stack.extend(items.iter().map(|i| (i, below)));
            }
        }
    }
    (deepest, uses)
}
