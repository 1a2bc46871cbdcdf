//! Protocols of one shape grown to a given size: many choices in one input, many record
//! fields, many inputs, `let`s, limits, rules, phases, examples, … Shared by the work-bounds
//! tests (`tests/work_bounds.rs`) and the scale benchmark (`benches/scale.rs`).

#![allow(dead_code)]

/// The shapes, by name.
pub const SHAPES: &[&str] = &[
    "choices",
    "record_fields",
    "list_record_fields",
    "inputs",
    "lets",
    "lets_doubling",
    "limits",
    "requires",
    "rules",
    "collect",
    "phases",
    "begin_phases",
    "examples",
    "given_list",
    "expect_schedule",
    "list_literal",
    "actions",
    "show",
    "proposal",
    "gives",
];

const HEAD: &str = "protocol big {\n  version \"1.0.0\"\n  source \"x\"\n";

/// `prefix`, then `unit(0)`, `unit(1)`, … while the text stays within `size` bytes, then
/// `suffix`.
fn grow(size: usize, prefix: &str, unit: impl Fn(usize) -> String, suffix: &str) -> String {
    let mut out = String::with_capacity(size);
    out.push_str(prefix);
    let mut i = 0;
    loop {
        let u = unit(i);
        if out.len() + u.len() + suffix.len() > size {
            break;
        }
        out.push_str(&u);
        i += 1;
    }
    out.push_str(suffix);
    out
}

