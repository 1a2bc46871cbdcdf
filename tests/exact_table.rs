//! Differential test of exact arithmetic: every expression in `tests/data/exact_table.txt`
//! (random arithmetic over decimals, generated with Python's `fractions` by
//! `scripts/exact_table.py`, which documents the format) is parsed, checked and evaluated the
//! way the REPL does it, and its exact value, its display, its truth or its error code must be
//! what Python computed.

use std::path::Path;

use posology::check::{check, Program, Scope};
use posology::diagnostics::Source;
use posology::eval::Env;
use posology::syntax;
use posology::value::{Shown, Value};

const PROTOCOL: &str = "protocol exact_table {
  version \"1\"
  source  \"tests/exact_table.rs\"
  drug    \"none\"
  inputs { dose: mg }
  limit dose <= 1000 mg hard
  phase a { decide first { otherwise => give dose } }
}
";

/// What a line of the table evaluates to, in the table's own terms.
fn evaluate(line: &str, scope: &mut Scope<'_>, program: &Program) -> Vec<String> {
    let e = match syntax::parse_expr(line) {
        Ok(e) => e,
        Err(d) => return vec!["parse error".into(), d.code.to_string(), d.message],
    };
    let c = match scope.expr(&e) {
        Ok(c) => c,
        Err(diags) => return vec!["error".into(), diags[0].code.to_string()],
    };
    let inputs = vec![Value::Missing; program.inputs.len()];
    let mut env = Env::new(program, &inputs);
    match env.eval(&c) {
        Ok(Value::Bool(b)) => vec!["bool".into(), b.to_string()],
        Ok(v @ Value::Num(_)) => {
            let Value::Num(q) = &v else { unreachable!() };
            vec![
                "value".into(),
                q.value.fraction_text(),
                Shown(&v, program).to_string(),
            ]
        }
        Ok(other) => vec!["other".into(), format!("{other:?}")],
        Err(d) => vec!["error".into(), d.code.to_string()],
    }
}

#[test]
fn posology_agrees_with_python_fractions_on_every_line() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/exact_table.txt");
    let table = std::fs::read_to_string(&path).expect("tests/data/exact_table.txt");
    let source = Source::new("exact_table.dose", PROTOCOL);
    let ast = syntax::parse(PROTOCOL).expect("protocol parses");
    let (program, diags) = check(&ast, &source);
    let program = program.unwrap_or_else(|| panic!("{diags:#?}"));
    let mut scope = Scope::new(&ast, &source);
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in table.lines().enumerate() {
        let mut fields = line.split('\t');
        let expr = fields.next().unwrap_or_default();
        let expected: Vec<&str> = fields.collect();
        let got = evaluate(expr, &mut scope, &program);
        count += 1;
        if got != expected {
            failures.push(format!(
                "line {}: {expr}\n  expected {expected:?}\n  got      {got:?}",
                n + 1
            ));
        }
    }
    assert!(count >= 10_000, "only {count} lines");
    assert!(
        failures.is_empty(),
        "{} of {count} lines differ:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
