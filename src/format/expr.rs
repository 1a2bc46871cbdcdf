//! Expressions and values printed back to protocol text, with the fewest parentheses that keep
//! the same tree (the precedence mirrors the Pratt parser in `syntax::expr`).

use crate::syntax::ast::*;

/// Binding strength: higher binds tighter.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binary_precedence(*op),
        ExprKind::Unary(UnaryOp::Not, _) => 3,
        ExprKind::Unary(UnaryOp::Neg, _) => 8,
        ExprKind::Field(..) | ExprKind::Is(..) => 9,
        // `if … else x + 1` and `x round to y` reach as far right as they can: always wrapped
        // when they are part of something larger.
        ExprKind::If(..) | ExprKind::Round(..) | ExprKind::RoundOf(..) => 0,
        ExprKind::Index(..) => 9,
        _ => 10,
    }
}

/// An operator's binding in the parser's own table (`syntax::infix_binding`, in tens), so the
/// printer brackets exactly where the reader would otherwise build another tree.
fn binary_precedence(op: BinaryOp) -> u8 {
    match op {
        // Below a term's 9: `round to (x ^ 2)` keeps its brackets, as a step is a term.
        BinaryOp::Pow => 8,
        _ => u8::try_from(crate::syntax::infix_binding(op).0 / 10).unwrap_or(u8::MAX),
    }
}

/// A quoted text with `"`, `\`, newlines and tabs escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An expression where a full `expr` is allowed (a rounding clause may stand at the end).
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Round(body, mode, step) => {
            format!("{} to {}", round_head(body, *mode), term(step))
        }
        ExprKind::RoundOf(body, mode, list) => {
            format!("{} to nearest of {}", round_head(body, *mode), term(list))
        }
        // A top-level `if` needs no parentheses: nothing follows it.
        ExprKind::If(..) => bare(e),
        _ => op_expr(e),
    }
}

/// `BODY round [up|down]`, the part of a rounding before `to`.
fn round_head(body: &Expr, mode: RoundMode) -> String {
    let mode = match mode {
        RoundMode::Nearest => "",
        RoundMode::Up => " up",
        RoundMode::Down => " down",
    };
    // `(dose + 5 mg) round down to 5 mg`: the parentheses change nothing for the
    // parser, but say to a reader that the whole sum is rounded.
    let body = match body.kind {
        ExprKind::Binary(..) | ExprKind::Unary(..) => format!("({})", op_expr(body)),
        // An `if` is bracketed once: `op_expr` would bracket it again (it binds loosest).
        ExprKind::If(..) => format!("({})", bare(body)),
        _ => op_expr(body),
    };
    format!("{body} round{mode}")
}

/// An expression where only operators may appear (no trailing rounding clause).
pub fn op_expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Round(..) | ExprKind::RoundOf(..) => format!("({})", expr(e)),
        _ => at_least(e, 1),
    }
}

/// A primary with postfixes (`N` in `N times daily`, the step of a rounding).
pub fn term(e: &Expr) -> String {
    at_least(e, 9)
}

/// Prints `e`, in parentheses when it binds looser than `min`.
fn at_least(e: &Expr, min: u8) -> String {
    let text = bare(e);
    if precedence(e) < min {
        format!("({text})")
    } else {
        text
    }
}

fn bare(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Quantity { value, unit } => match unit {
            Some((u, _)) if u == "%" => format!("{value}%"),
            // `µg` and `ug` are error-prone (ISMP): the same unit is written `mcg`.
            Some((u, _)) => format!("{value} {}", safe_unit(u)),
            None => value.to_string(),
        },
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Text(t) => quote(t),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Call(f, args) => {
            if let Some((body, unit)) = value_of(f, args) {
                // Inside `value(… in UNIT)` only arithmetic is read: anything looser is
                // bracketed.
                return format!("value({} in {})", at_least(body, 6), safe_unit(unit));
            }
            let args: Vec<String> = args.iter().map(expr).collect();
            format!("{}({})", f.name, args.join(", "))
        }
        ExprKind::Field(base, field) => match base.kind {
            // `(5).x`, not `5.x`, which reads as a number.
            ExprKind::Quantity { .. } => format!("({}).{}", bare(base), field.name),
            _ => format!("{}.{}", at_least(base, 9), field.name),
        },
        ExprKind::Unary(UnaryOp::Not, x) => format!("not {}", at_least(x, 4)),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("-{}", at_least(x, 9)),
        ExprKind::Binary(BinaryOp::Range, a, b) => {
            // `5 mg..(dose + 5 mg)`: a range's ends are terms, so the reader sees both ends.
            format!("{}..{}", at_least(a, 9), at_least(b, 9))
        }
        ExprKind::Binary(BinaryOp::Pow, a, b) => {
            // `(-x) ^ 2`, `(a ^ 2) ^ 3`, `x ^ (-1)`: each side a term, as an exponent is a
            // number and `^` groups to the right.
            let exponent = match &b.kind {
                // `x ^ -1`, as written: a negative number reads as one after `^`.
                ExprKind::Unary(UnaryOp::Neg, n) if matches!(n.kind, ExprKind::Quantity { .. }) => {
                    format!("-{}", bare(n))
                }
                _ => at_least(b, 9),
            };
            format!("{} ^ {exponent}", at_least(a, 9))
        }
        ExprKind::Binary(op, a, b) => {
            let p = binary_precedence(*op);
            // `a or (b and c)`: the parentheses change nothing for the parser but spare the
            // reader the precedence of `and` over `or`.
            let side = |x: &Expr, min: u8| match (&x.kind, op) {
                (ExprKind::Binary(BinaryOp::And, ..), BinaryOp::Or) => format!("({})", bare(x)),
                _ => at_least(x, min),
            };
            format!("{} {} {}", side(a, p), op.symbol(), side(b, p + 1))
        }
        ExprKind::If(c, a, b) => format!("if {} then {} else {}", expr(c), expr(a), expr(b)),
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(expr).collect();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Is(x, test) => {
            let test = match test {
                IsTest::Missing => "is missing",
                IsTest::NotMissing => "is not missing",
                IsTest::Empty => "is empty",
                IsTest::NotEmpty => "is not empty",
            };
            format!("{} {test}", at_least(x, 9))
        }
        ExprKind::Round(..) | ExprKind::RoundOf(..) => expr(e),
        ExprKind::Index(list, at) => format!("{}[{}]", at_least(list, 9), expr(at)),
        // A table is printed as its own item (`format::items`); inside an expression only
        // its name can stand.
        ExprKind::Table(t) => t.name.name.clone(),
    }
}

