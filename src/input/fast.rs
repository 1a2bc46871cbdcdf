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
use crate::units::{Quantity, Unit};
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
    let mut values = reader.top()?;
    reader.blank();
    if reader.at != reader.bytes.len() {
        return None;
    }
    // A field the file gives is never `Missing` (see `Reader::value`): a slot still `Missing`
    // was not given, or given `null`.
    for (spec, value) in program.inputs.iter().zip(&mut values) {
        if value.is_missing() {
            match &spec.default {
                Some(Value::List(items)) if items.is_empty() => *value = empty_list(),
                Some(default) => *value = super::unshared(default),
                None if spec.optional => {}
                None => return None,
            }
        }
    }
    Some(values)
}

/// An empty list (a usual default), shared on this thread rather than allocated per patient:
/// [`super::unshared`]'s aim, that threads share no reference count, holds.
fn empty_list() -> Value {
    thread_local! {
        static EMPTY: Arc<[Value]> = Arc::from(Vec::new());
    }
    EMPTY
        .try_with(|empty| Value::List(empty.clone()))
        .unwrap_or_else(|_| Value::List(Arc::from(Vec::new())))
}

/// A date as [`crate::check::parse_date`] reads it: `YYYY-MM-DD` of ASCII digits straight to
/// [`jiff::civil::Date::new`] (which refuses a day the month does not have, as the parse
/// does), anything else to `parse_date` itself.
pub(super) fn date(text: &str) -> Option<jiff::civil::Date> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i16> {
        b.get(range)?.iter().try_fold(0i16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            // Two digits fit an i8.
            return jiff::civil::Date::new(y, m as i8, d as i8).ok();
        }
    }
    crate::check::parse_date(text)
}

/// How many input slots after the last field's are tried by name before the lookup by hash:
/// a patient file mostly lists its fields in the protocol's order, leaving some out.
const SLOTS_AHEAD: usize = 4;

/// The slot of the input called `key` ([`Program::input_slot`]), trying first the few slots
/// after `next` (the slot after the previous field's), which it then moves past the slot found.
pub(super) fn input_slot(program: &Program, key: &str, next: &mut usize) -> Option<usize> {
    let ahead = program.inputs.get(*next..).unwrap_or_default();
    let slot = match ahead
        .iter()
        .take(SLOTS_AHEAD)
        .position(|spec| spec.name == key)
    {
        Some(offset) => *next + offset,
        None => program.input_slot(key)?,
    };
    *next = slot + 1;
    Some(slot)
}

/// How many inputs' names a top-level key is held against byte for byte (from the slot after
/// the previous field's, round to the first) before it is read and looked up by hash: all of
/// a usual protocol's, and never so many that a protocol of thousands of inputs costs a
/// scan of them all per field.
const KEYS_HELD: usize = 32;

/// The most digits of a number [`plain_quantity`] reads itself: any such number is held by a
/// decimal exactly (below 2⁹⁶, at most 28 places), so `Decimal::from_str_exact` would take it.
const PLAIN_DIGITS: usize = 27;

/// A quantity as [`Quantity::parse`] reads it (and `None` where that refuses it): the common
/// spelling by [`plain_quantity`], anything else by `Quantity::parse` itself.
pub(super) fn quantity(text: &str) -> Option<Quantity> {
    match plain_quantity(text) {
        Some(plain) => plain,
        None => Quantity::parse(text).ok(),
    }
}

/// A quantity spelt `-?[0-9]+(.[0-9]+)? unit`, one space between, the unit of printable ASCII
/// starting with no digit or space and ending with no space (`2400.5 mcg/day`): what
/// `Quantity::parse` makes of it, without its lexing, a `String` for the number, or, for a
/// unit seen before on this thread, the parse of the unit. The outer `None` is any other
/// spelling (for `Quantity::parse`); the inner is a unit `Unit::parse` refuses. For this
/// spelling `Quantity::parse` takes the number by `Decimal::from_str_exact` (which holds every
/// number of [`PLAIN_DIGITS`] digits exactly, as the decimal made here from its digits and
/// places) and the unit by `Unit::parse` of the text after the space, and refuses nothing else.
fn plain_quantity(text: &str) -> Option<Option<Quantity>> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut mantissa: i128 = 0;
    let mut digits = 0;
    let mut places = 0;
    let mut point = false;
    loop {
        match bytes.get(at) {
            Some(&b @ b'0'..=b'9') => {
                digits += 1;
                if digits > PLAIN_DIGITS {
                    return None;
                }
                mantissa = mantissa * 10 + i128::from(b - b'0');
                places += u32::from(point);
            }
            // A point between digits: none before (`.5`), none after (`5.`), only one.
            Some(b'.')
                if !point && digits > 0 && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) =>
            {
                point = true;
            }
            Some(b' ') if digits > 0 => break,
            _ => return None,
        }
        at += 1;
    }
    let unit = &bytes[at + 1..];
    let (first, last) = (unit.first()?, unit.last()?);
    let plain = unit.iter().all(|b| (b' '..=b'~').contains(b))
        && !first.is_ascii_digit()
        && *first != b' '
        && *last != b' ';
    if !plain {
        return None;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    let value = rust_decimal::Decimal::try_from_i128_with_scale(mantissa, places).ok()?;
    let unit = cached_unit(text.get(at + 1..)?)?;
    Some(unit.map(|unit| Quantity::new(value.into(), unit)))
}

