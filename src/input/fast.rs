//! The fast path for a JSON patient record: plain strict JSON read straight from the bytes into
//! the protocol's input slots, with no tree in between (issue 14: building the tree was about
//! 30% of deciding a cohort row).
//!
//! It reads only what it is sure of and gives up (`None`) on anything else, and the caller then
//! reads the text again with the full reader ([`super::read_patient`]), which accepts the
//! same language and says what is wrong, where. So this path never needs a diagnostic: a
//! comment, a trailing comma, an escape in a text, a byte-order mark, an exponent, a duplicate
//! or unknown field, a wrong type or unit, a value outside its range, a missing required field,
//! a deep or long container: each is handed to the full reader. What it accepts is a subset of
//! what the full reader accepts, and each value is made by the very calls the full reader makes
//! (`Decimal::from_str_exact`, `Quantity::parse`, `read_quantity`, `validate_value`, …) on the
//! very same text, so the values are the same (`src/protocol/fast_input_tests.rs` holds the two
//! against each other).

use std::sync::Arc;

use super::{MAX_LIST_ITEMS, MAX_RECORD_VALUES};
use crate::check::{validate_value, InputSpec, Program, Type};
use crate::units::Quantity;
use crate::value::Value;

/// Containers nested deeper than this are left to the full reader (which refuses them past
/// [`super::document::MAX_DEPTH`]).
const MAX_FAST_DEPTH: usize = super::document::MAX_DEPTH / 2;

/// Lists or records longer than this are left to the full reader (which refuses them past
/// [`MAX_LIST_ITEMS`]).
const MAX_FAST_ITEMS: usize = MAX_LIST_ITEMS / 2;

/// A JSON patient record's values by input slot, defaults applied and `Missing` for optional
/// inputs not given, exactly as the full reader would give them; `None` when the text is
/// anything but plain strict JSON that is right for this protocol (the full reader then says
/// why, or reads what this path leaves to it).
pub(super) fn read(program: &Program, text: &str) -> Option<Vec<Value>> {
    let mut reader = Reader {
        program,
        text,
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
        record_values: 0,
    };
    let given = reader.top()?;
    reader.blank();
    if reader.at != reader.bytes.len() {
        return None;
    }
    program
        .inputs
        .iter()
        .zip(given)
        .map(
            |(spec, value)| match value.or_else(|| spec.default.clone()) {
                Some(v) => Some(v),
                None if spec.optional => Some(Value::Missing),
                None => None,
            },
        )
        .collect()
}

/// A cursor over the text of one record.
struct Reader<'t, 'p> {
    program: &'p Program,
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    /// Containers open around the cursor.
    depth: usize,
    /// Field values held by the records read so far (see [`MAX_RECORD_VALUES`]).
    record_values: usize,
}

