//! The formatter: for every bundled protocol and fixture, formatting is idempotent, keeps every
//! comment and never changes meaning; for generated protocols, `parse(format(p)) == p`.

use posology::format::{format, format_protocol};
use posology::syntax::ast::*;
use posology::syntax::parse;
use proptest::prelude::*;

/// The tree's debug text with every span blanked: two trees that differ only in where things
/// are written compare equal.
fn shape(p: &Protocol) -> String {
    let debug = format!("{p:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        out.push('S');
        rest = &after[end..];
    }
    out.push_str(rest);
    safe_units(&out)
}

/// The tree's text with `µg` and `ug` written `mcg` in every unit: `posology fmt` rewrites
/// them (ISMP), which changes the spelling of the unit but never the unit.
fn safe_units(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    loop {
        let next = ["unit: Some((\"", "Named(\""]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| i + m.len()))
            .min();
        let Some(start) = next else {
            break;
        };
        let len = rest[start..].find('"').unwrap_or(0);
        let unit = &rest[start..start + len];
        out.push_str(&rest[..start]);
        out.push_str(
            &posology::units::safe_unit_spelling(unit).unwrap_or_else(|| unit.to_string()),
        );
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

fn files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["protocols", "tests/check", "tests/formulas"] {
        let mut found: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("directory exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "dose"))
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

#[test]
fn formatting_every_file_is_idempotent_and_keeps_meaning_and_comments() {
    let mut formatted_count = 0;
    for path in files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let Ok(original) = parse(&text) else {
            // A fixture for a syntax error: the formatter must refuse it, not guess.
            assert!(
                format(&text).is_err(),
                "{} does not parse but formats",
                path.display()
            );
            continue;
        };
        let once = format(&text).unwrap_or_else(|d| panic!("{}: {}", path.display(), d.message));
        let twice = format(&once).expect("formatted text parses");
        assert_eq!(
            once,
            twice,
            "{}: formatting twice changes the text",
            path.display()
        );
        let reparsed = parse(&once).expect("formatted text parses");
        assert_eq!(
            shape(&original),
            shape(&reparsed),
            "{}: formatting changed the meaning",
            path.display()
        );
        let comments_before = text
            .lines()
            .filter_map(|l| l.find("//").map(|i| l[i..].trim_end()))
            .filter(|c| !c.contains('"'))
            .count();
        let comments_after = once
            .lines()
            .filter_map(|l| l.find("//").map(|i| l[i..].trim_end()))
            .filter(|c| !c.contains('"'))
            .count();
        assert_eq!(
            comments_before,
            comments_after,
            "{}: a comment was lost",
            path.display()
        );
        formatted_count += 1;
    }
    assert!(formatted_count >= 2, "no protocol was formatted");
}

#[test]
fn bundled_protocols_are_formatted() {
    for path in files().into_iter().filter(|p| {
        p.starts_with(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols"))
    }) {
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(
            format(&text).expect("formats"),
            text,
            "{} is not formatted: run `posology fmt`",
            path.display()
        );
    }
}

// ------------------------------------------------------------------ generated protocols

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: Default::default(),
    }
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Default::default(),
    }
}

fn text(s: &str) -> Text {
    Text {
        value: s.to_string(),
        span: Default::default(),
    }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("dose"),
        Just("age"),
        Just("daily_dose"),
        Just("test_doses"),
        Just("x1"),
        Just("first_value"),
        // Names that begin with a word of the language, or end in a digit.
        Just("indication"),
        Just("every_dose"),
        Just("inr"),
        Just("dose_1")
    ]
    .prop_map(String::from)
}

