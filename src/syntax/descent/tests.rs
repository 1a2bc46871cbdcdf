//! The hand-written reader against the grammar: on every `.dose` file of the repository, and
//! on mutations of each, it gives the tree pest's path builds, or `None`; never a tree where
//! the grammar refuses the text, never a different one.

use std::path::{Path, PathBuf};

use super::super::build::{parse_expr_with_pest, parse_with_pest};
use super::super::lex::{lex, TokenKind};
use super::super::precheck;
use super::{expression, protocol};

/// Every `.dose` file under `dir`, sorted.
fn dose_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "dose") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's fixtures: bundled protocols and every test's `.dose` file.
fn fixtures() -> Vec<(PathBuf, String)> {
    let mut files = dose_files(&root().join("protocols"));
    files.extend(dose_files(&root().join("tests")));
    files
        .into_iter()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

/// Holds the reader to the rule on `text`; true when it read the text (not `None`).
fn agrees(text: &str, what: &str) -> bool {
    if precheck(text).is_err() {
        return false;
    }
    let fast = protocol(text);
    match (parse_with_pest(text), &fast) {
        (_, None) => {}
        (Ok(slow), Some(fast)) => assert!(slow == *fast, "{what}: trees differ\n{text}"),
        (Err(d), Some(_)) => panic!("{what}: read where pest refuses ({})\n{text}", d.message),
    }
    fast.is_some()
}

// The generated protocol of the `cohort` bench: `many_rules(rules)`.
include!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/benches/support/many_rules.rs"
));

/// Every fixture: the same tree or `None`; and every bundled protocol, and the bench's, read.
#[test]
fn every_fixture_reads_as_the_grammar_does() {
    let mut read = 0;
    let files = fixtures();
    assert!(files.len() > 100, "fixtures found: {}", files.len());
    for (path, text) in &files {
        let handled = agrees(text, &path.display().to_string());
        read += usize::from(handled);
        let bundled = path.parent() == Some(&root().join("protocols"));
        assert!(!bundled || handled, "{} falls back to pest", path.display());
    }
    assert!(agrees(&many_rules(50), "many_rules(50)"));
    assert!(read > files.len() / 2, "read {read} of {}", files.len());
}

/// The token mutations of `text` tried, by a fixed stride so each fixture costs about `count`.
fn mutations(text: &str, count: usize) -> Vec<String> {
    let tokens: Vec<_> = lex(text)
        .into_iter()
        .filter(|t| !matches!(t.kind, TokenKind::Space | TokenKind::Comment))
        .collect();
    let n = tokens.len();
    if n < 2 {
        return Vec::new();
    }
    let stride = (5 * n / count.max(1)).max(1);
    let piece = |i: usize| &text[tokens[i].span.start..tokens[i].span.end];
    let splice = |i: usize, j: usize, with: &str| {
        format!(
            "{}{}{}",
            &text[..tokens[i].span.start],
            with,
            &text[tokens[j].span.end..]
        )
    };
    let mut out = Vec::new();
    let mut k = 0;
    while k < 5 * n {
        let i = k / 5;
        match k % 5 {
            0 => out.push(splice(i, i, "")),
            1 => out.push(splice(i, i, &format!("{} {}", piece(i), piece(i)))),
            2 if i + 1 < n => out.push(splice(i, i + 1, &format!("{} {}", piece(i + 1), piece(i)))),
            3 => out.push(splice(i, i, replacement(piece(i), k))),
            _ => out.push(splice(i, i, kin(piece(i), k))),
        }
        k += stride;
    }
    out
}

/// Another word, number or operator for `piece`, chosen by `k`.
fn replacement(piece: &str, k: usize) -> &'static str {
    const WORDS: &[&str] = &[
        "when",
        "give",
        "and",
        "or",
        "not",
        "is",
        "missing",
        "if",
        "then",
        "else",
        "in",
        "round",
        "to",
        "every",
        "daily",
        "times",
        "once",
        "for",
        "over",
        "note",
        "warn",
        "critical",
        "x",
        "mg",
        "otherwise",
        "always",
        "schedule",
        "from",
        "then",
        "stop",
        "row",
        "table",
        "value",
        "true",
        "phase",
        "expect",
        "given",
        "that",
        "among",
        "by",
        "increase",
        "source",
    ];
    const NUMBERS: &[&str] = &[
        "0",
        "5.0",
        ".5",
        "1.5",
        "10mg",
        "99999999999999999999999999999",
        "2",
    ];
    const OPERATORS: &[&str] = &[
        "<", "<=", "==", "=", "=>", "..", ".", "+", "-", "*", "/", "^", ",", ";", ":", "(", ")",
        "[", "]", "{", "}", "|", "\"", "%",
    ];
    let list = match piece.as_bytes().first() {
        Some(b) if b.is_ascii_digit() => NUMBERS,
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => WORDS,
        _ => OPERATORS,
    };
    list[k % list.len()]
}

