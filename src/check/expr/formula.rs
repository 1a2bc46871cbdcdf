//! The checks of formulas: `x ^ n` (a whole power written in the protocol), `sqrt(x)` (of a
//! plain number or a unit squared; exact, or rounded where it is taken) and `value(x in UNIT)`
//! (the plain number of a unit in a quantity of its kind). None of them may lose exactness or
//! drop a unit silently: each refusal is a `posology::formula::*` diagnostic.

use rust_decimal::Decimal;

use super::{constant, error_expr};
use crate::check::functions::Func;
use crate::check::{CExpr, CExprKind, CheckError, Checker, Type};
use crate::diagnostics::{Diagnostic, Span};
use crate::ops::{BinaryOp, UnaryOp};
use crate::syntax::ast::{Expr, ExprKind};
use crate::units::{Quantity, Rational, Unit, MAX_EXPONENT};
use crate::value::Value;

impl Checker<'_> {
    /// `base ^ exp`: the exponent must be a whole number written in the protocol, so that the
    /// unit of the result (`cm ^ 2` is an area) and a bound on its size are known now.
    pub(super) fn power(&mut self, base: &Expr, exp: &Expr, span: Span) -> CExpr {
        let cb = self.expr(base, None);
        let n = match exponent(exp) {
            Ok(n) => n,
            Err(problem) => {
                self.error(
                    CheckError::Exponent {
                        problem: problem.to_string(),
                        span: exp.span,
                    }
                    .into(),
                );
                return error_expr(span);
            }
        };
        let unit = match &cb.ty {
            Type::Num(u) => u.clone(),
            Type::Error => return error_expr(span),
            _ => {
                let d = self.mismatch(&cb, &Type::number(), "a value raised to a power");
                self.error(d);
                return error_expr(span);
            }
        };
        let raised = match Quantity::new(Rational::from(1), unit).powi(n) {
            Ok(q) => q.unit,
            Err(e) => {
                self.error(e.to_diagnostic(span));
                return error_expr(span);
            }
        };
        self.fault_if_zero_to_negative(&cb, n);
        let n = constant(
            Value::Num(Quantity::number(Rational::from(i64::from(n)))),
            Type::number(),
            exp.span,
        );
        CExpr {
            kind: CExprKind::Binary(BinaryOp::Pow, Box::new(cb), Box::new(n)),
            ty: Type::Num(raised),
            span,
        }
    }

    /// `sqrt(x) round …`: the call as the body of a rounding, which may be irrational.
    pub(super) fn rounded_sqrt(&mut self, args: &[Expr], span: Span) -> CExpr {
        let typed = self
            .arity(Func::Sqrt, args, span)
            .and_then(|()| self.sqrt_typed(&args[0], span, true));
        match typed {
            Ok((cargs, ty)) => CExpr {
                kind: CExprKind::Call(Func::Sqrt, cargs),
                ty,
                span,
            },
            Err(d) => {
                self.error(d);
                error_expr(span)
            }
        }
    }

    /// `sqrt(arg)`: a plain number or a unit squared; unless `rounded`, a constant with an exact
    /// root, as nothing else is sure to have one.
    pub(super) fn sqrt_typed(
        &mut self,
        arg: &Expr,
        span: Span,
        rounded: bool,
    ) -> Result<(Vec<CExpr>, Type), Diagnostic> {
        let c = self.expr(arg, None);
        let unit = match &c.ty {
            Type::Num(u) => u.clone(),
            Type::Error => return Ok((vec![c], Type::Error)),
            _ => return Err(self.mismatch(&c, &Type::number(), "the value of `sqrt`")),
        };
        let Some(root) = unit.sqrt() else {
            return Err(CheckError::SqrtUnit {
                found: self.describe(&c.ty),
                span: c.span,
            }
            .into());
        };
        match literal(&c).map(|q| q.sqrt()) {
            Some(Err(e)) => return Err(e.to_diagnostic(c.span)),
            Some(Ok(Some(_))) => {}
            _ if rounded => {}
            _ => return Err(CheckError::SqrtRounding { span }.into()),
        }
        Ok((vec![c], Type::Num(root)))
    }

    /// `value(x in UNIT)`, held as `value(x, 1 UNIT)`: `x` must be a quantity of UNIT's kind.
    pub(super) fn value_typed(
        &mut self,
        args: &[Expr],
        span: Span,
    ) -> Result<(Vec<CExpr>, Type), Diagnostic> {
        let unit_of = |one: &Expr| match &one.kind {
            ExprKind::Quantity {
                value,
                unit: Some((text, unit_span)),
            } if *value == Decimal::ONE => Some((text.clone(), *unit_span)),
            _ => None,
        };
        let (body, (text, unit_span), one_span) = match args {
            [body, one] if unit_of(one).is_some() => {
                (body, unit_of(one).unwrap_or_default(), one.span)
            }
            _ => {
                return Err(CheckError::Arity {
                    name: "value",
                    takes: "a quantity and a unit".to_string(),
                    given: args.len(),
                    usage: "value(quantity in unit)",
                    span,
                }
                .into())
            }
        };
        let unit = Unit::parse(&text).map_err(|e| e.to_diagnostic(unit_span))?;
        self.unit_spelling(&text, unit_span);
        let c = self.expr(body, None);
        match &c.ty {
            Type::Num(u) if u.dim() == unit.dim() => {}
            Type::Error => return Ok((vec![c], Type::Error)),
            found => {
                let concentrations = matches!(found, Type::Num(u)
                    if u.dim().volume == -1 && unit.dim().volume == -1);
                let input = match c.kind {
                    CExprKind::Input(slot) if concentrations => {
                        Some(self.program.inputs[slot].name.clone())
                    }
                    _ => None,
                };
                return Err(CheckError::ValueUnit {
                    found: self.describe(found),
                    unit: text,
                    kind: unit.dim().describe(),
                    input,
                    span: c.span,
                    unit_span,
                }
                .into());
            }
        }
        let one = constant(
            Value::Num(Quantity::new(Rational::from(1), unit.clone())),
            Type::Num(unit),
            one_span,
        );
        Ok((vec![c, one], Type::number()))
    }
}

