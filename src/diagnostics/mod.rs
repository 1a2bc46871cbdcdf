//! One diagnostic type for the whole crate: every error or warning that a protocol, a patient file
//! or a REPL line can cause carries a stable code (`posology::unit::mismatch`), a severity, a
//! message in the pharmacist's terms, labelled spans into its source, and help text.
//! Rendering goes through miette so a terminal and a snapshot show the same shape.
//!
//! Each layer says what went wrong as a typed kind whose variants carry the data, and turns it
//! into a `Diagnostic` in one place, so a layer's wording is found in one file:
//! [`UnitError`](crate::units::UnitError), [`FileError`](crate::files::FileError),
//! [`SyntaxError`](crate::syntax::SyntaxError), [`CheckError`](crate::check::CheckError),
//! [`InputError`](crate::input::InputError) and [`EvalError`](crate::eval::EvalError).

use std::fmt;
use std::sync::Arc;

mod codes;
mod explain;

pub use codes::Code;
pub use explain::{explain, explain_all};

use crate::display;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

/// A byte range into one source text (a protocol file, a patient file or a REPL line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The span `by` bytes later: a place in a piece of a text, as a place in the whole text.
    #[must_use]
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start.saturating_add(by), self.end.saturating_add(by))
    }
}

/// How serious a diagnostic is: errors stop a run, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something to know; nothing is wrong.
    Advice,
    /// Probably a mistake; the protocol still runs.
    Warning,
    /// The protocol or input cannot be used.
    Error,
}

/// A named source text that diagnostics point into.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown in the report (usually a file path).
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
}

impl Source {
    /// A source from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// One labelled place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong there, in a few words.
    pub text: String,
}

/// One problem found in a protocol, a patient file or a REPL line.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable machine-readable code, e.g. `posology::unit::mismatch`: always the string of a
    /// registry [`Code`] (kept as text so reports and tests compare it as they always have).
    pub code: &'static str,
    /// Error, warning or advice.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The places involved; the first is the main one.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// The text the labels point into (boxed: it keeps `Result<_, Diagnostic>` small).
    pub source: Option<Box<Source>>,
}

/// The evaluator passes diagnostics up boxed (its results stay small); `?` unboxes one where a
/// plain diagnostic is returned.
impl From<Box<Diagnostic>> for Diagnostic {
    fn from(boxed: Box<Diagnostic>) -> Diagnostic {
        *boxed
    }
}

impl Diagnostic {
    /// A new error with a code and message and no labels yet.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.as_str(),
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            source: None,
        }
    }

    /// A new warning with a code and message.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a labelled span.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source text the labels point into (if none is attached yet).
    pub fn with_source(mut self, source: &Source) -> Self {
        if self.source.is_none() {
            self.source = Some(Box::new(source.clone()));
        }
        self
    }

    /// True for errors (which stop a run).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The main span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Wraps a diagnostic with its spans clamped so miette can always show them (miette drops a
/// label that starts at the very end of the text and panics one past it), and every text in it
/// made safe for a terminal: this is the one boundary every diagnostic passes before it is
/// printed, so an escape sequence from a file cannot reach the terminal even when the code that
/// built the message forgot to quote it with [`display::quoted`].
struct Rendered<'a> {
    diag: &'a Diagnostic,
    /// The message, escaped and shortened.
    message: String,
    /// The help, escaped and shortened.
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    /// Where the labels are, as `name:line:column: label` lines after the message, when the
    /// source is not drawn.
    places: String,
}

/// Text of a message or help, safe to print: unsafe characters escaped (line breaks kept),
/// and at most [`display::MAX_MESSAGE_CHARS`] characters.
fn safe_text(text: &str) -> String {
    display::terminal_safe(&display::shorten(text, display::MAX_MESSAGE_CHARS)).into_owned()
}

/// A label's text, safe to print on one line.
fn safe_label(text: &str) -> String {
    display::escape(&display::shorten(text, display::MAX_MESSAGE_CHARS)).into_owned()
}

/// The longest line drawn with its labels. miette draws a whole line and panics on a label past
/// column 65535, so a label on a longer line is given by line and column instead.
const MAX_DRAWN_LINE: usize = 1000;

impl<'a> Rendered<'a> {
    /// Drawn without its source: there is none, or a labelled line is too long to draw (the
    /// places are then given as `file:line:column: label` lines).
    fn unsourced(
        diag: &'a Diagnostic,
        message: String,
        help: Option<String>,
        places: String,
    ) -> Self {
        Rendered {
            diag,
            message,
            help,
            source: None,
            labels: Vec::new(),
            places,
        }
    }

