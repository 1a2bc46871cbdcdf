//! No function in `src/` runs over 80 lines unless a comment just above it says why
//! (`// Long on purpose: …`, e.g. one arm per kind of a match the compiler keeps complete).
//! Unit-test modules are left out: a test may spell out a long table.

mod common;

use common::root;

/// The most lines a function may have without a written reason.
const MAX_LINES: usize = 80;

/// The name of the function a line starts (`fn name`, with any `pub`, `const`, …), if it does.
fn function_name(line: &str) -> Option<&str> {
    let code = line.trim_start();
    let at = code.find("fn ")?;
    let before = &code[..at];
    let modifiers_only = before
        .split_whitespace()
        .all(|w| w.starts_with("pub") || matches!(w, "const" | "async" | "unsafe"));
    if !modifiers_only {
        return None;
    }
    let name = code[at + 3..].split(['(', '<']).next()?.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Functions over the limit in one file's text, as `(line, name, length)`, with no reason
/// written in the comments above them.
fn unexplained_long_functions(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = function_name(line) else {
            continue;
        };
        // A declaration without a body (a trait's) ends in `;` before any `{`.
        let Some(open) = (i..lines.len()).find(|&j| {
            let l = lines[j].trim_end();
            l.ends_with('{') || l.ends_with(';')
        }) else {
            continue;
        };
        if lines[open].trim_end().ends_with(';') {
            continue;
        }
        let depth = indent(line);
        let close = (open + 1..lines.len())
            .find(|&j| indent(lines[j]) == depth && lines[j].trim_start().starts_with('}'))
            .unwrap_or(lines.len() - 1);
        let length = close - i + 1;
        let explained = lines[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let t = l.trim_start();
                t.starts_with("//") || t.starts_with("#[")
            })
            .any(|l| l.contains("Long on purpose:"));
        if length > MAX_LINES && !explained {
            out.push((i + 1, name.to_string(), length));
        }
    }
    out
}

#[test]
fn long_functions_say_why() {
    let mut files = Vec::new();
    common::files(&root().join("src"), &["rs"], &mut files);
    let mut found = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "tests.rs" || path.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (line, function, length) in unexplained_long_functions(code) {
            found.push(format!(
                "{}:{line}: `{function}` is {length} lines",
                path.strip_prefix(root()).unwrap_or(&path).display()
            ));
        }
    }
    assert!(
        found.is_empty(),
        "split these, or write `// Long on purpose: <why>` just above them:\n{}",
        found.join("\n")
    );
}

/// The scan itself, on a long function with and without its reason.
#[test]
fn the_scan_finds_a_long_function_and_its_reason() {
    let body = "    x();\n".repeat(MAX_LINES);
    let long = format!("/// Docs.\npub(crate) fn big(a: u8) -> u8 {{\n{body}}}\n");
    assert_eq!(
        unexplained_long_functions(&long),
        [(2, "big".to_string(), MAX_LINES + 2)]
    );
    let explained = format!("// Long on purpose: one arm per kind.\n{long}");
    assert!(unexplained_long_functions(&explained).is_empty());
    let short = "fn small() {\n    x();\n}\n";
    assert!(unexplained_long_functions(short).is_empty());
}
