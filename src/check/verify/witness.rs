//! Witness patients: one concrete patient inside a region (a gap, an overlap), written as a
//! patient file's JSON object that `posology run` accepts, every required input given.

use serde_json::{Map, Value as Json};

use super::interval::{Interval, IntervalSet};
use super::region::{Cube, Present, VarSet};
use super::translate::domain_of;
use crate::check::{InputSpec, Program, Type};
use crate::units::{Quantity, Rational, Unit};

/// A patient the verifier found, for a reviewer to run (`posology check --witnesses DIR`
/// writes each as a case file).
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    /// The code of the diagnostic it illustrates (`posology::verify::gap`).
    pub code: &'static str,
    /// What it shows, in a few words (the block or the rules).
    pub about: String,
    /// The patient, as a patient file's JSON object.
    pub patient: Map<String, Json>,
}

/// The most decimal places tried for a value inside an open interval.
const MAX_PLACES: u32 = 12;

/// A terminating value in `part` (a patient file can only write those), preferring an end that
/// belongs to it (a boundary is what the reader must see), then the midpoint.
pub fn pick(part: &Interval, whole: bool) -> Option<Rational> {
    let one = Rational::from(1);
    let fits = |v: &Rational| part.contains(v) && v.terminates() && (!whole || v.is_integer());
    // The candidates in order (a closed low end, a closed high end, then a value between),
    // each worked out only when the ones before it do not fit.
    for end in [&part.lo, &part.hi] {
        if let Some(e) = end.as_ref().filter(|e| e.closed && fits(&e.value)) {
            return Some(e.value.clone());
        }
    }
    let between = match (&part.lo, &part.hi) {
        (Some(l), Some(h)) => l.value.add(&h.value).div(&Rational::from(2)).ok(),
        (Some(l), None) => Some(l.value.floor().add(&one)),
        (None, Some(h)) => Some(h.value.ceil().sub(&one)),
        (None, None) => Some(Rational::from(0)),
    };
    if let Some(v) = between.filter(|v| fits(v)) {
        return Some(v);
    }
    // A decimal with few places inside an open interval between non-terminating ends.
    let low = part.lo.as_ref()?.value.clone();
    let mut scale = Rational::from(1);
    for _ in 0..=MAX_PLACES {
        let v = low.mul(&scale).floor().add(&one).div(&scale).ok()?;
        if fits(&v) {
            return Some(v);
        }
        scale = scale.mul(&Rational::from(10));
    }
    None
}

/// A value of `set`: a present one when there is one (`None` inside for "missing"). Shared by
/// the witness patients and the sampled patients of [`super::sample`].
pub(super) fn pick_set(set: &VarSet) -> Option<Option<Present1>> {
    match &set.present {
        Present::Num(s) => {
            if let Some(v) = s.parts().iter().find_map(|p| pick(p, set.whole)) {
                return Some(Some(Present1::Num(v)));
            }
        }
        Present::Choice(c) => {
            if let Some(i) = c.iter().position(|x| *x) {
                return Some(Some(Present1::Choice(i)));
            }
        }
    }
    set.missing.then_some(None)
}

/// One present value of an input: a number in its declared unit, or a choice by index.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Present1 {
    Num(Rational),
    Choice(usize),
}

/// The patient file's text for a number in `unit`.
fn number_json(v: &Rational, unit: &Unit) -> Option<Json> {
    let digits = v.decimal_text()?;
    // A patient file gives a `%` input as a plain number of percent (`33.5` is 33.5%).
    if unit.is_none() || *unit == Unit::percent() {
        return digits.parse::<serde_json::Number>().ok().map(Json::Number);
    }
    Some(Json::String(
        Quantity::new(v.clone(), unit.clone()).to_string(),
    ))
}

/// The JSON of one chosen value of `spec`.
fn value_json(program: &Program, spec: &InputSpec, v: &Present1) -> Option<Json> {
    match (v, &spec.ty) {
        (Present1::Num(x), Type::Num(u)) => number_json(x, spec.unit.as_ref().unwrap_or(u)),
        (Present1::Choice(i), Type::Bool) => Some(Json::Bool(*i == 1)),
        (Present1::Choice(i), Type::Enum(id)) => program
            .enums
            .get(*id as usize)?
            .values
            .get(*i)
            .map(|s| Json::String(s.clone())),
        _ => None,
    }
}

