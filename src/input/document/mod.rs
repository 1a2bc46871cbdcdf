//! Patient files (JSON, YAML or TOML) read into one format-neutral tree.
//!
//! Every [`Node`] keeps the exact byte span of its text in the file, so that later validation can
//! say "field `dose` at line 3: …" and point at it. Numbers are never converted: a
//! [`NodeKind::Number`] holds the number's text exactly as written (`"3"`, `"-0.5"`, `"1e3"`,
//! TOML's `"1_000"` …) and a later stage decides which spellings it accepts.
//!
//! Span conventions, the same in all three formats:
//! - a value's span covers its text as written, **quotes included** for quoted strings
//!   (`"10 mg"` in JSON spans the 7 bytes `"10 mg"`; a plain YAML `10 mg` spans 5 bytes);
//! - a key's span (`Entry::key_span`) likewise covers the key as written, quotes included;
//! - a JSON object/array and a YAML flow collection span from the opening to the closing bracket;
//!   a YAML block collection spans from its first to the end of its last item; a YAML block
//!   scalar (`|`, `>`) spans its content lines, without the indicator and trailing blank lines;
//! - a TOML table written as a `[header]` spans the header, an array of tables `[[header]]`
//!   spans its first header (each of its tables spans its own header), a table made by a dotted
//!   key spans that key, and the top-level record spans the file's content;
//! - a YAML value left empty (`dose:`) is [`NodeKind::Null`] with an empty span just after the
//!   colon.
//!
//! Refused on purpose: YAML anchors, aliases, tags and multi-document streams (aliases allow
//! "billion laughs" blow-ups and all of them hide what the value really is), nesting deeper than
//! [`MAX_DEPTH`], duplicate field names, and anything but a record at the top level.
//! JSON is read strictly (RFC 8259): no comments, trailing commas, single quotes, bare words,
//! hexadecimal, `+1`, `.5`, `NaN`, or unescaped control characters in strings. A leading UTF-8
//! byte-order mark is ignored in every format.

// Every fallible function here returns the crate's one diagnostic type, as the public API
// requires; errors are the cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use super::error::{InputError, YamlFeature};
// Named in doc comments here, and by the unit tests through `super::*`.
#[cfg(any(doc, test))]
use super::MAX_LIST_ITEMS;
use crate::diagnostics::{Diagnostic, Source, Span};

mod json;
mod toml;
mod yaml;

/// How many containers (records and lists, the top-level record included) may nest inside each
/// other before a file is refused with `posology::input::too_deep`.
pub const MAX_DEPTH: usize = 64;

/// Which syntax a patient file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON (RFC 8259), read strictly.
    Json,
    /// YAML 1.2, one document, core schema, without anchors, aliases or tags.
    Yaml,
    /// TOML 1.1 (TOML 1.0 files are read the same way).
    Toml,
}

impl Format {
    /// The format a file's extension names: `.json`, `.yaml`/`.yml` or `.toml` (in any case);
    /// `None` for any other extension or none.
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|ext| ext.to_str())
            .and_then(Format::from_name)
    }

    /// The format called `json`, `yaml`, `yml` or `toml` (in any case); `None` for any other name.
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else if name.eq_ignore_ascii_case("yaml") || name.eq_ignore_ascii_case("yml") {
            Some(Format::Yaml)
        } else if name.eq_ignore_ascii_case("toml") {
            Some(Format::Toml)
        } else {
            None
        }
    }

    /// The format's name as shown to people: `"JSON"`, `"YAML"` or `"TOML"`
    /// ([`Format::from_name`] accepts it back).
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
        }
    }
}

/// One value in a patient file, with the byte span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the value is.
    pub kind: NodeKind,
    /// Where its text is in the file (byte offsets; see the module documentation for what a
    /// span covers).
    pub span: Span,
}

/// What one value in a patient file is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// JSON `null`; YAML `null`, `~`, or nothing at all.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number exactly as written, e.g. `"3"`, `"-0.5"`, `"1e3"`, TOML `"1_000"` or YAML
    /// `"0x1F"`: never converted, so nothing is lost; a later stage decides what is acceptable.
    Number(String),
    /// Text, with escapes already replaced by what they stand for. TOML dates, times and
    /// date-times become their ISO 8601 text here (`2026-12-01`, `1979-05-27T07:32:00Z`).
    String(String),
    /// A list of values.
    List(Vec<Node>),
    /// A record of named fields, in file order (no name appears twice).
    Map(Vec<Entry>),
}

