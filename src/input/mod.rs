//! Input layer: a patient file (JSON, YAML or TOML) → typed values for a checked protocol's
//! inputs, by slot. Every problem names the field and points at its place in the file; all are
//! reported together. A quantity must carry its unit (`"5 mg"`); another unit of the same kind
//! is converted exactly to the declared one; a bare number where a quantity is declared is an
//! error, never a guess.

pub mod document;
mod error;
mod fast;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use document::{parse_document, Entry, Format, Node, NodeKind};
pub use error::{Hint, InputError, YamlFeature};

use crate::check::{validate_value, InputSpec, Program, RequireSpec, Type};
use crate::diagnostics::{did_you_mean, Diagnostic, Source, Span};
use crate::display::quoted;
use crate::units::{Quantity, UnitError};
use crate::value::Value;

/// The most items a list in a patient file may hold.
pub const MAX_LIST_ITEMS: usize = 10_000;

/// The most field values the records of one patient's data may hold in all: each record holds
/// every field of its type, so with a record type of thousands of fields a list of `{}` would
/// otherwise hold far more values than its text has bytes.
pub const MAX_RECORD_VALUES: usize = 1 << 20;

/// The most problems reported for one patient's data (see [`crate::check::MAX_DIAGNOSTICS`]).
pub const MAX_DIAGNOSTICS: usize = crate::check::MAX_DIAGNOSTICS;

/// The largest patient file read, in bytes. Room for a list of [`MAX_LIST_ITEMS`] records
/// written out in full (about 100 bytes each, pretty-printed), so that such a list is refused
/// for its length, by name, rather than for the file's size.
pub const MAX_PATIENT_BYTES: usize = 4 << 20;

/// How much of a patient file (or standard input) is read: at most [`MAX_PATIENT_BYTES`].
pub const PATIENT_FILE: crate::files::Limit = crate::files::Limit {
    what: "patient file",
    max_bytes: MAX_PATIENT_BYTES,
};

/// A plain JSON record's values by input slot, read fast straight from its bytes ([`fast`]),
/// when the record is right for the protocol and meets its `require`s: exactly what
/// [`read_patient`] gives for it. `None` when the record must be read by [`read_patient`]
/// (which then refuses it with its reasons, or reads what the fast path leaves to it: other
/// formats, overrides, comments, escapes, …). Needs no [`Source`]: it reports nothing.
pub(crate) fn read_fast<'p>(
    program: &'p Program,
    text: &str,
    format: Format,
    overrides: &[String],
    unmet: &Unmet<'p>,
) -> Option<Vec<Value>> {
    if format != Format::Json || !overrides.is_empty() {
        return None;
    }
    let values = fast::read(program, text)?;
    unmet(&values).is_ok_and(|u| u.is_empty()).then_some(values)
}

