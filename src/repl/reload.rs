//! `:reload`: the values typed in are re-read against the new protocol by NAME, as if typed
//! again. A choice is found by its name (never by its position), a record's fields by their
//! names, a quantity is converted exactly to the newly declared unit, and the declared range and
//! whole-number rule are checked with the same [`validate_value`] that typed values and patient
//! files go through. A value that no longer fits is dropped, and the reply says why.

use crate::check::{validate_value, InputSpec, Program, Type};
use crate::units::UnitError;
use crate::value::{Shown, Value};

/// The values kept for the new protocol, and what was said about them.
pub(super) struct Reread {
    /// The kept values, by slot of the new protocol.
    pub given: Vec<Option<Value>>,
    /// Slots of the new protocol whose value was dropped (to be set again).
    pub dropped: Vec<bool>,
    /// One line per value that was dropped or is now written differently (empty when every
    /// value was kept as it was).
    pub report: String,
}

/// Re-reads every value given for `old` against `new`, by input name.
pub(super) fn reread(old: &Program, old_given: &[Option<Value>], new: &Program) -> Reread {
    let mut given = vec![None; new.inputs.len()];
    let mut dropped = vec![false; new.inputs.len()];
    let mut dropped_lines = Vec::new();
    let mut converted_lines = Vec::new();
    for (old_spec, value) in old.inputs.iter().zip(old_given) {
        let Some(value) = value else {
            continue;
        };
        let name = &old_spec.name;
        let was = Shown(value, old).to_string();
        // Compared whole, shown shortened (a list of 2,000 test doses is not printed whole).
        let was_shown = crate::display::shown(&was);
        let Some(slot) = new.input_slot(name) else {
            dropped_lines.push(format!(
                "  {name} = {was_shown}: `{name}` is no longer an input of this protocol: dropped\n"
            ));
            continue;
        };
        let spec = &new.inputs[slot];
        match reread_input(old, &old_spec.ty, value, new, spec) {
            Ok(v) => {
                let now = Shown(&v, new).to_string();
                if now != was {
                    let now = crate::display::shown(&now);
                    converted_lines.push(format!("  {name} = {was_shown} is now {now}\n"));
                }
                given[slot] = Some(v);
            }
            Err(reason) => {
                dropped[slot] = true;
                dropped_lines.push(format!(
                    "  {name} = {was_shown}: {reason}; dropped, set it again\n"
                ));
            }
        }
    }
    let mut report = String::new();
    if !dropped_lines.is_empty() {
        let n = dropped_lines.len();
        report.push_str(&format!(
            "{n} value{} no longer fit{} the protocol and {} dropped:\n",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            if n == 1 { "was" } else { "were" },
        ));
        report.extend(dropped_lines);
    }
    if !converted_lines.is_empty() {
        report.push_str("kept (the same values, written as this protocol declares them):\n");
        report.extend(converted_lines);
    }
    Reread {
        given,
        dropped,
        report,
    }
}

/// One input's value re-read against its new declaration, checked as a typed value is.
fn reread_input(
    old: &Program,
    old_ty: &Type,
    value: &Value,
    new: &Program,
    spec: &InputSpec,
) -> Result<Value, String> {
    let v = convert(old, old_ty, value, new, &spec.ty, &spec.name)?;
    checked(spec, &spec.name, v)
}

/// The declared range and whole-number rule (with the message naming `path`).
fn checked(spec: &InputSpec, path: &str, v: Value) -> Result<Value, String> {
    match validate_value(spec, &v) {
        Ok(()) => Ok(v),
        Err(invalid) => Err(invalid
            .message
            .replace(&format!("`{}`", spec.name), &format!("`{path}`"))),
    }
}

