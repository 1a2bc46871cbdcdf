//! Mutation test: every bundled protocol, edited at random the way a hurried hand edits it
//! (a token deleted, duplicated or swapped with its neighbour, a unit changed, a name misspelt, a
//! brace deleted or inserted), must still get a clean answer from `parse_and_check`: no panic, no
//! hang, and either a refusal whose every error has a `posology::` code, help and a label inside
//! the file, and renders; or a program whose examples all run without panicking.
//!
//! The edits come from a fixed xorshift generator, so a failure names a mutant that can be made
//! again (its number and edit are printed).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use posology::diagnostics::{render, RenderStyle};
use posology::Protocol;

/// Mutants per protocol.
const MUTANTS: usize = 300;

/// The longest one mutant may take (a debug build checks a protocol in milliseconds).
const PATIENCE: Duration = Duration::from_secs(20);

/// xorshift64: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One token of protocol text: a text in quotes, a word, a number, or punctuation (comments and
/// blanks are not tokens).
#[derive(Clone, Copy, Debug)]
struct Token {
    start: usize,
    end: usize,
}

fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let start = at;
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if text[at..].starts_with("//") {
            at = text[at..].find('\n').map_or(bytes.len(), |n| at + n);
            continue;
        }
        if b == b'"' {
            at += 1;
            while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at = (at + 1).min(bytes.len());
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
        } else if b.is_ascii_digit() {
            while at < bytes.len()
                && (bytes[at].is_ascii_digit()
                    || (bytes[at] == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)))
            {
                at += 1;
            }
        } else if ["..", "=>", "==", "!=", "<=", ">="]
            .iter()
            .any(|op| text[at..].starts_with(op))
        {
            at += 2;
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
        out.push(Token { start, end: at });
    }
    out
}

const UNITS: [&str; 4] = ["mg", "mcg", "mL", "h"];

/// One random edit of `text`, and what it was.
fn mutate(text: &str, toks: &[Token], rng: &mut Rng) -> (String, String) {
    let pick = |rng: &mut Rng| toks[rng.below(toks.len())];
    let word = |t: Token| &text[t.start..t.end];
    let splice =
        |start: usize, end: usize, with: &str| format!("{}{with}{}", &text[..start], &text[end..]);
    match rng.below(7) {
        0 => {
            let t = pick(rng);
            (
                splice(t.start, t.end, ""),
                format!("delete `{}` at {}", word(t), t.start),
            )
        }
        1 => {
            let t = pick(rng);
            let doubled = format!("{0} {0}", word(t));
            (
                splice(t.start, t.end, &doubled),
                format!("duplicate `{}` at {}", word(t), t.start),
            )
        }
        2 => {
            let i = rng.below(toks.len().saturating_sub(1));
            let (a, b) = (toks[i], toks[(i + 1).min(toks.len() - 1)]);
            if a.start == b.start {
                return (text.to_string(), "nothing to swap".into());
            }
            let swapped = format!(
                "{}{}{}{}{}",
                &text[..a.start],
                word(b),
                &text[a.end..b.start],
                word(a),
                &text[b.end..]
            );
            (
                swapped,
                format!("swap `{}` and `{}` at {}", word(a), word(b), a.start),
            )
        }
        3 => {
            let units: Vec<Token> = toks
                .iter()
                .copied()
                .filter(|t| UNITS.contains(&word(*t)))
                .collect();
            if units.is_empty() {
                return (text.to_string(), "no unit to change".into());
            }
            let t = units[rng.below(units.len())];
            let others: Vec<&str> = UNITS.iter().copied().filter(|u| *u != word(t)).collect();
            let to = others[rng.below(others.len())];
            (
                splice(t.start, t.end, to),
                format!("unit `{}` -> `{to}` at {}", word(t), t.start),
            )
        }
        4 => {
            let names: Vec<Token> = toks
                .iter()
                .copied()
                .filter(|t| text.as_bytes()[t.start].is_ascii_alphabetic())
                .collect();
            let t = names[rng.below(names.len())];
            let letter = char::from(b'a' + rng.below(26) as u8);
            let renamed = format!("{}{letter}", word(t));
            (
                splice(t.start, t.end, &renamed),
                format!("rename `{}` -> `{renamed}` at {}", word(t), t.start),
            )
        }
        5 => {
            let braces: Vec<Token> = toks
                .iter()
                .copied()
                .filter(|t| matches!(word(*t), "{" | "}"))
                .collect();
            let t = braces[rng.below(braces.len())];
            (
                splice(t.start, t.end, ""),
                format!("delete `{}` at {}", word(t), t.start),
            )
        }
        _ => {
            let t = pick(rng);
            let brace = if rng.below(2) == 0 { "{" } else { "}" };
            (
                splice(t.start, t.start, &format!("{brace} ")),
                format!("insert `{brace}` at {}", t.start),
            )
        }
    }
}

