//! Literal values written in a protocol (defaults, example patients), converted to the declared
//! unit of their input, and the validation every input value gets (range, whole numbers).

use crate::diagnostics::Code;
use std::str::FromStr;
use std::sync::Arc;

use super::{CheckError, Checker, InputSpec, Type};
use crate::diagnostics::Span;
use crate::ops::UnaryOp;
use crate::syntax::ast::{self, ExprKind, ValueKind};
use crate::units::{Quantity, Unit};
use crate::value::Value;

/// Why a value does not fit its input: a code (`posology::input::not_whole` or
/// `posology::input::out_of_range`), a message naming the input, and help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// The diagnostic code.
    pub code: Code,
    /// What is wrong, in the input's terms (the caller adds the place).
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// The code for a whole-number input given a fraction.
pub const NOT_WHOLE: Code = Code::InputNotWhole;

/// The message and help for a whole-number input `name` given `written` (however small its
/// fraction: `3.0000000000000000000000000000000000000001` is not 3).
pub fn not_whole(name: &str, written: &str, whole_part: &str) -> Invalid {
    Invalid {
        code: NOT_WHOLE,
        message: format!("`{name}` must be a whole number, not {written}"),
        help: format!("write a whole number, e.g. {whole_part}"),
    }
}

/// Checks a value against its input's declared range and wholeness; the error text names
/// what is wrong in the input's terms (the caller adds the place).
pub fn validate_value(spec: &InputSpec, value: &Value) -> Result<(), Invalid> {
    let Value::Num(q) = value else {
        return Ok(());
    };
    if spec.whole && !q.value.fract().is_zero() {
        return Err(not_whole(
            &spec.name,
            &q.to_string(),
            &q.value.trunc().to_string(),
        ));
    }
    if let Some((lo, hi)) = &spec.range {
        let below = q.compare(lo).map(|o| o.is_lt()).unwrap_or(true);
        let above = q.compare(hi).map(|o| o.is_gt()).unwrap_or(true);
        if below || above {
            return Err(Invalid {
                code: Code::InputOutOfRange,
                message: format!("`{}` is {q}, outside the allowed {lo}..{hi}", spec.name),
                help: format!(
                    "check the value and its unit (a mg/mcg slip is 1000-fold): the protocol accepts {lo} to {hi}"
                ),
            });
        }
    }
    Ok(())
}

/// Parses a calendar date written YYYY-MM-DD (`2026-12-01`).
pub(crate) fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    // Exactly YYYY-MM-DD: the parser would also take `20260101`, and a date with a time and
    // an offset (`2026-01-01T23:59:59-12:00`, the 2nd in UTC), dropping the time unseen.
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    jiff::civil::Date::from_str(text).ok()
}

/// The most fields the records written in one protocol (defaults and examples) may hold in
/// all. A record value holds every field of its type, so `[{}, {}, …]` of a record type with
/// 50,000 fields would hold billions of values from a few kilobytes of text.
pub const MAX_RECORD_CELLS: usize = 1 << 20;

