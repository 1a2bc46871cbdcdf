//! Every protocol shown in the documentation is a real one. A fenced block whose info string is
//! `dose` (in `README.md` or any `docs/*.md`) is a whole protocol: `posology check` accepts it
//! and `posology test` passes its examples, when it has some. A block tagged `dose refused` is a mistake shown on
//! purpose: its first line is a comment `// refused: posology::…` naming the code that `check`
//! (or, for a run-time refusal, `test`) must report. A block tagged `repl` is a REPL session:
//! each line `posology> …` is typed, and the lines up to the next one are what the REPL must
//! answer, exactly. A block tagged `dose from PATH` is an excerpt of that protocol file (a
//! checked, tested one): its lines, indentation aside, appear in the file in one run. A block
//! tagged `console` holds commands `$ posology …` (arguments split at
//! spaces, run from the repository's root), each followed by what it prints (standard output,
//! then standard error), exactly. So a page cannot drift from the language.

mod common;

use std::path::{Path, PathBuf};

use common::{files, posology, root};
use posology::diagnostics::RenderStyle;
use posology::repl::Session;

/// A protocol block of a page: where it starts, how it is tagged, and its text.
struct Block {
    page: PathBuf,
    line: usize,
    refused: bool,
    text: String,
}

/// The fenced blocks of one page whose info string is `info`, with their lines.
fn blocks_tagged(page: &Path, info: &str) -> Vec<(usize, String)> {
    fenced_blocks(page)
        .into_iter()
        .filter(|(_, tag, _)| tag == info)
        .map(|(line, _, body)| (line, body))
        .collect()
}

/// Every fenced block of one page: its first line, its info string and its body.
fn fenced_blocks(page: &Path) -> Vec<(usize, String, String)> {
    let text = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (open.take(), fence) {
            (None, Some(tag)) => open = Some((i + 1, tag.trim().to_string(), String::new())),
            (Some(block), Some(_)) => blocks.push(block),
            (None, None) => {}
            (Some((start, tag, mut body)), None) => {
                body.push_str(line);
                body.push('\n');
                open = Some((start, tag, body));
            }
        }
    }
    assert!(open.is_none(), "{page:?}: a fenced block is not closed");
    blocks
}

