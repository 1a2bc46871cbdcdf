//! The decision's JSON written straight into a byte buffer, byte for byte what serializing
//! [`super::decision`] (without the trace) gives, without building a `serde_json::Value` first:
//! building each record as a tree was about half of `posology cohort`'s time (issue 14).
//!
//! The order of fields is the order [`super::decision`] inserts them in (serde_json keeps
//! insertion order here, feature `preserve_order`); leaves (texts, counts, `null`) go through
//! serde_json's own serializer, so they are escaped and spelt as it spells them. A unit test
//! and `tests/cohort_json.rs` hold the two against each other.

use serde::Serialize;

use super::APPROX_DIGITS;
use crate::check::{Name, Program};
use crate::eval::*;
use crate::units::{Quantity, Rational};

/// Writes the decision as [`super::decision`]`(program, d, false)` serializes.
pub fn decision_into(out: &mut Vec<u8>, program: &Program, d: &Decision) {
    let h = &program.header;
    let mut o = Obj::open(out);
    let p = o.key("protocol");
    let mut header = Obj::open(p);
    text(header.key("name"), &h.name);
    opt_text(header.key("title"), h.title.as_deref());
    opt_text(header.key("version"), h.version.as_deref());
    opt_text(header.key("source"), h.source.as_deref());
    header.close();
    text(o.key("phase"), &d.phase);
    array(o.key("path"), &d.path, |out, p| text(out, p));
    text(o.key("status"), d.status.word());
    array(o.key("doses"), &d.doses, dose);
    opt(o.key("schedule"), &d.schedule, schedule);
    array(o.key("observe"), &d.observe, amount);
    opt(o.key("proposal"), &d.proposal(), |out, p| {
        proposal(out, p, false)
    });
    values(o.key("values"), program, &d.values);
    array(o.key("messages"), &d.messages, |out, m| {
        let mut o = Obj::open(out);
        leaf(o.key("severity"), &m.level);
        text(o.key("code"), &m.code);
        text(o.key("text"), &m.text);
        opt_text(o.key("rule"), m.rule.as_deref());
        opt_text(o.key("source"), m.source.as_deref());
        o.close();
    });
    array(o.key("reasons"), &d.reasons, reason);
    opt(o.key("next"), &d.next, |out, n| {
        let mut o = Obj::open(out);
        opt_text(o.key("phase"), n.phase.as_deref());
        opt(o.key("after"), &n.after, quantity);
        o.close();
    });
    if d.proposals.len() > 1 || super::super::judges_several(program, d) {
        array(o.key("proposals"), &d.proposals, |out, p| {
            proposal(out, p, true)
        });
    }
    if !d.alternatives.is_empty() {
        array(o.key("alternatives"), &d.alternatives, alternative);
    }
    o.close();
}

/// A JSON object being written: puts the commas between its fields.
pub(crate) struct Obj<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Obj<'o> {
    /// Opens an object.
    pub(crate) fn open(out: &'o mut Vec<u8>) -> Obj<'o> {
        out.push(b'{');
        Obj { out, first: true }
    }

    /// Writes a field's name; its value is written next, into the buffer handed back.
    pub(crate) fn key(&mut self, name: &str) -> &mut Vec<u8> {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        text(self.out, name);
        self.out.push(b':');
        self.out
    }

    /// Closes the object.
    pub(crate) fn close(self) {
        self.out.push(b'}');
    }
}

/// A text, number, `true`/`false`, `null` or list of texts, as serde_json writes it.
pub(crate) fn leaf<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail, and these types always serialize.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A JSON text, escaped as serde_json escapes it (`"`, `\` and control characters; nothing
/// else). Most texts need no escape: they are checked eight bytes at a time and copied whole;
/// the rest go through serde_json.
pub(crate) fn text(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        leaf(out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether any byte is a control character (below 0x20), `"` or `\`: a word at a time, with
/// the usual bit tricks ("has a byte below n", "has a zero byte").
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let special = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x;
        let quote =
            (x ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES) & !(x ^ (ONES * u64::from(b'"')));
        let backslash =
            (x ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES) & !(x ^ (ONES * u64::from(b'\\')));
        if (below_space | quote | backslash) & HIGHS != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| special(b))
}

/// A value's `Display` text as a JSON text, written in place (no `String` in between); one
/// that needs an escape is written again through [`text`].
fn shown_text(out: &mut Vec<u8>, value: &impl std::fmt::Display) {
    use std::io::Write;
    let start = out.len();
    out.push(b'"');
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{value}");
    if needs_escape(&out[start + 1..]) {
        let written = String::from_utf8_lossy(&out[start + 1..]).into_owned();
        out.truncate(start);
        text(out, &written);
    } else {
        out.push(b'"');
    }
}