/// `e` converted exactly to `unit`, a unit of its kind: `let bmi: kg/m^2 = weight / height ^
/// 2` holds kg/m^2 whatever units the height and weight are in. Built as `value(e in UNIT) *
/// 1 UNIT`, so that the interpreter needs nothing of its own.
pub(in crate::check) fn in_unit(e: CExpr, unit: &Unit) -> CExpr {
    let span = e.span;
    let one = || {
        constant(
            Value::Num(Quantity::new(Rational::from(1), unit.clone())),
            Type::Num(unit.clone()),
            span,
        )
    };
    let number = CExpr {
        kind: CExprKind::Call(Func::Value, vec![e, one()]),
        ty: Type::number(),
        span,
    };
    CExpr {
        kind: CExprKind::Binary(BinaryOp::Mul, Box::new(number), Box::new(one())),
        ty: Type::Num(unit.clone()),
        span,
    }
}

/// The whole exponent written after `^` (`2`, `-1`, `(3)`), or what is wrong with it.
fn exponent(e: &Expr) -> Result<i32, &'static str> {
    let (value, negative) = match &e.kind {
        ExprKind::Quantity { value, unit: None } => (*value, false),
        ExprKind::Unary(UnaryOp::Neg, inner) => match &inner.kind {
            ExprKind::Quantity { value, unit: None } => (*value, true),
            _ => return Err(NOT_WRITTEN),
        },
        ExprKind::Quantity { unit: Some(_), .. } => return Err("has a unit"),
        _ => return Err(NOT_WRITTEN),
    };
    if !value.fract().is_zero() {
        return Err("is not a whole number");
    }
    if value > Decimal::from(MAX_EXPONENT) {
        return Err("is larger than 12");
    }
    if value.is_zero() {
        return Err("is 0 (any value to the power 0 is 1)");
    }
    let n = i32::try_from(value.mantissa()).map_err(|_| "is larger than 12")?;
    Ok(if negative { -n } else { n })
}

/// Why an exponent that is not a number written in the protocol is refused.
const NOT_WRITTEN: &str = "is not a number written in the protocol";

/// The value of an expression of numbers written in the protocol (`9 / 4`), if it is one.
fn literal(e: &CExpr) -> Option<Quantity> {
    match &e.kind {
        CExprKind::Const(Value::Num(q)) => Some(q.clone()),
        CExprKind::Unary(UnaryOp::Neg, a) => literal(a).map(|q| q.neg()),
        CExprKind::Binary(op, a, b) => {
            let (a, b) = (literal(a)?, literal(b)?);
            match op {
                BinaryOp::Add => a.add(&b).ok(),
                BinaryOp::Sub => a.sub(&b).ok(),
                BinaryOp::Mul => a.mul(&b).ok(),
                BinaryOp::Div => a.div(&b).ok(),
                BinaryOp::Pow => a.powi(i32::try_from(b.value.to_i64()?).ok()?).ok(),
                _ => None,
            }
        }
        _ => None,
    }
}
