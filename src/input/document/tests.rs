//! Tests for reading patient files.

use super::*;

fn parse(text: &str, format: Format) -> Result<Node, Diagnostic> {
    let source = Source::new(format!("patient.{}", format.name()), text);
    parse_document(text, format, &source)
}

fn ok(text: &str, format: Format) -> Node {
    match parse(text, format) {
        Ok(node) => node,
        Err(diag) => panic!("{} {}: {:?}", format.name(), diag.message, diag.labels),
    }
}

/// Parses `text`, expecting an error with `code` whose labels all lie inside the text.
fn err(text: &str, format: Format, code: &str) -> Diagnostic {
    match parse(text, format) {
        Ok(node) => panic!(
            "{}: expected {code}, got {}",
            format.name(),
            node.kind.describe()
        ),
        Err(diag) => {
            assert_eq!(diag.code, code, "{}: {}", format.name(), diag.message);
            assert!(diag.is_error());
            assert!(!diag.labels.is_empty(), "no label: {}", diag.message);
            for label in &diag.labels {
                assert!(
                    label.span.start <= label.span.end && label.span.end <= text.len(),
                    "label {:?} outside the text ({} bytes)",
                    label.span,
                    text.len()
                );
            }
            assert!(diag.help.is_some(), "no help: {}", diag.message);
            assert!(diag.source.is_some(), "no source: {}", diag.message);
            diag
        }
    }
}

fn text_at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn blank(node: &Node) -> Node {
    let kind = match &node.kind {
        NodeKind::List(items) => NodeKind::List(items.iter().map(blank).collect()),
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: Span::default(),
                    value: blank(&e.value),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        kind,
        span: Span::default(),
    }
}

fn field<'a>(node: &'a Node, key: &str) -> &'a Entry {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|e| e.key == key)
            .unwrap_or_else(|| panic!("no field {key}")),
        other => panic!("not a record: {other:?}"),
    }
}

fn n(kind: NodeKind) -> Node {
    Node {
        kind,
        span: Span::default(),
    }
}

fn s(text: &str) -> Node {
    n(NodeKind::String(text.to_string()))
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    n(NodeKind::Map(
        entries
            .into_iter()
            .map(|(key, value)| Entry {
                key: key.to_string(),
                key_span: Span::default(),
                value,
            })
            .collect(),
    ))
}

const PATIENT_JSON: &str = r#"{"phase":"titrate","age":"45 years","dose":"10 mg","doses_per_day":3,"start_date":"2026-12-01","test_doses":[{"dose":"50 mcg","response":"negative"}]}"#;

const PATIENT_YAML: &str = "\
phase: titrate
age: 45 years
dose: 10 mg
doses_per_day: 3
start_date: 2026-12-01
test_doses:
  - dose: 50 mcg
    response: negative
";

const PATIENT_TOML: &str = r#"
phase = "titrate"
age = "45 years"
dose = "10 mg"
doses_per_day = 3
start_date = 2026-12-01

[[test_doses]]
dose = "50 mcg"
response = "negative"
"#;

fn expected_patient() -> Node {
    map(vec![
        ("phase", s("titrate")),
        ("age", s("45 years")),
        ("dose", s("10 mg")),
        ("doses_per_day", n(NodeKind::Number("3".into()))),
        ("start_date", s("2026-12-01")),
        (
            "test_doses",
            n(NodeKind::List(vec![map(vec![
                ("dose", s("50 mcg")),
                ("response", s("negative")),
            ])])),
        ),
    ])
}

#[test]
fn the_three_formats_give_the_same_tree() {
    let expected = expected_patient();
    assert_eq!(blank(&ok(PATIENT_JSON, Format::Json)), expected);
    assert_eq!(blank(&ok(PATIENT_YAML, Format::Yaml)), expected);
    assert_eq!(blank(&ok(PATIENT_TOML, Format::Toml)), expected);
}

