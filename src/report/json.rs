//! The decision as JSON: the stable interface for programs (design.md §3). Quantities are
//! `{"value": 75, "unit": "mcg"}`, ranges `{"min": 110, "max": 130, "unit": "mcg/day"}`;
//! numbers are exact decimals, never rounded through floating point.

use serde_json::{json, Map, Number, Value as Json};

use crate::check::Program;
use crate::eval::*;
use crate::units::{format_decimal, Quantity};

/// An exact JSON number.
fn number(d: &rust_decimal::Decimal) -> Json {
    format_decimal(d)
        .parse::<Number>()
        .map(Json::Number)
        .unwrap_or_else(|_| Json::String(format_decimal(d)))
}

/// `{"value": 75, "unit": "mcg"}`
pub fn quantity(q: &Quantity) -> Json {
    json!({ "value": number(&q.value), "unit": q.unit.to_string() })
}

/// A quantity or a range `{"min", "max", "unit"}` (both ends in one unit when exact).
pub fn amount(a: &Amount) -> Json {
    match a {
        Amount::One(q) => quantity(q),
        Amount::Range(lo, hi) => {
            let hi_same = hi.convert_to(&lo.unit).ok();
            match hi_same {
                Some(hi) => {
                    json!({ "min": number(&lo.value), "max": number(&hi.value), "unit": lo.unit.to_string() })
                }
                None => json!({ "min": quantity(lo), "max": quantity(hi) }),
            }
        }
    }
}

fn opt<T>(v: &Option<T>, f: impl Fn(&T) -> Json) -> Json {
    v.as_ref().map_or(Json::Null, f)
}

fn frequency(f: &FrequencyOut) -> Json {
    json!({
        "text": f.text,
        "times_per_day": opt(&f.times_per_day, |q| number(&q.value)),
        "every": opt(&f.every, quantity),
    })
}

fn dose(d: &Dose) -> Json {
    json!({
        "amount": amount(&d.amount),
        "route": d.route,
        "form": d.form,
        "frequency": opt(&d.frequency, frequency),
        "over": opt(&d.over, amount),
        "duration": opt(&d.duration, amount),
        "daily_total": opt(&d.daily_total, amount),
        "rule": d.rule,
        "source": d.source,
    })
}

fn schedule(s: &Schedule) -> Json {
    let steps: Vec<Json> = s
        .steps
        .iter()
        .map(|st| {
            json!({
                "step": st.number,
                "from_day": st.from_day,
                "to_day": st.to_day,
                "from_date": st.from_date.map(|d| d.to_string()),
                "to_date": st.to_date.map(|d| d.to_string()),
                "action": if st.stop { "stop" } else { "give" },
                "dose": opt(&st.dose, quantity),
                "frequency": st.frequency.as_ref().map(|f| f.text.clone()),
                "daily_total": opt(&st.daily_total, quantity),
            })
        })
        .collect();
    json!({
        "direction": s.direction,
        "route": s.route,
        "rule": s.rule,
        "source": s.source,
        "steps": steps,
    })
}

fn proposal(p: &ProposalOutcome) -> Json {
    json!({
        "value": quantity(&p.value),
        "daily_total": opt(&p.daily_total, quantity),
        "allowed": p.allowed,
        "reason": p.reason,
        "allowed_range": opt(&p.allowed_range, amount),
        "rule": p.rule,
        "source": p.source,
    })
}

fn trace_entry(t: &TraceEntry) -> Json {
    let values: Map<String, Json> = t
        .values
        .iter()
        .map(|(k, v)| (k.clone(), Json::String(v.clone())))
        .collect();
    json!({
        "kind": t.kind,
        "id": t.id,
        "fired": t.fired,
        "source": t.source,
        "values": values,
        "detail": t.detail,
    })
}

/// A shown value: quantities and ranges as above, dates as ISO text, others as shown.
fn value(program: &Program, v: &crate::value::Value) -> Json {
    use crate::value::Value;
    match v {
        Value::Num(q) => quantity(q),
        Value::Range(r) => match &**r {
            (Value::Num(a), Value::Num(b)) => amount(&Amount::Range(a.clone(), b.clone())),
            _ => Json::String(crate::value::Shown(v, program).to_string()),
        },
        Value::Bool(b) => Json::Bool(*b),
        Value::Date(d) => Json::String(d.to_string()),
        Value::Missing => Json::Null,
        other => Json::String(crate::value::Shown(other, program).to_string()),
    }
}

/// The whole decision; `trace` adds the explanation.
pub fn decision(program: &Program, d: &Decision, trace: bool) -> Json {
    let h = &program.header;
    let mut out = json!({
        "protocol": { "name": h.name, "title": h.title, "version": h.version, "source": h.source },
        "phase": d.phase,
        "path": d.path,
        "status": d.status.word(),
        "doses": d.doses.iter().map(dose).collect::<Vec<_>>(),
        "schedule": opt(&d.schedule, schedule),
        "observe": d.observe.iter().map(amount).collect::<Vec<_>>(),
        "proposal": opt(&d.proposal, proposal),
        "values": d.values.iter().map(|(name, v)| (name.clone(), value(program, v))).collect::<Map<String, Json>>(),
        "messages": d.messages.iter().map(|m| json!({
            "severity": m.level, "code": m.code, "text": m.text, "rule": m.rule, "source": m.source,
        })).collect::<Vec<_>>(),
        "reasons": d.reasons.iter().map(|r| json!({
            "kind": r.kind.word(), "text": r.text, "rule": r.rule, "source": r.source,
        })).collect::<Vec<_>>(),
        "next": opt(&d.next, |n| json!({ "phase": n.phase, "after": opt(&n.after, quantity) })),
    });
    if trace {
        if let Some(map) = out.as_object_mut() {
            map.insert(
                "trace".into(),
                Json::Array(d.trace.iter().map(trace_entry).collect()),
            );
        }
    }
    out
}
