//! One diagnostic type for the whole crate: every error or warning that a protocol, a patient file
//! or a REPL line can cause carries a stable code (`posology::unit::mismatch`), a severity, a
//! message in the pharmacist's terms, labelled spans into its source, and help text.
//! Rendering goes through miette so a terminal and a snapshot show the same shape.

use std::fmt;
use std::sync::Arc;

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
    /// Stable machine-readable code, e.g. `posology::unit::mismatch`.
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

impl Diagnostic {
    /// A new error with a code and message and no labels yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            source: None,
        }
    }

    /// A new warning with a code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
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
/// label that starts at the very end of the text and panics one past it).
struct Rendered<'a> {
    diag: &'a Diagnostic,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    /// Where the labels are, as `name:line:column: label` lines after the message, when the
    /// source is not drawn.
    places: String,
}

/// The longest line drawn with its labels. miette draws a whole line and panics on a label past
/// column 65535, so a label on a longer line is given by line and column instead.
const MAX_DRAWN_LINE: usize = 1000;

impl<'a> Rendered<'a> {
    fn new(diag: &'a Diagnostic) -> Self {
        let Some(src) = &diag.source else {
            return Rendered {
                diag,
                source: None,
                labels: Vec::new(),
                places: String::new(),
            };
        };
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
                    format!("\n{}:{line}:{column}: {}", src.name, l.text)
                })
                .collect();
            return Rendered {
                diag,
                source: None,
                labels: Vec::new(),
                places,
            };
        }
        let mut text = src.text.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let len = src.text.len();
        let labels = diag
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let (start, end) = clamp_span(&src.text, label.span, len);
                let text = (!label.text.is_empty()).then(|| label.text.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, (start, end - start))
                } else {
                    LabeledSpan::new_with_span(text, (start, end - start))
                }
            })
            .collect();
        Rendered {
            diag,
            source: Some(NamedSource::new(src.name.clone(), text)),
            labels,
            places: String::new(),
        }
    }
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
        f.write_str(&self.diag.message)?;
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
        self.diag
            .help
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
        .with_width(100)
        .with_urls(false);
    let mut out = String::new();
    let rendered = Rendered::new(diag);
    // A panic in the renderer must not lose the diagnostic: print it plainly instead.
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut out, &rendered).is_ok()
    }));
    if !matches!(drawn, Ok(true)) {
        out = format!("{}: {}\n", diag.code, diag.message);
        if let Some(help) = &diag.help {
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
                "text": l.text,
            })
        })
        .collect();
    serde_json::json!({
        "code": diag.code,
        "severity": diag.severity,
        "message": diag.message,
        "file": file,
        "labels": labels,
        "help": diag.help,
    })
}

/// Finds the closest candidate to a misspelt name, for "did you mean …?" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name_lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name_lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(name.chars().count()) / 3).max(1))
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
        let d = Diagnostic::error("posology::test", "boom")
            .with_label(Span::new(3, 9), "here")
            .with_source(&src);
        let out = render(&d, RenderStyle::Plain);
        assert!(out.contains("here"), "{out}");
    }

    #[test]
    fn line_col_counts_characters() {
        let src = Source::new("x", "é\nab");
        assert_eq!(src.line_col(4), (2, 2));
    }
}
