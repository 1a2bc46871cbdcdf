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

/// Reads a TOML patient file into a tree (always a record at the top).
pub(super) fn parse(text: &str, ctx: &Ctx<'_>) -> Result<Node, Diagnostic> {
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

/// Converts a table's entries (the table is `depth` containers below the top).
fn table_entries(
    table: DeTable<'_>,
    text: &str,
    depth: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<Entry>, Diagnostic> {
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
