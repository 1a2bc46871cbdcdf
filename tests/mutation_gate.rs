//! The mutation gate for protocols: every number, unit and comparison in a bundled protocol's
//! rules, limits and values is edited the way a slip edits it (a number ten times too big, mg
//! for mcg, h for day, `<` for `<=`, `<` for `>`), and each edit that `check` accepts must be
//! noticed by an example or a patient case (an example fails, or a case's decision changes).
//!
//! An edit nobody notices is a dose error the suite would let through. Edits that cannot change
//! any decision are listed in `tests/mutation_allow.txt`, each with a one-line reason; the test
//! fails on any other survivor, and on an allow-list entry that no longer survives (so the list
//! stays honest).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use posology::input::Format;
use posology::Protocol;

/// A token of protocol text outside comments, strings and `example` blocks.
#[derive(Clone, Copy, Debug)]
struct Token {
    start: usize,
    end: usize,
}

/// Splits protocol text into tokens, skipping comments, quoted texts and example blocks.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let start = at;
        if b.is_ascii_whitespace() {
            at += 1;
        } else if text[at..].starts_with("//") {
            at = text[at..].find('\n').map_or(bytes.len(), |n| at + n);
        } else if b == b'"' {
            at += 1;
            while at < bytes.len() && bytes[at] != b'"' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at += 1;
        } else if text[at..].starts_with("example ") || text[at..].starts_with("inputs ") {
            // Examples are the tests themselves; the inputs block declares what a patient
            // file may hold, which the input-rejection cases pin, not the dose logic.
            at = skip_block(text, at);
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            out.push(Token { start, end: at });
        } else if b.is_ascii_digit() {
            while at < bytes.len()
                && (bytes[at].is_ascii_digit()
                    || (bytes[at] == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)))
            {
                at += 1;
            }
            out.push(Token { start, end: at });
        } else if ["<=", ">=", "==", "!=", "=>", ".."]
            .iter()
            .any(|op| text[at..].starts_with(op))
        {
            at += 2;
            out.push(Token { start, end: at });
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
            out.push(Token { start, end: at });
        }
    }
    out
}

/// The end of the `{ … }` block that follows `from` (strings and comments skipped).
fn skip_block(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = from;
    let mut opened = false;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += 1;
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = text[at..].find('\n').map_or(bytes.len(), |n| at + n);
                continue;
            }
            b'{' => {
                depth += 1;
                opened = true;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if opened && depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

/// Unit slips: each unit and what a hurried hand writes for it.
const UNIT_SLIPS: &[(&str, &str)] = &[
    ("mg", "mcg"),
    ("mcg", "mg"),
    ("g", "mg"),
    ("mL", "L"),
    ("h", "day"),
    ("day", "h"),
    ("days", "weeks"),
    ("min", "h"),
    ("weeks", "days"),
];

/// Comparison slips.
const OP_SLIPS: &[(&str, &str)] = &[
    ("<", "<="),
    ("<=", "<"),
    (">", ">="),
    (">=", ">"),
    ("==", "!="),
];

/// Every slip of a protocol text: (edit described, mutant text).
fn slips(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let place = |at: usize| {
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
        format!("{line}:{column}")
    };
    for t in tokens(text) {
        let word = &text[t.start..t.end];
        let replacement = if word.as_bytes()[0].is_ascii_digit() {
            // Ten times a zero is zero: no slip.
            (!word.trim_start_matches(['0', '.']).is_empty()).then(|| format!("{word}0"))
        } else if let Some((_, to)) = UNIT_SLIPS.iter().find(|(from, _)| *from == word) {
            Some((*to).to_string())
        } else {
            OP_SLIPS
                .iter()
                .find(|(from, _)| *from == word)
                .map(|(_, to)| (*to).to_string())
        };
        if let Some(to) = replacement {
            let mutant = format!("{}{to}{}", &text[..t.start], &text[t.end..]);
            out.push((format!("{}: `{word}` -> `{to}`", place(t.start)), mutant));
        }
    }
    out
}

/// The decisions of every case of a protocol, as JSON text (an error as its code).
fn case_outcomes(protocol: &Protocol, cases: &[(PathBuf, String)]) -> Vec<String> {
    cases
        .iter()
        .map(|(path, text)| {
            let format = Format::from_path(path).unwrap_or(Format::Json);
            match protocol.read_patient("case", text, format, &[]) {
                Err(d) => format!("input: {:?}", d.iter().map(|d| d.code).collect::<Vec<_>>()),
                Ok(patient) => match protocol.evaluate(&patient, Default::default()) {
                    Ok(d) => {
                        posology::report::json::decision(protocol.program(), &d, false).to_string()
                    }
                    Err(d) => format!("eval: {}", d.code),
                },
            }
        })
        .collect()
}

/// Whether a mutant survives: `check` accepts it, every example passes and every case decides
/// as before.
fn survives(text: &str, cases: &[(PathBuf, String)], baseline: &[String]) -> bool {
    let Ok(program) = Protocol::load("mutant.dose", text) else {
        return false;
    };
    if posology::testing::run_examples(&program)
        .iter()
        .any(|r| !r.passed())
    {
        return false;
    }
    case_outcomes(&program, cases) == baseline
}

/// The allow-list: `protocol.dose | edit | reason` per line.
fn allowed() -> BTreeMap<(String, String), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mutation_allow.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.splitn(3, " | ");
            let (file, edit, reason) = (parts.next()?, parts.next()?, parts.next()?);
            assert!(
                !reason.trim().is_empty(),
                "allow-list entry without a reason: {l}"
            );
            Some(((file.to_string(), edit.to_string()), reason.to_string()))
        })
        .collect()
}

