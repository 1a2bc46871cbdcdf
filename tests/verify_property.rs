//! The verifier's property test: random banded decision blocks over one quantity input, with
//! planted gaps and overlaps, judged by an oracle written apart from the verifier (every half
//! milligram from 0 to 100 mg held against every band: the bands' ends are whole milligrams, so
//! a gap always holds one of those points). Every gap the oracle sees must be reported, with
//! witnesses that `posology run` accepts and that really decide nothing; gap-free blocks must
//! report none; every overlap of a `decide unique` block must be reported with a witness in
//! two bands. Bounds are written in mg, mcg or g at random: the verifier compares exactly.

use posology::input::Format;
use posology::{Options, Protocol};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// A band `lo..hi` of whole milligrams, each end open or closed, or unbounded.
#[derive(Clone, Debug)]
struct Band {
    lo: Option<(u32, bool)>,
    hi: Option<(u32, bool)>,
}

impl Band {
    /// True when `half` half-milligrams lies in the band.
    fn holds(&self, half: u32) -> bool {
        let above = self.lo.is_none_or(|(v, closed)| {
            let v = v * 2;
            half > v || (closed && half == v)
        });
        let below = self.hi.is_none_or(|(v, closed)| {
            let v = v * 2;
            half < v || (closed && half == v)
        });
        above && below
    }
}

/// `v` mg written in mg, mcg or g.
fn written(v: u32, unit: u8) -> String {
    match unit % 3 {
        0 => format!("{v} mg"),
        1 => format!("{} mcg", u64::from(v) * 1000),
        _ => {
            // v / 1000 g, as a decimal
            let whole = v / 1000;
            let frac = v % 1000;
            if frac == 0 {
                format!("{whole} g")
            } else {
                let digits = format!("{frac:03}");
                format!("{whole}.{} g", digits.trim_end_matches('0'))
            }
        }
    }
}

