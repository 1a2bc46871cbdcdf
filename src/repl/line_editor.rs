//! The terminal side of the REPL: rustyline with history, completion, hints, highlighting and
//! multi-line entry. All decisions are the [`Session`]'s.

use crate::diagnostics::Code;
use std::borrow::Cow;
use std::io::Write;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use super::entry::{BracketScan, MAX_ENTRY_BYTES};
use super::help::COMMANDS;
use super::history;
use super::session::Session;
use crate::check::{Program, Type, FUNCTIONS};
use crate::diagnostics::{render_all, Diagnostic, RenderStyle, Severity};
use crate::syntax::lex::{lex, TokenKind};
use crate::syntax::KEYWORDS;
use crate::units::Atom;

/// Words the editor completes and colours, refreshed after every line.
#[derive(Default)]
pub(super) struct Words {
    inputs: Vec<String>,
    values: Vec<String>,
    lets: Vec<String>,
}

impl Words {
    fn from_program(program: Option<&Program>) -> Words {
        let Some(p) = program else {
            return Words::default();
        };
        let mut values: Vec<String> = p
            .enums
            .iter()
            .flat_map(|e| e.values.iter().cloned())
            .collect();
        values.extend(["true".to_string(), "false".to_string()]);
        let inputs = p.inputs.iter().map(|i| i.name.clone()).collect();
        let lets = p.lets.iter().map(|l| l.name.clone()).collect();
        let _ = p.inputs.iter().any(|i| matches!(i.ty, Type::Enum(_)));
        Words {
            inputs,
            values,
            lets,
        }
    }
}

/// The rustyline helper.
pub(super) struct PosologyHelper {
    words: Words,
    files: FilenameCompleter,
    hinter: HistoryHinter,
    color: bool,
}

impl Helper for PosologyHelper {}

impl Completer for PosologyHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        for command in [":load ", ":l ", ":patient ", ":p ", ":save ", ":save! "] {
            if before.starts_with(command) {
                let (start, mut found) = self.files.complete(line, pos, ctx)?;
                // A file named with an escape sequence (`ab\x1b[2J.dose`) was listed, and put
                // on the line, raw: the terminal obeyed it. Such names are not offered.
                found.retain(|p| {
                    !p.display
                        .chars()
                        .chain(p.replacement.chars())
                        .any(crate::display::is_unsafe)
                });
                return Ok((start, found));
            }
        }
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '/' || c == 'µ'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &before[start..];
        let pair = |s: &str, suffix: &str| Pair {
            display: s.to_string(),
            replacement: format!("{s}{suffix}"),
        };
        let mut out: Vec<Pair> = Vec::new();
        if let Some(cmd) = word.strip_prefix(':') {
            out.extend(
                COMMANDS
                    .iter()
                    .filter(|(c, _)| c.starts_with(cmd))
                    .map(|(c, _)| pair(&format!(":{c}"), " ")),
            );
            return Ok((start, out));
        }
        if word.is_empty() {
            return Ok((start, out));
        }
        let after_number = before[..start]
            .trim_end()
            .ends_with(|c: char| c.is_ascii_digit());
        if after_number {
            out.extend(
                Atom::spellings()
                    .filter(|u| u.starts_with(word) && u.is_ascii())
                    .map(|u| pair(u, "")),
            );
        } else {
            let all = self
                .words
                .inputs
                .iter()
                .chain(&self.words.lets)
                .chain(&self.words.values);
            out.extend(all.filter(|w| w.starts_with(word)).map(|w| pair(w, "")));
            out.extend(
                FUNCTIONS
                    .iter()
                    .filter(|f| f.name.starts_with(word))
                    .map(|f| pair(f.name, "(")),
            );
        }
        out.sort_by(|a, b| a.display.cmp(&b.display));
        out.dedup_by(|a, b| a.display == b.display);
        Ok((start, out))
    }
}

impl Hinter for PosologyHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        if let Some(cmd) = line
            .strip_prefix(':')
            .filter(|c| !c.is_empty() && !c.contains(' ') && pos == line.len())
        {
            return COMMANDS
                .iter()
                .find(|(c, _)| c.starts_with(cmd))
                .map(|(c, d)| format!("{}   — {d}", &c[cmd.len()..]));
        }
        self.hinter.hint(line, pos, ctx)
    }
}

