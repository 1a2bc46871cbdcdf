//! TOML patient files, read with the `toml` crate's spanned document tree (`DeTable`).
//!
//! The `toml` crate stops at 80 levels of nesting itself; this reader refuses anything deeper than
//! [`MAX_DEPTH`] while converting. Numbers keep their text exactly as written (taken from the
//! file at the value's span, so `1_000` stays `1_000`). The `toml` crate refuses duplicate keys
//! itself but reports only the second one; the first is found again here (see
//! [`first_definition`]) so that both can be labelled.

use std::ops::Range;

use ::toml::de::{DeTable, DeValue, Error};
use ::toml::Spanned;

use super::{content_span, Ctx, Entry, Node, NodeKind, MAX_DEPTH};
use crate::diagnostics::{Diagnostic, Span};
use crate::input::MAX_LIST_ITEMS;

/// Reads a TOML patient file into a tree (always a record at the top).
pub(super) fn parse(text: &str, ctx: &Ctx<'_>) -> Result<Node, Diagnostic> {
    prescan(text, ctx)?;
    let table = DeTable::parse(text)
        .map_err(|err| error(text, &err, ctx))?
        .into_inner();
    if table.is_empty() {
        // Only blanks and comments: TOML has no other way to write an empty top level.
        return Err(ctx.empty(text));
    }
    let entries = table_entries(table, text, 0, ctx)?;
    Ok(Node {
        kind: NodeKind::Map(entries),
        span: content_span(text),
    })
}

/// Refuses, before the `toml` crate reads the whole text, an array or inline table (outside
/// strings and comments) with more than [`MAX_LIST_ITEMS`] items, and an array of tables
/// (`[[name]]`) written more than that many times: so that a huge list is never parsed whole.
fn prescan(text: &str, ctx: &Ctx<'_>) -> Result<(), Diagnostic> {
    /// An open `[` or `{`: where it opens, whether it is a table, its items so far, and
    /// whether the next value starts an item (just after the bracket or a comma).
    struct Open {
        at: usize,
        table: bool,
        items: usize,
        expecting: bool,
    }
    let bytes = text.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    let mut headers: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
    let mut line_start = true;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if line_start && open.is_empty() && bytes[at..].starts_with(b"[[") {
            let end = line_end(bytes, at);
            let name = bytes[at..end].trim_ascii();
            let seen = headers.entry(name).or_insert(0);
            *seen += 1;
            if *seen > MAX_LIST_ITEMS {
                return Err(ctx.too_many_items(Span::new(at, at + name.len()), None, false));
            }
        }
        line_start = byte == b'\n' || (line_start && (byte == b' ' || byte == b'\t'));
        let blank = matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'#');
        if let Some(top) = open.last_mut() {
            if top.expecting && !blank && !matches!(byte, b']' | b'}' | b',') {
                top.expecting = false;
                top.items += 1;
                if top.items > MAX_LIST_ITEMS {
                    let start = Span::new(top.at, top.at + 1);
                    return Err(ctx.too_many_items(Span::new(at, at + 1), Some(start), top.table));
                }
            }
        }
        match byte {
            b'#' => {
                at = line_end(bytes, at);
                continue;
            }
            b'"' | b'\'' => {
                let multi: &[u8] = if byte == b'"' { b"\"\"\"" } else { b"\'\'\'" };
                let (delimiter, body) = if bytes[at..].starts_with(multi) {
                    (multi, at + 3)
                } else {
                    (&bytes[at..at + 1], at + 1)
                };
                at = string_end(bytes, body, delimiter, byte == b'"');
                continue;
            }
            b'[' | b'{' => open.push(Open {
                at,
                table: byte == b'{',
                items: 0,
                expecting: true,
            }),
            b']' | b'}' => {
                open.pop();
            }
            b',' => {
                if let Some(top) = open.last_mut() {
                    top.expecting = true;
                }
            }
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// The offset of the line break at or after `at` (the text's length on the last line).
fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| at + n)
}

/// The offset just past the string that starts (after its opening quotes) at `body` and ends
/// with `delimiter`; the text's end if it never ends (the parser then reports it). A one-line
/// string also ends at the end of its line.
fn string_end(bytes: &[u8], body: usize, delimiter: &[u8], escapes: bool) -> usize {
    let one_line = delimiter.len() == 1;
    let mut at = body;
    while at < bytes.len() {
        if escapes && bytes[at] == b'\\' {
            at += 2;
            continue;
        }
        if one_line && bytes[at] == b'\n' {
            return at;
        }
        if bytes[at..].starts_with(delimiter) {
            return at + delimiter.len();
        }
        at += 1;
    }
    bytes.len()
}

/// Converts a table's entries (the table is `depth` containers below the top).
fn table_entries(
    table: DeTable<'_>,
    text: &str,
    depth: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<Entry>, Diagnostic> {
    if table.len() > MAX_LIST_ITEMS {
        let first = table
            .keys()
            .nth(MAX_LIST_ITEMS)
            .map_or(Span::new(0, 0), |k| span(k.span()));
        return Err(ctx.too_many_items(first, None, true));
    }
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = span(key.span());
        let value = convert(value, text, depth + 1, ctx)?;
        entries.push(Entry {
            key: key.into_inner().into_owned(),
            key_span,
            value,
        });
    }
    ctx.check_duplicates(&entries)?;
    Ok(entries)
}