    fn new(diag: &'a Diagnostic) -> Self {
        let message = safe_text(&diag.message);
        let help = diag.help.as_deref().map(safe_text);
        let Some(src) = &diag.source else {
            return Rendered::unsourced(diag, message, help, String::new());
        };
        let name = display::escape(&src.name).into_owned();
        let long = diag.labels.iter().any(|l| {
            line_length_at(&src.text, l.span.start) > MAX_DRAWN_LINE
                || line_length_at(&src.text, l.span.end) > MAX_DRAWN_LINE
        });
        if long {
            let places = diag
                .labels
                .iter()
                .map(|l| {
                    let (line, column) = src.line_col(l.span.start);
                    format!("\n{name}:{line}:{column}: {}", safe_label(&l.text))
                })
                .collect();
            return Rendered::unsourced(diag, message, help, places);
        }
        let len = src.text.len();
        let spans: Vec<(usize, usize)> = diag
            .labels
            .iter()
            .map(|label| clamp_span(&src.text, label.span, len))
            .collect();
        let first = spans.iter().map(|s| s.0).min().unwrap_or(0);
        let last = spans.iter().map(|s| s.1).max().unwrap_or(0);
        // miette reads the labelled lines and `CONTEXT_LINES` around them, nothing else: only
        // those (with a line to spare) are made safe, so a 40 MB file is not copied character
        // by character to draw one label.
        let window = lines_around(&src.text, first, last, CONTEXT_LINES + 1);
        let shown = ShownSource::new(&src.text, window);
        let mut text = shown.text;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let labels = spans
            .into_iter()
            .zip(&diag.labels)
            .enumerate()
            .map(|(i, ((start, end), label))| {
                // Clamped in the text as written, then moved to where it is in the text shown.
                let (start, end) = (shown.offsets.map(start), shown.offsets.map(end));
                let text = (!label.text.is_empty()).then(|| safe_label(&label.text));
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, (start, end - start))
                } else {
                    LabeledSpan::new_with_span(text, (start, end - start))
                }
            })
            .collect();
        Rendered {
            diag,
            message,
            help,
            source: Some(NamedSource::new(name, text)),
            labels,
            places: String::new(),
        }
    }
}

/// A source text as drawn under a diagnostic: each unsafe character replaced by a visible one
/// (the control picture `␛` for ESC and the other C0 controls, `␡` for DEL, `�` for the
/// rest), line breaks, tabs and CRLF kept. miette copies source lines to the terminal as they
/// are, so an escape sequence in a patient file would otherwise act on the user's terminal.
/// A replacement may be longer in bytes than what it replaces, so label offsets are moved with
/// [`OffsetMap::map`].
struct ShownSource {
    text: String,
    offsets: OffsetMap,
}

/// Byte offsets in a text as written → byte offsets in the text as shown.
#[derive(Default)]
struct OffsetMap {
    /// For each replaced character: its offset as written, and how many bytes the text shown
    /// has gained by the end of its replacement.
    grown: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// Where an offset (on a character boundary of the text as written) is in the text shown.
    fn map(&self, offset: usize) -> usize {
        let before = self.grown.partition_point(|(at, _)| *at < offset);
        offset + before.checked_sub(1).map_or(0, |i| self.grown[i].1)
    }
}

impl ShownSource {
    /// The text with the unsafe characters inside `window` (a byte range on character
    /// boundaries) replaced; the rest is copied as it is.
    fn new(text: &str, window: std::ops::Range<usize>) -> Self {
        let mut shown = String::with_capacity(text.len());
        shown.push_str(&text[..window.start]);
        let mut offsets = OffsetMap::default();
        let mut grown = 0usize;
        let mut chars = text[window.clone()]
            .char_indices()
            .map(|(at, c)| (at + window.start, c))
            .peekable();
        while let Some((at, c)) = chars.next() {
            let crlf = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
            // A byte-order mark opening the file is invisible and harmless: not shown as `�`.
            let bom = at == 0 && c == '\u{FEFF}';
            if !display::is_unsafe(c) || c == '\n' || c == '\t' || crlf || bom {
                shown.push(c);
                continue;
            }
            let picture = match u32::from(c) {
                code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap_or('\u{FFFD}'),
                0x7f => '\u{2421}',
                _ => '\u{FFFD}',
            };
            shown.push(picture);
            grown += picture.len_utf8().saturating_sub(c.len_utf8());
            offsets.grown.push((at, grown));
        }
        shown.push_str(&text[window.end..]);
        ShownSource {
            text: shown,
            offsets,
        }
    }
}

