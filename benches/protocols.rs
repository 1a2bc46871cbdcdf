//! Benchmarks: parse + check of each bundled protocol, and decode + evaluate of one patient
//! against the oral protocol (the per-patient cost of a cohort run).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use posology::check::parse_and_check;
use posology::diagnostics::Source;
use posology::eval::{evaluate, Options};
use posology::input::{read_patient, Format};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("bundled file")
}

fn bundled() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("protocols/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "dose"))
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    out.sort();
    out
}

fn parse_and_check_protocols(c: &mut Criterion) {
    for (name, text) in bundled() {
        let source = Source::new(name.clone(), text.as_str());
        c.bench_function(&format!("parse+check {name}"), |b| {
            b.iter(|| {
                let (program, _) = parse_and_check(std::hint::black_box(&text), &source);
                assert!(program.is_some());
            })
        });
    }
}

fn evaluate_patient(c: &mut Criterion) {
    let text = read("protocols/baclofen_oral.dose");
    let source = Source::new("baclofen_oral.dose", text.as_str());
    let program = parse_and_check(&text, &source)
        .0
        .expect("oral protocol checks");
    let patient = read("protocols/baclofen_oral/cases/titrate_step_up.json");
    let patient_source = Source::new("patient.json", patient.as_str());
    c.bench_function("decode+evaluate oral patient", |b| {
        b.iter(|| {
            let values = read_patient(
                &program,
                std::hint::black_box(&patient),
                Format::Json,
                &patient_source,
                &[],
            )
            .expect("valid");
            evaluate(&program, &values, Options::default()).expect("decides")
        })
    });
    let values =
        read_patient(&program, &patient, Format::Json, &patient_source, &[]).expect("valid");
    c.bench_function("evaluate oral patient", |b| {
        b.iter(|| {
            evaluate(&program, std::hint::black_box(&values), Options::default()).expect("decides")
        })
    });
    c.bench_function("evaluate oral patient with trace", |b| {
        b.iter(|| {
            evaluate(
                &program,
                std::hint::black_box(&values),
                Options { trace: true },
            )
            .expect("decides")
        })
    });
    let start = read("protocols/baclofen_oral/cases/discontinue_taper.json");
    let start_values =
        read_patient(&program, &start, Format::Json, &patient_source, &[]).expect("valid");
    c.bench_function("evaluate oral taper schedule", |b| {
        b.iter(|| {
            evaluate(
                &program,
                std::hint::black_box(&start_values),
                Options::default(),
            )
            .expect("decides")
        })
    });
}

criterion_group!(benches, parse_and_check_protocols, evaluate_patient);
criterion_main!(benches);