impl<'t> Reader<'t, '_> {
    /// Skips JSON's four blanks (the full reader takes a few more bytes for blanks: those
    /// files go to it).
    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Takes `byte` (after blanks), or gives up.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.blank();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// Takes `word` (`true`, `false`, `null`) if it is next.
    fn word(&mut self, word: &str) -> bool {
        let found = self.bytes[self.at..].starts_with(word.as_bytes());
        if found {
            self.at += word.len();
        }
        found
    }

    /// A text without escapes or control characters, as written between its quotes; anything
    /// else gives up (the full reader unescapes it, or refuses it).
    fn string(&mut self) -> Option<&'t str> {
        self.blank();
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at + 1;
        let len = self.bytes[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        let end = start + len;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Quotes are ASCII, so both ends are character boundaries.
        self.text.get(start..end)
    }

    /// A number written `-?(0|[1-9][0-9]*)(.[0-9]+)?`: no exponent (refused by the full reader
    /// with its own diagnostic), no other spelling.
    fn number(&mut self) -> Option<&'t str> {
        self.blank();
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            let before = self.at;
            self.digits();
            if self.at == before {
                return None;
            }
        }
        if let Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') = self.peek() {
            return None;
        }
        self.text.get(start..self.at)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    /// Reads a record's `"name": value` pairs, calling `field` for each name (after its colon);
    /// `field` reads the value. `None` if anything is off. Counts fields against
    /// [`MAX_FAST_ITEMS`].
    fn entries(&mut self, mut field: impl FnMut(&mut Self, &'t str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        self.open()?;
        if self.closes(b'}') {
            return Some(());
        }
        let mut count = 0usize;
        loop {
            count += 1;
            if count > MAX_FAST_ITEMS {
                return None;
            }
            let key = self.string()?;
            self.expect(b':')?;
            field(self, key)?;
            if self.closes(b'}') {
                return Some(());
            }
            self.expect(b',')?;
        }
    }

    /// Leaves the container [`Reader::open`] entered if its `close` byte is next (after
    /// blanks), taking it.
    fn closes(&mut self, close: u8) -> bool {
        self.blank();
        let closed = self.peek() == Some(close);
        if closed {
            self.at += 1;
            self.depth -= 1;
        }
        closed
    }

    /// Enters a container, or gives up past [`MAX_FAST_DEPTH`].
    fn open(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_FAST_DEPTH).then_some(())
    }

    /// The top-level record: the values given, by slot (`None` where not given or `null`).
    fn top(&mut self) -> Option<Vec<Option<Value>>> {
        let program = self.program;
        let mut given: Vec<Option<Value>> = vec![None; program.inputs.len()];
        let mut seen = vec![false; program.inputs.len()];
        self.entries(|r, key| {
            let slot = program.input_slot(key)?;
            if std::mem::replace(&mut seen[slot], true) {
                return None;
            }
            given[slot] = r.field(&program.inputs[slot])?;
            Some(())
        })?;
        Some(given)
    }

    /// One input's or record field's value, checked against its declaration: `Some(None)` for
    /// `null` (not given).
    fn field(&mut self, spec: &InputSpec) -> Option<Option<Value>> {
        self.blank();
        if self.peek() == Some(b'n') {
            return self.word("null").then_some(None);
        }
        let value = self.value(&spec.ty, spec)?;
        validate_value(spec, &value).ok()?;
        Some(Some(value))
    }

    /// One value of type `ty` (a list's item is not checked against the declaration's range,
    /// as in the full reader).
    fn value(&mut self, ty: &Type, spec: &InputSpec) -> Option<Value> {
        self.blank();
        match ty {
            Type::Num(unit) if unit.is_dimensionless() => {
                let d = rust_decimal::Decimal::from_str_exact(self.number()?).ok()?;
                Some(Value::Num(Quantity::new(d.into(), unit.clone())))
            }
            Type::Num(unit) => {
                let q = Quantity::parse(self.string()?).ok()?;
                spec.read_quantity(q, unit).ok().map(Value::Num)
            }
            Type::Bool if self.word("true") => Some(Value::Bool(true)),
            Type::Bool if self.word("false") => Some(Value::Bool(false)),
            Type::Text => Some(Value::Text(self.string()?.into())),
            Type::Enum(id) => {
                let i = self.program.enums[*id as usize].value_index(self.string()?)?;
                Some(Value::Enum(*id, u32::try_from(i).ok()?))
            }
            Type::Date => crate::check::parse_date(self.string()?).map(Value::Date),
            Type::List(inner) => self.list(inner, spec),
            Type::Record(id) => self.record(*id),
            _ => None,
        }
    }

    fn list(&mut self, inner: &Type, spec: &InputSpec) -> Option<Value> {
        self.expect(b'[')?;
        self.open()?;
        let mut items = Vec::new();
        if self.closes(b']') {
            return Some(Value::List(items.into()));
        }
        loop {
            if items.len() >= MAX_FAST_ITEMS {
                return None;
            }
            items.push(self.value(inner, spec)?);
            if self.closes(b']') {
                return Some(Value::List(items.into()));
            }
            self.expect(b',')?;
        }
    }

    fn record(&mut self, id: u32) -> Option<Value> {
        let program = self.program;
        let fields = &program.records[id as usize].fields;
        self.record_values = self.record_values.saturating_add(fields.len());
        if self.record_values > MAX_RECORD_VALUES {
            return None;
        }
        let record = &program.records[id as usize];
        let mut values: Vec<Option<Value>> = vec![None; fields.len()];
        let mut seen = vec![false; fields.len()];
        self.entries(|r, key| {
            let i = record.field_index(key)?;
            if std::mem::replace(&mut seen[i], true) {
                return None;
            }
            values[i] = r.field(&fields[i])?;
            Some(())
        })?;
        let out = fields
            .iter()
            .zip(values)
            .map(|(field, v)| match v.or_else(|| field.default.clone()) {
                Some(v) => Some(v),
                None if field.optional => Some(Value::Missing),
                None => None,
            })
            .collect::<Option<Vec<Value>>>()?;
        Some(Value::Record(id, Arc::from(out)))
    }
}