/// How many lines miette draws above and below a label (set on the handler, so that
/// [`lines_around`] knows which lines can be shown).
const CONTEXT_LINES: usize = 1;

/// The byte range from the start of the line `extra` lines above the one holding `first` to
/// the end of the line `extra` lines below the one holding `last` (line breaks included).
fn lines_around(text: &str, first: usize, last: usize, extra: usize) -> std::ops::Range<usize> {
    let first = floor_char_boundary(text, first.min(text.len()));
    let last = floor_char_boundary(text, last.min(text.len())).max(first);
    let mut start = first;
    for _ in 0..=extra {
        match text[..start].rfind('\n') {
            Some(n) if start > 0 => start = n,
            _ => {
                start = 0;
                break;
            }
        }
    }
    if start > 0 {
        start += 1;
    }
    let mut end = last;
    for _ in 0..=extra {
        match text[end..].find('\n') {
            Some(n) => end += n + 1,
            None => {
                end = text.len();
                break;
            }
        }
    }
    start..end
}

/// The length in bytes of the line holding `offset`.
fn line_length_at(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |n| offset + n);
    end - start
}

/// Keeps a span inside the text and on character boundaries, and non-empty where the text is.
fn clamp_span(text: &str, span: Span, len: usize) -> (usize, usize) {
    if len == 0 {
        return (0, 0);
    }
    let mut start = floor_char_boundary(text, span.start.min(len));
    let mut end = floor_char_boundary(text, span.end.min(len)).max(start);
    if start == len {
        // Point at the last character instead of past the end.
        start = floor_char_boundary(text, len - 1);
        end = len;
    }
    if end == start {
        end = ceil_char_boundary(text, start + 1);
    }
    (start, end)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        f.write_str(&self.places)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// How to draw diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderStyle {
    /// Unicode boxes and colour, for a terminal.
    Fancy,
    /// Unicode boxes without colour at a fixed width: stable for snapshots and pipes.
    Plain,
}

/// Renders one diagnostic as text.
pub fn render(diag: &Diagnostic, style: RenderStyle) -> String {
    let theme = match style {
        RenderStyle::Fancy => GraphicalTheme::unicode(),
        RenderStyle::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(CONTEXT_LINES)
        .with_width(100)
        .with_urls(false);
    let mut out = String::new();
    let rendered = Rendered::new(diag);
    // A panic in the renderer must not lose the diagnostic: print it plainly instead.
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut out, &rendered).is_ok()
    }));
    if !matches!(drawn, Ok(true)) {
        out = format!("{}: {}\n", diag.code, rendered.message);
        if let Some(help) = &rendered.help {
            out.push_str(&format!("help: {help}\n"));
        }
    }
    out
}

