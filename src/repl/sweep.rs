//! `:sweep`: one decision per value of one input, as a table.

use super::session::{table, Reply, Session};
use crate::check::{validate_value, Program, Scope, Type};
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Source, Span};
use crate::eval::{Decision, Env, Status};
use crate::report;
use crate::syntax;
use crate::units::Quantity;
use crate::value::{Shown, Value};

/// The most rows one sweep prints.
pub const MAX_SWEEP_ROWS: usize = 100;

/// Runs a sweep: `NAME` over a choice's values, or `NAME LOW..HIGH step STEP`.
pub(super) fn sweep(session: &mut Session, arg: &str, line: &str) -> Reply {
    let Some(loaded) = &session.loaded else {
        return refusal(
            line,
            Code::ReplNoProtocol,
            "no protocol is loaded".into(),
            "load one with `:load FILE`",
        );
    };
    let program = loaded.protocol.program();
    let (slot, values) = match sweep_values(session, program, arg) {
        Ok(found) => found,
        Err(Refusal {
            code,
            message,
            help,
        }) => return refusal(line, code, message, &help),
    };
    let name = program.inputs[slot].name.clone();
    let saved = session.given[slot].clone();
    let mut rows = vec![[name, "status".into(), "decision".into(), "notes".into()]];
    // One budget for the whole sweep: a hundred rows of a protocol that works to the limit
    // would otherwise take a hundred times as long as one decision may.
    let budget = crate::eval::Budget::default();
    for v in values {
        let shown = crate::display::shown(&Shown(&v, program).to_string());
        session.given[slot] = Some(v);
        rows.push(match session.decide_spending(&budget) {
            Ok(d) => decision_row(shown, &d),
            Err(e) => error_row(shown, e.message()),
        });
    }
    session.given[slot] = saved;
    Reply {
        text: table(&rows),
        ok: true,
        ..Reply::default()
    }
}

/// Why a sweep cannot run, as a diagnostic will say it.
struct Refusal {
    code: Code,
    message: String,
    help: String,
}

impl Refusal {
    fn new(code: Code, message: impl Into<String>, help: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
            help: help.into(),
        }
    }
}

/// A refused sweep: one diagnostic under the whole line.
fn refusal(line: &str, code: Code, message: String, help: &str) -> Reply {
    let d = Diagnostic::error(code, message)
        .with_label(Span::new(0, line.len()), "here")
        .with_help(help.to_string())
        .with_source(&Source::new("input", line));
    Reply {
        text: crate::diagnostics::render_all(&[d], crate::diagnostics::RenderStyle::Plain),
        ok: false,
        ..Reply::default()
    }
}