fn quantity() -> impl Strategy<Value = Expr> {
    let units = prop_oneof![
        Just(None),
        Just(Some("mg")),
        Just(Some("mcg/day")),
        Just(Some("mL")),
        Just(Some("h")),
        Just(Some("%")),
        Just(Some("days"))
    ];
    (0u32..100_000, 0u32..4, units).prop_map(|(mantissa, scale, unit)| {
        e(ExprKind::Quantity {
            // Normalised: protocols refuse trailing zeros (`5.0 mg`), as safe notation asks.
            value: rust_decimal::Decimal::new(i64::from(mantissa), scale).normalize(),
            unit: unit.map(|u| (u.to_string(), Default::default())),
        })
    })
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        quantity(),
        name().prop_map(|n| e(ExprKind::Name(n))),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        "[a-z \"\\\\]{0,8}".prop_map(|t| e(ExprKind::Text(t))),
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    prop_oneof![
        Just(BinaryOp::Or),
        Just(BinaryOp::And),
        Just(BinaryOp::Eq),
        Just(BinaryOp::Ne),
        Just(BinaryOp::Lt),
        Just(BinaryOp::Le),
        Just(BinaryOp::Gt),
        Just(BinaryOp::Ge),
        Just(BinaryOp::In),
        Just(BinaryOp::Range),
        Just(BinaryOp::Add),
        Just(BinaryOp::Sub),
        Just(BinaryOp::Mul),
        Just(BinaryOp::Div),
        Just(BinaryOp::Pow),
    ]
}

fn expression() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        let round_mode = prop_oneof![
            Just(RoundMode::Nearest),
            Just(RoundMode::Up),
            Just(RoundMode::Down)
        ];
        let test = prop_oneof![
            Just(IsTest::Missing),
            Just(IsTest::NotMissing),
            Just(IsTest::Empty),
            Just(IsTest::NotEmpty)
        ];
        prop_oneof![
            (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, a, b)| e(ExprKind::Binary(
                op,
                Box::new(a),
                Box::new(b)
            ))),
            inner
                .clone()
                .prop_map(|a| e(ExprKind::Unary(UnaryOp::Neg, Box::new(a)))),
            inner
                .clone()
                .prop_map(|a| e(ExprKind::Unary(UnaryOp::Not, Box::new(a)))),
            // A field of a record value: the base is a name or a call, never a number.
            (name(), name())
                .prop_map(|(a, f)| e(ExprKind::Field(Box::new(e(ExprKind::Name(a))), ident(&f)))),
            (name(), inner.clone()).prop_map(|(r, x)| {
                let call = e(ExprKind::Call(ident("last"), vec![x]));
                e(ExprKind::Field(Box::new(call), ident(&r)))
            }),
            (inner.clone(), test).prop_map(|(a, t)| e(ExprKind::Is(Box::new(a), t))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| e(ExprKind::If(
                Box::new(c),
                Box::new(a),
                Box::new(b)
            ))),
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|items| e(ExprKind::List(items))),
            (
                prop_oneof![Just("min"), Just("max"), Just("last")],
                proptest::collection::vec(inner.clone(), 1..3)
            )
                .prop_map(|(f, args)| e(ExprKind::Call(ident(f), args))),
            // `value(x in UNIT)`, held as the call `value(x, 1 UNIT)`.
            (
                inner.clone(),
                prop_oneof![Just("mg/dL"), Just("kg"), Just("m^2"), Just("%")]
            )
                .prop_map(|(x, unit)| {
                    let one = e(ExprKind::Quantity {
                        value: rust_decimal::Decimal::ONE,
                        unit: Some((unit.to_string(), Default::default())),
                    });
                    e(ExprKind::Call(ident("value"), vec![x, one]))
                }),
            (inner.clone(), round_mode.clone(), quantity())
                .prop_map(|(a, m, s)| e(ExprKind::Round(Box::new(a), m, Box::new(s)))),
            // `x round down to nearest of [30 mg, 40 mg]`, or of a named list.
            (
                inner.clone(),
                round_mode,
                prop_oneof![
                    proptest::collection::vec(quantity(), 0..3)
                        .prop_map(|items| e(ExprKind::List(items))),
                    name().prop_map(|n| e(ExprKind::Name(n))),
                ]
            )
                .prop_map(|(a, m, l)| e(ExprKind::RoundOf(
                    Box::new(a),
                    m,
                    Box::new(l)
                ))),
            // `strengths[1]`, `[a, b][i]`, `(x + y)[2]`.
            (inner.clone(), inner.clone())
                .prop_map(|(l, i)| e(ExprKind::Index(Box::new(l), Box::new(i)))),
        ]
    })
}