/// Finds the surviving slips of one protocol on worker threads.
fn survivors(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("protocol is readable");
    let program = Protocol::load("protocol", &text).expect("bundled protocol checks");
    let cases: Vec<(PathBuf, String)> = posology::testing::case_files(file)
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).expect("case is readable");
            (p, t)
        })
        .collect();
    let baseline = Arc::new(case_outcomes(&program, &cases));
    let cases = Arc::new(cases);
    let queue = Arc::new(Mutex::new(slips(&text).into_iter()));
    let (tx, rx) = mpsc::channel();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    for _ in 0..workers {
        let (queue, tx, cases, baseline) = (
            Arc::clone(&queue),
            tx.clone(),
            Arc::clone(&cases),
            Arc::clone(&baseline),
        );
        let worker = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || loop {
                let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                let Some((edit, mutant)) = next else { break };
                if survives(&mutant, &cases, &baseline) && tx.send(edit).is_err() {
                    break;
                }
            });
        assert!(worker.is_ok(), "cannot start a worker thread");
    }
    drop(tx);
    let mut out: Vec<String> = rx.iter().collect();
    out.sort();
    out
}

#[test]
fn every_slip_in_a_bundled_protocol_is_noticed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("protocols/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "dose"))
        .collect();
    files.sort();
    let allow = allowed();
    let mut unnoticed = Vec::new();
    let mut stale = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let found = survivors(file);
        let total = slips(&std::fs::read_to_string(file).unwrap_or_default()).len();
        println!("{name}: {total} slips, {} unnoticed", found.len());
        for edit in &found {
            if !allow.contains_key(&(name.clone(), edit.clone())) {
                unnoticed.push(format!("{name} | {edit}"));
            }
        }
        for (file_name, edit) in allow.keys().filter(|(f, _)| *f == name) {
            if !found.contains(edit) {
                stale.push(format!("{file_name} | {edit}"));
            }
        }
    }
    assert!(
        unnoticed.is_empty(),
        "no example or case notices these edits (add an example, or an allow-list line with \
         a reason to tests/mutation_allow.txt):\n{}",
        unnoticed.join("\n")
    );
    assert!(
        stale.is_empty(),
        "allow-list entries that are now noticed (remove them):\n{}",
        stale.join("\n")
    );
}