/// Converts one value (at `depth` containers below the top).
fn convert(
    value: Spanned<DeValue<'_>>,
    text: &str,
    depth: usize,
    ctx: &Ctx<'_>,
) -> Result<Node, Diagnostic> {
    let span = span(value.span());
    let kind = match value.into_inner() {
        DeValue::String(string) => NodeKind::String(string.into_owned()),
        DeValue::Integer(_) | DeValue::Float(_) => {
            NodeKind::Number(text.get(span.start..span.end).unwrap_or("").to_string())
        }
        DeValue::Boolean(boolean) => NodeKind::Bool(boolean),
        DeValue::Datetime(datetime) => NodeKind::String(datetime.to_string()),
        DeValue::Array(array) => {
            if depth >= MAX_DEPTH {
                return Err(ctx.too_deep(span));
            }
            let items = array
                .into_iter()
                .map(|item| convert(item, text, depth + 1, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            NodeKind::List(items)
        }
        DeValue::Table(table) => {
            if depth >= MAX_DEPTH {
                return Err(ctx.too_deep(span));
            }
            NodeKind::Map(table_entries(table, text, depth, ctx)?)
        }
    };
    Ok(Node { kind, span })
}

/// A byte range as a span.
fn span(range: Range<usize>) -> Span {
    Span::new(range.start, range.end)
}

/// A `toml` parse error as a diagnostic.
fn error(text: &str, err: &Error, ctx: &Ctx<'_>) -> Diagnostic {
    let at = err.span().map_or(Span::new(0, 0), span);
    let message = err.message();
    if message.starts_with("duplicate key") {
        let name = key_name(text, at);
        let first = name
            .as_deref()
            .and_then(|name| first_definition(text, at, name));
        let shown = name.unwrap_or_else(|| text.get(at.start..at.end).unwrap_or("").to_string());
        return ctx.duplicate(&shown, first, at);
    }
    if message.contains("recurs") {
        return ctx.too_deep(at);
    }
    ctx.library_syntax(at, message)
}

/// The unquoted, unescaped name of the key written at `at` (one segment of a dotted key).
fn key_name(text: &str, at: Span) -> Option<String> {
    let written = text.get(at.start..at.end)?;
    if written.is_empty() || written.contains(['\n', '\r']) {
        return None;
    }
    let line = format!("{written} = 0");
    let probe = DeTable::parse(&line).ok()?.into_inner();
    let (key, _) = probe.into_iter().next()?;
    Some(key.into_inner().into_owned())
}

/// Where the key `name` that the key at `again` repeats was first written.
///
/// `toml` reports only the repeated key. To find the first one without reimplementing TOML's
/// table rules, the repeated key is overwritten with a placeholder name of the same byte length
/// (so every offset stays put) and the text is parsed again: the record that then holds the
/// placeholder is the record the key was repeated in, and its entry called `name` is the first
/// definition. `None` when that cannot be found (the diagnostic then labels the repeat only).
fn first_definition(text: &str, again: Span, name: &str) -> Option<Span> {
    let before = text.get(..again.start)?;
    let after = text.get(again.end..)?;
    if again.is_empty() {
        return None;
    }
    for filler in ['_', 'Z', 'Q', '-', '9'] {
        let placeholder: String = std::iter::repeat_n(filler, again.len()).collect();
        if placeholder == name {
            continue;
        }
        let patched = format!("{before}{placeholder}{after}");
        let (tree, _errors) = DeTable::parse_recoverable(&patched);
        if let Some(found) = sibling_key(tree.get_ref(), again, &placeholder, name) {
            return Some(found);
        }
    }
    None
}

/// In the table that holds `placeholder` written at `at`, the span of the key `name`.
fn sibling_key(root: &DeTable<'_>, at: Span, placeholder: &str, name: &str) -> Option<Span> {
    let mut tables = vec![root];
    let mut arrays = Vec::new();
    loop {
        if let Some(table) = tables.pop() {
            let holds_placeholder = table
                .iter()
                .any(|(key, _)| span(key.span()) == at && key.get_ref() == placeholder);
            if holds_placeholder {
                return table
                    .iter()
                    .find(|(key, _)| key.get_ref() == name)
                    .map(|(key, _)| span(key.span()));
            }
            for (_, value) in table {
                match value.get_ref() {
                    DeValue::Table(inner) => tables.push(inner),
                    DeValue::Array(items) => arrays.push(items),
                    _ => {}
                }
            }
        } else if let Some(items) = arrays.pop() {
            for item in items {
                match item.get_ref() {
                    DeValue::Table(inner) => tables.push(inner),
                    DeValue::Array(inner) => arrays.push(inner),
                    _ => {}
                }
            }
        } else {
            return None;
        }
    }
}