/// Reads a patient file's text into values by input slot (defaults applied, `Missing` for
/// optional inputs not given), through the format-neutral tree ([`parse_document`]): every
/// format, every spelling, and every problem with its place in the file. `overrides` are
/// `NAME=VALUE` settings applied over the file. `unmet` names the `require`s a set of values
/// fails: evaluating a condition is eval's work, which sits above this layer, so the caller
/// ([`crate::protocol::Protocol::read_patient`]) passes it in.
pub(crate) fn read_patient<'p>(
    program: &'p Program,
    text: &str,
    format: Format,
    source: &Source,
    overrides: &[String],
    unmet: &Unmet<'p>,
) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let root = parse_document(text, format, source).map_err(|d| vec![d.with_source(source)])?;
    let mut decoder = Decoder::new(program);
    let mut given: Vec<Option<Value>> = vec![None; program.inputs.len()];
    decoder.fields(&root, &mut given);
    let mut diags: Vec<Diagnostic> = decoder
        .into_diagnostics(root.span)
        .into_iter()
        .map(|d| d.with_source(source))
        .collect();
    let reported = diags.len();
    let mut set_twice = std::collections::HashSet::new();
    for o in overrides {
        let set_source = Source::new("--set", o.clone());
        // The same input set twice is refused, as a field given twice in a file is: the last
        // one silently winning (`--set dose=5mg … --set dose=15mg`) hides a contradiction.
        let name = o.split_once('=').map(|(n, _)| n.trim());
        if let Some((name, slot)) = name.and_then(|n| Some((n, program.input_slot(n)?))) {
            if !set_twice.insert(slot) {
                let twice = InputError::SetTwice {
                    name: name.to_string(),
                    len: o.len(),
                };
                diags.push(Diagnostic::from(twice).with_source(&set_source));
                continue;
            }
        }
        let mut d = Decoder::new(program);
        d.override_value(o, &mut given);
        diags.extend(
            d.into_diagnostics(Span::new(0, o.len()))
                .into_iter()
                .map(|x| x.with_source(&set_source)),
        );
    }
    // A field that was given but wrong is already reported; don't also call it missing.
    let values = if reported > 0 || !diags.is_empty() {
        let mut mentioned = given.clone();
        if let NodeKind::Map(entries) = &root.kind {
            for e in entries {
                if let Some(slot) = program.input_slot(&e.key) {
                    mentioned[slot].get_or_insert(Value::Missing);
                }
            }
        }
        for o in overrides {
            if let Some(slot) = o
                .split_once('=')
                .and_then(|(n, _)| program.input_slot(n.trim()))
            {
                mentioned[slot].get_or_insert(Value::Missing);
            }
        }
        complete(program, mentioned, root.span, &mut diags, source)
    } else {
        complete(program, given, root.span, &mut diags, source)
    };
    if !diags.is_empty() {
        return Err(diags);
    }
    let overridden: Vec<&str> = overrides
        .iter()
        .filter_map(|o| o.split_once('=').map(|(n, _)| n.trim()))
        .collect();
    let rejected = requirements(program, &values, &root, &overridden, source, unmet);
    if rejected.is_empty() {
        Ok(values)
    } else {
        Err(rejected)
    }
}

/// Reads a patient file's text into the values it gives, by input slot (`None` where not
/// given), without defaults, required-field or `require` checks: for a REPL that fills the
/// rest in later.
pub fn read_given(
    program: &Program,
    text: &str,
    format: Format,
    source: &Source,
) -> Result<Vec<Option<Value>>, Vec<Diagnostic>> {
    let root = parse_document(text, format, source).map_err(|d| vec![d.with_source(source)])?;
    let mut decoder = Decoder::new(program);
    let mut given: Vec<Option<Value>> = vec![None; program.inputs.len()];
    decoder.fields(&root, &mut given);
    let diags = decoder.into_diagnostics(root.span);
    if diags.is_empty() {
        Ok(given)
    } else {
        Err(diags.into_iter().map(|d| d.with_source(source)).collect())
    }
}