#[test]
fn spans_cover_values_and_keys_as_written() {
    // JSON: quotes included.
    let json = ok(PATIENT_JSON, Format::Json);
    let dose = field(&json, "dose");
    assert_eq!(text_at(PATIENT_JSON, dose.value.span), "\"10 mg\"");
    assert_eq!(text_at(PATIENT_JSON, dose.key_span), "\"dose\"");
    assert_eq!(
        text_at(PATIENT_JSON, field(&json, "doses_per_day").value.span),
        "3"
    );
    assert_eq!(text_at(PATIENT_JSON, json.span), PATIENT_JSON);
    let tests = &field(&json, "test_doses").value;
    assert_eq!(
        text_at(PATIENT_JSON, tests.span),
        r#"[{"dose":"50 mcg","response":"negative"}]"#
    );

    // YAML: a plain scalar has no quotes; a block record spans its entries.
    let yaml = ok(PATIENT_YAML, Format::Yaml);
    let dose = field(&yaml, "dose");
    assert_eq!(text_at(PATIENT_YAML, dose.value.span), "10 mg");
    assert_eq!(text_at(PATIENT_YAML, dose.key_span), "dose");
    assert_eq!(
        text_at(PATIENT_YAML, field(&yaml, "start_date").value.span),
        "2026-12-01"
    );
    let tests = &field(&yaml, "test_doses").value;
    assert_eq!(
        text_at(PATIENT_YAML, tests.span),
        "- dose: 50 mcg\n    response: negative"
    );
    assert_eq!(text_at(PATIENT_YAML, yaml.span), PATIENT_YAML.trim_end());

    // TOML: quotes included; [[tables]] span their header.
    let toml = ok(PATIENT_TOML, Format::Toml);
    let dose = field(&toml, "dose");
    assert_eq!(text_at(PATIENT_TOML, dose.value.span), "\"10 mg\"");
    assert_eq!(text_at(PATIENT_TOML, dose.key_span), "dose");
    assert_eq!(
        text_at(PATIENT_TOML, field(&toml, "start_date").value.span),
        "2026-12-01"
    );
    let NodeKind::List(items) = &field(&toml, "test_doses").value.kind else {
        panic!("not a list")
    };
    assert_eq!(text_at(PATIENT_TOML, items[0].span), "[[test_doses]]");
    assert_eq!(text_at(PATIENT_TOML, toml.span), PATIENT_TOML.trim());
}

#[test]
fn quoted_and_flow_yaml_spans() {
    let text = "a: \"x y\"\nb: 'z'\nc: [1, {d: e}]\nf: |\n  line one\n  line two\n\ng: ~\nh:\n";
    let doc = ok(text, Format::Yaml);
    assert_eq!(text_at(text, field(&doc, "a").value.span), "\"x y\"");
    assert_eq!(text_at(text, field(&doc, "b").value.span), "'z'");
    assert_eq!(text_at(text, field(&doc, "c").value.span), "[1, {d: e}]");
    let f = &field(&doc, "f").value;
    assert_eq!(f.kind, NodeKind::String("line one\nline two\n".into()));
    assert_eq!(text_at(text, f.span), "line one\n  line two");
    assert_eq!(field(&doc, "g").value.kind, NodeKind::Null);
    let h = &field(&doc, "h").value;
    assert_eq!(h.kind, NodeKind::Null);
    assert!(h.span.is_empty() && h.span.end <= text.len());
}