/// A `table` item (as the `let` it defines): bands of every shape, blank cells, `otherwise`.
fn table(index: usize) -> impl Strategy<Value = Let> {
    let bound =
        || (expression(), any::<bool>()).prop_map(|(value, closed)| Bound { value, closed });
    let band = prop_oneof![
        (bound(), proptest::option::of(bound())).prop_map(|(l, u)| Band {
            lower: Some(l),
            upper: u,
            exact: false,
            span: Default::default(),
        }),
        bound().prop_map(|u| Band {
            lower: None,
            upper: Some(u),
            exact: false,
            span: Default::default(),
        }),
        expression().prop_map(|v| {
            let b = Bound {
                value: v,
                closed: true,
            };
            Band {
                lower: Some(b.clone()),
                upper: Some(b),
                exact: true,
                span: Default::default(),
            }
        }),
    ];
    let cells = || proptest::collection::vec(proptest::option::of(expression()), 1..3);
    let row = (band, cells(), any::<bool>()).prop_map(|(band, cells, cited)| TableRow {
        band: Some(band),
        source: cited.then(|| text("LABEL 2.3")),
        cells,
        span: Default::default(),
    });
    let otherwise = proptest::option::of(cells()).prop_map(|c| {
        c.map(|cells| TableRow {
            band: None,
            source: None,
            cells,
            span: Default::default(),
        })
    });
    (
        expression(),
        proptest::collection::vec(name(), 1..3),
        proptest::collection::vec(row, 0..3),
        otherwise,
    )
        .prop_map(move |(key, columns, mut rows, last)| {
            rows.extend(last);
            let name = ident(&format!("table{index}"));
            let table = Table {
                name: name.clone(),
                key,
                columns: columns.iter().map(|c| ident(c)).collect(),
                rows,
                span: Default::default(),
            };
            Let {
                name,
                ty: None,
                expr: e(ExprKind::Table(Box::new(table))),
                span: Default::default(),
            }
        })
}

fn action() -> impl Strategy<Value = Action> {
    let kind = prop_oneof![
        (
            expression(),
            prop_oneof![
                Just(None),
                Just(Some("bolus")),
                Just(Some("infusion")),
                Just(Some("tablet"))
            ],
            proptest::option::of(frequency())
        )
            .prop_map(|(amount, form, frequency)| {
                ActionKind::Give(Give {
                    amount,
                    form: form.map(ident),
                    route: None,
                    frequency,
                    over: None,
                    duration: None,
                })
            }),
        "[a-z ]{1,12}".prop_map(|t| ActionKind::Stop(text(&t))),
        ("[a-z ]{1,12}", any::<bool>(), code()).prop_map(|(t, critical, code)| ActionKind::Warn {
            critical,
            code: Some(ident(&code)),
            text: text(&t)
        }),
        expression().prop_map(ActionKind::Wait),
        expression().prop_map(ActionKind::Observe),
        give_in_full(),
        schedule(),
        stepped(),
        choose(),
        "[a-z ]{1,12}".prop_map(|t| ActionKind::Hold(text(&t))),
        "[a-z ]{1,12}".prop_map(|t| ActionKind::Refuse(text(&t))),
        (proptest::option::of(code()), "[a-z ]{1,12}").prop_map(|(code, t)| ActionKind::Note {
            code: code.map(|c| ident(&c)),
            text: text(&t)
        }),
        name().prop_map(|p| ActionKind::Goto(ident(&p))),
        (name(), proptest::option::of(expression()))
            .prop_map(|(p, after)| ActionKind::Next(ident(&p), after)),
        proptest::collection::vec(name(), 1..3)
            .prop_map(|names| ActionKind::Show(names.iter().map(|n| ident(n)).collect())),
    ];
    kind.prop_map(|kind| Action {
        kind,
        span: Default::default(),
    })
}