/// Whether the lines of `excerpt` (trimmed, blank ones aside) appear in `file` in one run.
fn is_excerpt_of(excerpt: &str, file: &str) -> bool {
    let lines = |t: &str| -> Vec<String> {
        t.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    let (excerpt, file) = (lines(excerpt), lines(file));
    !excerpt.is_empty() && file.windows(excerpt.len()).any(|w| w == excerpt.as_slice())
}

#[test]
fn every_excerpt_in_the_documentation_is_in_its_protocol() {
    let mut problems = Vec::new();
    let mut sources = std::collections::BTreeSet::new();
    for page in pages() {
        for (line, tag, body) in fenced_blocks(&page) {
            let Some(source) = tag.strip_prefix("dose from ") else {
                continue;
            };
            let shown = page
                .strip_prefix(root())
                .unwrap_or(&page)
                .display()
                .to_string();
            match std::fs::read_to_string(root().join(source)) {
                Ok(file) if is_excerpt_of(&body, &file) => {
                    sources.insert(source.to_string());
                }
                Ok(_) => problems.push(format!("{shown}:{line}: not an excerpt of {source}")),
                Err(e) => problems.push(format!("{shown}:{line}: {source}: {e}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The files excerpted are themselves checked and pass their examples.
    for source in sources {
        let out = posology(&["test", &source]);
        assert!(out.status.success(), "{source}: {}", text(&out.stdout));
    }
}

#[test]
fn an_excerpt_must_be_one_run_of_the_file() {
    let file = "a\n  b\n\n c\nd\n";
    assert!(is_excerpt_of("b\nc", file));
    assert!(is_excerpt_of("    a\n  b", file));
    assert!(!is_excerpt_of("a\nc", file));
    assert!(!is_excerpt_of("b\nx", file));
    assert!(!is_excerpt_of("", file));
}

/// Every block tagged `info` of every page, run through `differences`: how many blocks there
/// were, and each difference prefixed with its page and line.
fn differences_in_blocks(info: &str, differences: fn(&str) -> Vec<String>) -> (usize, Vec<String>) {
    let mut blocks = 0;
    let mut problems = Vec::new();
    for page in pages() {
        let shown = page
            .strip_prefix(root())
            .unwrap_or(&page)
            .display()
            .to_string();
        for (line, block) in blocks_tagged(&page, info) {
            blocks += 1;
            problems.extend(
                differences(&block)
                    .into_iter()
                    .map(|d| format!("{shown}:{line}: {d}")),
            );
        }
    }
    (blocks, problems)
}

/// What a REPL session block got wrong: each typed line's answer against the page's.
fn repl_differences(block: &str) -> Vec<String> {
    let mut session = Session::new(RenderStyle::Plain);
    let mut differences = Vec::new();
    let mut typed: Option<&str> = None;
    let mut expected = String::new();
    let mut compare = |typed: &str, expected: &str, session: &mut Session| {
        let answer = session.line(typed).text;
        if answer.trim_end() != expected.trim_end() {
            differences.push(format!(
                "posology> {typed}\n--- the page says:\n{expected}--- the REPL says:\n{answer}"
            ));
        }
    };
    for line in block.lines() {
        if let Some(next) = line.strip_prefix("posology> ") {
            if let Some(t) = typed.replace(next) {
                compare(t, &expected, &mut session);
            }
            expected.clear();
        } else {
            expected.push_str(line);
            expected.push('\n');
        }
    }
    if let Some(t) = typed {
        compare(t, &expected, &mut session);
    }
    differences
}

#[test]
fn every_repl_session_in_the_documentation_answers_as_shown() {
    std::env::set_current_dir(root()).expect("repository root");
    let (sessions, problems) = differences_in_blocks("repl", repl_differences);
    assert!(
        sessions > 0,
        "the documentation shows REPL sessions in `repl` blocks"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_repl_block_that_says_another_answer_is_caught() {
    std::env::set_current_dir(root()).expect("repository root");
    let load = ":load protocols/baclofen_oral.dose";
    let loaded = Session::new(RenderStyle::Plain).line(load).text;
    let right = format!("posology> {load}\n{loaded}posology> 1 mg + 500 mcg\n1500 mcg\n");
    assert_eq!(repl_differences(&right), Vec::<String>::new());
    let wrong = format!("posology> {load}\n{loaded}posology> 1 mg + 500 mcg\n1.5 mg\n");
    let found = repl_differences(&wrong);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("the page says:\n1.5 mg\n--- the REPL says:\n1500 mcg"),
        "{found:?}"
    );
}

/// What a console block got wrong: each command's output against the page's.
fn console_differences(block: &str) -> Vec<String> {
    let mut differences = Vec::new();
    let mut commands: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        match (line.strip_prefix("$ posology "), commands.last_mut()) {
            (Some(args), _) => commands.push((args.to_string(), String::new())),
            (None, Some((_, expected))) => {
                expected.push_str(line);
                expected.push('\n');
            }
            (None, None) => {
                differences.push(format!("`{line}` comes before any `$ posology` command"))
            }
        }
    }
    for (args, expected) in commands {
        let out = posology(&args.split_whitespace().collect::<Vec<_>>());
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        if said.trim_end() != expected.trim_end() {
            differences.push(format!(
                "$ posology {args}\n--- the page says:\n{expected}--- posology says:\n{said}"
            ));
        }
    }
    differences
}

#[test]
fn every_console_session_in_the_documentation_prints_as_shown() {
    let (_, problems) = differences_in_blocks("console", console_differences);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_console_block_that_says_another_output_is_caught() {
    let right =
        "$ posology check docs/tutorial/my_baclofen.dose\ndocs/tutorial/my_baclofen.dose: ok\n";
    assert_eq!(console_differences(right), Vec::<String>::new());
    let wrong = "$ posology check docs/tutorial/my_baclofen.dose\nall good\n";
    let found = console_differences(wrong);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("--- posology says:\ndocs/tutorial/my_baclofen.dose: ok"),
        "{found:?}"
    );
    assert_eq!(console_differences("stray\n").len(), 1);
}

/// The `dose` and `dose refused` blocks of one page, in order.
fn dose_blocks(page: &Path) -> Vec<Block> {
    let tagged = |info: &str, refused: bool| {
        blocks_tagged(page, info)
            .into_iter()
            .map(move |(line, text)| Block {
                page: page.to_path_buf(),
                line,
                refused,
                text,
            })
    };
    let mut blocks: Vec<Block> = tagged("dose", false)
        .chain(tagged("dose refused", true))
        .collect();
    blocks.sort_by_key(|b| b.line);
    blocks
}

/// Every page of documentation: the README and `docs/*.md`.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    files(&root().join("docs"), &["md"], &mut pages);
    pages.sort();
    pages
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes a block to a file of its own and returns the path.
fn write_block(block: &Block, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("posology-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("block{n}.dose"));
    std::fs::write(&path, &block.text).expect("write block");
    path
}

/// What is wrong with one block, if anything.
fn problem(block: &Block, path: &Path) -> Option<String> {
    let path = path.to_str().expect("utf-8 temp path");
    let check = posology(&["check", path]);
    let test = posology(&["test", path]);
    let said = format!(
        "{}{}{}{}",
        text(&check.stdout),
        text(&check.stderr),
        text(&test.stdout),
        text(&test.stderr)
    );
    if !block.refused {
        // A block without examples (an early step of the tutorial) is only checked: `test`
        // fails a file that has nothing to test, rightly.
        let has_examples = block.text.contains("example \"");
        let ok = check.status.success() && (test.status.success() || !has_examples);
        return (!ok).then(|| format!("is refused:\n{said}"));
    }
    let code = block
        .text
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix("// refused:"))
        .map(str::trim);
    match code {
        None => {
            Some("is tagged `dose refused` but its first line is not `// refused: CODE`".into())
        }
        Some(code) if check.status.success() && test.status.success() => {
            Some(format!("should be refused with {code} but passes"))
        }
        Some(code) if !said.contains(code) => {
            Some(format!("is refused, but not with {code}:\n{said}"))
        }
        Some(_) => None,
    }
}

#[test]
fn every_protocol_in_the_documentation_checks_and_passes_its_examples() {
    let blocks: Vec<Block> = pages().iter().flat_map(|p| dose_blocks(p)).collect();
    assert!(
        !blocks.is_empty(),
        "the documentation shows protocols in `dose` blocks; found {}",
        blocks.len()
    );
    let problems: Vec<String> = blocks
        .iter()
        .enumerate()
        .filter_map(|(n, block)| {
            let path = write_block(block, n);
            problem(block, &path).map(|p| {
                format!(
                    "{}:{}: the block {p}",
                    block
                        .page
                        .strip_prefix(root())
                        .unwrap_or(&block.page)
                        .display(),
                    block.line
                )
            })
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_block_tagged_refused_must_name_its_code_and_fail_with_it() {
    let block = |text: &str| Block {
        page: PathBuf::from("t.md"),
        line: 1,
        refused: true,
        text: text.to_string(),
    };
    let reserved = "protocol p {\n  version \"1\"\n  source \"s\"\n  let daily = 1\n}\n";
    let cases = [
        (
            format!("// refused: posology::syntax::reserved_word\n{reserved}"),
            None,
        ),
        (
            format!("// refused: posology::unit::mismatch\n{reserved}"),
            Some("is refused, but not with posology::unit::mismatch"),
        ),
        (
            reserved.to_string(),
            Some("first line is not `// refused: CODE`"),
        ),
    ];
    for (n, (text, want)) in cases.iter().enumerate() {
        let b = block(text);
        let found = problem(&b, &write_block(&b, 10_000 + n));
        match (want, &found) {
            (None, None) => {}
            (Some(want), Some(found)) if found.contains(want) => {}
            _ => panic!("{text}: expected {want:?}, found {found:?}"),
        }
    }
}

/// The tutorial's last protocol is the file it says it is, and that file passes
/// `posology test --coverage` with its cases: the tutorial ends where it promises.
#[test]
fn the_tutorial_ends_with_its_bundled_protocol_fully_covered() {
    let blocks = dose_blocks(&root().join("docs/tutorial.md"));
    let last = blocks.last().expect("the tutorial shows protocols");
    let file = std::fs::read_to_string(root().join("docs/tutorial/my_baclofen.dose"))
        .expect("the tutorial's protocol is bundled");
    assert_eq!(
        last.text, file,
        "the tutorial's last block and its file differ"
    );
    let out = posology(&["test", "--coverage", "docs/tutorial/"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("8 of 8 exercised by 7 examples and 3 cases"),
        "{said}"
    );
    // The decision the tutorial shows for its first patient is the one the protocol makes.
    let run = posology(&[
        "run",
        "docs/tutorial/my_baclofen.dose",
        "--patient",
        "docs/tutorial/my_baclofen/cases/step_up.json",
    ]);
    let shown = "15 mg oral 3 times daily (45 mg/day)  [titrate.step_up; TAB D&A]";
    let page = std::fs::read_to_string(root().join("docs/tutorial.md")).expect("tutorial");
    assert!(page.contains(shown));
    assert!(text(&run.stdout).contains(shown), "{}", text(&run.stdout));
}

/// The reference's functions table has a row for every built-in function.
#[test]
fn the_reference_documents_every_function() {
    let page = std::fs::read_to_string(root().join("docs/language.md")).expect("reference");
    let missing: Vec<&str> = posology::check::FUNCTIONS
        .iter()
        .map(|f| f.name)
        .filter(|name| {
            !page.contains(&format!("| `{name}(")) && !page.contains(&format!(", `{name}("))
        })
        .collect();
    assert!(missing.is_empty(), "docs/language.md lacks {missing:?}");
}