const RESET: &str = "\x1b[0m";

impl Highlighter for PosologyHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(colour_line(line, &self.words))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if !self.color {
            return Cow::Borrowed(hint);
        }
        Cow::Owned(format!("\x1b[2m{hint}{RESET}"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// Keywords bold blue, numbers cyan, units green, commands magenta, inputs yellow, comments
/// dim; quoted text is left as it is. Read from the one lexer, so a word inside quotes or a
/// comment is never coloured as a keyword.
fn colour_line(line: &str, words: &Words) -> String {
    let tokens = lex(line);
    let mut out = String::with_capacity(line.len() * 2);
    // Within a quantity: after a number, its unit's words and `/` (`300 mcg/day`).
    let mut in_unit = false;
    for (i, token) in tokens.iter().enumerate() {
        let text = token.text(line);
        let after = |n: usize| tokens.get(i + n).map(|t| (t.kind, t.text(line)));
        let colour = match token.kind {
            TokenKind::Number => {
                in_unit = true;
                "\x1b[36m"
            }
            TokenKind::Space => "",
            TokenKind::Word if in_unit => "\x1b[32m",
            TokenKind::Punct if in_unit && text == "/" => "\x1b[32m",
            // `:load` at the start of the line: the `:` and the command's name.
            TokenKind::Punct if text == ":" && i == 0 => "\x1b[35m",
            TokenKind::Word if i == 1 && tokens[0].text(line) == ":" => "\x1b[35m",
            TokenKind::Word if KEYWORDS.contains(&text) => "\x1b[1;34m",
            TokenKind::Word if words.inputs.iter().any(|w| w == text) => "\x1b[33m",
            TokenKind::Comment => "\x1b[2m",
            _ => "",
        };
        // A unit runs on over `/` and the words it joins; a space after a number starts it.
        let unit_goes_on = matches!(token.kind, TokenKind::Number | TokenKind::Space)
            && in_unit
            && matches!(after(1), Some((TokenKind::Word, _)))
            || matches!(token.kind, TokenKind::Word)
                && in_unit
                && matches!(after(1), Some((TokenKind::Punct, "/")))
            || matches!(token.kind, TokenKind::Punct) && in_unit && text == "/";
        if !unit_goes_on && !matches!(token.kind, TokenKind::Number) {
            in_unit = false;
        }
        if colour.is_empty() {
            out.push_str(text);
        } else {
            out.push_str(colour);
            out.push_str(text);
            out.push_str(RESET);
        }
    }
    out
}

impl Validator for PosologyHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        // An entry that can never be read (too deep, too long) is handed over as it is, for
        // the session to refuse with its diagnostic rather than wait for more lines.
        let input = ctx.input();
        let mut scan = BracketScan::default();
        let too_deep = scan.feed(input).is_some();
        if scan.depth > 0 && !too_deep && input.len() <= MAX_ENTRY_BYTES {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

/// The interactive loop.
// Long on purpose: the interactive loop: the editor's set-up, the read loop with each way out
// (Ctrl-C, Ctrl-D, errors) and the history saved at the end.
pub(super) fn run(session: &mut Session, color: bool) {
    let helper = PosologyHelper {
        words: Words::from_program(session.program()),
        files: FilenameCompleter::new(),
        hinter: HistoryHinter::new(),
        color,
    };
    let Ok(mut editor) = Editor::<PosologyHelper, DefaultHistory>::new() else {
        eprintln!("posology: cannot start the line editor; pipe the session through standard input instead");
        return;
    };
    editor.set_helper(Some(helper));
    let style = if color {
        RenderStyle::Fancy
    } else {
        RenderStyle::Plain
    };
    // History is read and written by our own safe functions, never by rustyline: a path that
    // cannot be used means no history this session, said once, and that path is left alone.
    let mut history = super::history_path();
    if let Some(path) = &history {
        match history::load(path) {
            Ok(entries) => {
                for entry in entries {
                    let _ = editor.add_history_entry(entry);
                }
            }
            Err(d) => {
                warn_history("no history this session", d, style);
                history = None;
            }
        }
    }
    let mut added = false;
    println!("posology repl: `:help` for commands, Ctrl-D to leave");
    let mut out = std::io::stdout();
    loop {
        let prompt = if color {
            "\x1b[1mposology>\x1b[0m "
        } else {
            "posology> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    added |= editor.add_history_entry(line.as_str()).unwrap_or(false);
                }
                // The editor gathered every line while brackets were open: hand over the whole.
                let reply = session.line(&line);
                let _ = out.write_all(reply.text.as_bytes());
                let _ = out.flush();
                if let Some(h) = editor.helper_mut() {
                    h.words = Words::from_program(session.program());
                }
                if reply.quit {
                    break;
                }
            }
            // Ctrl-C, or a signal such as a resize that the editor did not absorb: read again.
            Err(ReadlineError::Interrupted | ReadlineError::Signal(_)) => continue,
            Err(ReadlineError::Eof) => break,
            // The terminal failed (or sent what is not text): say so, and fail the session,
            // rather than end as if the user had left.
            Err(e) => {
                let reply = session.unreadable_line(
                    Diagnostic::error(Code::IoRead, format!("cannot read from the terminal: {e}"))
                        .with_help(
                        "the session stops here; pipe lines through standard input to script it",
                    ),
                );
                let _ = out.write_all(reply.text.as_bytes());
                break;
            }
        }
    }
    if let (Some(path), true) = (&history, added) {
        if let Err(d) = history::save(path, editor.history().iter()) {
            warn_history("this session's history was not saved", d, style);
        }
    }
}

/// The one warning for a history file that cannot be used (when it is read, or else when it
/// is written).
fn warn_history(what: &str, d: Diagnostic, style: RenderStyle) {
    // The failure's own code (already a registry code) is kept; only the severity and the
    // wording change.
    let help = format!(
        "{}; or set XDG_STATE_HOME to a directory where posology/history can be a plain file",
        d.help.as_deref().unwrap_or("check the history file")
    );
    let d = Diagnostic {
        severity: Severity::Warning,
        message: format!("{what}: {}", d.message),
        help: Some(help),
        ..d
    };
    eprint!("{}", render_all(&[d], style));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_with_control_characters_are_not_completed() {
        let dir = std::env::temp_dir().join(format!("posology-complete-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        for name in ["ab\u{1b}[2Jx.dose", "ab\u{202e}y.dose", "abc.dose"] {
            std::fs::write(dir.join(name), "").expect("writable");
        }
        let helper = PosologyHelper {
            words: Words::from_program(None),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
            color: false,
        };
        let history = DefaultHistory::new();
        let ctx = Context::new(&history);
        let line = format!(":load {}/a", dir.display());
        let (_, found) = helper.complete(&line, line.len(), &ctx).expect("completes");
        let _ = std::fs::remove_dir_all(&dir);
        let shown: Vec<&str> = found.iter().map(|p| p.display.as_str()).collect();
        assert_eq!(shown, ["abc.dose"], "{shown:?}");
    }

    /// The colours, read back as `[colour]text` for the test to compare.
    fn marked(line: &str, inputs: &[&str]) -> String {
        let words = Words {
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            values: Vec::new(),
            lets: Vec::new(),
        };
        colour_line(line, &words)
            .replace("\x1b[36m", "[number]")
            .replace("\x1b[32m", "[unit]")
            .replace("\x1b[35m", "[command]")
            .replace("\x1b[1;34m", "[keyword]")
            .replace("\x1b[33m", "[input]")
            .replace("\x1b[2m", "[comment]")
            .replace(RESET, "")
    }

    #[test]
    fn a_line_is_coloured_from_its_tokens() {
        assert_eq!(
            marked("daily_dose = 300 mcg/day // per day", &["daily_dose"]),
            "[input]daily_dose = [number]300 [unit]mcg[unit]/[unit]day [comment]// per day"
        );
        assert_eq!(
            marked(":load x.dose", &[]),
            "[command]:[command]load x.dose"
        );
        // A keyword inside quotes is text, not a keyword.
        assert_eq!(
            marked("msg = \"give if not\" or x", &[]),
            "msg = \"give if not\" [keyword]or x"
        );
        // Colouring never changes the text.
        let line = "x = if a then 5 mg else 10 mg/kg // \"q\"";
        let plain = colour_line(line, &Words::from_program(None));
        assert_eq!(strip_colour(&plain), line);
    }

    fn strip_colour(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('\x1b') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let end = rest.find('m').map_or(rest.len(), |m| m + 1);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}