/// A message code or rule name: a name, or a keyword (a `:` follows it).
fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        name(),
        proptest::sample::select(posology::syntax::KEYWORDS).prop_map(String::from)
    ]
}

/// A `give` with every part: route, `over` and `for` too.
fn give_in_full() -> impl Strategy<Value = ActionKind> {
    (
        expression(),
        proptest::option::of(frequency()),
        proptest::option::of(expression()),
        proptest::option::of(expression()),
    )
        .prop_map(|(amount, frequency, over, duration)| {
            ActionKind::Give(Give {
                amount,
                form: Some(ident("solution")),
                route: Some(ident("oral")),
                frequency,
                over,
                duration,
            })
        })
}

fn schedule() -> impl Strategy<Value = ActionKind> {
    (
        (
            expression(),
            proptest::option::of(frequency()),
            any::<bool>(),
        ),
        (expression(), expression()),
        (
            proptest::option::of(expression()),
            proptest::option::of(expression()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((from, frequency, increase), (step, every), (until, starting, then_stop))| {
                ActionKind::Schedule(Schedule {
                    from,
                    frequency,
                    increase,
                    step,
                    every,
                    until,
                    starting,
                    then_stop,
                })
            },
        )
}

/// `schedule D [freq] [for T], then … [starting DATE] [, then stop]`: every step but the last
/// has its `for`.
fn stepped() -> impl Strategy<Value = ActionKind> {
    (
        proptest::collection::vec(
            (
                expression(),
                proptest::option::of(frequency()),
                expression(),
            ),
            0..3,
        ),
        (expression(), proptest::option::of(frequency())),
        proptest::option::of(expression()),
        proptest::option::of(expression()),
        any::<bool>(),
    )
        .prop_map(|(before, (last, last_freq), last_for, starting, stop)| {
            let mut steps: Vec<SteppedStep> = before
                .into_iter()
                .map(|(amount, frequency, d)| SteppedStep {
                    amount,
                    frequency,
                    duration: Some(d),
                    span: Default::default(),
                })
                .collect();
            steps.push(SteppedStep {
                amount: last,
                frequency: last_freq,
                duration: last_for,
                span: Default::default(),
            });
            ActionKind::Stepped(Stepped {
                steps,
                starting,
                then_stop: stop.then(Default::default),
            })
        })
}

/// `choose { a: give …; b: give … }`.
fn choose() -> impl Strategy<Value = ActionKind> {
    proptest::collection::vec(
        (name(), expression(), proptest::option::of(frequency())),
        1..3,
    )
    .prop_map(|alts| {
        ActionKind::Choose(
            alts.into_iter()
                .map(|(n, amount, frequency)| Alternative {
                    name: ident(&n),
                    give: Give {
                        amount,
                        form: None,
                        route: Some(ident("oral")),
                        frequency,
                        over: None,
                        duration: None,
                    },
                    span: Default::default(),
                })
                .collect(),
        )
    })
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        proptest::option::of(expression()),
        proptest::collection::vec(action(), 1..3),
        proptest::option::of(code()),
    )
        .prop_map(|(when, actions, named)| Rule {
            name: named.map(|n| ident(&n)),
            when,
            always: false,
            head_span: Default::default(),
            source: Some(text("LABEL 2.1")),
            actions,
            span: Default::default(),
        })
}

fn frequency() -> impl Strategy<Value = Frequency> {
    let one = e(ExprKind::Quantity {
        value: rust_decimal::Decimal::ONE,
        unit: None,
    });
    prop_oneof![
        // `once daily`
        Just(FrequencyKind::TimesDaily(one)),
        expression().prop_map(FrequencyKind::TimesDaily),
        expression().prop_map(FrequencyKind::Every),
    ]
    .prop_map(|kind| Frequency {
        kind,
        span: Default::default(),
    })
}

/// Every kind of `expect` line, with the optional parts of each.
fn expectation() -> impl Strategy<Value = Expect> {
    let word = |words: &'static [&'static str]| proptest::sample::select(words).prop_map(ident);
    let give = (
        expression(),
        prop_oneof![
            Just(None),
            Just(Some("bolus")),
            Just(Some("infusion")),
            Just(Some("tablet"))
        ],
        any::<bool>(),
        proptest::option::of(frequency()),
        any::<bool>(),
    )
        .prop_map(|(amount, form, route, frequency, among)| {
            ExpectKind::Give(ExpectGive {
                amount,
                form: form.map(ident),
                route: route.then(|| ident("intrathecal")),
                frequency,
                among,
            })
        });
    let kind = prop_oneof![
        word(&["give", "refused"]).prop_map(ExpectKind::Status),
        give,
        expression().prop_map(ExpectKind::Daily),
        // Written-out doses, each with its frequency or not.
        proptest::collection::vec((quantity(), proptest::option::of(frequency())), 0..3).prop_map(
            |items| ExpectKind::Schedule(
                items
                    .into_iter()
                    .map(|(amount, frequency)| ExpectStep {
                        amount,
                        frequency,
                        span: Default::default(),
                    })
                    .collect()
            )
        ),
        ("[a-z ]{1,12}", any::<bool>()).prop_map(|(t, critical)| ExpectKind::Warn {
            critical,
            text: text(&t)
        }),
        "[a-z ]{1,12}".prop_map(|t| ExpectKind::Note(text(&t))),
        proptest::option::of("[a-z ]{1,12}").prop_map(|t| ExpectKind::Stop(t.map(|t| text(&t)))),
        (
            proptest::option::of(name()),
            word(&["allowed", "refused"]),
            proptest::option::of(expression())
        )
            .prop_map(|(input, w, range)| ExpectKind::Proposal(
                input.map(|i| ident(&i)),
                w,
                range
            )),
        (
            name(),
            proptest::option::of((expression(), proptest::option::of(frequency())))
        )
            .prop_map(|(n, give)| ExpectKind::Alternative(
                ident(&n),
                give.map(|(amount, frequency)| ExpectGive {
                    amount,
                    form: None,
                    route: None,
                    frequency,
                    among: false,
                })
            )),
        word(&["titrate"]).prop_map(ExpectKind::Phase),
        expression().prop_map(ExpectKind::GivenThat),
        expression().prop_map(ExpectKind::That),
        (
            word(&["refuses", "allows"]),
            expression(),
            proptest::option::of(frequency())
        )
            .prop_map(|(w, dose, f)| ExpectKind::Limit(w, dose, f)),
        proptest::option::of("[a-z ]{1,12}")
            .prop_map(|t| ExpectKind::Rejected(t.map(|t| text(&t)))),
    ];
    kind.prop_map(|kind| Expect {
        kind,
        span: Default::default(),
    })
}

