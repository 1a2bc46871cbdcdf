//! REPL transcripts: each `tests/repl/*.txt` is a session, one input line per line, run through
//! the session core from the repository root; the transcript (input and output) is snapshotted.
//! A first line `# protocol: PATH` loads a protocol before the session starts.
//! `# file: NAME` … `# end` writes the lines between into `$TMP/NAME` (a scratch directory,
//! spelt `$TMP` in lines and in the transcript), so a session can edit a protocol and `:reload`.

use posology::diagnostics::RenderStyle;
use posology::repl::Session;

fn transcript(script: &str, tmp: &std::path::Path) -> String {
    // Relative to the repository root (the current directory) when it can be: a diagnostic that
    // quotes a path is wrapped at a fixed width, so an absolute path would make the snapshot
    // depend on where the repository is checked out.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tmp.strip_prefix(root).unwrap_or(tmp);
    let tmp_text = tmp.display().to_string();
    let mut session = Session::new(RenderStyle::Plain);
    let mut out = String::new();
    let mut lines = script.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("# file: ") {
            let mut text = String::new();
            for l in lines.by_ref().take_while(|l| *l != "# end") {
                text.push_str(l);
                text.push('\n');
            }
            std::fs::write(tmp.join(name.trim()), &text).expect("scratch file is writable");
            out.push_str(&format!("$ cat > $TMP/{} <<end\n{text}end\n", name.trim()));
            continue;
        }
        let line = &line.replace("$TMP", &tmp_text);
        if let Some(path) = line.strip_prefix("# protocol: ") {
            let reply = session.load(std::path::Path::new(path.trim()), false);
            let shown = format!("$ posology repl {}\n{}", path.trim(), reply.text);
            out.push_str(&shown.replace(&tmp_text, "$TMP"));
            continue;
        }
        let prompt = if session.is_continuing() {
            "...>"
        } else {
            "posology>"
        };
        out.push_str(&format!("{prompt} {}\n", line.replace(&tmp_text, "$TMP")));
        let reply = session.line(line);
        out.push_str(&reply.text.replace(&tmp_text, "$TMP"));
        if reply.quit {
            out.push_str("(quit)\n");
            break;
        }
    }
    if let Some(reply) = session.finish() {
        out.push_str(&reply.text.replace(&tmp_text, "$TMP"));
    }
    out.push_str(&format!("--- {} line(s) failed\n", session.failures()));
    out
}

#[test]
fn repl_sessions() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("repository root");
    insta::glob!("repl/*.txt", |path| {
        let script = std::fs::read_to_string(path).expect("transcript is readable");
        let stem = path.file_stem().expect("a file name").to_string_lossy();
        let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("repl")
            .join(stem.as_ref());
        std::fs::create_dir_all(&tmp).expect("scratch directory");
        insta::assert_snapshot!(transcript(&script, &tmp));
    });
}