impl NodeKind {
    /// What this kind of value is called in messages to pharmacists: "a number", "a text",
    /// "a list", "a record", "true/false" or "null".
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "true/false",
            NodeKind::Number(_) => "a number",
            NodeKind::String(_) => "a text",
            NodeKind::List(_) => "a list",
            NodeKind::Map(_) => "a record",
        }
    }
}

/// One named field of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The field's name, unescaped.
    pub key: String,
    /// Where the name is written in the file (quotes included when it is quoted).
    pub key_span: Span,
    /// The field's value.
    pub value: Node,
}

/// Parses a whole patient file.
///
/// `text` is the file's content and `source` the same text with its name (diagnostics point
/// into it, with byte spans into `text`). The top level must be a record.
///
/// # Errors
///
/// The first problem found, as an error with one of these codes:
/// - `posology::input::syntax`: not valid JSON/YAML/TOML (labelled where the reader stopped);
/// - `posology::input::duplicate_field`: a record names a field twice (both places labelled);
/// - `posology::input::too_deep`: more than [`MAX_DEPTH`] nested records and lists;
/// - `posology::input::too_many_items`: a list with more than [`MAX_LIST_ITEMS`] items, or a
///   record with more fields;
/// - `posology::input::unsupported`: a YAML anchor, alias, tag or second document;
/// - `posology::input::empty`: nothing but blanks and comments;
/// - `posology::input::not_a_record`: the top level is a list, text, number, … .
pub fn parse_document(text: &str, format: Format, source: &Source) -> Result<Node, Diagnostic> {
    let ctx = Ctx { format, source };
    // The readers below are written not to panic and the libraries they call are guarded against
    // deep nesting; this only turns a library bug into a diagnostic instead of a crash.
    let parsed = catch_unwind(AssertUnwindSafe(|| match format {
        Format::Json => json::parse(text, &ctx),
        Format::Yaml => yaml::parse(text, &ctx),
        Format::Toml => toml::parse(text, &ctx),
    }));
    let root = match parsed {
        Ok(result) => result.map_err(|d| with_lookalike_help(d, text))?,
        Err(_) => {
            return Err(ctx.syntax(
                Span::new(0, 0),
                "the reader failed on this file",
                "the file could not be read; check its syntax, or save it in another format",
            ))
        }
    };
    match root.kind {
        NodeKind::Map(_) => Ok(root),
        ref other => Err(with_lookalike_help(
            ctx.refuse(InputError::NotARecord {
                format,
                what: other.describe(),
                span: root.span,
            }),
            text,
        )),
    }
}

/// The first character in `text` that looks like syntax but is not (a curly quote, a
/// non-breaking space, …, see [`crate::syntax::lookalike`]), with its offset, its name and
/// what to write instead.
pub(crate) fn find_lookalike(text: &str) -> Option<(usize, char, &'static str, &'static str)> {
    text.char_indices().find_map(|(at, c)| {
        crate::syntax::lookalike(c)
            .filter(|_| !(at == 0 && c == '\u{feff}'))
            .map(|(name, write)| (at, c, name, write))
    })
}

/// Help naming a lookalike character, for a problem at or near it.
pub(crate) fn lookalike_help(c: char, name: &str, write: &str) -> String {
    let write = if name == "dash" { "`-`" } else { write };
    format!(
        "there is a {name} (U+{:04X}) here, which is not read as punctuation or space: it often \
         comes from pasting from a word processor; write {write} instead",
        c as u32
    )
}

/// Gives a syntax (or shape) error at or near a lookalike character help that names it, and a
/// label on it: the first such character inside the labelled text, or else the last one before
/// it on its line or the line before.
fn with_lookalike_help(mut diag: Diagnostic, text: &str) -> Diagnostic {
    let Some(span) = diag.primary_span() else {
        return diag;
    };
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.max(start + 1).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    // Readers often stop on the line after the trouble: look back over the line before too.
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_start = text[..line_start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |n| n + 1);
    // A byte-order mark at the very start is allowed (and ignored).
    let lookalike_at = |(at, c): (usize, char)| {
        crate::syntax::lookalike(c)
            .filter(|_| !(at == 0 && c == '\u{feff}'))
            .map(|(name, write)| (at, c, name, write))
    };
    let inside = text[start..end]
        .char_indices()
        .map(|(at, c)| (start + at, c))
        .find_map(lookalike_at);
    let before = || {
        text[line_start..start]
            .char_indices()
            .rev()
            .map(|(at, c)| (line_start + at, c))
            .find_map(lookalike_at)
    };
    if let Some((at, c, name, write)) = inside.or_else(before) {
        diag.help = Some(lookalike_help(c, name, write));
        diag = diag.with_label(Span::new(at, at + c.len_utf8()), format!("a {name}"));
    }
    diag
}