fn example() -> impl Strategy<Value = Example> {
    (quantity(), proptest::collection::vec(expectation(), 0..4)).prop_map(|(dose, expects)| {
        Example {
            name: text("generated"),
            given: Value {
                kind: ValueKind::Record(vec![(
                    ident("dose"),
                    Value {
                        kind: ValueKind::Expr(dose),
                        span: Default::default(),
                    },
                )]),
                span: Default::default(),
            },
            expects,
            span: Default::default(),
        }
    })
}

fn require() -> impl Strategy<Value = Require> {
    (expression(), any::<bool>()).prop_map(|(condition, cited)| Require {
        condition,
        because: text("a reason"),
        source: cited.then(|| text("LABEL 2")),
        span: Default::default(),
    })
}

/// A phase with `let`s, a decision and a proposal with each kind of rule.
fn phase() -> impl Strategy<Value = Phase> {
    let proposal_rule = (
        proptest::option::of(expression()),
        proptest::option::of(expression()),
        any::<bool>(),
    )
        .prop_map(|(allow, when, cited)| ProposalRule {
            kind: allow.map_or(ProposalRuleKind::Refuse, ProposalRuleKind::Allow),
            // A refusal always has its condition.
            when: when.or_else(|| Some(e(ExprKind::Bool(true)))),
            because: text("a reason"),
            source: cited.then(|| text("LABEL 2")),
            span: Default::default(),
        });
    (
        name(),
        proptest::collection::vec(expression(), 0..2),
        proptest::collection::vec(rule(), 1..3),
        proptest::option::of(frequency()),
        proptest::collection::vec(proposal_rule, 0..3),
    )
        .prop_map(|(n, lets, rules, frequency, proposal_rules)| Phase {
            name: ident(&n),
            lets: lets
                .into_iter()
                .enumerate()
                .map(|(i, expr)| Let {
                    name: ident(&format!("local{i}")),
                    ty: Some(TypeExpr {
                        kind: TypeExprKind::Named("mg".into()),
                        span: Default::default(),
                    }),
                    expr,
                    span: Default::default(),
                })
                .collect(),
            decides: vec![Decide {
                policy: HitPolicy::Collect,
                rules,
                span: Default::default(),
            }],
            proposals: vec![Proposal {
                input: ident(&n),
                frequency,
                rules: proposal_rules,
                span: Default::default(),
            }],
            span: Default::default(),
        })
}

