//! Benchmarks at the limits: parse + check of a protocol of the largest size accepted (1 MiB)
//! in each shape (`tests/shapes`), evaluations that run to the work budget, and the REPL fed
//! thousands of lines. `cargo bench --bench scale`; a shape alone: `cargo bench --bench scale
//! -- choices`. Each should take well under a second.

#[path = "../tests/shapes/mod.rs"]
mod shapes;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use posology::check::parse_and_check;
use posology::diagnostics::{RenderStyle, Source};
use posology::eval::Options;
use posology::input::Format;
use posology::repl::Session;
use posology::syntax::MAX_PROTOCOL_BYTES;
use posology::Protocol;

/// Few samples: one iteration takes a good part of a second.
fn slow(c: &mut Criterion) -> criterion::BenchmarkGroup<'_, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group("scale");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group
}

fn check_largest_protocols(c: &mut Criterion) {
    let mut group = slow(c);
    for shape in shapes::SHAPES {
        let text = shapes::protocol(shape, MAX_PROTOCOL_BYTES);
        let source = Source::new(format!("{shape}.dose"), text.as_str());
        group.bench_function(format!("check 1 MiB {shape}"), |b| {
            b.iter(|| {
                let (program, _) = parse_and_check(std::hint::black_box(&text), &source);
                assert!(program.is_some(), "{shape} does not check");
            })
        });
    }
    group.finish();
}

/// Evaluations that stop at the work budget: each one's time is what the budget allows.
fn evaluate_at_the_budget(c: &mut Criterion) {
    let records = |n: usize, value: &dyn Fn(usize) -> String| {
        let items: Vec<String> = (0..n)
            .map(|i| format!("{{\"dose\": \"{}\"}}", value(i)))
            .collect();
        format!("{{\"xs\": [{}]}}", items.join(", "))
    };
    let list_protocol = |condition: &str| {
        format!(
            "protocol p {{\n  version \"1\"\n  source \"x\"\n  inputs {{ xs: list of {{ dose: mg }} }}\n  \
             limit dose <= 100 mg hard\n  decide first {{\n    big: when {condition} => give 1 mg\n    \
             otherwise => give 2 mg\n  }}\n}}\n"
        )
    };
    // A list walked once for each of its items.
    let nested = (
        "nested all/count over 3,000 items",
        list_protocol("all(xs, count(xs, dose > 1 mg) > 0)"),
        records(3000, &|i| format!("{} mg", i % 50)),
    );
    // Sums of 28-digit decimals: arithmetic past the fast path.
    let digits = |i: usize| {
        format!(
            "{}.{:027} mg",
            i % 10,
            123_456_789_012_345_678_901_234_567u128 + i as u128
        )
    };
    let big_numbers = (
        "sums of 28-digit doses",
        list_protocol("all(xs, sum(xs.dose) / 7 > 1 mg)"),
        records(10_000, &digits),
    );
    // 2,000 doses against 2,000 limits, each broken.
    let limits: String = (0..2000)
        .map(|i| format!("  limit dose <= {} mg hard because \"r{i}\"\n", i + 1))
        .collect();
    let gate = (
        "2,000 doses against 2,000 limits",
        format!(
            "protocol gate {{\n  version \"1\"\n  source \"x\"\n  inputs {{ d: mg }}\n{limits}  \
             limit daily <= 1000000 g/day hard\n  decide first {{ otherwise => give d{} }}\n}}\n",
            " ; give d".repeat(2000)
        ),
        r#"{"d": "6000 mg"}"#.to_string(),
    );
    // Messages that write out a list of 10,000 records, 3,000 times.
    let notes: String = (0..3000)
        .map(|i| format!(" ; note m{i}: \"{{xs}}\""))
        .collect();
    let messages = (
        "3,000 messages showing 10,000 records",
        format!(
            "protocol m {{\n  version \"1\"\n  source \"x\"\n  inputs {{ xs: list of {{ dose: mg }} }}\n  \
             limit dose <= 100 mg hard\n  decide first {{ otherwise => give 1 mg{notes} }}\n}}\n"
        ),
        records(10_000, &|i| format!("{} mg", i % 50)),
    );
    let mut group = slow(c);
    for (name, protocol, patient) in [nested, big_numbers, gate, messages] {
        let protocol = Protocol::load("bench.dose", &protocol).expect("checks");
        let patient = protocol
            .read_patient("patient.json", &patient, Format::Json, &[])
            .expect("patient reads");
        group.bench_function(format!("evaluate to the budget: {name}"), |b| {
            b.iter(|| {
                let d = protocol
                    .evaluate(std::hint::black_box(&patient), Options { trace: true })
                    .expect_err("over the budget");
                assert_eq!(d.code, "posology::eval::work_budget");
            })
        });
    }
    group.finish();
}

/// The REPL fed many lines: `+=` up to the list limit, and open brackets that never close.
fn repl_lines(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let protocol = root.join("protocols/baclofen_intrathecal.dose");
    let mut group = slow(c);
    group.bench_function("repl: 4,000 lines of +=", |b| {
        b.iter(|| {
            let mut session = Session::new(RenderStyle::Plain);
            assert!(session.load(&protocol, false).ok);
            for _ in 0..4000 {
                let reply = session.line("test_doses += { dose: 50 mcg, response: negative }");
                assert!(reply.ok);
            }
            assert!(session.line("count(test_doses)").ok);
        })
    });
    group.bench_function("repl: 100,000 lines of (", |b| {
        b.iter(|| {
            let mut session = Session::new(RenderStyle::Plain);
            for _ in 0..100_000 {
                session.line("(");
            }
            session.finish();
            assert!(session.failures() > 0);
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    check_largest_protocols,
    evaluate_at_the_budget,
    repl_lines
);
criterion_main!(benches);
