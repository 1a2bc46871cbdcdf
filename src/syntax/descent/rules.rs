//! The grammar's atomic rules (no implicit whitespace inside): each says where the token that
//! starts at a byte ends, or that none starts there.

/// True when an `ident_char` (ASCII letter, digit or `_`) is at `at`.
pub(super) fn ident_char_at(bytes: &[u8], at: usize) -> bool {
    bytes
        .get(at)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The end of a `word` (an ASCII letter or `_`, then letters, digits and `_`) starting at `at`.
pub(super) fn word_end(bytes: &[u8], at: usize) -> Option<usize> {
    let first = *bytes.get(at)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let mut end = at + 1;
    while ident_char_at(bytes, end) {
        end += 1;
    }
    Some(end)
}

/// True when a reserved word (the grammar's `keyword`, a whole word) starts at `at`.
pub(super) fn keyword_at(bytes: &[u8], at: usize) -> bool {
    let mut end = at;
    while ident_char_at(bytes, end) {
        end += 1;
    }
    std::str::from_utf8(&bytes[at..end]).is_ok_and(is_keyword)
}

/// True for a reserved word (the grammar's `keyword`).
pub(super) use super::super::words::is_keyword;

/// The end of `s` followed by no `ident_char`, if that is at `at`.
fn whole_word(bytes: &[u8], at: usize, s: &str) -> Option<usize> {
    let end = at + s.len();
    (super::starts_with(&bytes[at..], s) && !ident_char_at(bytes, end)).then_some(end)
}

/// True when `once` or `twice` (`count_word`) starts at `at`.
pub(super) fn count_word_at(bytes: &[u8], at: usize) -> bool {
    whole_word(bytes, at, "once").is_some() || whole_word(bytes, at, "twice").is_some()
}

/// The end of a quoted text (`string`) starting at `at`: `"`, then characters other than a
/// quote, a backslash or a line break, or a backslash and any character, then `"`.
pub(super) fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\n' => return None,
            // `ANY` is one character: a multi-byte one is skipped whole below.
            b'\\' => {
                i += 1;
                let &next = bytes.get(i)?;
                i += utf8_len(next);
            }
            b => i += utf8_len(b),
        }
    }
}

/// The length of the UTF-8 character whose first byte is `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The end of the digits starting at `at` (none: `at`).
fn digits_end(bytes: &[u8], at: usize) -> usize {
    let mut end = at;
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    end
}

/// The end of a `number` (`12`, `0.5`) starting at `at`.
pub(super) fn number_end(bytes: &[u8], at: usize) -> Option<usize> {
    let end = digits_end(bytes, at);
    if end == at {
        return None;
    }
    if bytes.get(end) == Some(&b'.') {
        let decimals = digits_end(bytes, end + 1);
        if decimals > end + 1 {
            return Some(decimals);
        }
    }
    Some(end)
}

/// True when a `bad_number` (`.5`) starts at `at`.
pub(super) fn bad_number_at(bytes: &[u8], at: usize) -> bool {
    bytes.get(at) == Some(&b'.') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
}

/// The end of an `area_power` (`^2`, `²`, `^3`, `³`, `2`) starting at `at`.
fn area_power_end(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = &bytes[at..];
    ["^2", "²", "^3", "³", "2"]
        .iter()
        .find(|p| rest.starts_with(p.as_bytes()))
        .map(|p| at + p.len())
}

/// The end of a `unit` (`mg`, `mcg/kg/day`, `mL/min/1.73 m^2`) starting at `at`.
pub(super) fn unit_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = unit_atom_end(bytes, at)?;
    while bytes.get(end) == Some(&b'/') {
        match unit_atom_end(bytes, end + 1) {
            Some(next) => end = next,
            None => break,
        }
    }
    Some(end)
}

/// The end of a `unit_atom` starting at `at`: its four alternatives in the grammar's order.
fn unit_atom_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) == Some(&b'%') {
        return Some(at + 1);
    }
    body_surface_end(bytes, at)
        .or_else(|| million_units_end(bytes, at))
        .or_else(|| plain_unit_end(bytes, at))
}

/// `"1.73" ~ " "? ~ "m" ~ area_power ~ !ident_char`.
fn body_surface_end(bytes: &[u8], at: usize) -> Option<usize> {
    if !bytes[at..].starts_with(b"1.73") {
        return None;
    }
    let mut i = at + 4;
    if bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    if bytes.get(i) != Some(&b'm') {
        return None;
    }
    let end = area_power_end(bytes, i + 1)?;
    (!ident_char_at(bytes, end)).then_some(end)
}

/// `"million " ~ ("units" | "unit") ~ !ident_char`.
fn million_units_end(bytes: &[u8], at: usize) -> Option<usize> {
    if !bytes[at..].starts_with(b"million ") {
        return None;
    }
    let i = at + 8;
    let end = if bytes[i..].starts_with(b"units") {
        i + 5
    } else if bytes[i..].starts_with(b"unit") {
        i + 4
    } else {
        return None;
    };
    (!ident_char_at(bytes, end)).then_some(end)
}

/// `!keyword ~ !count_word ~ (ASCII_ALPHA | "µ" | "μ") ~ ASCII_ALPHA* ~ area_power? ~
/// !ident_char`.
fn plain_unit_end(bytes: &[u8], at: usize) -> Option<usize> {
    if keyword_at(bytes, at) || count_word_at(bytes, at) {
        return None;
    }
    let rest = &bytes[at..];
    let mut i = if rest.first().is_some_and(u8::is_ascii_alphabetic) {
        at + 1
    } else if rest.starts_with("µ".as_bytes()) || rest.starts_with("μ".as_bytes()) {
        at + 2
    } else {
        return None;
    };
    while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
        i += 1;
    }
    if let Some(end) = area_power_end(bytes, i) {
        i = end;
    }
    (!ident_char_at(bytes, i)).then_some(i)
}