/// The input a sweep's argument names (its slot) and the values it runs over: every value of
/// a choice or true/false, or `LOW..HIGH step STEP` of a number.
fn sweep_values(
    session: &Session,
    program: &Program,
    arg: &str,
) -> Result<(usize, Vec<Value>), Refusal> {
    let (name, rest) = arg
        .split_once(char::is_whitespace)
        .map_or((arg, ""), |(n, r)| (n, r.trim()));
    let Some(slot) = program.input_slot(name) else {
        return Err(Refusal::new(
            Code::ReplUnknownInput,
            format!(
                "`{}` is not an input of this protocol",
                crate::display::quoted(name)
            ),
            "`:inputs` lists the inputs; write `:sweep NAME LOW..HIGH step STEP`",
        ));
    };
    let spec = &program.inputs[slot];
    if !matches!(spec.ty, Type::Enum(_) | Type::Bool | Type::Num(_)) {
        let (message, help) = not_sweepable(session, spec);
        return Err(Refusal::new(Code::ReplSweep, message, help));
    }
    if !rest.is_empty() {
        return numeric_values(session, spec, rest)
            .map(|values| (slot, values))
            .map_err(|message| {
                Refusal::new(
                    Code::ReplSweep,
                    message,
                    "write e.g. `:sweep daily_dose 100 mcg/day..800 mcg/day step 100 mcg/day`",
                )
            });
    }
    match &spec.ty {
        Type::Enum(id) => {
            let count = program.enums[*id as usize].values.len();
            // The same bound as a numeric sweep: a choice of 100,000 values (a protocol of
            // 1 MiB) made 100,000 decisions, seconds of work and a screen per thousand.
            if count > MAX_SWEEP_ROWS {
                return Err(Refusal::new(
                    Code::ReplSweep,
                    format!(
                        "`{name}` has {count} choices; a sweep shows at most {MAX_SWEEP_ROWS} \
                         values"
                    ),
                    format!("set the choices of interest one at a time: `{name} = …`, then `:run`"),
                ));
            }
            Ok((
                slot,
                (0..count as u32).map(|i| Value::Enum(*id, i)).collect(),
            ))
        }
        Type::Bool => Ok((slot, vec![Value::Bool(false), Value::Bool(true)])),
        _ => {
            let (what, example) = if spec.whole {
                ("a count".to_string(), format!(":sweep {name} 1..4 step 1"))
            } else {
                let unit = spec.unit.clone().unwrap_or_default();
                let five = Quantity::new(5.into(), unit.clone());
                (
                    unit.dim().describe(),
                    format!(":sweep {name} LOW..HIGH step STEP`, each a quantity such as `{five}`"),
                )
            };
            Err(Refusal::new(
                Code::ReplSweep,
                format!("`{name}` is {what}: give a range and a step"),
                format!("write `{example}"),
            ))
        }
    }
}