#[test]
fn spans_are_bytes_after_multibyte_text() {
    let yaml = "name: é\nnote: \"ça\"\ndose: 10 mg\n";
    let doc = ok(yaml, Format::Yaml);
    assert_eq!(text_at(yaml, field(&doc, "dose").value.span), "10 mg");
    assert_eq!(text_at(yaml, field(&doc, "dose").key_span), "dose");
    assert_eq!(text_at(yaml, field(&doc, "note").value.span), "\"ça\"");
    assert_eq!(text_at(yaml, field(&doc, "name").value.span), "é");

    // Windows line endings.
    let crlf = "name: é\r\nnote: |\r\n  ça\r\ndose: 10 mg\r\n";
    let doc = ok(crlf, Format::Yaml);
    assert_eq!(text_at(crlf, field(&doc, "dose").value.span), "10 mg");
    assert_eq!(text_at(crlf, field(&doc, "note").value.span), "ça");

    // Past the checkpoint stride of the character-to-byte table.
    let long = format!("name: {}\ndose: 10 mg\n", "é".repeat(300));
    let doc = ok(&long, Format::Yaml);
    assert_eq!(text_at(&long, field(&doc, "dose").value.span), "10 mg");

    let json = "{\"name\": \"é\", \"dose\": \"10 mg\"}";
    let doc = ok(json, Format::Json);
    assert_eq!(text_at(json, field(&doc, "dose").value.span), "\"10 mg\"");

    let toml = "name = \"é\"\ndose = \"10 mg\"\n";
    let doc = ok(toml, Format::Toml);
    assert_eq!(text_at(toml, field(&doc, "dose").value.span), "\"10 mg\"");

    // An error after an `é` points at the right byte.
    let bad = "name: é\ndose: [1, 2\n";
    let diag = err(bad, Format::Yaml, "posology::input::syntax");
    assert!(bad.is_char_boundary(diag.labels[0].span.start));
    assert!(diag.labels[0].span.start > bad.find("dose").unwrap_or(0));
}

#[test]
fn byte_order_marks_are_ignored() {
    for (text, format) in [
        ("\u{feff}{\"dose\": \"10 mg\"}", Format::Json),
        ("\u{feff}dose: 10 mg\n", Format::Yaml),
        ("\u{feff}dose = \"10 mg\"\n", Format::Toml),
    ] {
        let doc = ok(text, format);
        let dose = &field(&doc, "dose").value;
        assert_eq!(dose.kind, NodeKind::String("10 mg".into()));
        assert!(text_at(text, dose.span).contains("10 mg"));
    }
}

#[test]
fn numbers_keep_their_text() {
    let json = r#"{"a": -0.5, "b": 1e3, "c": 0.1000000000000000055511151231257827, "d": 12345678901234567890123}"#;
    let doc = ok(json, Format::Json);
    for (key, written) in [
        ("a", "-0.5"),
        ("b", "1e3"),
        ("c", "0.1000000000000000055511151231257827"),
        ("d", "12345678901234567890123"),
    ] {
        assert_eq!(
            field(&doc, key).value.kind,
            NodeKind::Number(written.into())
        );
    }

    let toml = "a = 3\nb = 0.5\nc = 1_000\nd = -2.5e-3\ne = +7\nf = 0x1F\ng = inf\n";
    let doc = ok(toml, Format::Toml);
    for (key, written) in [
        ("a", "3"),
        ("b", "0.5"),
        ("c", "1_000"),
        ("d", "-2.5e-3"),
        ("e", "+7"),
        ("f", "0x1F"),
        ("g", "inf"),
    ] {
        assert_eq!(
            field(&doc, key).value.kind,
            NodeKind::Number(written.into())
        );
    }
}

#[test]
fn yaml_plain_scalars_follow_the_core_schema() {
    let text = "\
a: true
b: False
c: null
d: ~
e:
f: 3
g: -0.5
h: 1e3
i: .5
j: 0x1F
k: 0o17
l: .inf
m: 3 mg
n: yes
o: '3'
p: \"true\"
q: 1.2.3
r: 2026-12-01
s: +12
t: 1_000
u: .
v: 1e
";
    let doc = ok(text, Format::Yaml);
    let num = |t: &str| NodeKind::Number(t.into());
    let string = |t: &str| NodeKind::String(t.into());
    for (key, kind) in [
        ("a", NodeKind::Bool(true)),
        ("b", NodeKind::Bool(false)),
        ("c", NodeKind::Null),
        ("d", NodeKind::Null),
        ("e", NodeKind::Null),
        ("f", num("3")),
        ("g", num("-0.5")),
        ("h", num("1e3")),
        ("i", num(".5")),
        ("j", num("0x1F")),
        ("k", num("0o17")),
        ("l", num(".inf")),
        ("m", string("3 mg")),
        ("n", string("yes")),
        ("o", string("3")),
        ("p", string("true")),
        ("q", string("1.2.3")),
        ("r", string("2026-12-01")),
        ("s", num("+12")),
        ("t", string("1_000")),
        ("u", string(".")),
        ("v", string("1e")),
    ] {
        assert_eq!(field(&doc, key).value.kind, kind, "field {key}");
    }
}

