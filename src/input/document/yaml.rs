//! YAML patient files, read event by event with `saphyr-parser`.
//!
//! The tree is built here with an explicit stack (the parser's own `load` recurses once per
//! level), so any nesting is refused at [`MAX_DEPTH`] without deep recursion. Plain scalars are
//! resolved with the YAML 1.2 core schema. Anchors, aliases, tags and further documents are
//! refused as soon as they are met, so an alias bomb is never expanded.
//!
//! The parser counts positions in characters; they are turned into byte offsets here.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::{Ctx, Entry, Node, NodeKind, YamlFeature, MAX_DEPTH};
use crate::diagnostics::{Diagnostic, Span};
use crate::input::MAX_LIST_ITEMS;

/// Reads a YAML patient file into a tree (not yet checked to be a record at the top).
// Long on purpose: one loop over the YAML event stream; every event kind shares its state (the
// stack of open nodes, the refusals of anchors, tags and documents).
pub(super) fn parse(text: &str, ctx: &Ctx<'_>) -> Result<Node, Diagnostic> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, marks) = next.map_err(|err| scan_error(&err, &offsets, ctx))?;
        let span = offsets.span(marks.start.index(), marks.end.index());
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(ctx.unsupported(YamlFeature::SecondDocument, span));
                }
            }
            Event::Alias(_) => return Err(alias(span, ctx)),
            Event::Scalar(value, style, anchor, tag) => {
                refuse_anchor_or_tag(anchor, tag.is_some(), span, ctx)?;
                let span = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => trim_end(text, span),
                    // Nothing written: an empty span where the value would be (the parser may
                    // give it the span of a following `...`).
                    ScalarStyle::Plain if value.is_empty() => Span::new(span.start, span.start),
                    _ => span,
                };
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    *key = Some((value.into_owned(), span));
                    continue;
                }
                let kind = match style {
                    ScalarStyle::Plain => resolve_plain(&value),
                    _ => NodeKind::String(value.into_owned()),
                };
                deliver(Node { kind, span }, &mut stack, &mut root, ctx)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                refuse_anchor_or_tag(anchor, tag.is_some(), span, ctx)?;
                if let Some(Frame::Map { key: None, .. }) = stack.last() {
                    return Err(ctx.syntax(
                        span,
                        "a field name must be a plain name, not a list or record",
                        "write each field as `name: value`, with a plain name before the colon",
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(ctx.too_deep(span));
                }
                let is_map = matches!(event, Event::MappingStart(..));
                stack.push(if is_map {
                    Frame::Map {
                        open: span,
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    Frame::List {
                        open: span,
                        items: Vec::new(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Frame::List { open, items }) => {
                        let last = items.last().map(|item| item.span.end);
                        Node {
                            kind: NodeKind::List(items),
                            span: collection_span(open, span, last),
                        }
                    }
                    Some(Frame::Map { open, entries, key }) => {
                        if let Some((_, key_span)) = key {
                            // The parser always pairs keys with values; never trust it blindly.
                            return Err(ctx.syntax(
                                key_span,
                                "this field has no value",
                                "write each field as `name: value`",
                            ));
                        }
                        ctx.check_duplicates(&entries)?;
                        let last = entries.last().map(|e| e.value.span.end.max(e.key_span.end));
                        Node {
                            kind: NodeKind::Map(entries),
                            span: collection_span(open, span, last),
                        }
                    }
                    None => {
                        return Err(ctx.syntax(
                            span,
                            "a list or record ends here that never started",
                            "check the brackets and indentation",
                        ))
                    }
                };
                deliver(node, &mut stack, &mut root, ctx)?;
            }
        }
    }
    match root {
        // `---` alone, or a document of nothing but comments, holds an empty value.
        None => Err(ctx.empty(text)),
        Some(node) if node.kind == NodeKind::Null && node.span.is_empty() => Err(ctx.empty(text)),
        Some(node) => Ok(node),
    }
}

/// A list or record being built.
enum Frame {
    /// A list: where it opened and its items so far.
    List { open: Span, items: Vec<Node> },
    /// A record: where it opened, its entries so far, and a key waiting for its value.
    Map {
        open: Span,
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
    },
}

/// Puts a finished node into the list or record being built, or makes it the document's root.
fn deliver(
    node: Node,
    stack: &mut [Frame],
    root: &mut Option<Node>,
    ctx: &Ctx<'_>,
) -> Result<(), Diagnostic> {
    match stack.last_mut() {
        None => {
            if root.is_some() {
                return Err(ctx.syntax(
                    node.span,
                    "a second value after the end of the document",
                    "a patient file holds one record: remove what follows it",
                ));
            }
            *root = Some(node);
        }
        // Refused as soon as the list is too long, so a huge file is never read to its end.
        Some(Frame::List { items, open }) if items.len() >= MAX_LIST_ITEMS => {
            return Err(ctx.too_many_items(node.span, Some(*open), false));
        }
        Some(Frame::List { items, .. }) => items.push(node),
        Some(Frame::Map { entries, open, .. }) if entries.len() >= MAX_LIST_ITEMS => {
            return Err(ctx.too_many_items(node.span, Some(*open), true));
        }
        Some(Frame::Map { entries, key, .. }) => match key.take() {
            Some((key, key_span)) => entries.push(Entry {
                key,
                key_span,
                value: node,
            }),
            None => {
                return Err(ctx.syntax(
                    node.span,
                    "a field name must be a plain name",
                    "write each field as `name: value`, with a plain name before the colon",
                ))
            }
        },
    }
    Ok(())
}

/// The span of a finished list or record: bracket to bracket for flow style (`[…]`, `{…}`),
/// first to last item for block style (where the parser marks no opening or closing text).
fn collection_span(open: Span, close: Span, last_item_end: Option<usize>) -> Span {
    if open.is_empty() {
        Span::new(
            open.start,
            last_item_end.unwrap_or(open.end).max(open.start),
        )
    } else {
        Span::new(open.start, close.end.max(open.end))
    }
}

/// Refuses anchors (`&name`) and tags (`!tag`), which patient files do not allow.
fn refuse_anchor_or_tag(
    anchor: usize,
    tagged: bool,
    span: Span,
    ctx: &Ctx<'_>,
) -> Result<(), Diagnostic> {
    if anchor != 0 {
        return Err(ctx.unsupported(YamlFeature::Anchor, span));
    }
    if tagged {
        return Err(ctx.unsupported(YamlFeature::Tag, span));
    }
    Ok(())
}

/// The refusal of an alias (`*name`).
fn alias(span: Span, ctx: &Ctx<'_>) -> Diagnostic {
    ctx.unsupported(YamlFeature::Alias, span)
}

/// A parser error as a diagnostic (`too_deep` for the parser's own bracket limit).
fn scan_error(err: &ScanError, offsets: &Offsets<'_>, ctx: &Ctx<'_>) -> Diagnostic {
    let index = err.marker().index();
    let span = offsets.span(index, index + 1);
    match err.info() {
        "recursion limit exceeded" => return ctx.too_deep(span),
        // An alias (`*name`) whose anchor is missing: refuse it as an alias, like any other.
        info if info.ends_with("unknown anchor") => return alias(span, ctx),
        _ => {}
    }
    ctx.library_syntax(span, err.info())
}

/// Drops trailing blanks and line breaks from a span (block scalars' spans run on to the next
/// line's indentation).
fn trim_end(text: &str, span: Span) -> Span {
    match text.get(span.start..span.end) {
        Some(slice) => {
            let kept = slice.trim_end_matches([' ', '\t', '\r', '\n']).len();
            Span::new(span.start, span.start + kept)
        }
        None => span,
    }
}

/// What an unquoted scalar means under the YAML 1.2 core schema: null, true/false, a number
/// (its text kept as written), or else text.
fn resolve_plain(text: &str) -> NodeKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        _ if is_core_int(text) || is_core_float(text) => NodeKind::Number(text.to_string()),
        _ => NodeKind::String(text.to_string()),
    }
}