/// A protocol of `shape` of at most `size` bytes, that checks.
pub fn protocol(shape: &str, size: usize) -> String {
    let give =
        "  limit dose <= 100 mg hard\n  phase a { decide first { otherwise => give dose } }\n}\n";
    let inputs_then = |prefix: &str, unit: &dyn Fn(usize) -> String, close: &str| {
        grow(
            size,
            &format!("{HEAD}  inputs {{\n    dose: mg\n{prefix}"),
            unit,
            &format!("{close}\n  }}\n{give}"),
        )
    };
    match shape {
        "choices" => inputs_then("    kind: c0", &|i| format!(" | c{}", i + 1), ""),
        "record_fields" => inputs_then(
            "    rec: { f0: mg",
            &|i| format!(", f{}: mg", i + 1),
            " } optional",
        ),
        "list_record_fields" => inputs_then(
            "    xs: list of { f0: mg",
            &|i| format!(", f{}: mg optional", i + 1),
            " } default []",
        ),
        "inputs" => inputs_then("", &|i| format!("    i{i}: mg optional\n"), ""),
        "lets" => grow(
            size,
            &format!("{HEAD}  inputs {{ dose: mg }}\n"),
            |i| format!("  let l{i} = dose + {i} mg\n"),
            give,
        ),
        // Each value twice the one before, as a constant: folded once each, not 2^30 times (which
        // took more than a minute).
        "lets_doubling" => {
            let lets: String = (1..=30)
                .map(|i| format!("  let a{i} = a{} + a{}\n", i - 1, i - 1))
                .collect();
            format!(
                "{HEAD}  inputs {{ dose: mg }}\n  let a0 = 1 mg\n{lets}  limit dose <= 100 mg hard\n  \
                 phase a {{ decide first {{ big: when dose > 1000 mg => give a30\n    otherwise => give dose }} }}\n}}\n"
            )
        }
        "limits" => grow(
            size,
            &format!("{HEAD}  inputs {{ dose: mg }}\n"),
            |i| format!("  limit dose <= {} mg hard because \"r{i}\"\n", i + 100),
            "  phase a { decide first { otherwise => give dose } }\n}\n",
        ),
        "requires" => grow(
            size,
            &format!("{HEAD}  inputs {{ dose: mg }}\n"),
            |i| format!("  require dose < {} mg because \"r{i}\"\n", i + 100),
            give,
        ),
        "rules" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg }}\n  limit dose <= 100 mg hard\n  phase a {{\n    decide first {{\n"
            ),
            |i| format!("      r{i}: when dose > {i} mg => give dose\n"),
            "      otherwise => give dose\n    }\n  }\n}\n",
        ),
        "collect" => grow(
            size,
            &format!("{HEAD}  inputs {{ dose: mg }}\n  decide collect {{\n"),
            |i| format!("    r{i}: when dose > {i} mg => warn w{i}: \"w{i}\"\n"),
            &format!("  }}\n{give}"),
        ),
        // A chain of phases, each moving on to the next.
        "phases" => {
            let mut text = grow(
                size.saturating_sub(200),
                &format!(
                    "{HEAD}  inputs {{ dose: mg\n    phase: p0 | p1 }}\n  begin at phase\n  limit dose <= 100 mg hard\n"
                ),
                |i| {
                    format!(
                        "  phase p{i} {{ decide first {{ otherwise => give dose ; next p{} }} }}\n",
                        i + 1
                    )
                },
                "",
            );
            let last = text.matches("  phase p").count();
            text.push_str(&format!(
                "  phase p{last} {{ decide first {{ otherwise => give dose }} }}\n}}\n"
            ));
            text
        }
        // Every phase a choice of the input that `begin at` reads.
        "begin_phases" => {
            let n = size / 72;
            let choices: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
            let phases: String = (0..n)
                .map(|i| format!("  phase p{i} {{ decide first {{ otherwise => give dose }} }}\n"))
                .collect();
            format!(
                "{HEAD}  inputs {{ dose: mg\n    phase: {} }}\n  begin at phase\n  limit dose <= 100 mg hard\n{phases}}}\n",
                choices.join(" | ")
            )
        }
        "examples" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg }}\n  limit dose <= 100 mg hard\n  phase a {{ decide first {{ otherwise => give dose }} }}\n"
            ),
            |i| {
                format!(
                    "  example \"e{i}\" {{ given {{ dose: {} mg }} expect give {} mg }}\n",
                    i % 100,
                    i % 100
                )
            },
            "}\n",
        ),
        "given_list" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg\n    xs: list of mg }}\n  limit dose <= 100 mg hard\n  phase a {{ decide first {{ otherwise => give dose }} }}\n  example \"e\" {{ given {{ dose: 1 mg, xs: [0 mg"
            ),
            |i| format!(", {i} mg"),
            "] } expect give 1 mg }\n}\n",
        ),
        "expect_schedule" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg }}\n  limit dose <= 100 mg hard\n  phase a {{ decide first {{ otherwise => give dose }} }}\n  example \"e\" {{ given {{ dose: 1 mg }} expect schedule [1 mg"
            ),
            |_| ", 1 mg".to_string(),
            "] }\n}\n",
        ),
        "list_literal" => grow(
            size,
            &format!("{HEAD}  inputs {{ dose: mg }}\n  let xs = [0 mg"),
            |i| format!(", {i} mg"),
            &format!("]\n{give}"),
        ),
        "actions" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg }}\n  limit dose <= 100 mg hard\n  phase a {{ decide first {{ otherwise => give dose"
            ),
            |i| format!(" ; note n{i}: \"n{i}\""),
            " } }\n}\n",
        ),
        "show" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg }}\n  limit dose <= 100 mg hard\n  let s = dose\n  phase a {{ decide first {{ otherwise => give dose ; show s"
            ),
            |_| ", s".to_string(),
            " } }\n}\n",
        ),
        "proposal" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg\n    p: mg optional }}\n  limit dose <= 100 mg hard\n  phase a {{ decide first {{ otherwise => give dose }}\n    proposal p {{\n"
            ),
            |i| format!("      refuse when p > {} mg because \"r{i}\"\n", i + 100),
            "      allow 1 mg..dose because \"ok\"\n    }\n  }\n}\n",
        ),
        "gives" => grow(
            size,
            &format!(
                "{HEAD}  inputs {{ dose: mg }}\n  limit dose <= 100 mg hard\n  limit daily <= 100000000 mg/day hard\n  phase a {{ decide first {{ otherwise => give dose"
            ),
            |_| " ; give 1 mg".to_string(),
            " } }\n}\n",
        ),
        other => panic!("no shape {other}"),
    }
}