#[test]
fn toml_values() {
    let text = "\
a = 1979-05-27 07:32:00Z
b = 2026-12-01
c = 07:32:00
d = 1979-05-27T00:32:00.999999
e = 'lit\\eral'
f = \"tab\\there\"
g = true
h = [1, \"x\", [2]]
i = { j = 1, k = { l = 2 } }
[m.n]
o = 1
";
    let doc = ok(text, Format::Toml);
    let string = |t: &str| NodeKind::String(t.into());
    assert_eq!(field(&doc, "a").value.kind, string("1979-05-27T07:32:00Z"));
    assert_eq!(field(&doc, "b").value.kind, string("2026-12-01"));
    assert_eq!(field(&doc, "c").value.kind, string("07:32:00"));
    assert_eq!(
        field(&doc, "d").value.kind,
        string("1979-05-27T00:32:00.999999")
    );
    assert_eq!(field(&doc, "e").value.kind, string("lit\\eral"));
    assert_eq!(field(&doc, "f").value.kind, string("tab\there"));
    assert_eq!(field(&doc, "g").value.kind, NodeKind::Bool(true));
    let h = &field(&doc, "h").value;
    assert_eq!(text_at(text, h.span), "[1, \"x\", [2]]");
    assert!(matches!(&h.kind, NodeKind::List(items) if items.len() == 3));
    let i = &field(&doc, "i").value;
    assert_eq!(text_at(text, i.span), "{ j = 1, k = { l = 2 } }");
    let l = &field(&field(i, "k").value, "l").value;
    assert_eq!(l.kind, NodeKind::Number("2".into()));
    let o = &field(&field(&field(&doc, "m").value, "n").value, "o");
    assert_eq!(text_at(text, o.key_span), "o");
    let keys: Vec<&str> = match &doc.kind {
        NodeKind::Map(entries) => entries.iter().map(|e| e.key.as_str()).collect(),
        _ => Vec::new(),
    };
    assert_eq!(keys, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "m"]);
}

#[test]
fn json_strings_are_unescaped_and_json_is_strict() {
    let text = r#"{"a": "line\nnext \"q\" \u00e9 \ud83d\ude00 \/"}"#;
    let doc = ok(text, Format::Json);
    assert_eq!(
        field(&doc, "a").value.kind,
        NodeKind::String("line\nnext \"q\" é 😀 /".into())
    );
    for bad in [
        "{\"a\": 1,}",
        "// note\n{\"a\": 1}",
        "{a: 1}",
        "{'a': 1}",
        "{\"a\": 01}",
        "{\"a\": .5}",
        "{\"a\": +1}",
        "{\"a\": NaN}",
        "{\"a\": 0x10}",
        "{\"a\": \"tab\there\"}",
        "{\"a\": \"\\x41\"}",
        "{\"a\": 1} {}",
        "{\"a\": 1 \"b\": 2}",
        "{\"a\": \"\\ud800\"}",
    ] {
        let diag = err(bad, Format::Json, "posology::input::syntax");
        assert!(
            diag.message.starts_with("this JSON is not valid: "),
            "{}",
            diag.message
        );
    }
    let diag = err("{\"a\": \"x\ty\"}", Format::Json, "posology::input::syntax");
    assert_eq!(diag.labels[0].span, Span::new(8, 9));
}