/// Core schema integers: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
fn is_core_int(text: &str) -> bool {
    if let Some(octal) = text.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| matches!(b, b'0'..=b'7'));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Core schema floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`,
/// `[-+]?\.(inf|Inf|INF)` and `\.nan|\.NaN|\.NAN`.
fn is_core_float(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|exp| {
        let digits = exp.strip_prefix(['-', '+']).unwrap_or(exp);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// Turns the parser's character positions into byte offsets.
struct Offsets<'a> {
    text: &'a str,
    /// True when every character is one byte, so positions are offsets already.
    ascii: bool,
    /// The byte offset of every `STRIDE`th character.
    checkpoints: Vec<usize>,
}

/// How many characters apart the checkpoints are.
const STRIDE: usize = 64;

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(at, _)| at)
                .collect()
        };
        Offsets {
            text,
            ascii,
            checkpoints,
        }
    }

    /// The byte offset of the character at `index` (the text's length past its end).
    fn byte(&self, index: usize) -> usize {
        let len = self.text.len();
        if self.ascii {
            return index.min(len);
        }
        let Some(&base) = self.checkpoints.get(index / STRIDE) else {
            return len;
        };
        self.text
            .get(base..)
            .and_then(|rest| rest.char_indices().nth(index % STRIDE))
            .map_or(len, |(at, _)| base + at)
    }

    /// The byte span of the characters from `start` to `end`.
    fn span(&self, start: usize, end: usize) -> Span {
        let start = self.byte(start);
        Span::new(start, self.byte(end).max(start))
    }
}
