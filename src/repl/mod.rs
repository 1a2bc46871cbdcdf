//! The REPL (`posology repl`): a rustyline front end over the line-driven [`Session`].
//! On a terminal: prompts, history, completion, hints, highlighting, multi-line entry. When
//! standard input is not a terminal, lines are read plainly (no prompt, no colour) so a session
//! can be scripted.

mod entry;
mod help;
mod line_editor;
mod lists;
mod reload;
mod session;
mod sweep;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

pub use session::{open_brackets, Reply, Session};

use crate::diagnostics::RenderStyle;

/// Where history is kept: `$XDG_STATE_HOME/posology/history`, else `~/.local/state/posology/history`.
pub fn history_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
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
        preload.push(session.load(p, false));
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

/// Reads lines from standard input until it ends or `:quit`.
fn run_plain(session: &mut Session) {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else {
            break;
        };
        let reply = session.line(&line);
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