/// An optional input of a type, with no range or default.
fn declared(name: &str, kind: TypeExprKind) -> InputDecl {
    InputDecl {
        name: ident(name),
        ty: TypeExpr {
            kind,
            span: Default::default(),
        },
        optional: Some(Default::default()),
        default: None,
        range: None,
        convert: Vec::new(),
        span: Default::default(),
    }
}

/// An input: a choice of one value or more, a count with a range and a default, a record with
/// a choice of one value in it, a list.
fn input() -> impl Strategy<Value = InputDecl> {
    let choice =
        |values: Vec<String>| TypeExprKind::Enum(values.iter().map(|v| ident(v)).collect());
    let ty = |kind| TypeExpr {
        kind,
        span: Default::default(),
    };
    prop_oneof![
        (name(), proptest::collection::vec(name(), 1..3))
            .prop_map(move |(n, values)| declared(&n, choice(values))),
        (name(), expression(), quantity()).prop_map(|(n, range, default)| InputDecl {
            optional: None,
            range: Some(range),
            default: Some(Value {
                kind: ValueKind::Expr(default),
                span: Default::default(),
            }),
            ..declared(&n, TypeExprKind::Named("count".into()))
        }),
        (name(), name()).prop_map(move |(n, v)| {
            let field = declared("kind", choice(vec![v]));
            let record = TypeExprKind::Record(vec![
                field,
                declared("amount", TypeExprKind::Named("mg".into())),
            ]);
            declared(&n, TypeExprKind::List(Box::new(ty(record))))
        }),
    ]
}

