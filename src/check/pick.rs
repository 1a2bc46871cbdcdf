//! Picking one value out of a list: `e round [up|down] to nearest of LIST` (a strength out of
//! the strengths made) and `list[i]` (an item, counted from 1).

use super::{CExpr, CExprKind, Checker, Type};
use crate::diagnostics::Span;
use crate::ops::RoundMode as AstRound;
use crate::syntax::ast::Expr;
use crate::units::RoundMode;
use crate::value::Value;

fn error_expr(span: Span) -> CExpr {
    CExpr {
        kind: CExprKind::Const(Value::Missing),
        ty: Type::Error,
        span,
    }
}

impl Checker<'_> {
    /// `e round … to nearest of LIST`: the list's values are of the value's kind (a list
    /// literal's items are each checked against it, so the wrong one is labelled).
    pub(super) fn round_of(
        &mut self,
        body: &Expr,
        mode: AstRound,
        list: &Expr,
        span: Span,
    ) -> CExpr {
        let cb = self.expr(body, None);
        let body_num = match &cb.ty {
            Type::Range(inner) => (**inner).clone(),
            t => t.clone(),
        };
        let want = Type::List(Box::new(body_num.clone()));
        let cl = self.expr(list, Some(&want));
        if !matches!(body_num, Type::Num(_) | Type::Error) {
            let d = self.operand_mismatch("round", &cb, &cl);
            self.error(d.with_help(
                "round a dose (or a range of doses) to one of a list of strengths, e.g. \
                 `dose round to nearest of [30 mg, 40 mg]`",
            ));
            return error_expr(span);
        }
        let elem = match &cl.ty {
            Type::List(inner) if inner.same(&body_num) => (**inner).clone(),
            Type::EmptyList | Type::Error => body_num.clone(),
            _ => {
                let d = self.mismatch(&cl, &want, "the values to round to");
                self.error(d.with_help(
                    "write the strengths as a list of the value's kind, e.g. `[30 mg, 40 mg, 60 mg]`",
                ));
                return error_expr(span);
            }
        };
        let mode = match mode {
            AstRound::Nearest => RoundMode::Nearest,
            AstRound::Up => RoundMode::Up,
            AstRound::Down => RoundMode::Down,
        };
        self.fault_if_no_strength(&cl);
        // The result is one of the list's values, in its unit.
        let ty = match &cb.ty {
            Type::Range(_) => Type::Range(Box::new(elem)),
            _ => elem,
        };
        CExpr {
            kind: CExprKind::RoundOf(Box::new(cb), mode, Box::new(cl)),
            ty,
            span,
        }
    }

    /// `list[i]`: `i` is a plain number (whole, from 1: checked when it is worked out).
    pub(super) fn index(&mut self, list: &Expr, at: &Expr, span: Span) -> CExpr {
        let cl = self.expr(list, None);
        let ca = self.expr(at, Some(&Type::number()));
        if !ca.ty.same(&Type::number()) {
            let d = self.mismatch(&ca, &Type::number(), "a list's index");
            self.error(d.with_help("count items from 1: `strengths[1]` is the first"));
            return error_expr(span);
        }
        let ty = match &cl.ty {
            Type::List(inner) => (**inner).clone(),
            Type::Error | Type::EmptyList => Type::Error,
            _ => {
                let d = super::CheckError::ShapeMismatch {
                    want: "a list to take an item from (`strengths[1]`)".into(),
                    found: "a single value",
                    span: cl.span,
                };
                self.error(d.into());
                return error_expr(span);
            }
        };
        self.fault_if_bad_index(&cl, &ca);
        CExpr {
            kind: CExprKind::Index(Box::new(cl), Box::new(ca)),
            ty,
            span,
        }
    }
}