/// Fills defaults into given values; the names of required inputs still missing are the error.
pub fn complete_given(
    program: &Program,
    given: &[Option<Value>],
) -> Result<Vec<Value>, Vec<String>> {
    let mut missing = Vec::new();
    let mut out = Vec::with_capacity(given.len());
    for (spec, v) in program.inputs.iter().zip(given) {
        match v.clone().or_else(|| spec.default.clone()) {
            Some(v) => out.push(v),
            None if spec.optional => out.push(Value::Missing),
            None => {
                missing.push(spec.name.clone());
                out.push(Value::Missing);
            }
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// A patient file (JSON) holding the given values, spelt as patient files spell them.
pub fn to_patient_json(program: &Program, given: &[Option<Value>]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (spec, v) in program.inputs.iter().zip(given) {
        if let Some(v) = v {
            map.insert(spec.name.clone(), patient_json(program, &spec.ty, v));
        }
    }
    serde_json::Value::Object(map)
}

fn patient_json(program: &Program, ty: &Type, v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Num(q) if q.unit.is_none() && matches!(ty, Type::Num(u) if u.is_none()) => q
            .value
            .exact_text()
            .parse::<serde_json::Number>()
            .map(J::Number)
            .unwrap_or(J::Null),
        Value::Num(q) => J::String(q.display_exact()),
        Value::Bool(b) => J::Bool(*b),
        Value::Text(t) => J::String(t.to_string()),
        Value::Enum(..) => J::String(crate::value::Shown(v, program).to_string()),
        Value::Date(d) => J::String(d.to_string()),
        Value::List(items) => {
            let inner = match ty {
                Type::List(t) => (**t).clone(),
                _ => Type::Error,
            };
            J::Array(
                items
                    .iter()
                    .map(|i| patient_json(program, &inner, i))
                    .collect(),
            )
        }
        Value::Record(id, fields) => {
            let specs = &program.records[*id as usize].fields;
            let mut map = serde_json::Map::new();
            for (spec, f) in specs.iter().zip(fields.iter()) {
                if !f.is_missing() {
                    map.insert(spec.name.clone(), patient_json(program, &spec.ty, f));
                }
            }
            J::Object(map)
        }
        Value::Range(_) | Value::Missing => J::Null,
    }
}

/// The `require`s a patient's values fail, in protocol order (or why they could not be judged).
pub type Unmet<'p> = dyn Fn(&[Value]) -> Result<Vec<(&'p RequireSpec, String)>, Diagnostic> + 'p;

/// The protocol's `require` conditions the data fails, each pointing at the values it read.
fn requirements<'p>(
    program: &'p Program,
    values: &[Value],
    root: &Node,
    overridden: &[&str],
    source: &Source,
    unmet: &Unmet<'p>,
) -> Vec<Diagnostic> {
    let unmet = match unmet(values) {
        Ok(u) if u.is_empty() => return Vec::new(),
        Ok(u) => u,
        Err(d) => return vec![d],
    };
    let entries: &[Entry] = match &root.kind {
        NodeKind::Map(e) => e,
        _ => &[],
    };
    // Each requirement labels the values it read: looked up by name, not by a scan of the file
    // per name (thousands of requirements against thousands of fields).
    let mut places: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
    for e in entries {
        places.entry(e.key.as_str()).or_insert(e.value.span);
    }
    let mut out: Vec<Diagnostic> = unmet
        .iter()
        .take(MAX_DIAGNOSTICS)
        .map(|(r, because)| {
            let condition = program
                .source
                .text
                .get(r.condition.span.start..r.condition.span.end)
                .unwrap_or("");
            let read = r
                .reads
                .iter()
                .filter(|(name, _)| !overridden.contains(&name.as_str()))
                .filter_map(|(name, _)| places.get(name.as_str()).map(|&span| (span, name.clone())))
                .collect();
            InputError::Rejected {
                because: because.clone(),
                condition: condition.to_string(),
                cite: r.source.as_ref().map(String::from),
                read,
                whole: root.span,
            }
            .to_diagnostic()
            .with_source(source)
        })
        .collect();
    if unmet.len() > MAX_DIAGNOSTICS {
        out.push(unshown_problems(unmet.len() - MAX_DIAGNOSTICS, root.span).with_source(source));
    }
    out
}

/// The most values [`unshared`] copies: a larger default is shared as it is.
const UNSHARED_VALUES: usize = 32;

/// A protocol's default value for one patient: a copy with reference counts of its own when it
/// is small (a default list `[]`, a text), else the protocol's value itself. Every patient
/// given the default would otherwise share one count with every other, on every thread: the
/// evaluator copies an input each time it reads it, so threads deciding patients at once
/// would all write the one cache line. Equal to the default either way.
pub(crate) fn unshared(default: &Value) -> Value {
    let mut budget = UNSHARED_VALUES;
    copy_within(default, &mut budget).unwrap_or_else(|| default.clone())
}

/// A copy of `value` with reference counts of its own, spending one of `budget` per value
/// copied; `None` past it.
fn copy_within(value: &Value, budget: &mut usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    let mut all = |items: &[Value]| -> Option<Arc<[Value]>> {
        items.iter().map(|v| copy_within(v, budget)).collect()
    };
    Some(match value {
        Value::List(items) => Value::List(all(items)?),
        Value::Record(id, fields) => Value::Record(*id, all(fields)?),
        Value::Text(text) => Value::Text(Arc::from(&**text)),
        Value::Range(ends) => {
            let (low, high) = &**ends;
            let low = copy_within(low, budget)?;
            Value::Range(Arc::new((low, copy_within(high, budget)?)))
        }
        Value::Num(_) | Value::Bool(_) | Value::Enum(..) | Value::Date(_) | Value::Missing => {
            value.clone()
        }
    })
}

