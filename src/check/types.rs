//! Type descriptions in a pharmacist's words, and the mismatch diagnostics built from them.

use super::{CExpr, CheckError, Checker, Type};
use crate::diagnostics::Diagnostic;
use crate::units::Dim;

impl Checker<'_> {
    /// "a mass (e.g. mg)", "a choice of start | titrate", "a list of records {dose, response}", …
    pub(super) fn describe(&self, ty: &Type) -> String {
        match ty {
            Type::Num(u) => u.dim().describe(),
            Type::Bool => "true/false".into(),
            Type::Text => "a text".into(),
            Type::Enum(id) => {
                let values = self
                    .program
                    .enums
                    .get(*id as usize)
                    .map(|e| e.listed(" | "))
                    .unwrap_or_default();
                format!("a choice of {values}")
            }
            Type::Date => "a date".into(),
            Type::List(inner) => format!("a list of {}", self.describe_plain(inner)),
            Type::Record(id) => {
                let fields = self
                    .program
                    .records
                    .get(*id as usize)
                    .map(|r| super::list_some(r.fields.iter().map(|f| f.name.as_str()), ", "))
                    .unwrap_or_default();
                format!("a record {{{fields}}}")
            }
            Type::Range(inner) => format!("a range of {}", self.describe_plain(inner)),
            Type::EmptyList => "an empty list".into(),
            Type::Error => "an unknown value".into(),
        }
    }

    /// Like [`Checker::describe`] without the leading article, for "a list of …".
    fn describe_plain(&self, ty: &Type) -> String {
        let d = self.describe(ty);
        if d == "true/false" || d == "a plain number" {
            return format!("{} values", d.trim_start_matches("a "));
        }
        let Some(rest) = d.strip_prefix("a ").or_else(|| d.strip_prefix("an ")) else {
            return d;
        };
        // The plural of the first word: "masses per time (e.g. mcg/day)", "records {dose}".
        let (word, tail) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
        let plural = if word.ends_with('s') || word.ends_with('x') {
            format!("{word}es")
        } else if let Some(stem) = word.strip_suffix('y') {
            format!("{stem}ies")
        } else {
            format!("{word}s")
        };
        format!("{plural}{tail}")
    }

    /// A value of the wrong type or dimension where `expected` is needed.
    pub(super) fn mismatch(&self, found: &CExpr, expected: &Type, place: &str) -> Diagnostic {
        CheckError::Mismatch {
            place: place.to_string(),
            expected: self.describe(expected),
            found: self.describe(&found.ty),
            numbers: matches!((&found.ty, expected), (Type::Num(_), Type::Num(_))),
            fix: dimension_help(&found.ty, expected),
            span: found.span,
        }
        .into()
    }

    /// Two operands that must agree but do not.
    pub(super) fn operand_mismatch(&self, op: &str, a: &CExpr, b: &CExpr) -> Diagnostic {
        CheckError::OperandMismatch {
            op: op.to_string(),
            left: self.describe(&a.ty),
            right: self.describe(&b.ty),
            numbers: matches!((&a.ty, &b.ty), (Type::Num(_), Type::Num(_))),
            fix: self
                .per_time_fix(a, b)
                .or_else(|| dimension_help(&b.ty, &a.ty))
                .or_else(|| self.choice_help(a, b)),
            a: a.span,
            b: b.span,
        }
        .into()
    }

    /// For a written amount met with a rate (`daily_total >= 80 mg`): the amount with the rate's
    /// time unit (`80 mg/day`).
    fn per_time_fix(&self, a: &CExpr, b: &CExpr) -> Option<String> {
        for (rate, amount) in [(a, b), (b, a)] {
            let (Type::Num(r), Type::Num(q)) = (&rate.ty, &amount.ty) else {
                continue;
            };
            let (rd, qd) = (r.dim(), q.dim());
            let literal = matches!(amount.kind, super::CExprKind::Const(_));
            let per_time_of_amount = rd.time + 1 == qd.time
                && Dim {
                    time: qd.time,
                    ..rd
                } == qd;
            if !literal || !per_time_of_amount {
                continue;
            }
            let unit = r.to_string();
            let per = unit.rsplit_once('/').map(|(_, t)| t)?;
            let text = self
                .program
                .source
                .text
                .get(amount.span.start..amount.span.end)?;
            return Some(format!(
                "`{text}` is an amount, but the other side is per {per}: write `{text}/{per}`"
            ));
        }
        None
    }

    /// For a choice input on one side (`response >= 20 mg`): how choices are compared.
    fn choice_help(&self, a: &CExpr, b: &CExpr) -> Option<String> {
        let (side, id) = match (&a.ty, &b.ty) {
            (Type::Enum(id), _) => (a, *id),
            (_, Type::Enum(id)) => (b, *id),
            _ => return None,
        };
        let first = self.program.enums.get(id as usize)?.values.first()?;
        let text = self
            .program
            .source
            .text
            .get(side.span.start..side.span.end)
            .filter(|t| !t.contains('\n'))
            .unwrap_or("the choice");
        Some(format!(
            "`{text}` is a choice: compare it with one of its choices, e.g. `{text} == {first}`, \
             or `{text} in [ … ]` for several"
        ))
    }
}

/// Help for the dimension slips pharmacists make most: per dose vs per day, mass vs volume.
fn dimension_help(found: &Type, expected: &Type) -> Option<String> {
    let (Type::Num(f), Type::Num(e)) = (found, expected) else {
        return None;
    };
    let (f, e) = (f.dim(), e.dim());
    if let Some(why) = f.why_not_convertible(&e) {
        return Some(why.into());
    }
    if f.calendar != e.calendar && (f.time != 0 || e.time != 0) {
        return Some(
            "months and years have no fixed number of days: write the time in h, days or weeks \
             (e.g. `every 4 weeks`), or an age in months or years"
                .into(),
        );
    }
    let time_shifted = |d: crate::units::Dim, by: i16| crate::units::Dim {
        time: d.time + by,
        ..d
    };
    if time_shifted(f, -1) == e {
        return Some(
            "this is an amount but a rate per time is needed: divide by the time, e.g. \
             `dose * doses_per_day / 1 day` for a daily total"
                .into(),
        );
    }
    if time_shifted(f, 1) == e {
        return Some(
            "this is a rate per time but an amount is needed: multiply by the time, or \
             compare with a daily limit instead"
                .into(),
        );
    }
    if f.is_dimensionless() && !e.is_dimensionless() {
        return Some(format!(
            "write the unit after the number, e.g. `5 {}`",
            example_unit(e)
        ));
    }
    Some(format!(
        "use a value measured as {} (convertible units only)",
        e.describe()
    ))
}

fn example_unit(dim: crate::units::Dim) -> String {
    let described = dim.describe();
    described
        .split("e.g. ")
        .nth(1)
        .and_then(|s| s.strip_suffix(')'))
        .map(|s| s.split(',').next().unwrap_or(s).trim().to_string())
        .unwrap_or_else(|| "mg".into())
}