/// A value of `old_ty` in `old`, as a value of `new_ty` in `new`, by names and exact units.
// Long on purpose: one arm per kind of value a reload converts (number, choice, list, record,
// range).
fn convert(
    old: &Program,
    old_ty: &Type,
    value: &Value,
    new: &Program,
    new_ty: &Type,
    path: &str,
) -> Result<Value, String> {
    let changed_kind = || {
        format!(
            "`{path}` was {}, but is declared {}",
            old.kind_of(old_ty, false),
            new.kind_of(new_ty, false)
        )
    };
    match (value, old_ty, new_ty) {
        (Value::Num(q), Type::Num(_), Type::Num(unit)) => {
            q.convert_to(unit).map(Value::Num).map_err(|e| match e {
                UnitError::Mismatch { .. } => format!(
                    "`{path}` is {q}, but it must be in {} ({})",
                    if unit.is_none() {
                        "no unit".to_string()
                    } else {
                        unit.to_string()
                    },
                    unit.dim().describe()
                ),
                UnitError::Inexact { .. } => {
                    format!("`{path}` is {q}, which cannot be held exactly in {unit}")
                }
                other => format!("`{path}` is {q}: {other}"),
            })
        }
        (Value::Bool(_), Type::Bool, Type::Bool)
        | (Value::Text(_), Type::Text, Type::Text)
        | (Value::Date(_), Type::Date, Type::Date) => Ok(value.clone()),
        (Value::Enum(old_id, index), Type::Enum(_), Type::Enum(new_id)) => {
            let name = old.enums[*old_id as usize]
                .values
                .get(*index as usize)
                .ok_or_else(changed_kind)?;
            let choices = &new.enums[*new_id as usize].values;
            match choices.iter().position(|c| c == name) {
                Some(i) => Ok(Value::Enum(*new_id, i as u32)),
                None => Err(format!(
                    "`{name}` is not a choice of `{path}` (the choices are: {})",
                    choices.join(", ")
                )),
            }
        }
        (Value::List(items), Type::List(old_inner), Type::List(new_inner)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                convert(
                    old,
                    old_inner,
                    item,
                    new,
                    new_inner,
                    &format!("{path}[{i}]"),
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|items| Value::List(items.into())),
        (Value::Record(old_id, fields), Type::Record(_), Type::Record(new_id)) => {
            let old_fields = &old.records[*old_id as usize].fields;
            let new_fields = &new.records[*new_id as usize].fields;
            let mut out: Vec<Option<Value>> = vec![None; new_fields.len()];
            for (old_field, v) in old_fields.iter().zip(fields.iter()) {
                if v.is_missing() {
                    continue;
                }
                let field_path = format!("{path}.{}", old_field.name);
                let Some(i) = new_fields.iter().position(|f| f.name == old_field.name) else {
                    return Err(format!(
                        "`{field_path}` is given, but `{}` is no longer a field",
                        old_field.name
                    ));
                };
                let v = convert(old, &old_field.ty, v, new, &new_fields[i].ty, &field_path)?;
                out[i] = Some(checked(&new_fields[i], &field_path, v)?);
            }
            let mut values = Vec::with_capacity(new_fields.len());
            for (field, v) in new_fields.iter().zip(out) {
                match v.or_else(|| field.default.clone()) {
                    Some(v) => values.push(v),
                    None if field.optional => values.push(Value::Missing),
                    None => {
                        return Err(format!(
                            "`{path}` has no `{}`, a field the protocol now needs",
                            field.name
                        ))
                    }
                }
            }
            Ok(Value::Record(*new_id, values.into()))
        }
        _ => Err(changed_kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::diagnostics::Source;

    fn program(inputs: &str) -> Program {
        let text = format!(
            "protocol p {{\n  version \"1.0.0\"\n  source \"s\"\n  drug \"baclofen\"\n  inputs {{\n{inputs}\n  }}\n  limit dose <= 100 mg hard\n  decide first {{\n    otherwise => give 1 mg\n  }}\n}}\n"
        );
        let source = Source::new("p.dose", text.as_str());
        let ast = crate::syntax::parse(&text).expect("parses");
        let (program, diags) = check(&ast, &source);
        program.unwrap_or_else(|| panic!("checks: {diags:?}"))
    }

    fn enum_value(p: &Program, slot: usize, name: &str) -> Value {
        let Type::Enum(id) = p.inputs[slot].ty else {
            panic!("not an enum")
        };
        let i = p.enums[id as usize].values.iter().position(|v| v == name);
        Value::Enum(id, i.expect("a choice") as u32)
    }

    #[test]
    fn list_of_choices_is_kept_by_name() {
        let old = program("    seen: list of a | b | c");
        let new = program("    seen: list of c | b | a");
        let Type::List(inner) = &old.inputs[0].ty else {
            panic!("not a list")
        };
        let Type::Enum(id) = **inner else {
            panic!("not a list of choices")
        };
        let given = vec![Some(Value::List(
            vec![Value::Enum(id, 0), Value::Enum(id, 2)].into(),
        ))];
        let r = reread(&old, &given, &new);
        let shown = Shown(r.given[0].as_ref().expect("kept"), &new).to_string();
        assert_eq!(shown, "[a, c]");
        assert!(r.report.is_empty(), "{}", r.report);
    }

    #[test]
    fn record_fields_are_read_by_name() {
        let old = program("    t: { x: mg, r: yes | no }");
        let given = |p: &Program| {
            let Type::Record(id) = p.inputs[0].ty else {
                panic!("not a record")
            };
            let Type::Enum(e) = p.records[id as usize].fields[1].ty else {
                panic!("not an enum")
            };
            let x = Value::Num(crate::units::Quantity::parse("5 mg").expect("a quantity"));
            vec![Some(Value::Record(id, vec![x, Value::Enum(e, 1)].into()))]
        };
        // Fields swapped: kept by name.
        let swapped = program("    t: { r: no | yes, x: mcg }");
        let r = reread(&old, &given(&old), &swapped);
        let shown = Shown(r.given[0].as_ref().expect("kept"), &swapped).to_string();
        assert_eq!(shown, "{r: no, x: 5000 mcg}");
        // A field the new protocol requires and the value lacks: dropped.
        let more = program("    t: { x: mg, r: yes | no, w: kg }");
        let r = reread(&old, &given(&old), &more);
        assert!(r.given[0].is_none() && r.dropped[0]);
        assert!(r.report.contains("`t` has no `w`"), "{}", r.report);
        // A field the new protocol no longer has: dropped.
        let fewer = program("    t: { x: mg }");
        let r = reread(&old, &given(&old), &fewer);
        assert!(r.given[0].is_none() && r.dropped[0]);
        assert!(
            r.report.contains("`r` is no longer a field"),
            "{}",
            r.report
        );
        // An enum input whose choices are unchanged but is now text: dropped, never reinterpreted.
        let old = program("    k: a | b");
        let new = program("    k: text");
        let r = reread(&old, &[Some(enum_value(&old, 0, "b"))], &new);
        assert!(r.given[0].is_none() && r.dropped[0]);
        assert!(
            r.report.contains("`k` was a | b, but is declared text"),
            "{}",
            r.report
        );
    }
}