#[test]
fn syntax_errors_point_at_the_place() {
    let json = "{\n  \"dose\": \"10 mg\"\n  \"age\": 3\n}";
    let diag = err(json, Format::Json, "posology::input::syntax");
    assert!(diag.message.contains("JSON"), "{}", diag.message);
    let at = diag.labels[0].span.start;
    assert!((19..=23).contains(&at), "{at}: {}", diag.message);

    let yaml = "dose: 10 mg\nage: : 3\n";
    let diag = err(yaml, Format::Yaml, "posology::input::syntax");
    assert!(diag.message.starts_with("this YAML is not valid: "));
    assert!(diag.labels[0].span.start >= 12, "{:?}", diag.labels);

    let toml = "dose = \"10 mg\"\nage = \n";
    let diag = err(toml, Format::Toml, "posology::input::syntax");
    assert!(diag.message.starts_with("this TOML is not valid: "));
    assert_eq!(diag.labels[0].span.start, 21);

    err("a = [1,\n", Format::Toml, "posology::input::syntax");
    err("{\"a\": [1, 2", Format::Json, "posology::input::syntax");
    err("a: [1, 2\n", Format::Yaml, "posology::input::syntax");
    err("a: 1\n b: 2\n", Format::Yaml, "posology::input::syntax");
    err("a:\n\t- 1\n", Format::Yaml, "posology::input::syntax");
}

#[test]
fn yaml_keys_must_be_scalars() {
    let text = "? [a, b]\n: 1\n";
    let diag = err(text, Format::Yaml, "posology::input::syntax");
    assert_eq!(text_at(text, diag.labels[0].span), "[");
    err("{[a]: 1}\n", Format::Yaml, "posology::input::syntax");
    err("? {a: 1}\n: 1\n", Format::Yaml, "posology::input::syntax");
    // Scalar keys of any kind are names.
    let doc = ok("3: x\ntrue: y\n\"q\": z\n", Format::Yaml);
    assert_eq!(field(&doc, "3").value.kind, NodeKind::String("x".into()));
    assert_eq!(field(&doc, "true").value.kind, NodeKind::String("y".into()));
    assert_eq!(field(&doc, "q").value.kind, NodeKind::String("z".into()));
}

fn nested(open: &str, levels: usize, close: &str) -> String {
    format!("{}{}", open.repeat(levels), close.repeat(levels))
}

#[test]
fn nesting_is_limited() {
    // JSON: the top-level record plus 63 lists is 64 levels: fine; one more is not.
    let fine = format!("{{\"a\": {}}}", nested("[", MAX_DEPTH - 1, "]"));
    ok(&fine, Format::Json);
    let deep = format!("{{\"a\": {}}}", nested("[", MAX_DEPTH, "]"));
    let diag = err(&deep, Format::Json, "posology::input::too_deep");
    assert_eq!(diag.labels[0].span.start, 6 + MAX_DEPTH - 1);
    // Brackets inside texts do not count.
    let texts = format!("{{\"a\": \"{}\", \"b\": \"\\\"[[[\"}}", "[".repeat(1000));
    ok(&texts, Format::Json);

    let fine = format!("a: {}\n", nested("[", MAX_DEPTH - 1, "]"));
    ok(&fine, Format::Yaml);
    let deep = format!("a: {}\n", nested("[", MAX_DEPTH, "]"));
    err(&deep, Format::Yaml, "posology::input::too_deep");
    let deep_block = format!("a:\n{}x\n", "- ".repeat(MAX_DEPTH));
    err(&deep_block, Format::Yaml, "posology::input::too_deep");
    let fine_block = format!("a:\n{}x\n", "- ".repeat(MAX_DEPTH - 1));
    ok(&fine_block, Format::Yaml);

    let fine = format!("a = {}\n", nested("[", MAX_DEPTH - 1, "]"));
    ok(&fine, Format::Toml);
    let deep = format!("a = {}\n", nested("[", MAX_DEPTH, "]"));
    err(&deep, Format::Toml, "posology::input::too_deep");
    // `k.k = 1` is two levels: the top-level record and one table.
    let dotted = format!("{} = 1\n", vec!["k"; MAX_DEPTH + 1].join("."));
    err(&dotted, Format::Toml, "posology::input::too_deep");
    let dotted = format!("{} = 1\n", vec!["k"; MAX_DEPTH].join("."));
    ok(&dotted, Format::Toml);
}

