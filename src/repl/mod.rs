//! The REPL (`posology repl`): a rustyline front end over the line-driven [`Session`].
//! On a terminal: prompts, history, completion, hints, highlighting, multi-line entry. When
//! standard input is not a terminal, lines are read plainly (no prompt, no colour) so a session
//! can be scripted.

mod entry;
mod help;
mod history;
mod line_editor;
mod lists;
mod reload;
mod session;
mod sweep;

use crate::diagnostics::Code;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

pub use session::{open_brackets, Reply, Session};

use crate::diagnostics::{Diagnostic, RenderStyle};
use crate::files;
use crate::syntax::MAX_PROTOCOL_BYTES;

/// Where history is kept: `$XDG_STATE_HOME/posology/history`, else `~/.local/state/posology/history`.
pub fn history_path() -> Option<PathBuf> {
    history_path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

/// The history path for these values of `XDG_STATE_HOME` and `HOME`. Only an absolute
/// directory is used: an empty or relative `HOME` (`HOME=` in a service's environment) would
/// otherwise put the history, patient data, under `.local/state` in whatever directory the
/// REPL was started from. Without one there is no history.
fn history_path_from(
    xdg_state_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let state = xdg_state_home
        .and_then(absolute)
        .or_else(|| home.and_then(absolute).map(|h| h.join(".local/state")))?;
    Some(state.join("posology").join("history"))
}

/// Runs the REPL; returns false when any line failed (for the exit status).
pub fn run(protocol: Option<&Path>, patient: Option<&Path>) -> bool {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let style = if interactive && !no_color {
        RenderStyle::Fancy
    } else {
        RenderStyle::Plain
    };
    let mut session = Session::new(style);
    let mut preload = Vec::new();
    if let Some(p) = protocol {
        let reply = session.load(p, false);
        // A protocol named on the command line that cannot be used fails the session.
        if !reply.ok {
            session.count_failure();
        }
        preload.push(reply);
    }
    if let Some(p) = patient {
        preload.push(session.line(&format!(":patient {}", p.display())));
    }
    let mut out = std::io::stdout();
    for reply in preload {
        let _ = out.write_all(reply.text.as_bytes());
    }
    if interactive {
        line_editor::run(&mut session, !no_color);
    } else {
        run_plain(&mut session);
    }
    session.failures() == 0
}

/// The longest line read from piped input: a protocol's worth. A longer line could not be
/// parsed anyway, and an endless one (`posology repl < /dev/zero`) must not fill memory.
const MAX_LINE_BYTES: usize = MAX_PROTOCOL_BYTES;

/// Reads lines from standard input until it ends or `:quit`. A line that cannot be read (not
/// UTF-8, too long) is a failed line with its diagnostic; the lines after it still run.
fn run_plain(session: &mut Session) {
    let mut stdin = std::io::stdin().lock();
    let mut out = std::io::stdout();
    let mut number = 0usize;
    loop {
        number += 1;
        let reply = match read_line(&mut stdin, number) {
            Ok(None) => break,
            Ok(Some(line)) => session.line(&line),
            Err(Unreadable::Line(d)) => session.unreadable_line(d),
            Err(Unreadable::Input(d)) => {
                let reply = session.unreadable_line(d);
                let _ = out.write_all(reply.text.as_bytes());
                break;
            }
        };
        let _ = out.write_all(reply.text.as_bytes());
        if reply.quit {
            return;
        }
    }
    // Input ended inside open brackets: run what there is, so its error is shown.
    if let Some(reply) = session.finish() {
        let _ = out.write_all(reply.text.as_bytes());
    }
}

/// Why a line of input could not be used.
enum Unreadable {
    /// This line only; the next may be fine.
    Line(Diagnostic),
    /// Standard input itself failed: nothing more can be read.
    Input(Diagnostic),
}

/// One line (without its `\n` or `\r\n`), `None` at the end of input.
fn read_line(input: &mut impl BufRead, number: usize) -> Result<Option<String>, Unreadable> {
    let name = format!("standard input, line {number}");
    let cap = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    let read = input
        .by_ref()
        .take(cap)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| {
            Unreadable::Input(
                Diagnostic::error(Code::IoRead, format!("cannot read {name}: {e}"))
                    .with_help("standard input ended with an error; the session stops here"),
            )
        })?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    } else if bytes.len() > MAX_LINE_BYTES {
        // Pass over the rest of the line without keeping it.
        let skipped = skip_line(input);
        return Err(Unreadable::Line(
            Diagnostic::error(
                Code::IoTooLarge,
                format!(
                    "{name} is longer than {MAX_LINE_BYTES} bytes{}; it was not run",
                    if skipped {
                        ""
                    } else {
                        " (and input ended inside it)"
                    }
                ),
            )
            .with_help("a line holds one command, assignment or expression"),
        ));
    }
    files::decode(&name, bytes).map(Some).map_err(|mut d| {
        // The label (from the one decoder) shows the byte; the words are about a line.
        d.message = format!("line {number} of standard input is not UTF-8 text; it was not run");
        Unreadable::Line(d.with_help(
            "send the lines as UTF-8 text: such bytes usually come from text saved as Latin-1 \
             or Windows-1252 (e.g. 0xB5 for µ, 0xA0 for a non-breaking space)",
        ))
    })
}

/// Reads up to the next `\n` (true) or the end of input (false), keeping nothing.
fn skip_line(input: &mut impl BufRead) -> bool {
    loop {
        let (found, used) = match input.fill_buf() {
            Ok([]) | Err(_) => return false,
            Ok(buf) => match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (true, i + 1),
                None => (false, buf.len()),
            },
        };
        input.consume(used);
        if found {
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::history_path_from;
    use std::path::PathBuf;

    #[test]
    fn history_goes_only_under_an_absolute_directory() {
        let some = |s: &str| Some(std::ffi::OsString::from(s));
        assert_eq!(
            history_path_from(some("/state"), some("/home/a")),
            Some(PathBuf::from("/state/posology/history"))
        );
        assert_eq!(
            history_path_from(some("relative"), some("/home/a")),
            Some(PathBuf::from("/home/a/.local/state/posology/history"))
        );
        // An empty or relative HOME would put patient data in the current directory.
        assert_eq!(history_path_from(None, some("")), None);
        assert_eq!(history_path_from(some(""), some("home")), None);
        assert_eq!(history_path_from(None, None), None);
    }
}