/// How many unit spellings each thread remembers, and the longest remembered.
const UNIT_CACHE: usize = 8;
const UNIT_CACHE_BYTES: usize = 24;

/// Unit spellings recently parsed on this thread, with their units: a cohort writes the same
/// few units (`mcg/day`, `mL`) on every row. Per thread, so threads reading a cohort share
/// nothing.
struct UnitCache {
    spellings: [([u8; UNIT_CACHE_BYTES], usize); UNIT_CACHE],
    units: [Option<Unit>; UNIT_CACHE],
    next: usize,
}

thread_local! {
    static UNITS: std::cell::RefCell<UnitCache> = const {
        std::cell::RefCell::new(UnitCache {
            spellings: [([0; UNIT_CACHE_BYTES], 0); UNIT_CACHE],
            units: [const { None }; UNIT_CACHE],
            next: 0,
        })
    };
}

/// `Unit::parse(text).ok()`, remembered per thread: the parse depends on the text alone. The
/// outer `None` only when the thread's cache is gone (the thread is ending).
fn cached_unit(text: &str) -> Option<Option<Unit>> {
    let key = text.as_bytes();
    // The spelling padded with zeros, compared whole with each remembered one (and its length,
    // as a spelling may end in a zero byte).
    let mut padded = [0; UNIT_CACHE_BYTES];
    if let Some(head) = padded.get_mut(..key.len()) {
        head.copy_from_slice(key);
    }
    let found = UNITS
        .try_with(|cache| {
            let cache = cache.borrow();
            cache
                .spellings
                .iter()
                .position(|&(bytes, len)| len == key.len() && bytes == padded)
                .and_then(|i| cache.units[i].clone())
        })
        .ok()?;
    if found.is_some() {
        return Some(found);
    }
    let Ok(unit) = Unit::parse(text) else {
        return Some(None);
    };
    if key.len() <= UNIT_CACHE_BYTES {
        let _ = UNITS.try_with(|cache| {
            let mut cache = cache.borrow_mut();
            let i = cache.next;
            cache.next = (i + 1) % UNIT_CACHE;
            cache.spellings[i] = (padded, key.len());
            cache.units[i] = Some(unit.clone());
        });
    }
    Some(Some(unit))
}

/// The position of the first byte in `bytes` that ends a JSON text's plain run: a quote, a
/// backslash or a control character. Eight bytes at a time: the lowest byte flagged in a
/// word is the first such byte.
pub(super) fn text_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if let Some(i) = first_ending_byte(u64::from_le_bytes(word)) {
            return Some(at + i);
        }
        at += 8;
    }
    // The last few bytes, padded with zeros: a hit in the padding is no hit.
    let rest = &bytes[at..];
    let mut word = [0; 8];
    for (w, b) in word.iter_mut().zip(rest) {
        *w = *b;
    }
    first_ending_byte(u64::from_le_bytes(word))
        .filter(|&i| i < rest.len())
        .map(|i| at + i)
}

/// The index (0 to 7) of the first byte of `w` (little-endian) that is a quote, a backslash
/// or below 0x20. Each test sets a byte's high bit where that byte is zero (or below 0x20);
/// it can also set it in bytes above one that truly is (a borrow), never below, so the
/// lowest bit set is exact.
fn first_ending_byte(w: u64) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let candidates =
        zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | below_space;
    // At most 63 / 8: the cast cannot truncate.
    (candidates != 0).then(|| (candidates.trailing_zeros() / 8) as usize)
}