/// Fills defaults and reports required inputs that were not given.
fn complete(
    program: &Program,
    given: Vec<Option<Value>>,
    whole: Span,
    diags: &mut Vec<Diagnostic>,
    source: &Source,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(given.len());
    let mut unshown = 0;
    for (spec, value) in program.inputs.iter().zip(given) {
        match value.or_else(|| spec.default.as_ref().map(unshared)) {
            Some(v) => out.push(v),
            None if spec.optional => out.push(Value::Missing),
            None if diags.len() >= MAX_DIAGNOSTICS => {
                unshown += 1;
                out.push(Value::Missing);
            }
            None => {
                diags.push(
                    InputError::MissingInput {
                        name: spec.name.clone(),
                        spelling: describe_spelling(program, &spec.ty),
                        whole,
                    }
                    .to_diagnostic()
                    .with_source(source),
                );
                out.push(Value::Missing);
            }
        }
    }
    if unshown > 0 {
        diags.push(unshown_problems(unshown, whole).with_source(source));
    }
    out
}

/// How a value of this type is written in a patient file.
fn describe_spelling(program: &Program, ty: &Type) -> String {
    match ty {
        Type::Num(u) if u.is_dimensionless() => "a number, e.g. 3".into(),
        Type::Num(u) => format!(
            "a text with its unit, e.g. \"{}\"",
            Quantity::new(5.into(), u.clone())
        ),
        Type::Bool => "true or false".into(),
        Type::Text => "a text in quotes".into(),
        Type::Enum(id) => format!("one of {}", program.enums[*id as usize].listed(", ")),
        Type::Date => "an ISO date, e.g. \"2026-12-01\"".into(),
        Type::List(_) | Type::EmptyList => "a list [ … ]".into(),
        Type::Record(_) => "a record { … }".into(),
        Type::Range(_) | Type::Error => "a value".into(),
    }
}

/// A bare number from a patient file (a count or a plain number), read exactly or refused:
/// never rounded. `Decimal`'s `parse` silently rounds past 28 digits, so that
/// `3.0000000000000000000000000000000000000001` would be read as 3; here a whole-number input
/// given any fraction is `posology::input::not_whole`, and any other number that cannot be held
/// says which limit it passes. Exponents (`3e0`) are refused as elsewhere, with the number
/// written out. The diagnostic is labelled at `span`, where the number is written.
fn plain_number(
    text: &str,
    whole: bool,
    path: &str,
    span: Span,
) -> Result<rust_decimal::Decimal, Diagnostic> {
    use rust_decimal::Decimal;
    if text.contains(['e', 'E']) {
        return Err(InputError::Exponent {
            path: path.to_string(),
            text: text.to_string(),
            span,
        }
        .into());
    }
    if let Ok(d) = Decimal::from_str_exact(text) {
        return Ok(d);
    }
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let is_fraction = frac.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if whole && is_fraction {
        let int = if int.is_empty() || int == "-" {
            "0"
        } else {
            int
        };
        let invalid = crate::check::not_whole(path, &quoted(text), &quoted(int));
        return Err(InputError::NotWhole { invalid, span }.into());
    }
    Err(InputError::OutOfRange {
        path: path.to_string(),
        text: text.to_string(),
        span,
    }
    .into())
}

struct Decoder<'p> {
    program: &'p Program,
    diags: Vec<Diagnostic>,
    /// Problems found past [`MAX_DIAGNOSTICS`], only counted.
    unshown: usize,
    /// Field values held by the records decoded so far (see [`MAX_RECORD_VALUES`]).
    record_values: usize,
}

