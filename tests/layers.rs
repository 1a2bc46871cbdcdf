//! The library's layers depend one way: a module may name only modules of a lower layer. This
//! reads every source file under `src/` (test code aside) for `crate::…` paths and fails on any
//! that runs sideways or back up, naming the file and line — so "nothing lower imports anything
//! higher" is checked on every `cargo test`, not only promised in `lib.rs`.

mod common;

use common::root;

/// Each top-level module of the library and its layer; a module may use only lower layers.
/// `input` and `eval` share a layer on purpose: neither may use the other (the facade,
/// `protocol`, joins them: it passes eval's `require` check into input).
const LAYERS: &[(&str, u8)] = &[
    ("display", 0),
    ("ops", 0),
    ("diagnostics", 1),
    ("units", 2),
    ("files", 2),
    ("value", 3),
    ("syntax", 4),
    ("check", 5),
    ("input", 6),
    ("eval", 6),
    ("report", 7),
    ("format", 7),
    ("protocol", 8),
    ("testing", 9),
    ("repl", 10),
    ("cohort", 10),
];

/// Names `lib.rs` re-exports at the crate root, and the module each comes from.
const REEXPORTS: &[(&str, &str)] = &[
    ("Protocol", "protocol"),
    ("Patient", "protocol"),
    ("Decision", "eval"),
    ("Options", "eval"),
    ("Status", "eval"),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The module a name after `crate::` belongs to, if it is one of the layers.
fn module_of(name: &str) -> Option<&'static str> {
    if let Some((module, _)) = LAYERS.iter().find(|(m, _)| *m == name) {
        return Some(module);
    }
    REEXPORTS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

/// Test code may reach anywhere (a unit test of eval may load a protocol through the facade).
fn is_test_file(relative: &std::path::Path) -> bool {
    relative
        .file_name()
        .is_some_and(|n| n == "tests.rs" || n == "test_support.rs")
        || relative.components().any(|c| c.as_os_str() == "tests")
}

/// The modules named by `crate::NAME` or `crate::{A, B::…}` on one line of code.
fn named_modules(line: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or_default();
                out.extend(module_of(name));
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.extend(module_of(&name));
        }
    }
    out
}

#[test]
fn every_module_has_a_layer() {
    let src = root().join("src");
    for entry in std::fs::read_dir(&src).expect("src").flatten() {
        let name = entry.file_name().to_string_lossy().replace(".rs", "");
        if name == "lib" || name == "main" {
            continue;
        }
        assert!(
            layer(&name).is_some(),
            "src/{name} has no layer in tests/layers.rs: add it to LAYERS"
        );
    }
}

#[test]
fn no_module_uses_a_higher_or_sibling_layer() {
    let src = root().join("src");
    let mut files = Vec::new();
    common::files(&src, &["rs"], &mut files);
    let mut wrong = Vec::new();
    for path in files {
        let relative = path.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a file");
        let module = first.as_os_str().to_string_lossy().replace(".rs", "");
        let Some(own) = layer(&module) else {
            continue; // lib.rs and main.rs sit above every layer
        };
        if is_test_file(relative) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for used in named_modules(line) {
                let theirs = layer(used).unwrap_or(0);
                if used != module && theirs >= own {
                    wrong.push(format!(
                        "src/{}:{}: {module} (layer {own}) uses {used} (layer {theirs}): {}",
                        relative.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a lower layer names a higher or sibling one; move the code, or pass what it needs in \
         from above:\n{}",
        wrong.join("\n")
    );
}

/// The scan itself: a test that checks nothing would pass an upward import.
#[test]
fn the_scan_finds_paths_in_every_form() {
    assert_eq!(
        named_modules("use crate::eval::{self, Decision};"),
        ["eval"]
    );
    assert_eq!(
        named_modules("use crate::{check::Program, input::Format};"),
        ["check", "input"]
    );
    assert_eq!(
        named_modules("let p = crate::Protocol::load(n, t);"),
        ["protocol"]
    );
    assert_eq!(
        named_modules("x(crate::units::Unit::parse(\"mg\"))"),
        ["units"]
    );
    assert!(named_modules("use std::fmt;").is_empty());
}
