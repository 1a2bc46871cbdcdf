//! JSON patient files, read with `jsonc-parser` with every extension to JSON switched off.
//!
//! The parser is recursive (it stops itself at 512 levels, which can already be too much for a
//! small thread stack), so the text is first scanned for bracket depth and refused past
//! [`MAX_DEPTH`] before the parser sees it; a list or record of more than
//! [`MAX_LIST_ITEMS`] items is refused by the same scan.

use jsonc_parser::ast::{ObjectPropName, StringLit, Value};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::{Ctx, Entry, Node, NodeKind, MAX_DEPTH};
use crate::diagnostics::{Diagnostic, Span};
use crate::input::MAX_LIST_ITEMS;

/// Reads a JSON patient file into a tree (not yet checked to be a record at the top).
pub(super) fn parse(text: &str, ctx: &Ctx<'_>) -> Result<Node, Diagnostic> {
    // A byte-order mark is not JSON, but RFC 8259 lets readers ignore it: blank it out with three
    // spaces so that every byte offset stays the same.
    let unmarked;
    let body = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            unmarked = format!("   {rest}");
            unmarked.as_str()
        }
        None => text,
    };
    if body.bytes().all(is_json_blank) {
        return Err(ctx.empty(text));
    }
    prescan(body, ctx)?;
    let parsed = parse_to_ast(body, &CollectOptions::default(), &strict()).map_err(|err| {
        let range = err.range();
        ctx.library_syntax(Span::new(range.start, range.end), &err.kind().to_string())
    })?;
    match parsed.value {
        Some(value) => convert(value, body, 0, ctx),
        None => Err(ctx.empty(text)),
    }
}

/// Parser options for plain RFC 8259 JSON.
fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// JSON's four whitespace bytes.
fn is_json_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Refuses, before the parser sees the text, a container (outside strings) that opens more than
/// [`MAX_DEPTH`] levels deep or holds more than [`MAX_LIST_ITEMS`] items: so that neither a deep
/// nor a huge file is ever parsed whole.
fn prescan(text: &str, ctx: &Ctx<'_>) -> Result<(), Diagnostic> {
    // Each open container: where it opens, whether it is a record, and its commas so far.
    let mut open: Vec<(usize, bool, usize)> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (at, byte) in text.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                if open.len() >= MAX_DEPTH {
                    return Err(ctx.too_deep(Span::new(at, at + 1)));
                }
                open.push((at, byte == b'{', 0));
            }
            b']' | b'}' => {
                open.pop();
            }
            // JSON has nothing but ASCII outside its texts; its reader would take a
            // non-breaking space or another Unicode blank for a blank, which RFC 8259 does not.
            0x80.. => {
                let c = text[at..].chars().next().unwrap_or('\u{fffd}');
                return Err(ctx.syntax(
                    Span::new(at, at + c.len_utf8()),
                    &format!("the character U+{:04X} outside quotes", c as u32),
                    "outside quotes JSON has only names and texts in double quotes, numbers, \
                     true, false, null, punctuation and ordinary blanks: remove the character, \
                     or put the text in double quotes",
                ));
            }
            b',' => {
                if let Some((start, record, commas)) = open.last_mut() {
                    *commas += 1;
                    if *commas >= MAX_LIST_ITEMS {
                        let open = Span::new(*start, *start + 1);
                        return Err(ctx.too_many_items(Span::new(at, at + 1), Some(open), *record));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Turns one parsed JSON value (at `depth` containers below the top) into a node.
fn convert(value: Value<'_>, text: &str, depth: usize, ctx: &Ctx<'_>) -> Result<Node, Diagnostic> {
    let (kind, range) = match value {
        Value::NullKeyword(null) => (NodeKind::Null, null.range),
        Value::BooleanLit(lit) => (NodeKind::Bool(lit.value), lit.range),
        Value::NumberLit(lit) => {
            let raw = text
                .get(lit.range.start..lit.range.end)
                .unwrap_or(lit.value);
            (NodeKind::Number(raw.to_string()), lit.range)
        }
        Value::StringLit(lit) => {
            let (string, span) = string(lit, text, ctx)?;
            return Ok(Node {
                kind: NodeKind::String(string),
                span,
            });
        }
        Value::Array(array) => {
            let span = Span::new(array.range.start, array.range.end);
            if depth >= MAX_DEPTH {
                return Err(ctx.too_deep(span));
            }
            let items = array
                .elements
                .into_iter()
                .map(|item| convert(item, text, depth + 1, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            (NodeKind::List(items), array.range)
        }
        Value::Object(object) => {
            let span = Span::new(object.range.start, object.range.end);
            if depth >= MAX_DEPTH {
                return Err(ctx.too_deep(span));
            }
            let mut entries = Vec::with_capacity(object.properties.len());
            for prop in object.properties {
                let (key, key_span) = match prop.name {
                    ObjectPropName::String(lit) => string(lit, text, ctx)?,
                    // Bare words are switched off in `strict()`; kept for completeness.
                    ObjectPropName::Word(word) => (
                        word.value.to_string(),
                        Span::new(word.range.start, word.range.end),
                    ),
                };
                let value = convert(prop.value, text, depth + 1, ctx)?;
                entries.push(Entry {
                    key,
                    key_span,
                    value,
                });
            }
            ctx.check_duplicates(&entries)?;
            (NodeKind::Map(entries), object.range)
        }
    };
    Ok(Node {
        kind,
        span: Span::new(range.start, range.end),
    })
}

/// The unescaped text of a string literal and its span (quotes included), refusing raw control
/// characters, which JSON only allows escaped (`\n`, `\t`, …).
fn string(lit: StringLit<'_>, text: &str, ctx: &Ctx<'_>) -> Result<(String, Span), Diagnostic> {
    let span = Span::new(lit.range.start, lit.range.end);
    let raw = text.get(span.start..span.end).unwrap_or("");
    if let Some(at) = raw.bytes().position(|b| b < 0x20) {
        let at = span.start + at;
        return Err(ctx.syntax(
            Span::new(at, at + 1),
            "a line break or other control character inside a text",
            "JSON texts must stay on one line: write a line break as \\n and a tab as \\t, or \
             close the quotes before the end of the line",
        ));
    }
    Ok((lit.value.into_owned(), span))
}