/// A valid value for an input nothing constrains: the low end of its range, its first choice.
fn filler(program: &Program, spec: &InputSpec, depth: usize) -> Option<Json> {
    match &spec.ty {
        Type::Num(_) | Type::Bool => {
            let d = domain_of(spec)?;
            let v = pick_set(&d)??;
            value_json(program, spec, &v)
        }
        Type::Enum(id) => program
            .enums
            .get(*id as usize)?
            .values
            .first()
            .map(|s| Json::String(s.clone())),
        Type::Text => Some(Json::String(String::new())),
        Type::Date => Some(Json::String("2026-01-01".into())),
        Type::List(_) | Type::EmptyList => Some(Json::Array(Vec::new())),
        Type::Record(id) if depth < 8 => {
            let mut map = Map::new();
            for field in &program.records.get(*id as usize)?.fields {
                if field.optional || field.default.is_some() {
                    continue;
                }
                map.insert(field.name.clone(), filler(program, field, depth + 1)?);
            }
            Some(Json::Object(map))
        }
        _ => None,
    }
}

/// A patient in `cube`: each input it constrains at a value inside it, each other required
/// input at a valid value, optional inputs left out. `None` when no value can be written (a
/// single point with no finite decimal, say).
pub fn patient(program: &Program, cube: &Cube) -> Option<Map<String, Json>> {
    let mut map = Map::new();
    for (slot, spec) in program.inputs.iter().enumerate() {
        match cube.get(&slot) {
            Some(set) => {
                // `None` inside: missing, so left out.
                if let Some(v) = pick_set(set)? {
                    map.insert(spec.name.clone(), value_json(program, spec, &v)?);
                }
            }
            None if spec.optional || spec.default.is_some() => {}
            None => {
                map.insert(spec.name.clone(), filler(program, spec, 0)?);
            }
        }
    }
    Some(map)
}

/// The values of one input in a region, as a condition a pharmacist reads:
/// `crcl > 29 mL/min and crcl <= 30 mL/min or crcl = 59.5 mL/min`.
pub fn describe(program: &Program, slot: usize, set: &VarSet) -> String {
    let Some(spec) = program.inputs.get(slot) else {
        return String::new();
    };
    let name = &spec.name;
    let mut parts = Vec::new();
    match &set.present {
        Present::Num(s) => {
            let unit = match &spec.ty {
                Type::Num(u) => spec.unit.clone().unwrap_or_else(|| u.clone()),
                _ => Unit::none(),
            };
            parts.extend(describe_numbers(name, s, &unit));
        }
        Present::Choice(c) => {
            let names: Vec<String> = c
                .iter()
                .enumerate()
                .filter(|(_, x)| **x)
                .map(|(i, _)| match &spec.ty {
                    Type::Bool => (i == 1).to_string(),
                    Type::Enum(id) => program
                        .enums
                        .get(*id as usize)
                        .and_then(|e| e.values.get(i))
                        .cloned()
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .collect();
            match names.len() {
                0 => {}
                1 => parts.push(format!("{name} == {}", names[0])),
                _ => parts.push(format!(
                    "{name} in [{}]",
                    crate::check::list_some(names.iter().map(String::as_str), ", ")
                )),
            }
        }
    }
    if set.missing {
        parts.push(format!("{name} is missing"));
    }
    if parts.len() > 1 {
        for p in &mut parts {
            if p.contains(" and ") {
                *p = format!("({p})");
            }
        }
    }
    parts.join(" or ")
}

/// The intervals of a number as conditions (at most a few, then how many more).
fn describe_numbers(name: &str, s: &IntervalSet, unit: &Unit) -> Vec<String> {
    let shown = |v: &Rational| Quantity::new(v.clone(), unit.clone()).to_string();
    let mut out = Vec::new();
    for part in s.parts().iter().take(4) {
        let lo = part.lo.as_ref().map(|l| {
            let op = if l.closed { ">=" } else { ">" };
            format!("{name} {op} {}", shown(&l.value))
        });
        let hi = part.hi.as_ref().map(|h| {
            let op = if h.closed { "<=" } else { "<" };
            format!("{name} {op} {}", shown(&h.value))
        });
        out.push(match (lo, hi) {
            (Some(_), Some(_))
                if part.lo.as_ref().map(|l| &l.value) == part.hi.as_ref().map(|h| &h.value) =>
            {
                format!(
                    "{name} == {}",
                    shown(
                        &part
                            .lo
                            .as_ref()
                            .map(|l| l.value.clone())
                            .unwrap_or_default()
                    )
                )
            }
            (Some(l), Some(h)) => format!("{l} and {h}"),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => format!("{name} is any value"),
        });
    }
    if s.parts().len() > 4 {
        out.push(format!("{} more intervals", s.parts().len() - 4));
    }
    out
}