fn protocol() -> impl Strategy<Value = Protocol> {
    (
        proptest::collection::vec(expression(), 0..3),
        proptest::collection::vec(rule(), 1..4),
        proptest::collection::vec((expression(), proptest::option::of(expression())), 0..2),
        proptest::collection::vec(example(), 0..2),
        proptest::collection::vec(input(), 0..4),
        (
            proptest::collection::vec(require(), 0..2),
            proptest::collection::vec(phase(), 0..2),
            proptest::option::of(table(0)),
            prop_oneof![
                Just(HitPolicy::First),
                Just(HitPolicy::Unique),
                Just(HitPolicy::Any)
            ],
        ),
    )
        .prop_map(
            |(lets, rules, limits, examples, more, (requires, phases, table, policy))| Protocol {
                name: ident("generated"),
                headers: vec![Header {
                    key: HeaderKey::Version,
                    key_span: Default::default(),
                    value: text("1.0.0"),
                }],
                inputs: std::iter::once(declared("dose", TypeExprKind::Named("mg".into())))
                    .chain(more)
                    .collect(),
                lets: lets
                    .into_iter()
                    .enumerate()
                    .map(|(i, expr)| Let {
                        name: ident(&format!("value{i}")),
                        ty: None,
                        expr,
                        span: Default::default(),
                    })
                    .chain(table)
                    .collect(),
                limits: limits
                    .into_iter()
                    .map(|(value, when)| Limit {
                        target: ident("daily"),
                        op: CmpOp::Le,
                        value,
                        hard: true,
                        when,
                        because: Some(text("why")),
                        source: Some(text("LABEL 4.3")),
                        span: Default::default(),
                    })
                    .collect(),
                requires,
                begin: None,
                decides: vec![Decide {
                    policy,
                    rules,
                    span: Default::default(),
                }],
                phases,
                examples,
                span: Default::default(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn generated_protocols_survive_format_then_parse(p in protocol()) {
        let text = format_protocol(&p);
        let parsed = parse(&text).map_err(|d| TestCaseError::fail(format!("{}\n{text}", d.message)))?;
        prop_assert_eq!(shape(&p), shape(&parsed), "{}", text);
        prop_assert_eq!(format(&text).expect("formats"), text);
    }
}

/// Every frequency as a decision prints it (`once daily`, `2 times daily`, `every 12 h`) is read
/// back wherever the language takes a frequency: a `give`, both kinds of schedule, a proposal,
/// an alternative, and the `expect give`, `expect schedule`, `expect alternative` and `expect
/// limit` lines an example pins it with. The text is then formatted and read again unchanged.
#[test]
fn every_printed_frequency_is_read_back_wherever_a_frequency_is_written() {
    use posology::eval::FrequencyOut;
    use posology::units::{Quantity, Rational, Unit};
    let count = |n: i64| Quantity::number(Rational::from(n));
    let twelve_h = Quantity::new(Rational::from(12), Unit::parse("h").expect("a unit"));
    let printed = [
        FrequencyOut::times_daily(count(1)).text,
        FrequencyOut::times_daily(count(2)).text,
        FrequencyOut::times_daily(count(3)).text,
        FrequencyOut::every(twelve_h).text,
    ];
    assert_eq!(printed[0], "once daily");
    for f in printed {
        let text = format!(
            "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ p: | a\n x: mg optional }}\n \
             begin at p\n limit dose <= 20 mg hard\n limit daily <= 80 mg/day hard\n phase a {{\n \
             decide collect {{\n g: always => give 5 mg {f}\n s: always => schedule from 5 mg {f} \
             increase by 5 mg every 3 days until 10 mg\n t: always => schedule 5 mg {f} for 1 day, \
             then 10 mg {f}\n c: always => choose {{ one: give 5 mg {f} ; two: give 10 mg {f} }}\n \
             }}\n proposal x {f} {{ allow 5 mg..10 mg because \"r\" }}\n }}\n example \"e\" {{\n \
             given {{ p: a }}\n expect give 5 mg {f}\n expect schedule [5 mg {f}, 10 mg {f}]\n \
             expect alternative one give 5 mg {f}\n expect limit allows 5 mg {f}\n }}\n}}\n"
        );
        let first = parse(&text).unwrap_or_else(|d| panic!("{f}: {d:?}\n{text}"));
        let formatted = format_protocol(&first);
        let again = parse(&formatted).unwrap_or_else(|d| panic!("{f}: {d:?}\n{formatted}"));
        assert_eq!(shape(&first), shape(&again), "{f}");
        let (checked, diags) = posology::Protocol::check("t.dose", &text);
        assert!(checked.is_some(), "{f}: {diags:?}");
    }
}