impl Checker<'_> {
    /// Counts `fields` more record fields against [`MAX_RECORD_CELLS`]; false (reported once)
    /// past it.
    fn spend_cells(&mut self, fields: usize, span: Span) -> bool {
        let before = self.record_cells;
        self.record_cells = before.saturating_add(fields);
        if self.record_cells <= MAX_RECORD_CELLS {
            return true;
        }
        if before <= MAX_RECORD_CELLS {
            self.error(CheckError::TooManyRecordValues { span }.into());
        } else {
            self.error_unshown(Code::ValueTooLarge);
        }
        false
    }

    /// A literal value for an input or field, converted to its declared unit; reports and
    /// returns `None` when it does not fit.
    pub(super) fn const_value(&mut self, v: &ast::Value, spec: &InputSpec) -> Option<Value> {
        let value = match (&v.kind, &spec.ty) {
            // A quantity for an input with a declared conversion may be of the other kind.
            (ast::ValueKind::Expr(e), Type::Num(_)) if !spec.conversions.is_empty() => {
                self.const_quantity(e, spec).map(Value::Num)
            }
            _ => self.const_of_type(v, &spec.ty, spec.unit.as_ref()),
        }?;
        if let Err(invalid) = validate_value(spec, &value) {
            self.error(
                CheckError::NotAllowed {
                    invalid,
                    span: v.span,
                }
                .into(),
            );
            return None;
        }
        Some(value)
    }

    fn const_of_type(&mut self, v: &ast::Value, ty: &Type, unit: Option<&Unit>) -> Option<Value> {
        match (&v.kind, ty) {
            (_, Type::Error) => None,
            (ValueKind::List(items), Type::List(inner)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let elem_unit = match &**inner {
                        Type::Num(u) => Some(u.clone()),
                        _ => None,
                    };
                    out.push(self.const_of_type(item, inner, elem_unit.as_ref())?);
                }
                Some(Value::List(out.into()))
            }
            (ValueKind::Record(fields), Type::Record(id)) => self.const_record(fields, *id, v.span),
            (ValueKind::Expr(e), _) => self.const_expr(e, ty, unit),
            _ => {
                let found = match v.kind {
                    ValueKind::List(_) => "a list",
                    ValueKind::Record(_) => "a record",
                    ValueKind::Expr(_) => "a value",
                };
                let d = CheckError::ShapeMismatch {
                    want: self.describe(ty),
                    found,
                    span: v.span,
                };
                self.error(d.into());
                None
            }
        }
    }

    fn const_record(
        &mut self,
        fields: &[(ast::Ident, ast::Value)],
        id: u32,
        span: Span,
    ) -> Option<Value> {
        let count = self.program.records[id as usize].fields.len();
        if !self.spend_cells(count, span) {
            return None;
        }
        let mut values: Vec<Option<Value>> = vec![None; count];
        let mut ok = true;
        for (name, value) in fields {
            let Some(i) = self.program.records[id as usize].field_index(&name.name) else {
                ok = false;
                if self.muted() {
                    self.error_unshown(Code::InputUnknownField);
                    continue;
                }
                let specs = &self.program.records[id as usize].fields;
                let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                let d = CheckError::UnknownRecordField {
                    name: name.name.clone(),
                    similar: crate::syntax::close_match(&name.name, names.iter().copied())
                        .map(str::to_string),
                    fields: super::list_some(names.iter().copied(), ", "),
                    span: name.span,
                };
                self.error(d.into());
                continue;
            };
            let spec = self.program.records[id as usize].fields[i].clone();
            values[i] = self.const_value(value, &spec);
            ok &= values[i].is_some();
        }
        let mut out = Vec::with_capacity(count);
        for (i, value) in values.into_iter().enumerate() {
            let spec = &self.program.records[id as usize].fields[i];
            let optional = spec.optional;
            match value.or_else(|| spec.default.clone()) {
                Some(v) => out.push(v),
                None if optional || !ok => out.push(Value::Missing),
                None => {
                    ok = false;
                    out.push(Value::Missing);
                    if self.muted() {
                        self.error_unshown(Code::InputMissingField);
                        continue;
                    }
                    let name = self.program.records[id as usize].fields[i].name.clone();
                    self.error(CheckError::MissingRecordField { name, span }.into());
                }
            }
        }
        ok.then(|| Value::Record(id, Arc::from(out)))
    }

    fn const_expr(&mut self, e: &ast::Expr, ty: &Type, unit: Option<&Unit>) -> Option<Value> {
        match ty {
            Type::Num(_) => {
                let spec_unit = unit.cloned().unwrap_or_default();
                let spec = InputSpec {
                    name: String::new(),
                    span: e.span,
                    ty: ty.clone(),
                    unit: Some(spec_unit),
                    whole: false,
                    optional: false,
                    default: None,
                    range: None,
                    conversions: Vec::new(),
                };
                self.const_quantity(e, &spec).map(Value::Num)
            }
            Type::Date => match &e.kind {
                ExprKind::Text(t) => match parse_date(t) {
                    Some(d) => Some(Value::Date(d)),
                    None => {
                        self.error(
                            CheckError::BadDate {
                                text: t.clone(),
                                span: e.span,
                            }
                            .into(),
                        );
                        None
                    }
                },
                _ => self.not_literal(e, ty),
            },
            _ => {
                let c = self.expr(e, Some(ty));
                if !c.ty.same(ty) {
                    if c.ty != Type::Error {
                        let d = self.mismatch(&c, ty, "this value");
                        self.error(d);
                    }
                    return None;
                }
                match c.kind {
                    super::CExprKind::Const(v) => Some(v),
                    super::CExprKind::List(items) if items.is_empty() => {
                        Some(Value::List(Arc::from(Vec::new())))
                    }
                    _ => self.not_literal(e, ty),
                }
            }
        }
    }

    fn not_literal(&mut self, e: &ast::Expr, ty: &Type) -> Option<Value> {
        let d = CheckError::NotLiteral {
            want: self.describe(ty),
            span: e.span,
        };
        self.error(d.into());
        None
    }

    /// A literal quantity (optionally negated) in the spec's unit.
    pub(super) fn const_quantity(&mut self, e: &ast::Expr, spec: &InputSpec) -> Option<Quantity> {
        let (negate, inner) = match &e.kind {
            ExprKind::Unary(UnaryOp::Neg, inner) => (true, &**inner),
            _ => (false, e),
        };
        let ExprKind::Quantity { value, unit } = &inner.kind else {
            let ty = spec.ty.clone();
            self.not_literal(e, &ty);
            return None;
        };
        let target = spec.unit.clone().unwrap_or_default();
        let written = match unit {
            None => Unit::none(),
            Some((text, span)) => match Unit::parse(text) {
                Ok(u) => {
                    self.unit_spelling(text, *span);
                    u
                }
                Err(err) => {
                    self.error(err.to_diagnostic(*span));
                    return None;
                }
            },
        };
        if unit.is_none() && !target.is_dimensionless() {
            let with_unit = Quantity::new((*value).into(), target.clone());
            self.error(
                CheckError::MissingUnit {
                    needed: target.dim().describe(),
                    example: with_unit.to_string(),
                    span: e.span,
                }
                .into(),
            );
            return None;
        }
        let q = Quantity::new((if negate { -*value } else { *value }).into(), written);
        match spec.read_quantity(q.clone(), &target) {
            Ok(q) => Some(q),
            Err(err) => {
                let d = match err {
                    crate::units::UnitError::Inexact { .. } => CheckError::Inexact {
                        error: err,
                        unit: target.to_string(),
                        span: e.span,
                    }
                    .into(),
                    crate::units::UnitError::Mismatch { .. } => CheckError::WrongUnit {
                        value: q.to_string(),
                        kind: q.dim().describe(),
                        needed: target.dim().describe(),
                        unit: target.to_string(),
                        span: e.span,
                    }
                    .into(),
                    err => err.to_diagnostic(e.span),
                };
                self.error(d);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn a_date_is_written_year_month_day_and_nothing_else() {
        assert!(parse_date("2026-01-31").is_some());
        for text in [
            "20260131",
            "2026-01-31T23:59:59-12:00",
            "2026-01-31 ",
            "2026-1-31",
            "2026-02-30",
            "+2026-01-31",
        ] {
            assert!(parse_date(text).is_none(), "{text}");
        }
    }
}
