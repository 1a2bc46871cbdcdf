//! REPL transcripts: each `tests/repl/*.txt` is a session, one input line per line, run through
//! the session core from the repository root; the transcript (input and output) is snapshotted.
//! A first line `# protocol: PATH` loads a protocol before the session starts.

use posology::diagnostics::RenderStyle;
use posology::repl::Session;

fn transcript(script: &str) -> String {
    let mut session = Session::new(RenderStyle::Plain);
    let mut out = String::new();
    for line in script.lines() {
        if let Some(path) = line.strip_prefix("# protocol: ") {
            let reply = session.load(std::path::Path::new(path.trim()), false);
            out.push_str(&format!("$ posology repl {}\n{}", path.trim(), reply.text));
            continue;
        }
        let prompt = if session.is_continuing() {
            "...>"
        } else {
            "posology>"
        };
        out.push_str(&format!("{prompt} {line}\n"));
        let reply = session.line(line);
        out.push_str(&reply.text);
        if reply.quit {
            out.push_str("(quit)\n");
            break;
        }
    }
    if let Some(reply) = session.finish() {
        out.push_str(&reply.text);
    }
    out.push_str(&format!("--- {} line(s) failed\n", session.failures()));
    out
}

#[test]
fn repl_sessions() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("repository root");
    insta::glob!("repl/*.txt", |path| {
        let script = std::fs::read_to_string(path).expect("transcript is readable");
        insta::assert_snapshot!(transcript(&script));
    });
}