/// A text, or `null`.
fn opt_text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => text(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// `[item, …]`.
fn array<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

/// The value, or `null`.
fn opt<T>(out: &mut Vec<u8>, value: &Option<T>, each: impl FnOnce(&mut Vec<u8>, &T)) {
    match value {
        Some(v) => each(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A number as [`super::number`] makes it: its decimal digits when it terminates, else rounded
/// to [`APPROX_DIGITS`] significant digits.
fn number(out: &mut Vec<u8>, r: &Rational) {
    let text = r
        .decimal_text()
        .unwrap_or_else(|| r.significant_text(APPROX_DIGITS));
    number_text(out, &text);
}

/// A number's text as serde_json writes it once parsed as a `Number` (kept verbatim with
/// `arbitrary_precision`), or as a text if it does not parse: plain decimals are written as
/// they are, anything else goes through serde_json itself (which spells exponents its way).
pub(crate) fn number_text(out: &mut Vec<u8>, text: &str) {
    if is_plain_decimal(text) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    match text.parse::<serde_json::Number>() {
        Ok(n) => leaf(out, &n),
        Err(_) => leaf(out, text),
    }
}

/// `-?(0|[1-9][0-9]*)(.[0-9]+)?`: a number JSON writes exactly as given.
fn is_plain_decimal(text: &str) -> bool {
    let bytes = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let (int, frac) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], Some(&bytes[dot + 1..])),
        None => (bytes, None),
    };
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    digits(int) && (int.len() == 1 || int[0] != b'0') && frac.is_none_or(digits)
}

/// Writes `field_exact` and `approximate` after a number that does not terminate, unless
/// `approximate` is already written (a second insert into a map keeps the first place).
fn mark_exact(o: &mut Obj<'_>, field: &str, r: &Rational, approximate: &mut bool) {
    if !r.terminates() {
        leaf(o.key(&format!("{field}_exact")), &r.fraction_text());
        if !std::mem::replace(approximate, true) {
            o.key("approximate").extend_from_slice(b"true");
        }
    }
}

fn quantity(out: &mut Vec<u8>, q: &Quantity) {
    let mut o = Obj::open(out);
    number(o.key("value"), &q.value);
    shown_text(o.key("unit"), &q.unit);
    mark_exact(&mut o, "value", &q.value, &mut false);
    o.close();
}

fn amount(out: &mut Vec<u8>, a: &Amount) {
    match a {
        Amount::One(q) => quantity(out, q),
        Amount::Range(lo, hi) => match hi.convert_to(&lo.unit).ok() {
            Some(hi) => {
                let mut o = Obj::open(out);
                number(o.key("min"), &lo.value);
                number(o.key("max"), &hi.value);
                shown_text(o.key("unit"), &lo.unit);
                let mut approximate = false;
                mark_exact(&mut o, "min", &lo.value, &mut approximate);
                mark_exact(&mut o, "max", &hi.value, &mut approximate);
                o.close();
            }
            None => {
                let mut o = Obj::open(out);
                quantity(o.key("min"), lo);
                quantity(o.key("max"), hi);
                o.close();
            }
        },
    }
}

fn frequency(out: &mut Vec<u8>, f: &FrequencyOut) {
    let mut o = Obj::open(out);
    text(o.key("text"), &f.text);
    opt(o.key("times_per_day"), &f.times_per_day, |out, q| {
        number(out, &q.value)
    });
    opt(o.key("every"), &f.every, quantity);
    if let Some(q) = &f.times_per_day {
        mark_exact(&mut o, "times_per_day", &q.value, &mut false);
    }
    o.close();
}

fn dose(out: &mut Vec<u8>, d: &Dose) {
    let mut o = Obj::open(out);
    amount(o.key("amount"), &d.amount);
    opt_text(o.key("route"), d.route.as_deref());
    opt_text(o.key("form"), d.form.as_deref());
    opt(o.key("frequency"), &d.frequency, frequency);
    opt(o.key("over"), &d.over, amount);
    opt(o.key("duration"), &d.duration, amount);
    opt(o.key("daily_total"), &d.daily_total, amount);
    text(o.key("rule"), &d.rule);
    opt_text(o.key("source"), d.source.as_deref());
    o.close();
}

fn reason(out: &mut Vec<u8>, r: &Reason) {
    let mut o = Obj::open(out);
    text(o.key("kind"), r.kind.word());
    text(o.key("text"), &r.text);
    text(o.key("rule"), &r.rule);
    opt_text(o.key("source"), r.source.as_deref());
    o.close();
}

fn alternative(out: &mut Vec<u8>, a: &Alternative) {
    let mut o = Obj::open(out);
    text(o.key("name"), &a.name);
    leaf(o.key("allowed"), &a.allowed);
    dose(o.key("dose"), &a.dose);
    array(o.key("reasons"), &a.refusals, reason);
    o.close();
}

fn schedule(out: &mut Vec<u8>, s: &Schedule) {
    let mut o = Obj::open(out);
    text(o.key("direction"), s.direction);
    opt_text(o.key("route"), s.route.as_deref());
    text(o.key("rule"), &s.rule);
    opt_text(o.key("source"), s.source.as_deref());
    array(o.key("steps"), &s.steps, |out, st| {
        let mut o = Obj::open(out);
        leaf(o.key("step"), &st.number);
        leaf(o.key("from_day"), &st.from_day);
        leaf(o.key("to_day"), &st.to_day);
        leaf(o.key("from_date"), &st.from_date.map(|d| d.to_string()));
        leaf(o.key("to_date"), &st.to_date.map(|d| d.to_string()));
        text(o.key("action"), if st.stop { "stop" } else { "give" });
        opt(o.key("dose"), &st.dose, quantity);
        // The same object as a dose's frequency, so that one reader reads both.
        opt(o.key("frequency"), &st.frequency, frequency);
        opt(o.key("daily_total"), &st.daily_total, quantity);
        o.close();
    });
    o.close();
}

/// A proposal's verdict; `named` adds its input (in the list of several).
fn proposal(out: &mut Vec<u8>, p: &ProposalOutcome, named: bool) {
    let mut o = Obj::open(out);
    quantity(o.key("value"), &p.value);
    opt(o.key("daily_total"), &p.daily_total, quantity);
    leaf(o.key("allowed"), &p.allowed);
    text(o.key("reason"), &p.reason);
    opt(o.key("allowed_range"), &p.allowed_range, amount);
    opt_text(o.key("rule"), p.rule.as_deref());
    opt_text(o.key("source"), p.source.as_deref());
    if named {
        text(o.key("input"), &p.input);
    }
    o.close();
}

/// The shown values by name. A name shown twice would be one field (its first place, its last
/// value) in a map: that rare case goes through the map itself.
fn values(out: &mut Vec<u8>, program: &Program, values: &[(Name, crate::value::Value)]) {
    let unique = if values.len() <= 16 {
        values
            .iter()
            .enumerate()
            .all(|(i, (name, _))| values[..i].iter().all(|(n, _)| n != name))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        values.iter().all(|(name, _)| seen.insert(name.as_str()))
    };
    if !unique {
        let map: serde_json::Map<String, serde_json::Value> = values
            .iter()
            .map(|(name, v)| (name.to_string(), super::value(program, v)))
            .collect();
        leaf(out, &map);
        return;
    }
    let mut o = Obj::open(out);
    for (name, v) in values {
        value(o.key(name), program, v);
    }
    o.close();
}

/// A shown value as [`super::value`] gives it.
fn value(out: &mut Vec<u8>, program: &Program, v: &crate::value::Value) {
    use crate::value::Value;
    match v {
        Value::Num(q) => quantity(out, q),
        Value::Range(r) => match &**r {
            (Value::Num(a), Value::Num(b)) => amount(out, &Amount::Range(a.clone(), b.clone())),
            _ => shown(out, program, v),
        },
        Value::Bool(b) => leaf(out, b),
        Value::Date(d) => shown_text(out, d),
        Value::Text(t) => text(out, t),
        Value::Missing => out.extend_from_slice(b"null"),
        other => shown(out, program, other),
    }
}

/// A value as shown to people, as a JSON text.
fn shown(out: &mut Vec<u8>, program: &Program, v: &crate::value::Value) {
    shown_text(out, &crate::value::Shown(v, program));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::needs_escape;

    proptest! {
        /// The word-at-a-time check says what a byte-by-byte one says, for any bytes (the
        /// special ones and their neighbours made likely).
        #[test]
        fn needs_escape_is_the_byte_by_byte_answer(
            bytes in proptest::collection::vec(
                prop_oneof![
                    any::<u8>(),
                    proptest::sample::select(vec![
                        0u8, 0x1f, 0x20, 0x21, b'"', 0x23, 0x5b, b'\\', 0x5d, 0x7f, 0x80, 0xff,
                    ]),
                ],
                0..40,
            )
        ) {
            let naive = bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(needs_escape(&bytes), naive);
        }
    }
}