impl<'p> Decoder<'p> {
    fn new(program: &'p Program) -> Self {
        Decoder {
            program,
            diags: Vec::new(),
            unshown: 0,
            record_values: 0,
        }
    }

    /// Records a problem; past [`MAX_DIAGNOSTICS`] it is only counted.
    fn report(&mut self, d: Diagnostic) {
        if self.muted() {
            self.unshown += 1;
        } else {
            self.diags.push(d);
        }
    }

    /// True once [`MAX_DIAGNOSTICS`] are recorded: a hostile file could cause one problem per
    /// value, each with a "did you mean" search over every name, so past the limit the text
    /// of a problem is not worked out.
    fn muted(&self) -> bool {
        self.diags.len() >= MAX_DIAGNOSTICS
    }

    /// Counts `fields` more record field values against [`MAX_RECORD_VALUES`]; false (reported
    /// once) past it.
    fn spend_record_values(&mut self, fields: usize, span: Span) -> bool {
        let before = self.record_values;
        self.record_values = before.saturating_add(fields);
        if self.record_values <= MAX_RECORD_VALUES {
            return true;
        }
        if before <= MAX_RECORD_VALUES {
            self.report(InputError::TooManyValues { span }.into());
        }
        false
    }

    /// The problems found, with one more saying how many were not shown.
    fn into_diagnostics(mut self, whole: Span) -> Vec<Diagnostic> {
        if self.unshown > 0 {
            self.diags.push(unshown_problems(self.unshown, whole));
        }
        self.diags
    }
}

/// The diagnostic for `count` problems past [`MAX_DIAGNOSTICS`].
fn unshown_problems(count: usize, whole: Span) -> Diagnostic {
    InputError::TooManyProblems { count, whole }.into()
}