/// What every reader needs to build diagnostics.
pub(super) struct Ctx<'a> {
    format: Format,
    source: &'a Source,
}

impl Ctx<'_> {
    /// A one-line example of a patient field in this format, for help texts.
    /// `posology::input::syntax`: the file is not valid in its format.
    fn syntax(&self, span: Span, detail: &str, help: &str) -> Diagnostic {
        self.refuse(InputError::Syntax {
            format: self.format,
            detail: detail.to_string(),
            help: help.to_string(),
            span,
        })
    }

    /// The diagnostic for a refusal, pointing into this file.
    fn refuse(&self, error: InputError) -> Diagnostic {
        error.to_diagnostic().with_source(self.source)
    }

    /// A syntax error reported by a parser library, with this format's usual help.
    fn library_syntax(&self, span: Span, detail: &str) -> Diagnostic {
        let help = match self.format {
            Format::Json => {
                "check the JSON near this point: names and texts in double quotes, `\"name\": \
                 value` pairs separated by commas, no comma after the last one, no comments"
            }
            Format::Yaml => {
                "check the YAML near this point: `name: value` with a space after the colon, \
                 consistent indentation with spaces (not tabs), and quotes around text that \
                 contains `: ` or starts with a special character"
            }
            Format::Toml => {
                "check the TOML near this point: `name = value` pairs, texts in double quotes, \
                 and each [table] name written only once"
            }
        };
        self.syntax(span, &lowercase_first(detail), help)
    }

    /// `posology::input::too_deep`: containers nest more than [`MAX_DEPTH`] levels.
    fn too_deep(&self, span: Span) -> Diagnostic {
        self.refuse(InputError::TooDeep {
            format: self.format,
            span,
        })
    }

    /// `posology::input::too_many_items`: a list holds more than [`MAX_LIST_ITEMS`] items (or a
    /// record more fields), refused as soon as it is seen, before the rest is read. `past` is
    /// where the first item too many is, `open` where the list or record starts.
    fn too_many_items(&self, past: Span, open: Option<Span>, record: bool) -> Diagnostic {
        self.refuse(InputError::TooManyItems { past, open, record })
    }

    /// `posology::input::duplicate_field`: `key` given at `again` after `first`.
    fn duplicate(&self, key: &str, first: Option<Span>, again: Span) -> Diagnostic {
        self.refuse(InputError::DuplicateField {
            key: key.to_string(),
            first,
            again,
        })
    }

    /// `posology::input::unsupported`: a feature patient files refuse (YAML aliases, tags, …).
    fn unsupported(&self, feature: YamlFeature, span: Span) -> Diagnostic {
        self.refuse(InputError::Unsupported { feature, span })
    }

    /// `posology::input::empty`: the file holds nothing but blanks (and comments).
    fn empty(&self, text: &str) -> Diagnostic {
        self.refuse(InputError::Empty {
            format: self.format,
            len: text.len(),
        })
    }

    /// Fails with `duplicate_field` if two entries of one record have the same key.
    fn check_duplicates(&self, entries: &[Entry]) -> Result<(), Diagnostic> {
        if entries.len() <= 8 {
            for (i, later) in entries.iter().enumerate() {
                if let Some(first) = entries[..i].iter().find(|e| e.key == later.key) {
                    return Err(self.duplicate(&later.key, Some(first.key_span), later.key_span));
                }
            }
            return Ok(());
        }
        let mut seen = std::collections::HashMap::with_capacity(entries.len());
        for entry in entries {
            if let Some(first) = seen.insert(entry.key.as_str(), entry.key_span) {
                return Err(self.duplicate(&entry.key, Some(first), entry.key_span));
            }
        }
        Ok(())
    }
}

/// The message of a library error, starting with a lowercase letter so it reads on after
/// "this JSON is not valid: ".
fn lowercase_first(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_uppercase() && !chars.next().is_some_and(char::is_uppercase) => {
            first
                .to_lowercase()
                .chain(text[first.len_utf8()..].chars())
                .collect()
        }
        _ => text.to_string(),
    }
}

/// The span from the first to the last non-blank byte of `text` (`0..0` if all blank).
fn content_span(text: &str) -> Span {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    if end <= start {
        Span::new(0, 0)
    } else {
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests;