#[test]
fn very_deep_nesting_does_not_overflow_the_stack() {
    const HUGE: usize = 100_000;
    for (text, format) in [
        ("[".repeat(HUGE), Format::Json),
        (format!("{{\"a\": {}", "[".repeat(HUGE)), Format::Json),
        ("{\"a\":".repeat(HUGE), Format::Json),
        (nested("[", HUGE, "]"), Format::Json),
        (format!("a: {}", "[".repeat(HUGE)), Format::Yaml),
        (format!("a: {}", "{b: ".repeat(HUGE)), Format::Yaml),
        (format!("a:\n{}x\n", "- ".repeat(HUGE)), Format::Yaml),
        (
            (0..2000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>(),
            Format::Yaml,
        ),
        (format!("a = {}", "[".repeat(HUGE)), Format::Toml),
        (format!("a = {}", "{b = ".repeat(HUGE)), Format::Toml),
        (format!("{} = 1", vec!["k"; HUGE].join(".")), Format::Toml),
        (format!("[{}]\n", vec!["k"; HUGE].join(".")), Format::Toml),
    ] {
        err(&text, format, "posology::input::too_deep");
    }
}

#[test]
fn duplicate_fields_are_refused_with_both_places() {
    fn check(text: &str, format: Format, first: usize, again: usize) {
        let diag = err(text, format, "posology::input::duplicate_field");
        assert!(diag.message.contains("`dose`"), "{}", diag.message);
        let spans: Vec<usize> = diag.labels.iter().map(|l| l.span.start).collect();
        assert_eq!(spans, [again, first], "{}: {text}", format.name());
    }
    let json = r#"{"dose": "10 mg", "age": 3, "dose": "20 mg"}"#;
    check(json, Format::Json, 1, 28);
    let json = r#"{"t": [{"dose": 1, "x": 2, "dose": 3}]}"#;
    check(json, Format::Json, 8, 27);
    let many: String = (0..20).map(|i| format!("\"k{i}\": {i}, ")).collect();
    let json = format!("{{{many}\"dose\": 1, \"dose\": 2}}");
    let first = json.find("\"dose\"").unwrap_or(0);
    check(&json, Format::Json, first, first + 11);

    let yaml = "dose: 10 mg\nage: 3\n\"dose\": 20 mg\n";
    check(yaml, Format::Yaml, 0, 19);
    let yaml = "t:\n  - dose: 1\n    dose: 2\n";
    check(yaml, Format::Yaml, 7, 19);

    let toml = "dose = \"10 mg\"\nage = 3\ndose = \"20 mg\"\n";
    check(toml, Format::Toml, 0, 23);
    let toml = "[p]\ndose = 1\nx = 2\ndose = 3\n";
    check(toml, Format::Toml, 4, 19);
    let toml = "[[t]]\ndose = 1\n[[t]]\ndose = 2\ndose = 3\n";
    check(toml, Format::Toml, 21, 30);
    let toml = "p.dose = 1\nq.dose = 2\np.dose = 3\n";
    check(toml, Format::Toml, 2, 24);
    let toml = "x = { dose = 1, dose = 2 }\n";
    check(toml, Format::Toml, 6, 16);
    let toml = "[dose]\na = 1\n[dose]\nb = 2\n";
    check(toml, Format::Toml, 1, 14);
    let toml = "\"dose\" = 1\ndose = 2\n";
    check(toml, Format::Toml, 0, 11);
}

#[test]
fn yaml_anchors_aliases_tags_and_documents_are_refused() {
    let code = "posology::input::unsupported";
    let text = "dose: &d 10 mg\nother: *d\n";
    let diag = err(text, Format::Yaml, code);
    assert!(text_at(text, diag.labels[0].span).starts_with("&d"));
    assert!(diag
        .help
        .as_deref()
        .unwrap_or("")
        .contains("write the value out"));
    let text = "dose: 10 mg\nother: *d\n";
    let diag = err(text, Format::Yaml, code);
    assert!(diag.message.contains("alias"), "{}", diag.message);
    // A billion-laughs document is refused at its first anchor.
    let bomb = "a: &a [\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n\
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
    err(bomb, Format::Yaml, code);
    let text = "dose: !!str 10\n";
    let diag = err(text, Format::Yaml, code);
    assert!(diag.message.contains("tag"), "{}", diag.message);
    err("dose: !custom 10\n", Format::Yaml, code);
    err("!!map\ndose: 10\n", Format::Yaml, code);
    let text = "dose: 10 mg\n---\ndose: 20 mg\n";
    let diag = err(text, Format::Yaml, code);
    assert_eq!(text_at(text, diag.labels[0].span), "---");
    // One explicit document is fine.
    ok("---\ndose: 10 mg\n...\n", Format::Yaml);
}

#[test]
fn empty_files_are_refused() {
    for (text, format) in [
        ("", Format::Json),
        (" \n\t\r\n", Format::Json),
        ("", Format::Yaml),
        ("# only a comment\n", Format::Yaml),
        ("---\n", Format::Yaml),
        ("--- # nothing\n...\n", Format::Yaml),
        ("", Format::Toml),
        ("# only a comment\n\n", Format::Toml),
        ("\u{feff}", Format::Json),
    ] {
        err(text, format, "posology::input::empty");
    }
}

#[test]
fn the_top_level_must_be_a_record() {
    let code = "posology::input::not_a_record";
    let text = "  [1, 2]  ";
    let diag = err(text, Format::Json, code);
    assert_eq!(text_at(text, diag.labels[0].span), "[1, 2]");
    assert!(diag.message.contains("a list"), "{}", diag.message);
    let diag = err("\"10 mg\"", Format::Json, code);
    assert!(diag.message.contains("a text"), "{}", diag.message);
    err("3", Format::Json, code);
    err("null", Format::Json, code);
    let text = "- a\n- b\n";
    let diag = err(text, Format::Yaml, code);
    assert_eq!(text_at(text, diag.labels[0].span), "- a\n- b");
    err("just words\n", Format::Yaml, code);
    err("~\n", Format::Yaml, code);
    ok("{}", Format::Json);
    ok("{}\n", Format::Yaml);
}

#[test]
fn formats_by_name_and_path() {
    use std::path::Path;
    assert_eq!(Format::from_path(Path::new("p.json")), Some(Format::Json));
    assert_eq!(
        Format::from_path(Path::new("dir/p.YAML")),
        Some(Format::Yaml)
    );
    assert_eq!(Format::from_path(Path::new("p.yml")), Some(Format::Yaml));
    assert_eq!(Format::from_path(Path::new("p.toml")), Some(Format::Toml));
    assert_eq!(Format::from_path(Path::new("p.txt")), None);
    assert_eq!(Format::from_path(Path::new("json")), None);
    assert_eq!(Format::from_name("yml"), Some(Format::Yaml));
    assert_eq!(Format::from_name("TOML"), Some(Format::Toml));
    assert_eq!(Format::from_name("xml"), None);
    for format in [Format::Json, Format::Yaml, Format::Toml] {
        assert_eq!(Format::from_name(format.name()), Some(format));
    }
    assert_eq!(Format::Json.name(), "JSON");
}

#[test]
fn kinds_describe_themselves() {
    assert_eq!(NodeKind::Number("1".into()).describe(), "a number");
    assert_eq!(NodeKind::String(String::new()).describe(), "a text");
    assert_eq!(NodeKind::List(Vec::new()).describe(), "a list");
    assert_eq!(NodeKind::Map(Vec::new()).describe(), "a record");
    assert_eq!(NodeKind::Bool(true).describe(), "true/false");
    assert_eq!(NodeKind::Null.describe(), "null");
}

#[test]
fn errors_render() {
    let diag = err("dose: &d 1\n", Format::Yaml, "posology::input::unsupported");
    let out = crate::diagnostics::render(&diag, crate::diagnostics::RenderStyle::Plain);
    assert!(out.contains("anchor"), "{out}");
}

/// A small deterministic generator for the garbage test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

#[test]
fn mangled_files_never_panic_and_spans_stay_inside() {
    const PIECES: [&str; 24] = [
        "[", "]", "{", "}", "\"", "'", ":", ",", "\n", " ", "-", "#", "&a", "*a", "!", "é", "\\",
        "=", "[[", "---", "|", "\t", "0", "?",
    ];
    let mut rng = Lcg(7);
    for (base, format) in [
        (PATIENT_JSON, Format::Json),
        (PATIENT_YAML, Format::Yaml),
        (PATIENT_TOML, Format::Toml),
    ] {
        for _ in 0..1500 {
            let mut text = base.to_string();
            for _ in 0..1 + rng.next(4) {
                let mut at = rng.next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.next(3) {
                    0 => text.insert_str(at, PIECES[rng.next(PIECES.len())]),
                    1 => {
                        let mut end = (at + 1 + rng.next(6)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => text.insert_str(at, &PIECES[rng.next(PIECES.len())].repeat(3)),
                }
            }
            let source = Source::new("mangled", text.as_str());
            match parse_document(&text, format, &source) {
                Ok(node) => check_spans(&node, &text),
                Err(diag) => {
                    for label in &diag.labels {
                        assert!(label.span.end <= text.len(), "{text:?}: {:?}", diag.labels);
                        assert!(label.span.start <= label.span.end);
                        assert!(text.is_char_boundary(label.span.start), "{text:?}");
                    }
                }
            }
        }
    }
}

fn check_spans(node: &Node, text: &str) {
    assert!(node.span.start <= node.span.end && node.span.end <= text.len());
    assert!(text.is_char_boundary(node.span.start) && text.is_char_boundary(node.span.end));
    match &node.kind {
        NodeKind::List(items) => items.iter().for_each(|item| check_spans(item, text)),
        NodeKind::Map(entries) => {
            for entry in entries {
                assert!(entry.key_span.end <= text.len());
                assert!(text.is_char_boundary(entry.key_span.start));
                check_spans(&entry.value, text);
            }
        }
        _ => {}
    }
}

/// The longest list accepted, and in each format a list one item longer, which is refused as
/// soon as that item is seen.
fn long_lists(items: usize) -> [(String, Format); 4] {
    [
        (
            format!(
                "{{\"items\": [{}]}}",
                vec!["{\"dose\": \"1 mg\", \"n\": 1}"; items].join(",")
            ),
            Format::Json,
        ),
        (
            format!("items:\n{}", "  - {dose: 1 mg, n: 1}\n".repeat(items)),
            Format::Yaml,
        ),
        (
            "[[items]]\ndose = \"1 mg\"\nn = 1\n".repeat(items),
            Format::Toml,
        ),
        (
            format!("items = [{}]\n", vec!["1"; items].join(", ")),
            Format::Toml,
        ),
    ]
}

#[test]
fn long_lists_parse() {
    for (text, format) in long_lists(MAX_LIST_ITEMS) {
        let doc = ok(&text, format);
        match &field(&doc, "items").value.kind {
            NodeKind::List(items) => assert_eq!(items.len(), MAX_LIST_ITEMS),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn too_long_lists_are_refused() {
    for (text, format) in long_lists(MAX_LIST_ITEMS + 1) {
        err(&text, format, "posology::input::too_many_items");
    }
    let record = format!(
        "{{{}}}",
        (0..=MAX_LIST_ITEMS)
            .map(|i| format!("\"f{i}\": 1"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    err(&record, Format::Json, "posology::input::too_many_items");
}