/// What became of a mutant that was handled cleanly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Refused, with proper diagnostics.
    Refused,
    /// Accepted, and at least one of its examples now fails: the examples catch the edit.
    Caught,
    /// Accepted, and every example still passes.
    Survived,
}

/// What became of one mutant, or what went wrong with it.
fn judge(text: &str) -> Result<Verdict, String> {
    let (program, diags) = Protocol::check("mutant.dose", text);
    for d in diags.iter().filter(|d| d.is_error()) {
        if !d.code.starts_with("posology::") {
            return Err(format!("an error without a posology code: {d:?}"));
        }
        if d.labels.is_empty() {
            return Err(format!("an error without a label: {d:?}"));
        }
        if let Some(l) = d
            .labels
            .iter()
            .find(|l| l.span.start > l.span.end || l.span.end > text.len())
        {
            return Err(format!("a label outside the file ({:?}): {d:?}", l.span));
        }
        if d.help.as_deref().is_none_or(|h| h.trim().is_empty()) {
            return Err(format!("an error without help: {d:?}"));
        }
        let shown = render(d, RenderStyle::Plain);
        if !shown.contains(d.code) {
            return Err(format!("the rendering lost the code: {shown}"));
        }
    }
    match program {
        Some(program) => {
            let mut caught = false;
            for result in posology::testing::run_examples(&program) {
                if let Some(d) = &result.error {
                    let _ = render(d, RenderStyle::Plain);
                }
                caught |= !result.passed();
            }
            Ok(if caught {
                Verdict::Caught
            } else {
                Verdict::Survived
            })
        }
        None if diags.iter().any(|d| d.is_error()) => Ok(Verdict::Refused),
        None => Err("refused without an error".into()),
    }
}

/// Judges one mutant, turning a panic into an error.
fn judge_caught(text: &str) -> Result<Verdict, String> {
    catch_unwind(AssertUnwindSafe(|| judge(text))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("panicked: {message}"))
    })
}

/// Judges every mutant on worker threads, one per core (parsing is the slow part of a debug
/// build: about 8 s for all the mutants on two free cores), and fails a hang instead of stalling.
fn run_all(mutants: Vec<String>) -> Vec<Result<Verdict, String>> {
    let count = mutants.len();
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let queue = Arc::new(Mutex::new(mutants.into_iter().enumerate()));
    let (tx, rx) = mpsc::channel();
    for _ in 0..workers {
        let queue = Arc::clone(&queue);
        let tx = tx.clone();
        // The command line's main thread has 8 MiB; so do the workers.
        let worker = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || loop {
                let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                let Some((i, text)) = next else { break };
                if tx.send((i, judge_caught(&text))).is_err() {
                    break;
                }
            });
        assert!(worker.is_ok(), "cannot start a worker thread");
    }
    drop(tx);
    let mut results: Vec<Option<Result<Verdict, String>>> = vec![None; count];
    for _ in 0..count {
        match rx.recv_timeout(PATIENCE) {
            Ok((i, outcome)) => results[i] = Some(outcome),
            Err(_) => break,
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(format!("did not finish within {PATIENCE:?}"))))
        .collect()
}

#[test]
fn mutants_of_every_bundled_protocol_get_a_clean_answer() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("protocols/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "dose"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).expect("protocol is readable");
        let toks = tokens(&text);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1));
        let (mutants, edits): (Vec<String>, Vec<String>) =
            (0..MUTANTS).map(|_| mutate(&text, &toks, &mut rng)).unzip();
        let (mut refused, mut caught, mut survived) = (0usize, 0usize, 0usize);
        // Accepted edits that no example notices: worth an example each.
        let mut survivors = Vec::new();
        // Per kind of edit (its first word): (refused, accepted).
        let mut kinds: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for (i, outcome) in run_all(mutants).into_iter().enumerate() {
            let kind = kinds
                .entry(edits[i].split(' ').next().unwrap_or(""))
                .or_default();
            match outcome {
                Ok(Verdict::Refused) => {
                    refused += 1;
                    kind.0 += 1;
                }
                Ok(verdict) => {
                    if verdict == Verdict::Caught {
                        caught += 1;
                    } else {
                        survived += 1;
                        survivors.push(format!("mutant {i}: {}", edits[i]));
                    }
                    kind.1 += 1;
                }
                Err(why) => failures.push(format!(
                    "{} mutant {i} ({}): {why}",
                    file.display(),
                    edits[i]
                )),
            }
        }
        let by_kind: Vec<String> = kinds
            .iter()
            .map(|(kind, (r, a))| format!("{kind} {r}/{a}"))
            .collect();
        println!(
            "{}: {MUTANTS} mutants, {refused} refused, {} accepted ({caught} with a failing \
             example, {survived} with every example passing); refused/accepted by edit: {}",
            file.file_name().unwrap_or_default().to_string_lossy(),
            caught + survived,
            by_kind.join(", ")
        );
        for survivor in &survivors {
            println!("  no example notices {survivor}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
