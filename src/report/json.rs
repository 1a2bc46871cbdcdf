//! The decision as JSON: the stable interface for programs (design.md §3). Quantities are
//! `{"value": 75, "unit": "mcg"}`, ranges `{"min": 110, "max": 130, "unit": "mcg/day"}`;
//! numbers are exact decimals, never rounded through floating point.
//!
//! Every value is an exact rational number. One with a finite decimal expansion (nearly all:
//! `0.0002625`) is a JSON number with every digit. One without (`2/3`) is a JSON number
//! rounded to 28 significant digits, and the object holding it also gets, for each such field
//! `F`, a field `F_exact` with the exact value as a fraction in lowest terms (`"2/3"`), and
//! `"approximate": true` (see README.md, "JSON output").

use serde_json::{json, Map, Number, Value as Json};

use crate::check::Program;
use crate::eval::*;
use crate::units::{Quantity, Rational};

mod write;

pub use write::decision_into;
pub(crate) use write::{leaf, text, Obj};

/// Significant digits of a number without a finite decimal expansion.
const APPROX_DIGITS: u64 = 28;

/// A JSON number: exact when the value terminates, else rounded to 28 significant digits.
fn number(r: &Rational) -> Json {
    let text = r
        .decimal_text()
        .unwrap_or_else(|| r.significant_text(APPROX_DIGITS));
    text.parse::<Number>()
        .map(Json::Number)
        .unwrap_or(Json::String(text))
}

/// Sets `field` of `object` to `number(r)` (see [`mark_exact`] for the exact value).
fn put_number(object: &mut Map<String, Json>, field: &str, r: &Rational) {
    object.insert(field.to_string(), number(r));
}

/// Adds `field_exact` and `"approximate": true` to `object` when `r` does not terminate.
fn mark_exact(object: &mut Map<String, Json>, field: &str, r: &Rational) {
    if !r.terminates() {
        object.insert(format!("{field}_exact"), Json::String(r.fraction_text()));
        object.insert("approximate".to_string(), Json::Bool(true));
    }
}

/// `{"value": 75, "unit": "mcg"}` (with `value_exact` and `approximate` for a value without
/// a finite decimal expansion).
pub fn quantity(q: &Quantity) -> Json {
    let mut object = Map::new();
    put_number(&mut object, "value", &q.value);
    object.insert("unit".to_string(), Json::String(q.unit.to_string()));
    mark_exact(&mut object, "value", &q.value);
    Json::Object(object)
}

/// A quantity or a range `{"min", "max", "unit"}` (both ends in one unit when exact).
pub fn amount(a: &Amount) -> Json {
    match a {
        Amount::One(q) => quantity(q),
        Amount::Range(lo, hi) => {
            let hi_same = hi.convert_to(&lo.unit).ok();
            match hi_same {
                Some(hi) => {
                    let mut object = Map::new();
                    put_number(&mut object, "min", &lo.value);
                    put_number(&mut object, "max", &hi.value);
                    object.insert("unit".to_string(), Json::String(lo.unit.to_string()));
                    mark_exact(&mut object, "min", &lo.value);
                    mark_exact(&mut object, "max", &hi.value);
                    Json::Object(object)
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
    let mut object = Map::new();
    object.insert("text".to_string(), json!(f.text));
    object.insert(
        "times_per_day".to_string(),
        opt(&f.times_per_day, |q| number(&q.value)),
    );
    object.insert("every".to_string(), opt(&f.every, quantity));
    if let Some(q) = &f.times_per_day {
        mark_exact(&mut object, "times_per_day", &q.value);
    }
    Json::Object(object)
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

fn alternative(a: &Alternative) -> Json {
    json!({
        "name": a.name,
        "allowed": a.allowed,
        "dose": dose(&a.dose),
        "reasons": a.refusals.iter().map(|r| json!({
            "kind": r.kind.word(), "text": r.text, "rule": r.rule, "source": r.source,
        })).collect::<Vec<_>>(),
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
                "frequency": opt(&st.frequency, frequency),
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
        .map(|(k, v)| (k.to_string(), Json::String(v.to_string())))
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
        // The text itself: the quotes that set a text apart in a sentence are not part of it.
        Value::Text(t) => Json::String(t.to_string()),
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
        "proposal": opt(&d.proposal(), |p| proposal(p)),
        "values": d.values.iter().map(|(name, v)| (name.to_string(), value(program, v))).collect::<Map<String, Json>>(),
        "messages": d.messages.iter().map(|m| json!({
            "severity": m.level, "code": m.code, "text": m.text, "rule": m.rule, "source": m.source,
        })).collect::<Vec<_>>(),
        "reasons": d.reasons.iter().map(|r| json!({
            "kind": r.kind.word(), "text": r.text, "rule": r.rule, "source": r.source,
        })).collect::<Vec<_>>(),
        "next": opt(&d.next, |n| json!({ "phase": n.phase, "after": opt(&n.after, quantity) })),
    });
    // Only a decision with alternatives carries the key, so that every other decision's JSON
    // stays as it was.
    // Several proposals judged: each, named by its input (`proposal` is the first).
    if d.proposals.len() > 1 || super::judges_several(program, d) {
        if let Some(map) = out.as_object_mut() {
            let all = d.proposals.iter().map(|p| {
                let mut j = proposal(p);
                if let Some(o) = j.as_object_mut() {
                    o.insert("input".into(), Json::String(p.input.clone()));
                }
                j
            });
            map.insert("proposals".into(), Json::Array(all.collect()));
        }
    }
    if !d.alternatives.is_empty() {
        if let Some(map) = out.as_object_mut() {
            map.insert(
                "alternatives".into(),
                Json::Array(d.alternatives.iter().map(alternative).collect()),
            );
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap()
    }

    #[test]
    fn terminating_values_are_exact_numbers_and_others_carry_a_fraction() {
        let exact = quantity(&q("0.35 mL").mul(&q("0.00075 mg/mL")).unwrap());
        assert_eq!(exact.to_string(), r#"{"value":0.0002625,"unit":"mg"}"#);
        let third = q("2 mL/day")
            .div(&Quantity::number(Rational::from(3)))
            .unwrap();
        assert_eq!(
            quantity(&third).to_string(),
            r#"{"value":0.6666666666666666666666666667,"unit":"mL/day","value_exact":"2/3","approximate":true}"#
        );
        let range = amount(&Amount::Range(
            q("1 mg/day"),
            third.mul(&q("1 mg/mL")).unwrap(),
        ));
        assert_eq!(
            range.to_string(),
            r#"{"min":1,"max":0.6666666666666666666666666667,"unit":"mg/day","max_exact":"2/3","approximate":true}"#
        );
        let negative = quantity(&third.neg());
        assert_eq!(negative["value_exact"], "-2/3");
    }
}