fn condition(b: &Band, unit: u8) -> String {
    let lo =
        b.lo.map(|(v, c)| format!("x {} {}", if c { ">=" } else { ">" }, written(v, unit)));
    let hi = b.hi.map(|(v, c)| {
        format!(
            "x {} {}",
            if c { "<=" } else { "<" },
            written(v, unit.wrapping_add(1))
        )
    });
    match (lo, hi) {
        (Some(l), Some(h)) => format!("{l} and {h}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => "x >= 0 mg".into(),
    }
}

fn protocol(bands: &[Band], units: &[u8], policy: &str) -> String {
    let mut rules = String::new();
    for (i, b) in bands.iter().enumerate() {
        let unit = units.get(i).copied().unwrap_or(0);
        rules.push_str(&format!(
            "    r{i}: when {} => give {} mg\n",
            condition(b, unit),
            i + 1
        ));
    }
    format!(
        "protocol bands {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n    x: mg in 0 mg..100 mg\n  }}\n  limit dose <= 100 mg hard\n  decide {policy} {{\n{rules}  }}\n}}\n"
    )
}

/// Bands that cover 0..100 mg exactly: cuts, each owned by the band below or above it.
fn partition() -> impl Strategy<Value = Vec<Band>> {
    (
        prop::collection::btree_set(1u32..100, 0..6),
        prop::collection::vec(any::<bool>(), 6),
    )
        .prop_map(|(cuts, below)| {
            let cuts: Vec<u32> = cuts.into_iter().collect();
            let mut bands = Vec::new();
            let mut lo: Option<(u32, bool)> = None;
            for (i, c) in cuts.iter().enumerate() {
                let owned_below = below[i];
                bands.push(Band {
                    lo,
                    hi: Some((*c, owned_below)),
                });
                lo = Some((*c, !owned_below));
            }
            bands.push(Band { lo, hi: None });
            bands
        })
}

/// What the oracle finds: half-milligrams in no band, and in two bands.
fn oracle(bands: &[Band]) -> (Vec<u32>, Vec<u32>) {
    let mut gaps = Vec::new();
    let mut overlaps = Vec::new();
    for half in 0..=200 {
        let n = bands.iter().filter(|b| b.holds(half)).count();
        if n == 0 {
            gaps.push(half);
        }
        if n > 1 {
            overlaps.push(half);
        }
    }
    (gaps, overlaps)
}

/// The witness's `x` in half-milligrams, when it is a whole number of them.
fn witness_half(w: &serde_json::Map<String, serde_json::Value>) -> Option<u32> {
    let text = w.get("x")?.as_str()?.strip_suffix(" mg")?;
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let whole: u32 = whole.parse().ok()?;
    match frac {
        "" => Some(whole * 2),
        "5" => Some(whole * 2 + 1),
        _ => None,
    }
}

fn codes(diags: &[posology::diagnostics::Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

fn judge(bands: &[Band], units: &[u8], policy: &str) -> Result<(), TestCaseError> {
    let text = protocol(bands, units, policy);
    let (loaded, diags, witnesses) = Protocol::check_with_witnesses("bands.dose", &text);
    let found = codes(&diags);
    let (gaps, overlaps) = oracle(bands);
    let reported_gap = found.contains(&"posology::verify::gap");
    prop_assert_eq!(reported_gap, !gaps.is_empty(), "{}\n{:?}", text, found);
    let overlap_expected = policy == "unique" && !overlaps.is_empty();
    prop_assert_eq!(
        found.contains(&"posology::verify::overlap"),
        overlap_expected,
        "{}\n{:?}",
        text,
        found
    );
    for w in &witnesses {
        let half = witness_half(&w.patient);
        match w.code {
            "posology::verify::gap" => {
                // In the oracle's gap (when a whole number of half-mg), and deciding nothing.
                if let Some(h) = half {
                    prop_assert!(gaps.contains(&h), "{}\n{:?}", text, w.patient);
                }
                if let Some(p) = &loaded {
                    let json = serde_json::Value::Object(w.patient.clone()).to_string();
                    let patient = p
                        .read_patient("w.json", &json, Format::Json, &[])
                        .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
                    let err = p
                        .evaluate(&patient, Options::default())
                        .expect_err("a witness in a gap decides nothing");
                    prop_assert_eq!(err.code, "posology::eval::no_decision");
                }
            }
            "posology::verify::overlap" => {
                let h = half.ok_or_else(|| TestCaseError::fail("a witness in whole half-mg"))?;
                prop_assert!(overlaps.contains(&h), "{}\n{:?}", text, w.patient);
            }
            other => prop_assert!(false, "unexpected witness {other}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 1000, ..Config::default() })]

    /// Gap-free partitions of the range report no gap, whatever units the bounds are in.
    #[test]
    fn gap_free_blocks_report_none(bands in partition(), units in prop::collection::vec(any::<u8>(), 8)) {
        judge(&bands, &units, "first")?;
        let (gaps, _) = oracle(&bands);
        prop_assert!(gaps.is_empty());
    }
}

proptest! {
    #![proptest_config(Config { cases: 300, ..Config::default() })]

    /// A partition with planted flaws: a band removed (an interval gap), a cut owned by neither
    /// side (a point gap) or by both (an overlap), a band's end moved.
    #[test]
    fn planted_gaps_and_overlaps_are_found(
        mut bands in partition(),
        flaws in prop::collection::vec((0u8..4, 0usize..8, 0u32..101), 1..3),
        units in prop::collection::vec(any::<u8>(), 8),
        unique in any::<bool>(),
    ) {
        for (kind, at, value) in flaws {
            let i = at % bands.len();
            match kind {
                0 if bands.len() > 1 => {
                    bands.remove(i);
                }
                1 => {
                    if let Some((v, _)) = bands[i].hi {
                        bands[i].hi = Some((v, false));
                    }
                    if i + 1 < bands.len() {
                        if let Some((v, _)) = bands[i + 1].lo {
                            bands[i + 1].lo = Some((v, false));
                        }
                    }
                }
                2 => {
                    if let Some((v, _)) = bands[i].hi {
                        bands[i].hi = Some((v, true));
                    }
                    if i + 1 < bands.len() {
                        if let Some((v, _)) = bands[i + 1].lo {
                            bands[i + 1].lo = Some((v, true));
                        }
                    }
                }
                _ => {
                    if let Some((v, c)) = bands[i].lo {
                        bands[i].lo = Some((value.min(100).max(v.min(100)), c));
                    }
                }
            }
        }
        judge(&bands, &units, if unique { "unique" } else { "first" })?;
    }
}

/// A rule of a `decide first` block over `x` (mg) and `kind` (a | b | c): a band of `x`, and
/// maybe a choice of `kind` (`and kind == K`, or `and (kind == K or x < M mg)`).
#[derive(Clone, Debug)]
struct KindRule {
    band: Band,
    kind: Option<(u8, Option<u32>)>,
}

impl KindRule {
    fn holds(&self, half: u32, kind: u8) -> bool {
        self.band.holds(half)
            && self
                .kind
                .is_none_or(|(k, below)| kind == k || below.is_some_and(|m| half < m * 2))
    }

    fn written(&self, unit: u8) -> String {
        let band = condition(&self.band, unit);
        let names = ["a", "b", "c"];
        match self.kind {
            None => band,
            Some((k, None)) => format!("{band} and kind == {}", names[usize::from(k)]),
            Some((k, Some(m))) => {
                format!(
                    "{band} and (kind == {} or x < {m} mg)",
                    names[usize::from(k)]
                )
            }
        }
    }
}

fn kind_rule() -> impl Strategy<Value = KindRule> {
    (
        prop::option::of((0u32..101, any::<bool>())),
        prop::option::of((0u32..101, any::<bool>())),
        prop::option::of((0u8..3, prop::option::of(0u32..101))),
    )
        .prop_map(|(lo, hi, kind)| KindRule {
            band: Band { lo, hi },
            kind,
        })
}

/// The rules the oracle sees fire for no patient: every half milligram of 0..100 mg with every
/// kind, each decided by the first rule that holds (the ends are whole milligrams, so a rule
/// that fires for some patient fires at one of these points).
fn never_fire(rules: &[KindRule]) -> Vec<usize> {
    let mut fired = vec![false; rules.len()];
    for half in 0..=200 {
        for kind in 0..3 {
            if let Some(i) = rules.iter().position(|r| r.holds(half, kind)) {
                fired[i] = true;
            }
        }
    }
    (0..rules.len()).filter(|i| !fired[*i]).collect()
}

proptest! {
    #![proptest_config(Config { cases: 400, ..Config::default() })]

    /// In a `decide first` block with an `otherwise`, exactly the rules the oracle sees never
    /// fire are reported unreachable (the verifier's sampled patients that show a rule
    /// reachable must never hide a dead one, nor the exact computation flag a live one).
    #[test]
    fn unreachable_rules_are_exactly_the_dead_ones(
        rules in prop::collection::vec(kind_rule(), 1..9),
        units in prop::collection::vec(any::<u8>(), 9),
    ) {
        let mut body = String::new();
        for (i, r) in rules.iter().enumerate() {
            let unit = units.get(i).copied().unwrap_or(0);
            body.push_str(&format!("    r{i}: when {} => give {} mg\n", r.written(unit), i + 1));
        }
        let text = format!(
            "protocol dead {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n    x: mg in 0 mg..100 mg\n    kind: a | b | c\n  }}\n  limit dose <= 100 mg hard\n  decide first {{\n{body}    otherwise => give 50 mg\n  }}\n}}\n"
        );
        let (_, diags, _) = Protocol::check_with_witnesses("dead.dose", &text);
        let mut reported: Vec<usize> = diags
            .iter()
            .filter(|d| d.code == "posology::verify::unreachable")
            .filter_map(|d| {
                let name = d.message.split('`').nth(1)?;
                name.rsplit('.').next()?.strip_prefix('r')?.parse().ok()
            })
            .collect();
        reported.sort_unstable();
        prop_assert_eq!(reported, never_fire(&rules), "{}\n{:?}", text, codes(&diags));
    }
}

/// `decide unique` and `decide any`, proved at check time, decide at run time as `first` does.
#[test]
fn unique_and_any_blocks_run_as_first() {
    for policy in ["unique", "any"] {
        let bands = [
            Band {
                lo: None,
                hi: Some((30, false)),
            },
            Band {
                lo: Some((30, true)),
                hi: None,
            },
        ];
        let text = protocol(&bands, &[0, 0], policy);
        let p = Protocol::load("bands.dose", &text).unwrap_or_else(|d| panic!("{d:?}"));
        assert!(p.warnings().is_empty(), "{:?}", p.warnings());
        for (x, dose) in [("29.9 mg", "1 mg"), ("30 mg", "2 mg"), ("0.1 g", "2 mg")] {
            let json = format!(r#"{{ "x": "{x}" }}"#);
            let patient = p
                .read_patient("p.json", &json, Format::Json, &[])
                .unwrap_or_else(|d| panic!("{d:?}"));
            let decision = p
                .evaluate(&patient, Options::default())
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(decision.doses.len(), 1, "{policy} {x}");
            assert_eq!(
                decision.doses[0].amount.low().to_string(),
                dose,
                "{policy} {x}"
            );
        }
    }
}

/// `posology check --witnesses DIR` writes each witness as a case file that `posology run`
/// accepts and that really decides nothing (the printed Table 1: CrCl 30 and 59.5 mL/min).
#[test]
fn check_writes_witness_case_files_that_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("posology-witnesses-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let protocol = root.join("tests/check/verify_gap.dose");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_posology"))
        .arg("check")
        .arg(&protocol)
        .arg("--witnesses")
        .arg(&dir)
        .output()
        .expect("posology runs");
    assert!(out.status.success(), "{out:?}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the directory was made")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "verify_gap_verify_gap_1.json",
            "verify_gap_verify_gap_2.json"
        ]
    );
    let first = std::fs::read_to_string(dir.join(&names[0])).expect("readable");
    assert_eq!(
        first,
        "{\n  \"crcl\": \"30 mL/min\",\n  \"indication\": \"phn\"\n}\n"
    );
    let second = std::fs::read_to_string(dir.join(&names[1])).expect("readable");
    assert!(second.contains("\"59.5 mL/min\""), "{second}");
    for name in &names {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_posology"))
            .arg("run")
            .arg(&protocol)
            .arg("--patient")
            .arg(dir.join(name))
            .output()
            .expect("posology runs");
        assert_eq!(run.status.code(), Some(1), "{run:?}");
        let text = String::from_utf8_lossy(&run.stdout).to_string()
            + &String::from_utf8_lossy(&run.stderr);
        assert!(text.contains("posology::eval::no_decision"), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A dose `x * a + b mg` given `n times daily` in one band of a gap-free partition.
#[derive(Clone, Debug)]
struct Dosed {
    a: u32,
    b: u32,
    n: u32,
}

/// Doses that every patient of a band would have refused by a hard limit: against an oracle
/// that works each dose out at every half milligram of its band (0 to 100 mg) and holds it
/// against `dose <= 150 mg` and `daily <= 400 mg/day` as the gate does. A reported dose must
/// be refused at every point, and its witness refused when run; a dose refused at every point
/// of a band whose low end is in it must be reported (an open low end is judged at the end
/// itself, which no patient has: the verifier may then say nothing, never the wrong thing).
fn judge_doses(
    bands: &[Band],
    doses: &[Dosed],
    units: &[u8],
    otherwise: bool,
) -> Result<(), TestCaseError> {
    let mut rules = String::new();
    for (i, b) in bands.iter().enumerate() {
        let d = &doses[i % doses.len()];
        let unit = units.get(i).copied().unwrap_or(0);
        let amount = match d.a {
            0 => written(d.b, unit),
            a => format!("x * {a} + {}", written(d.b, unit)),
        };
        rules.push_str(&format!(
            "    r{i}: when {} => give {amount} {} times daily\n",
            condition(b, unit),
            d.n
        ));
    }
    // With `otherwise`, the verifier shows rules reachable by sample patients (the path that
    // skips narrowing): each witness is then such a sample.
    if otherwise {
        rules.push_str("    otherwise => give 1 mg\n");
    }
    let text = format!(
        "protocol dosed {{\n  version \"1\"\n  source \"s\"\n  drug \"d\"\n  inputs {{\n    x: mg in 0 mg..100 mg\n  }}\n  limit dose <= 150 mg hard\n  limit daily <= 400 mg/day hard\n  decide first {{\n{rules}  }}\n}}\n"
    );
    let (loaded, diags, witnesses) = Protocol::check_with_witnesses("dosed.dose", &text);
    let p = loaded.ok_or_else(|| TestCaseError::fail(format!("{text}\n{diags:?}")))?;
    let reported: Vec<usize> = diags
        .iter()
        .filter(|d| d.code == "posology::verify::always_refused")
        .filter_map(|d| {
            let start = d.message.find("`r")? + 2;
            let end = start + d.message[start..].find('`')?;
            d.message[start..end].parse().ok()
        })
        .collect();
    for (i, b) in bands.iter().enumerate() {
        let d = &doses[i % doses.len()];
        let points: Vec<u32> = (0..=200).filter(|h| b.holds(*h)).collect();
        // In half milligrams: the dose is (a * h + 2 * b) / 2 mg.
        let dose = |h: u32| a_dose(d, h);
        let single = points.iter().all(|h| dose(*h) > 300);
        let daily = points.iter().all(|h| dose(*h) * d.n > 800);
        let refused = !points.is_empty() && (single || daily);
        let is_reported = reported.contains(&i);
        if is_reported {
            prop_assert!(
                refused,
                "r{} reported but not refused everywhere\n{}",
                i,
                text
            );
        }
        let low_in = b.lo.is_none_or(|(_, closed)| closed) || d.a == 0;
        if refused && low_in {
            prop_assert!(
                is_reported,
                "r{} refused everywhere, not reported\n{}\n{:?}",
                i,
                text,
                diags
            );
        }
    }
    for w in witnesses
        .iter()
        .filter(|w| w.code == "posology::verify::always_refused")
    {
        let json = serde_json::Value::Object(w.patient.clone()).to_string();
        let patient = p
            .read_patient("w.json", &json, Format::Json, &[])
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let decision = p
            .evaluate(&patient, Options::default())
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert_eq!(
            decision.status,
            posology::Status::Refused,
            "{}\n{:?}",
            text,
            w.patient
        );
    }
    Ok(())
}

/// Twice the dose in mg at `h` half milligrams of `x`.
fn a_dose(d: &Dosed, h: u32) -> u32 {
    d.a * h + 2 * d.b
}

proptest! {
    #![proptest_config(Config { cases: 300, ..Config::default() })]

    #[test]
    fn doses_every_patient_would_have_refused_are_found_and_only_those(
        bands in partition(),
        doses in prop::collection::vec((0u32..4, 1u32..300, 1u32..5), 1..7),
        units in prop::collection::vec(any::<u8>(), 8),
        otherwise in any::<bool>(),
    ) {
        let doses: Vec<Dosed> = doses.into_iter().map(|(a, b, n)| Dosed { a, b, n }).collect();
        judge_doses(&bands, &doses, &units, otherwise)?;
    }
}