/// One row of the table for a decision: the value, the status, what is given (or scheduled,
/// or why not), and notes (the proposal's verdict, a refusal's reason, warnings).
fn decision_row(shown: String, d: &Decision) -> [String; 4] {
    let what = if !d.doses.is_empty() {
        d.doses
            .iter()
            .map(|x| {
                report::text::amount(&x.amount)
                    + &x.frequency
                        .as_ref()
                        .map(|f| format!(" {}", f.text))
                        .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("; ")
    } else if let Some(s) = &d.schedule {
        format!("schedule of {} steps", s.steps.len())
    } else if !d.alternatives.is_empty() {
        let offered: Vec<&str> = d
            .alternatives
            .iter()
            .filter(|a| a.allowed)
            .map(|a| a.name.as_str())
            .collect();
        format!("choose {}", offered.join(" or "))
    } else {
        d.reasons
            .first()
            .map(|r| r.text.clone())
            .unwrap_or_default()
    };
    let mut notes = Vec::new();
    let several = d.proposals.len() > 1;
    for p in &d.proposals {
        let verdict = if p.allowed { "allowed" } else { "refused" };
        if several {
            notes.push(format!("proposal {} {verdict}", p.input));
        } else {
            notes.push(format!("proposal {verdict}"));
        }
    }
    if d.status == Status::Refused && !d.doses.is_empty() {
        notes.extend(d.reasons.first().map(|r| r.text.clone()));
    }
    notes.extend(
        d.messages
            .iter()
            .filter(|m| m.level >= crate::check::Level::Warning)
            .map(|m| m.code.to_string()),
    );
    [shown, d.status.word().to_string(), what, notes.join(", ")]
}

/// One row of the table for a value that could not be decided: the diagnostic's message line.
fn error_row(shown: String, rendered: &str) -> [String; 4] {
    let message = rendered
        .lines()
        .find(|l| l.contains('×'))
        .unwrap_or(rendered.lines().next().unwrap_or(""))
        .trim()
        .trim_start_matches('×')
        .trim()
        .to_string();
    [shown, "error".into(), message, String::new()]
}

/// Why an input that is not a choice, true/false or a number cannot be swept, and what can be.
fn not_sweepable(session: &Session, spec: &crate::check::InputSpec) -> (String, String) {
    let Some(loaded) = &session.loaded else {
        return (
            "no protocol is loaded".into(),
            "load one with `:load FILE`".into(),
        );
    };
    let program = loaded.protocol.program();
    let name = &spec.name;
    let kind = program.kind_of(&spec.ty, spec.whole);
    let (what, set) = match &spec.ty {
        Type::List(_) | Type::EmptyList => (
            format!("a {kind}"),
            format!("set the list with `{name} = [ … ]` or add to it with `{name} += …`"),
        ),
        Type::Record(_) => (
            format!("a record ({kind})"),
            format!("set it with `{name} = {{ … }}`"),
        ),
        Type::Date => (
            "a date".into(),
            format!("set it with `{name} = \"2026-12-01\"`"),
        ),
        Type::Text => ("a text".into(), format!("set it with `{name} = \"…\"`")),
        _ => (
            "not a choice or a number".into(),
            format!("set it with `{name} = …`"),
        ),
    };
    let sweepable: Vec<&str> = program
        .inputs
        .iter()
        .filter(|i| matches!(i.ty, Type::Enum(_) | Type::Bool | Type::Num(_)))
        .map(|i| i.name.as_str())
        .collect();
    let can = if sweepable.is_empty() {
        "this protocol has no input that can be swept".to_string()
    } else {
        format!("the inputs that can be swept are: {}", sweepable.join(", "))
    };
    (
        format!(
            "`{name}` is {what}: a sweep runs one decision per value of a choice, true/false, \
             or a number over a range"
        ),
        format!("{set}; {can}"),
    )
}

fn numeric_values(
    session: &Session,
    spec: &crate::check::InputSpec,
    rest: &str,
) -> Result<Vec<Value>, String> {
    let Some(loaded) = &session.loaded else {
        return Err("no protocol is loaded".into());
    };
    let (range_text, step_text) = rest
        .split_once(" step ")
        .ok_or("a sweep over a quantity needs `step`")?;
    let constant = |text: &str| -> Result<Value, String> {
        let e = syntax::parse_expr(text.trim()).map_err(|d| d.message)?;
        let c = Scope::new(loaded.protocol.ast(), loaded.protocol.source())
            .expr(&e)
            .map_err(|d| d.first().map(|d| d.message.clone()).unwrap_or_default())?;
        let no_values: Vec<Value> = vec![Value::Missing; loaded.protocol.program().inputs.len()];
        Env::new(loaded.protocol.program(), &no_values)
            .eval(&c)
            .map_err(|d| d.message)
    };
    let Value::Range(r) = constant(range_text)? else {
        return Err(format!(
            "`{}` is not a range LOW..HIGH",
            crate::display::quoted(range_text.trim())
        ));
    };
    let (Value::Num(lo), Value::Num(hi)) = (&r.0, &r.1) else {
        return Err("the range must be of quantities".into());
    };
    let Value::Num(step) = constant(step_text)? else {
        return Err("the step must be a quantity".into());
    };
    if step.is_zero() || step.value.is_sign_negative() {
        return Err("the step must be more than zero".into());
    }
    if lo.compare(hi).map_err(|e| e.to_string())?.is_gt() {
        // An empty table would read as "nothing to show", not as a reversed range.
        return Err(format!(
            "the range runs down ({lo}..{hi}): write the lower value first, {hi}..{lo}"
        ));
    }
    let unit = spec.unit.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut v: Quantity = lo.clone();
    while v.compare(hi).map_err(|e| e.to_string())?.is_le() {
        if out.len() >= MAX_SWEEP_ROWS {
            return Err(format!(
                "a sweep shows at most {MAX_SWEEP_ROWS} values: use a larger step"
            ));
        }
        let converted = v.convert_to(&unit).map_err(|e| format!("{v}: {e}"))?;
        let value = Value::Num(converted);
        validate_value(spec, &value).map_err(|invalid| invalid.message)?;
        out.push(value);
        v = v.add(&step).map_err(|e| e.to_string())?;
    }
    Ok(out)
}
