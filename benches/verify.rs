//! Benchmarks of the decision-block verifier: `check` (which verifies every block) of each
//! bundled protocol, and of generated blocks of 1,000 banded rules over one input (gap-free,
//! with gaps, and with rules the ones above cover), the size of the largest label tables
//! written out band by band. Targets: under 100 ms per bundled protocol, under 1 s for 1,000 rules.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use posology::Protocol;

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

/// A `decide first` block of `n` bands of 1 mg over `x: mg in 0 mg..n mg`; `gaps`: every other
/// band stops short of the next (`x < i + 0.5 mg`); `covered`: every rule after the first
/// repeats a band above it.
fn banded(n: usize, gaps: bool, covered: bool) -> String {
    banded_with(n, gaps, covered, "first")
}

/// [`banded`] under a hit policy (`unique` judges every pair of rules).
fn banded_with(n: usize, gaps: bool, covered: bool, policy: &str) -> String {
    let mut rules = String::new();
    for i in 0..n {
        let (lo, hi) = if covered { (0, n) } else { (i, i + 1) };
        let hi = if gaps && i % 2 == 1 {
            format!("{i}.5 mg")
        } else {
            format!("{hi} mg")
        };
        let upper = if i + 1 == n && !covered { "<=" } else { "<" };
        rules.push_str(&format!(
            "    r{i}: when x >= {lo} mg and x {upper} {hi} => give 1 mg\n"
        ));
    }
    format!(
        "protocol banded {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n    x: mg in 0 mg..{n} mg\n  }}\n  limit dose <= 10 mg hard\n  decide {policy} {{\n{rules}  }}\n}}\n"
    )
}

fn check_bundled(c: &mut Criterion) {
    for (name, text) in bundled() {
        c.bench_function(&format!("check (with verify) {name}"), |b| {
            b.iter(|| Protocol::check_with_witnesses(name.as_str(), std::hint::black_box(&text)))
        });
    }
}

fn check_banded(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify 1000 banded rules");
    group.sample_size(10);
    for (label, gaps, covered) in [
        ("gap-free", false, false),
        ("with gaps", true, false),
        ("covered", false, true),
    ] {
        let text = banded(1000, gaps, covered);
        let (_, diags, _) = Protocol::check_with_witnesses("banded.dose", &text);
        let gap = diags.iter().any(|d| d.code == "posology::verify::gap");
        assert_eq!(gap, gaps, "{label}");
        group.bench_function(label, |b| {
            b.iter(|| Protocol::check_with_witnesses("banded.dose", std::hint::black_box(&text)))
        });
    }
    let unique = banded_with(1000, false, false, "unique");
    let (_, diags, _) = Protocol::check_with_witnesses("unique.dose", &unique);
    assert!(diags.is_empty(), "{diags:?}");
    group.bench_function("unique, gap-free (every pair judged)", |b| {
        b.iter(|| Protocol::check_with_witnesses("unique.dose", std::hint::black_box(&unique)))
    });
    group.finish();
}

criterion_group!(benches, check_bundled, check_banded);
criterion_main!(benches);
