//! Benchmarks: parse + check of each bundled protocol, and decode + evaluate of one patient
//! against the oral protocol (the per-patient cost of a cohort run).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use posology::input::Format;
use posology::{Options, Protocol};

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
        c.bench_function(&format!("parse+check {name}"), |b| {
            b.iter(|| Protocol::load(name.as_str(), std::hint::black_box(&text)).expect("checks"))
        });
    }
}

fn evaluate_patient(c: &mut Criterion) {
    let text = read("protocols/baclofen_oral.dose");
    let protocol = Protocol::load("baclofen_oral.dose", &text).expect("oral protocol checks");
    let patient = read("protocols/baclofen_oral/cases/titrate_step_up.json");
    c.bench_function("decode+evaluate oral patient", |b| {
        b.iter(|| {
            let read = protocol
                .read_patient(
                    "patient.json",
                    std::hint::black_box(&patient),
                    Format::Json,
                    &[],
                )
                .expect("valid");
            protocol
                .evaluate(&read, Options::default())
                .expect("decides")
        })
    });
    let titrate = protocol
        .read_patient("patient.json", &patient, Format::Json, &[])
        .expect("valid");
    c.bench_function("evaluate oral patient", |b| {
        b.iter(|| {
            protocol
                .evaluate(std::hint::black_box(&titrate), Options::default())
                .expect("decides")
        })
    });
    c.bench_function("evaluate oral patient with trace", |b| {
        b.iter(|| {
            protocol
                .evaluate(std::hint::black_box(&titrate), Options { trace: true })
                .expect("decides")
        })
    });
    let start = read("protocols/baclofen_oral/cases/discontinue_taper.json");
    let start = protocol
        .read_patient("patient.json", &start, Format::Json, &[])
        .expect("valid");
    c.bench_function("evaluate oral taper schedule", |b| {
        b.iter(|| {
            protocol
                .evaluate(std::hint::black_box(&start), Options::default())
                .expect("decides")
        })
    });
}

criterion_group!(benches, parse_and_check_protocols, evaluate_patient);
criterion_main!(benches);