impl Decoder<'_> {
    fn fields(&mut self, root: &Node, given: &mut [Option<Value>]) {
        let NodeKind::Map(entries) = &root.kind else {
            return;
        };
        for entry in entries {
            let Some(slot) = self.program.input_slot(&entry.key) else {
                if self.muted() {
                    self.unshown += 1;
                    continue;
                }
                let names = self.program.inputs.iter().map(|i| i.name.as_str());
                let hint = document::find_lookalike(&entry.key)
                    .map(|(_, c, name, write)| {
                        Hint::Lookalike(document::lookalike_help(c, name, write))
                    })
                    .or_else(|| {
                        did_you_mean(&entry.key, names).map(|s| Hint::Similar(s.to_string()))
                    })
                    .unwrap_or_else(|| Hint::Listed(self.input_list()));
                self.report(
                    InputError::UnknownField {
                        key: entry.key.clone(),
                        hint,
                        span: entry.key_span,
                    }
                    .into(),
                );
                continue;
            };
            let spec = &self.program.inputs[slot];
            given[slot] = self.value(&entry.value, spec, &entry.key);
        }
    }

    fn input_list(&self) -> String {
        crate::check::list_some(self.program.inputs.iter().map(|i| i.name.as_str()), ", ")
    }

    fn override_value(&mut self, text: &str, given: &mut [Option<Value>]) {
        let Some((name, value)) = text.split_once('=') else {
            self.report(InputError::SetSyntax { len: text.len() }.into());
            return;
        };
        let name = name.trim();
        let Some(slot) = self.program.input_slot(name) else {
            let hint = did_you_mean(name, self.program.inputs.iter().map(|i| i.name.as_str()))
                .map(|s| Hint::Similar(s.to_string()))
                .unwrap_or_else(|| Hint::Listed(self.input_list()));
            self.report(
                InputError::UnknownSetting {
                    name: name.to_string(),
                    hint,
                    span: Span::new(0, name.len()),
                }
                .into(),
            );
            return;
        };
        let start = text.len() - value.len();
        let span = Span::new(start, text.len());
        let raw = value.trim();
        if raw.is_empty() {
            // Not "leave it out": an empty shell variable (`--set dose=$DOSE`) would silently
            // put the protocol's default in place of the patient file's value.
            self.report(
                InputError::SetEmpty {
                    name: name.to_string(),
                    span,
                }
                .into(),
            );
            return;
        }
        let spec = &self.program.inputs[slot];
        let kind = match (&spec.ty, raw) {
            (Type::Bool, "true") => NodeKind::Bool(true),
            (Type::Bool, "false") => NodeKind::Bool(false),
            (Type::Num(u), _) if u.is_dimensionless() => NodeKind::Number(raw.to_string()),
            _ => NodeKind::String(raw.trim_matches('"').to_string()),
        };
        given[slot] = self.value(&Node { kind, span }, spec, name);
    }

    /// Decodes one value against its declared input; `None` after reporting a problem.
    fn value(&mut self, node: &Node, spec: &InputSpec, path: &str) -> Option<Value> {
        if let NodeKind::Null = node.kind {
            return None;
        }
        let value = self.decode(node, &spec.ty, spec, path)?;
        if let Err(invalid) = validate_value(spec, &value) {
            self.report(
                InputError::NotAllowed {
                    invalid,
                    name: spec.name.clone(),
                    path: path.to_string(),
                    span: node.span,
                }
                .into(),
            );
            return None;
        }
        Some(value)
    }

    fn wrong(&mut self, node: &Node, path: &str, ty: &Type) -> Option<Value> {
        self.report(
            InputError::WrongType {
                path: path.to_string(),
                want: describe_spelling(self.program, ty),
                got: node.kind.describe(),
                span: node.span,
            }
            .into(),
        );
        None
    }

    /// Decodes one value; a text that fails and holds a character that looks like punctuation
    /// or space but is not (a curly quote, a non-breaking space) gets help that names it.
    fn decode(&mut self, node: &Node, ty: &Type, spec: &InputSpec, path: &str) -> Option<Value> {
        let before = self.diags.len();
        let value = self.decode_node(node, ty, spec, path);
        if let (None, NodeKind::String(text)) = (&value, &node.kind) {
            if let Some((_, c, name, write)) = document::find_lookalike(text) {
                // Whatever kind each refusal is, a lookalike character in the text is the likelier
                // cause, so its help replaces the kind's: a patch after conversion, since it
                // applies to every kind alike.
                for d in &mut self.diags[before..] {
                    d.help = Some(document::lookalike_help(c, name, write));
                }
            }
        }
        value
    }

    // Long on purpose: one arm per declared type.
    fn decode_node(
        &mut self,
        node: &Node,
        ty: &Type,
        spec: &InputSpec,
        path: &str,
    ) -> Option<Value> {
        match (ty, &node.kind) {
            (Type::Num(unit), NodeKind::Number(text)) if unit.is_dimensionless() => {
                match plain_number(text, spec.whole, path, node.span) {
                    Ok(d) => Some(Value::Num(Quantity::new(d.into(), unit.clone()))),
                    Err(d) => {
                        self.report(d);
                        None
                    }
                }
            }
            (Type::Num(unit), NodeKind::Number(text)) => {
                self.report(
                    InputError::BareNumber {
                        path: path.to_string(),
                        text: text.clone(),
                        unit: unit.clone(),
                        span: node.span,
                    }
                    .into(),
                );
                None
            }
            (Type::Num(unit), NodeKind::String(text)) if !unit.is_dimensionless() => {
                let parsed = Quantity::parse(text).and_then(|q| spec.read_quantity(q, unit));
                match parsed {
                    Ok(q) => Some(Value::Num(q)),
                    Err(error) => {
                        let path = path.to_string();
                        let span = node.span;
                        self.report(
                            match error {
                                UnitError::Mismatch { .. } => InputError::WrongUnit {
                                    path,
                                    text: text.clone(),
                                    unit: unit.clone(),
                                    span,
                                },
                                error => InputError::Unit { path, error, span },
                            }
                            .into(),
                        );
                        None
                    }
                }
            }
            (Type::Bool, NodeKind::Bool(b)) => Some(Value::Bool(*b)),
            (Type::Text, NodeKind::String(s)) => Some(Value::Text(s.as_str().into())),
            (Type::Enum(id), NodeKind::String(s)) => {
                let choice = &self.program.enums[*id as usize];
                if let Some(i) = choice.value_index(s) {
                    return Some(Value::Enum(*id, i as u32));
                }
                if self.muted() {
                    self.unshown += 1;
                    return None;
                }
                let hint = did_you_mean(s, choice.values.iter().map(String::as_str))
                    .map(|x| Hint::Similar(x.to_string()))
                    .unwrap_or_else(|| Hint::Listed(choice.listed(", ")));
                self.report(
                    InputError::UnknownChoice {
                        text: s.clone(),
                        path: path.to_string(),
                        hint,
                        span: node.span,
                    }
                    .into(),
                );
                None
            }
            (Type::Date, NodeKind::String(s)) => match crate::check::parse_date(s) {
                Some(d) => Some(Value::Date(d)),
                None => {
                    self.report(
                        InputError::BadDate {
                            path: path.to_string(),
                            text: s.clone(),
                            span: node.span,
                        }
                        .into(),
                    );
                    None
                }
            },
            (Type::List(inner), NodeKind::List(items)) => self.list(node, inner, items, spec, path),
            (Type::Record(id), NodeKind::Map(entries)) => self.record(node, *id, entries, path),
            _ => self.wrong(node, path, ty),
        }
    }

    fn list(
        &mut self,
        node: &Node,
        inner: &Type,
        items: &[Node],
        spec: &InputSpec,
        path: &str,
    ) -> Option<Value> {
        if items.len() > MAX_LIST_ITEMS {
            self.report(
                InputError::ListTooLong {
                    path: path.to_string(),
                    count: items.len(),
                    span: node.span,
                }
                .into(),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match self.decode(item, inner, spec, &item_path) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then(|| Value::List(out.into()))
    }

    fn record(&mut self, node: &Node, id: u32, entries: &[Entry], path: &str) -> Option<Value> {
        let program = self.program;
        let record = &program.records[id as usize];
        let fields = &record.fields;
        if !self.spend_record_values(fields.len(), node.span) {
            return None;
        }
        let mut values: Vec<Option<Value>> = vec![None; fields.len()];
        let mut ok = true;
        for entry in entries {
            let Some(i) = record.field_index(&entry.key) else {
                ok = false;
                if self.muted() {
                    self.unshown += 1;
                    continue;
                }
                let hint = document::find_lookalike(&entry.key)
                    .map(|(_, c, name, write)| {
                        Hint::Lookalike(document::lookalike_help(c, name, write))
                    })
                    .or_else(|| {
                        did_you_mean(&entry.key, fields.iter().map(|f| f.name.as_str()))
                            .map(|s| Hint::Similar(s.to_string()))
                    })
                    .unwrap_or_else(|| {
                        Hint::Listed(crate::check::list_some(
                            fields.iter().map(|f| f.name.as_str()),
                            ", ",
                        ))
                    });
                self.report(
                    InputError::UnknownRecordField {
                        key: entry.key.clone(),
                        path: path.to_string(),
                        hint,
                        span: entry.key_span,
                    }
                    .into(),
                );
                continue;
            };
            let field_path = format!("{path}.{}", entry.key);
            values[i] = self.value(&entry.value, &fields[i], &field_path);
            ok &= values[i].is_some() || matches!(entry.value.kind, NodeKind::Null);
        }
        let mut out = Vec::with_capacity(fields.len());
        for (field, v) in fields.iter().zip(values) {
            match v.or_else(|| field.default.clone()) {
                Some(v) => out.push(v),
                None if field.optional => out.push(Value::Missing),
                None if self.muted() => {
                    self.unshown += 1;
                    ok = false;
                    out.push(Value::Missing);
                }
                None => {
                    self.report(
                        InputError::MissingField {
                            path: path.to_string(),
                            field: field.name.clone(),
                            spelling: describe_spelling(self.program, &field.ty),
                            span: node.span,
                        }
                        .into(),
                    );
                    ok = false;
                    out.push(Value::Missing);
                }
            }
        }
        ok.then(|| Value::Record(id, Arc::from(out)))
    }
}