/// Another token of the same class as `piece` (a number, a comparison, an arithmetic or a
/// logical operator, a word), chosen by `k`: mutations that still read, with another tree.
fn kin(piece: &str, k: usize) -> &'static str {
    const CLASSES: &[&[&str]] = &[
        &["<", "<=", ">", ">=", "==", "!="],
        &["+", "-", "*", "/", "^", ".."],
        &["and", "or", "in"],
        &["0", "3", "12.5", "1000000", "0.25"],
        &[
            "dose", "weight", "age", "x", "mg", "h", "day", "mcg/kg", "phase", "first",
        ],
    ];
    let class = CLASSES
        .iter()
        .find(|c| c.contains(&piece))
        .copied()
        .unwrap_or(match piece.as_bytes().first() {
            Some(b) if b.is_ascii_digit() => CLASSES[3],
            _ => CLASSES[4],
        });
    class[k % class.len()]
}

/// Mutations tried per fixture: 24, or `POSOLOGY_MUTATIONS` for a deeper run by hand.
fn per_fixture() -> usize {
    std::env::var("POSOLOGY_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// Mutated fixtures (a token deleted, doubled, swapped with the next, or replaced): the
/// reader never gives a tree where the grammar refuses the text or builds another.
#[test]
fn mutations_never_read_differently() {
    let mut tried = 0;
    let mut texts = fixtures();
    texts.push((PathBuf::from("many_rules(8)"), many_rules(8)));
    for (path, text) in texts {
        if text.len() > 20_000 {
            continue;
        }
        for (m, mutated) in mutations(&text, per_fixture()).iter().enumerate() {
            agrees(mutated, &format!("{} mutation {m}", path.display()));
            tried += 1;
        }
    }
    assert!(tried > 1000, "{tried} mutations");
}

/// Expressions (a REPL line, a message's `{…}`): the same tree as the grammar's, or `None`.
#[test]
fn expressions_read_as_the_grammar_does() {
    let texts = [
        "300 mcg/day / 500 mcg/mL",
        "dose",
        "a + b * c ^ 2 ^ 3 - -d",
        "not a == b and c or d",
        "x is not missing and y is empty",
        "if a then 1 mg else 2 mg round down to 0.5 mg",
        "value(scr in mg/dL) * 2",
        "value(scr)",
        "list[1].dose",
        "max(a, b, [1, 2])",
        "5.x",
        "5.0 mg",
        "10mg",
        ".5 mg",
        "1 mL/min/1.73 m^2",
        "3 million units",
        "a round to nearest of [30 mg, 40 mg]",
        "(a + b) * c",
        "a in 1..2",
        "\"text \\\" quoted\"",
        "a b",
        "",
        "-",
        "a ^ -b",
        "f (2)",
        "110%",
        "2 µg",
    ];
    for text in texts {
        if precheck(text).is_err() {
            continue;
        }
        let fast = expression(text);
        match (parse_expr_with_pest(text), fast) {
            (_, None) => {}
            (Ok(slow), Some(fast)) => assert_eq!(slow, fast, "{text}"),
            (Err(d), Some(_)) => panic!("{text}: read where pest refuses ({})", d.message),
        }
    }
    assert!(expression("a + b * c").is_some());
    assert!(expression("5.0 mg").is_none());
}

/// The reader's reserved words are the grammar's.
#[test]
fn reserved_words_are_the_grammars() {
    for w in super::super::KEYWORDS {
        assert!(super::rules::is_keyword(w), "{w}");
    }
    for w in ["dose", "from", "table", "row", "that", "Give", "iff"] {
        assert!(!super::rules::is_keyword(w), "{w}");
    }
}

/// `parse` (the reader first) and the grammar alone give the same result, a diagnostic too.
fn same_result(text: &str) {
    let both = super::super::parse(text);
    let slow = precheck(text).and_then(|()| parse_with_pest(text));
    assert_eq!(format!("{both:?}"), format!("{slow:?}"), "{text}");
}

/// Texts at and past the limits (nesting, long runs, many prefixes, deep types, huge numbers):
/// the reader gives up before the grammar's guards would refuse, so `parse` says the same.
#[test]
fn limits_fall_back_to_the_grammar() {
    let around = |inputs: &str, expr: &str| {
        format!(
            "protocol p {{\n inputs {{\n x: mg\n{inputs}\n }}\n let y = {expr}\n \
             decide first {{\n otherwise => give 1 mg\n }}\n}}\n"
        )
    };
    let nest = |open: &str, inner: &str, close: &str, n: usize| {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    };
    let mut texts = Vec::new();
    for n in [1, 20, 31, 32, 33, 40, 63, 64, 65, 70] {
        texts.push(around("", &nest("(", "x", ")", n)));
        texts.push(around("", &nest("f(", "x", ")", n)));
        texts.push(around("", &nest("[", "x", "]", n)));
        texts.push(around("", &nest("value(", "x", " in mg)", n)));
        texts.push(around("", &format!("{}x", "not ".repeat(n))));
        texts.push(around("", &format!("{}x", "-".repeat(n))));
        texts.push(around(
            "",
            &format!(
                "{}1 mg{}",
                "if x > 1 mg then ".repeat(n),
                " else 2 mg".repeat(n)
            ),
        ));
        texts.push(around(&format!(" l: {}mg", "list of ".repeat(n)), "x"));
        texts.push(around(
            &format!(" r: {}a: mg{}", "{ a: ".repeat(n), " }".repeat(n + 1)),
            "x",
        ));
        texts.push(around("", &vec!["x"; 4 * n].join(" + ")));
        texts.push(around("", &vec!["x"; 4 * n].join(" ^ ")));
        texts.push(around("", &format!("{}9 mg", "9".repeat(n))));
    }
    for text in &texts {
        agrees(text, "limit");
        same_result(text);
    }
    for text in fixtures().iter().map(|(_, t)| t).take(40) {
        same_result(text);
    }
}

/// The grammar this reader mirrors, as a hash of its text: a change to the grammar fails here
/// until the reader is brought along (a new form only falls back to pest, but a changed one,
/// such as a new reserved word or another precedence, would be read the old way).
#[test]
fn the_grammar_is_the_one_this_reader_mirrors() {
    let grammar = std::fs::read(root().join("grammar/posology.pest")).expect("the grammar");
    let hash = grammar.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    assert_eq!(
        hash, 0xb8c5_2ba1_ec7c_cdc3,
        "grammar/posology.pest changed: mirror the change in src/syntax/descent, then update \
         this hash to {hash:#x}"
    );
}

/// The expression reader alone (REPL lines, a message's `{…}`): the grammar's tree or `None`.
fn expression_agrees(text: &str) {
    if precheck(text).is_err() {
        return;
    }
    match (parse_expr_with_pest(text), expression(text)) {
        (_, None) => {}
        (Ok(slow), Some(fast)) => assert!(slow == fast, "trees differ: {text}"),
        (Err(d), Some(_)) => panic!("read where pest refuses ({}): {text}", d.message),
    }
}

/// The expressions of every fixture (the right side of each `let`, the inside of each `{…}`
/// of a quoted text), and mutations of each.
#[test]
fn fixture_expressions_read_as_the_grammar_does() {
    let mut tried = 0;
    for (_, text) in fixtures() {
        let mut pieces: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("let "))
            .filter_map(|l| l.split_once('=').map(|(_, e)| e.trim()))
            .collect();
        pieces.extend(
            text.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(e, _)| e))
                .filter(|e| e.len() < 80 && !e.contains('\n')),
        );
        for piece in pieces {
            expression_agrees(piece);
            for mutated in mutations(piece, 6) {
                expression_agrees(&mutated);
            }
            tried += 1;
        }
    }
    assert!(tried > 300, "{tried} expressions");
}
