// The floor as a plain `serde_json` user has it. This crate turns on serde_json's
// `arbitrary_precision` and `preserve_order` (exact numbers and key order in its JSON output), and
// Cargo builds one serde_json for the whole bench, so `serde_json::Value` here is the slower
// featured one (an `IndexMap`, numbers kept as text). `PlainJson` is what `serde_json::Value` is
// without those features: a `BTreeMap` of keys, numbers as `u64`/`i64`/`f64`, parsed by the same
// serde_json parser. Measured against a separate binary built without the features (the same
// file, best of 15 rounds), the two parse at the same speed (0.89 against 0.92 µs a line), while
// the featured `Value` took 1.04-1.47.

use std::collections::BTreeMap;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value as serde_json's default `Value` holds it (see the note above).
// The leaves are kept, as serde_json's `Value` keeps them, though the bench reads only counts.
#[allow(dead_code)]
enum PlainJson {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(String),
    Array(Vec<PlainJson>),
    Object(BTreeMap<String, PlainJson>),
}

impl PlainJson {
    /// How many fields an object has (0 for anything else): something to read back, so that
    /// the parse is not optimised away.
    fn fields(&self) -> usize {
        match self {
            PlainJson::Object(fields) => fields.len(),
            PlainJson::Array(items) => items.len(),
            PlainJson::Null
            | PlainJson::Bool(_)
            | PlainJson::Unsigned(_)
            | PlainJson::Signed(_)
            | PlainJson::Float(_)
            | PlainJson::Text(_) => 0,
        }
    }
}

/// Builds a [`PlainJson`] from whatever serde_json reads.
struct PlainVisitor;

/// The key under which serde_json with `arbitrary_precision` hands a number over as its text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for PlainVisitor {
    type Value = PlainJson;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<PlainJson, E> {
        Ok(PlainJson::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<PlainJson, E> {
        Ok(PlainJson::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<PlainJson, E> {
        Ok(PlainJson::Unsigned(n))
    }

    fn visit_i64<E>(self, n: i64) -> Result<PlainJson, E> {
        Ok(PlainJson::Signed(n))
    }

    fn visit_f64<E>(self, n: f64) -> Result<PlainJson, E> {
        Ok(PlainJson::Float(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<PlainJson, E> {
        Ok(PlainJson::Text(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<PlainJson, E> {
        Ok(PlainJson::Text(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PlainJson, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(PlainJson::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PlainJson, A::Error> {
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == NUMBER_TOKEN {
                // What a plain serde_json does with a number's text: an integer if it is one.
                let text: String = map.next_value()?;
                return Ok(match (text.parse::<u64>(), text.parse::<i64>()) {
                    (Ok(n), _) => PlainJson::Unsigned(n),
                    (_, Ok(n)) => PlainJson::Signed(n),
                    _ => PlainJson::Float(text.parse().unwrap_or(f64::NAN)),
                });
            }
            fields.insert(key, map.next_value()?);
        }
        Ok(PlainJson::Object(fields))
    }
}

impl<'de> Deserialize<'de> for PlainJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PlainVisitor)
    }
}