/// Whether `rest` (the text after a key's opening quote) starts with `name` and its closing
/// quote. Compares the byte where the quote would be first: most names are told apart by it.
fn names_key(name: &str, rest: &[u8]) -> bool {
    let name = name.as_bytes();
    rest.get(name.len()) == Some(&b'"') && rest.get(..name.len()) == Some(name)
}

/// The slots a record has named so far: bits in place for up to 256 slots, past that on the
/// heap.
struct Seen {
    few: [u64; 4],
    many: Vec<u64>,
}

impl Seen {
    fn new(slots: usize) -> Seen {
        let words = slots.div_ceil(64);
        Seen {
            few: [0; 4],
            many: if words > 4 {
                vec![0; words]
            } else {
                Vec::new()
            },
        }
    }

    /// Marks `slot` seen; true if it was already.
    fn insert(&mut self, slot: usize) -> bool {
        let words = if self.many.is_empty() {
            &mut self.few[..]
        } else {
            &mut self.many[..]
        };
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        match words.get_mut(word) {
            Some(w) => std::mem::replace(w, *w | bit) & bit != 0,
            // Never past the slots it was made for; were it, the slot counts as seen.
            None => true,
        }
    }
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
        let len = text_end(&self.bytes[start..])?;
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

    /// Reads a record's `"name": value` pairs, calling `key` to read each name (up to its
    /// closing quote) and `field` with what it gave (after the colon); `field` reads the value.
    /// `None` if anything is off. Counts fields against [`MAX_FAST_ITEMS`].
    fn entries<K>(
        &mut self,
        mut key: impl FnMut(&mut Self) -> Option<K>,
        mut field: impl FnMut(&mut Self, K) -> Option<()>,
    ) -> Option<()> {
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
            let k = key(self)?;
            self.expect(b':')?;
            field(self, k)?;
            if self.closes(b'}') {
                return Some(());
            }
            self.expect(b',')?;
        }
    }

    /// The slot of the input a top-level record's next key names, `next` as in
    /// [`input_slot`]. The key is first held byte for byte against [`KEYS_HELD`] inputs'
    /// names, from `next` on and round to the first: a name is letters, digits and `_` (the grammar's `ident`), so the
    /// text `"name"` is that name and nothing else, with no escape to undo. A key that matches
    /// none is read as a text and looked up by name (an unknown field, or an escaped one).
    fn input_key(&mut self, next: &mut usize) -> Option<usize> {
        self.blank();
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at + 1;
        let inputs = &self.program.inputs;
        let rest = self.bytes.get(start..)?;
        let mut found = None;
        let mut slot = *next;
        for _ in 0..inputs.len().min(KEYS_HELD) {
            if slot >= inputs.len() {
                slot = 0;
            }
            if names_key(&inputs[slot].name, rest) {
                found = Some(slot);
                break;
            }
            slot += 1;
        }
        match found {
            Some(slot) => {
                self.at = start + inputs[slot].name.len() + 1;
                *next = slot + 1;
                Some(slot)
            }
            None => {
                let key = self.string()?;
                input_slot(self.program, key, next)
            }
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

    /// The top-level record: the values given, by slot (`Missing` where not given or `null`).
    fn top(&mut self) -> Option<Vec<Value>> {
        let program = self.program;
        // Not `vec![Value::Missing; n]`, which clones its value through `Value::clone`.
        let mut given: Vec<Value> = Vec::with_capacity(program.inputs.len());
        given.resize_with(program.inputs.len(), || Value::Missing);
        let mut seen = Seen::new(program.inputs.len());
        let mut next = 0;
        self.entries(
            |r| r.input_key(&mut next),
            |r, slot| {
                if seen.insert(slot) {
                    return None;
                }
                if let Some(value) = r.field(&program.inputs[slot])? {
                    given[slot] = value;
                }
                Some(())
            },
        )?;
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
                let q = quantity(self.string()?)?;
                spec.read_quantity(q, unit).ok().map(Value::Num)
            }
            Type::Bool if self.word("true") => Some(Value::Bool(true)),
            Type::Bool if self.word("false") => Some(Value::Bool(false)),
            Type::Text => Some(Value::Text(self.string()?.into())),
            Type::Enum(id) => {
                let i = self.program.enums[*id as usize].value_index(self.string()?)?;
                Some(Value::Enum(*id, u32::try_from(i).ok()?))
            }
            Type::Date => date(self.string()?).map(Value::Date),
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
        self.entries(
            |r| record.field_index(r.string()?),
            |r, i| {
                if std::mem::replace(&mut seen[i], true) {
                    return None;
                }
                values[i] = r.field(&fields[i])?;
                Some(())
            },
        )?;
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