/// The quantity and unit of `value(EXPR in UNIT)` (held as the call `value(EXPR, 1 UNIT)`).
fn value_of<'a>(f: &Ident, args: &'a [Expr]) -> Option<(&'a Expr, &'a str)> {
    match args {
        [body, one] if f.name == VALUE_FUNCTION => match &one.kind {
            ExprKind::Quantity {
                value,
                unit: Some((unit, _)),
            } if *value == rust_decimal::Decimal::ONE && unit != "%" => Some((body, unit.as_str())),
            _ => None,
        },
        _ => None,
    }
}

/// A literal value of an example's `given` or an input's `default`.
pub fn value(v: &Value) -> String {
    match &v.kind {
        ValueKind::Record(fields) => {
            if fields.is_empty() {
                return "{}".into();
            }
            let fields: Vec<String> = fields
                .iter()
                .map(|(name, value_)| format!("{}: {}", name.name, value(value_)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        ValueKind::List(items) => {
            let items: Vec<String> = items.iter().map(value).collect();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Expr(e) => op_expr(e),
    }
}

/// A frequency: `3 times daily`, `once daily` (for a count of 1), `every 8 h`.
pub fn frequency(f: &Frequency) -> String {
    match &f.kind {
        FrequencyKind::TimesDaily(n) if is_one(n) => "once daily".to_string(),
        // `give d ([2]) times daily`: a list right after the dose would read as its index.
        FrequencyKind::TimesDaily(n) if term(n).starts_with('[') => {
            format!("({}) times daily", term(n))
        }
        FrequencyKind::TimesDaily(n) => format!("{} times daily", term(n)),
        FrequencyKind::Every(t) => format!("every {}", term(t)),
    }
}

/// The count `1`, written without a unit (`1 times daily` is printed `once daily`).
fn is_one(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Quantity { value, unit: None } if *value == rust_decimal::Decimal::ONE)
}

/// A type: `mg`, `a | b`, `list of { … }`.
pub fn type_expr(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Named(n) => safe_unit(n),
        // A lone name would be a unit or a type: a choice of one value keeps its bar.
        TypeExprKind::Enum(values) if values.len() == 1 => format!("| {}", values[0].name),
        TypeExprKind::Enum(values) => values
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        TypeExprKind::List(inner) => format!("list of {}", type_expr(inner)),
        TypeExprKind::Record(fields) => {
            let fields: Vec<String> = fields.iter().map(input_decl).collect();
            format!("{{ {} }}", fields.join(", "))
        }
    }
}

/// An input or field declaration on one line: `name: type [in a..b] [optional | default v]`.
pub fn input_decl(d: &InputDecl) -> String {
    format!("{}: {}", d.name.name, input_rest(d))
}

/// Everything after `name: `.
pub fn input_rest(d: &InputDecl) -> String {
    let mut s = type_expr(&d.ty);
    if let Some(r) = &d.range {
        s.push_str(&format!(" in {}", op_expr(r)));
    }
    for c in &d.convert {
        let (left, right) = (op_expr(&c.left), op_expr(&c.right));
        s.push_str(&format!(" convert {left} = {right}"));
    }
    if d.optional.is_some() {
        s.push_str(" optional");
    }
    if let Some(v) = &d.default {
        s.push_str(&format!(" default {}", value(v)));
    }
    s
}

/// A unit as written, with `µg` and `ug` spelt `mcg` (the same unit, in safe notation).
fn safe_unit(text: &str) -> String {
    crate::units::safe_unit_spelling(text).unwrap_or_else(|| text.to_string())
}