/// Renders many diagnostics, one after the other, followed by a count line.
pub fn render_all(diags: &[Diagnostic], style: RenderStyle) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&render(d, style));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if errors + warnings > 0 {
        out.push_str(&format!(
            "{} error{}, {} warning{}\n",
            errors,
            plural(errors),
            warnings,
            plural(warnings)
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A diagnostic as JSON, for editors and CI (`posology check --format json`).
pub fn to_json(diag: &Diagnostic) -> serde_json::Value {
    let file = diag.source.as_ref().map(|s| s.name.clone());
    let labels: Vec<serde_json::Value> = diag
        .labels
        .iter()
        .map(|l| {
            let (line, column) = diag
                .source
                .as_ref()
                .map_or((0, 0), |s| s.line_col(l.span.start));
            serde_json::json!({
                "start": l.span.start,
                "end": l.span.end,
                "line": line,
                "column": column,
                "text": display::shorten(&l.text, display::MAX_MESSAGE_CHARS),
            })
        })
        .collect();
    // JSON escapes control characters itself and is read by programs: the texts are only kept
    // to a bounded length, as drawn diagnostics are (user text inside them was already quoted
    // with `display::quoted` where it entered the message).
    serde_json::json!({
        "code": diag.code,
        "severity": diag.severity,
        "message": display::shorten(&diag.message, display::MAX_MESSAGE_CHARS),
        "file": file,
        "labels": labels,
        "help": diag.help.as_deref().map(|h| display::shorten(h, display::MAX_MESSAGE_CHARS)),
    })
}

/// Finds the closest candidate to a misspelt name, for "did you mean …?" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name_lower = name.to_lowercase();
    let name_len = name.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let len = c.chars().count();
            let allowed = (len.max(name_len) / 3).max(1);
            // The distance is at least the difference in length: a 10 MB value is not
            // compared character by character with every name (that takes seconds).
            if len.abs_diff(name_len) > allowed {
                return None;
            }
            let d = edit_distance(&name_lower, &c.to_lowercase());
            (d <= allowed).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("dose_per_day", ["doses_per_day", "age"]),
            Some("doses_per_day")
        );
        assert_eq!(did_you_mean("zzz", ["doses_per_day", "age"]), None);
    }

    #[test]
    fn renders_label_at_end_of_text_without_panic() {
        let src = Source::new("x.dose", "abc");
        let d = Diagnostic::error(Code::Internal, "boom")
            .with_label(Span::new(3, 9), "here")
            .with_source(&src);
        let out = render(&d, RenderStyle::Plain);
        assert!(out.contains("here"), "{out}");
    }

    #[test]
    fn escape_sequences_in_the_source_never_reach_the_terminal() {
        let text = "{\"pump\": \"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}x\"}\r\nnext\rline";
        let src = Source::new("p\u{1b}[31m.json", text);
        let start = text.find("x\"").unwrap_or(0);
        let d = Diagnostic::error(Code::Internal, "`\u{1b}[2J` is not a choice")
            .with_label(Span::new(start, start + 1), "unknown \u{1b}[1m")
            .with_help("help \u{9b}31m")
            .with_source(&src);
        for style in [RenderStyle::Plain, RenderStyle::Fancy] {
            let out = render(&d, style);
            // Colours are escape sequences of the renderer's own; none of the file's may pass.
            for raw in ["\u{1b}]", "\u{1b}[2J", "\u{9b}", "\u{202e}", "\u{7}"] {
                assert!(!out.contains(raw), "{raw:?} in {out:?}");
            }
            if style == RenderStyle::Plain {
                let unsafe_chars = out.chars().filter(|c| *c != '\n');
                assert!(
                    !unsafe_chars.clone().any(crate::display::is_unsafe),
                    "{out:?}"
                );
            }
            // The label still points at the `x` after the replaced characters.
            assert!(
                out.contains("\u{241b}]0;pwned\u{2407}\u{241b}[2J\u{fffd}x"),
                "{out}"
            );
            assert!(out.contains("\\u{1b}[2J` is not a choice"), "{out}");
            assert!(out.contains("unknown \\u{1b}[1m"), "{out}");
            assert!(out.contains("p\\u{1b}[31m.json"), "{out}");
            assert!(out.contains("next\u{240d}line"), "{out}");
        }
        let out = render(&d, RenderStyle::Plain);
        let line = out.lines().find(|l| l.contains("pwned")).unwrap_or("");
        let under = out.lines().find(|l| l.contains('┬')).unwrap_or("");
        let column = |s: &str, c: char| s.chars().position(|x| x == c);
        assert_eq!(column(line, 'x'), column(under, '┬'), "{out}");
    }

    #[test]
    fn offsets_move_past_longer_replacements() {
        let written = "a\u{1b}b\u{85}c\u{202e}d";
        let shown = ShownSource::new(written, 0..written.len());
        assert_eq!(shown.text, "a\u{241b}b\u{fffd}c\u{fffd}d");
        let at = |s: &str, c: char| s.find(c).unwrap_or(usize::MAX);
        for c in ['a', 'b', 'c', 'd'] {
            assert_eq!(shown.offsets.map(at(written, c)), at(&shown.text, c), "{c}");
        }
        assert_eq!(shown.offsets.map(written.len()), shown.text.len());
    }

    #[test]
    fn the_window_made_safe_covers_the_lines_miette_can_draw() {
        let text = "l1\nl2\nl3\nl4\nl5\nl6\nl7\n";
        let at = |s: &str| text.find(s).unwrap_or(0);
        assert_eq!(
            &text[lines_around(text, at("l4"), at("l4") + 2, 1)],
            "l3\nl4\nl5\n"
        );
        assert_eq!(
            &text[lines_around(text, at("l1"), at("l2"), 1)],
            "l1\nl2\nl3\n"
        );
        assert_eq!(
            &text[lines_around(text, at("l7"), text.len(), 1)],
            "l6\nl7\n"
        );
        assert_eq!(lines_around("", 0, 0, 2), 0..0);
    }

    #[test]
    fn did_you_mean_skips_names_far_longer_than_any_candidate() {
        let long = "x".repeat(10_000_000);
        let started = std::time::Instant::now();
        assert_eq!(
            did_you_mean(&long, ["synchromed_ii_20ml", "prometra"]),
            None
        );
        assert!(started.elapsed().as_secs() < 2);
    }

    #[test]
    fn line_col_counts_characters() {
        let src = Source::new("x", "é\nab");
        assert_eq!(src.line_col(4), (2, 2));
    }
}
