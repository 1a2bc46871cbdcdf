//! Random dosing protocols and patients, and an independent oracle for the safety gate
//! (`/work/notes/gate_spec.md`, issue 9). Shared by `tests/gate_property.rs` (proptest) and the
//! cargo-fuzz target `fuzz/fuzz_targets/gate.rs`.
//!
//! **Generator.** Everything is drawn from a stream of choices ([`Gen`]): a choice of 0 always
//! means "the simplest option", and the stream reads 0 once it is used up, so a shorter or
//! smaller stream gives a smaller protocol (proptest shrinks towards it; a fuzzer's bytes are
//! read the same way). A protocol ([`Protocol`]) has a fixed set of inputs (some optional, some
//! with a declared range drawn per protocol), random hard and soft `dose`/`bolus`/`daily`
//! limits (ceilings and floors, in mcg, mg, g, mg/day, mcg/day, mg/h, or per kg of `weight`)
//! with `when` clauses over optional inputs, and two phases: `main` (a `decide collect` or
//! `decide first` block of gives, ranges in either order, rates, per-kg and computed doses,
//! count inputs as frequencies, `refuse`, schedules up and down, and a proposal) and `alt`.
//! Patients ([`Patient`]) are drawn per protocol, with missing optional inputs and extreme
//! values (huge, tiny, zero, negative where the declared range allows).
//!
//! **Oracle.** It never calls the library's limit code or its unit arithmetic. It reads each
//! output quantity from its displayed text (`20 mg`, `~4.1667 mcg/h`), converts it to base units
//! (g, mL, s) with its own table into exact rationals (an approximate `~` value becomes an
//! interval, judged on its worst end), works out from the limits it generated and the patient it
//! generated which hard limits apply (a `when` that cannot be decided because an input is
//! missing applies: fail closed; a bound that reads a missing input holds nothing, so every
//! exposure of its kind breaks it), and holds every exposure the spec lists against them.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

// The library's protocol is `Checked` here: `Protocol` is the generated one.
use posology::eval::{Amount, Decision, FrequencyOut, Status};
use posology::input::Format;
use posology::units::Quantity;
use posology::Protocol as Checked;

// ------------------------------------------------------------------ choices

/// A stream of choices; 0 (also past the end) is always the simplest option.
pub struct Gen<'a> {
    data: &'a [u32],
    pos: usize,
}

impl<'a> Gen<'a> {
    pub fn new(data: &'a [u32]) -> Self {
        Gen { data, pos: 0 }
    }

    fn next(&mut self) -> u32 {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n.max(1)
    }

    /// One of `xs` (the first for a 0 choice).
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// True with about `percent`% probability; false for a 0 choice.
    pub fn flip(&mut self, percent: u32) -> bool {
        self.next() % 100 >= 100 - percent.min(100)
    }
}

// ------------------------------------------------------------------ the protocol model

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Dose,
    Bolus,
    Daily,
}

impl Target {
    fn word(self) -> &'static str {
        match self {
            Target::Dose => "dose",
            Target::Bolus => "bolus",
            Target::Daily => "daily",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Le,
    Lt,
    Ge,
    Gt,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }

    fn ceiling(self) -> bool {
        matches!(self, Op::Le | Op::Lt)
    }

    /// Does `value op bound` hold?
    fn holds(self, value: &BigRational, bound: &BigRational) -> bool {
        let o = value.cmp(bound);
        match self {
            Op::Le => o != Ordering::Greater,
            Op::Lt => o == Ordering::Less,
            Op::Ge => o != Ordering::Less,
            Op::Gt => o == Ordering::Greater,
        }
    }
}

/// A condition over the optional inputs.
#[derive(Clone, Debug)]
pub enum Cond {
    Kind(&'static str, bool),
    Weight(Op, &'static str),
    Renal(bool),
    RenalEq(bool),
    N(Op, i64),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

impl Cond {
    fn text(&self) -> String {
        match self {
            Cond::Kind(k, eq) => format!("kind {} {k}", if *eq { "==" } else { "!=" }),
            Cond::Weight(op, v) => format!("weight {} {v}", op.symbol()),
            Cond::Renal(true) => "renal".into(),
            Cond::Renal(false) => "not renal".into(),
            Cond::RenalEq(b) => format!("renal == {b}"),
            Cond::N(op, v) => format!("n {} {v}", op.symbol()),
            Cond::And(a, b) => format!("({} and {})", a.text(), b.text()),
            Cond::Or(a, b) => format!("({} or {})", a.text(), b.text()),
        }
    }

    /// Kleene logic: `None` when it cannot be decided because an input it reads is missing.
    fn eval(&self, p: &Patient) -> Option<bool> {
        match self {
            Cond::Kind(k, eq) => p.kind.map(|x| (x == *k) == *eq),
            Cond::Weight(op, v) => p.weight.map(|w| {
                let value = parse_quantity(w).expect("weight").lo;
                let bound = parse_quantity(v).expect("weight literal").lo;
                op.holds(&value, &bound)
            }),
            Cond::Renal(b) | Cond::RenalEq(b) => p.renal.map(|r| r == *b),
            Cond::N(op, v) => p.n.map(|n| op.holds(&int(n), &int(*v))),
            Cond::And(a, b) => match (a.eval(p), b.eval(p)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Cond::Or(a, b) => match (a.eval(p), b.eval(p)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        }
    }
}

/// A limit's bound.
#[derive(Clone, Debug)]
pub enum Bound {
    /// A literal, e.g. `20 mg`.
    Lit(&'static str),
    /// Per kg of `weight`, e.g. `2 mg/kg` (times `weight`).
    PerKg(&'static str),
}

#[derive(Clone, Debug)]
pub struct Limit {
    pub target: Target,
    pub op: Op,
    pub bound: Bound,
    pub hard: bool,
    pub when: Option<Cond>,
}

impl Limit {
    fn text(&self) -> String {
        let bound = match &self.bound {
            Bound::Lit(v) => (*v).to_string(),
            Bound::PerKg(v) => format!("{v} * weight"),
        };
        let mut t = format!(
            "limit {} {} {bound} {}",
            self.target.word(),
            self.op.symbol(),
            if self.hard { "hard" } else { "soft" }
        );
        if let Some(w) = &self.when {
            let _ = write!(t, " when {}", w.text());
        }
        t.push_str(" because \"generated\"");
        t
    }
}

/// A protocol, with what the oracle needs to know about it.
#[derive(Clone, Debug)]
pub struct Protocol {
    pub text: String,
    pub limits: Vec<Limit>,
    /// Declared ranges (for the patient generator): weight, n, cur.
    pub weight_range: bool,
    pub n_range: bool,
    pub cur_range: bool,
    /// Some give or schedule is a single amount (not a rate).
    pub gives_single: bool,
    /// Some give is a rate.
    pub gives_rate: bool,
    /// Constant doses or frequencies that the spec (4) says `check` must refuse.
    pub static_bad: Vec<String>,
    /// The proposal's frequency, as written (`None`: once a day).
    pub proposal_freq: Option<&'static str>,
}

const DOSES: &[&str] = &[
    "5 mg", "10 mg", "20 mg", "0.5 mg", "2.5 mg", "100 mg", "250 mcg", "1 g", "15 mg", "40 mg",
    "750 mcg", "0.01 g", "60 mg",
];
const RATES: &[&str] = &[
    "2 mg/h",
    "300 mcg/day",
    "0.5 mg/h",
    "50 mg/day",
    "12.5 mcg/h",
];
const PER_KG: &[&str] = &["1 mg/kg", "0.2 mg/kg", "15 mcg/kg", "2.5 mg/kg"];
const TIMES: &[&str] = &["3", "1", "2", "4", "6"];
const EVERY: &[&str] = &[
    "8 h", "12 h", "6 h", "1 day", "7 h", "90 min", "2 days", "1 week",
];
const DOSE_CEIL: &[&str] = &[
    "20 mg", "60 mg", "1 g", "500 mcg", "100 mg", "0.05 g", "15 mg", "2.5 mg", "250 mg",
];
const DOSE_FLOOR: &[&str] = &["0.5 mg", "1 mg", "100 mcg", "5 mg", "0.001 g"];
const DAILY_CEIL: &[&str] = &[
    "60 mg/day",
    "80 mg/day",
    "300 mg/day",
    "2.5 mg/h",
    "900 mcg/day",
    "1 g/day",
    "120000 mcg/day",
];
const DAILY_FLOOR: &[&str] = &["1 mg/day", "500 mcg/day", "0.1 mg/h", "10 mg/day"];
const DOSE_PER_KG: &[&str] = &["2 mg/kg", "0.5 mg/kg", "100 mcg/kg"];
const DAILY_PER_KG: &[&str] = &["1 mg/kg/day", "5 mg/kg/day", "300 mcg/kg/day"];
const WEIGHTS: &[&str] = &["40 kg", "100 kg", "10 kg", "3.5 kg"];

/// Generates one protocol.
pub fn protocol(g: &mut Gen<'_>) -> Protocol {
    let mut p = Protocol {
        text: String::new(),
        limits: Vec::new(),
        weight_range: g.flip(40),
        n_range: g.flip(40),
        cur_range: g.flip(30),
        gives_single: false,
        gives_rate: false,
        static_bad: Vec::new(),
        proposal_freq: None,
    };
    let mut any_bolus = false;
    // The phases first (the limits depend on what is given).
    let mut main = String::new();
    let policy = if g.flip(25) { "first" } else { "collect" };
    let _ = writeln!(main, "  phase main {{\n    decide {policy} {{");
    let rules = 1 + g.below(4);
    for i in 0..rules {
        let last_first = policy == "first" && i + 1 == rules;
        let mut needs = Vec::new();
        let mut actions = Vec::new();
        let n_actions = 1 + usize::from(g.flip(25));
        for _ in 0..n_actions {
            let a = action(g, &mut p, &mut needs, &mut any_bolus);
            actions.push(a);
        }
        let cond = if last_first {
            missing_first(&mut main, &format!("r{i}"), &needs);
            "otherwise".to_string()
        } else {
            rule_cond(g, &needs)
        };
        let _ = writeln!(main, "      r{i}: {cond} => {}", actions.join(" ; "));
    }
    main.push_str("    }\n");
    if g.flip(60) {
        let freq = match g.below(4) {
            0 => None,
            1 => Some(g.pick(&["2", "3", "1"])),
            2 => Some(g.pick(&["12 h", "8 h", "1 day"])),
            _ => Some("4"),
        };
        p.proposal_freq = freq;
        let freq_text = match freq {
            None => String::new(),
            Some(f) if f.contains(' ') => format!(" every {f}"),
            Some(f) => format!(" {f} times daily"),
        };
        let _ = writeln!(main, "    proposal prop{freq_text} {{");
        if g.flip(30) {
            main.push_str("      refuse when renal == true because \"renal\"\n");
        }
        let range = g.pick(&[
            "1 mg..20 mg",
            "5 mg..(cur + 5 mg)",
            "1 mg..100 mg",
            "0.5 mg..2 g",
            "100 mcg..15 mg",
        ]);
        let when = if g.flip(30) {
            " when kind == adult"
        } else {
            ""
        };
        if range.contains("cur") {
            // `check` refuses an unguarded use of an optional input.
            main.push_str("      refuse when cur is missing because \"no current dose\"\n");
        }
        let _ = writeln!(main, "      allow {range}{when} because \"allowed\"");
        main.push_str("    }\n");
        p.gives_single = true;
    }
    main.push_str("  }\n");
    let mut alt = String::from("  phase alt {\n    decide first {\n");
    {
        let mut needs = Vec::new();
        if g.flip(40) {
            let a = action(g, &mut p, &mut needs, &mut any_bolus);
            let cond = rule_cond(g, &needs);
            let _ = writeln!(alt, "      a0: {cond} => {a}");
        }
        let mut needs = Vec::new();
        let a = give(g, &mut p, &mut needs, &mut any_bolus);
        missing_first(&mut alt, "a1", &needs);
        let _ = writeln!(alt, "      a1: otherwise => {a}");
    }
    alt.push_str("    }\n  }\n");
    let mut global = String::new();
    if g.flip(20) {
        let mut needs = Vec::new();
        let a = action(g, &mut p, &mut needs, &mut any_bolus);
        let cond = rule_cond(g, &needs);
        let _ = writeln!(global, "  decide collect {{\n    g0: {cond} => {a}\n  }}");
    }

    // Limits: usually a hard dose ceiling and a hard daily ceiling, then a few more.
    if !g.flip(10) {
        p.limits.push(Limit {
            target: Target::Dose,
            op: Op::Le,
            bound: Bound::Lit(g.pick(DOSE_CEIL)),
            hard: true,
            when: None,
        });
    }
    if !g.flip(12) {
        p.limits.push(Limit {
            target: Target::Daily,
            op: Op::Le,
            bound: Bound::Lit(g.pick(DAILY_CEIL)),
            hard: true,
            when: None,
        });
    }
    for _ in 0..g.below(4) {
        let target = match g.below(5) {
            0 | 1 => Target::Dose,
            2 if any_bolus => Target::Bolus,
            2 => Target::Dose,
            _ => Target::Daily,
        };
        let op = g.pick(&[Op::Le, Op::Lt, Op::Ge, Op::Le, Op::Gt, Op::Lt]);
        let bound = if g.flip(15) {
            Bound::PerKg(if target == Target::Daily {
                g.pick(DAILY_PER_KG)
            } else {
                g.pick(DOSE_PER_KG)
            })
        } else {
            Bound::Lit(match (target, op.ceiling()) {
                (Target::Daily, true) => g.pick(DAILY_CEIL),
                (Target::Daily, false) => g.pick(DAILY_FLOOR),
                (_, true) => g.pick(DOSE_CEIL),
                (_, false) => g.pick(DOSE_FLOOR),
            })
        };
        let hard = !g.flip(25);
        let when = g.flip(60).then(|| limit_cond(g));
        p.limits.push(Limit {
            target,
            op,
            bound,
            hard,
            when,
        });
    }

    // The text.
    let mut t =
        String::from("protocol generated {\n  version \"1\"\n  source \"gen\"\n  inputs {\n");
    t.push_str("    phase:    main | alt\n");
    t.push_str("    kind:     child | adult optional\n");
    t.push_str(if p.weight_range {
        "    weight:   kg in 0.5 kg..300 kg optional\n"
    } else {
        "    weight:   kg optional\n"
    });
    t.push_str("    renal:    bool optional\n");
    t.push_str(if p.n_range {
        "    n:        count in 1..6 optional\n"
    } else {
        "    n:        count optional\n"
    });
    t.push_str(if p.cur_range {
        "    cur:      mg in 0.5 mg..100 mg optional\n"
    } else {
        "    cur:      mg optional\n"
    });
    t.push_str("    prop:     mg optional\n");
    t.push_str("    rate_in:  mg/h optional\n");
    t.push_str("    gap:      h optional\n");
    t.push_str("  }\n  begin at phase\n");
    for l in &p.limits {
        let _ = writeln!(t, "  {}", l.text());
    }
    t.push_str(&global);
    t.push_str(&main);
    t.push_str(&alt);
    t.push_str("}\n");
    p.text = t;
    p
}

fn limit_cond(g: &mut Gen<'_>) -> Cond {
    let atom = |g: &mut Gen<'_>| match g.below(9) {
        0 => Cond::Kind("child", true),
        1 => Cond::Kind("adult", true),
        2 => Cond::Kind("adult", false),
        3 => Cond::Weight(Op::Lt, g.pick(WEIGHTS)),
        4 => Cond::Weight(Op::Ge, g.pick(WEIGHTS)),
        5 => Cond::Renal(true),
        6 => Cond::RenalEq(g.pick(&[true, false])),
        7 => Cond::N(g.pick(&[Op::Gt, Op::Le]), g.pick(&[3, 2, 0])),
        _ => Cond::Renal(false),
    };
    let a = atom(g);
    match g.below(8) {
        6 => Cond::And(Box::new(a), Box::new(atom(g))),
        7 => Cond::Or(Box::new(a), Box::new(atom(g))),
        _ => a,
    }
}

/// Before an `otherwise` whose actions need optional inputs, a rule that holds when one is
/// missing (`check` refuses an unguarded use: `posology::check::maybe_missing`).
fn missing_first(text: &mut String, name: &str, needs: &[&str]) {
    if needs.is_empty() {
        return;
    }
    let test: Vec<String> = needs.iter().map(|n| format!("{n} is missing")).collect();
    let _ = writeln!(
        text,
        "      {name}_missing: when {} => hold \"generated: a value is missing\"",
        test.join(" or ")
    );
}

/// A rule's condition; every input a give needs is guarded with `is not missing`.
fn rule_cond(g: &mut Gen<'_>, needs: &[&str]) -> String {
    let base = match g.below(8) {
        0 | 1 => None,
        2 => Some("kind == adult".to_string()),
        3 => Some("kind == child".to_string()),
        4 => Some("renal == true".to_string()),
        5 => Some("weight is not missing and weight > 50 kg".to_string()),
        6 => Some("weight is missing".to_string()),
        _ => Some("(weight is missing or weight > 50 kg)".to_string()),
    };
    // Every input a give needs is guarded: `posology check` refuses an unguarded use
    // (`posology::check::maybe_missing`). The draw is kept so that the choices after it are
    // what they were.
    let _ = g.flip(15);
    let mut parts: Vec<String> = Vec::new();
    for n in needs {
        parts.push(format!("{n} is not missing"));
    }
    parts.extend(base);
    if parts.is_empty() {
        "always".into()
    } else {
        format!("when {}", parts.join(" and "))
    }
}

fn action(
    g: &mut Gen<'_>,
    p: &mut Protocol,
    needs: &mut Vec<&'static str>,
    any_bolus: &mut bool,
) -> String {
    match g.below(10) {
        0..=5 => give(g, p, needs, any_bolus),
        6 | 7 => schedule(g, p, needs),
        8 => "refuse \"generated refusal\"".into(),
        _ => "warn \"generated warning\"".into(),
    }
}

fn need(needs: &mut Vec<&'static str>, name: &'static str) {
    if !needs.contains(&name) {
        needs.push(name);
    }
}

fn give(
    g: &mut Gen<'_>,
    p: &mut Protocol,
    needs: &mut Vec<&'static str>,
    any_bolus: &mut bool,
) -> String {
    let mut rate = false;
    let amount = match g.below(12) {
        0..=2 => {
            let d = g.pick(DOSES);
            if g.flip(2) {
                let bad = g.pick(&["0 mg", "-5 mg", "(0 - 2 mg)"]);
                p.static_bad.push(format!("give {bad}"));
                bad.to_string()
            } else {
                d.to_string()
            }
        }
        3 | 4 => {
            let (a, b) = (g.pick(DOSES), g.pick(DOSES));
            let (qa, qb) = (parse_quantity(a).unwrap().lo, parse_quantity(b).unwrap().lo);
            if qa > qb {
                p.static_bad.push(format!("give {a}..{b}"));
            }
            format!("{a}..{b}")
        }
        5 | 6 => {
            need(needs, "weight");
            if g.flip(30) {
                format!(
                    "({} * weight)..({} * weight)",
                    g.pick(PER_KG),
                    g.pick(PER_KG)
                )
            } else {
                format!("{} * weight", g.pick(PER_KG))
            }
        }
        7 | 8 => {
            need(needs, "cur");
            g.pick(&[
                "cur",
                "cur + 5 mg",
                "cur * 2",
                "(cur + 5 mg) round down to 5 mg",
                "cur - 5 mg",
                "cur..(cur + 10 mg)",
                "(cur - 10 mg)..cur",
            ])
            .to_string()
        }
        9 => {
            rate = true;
            g.pick(RATES).to_string()
        }
        10 => {
            rate = true;
            need(needs, "rate_in");
            "rate_in".to_string()
        }
        _ => {
            rate = true;
            need(needs, "weight");
            format!("{} * weight", g.pick(&["0.01 mg/kg/h", "5 mcg/kg/day"]))
        }
    };
    let mut text = format!("give {amount}");
    if rate {
        p.gives_rate = true;
        text.push_str(" infusion");
        return text;
    }
    p.gives_single = true;
    match g.below(6) {
        1 => {
            text.push_str(" bolus");
            *any_bolus = true;
        }
        2 => text.push_str(" tablet"),
        _ => {}
    }
    text.push_str(&frequency(g, p, needs));
    text
}

fn frequency(g: &mut Gen<'_>, p: &mut Protocol, needs: &mut Vec<&'static str>) -> String {
    match g.below(8) {
        0 | 1 => String::new(),
        2 | 3 => {
            if g.flip(2) {
                let bad = g.pick(&["0", "(0 - 1)"]);
                p.static_bad.push(format!("{bad} times daily"));
                format!(" {bad} times daily")
            } else {
                format!(" {} times daily", g.pick(TIMES))
            }
        }
        4 => {
            need(needs, "n");
            " n times daily".into()
        }
        5 | 6 => {
            if g.flip(2) {
                p.static_bad.push("every 0 h".into());
                " every 0 h".into()
            } else {
                format!(" every {}", g.pick(EVERY))
            }
        }
        _ => {
            need(needs, "gap");
            " every gap".into()
        }
    }
}

fn schedule(g: &mut Gen<'_>, p: &mut Protocol, needs: &mut Vec<&'static str>) -> String {
    p.gives_single = true;
    let from = if g.flip(30) {
        need(needs, "cur");
        "cur"
    } else {
        g.pick(&["5 mg", "10 mg", "20 mg", "2.5 mg", "500 mcg", "60 mg"])
    };
    let freq = match g.below(4) {
        0 => String::new(),
        1 | 2 => format!(" {} times daily", g.pick(TIMES)),
        _ => format!(" every {}", g.pick(EVERY)),
    };
    let increase = g.flip(50);
    let step = g.pick(&["5 mg", "2.5 mg", "10 mg", "1 mg", "250 mcg"]);
    let every = g.pick(&["3", "1", "7", "2"]);
    let mut t = format!(
        "schedule from {from}{freq} {} by {step} every {every} days",
        if increase { "increase" } else { "decrease" }
    );
    let with_until = if increase { !g.flip(30) } else { g.flip(70) };
    if with_until {
        let until = g.pick(&["20 mg", "40 mg", "5 mg", "80 mg", "1 mg", "(cur + 10 mg)"]);
        if until.contains("cur") {
            need(needs, "cur");
        }
        let _ = write!(t, " until {until}");
    }
    if !increase && g.flip(30) {
        t.push_str(" then stop");
    }
    t
}

// ------------------------------------------------------------------ patients

#[derive(Clone, Debug, Default)]
pub struct Patient {
    pub phase: &'static str,
    pub kind: Option<&'static str>,
    /// As written in the patient file (kg or g).
    pub weight: Option<&'static str>,
    pub renal: Option<bool>,
    pub n: Option<i64>,
    pub cur: Option<&'static str>,
    pub prop: Option<&'static str>,
    pub rate_in: Option<&'static str>,
    pub gap: Option<&'static str>,
}

const P_WEIGHT: &[&str] = &[
    "70 kg",
    "3.2 kg",
    "45 kg",
    "120 kg",
    "250 kg",
    "0.001 kg",
    "0 kg",
    "-5 kg",
    "1000000000 kg",
    "82500 g",
    "1.5 kg",
];
const P_N: &[i64] = &[3, 1, 2, 4, 0, -2, 6, 1_000_000, -1];
const P_MG: &[&str] = &[
    "10 mg",
    "5 mg",
    "20 mg",
    "0.5 mg",
    "60 mg",
    "250 mcg",
    "0 mg",
    "-5 mg",
    "1000000 mg",
    "0.000001 mg",
    "15 mg",
    "2 g",
];
const P_PROP: &[&str] = &[
    "5 mg",
    "2 mg",
    "10 mg",
    "1 mg",
    "0.5 mg",
    "20 mg",
    "250 mcg",
    "0 mg",
    "-5 mg",
    "1000000 mg",
];
const P_RATE: &[&str] = &[
    "1 mg/h",
    "0.1 mg/h",
    "5 mg/h",
    "0 mg/h",
    "-1 mg/h",
    "100000 mg/h",
    "25 mcg/h",
];
const P_INTERVAL: &[&str] = &[
    "8 h", "12 h", "24 h", "0 h", "-8 h", "30 min", "7 h", "1 day",
];

pub fn patient(g: &mut Gen<'_>) -> Patient {
    let opt = |g: &mut Gen<'_>| !g.flip(25);
    Patient {
        phase: if g.flip(20) { "alt" } else { "main" },
        kind: opt(g).then(|| g.pick(&["adult", "child"])),
        weight: opt(g).then(|| g.pick(P_WEIGHT)),
        renal: opt(g).then(|| g.pick(&[false, true])),
        n: opt(g).then(|| g.pick(P_N)),
        cur: opt(g).then(|| g.pick(P_MG)),
        prop: g.flip(70).then(|| g.pick(P_PROP)),
        rate_in: opt(g).then(|| g.pick(P_RATE)),
        gap: opt(g).then(|| g.pick(P_INTERVAL)),
    }
}

impl Patient {
    pub fn json(&self) -> String {
        let mut fields = vec![format!("\"phase\": \"{}\"", self.phase)];
        let mut s = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                fields.push(format!("\"{name}\": {v}"));
            }
        };
        s("kind", self.kind.map(|k| format!("\"{k}\"")));
        s("weight", self.weight.map(|k| format!("\"{k}\"")));
        s("renal", self.renal.map(|b| b.to_string()));
        s("n", self.n.map(|n| n.to_string()));
        s("cur", self.cur.map(|k| format!("\"{k}\"")));
        s("prop", self.prop.map(|k| format!("\"{k}\"")));
        s("rate_in", self.rate_in.map(|k| format!("\"{k}\"")));
        s("gap", self.gap.map(|k| format!("\"{k}\"")));
        format!("{{{}}}", fields.join(", "))
    }
}

// ------------------------------------------------------------------ exact quantities (oracle)

fn int(n: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10), n as usize)
}

/// Exponents of mass, volume, time.
pub type Dim = [i32; 3];

/// A displayed quantity in base units (g, mL, s): exact (`lo == hi`) or, for a `~` value, the
/// interval the shown digits allow.
#[derive(Clone, Debug, PartialEq)]
pub struct OQ {
    pub lo: BigRational,
    pub hi: BigRational,
    pub dim: Dim,
    pub shown: String,
}

/// The oracle's own unit table: base factor and dimension of one atom.
fn atom(word: &str) -> Option<(BigRational, Dim)> {
    let r = |n: i64, d: i64| BigRational::new(BigInt::from(n), BigInt::from(d));
    Some(match word {
        "kg" => (r(1000, 1), [1, 0, 0]),
        "g" => (r(1, 1), [1, 0, 0]),
        "mg" => (r(1, 1000), [1, 0, 0]),
        "mcg" => (r(1, 1_000_000), [1, 0, 0]),
        "L" => (r(1000, 1), [0, 1, 0]),
        "mL" => (r(1, 1), [0, 1, 0]),
        "s" => (r(1, 1), [0, 0, 1]),
        "min" => (r(60, 1), [0, 0, 1]),
        "h" => (r(3600, 1), [0, 0, 1]),
        "day" | "days" => (r(86_400, 1), [0, 0, 1]),
        "week" | "weeks" => (r(604_800, 1), [0, 0, 1]),
        _ => return None,
    })
}

/// Parses a displayed quantity: `[~]NUMBER[ UNIT]`.
pub fn parse_quantity(text: &str) -> Result<OQ, String> {
    let t = text.trim();
    let (approx, t) = match t.strip_prefix('~') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(t.len());
    let (num, unit) = (&t[..split], t[split..].trim());
    let (neg, digits) = match num.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, num),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit()) {
        return Err(format!("not a number: {text:?}"));
    }
    let mant: BigInt = format!("{whole}{frac}")
        .parse()
        .map_err(|_| text.to_string())?;
    let places = frac.len() as u32;
    let mut value = BigRational::new(mant, pow10(places));
    if neg {
        value = -value;
    }
    let mut factor = BigRational::one();
    let mut dim = [0; 3];
    if !unit.is_empty() {
        for (i, part) in unit.split('/').enumerate() {
            for w in part.split('\u{b7}').filter(|w| !w.is_empty()) {
                let (f, d) = atom(w).ok_or_else(|| format!("unknown unit {w:?} in {text:?}"))?;
                if i == 0 {
                    factor *= f;
                    (0..3).for_each(|k| dim[k] += d[k]);
                } else {
                    factor /= f;
                    (0..3).for_each(|k| dim[k] -= d[k]);
                }
            }
        }
    }
    let half_ulp = if approx {
        BigRational::new(BigInt::from(5), pow10(places + 1))
    } else {
        BigRational::zero()
    };
    Ok(OQ {
        lo: (&value - &half_ulp) * &factor,
        hi: (&value + &half_ulp) * &factor,
        dim,
        shown: text.to_string(),
    })
}

/// Reads an output quantity; `Err` for a unit outside the oracle's table (no limit generated
/// can hold such a dose: e.g. `cur * 2 tablet` reads `2 tablet` as a quantity, `mg·tablet`).
fn oq(q: &Quantity) -> Result<OQ, String> {
    parse_quantity(&q.to_string())
}

const UNREADABLE: &str = "an output in a unit no generated limit can hold";

const MASS: Dim = [1, 0, 0];
const MASS_RATE: Dim = [1, 0, -1];
const TIME: Dim = [0, 0, 1];

fn day() -> BigRational {
    int(86_400)
}

/// An exposure: a value (as an interval) and what it is.
#[derive(Clone, Debug)]
struct Exposure {
    lo: BigRational,
    hi: BigRational,
    dim: Dim,
    what: String,
}

/// Daily total of an amount at a frequency (mass/time, base units), as an interval: the least
/// and the most given in one day. Doses are whole on the day they fall, so the number of
/// doses in a day is rounded down for the least and up for the most (`every 5 h` is 4 or 5
/// doses, `every 1 week` 0 or 1). `Err` when the frequency cannot be read.
fn daily_of(
    amount: &OQ,
    freq: Option<&FrequencyOut>,
) -> Result<(BigRational, BigRational), String> {
    if amount.dim == MASS_RATE {
        return Ok((amount.lo.clone(), amount.hi.clone()));
    }
    let (fewest, most) = match freq {
        None => (BigRational::one(), BigRational::one()),
        Some(f) => {
            if let Some(n) = &f.times_per_day {
                let n = oq(n)?;
                (n.lo.floor(), n.hi.ceil())
            } else if let Some(t) = &f.every {
                let t = oq(t)?;
                if t.dim != TIME || !t.lo.is_positive() {
                    return Err(format!("interval {}", t.shown));
                }
                ((day() / &t.hi).floor(), (day() / &t.lo).ceil())
            } else {
                return Err(format!("frequency without a value: {}", f.text));
            }
        }
    };
    let c = [
        &amount.lo * &fewest,
        &amount.lo * &most,
        &amount.hi * &fewest,
        &amount.hi * &most,
    ];
    let lo = c.iter().min().cloned().unwrap_or_else(BigRational::zero) / day();
    let hi = c.iter().max().cloned().unwrap_or_else(BigRational::zero) / day();
    Ok((lo, hi))
}

/// One frequency's problems (zero or negative).
fn bad_frequency(f: &FrequencyOut) -> Option<String> {
    if let Some(n) = &f.times_per_day {
        if !oq(n).is_ok_and(|n| n.lo.is_positive()) {
            return Some(format!("frequency `{}`", f.text));
        }
    }
    if let Some(t) = &f.every {
        if !oq(t).is_ok_and(|t| t.lo.is_positive()) {
            return Some(format!("frequency `{}`", f.text));
        }
    }
    None
}

/// A broken invariant, with a short class name (for surveys) and the details.
#[derive(Clone, Debug)]
pub struct Violation {
    pub class: String,
    pub detail: String,
    /// The limit broken, as written (empty for other invariants).
    pub limit: String,
}

/// An applicable hard limit, for this patient.
struct Applied<'a> {
    limit: &'a Limit,
    /// `None`: the bound reads a missing input (holds nothing: fail closed).
    bound: Option<BigRational>,
    dim: Dim,
    /// Its `when` could not be decided.
    undecided: bool,
}

fn applicable<'a>(p: &'a Protocol, patient: &Patient) -> Vec<Applied<'a>> {
    let mut out = Vec::new();
    for l in p.limits.iter().filter(|l| l.hard) {
        let decided = l.when.as_ref().map(|w| w.eval(patient));
        if decided == Some(Some(false)) {
            continue;
        }
        let (bound, dim) = match &l.bound {
            Bound::Lit(v) => {
                let q = parse_quantity(v).expect("limit literal");
                (Some(q.lo), q.dim)
            }
            Bound::PerKg(v) => {
                let per = parse_quantity(v).expect("per-kg literal");
                // per is mass/mass(kg) [/time]: dim without the kg
                let dim = [per.dim[0] + 1, per.dim[1], per.dim[2]];
                let bound = patient
                    .weight
                    .map(|w| per.lo.clone() * parse_quantity(w).expect("weight").lo);
                (bound, dim)
            }
        };
        out.push(Applied {
            limit: l,
            bound,
            dim,
            undecided: decided == Some(None),
        });
    }
    out
}

/// Holds one exposure against the applicable limits of `targets`.
fn hold(
    limits: &[Applied<'_>],
    targets: &[Target],
    e: &Exposure,
    kind: &str,
    out: &mut Vec<Violation>,
) {
    hold_sides(limits, targets, e, kind, true, out);
}

/// Like [`hold`]; with `floors` false, only against ceilings (a dose's own daily total: the
/// floors hold the decision's summed total).
fn hold_sides(
    limits: &[Applied<'_>],
    targets: &[Target],
    e: &Exposure,
    kind: &str,
    floors: bool,
    out: &mut Vec<Violation>,
) {
    for a in limits {
        if !targets.contains(&a.limit.target) || a.dim != e.dim {
            continue;
        }
        if !floors && !a.limit.op.ceiling() {
            continue;
        }
        let broken = match &a.bound {
            None => true,
            Some(b) => {
                // Worst end of the interval for this side.
                let v = if a.limit.op.ceiling() { &e.hi } else { &e.lo };
                !a.limit.op.holds(v, b)
            }
        };
        if broken {
            let mut class = format!("{kind} breaks a hard {} limit", a.limit.target.word());
            class.push_str(if a.limit.op.ceiling() {
                " (ceiling)"
            } else {
                " (floor)"
            });
            if a.undecided {
                class.push_str(" whose `when` reads a missing input");
            }
            if a.bound.is_none() {
                class.push_str(" whose bound reads a missing input");
            }
            out.push(Violation {
                class,
                detail: format!("{}: `{}`", e.what, a.limit.text()),
                limit: a.limit.text(),
            });
        }
    }
}

fn v(out: &mut Vec<Violation>, class: &str, detail: String) {
    out.push(Violation {
        class: class.into(),
        detail,
        limit: String::new(),
    });
}

/// Checks one decision against the spec. Returns every violation found.
pub fn check_decision(p: &Protocol, patient: &Patient, d: &Decision) -> Vec<Violation> {
    let mut out = Vec::new();
    let limits = applicable(p, patient);
    if d.status == Status::Refused && (!d.doses.is_empty() || d.schedule.is_some()) {
        v(
            &mut out,
            "a refused decision lists doses or a schedule",
            format!("{} doses, schedule {}", d.doses.len(), d.schedule.is_some()),
        );
    }
    let single = [Target::Dose, Target::Bolus];
    let daily = [Target::Daily];
    // Daily sums over the decision's doses.
    let mut sum_lo = BigRational::zero();
    let mut sum_hi = BigRational::zero();
    let mut sum_ok = true;
    let mut several = 0;
    for dose in &d.doses {
        let shown = match &dose.amount {
            Amount::One(q) => q.to_string(),
            Amount::Range(a, b) => format!("{a}..{b}"),
        };
        let freq_text = dose.frequency.as_ref().map_or("", |f| f.text.as_str());
        let what = format!("give {shown} {freq_text} (rule {})", dose.rule);
        let (lo, hi) = match (oq(dose.amount.low()), oq(dose.amount.high())) {
            (Ok(lo), Ok(hi)) => (lo, hi),
            (Err(e), _) | (_, Err(e)) => {
                v(&mut out, UNREADABLE, format!("{what}: {e}"));
                sum_ok = false;
                continue;
            }
        };
        if !lo.lo.is_positive() || !hi.lo.is_positive() {
            v(&mut out, "a zero or negative dose is given", what.clone());
        }
        if lo.lo > hi.hi {
            v(&mut out, "a range from high to low is given", what.clone());
        }
        if lo.dim != hi.dim || (lo.dim != MASS && lo.dim != MASS_RATE) {
            v(&mut out, "a dose of an unexpected kind", what.clone());
            continue;
        }
        if let Some(f) = &dose.frequency {
            if let Some(b) = bad_frequency(f) {
                v(
                    &mut out,
                    "a zero or negative frequency is given",
                    format!("{what}: {b}"),
                );
            }
        }
        let rate = lo.dim == MASS_RATE;
        let kind = if rate {
            "a rate"
        } else if matches!(dose.amount, Amount::Range(..)) {
            "a range end"
        } else {
            "a single dose"
        };
        if !rate {
            for (end, q) in [("low", &lo), ("high", &hi)] {
                let e = Exposure {
                    lo: q.lo.clone(),
                    hi: q.hi.clone(),
                    dim: q.dim,
                    what: format!("{what}, {end} end"),
                };
                hold(&limits, &single, &e, kind, &mut out);
            }
        }
        match (
            daily_of(&lo, dose.frequency.as_ref()),
            daily_of(&hi, dose.frequency.as_ref()),
        ) {
            (Ok((l, _)), Ok((_, h))) => {
                let kind = if rate {
                    "a rate's daily total"
                } else if dose.frequency.is_none() {
                    "the daily total of a dose without a frequency"
                } else {
                    "a dose's daily total"
                };
                for (end, val) in [("low", &l), ("high", &h)] {
                    let e = Exposure {
                        lo: val.clone(),
                        hi: val.clone(),
                        dim: MASS_RATE,
                        what: format!("{what}, daily total ({end} end)"),
                    };
                    hold_sides(&limits, &daily, &e, kind, false, &mut out);
                }
                sum_lo += l;
                sum_hi += h;
                several += 1;
            }
            _ => sum_ok = false,
        }
    }
    if several > 0 && sum_ok {
        let mut summed = Vec::new();
        for (end, val) in [("low", &sum_lo), ("high", &sum_hi)] {
            let e = Exposure {
                lo: val.clone(),
                hi: val.clone(),
                dim: MASS_RATE,
                what: format!("the sum of {several} doses' daily totals ({end} end)"),
            };
            let kind = if several > 1 {
                "the summed daily total"
            } else {
                "the daily total"
            };
            hold(&limits, &daily, &e, kind, &mut summed);
        }
        // Only report the limits the doses alone did not already break.
        let alone: Vec<String> = out.iter().map(|x| x.limit.clone()).collect();
        out.extend(summed.into_iter().filter(|x| !alone.contains(&x.limit)));
    }
    if let Some(s) = &d.schedule {
        for step in &s.steps {
            let Some(q) = &step.dose else { continue };
            let q = match oq(q) {
                Ok(q) => q,
                Err(e) => {
                    v(
                        &mut out,
                        UNREADABLE,
                        format!("schedule step {}: {e}", step.number),
                    );
                    continue;
                }
            };
            let what = format!(
                "schedule step {} ({}, {} {})",
                step.number,
                q.shown,
                s.direction,
                step.frequency.as_ref().map_or("", |f| f.text.as_str())
            );
            if !q.lo.is_positive() {
                v(&mut out, "a zero or negative schedule step", what.clone());
            }
            if let Some(f) = &step.frequency {
                if let Some(b) = bad_frequency(f) {
                    v(
                        &mut out,
                        "a zero or negative frequency is given",
                        format!("{what}: {b}"),
                    );
                }
            }
            let kind = format!("a schedule step ({})", s.direction);
            let e = Exposure {
                lo: q.lo.clone(),
                hi: q.hi.clone(),
                dim: q.dim,
                what: what.clone(),
            };
            hold(&limits, &single, &e, &kind, &mut out);
            if let Ok((l, h)) = daily_of(&q, step.frequency.as_ref()) {
                for (end, val) in [("low", l + &sum_lo), ("high", h + &sum_hi)] {
                    let e = Exposure {
                        lo: val.clone(),
                        hi: val,
                        dim: MASS_RATE,
                        what: format!("{what}, daily total with the other doses ({end} end)"),
                    };
                    hold(
                        &limits,
                        &daily,
                        &e,
                        &format!("{kind}'s daily total"),
                        &mut out,
                    );
                }
            }
        }
    }
    if let Some(prop) = d.proposal() {
        let mut exposures = Vec::new();
        if prop.allowed {
            exposures.push(("an allowed proposal", oq(&prop.value)));
        }
        if let Some(r) = &prop.allowed_range {
            exposures.push(("an allowed range's low end", oq(r.low())));
            exposures.push(("an allowed range's high end", oq(r.high())));
        }
        for (kind, q) in exposures {
            let q = match q {
                Ok(q) => q,
                Err(e) => {
                    v(&mut out, UNREADABLE, format!("{kind}: {e}"));
                    continue;
                }
            };
            let what = format!("{kind} {} (allowed: {})", q.shown, prop.allowed);
            if q.dim != MASS {
                v(&mut out, "a proposal of an unexpected kind", what);
                continue;
            }
            let e = Exposure {
                lo: q.lo.clone(),
                hi: q.hi.clone(),
                dim: q.dim,
                what: what.clone(),
            };
            hold(&limits, &single, &e, kind, &mut out);
            let (l, h) = proposal_daily(&q, p.proposal_freq);
            let e = Exposure {
                lo: l,
                hi: h,
                dim: MASS_RATE,
                what: format!("{what}, daily total"),
            };
            hold(
                &limits,
                &daily,
                &e,
                &format!("{kind}'s daily total"),
                &mut out,
            );
        }
    }
    out
}

/// A proposal's daily total at the protocol's frequency for it (once a day without one).
fn proposal_daily(q: &OQ, freq: Option<&str>) -> (BigRational, BigRational) {
    match freq {
        None => (&q.lo / day(), &q.hi / day()),
        Some(f) if f.contains(' ') => {
            let t = parse_quantity(f).expect("interval literal").lo;
            (&q.lo / &t, &q.hi / &t)
        }
        Some(f) => {
            let n = parse_quantity(f).expect("count literal").lo;
            (&q.lo * &n / day(), &q.hi * &n / day())
        }
    }
}

// ------------------------------------------------------------------ running a case

/// What the runs saw (to keep the test from going hollow).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub protocols: usize,
    pub accepted: usize,
    pub patients: usize,
    pub patients_refused: usize,
    pub eval_errors: usize,
    pub decisions: usize,
    /// Decisions that list a dose or a schedule step.
    pub with_dose: usize,
    pub give: usize,
    pub refused: usize,
    pub other_status: usize,
    pub allowed_proposals: usize,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.protocols += o.protocols;
        self.accepted += o.accepted;
        self.patients += o.patients;
        self.patients_refused += o.patients_refused;
        self.eval_errors += o.eval_errors;
        self.decisions += o.decisions;
        self.with_dose += o.with_dose;
        self.give += o.give;
        self.refused += o.refused;
        self.other_status += o.other_status;
        self.allowed_proposals += o.allowed_proposals;
    }
}

/// A failing case: the protocol, the patient, what was decided and what is wrong.
#[derive(Clone, Debug)]
pub struct Failure {
    pub protocol: String,
    pub patient: Option<String>,
    pub decided: String,
    pub violations: Vec<Violation>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "\n=== protocol ===\n{}", self.protocol)?;
        if let Some(p) = &self.patient {
            writeln!(f, "=== patient ===\n{p}")?;
        }
        writeln!(f, "=== decided ===\n{}", self.decided)?;
        writeln!(f, "=== violations ===")?;
        for v in &self.violations {
            writeln!(f, "- {}: {}", v.class, v.detail)?;
        }
        Ok(())
    }
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// Parses and checks a generated protocol (never a panic; an accepted protocol must refuse
/// what the spec makes a `check` error). `Ok(None)` when `check` refuses it.
pub fn check_protocol(p: &Protocol, stats: &mut Stats) -> Result<Option<Checked>, Failure> {
    stats.protocols += 1;
    let fail = |violations: Vec<Violation>, decided: String| Failure {
        protocol: p.text.clone(),
        patient: None,
        decided,
        violations,
    };
    let (program, diags) = catch_unwind(AssertUnwindSafe(|| {
        Checked::check("generated.dose", &p.text)
    }))
    .map_err(|e| {
        let mut out = Vec::new();
        v(&mut out, "check panics", panic_text(&*e));
        fail(out, String::new())
    })?;
    let mut out = Vec::new();
    for d in &diags {
        if !d.code.starts_with("posology::") {
            v(
                &mut out,
                "a diagnostic without a posology code",
                format!("{d:?}"),
            );
        }
    }
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    let Some(program) = program else {
        if std::env::var_os("GATE_PROP_SHOW_REFUSED").is_some() {
            eprintln!(
                "check refuses:\n{}\n{:#?}",
                p.text,
                diags
                    .iter()
                    .map(|d| (d.code, &d.message))
                    .collect::<Vec<_>>()
            );
        }
        return if out.is_empty() {
            Ok(None)
        } else {
            Err(fail(out, format!("{codes:?}")))
        };
    };
    stats.accepted += 1;
    // Spec 3: every dose is held by some hard limit of its kind.
    let hard = |t: &[Target]| p.limits.iter().any(|l| l.hard && t.contains(&l.target));
    if p.gives_single && !hard(&[Target::Dose, Target::Bolus, Target::Daily]) {
        v(
            &mut out,
            "check accepts a dose that no hard limit can hold",
            "an amount, with no hard dose, bolus or daily limit".into(),
        );
    }
    if p.gives_rate && !hard(&[Target::Daily]) {
        v(
            &mut out,
            "check accepts a dose that no hard limit can hold",
            "a rate, with no hard daily limit".into(),
        );
    }
    // Spec 4: a constant zero/negative dose or frequency, or a reversed range.
    for bad in &p.static_bad {
        v(
            &mut out,
            "check accepts a constant zero/negative dose or frequency, or a reversed range",
            bad.clone(),
        );
    }
    if out.is_empty() {
        Ok(Some(program))
    } else {
        Err(fail(out, format!("accepted; diagnostics {codes:?}")))
    }
}

/// A decision, briefly, as the oracle read it.
pub fn summary(d: &Decision) -> String {
    let mut s = format!("status {}", d.status.word());
    for dose in &d.doses {
        let amount = match &dose.amount {
            Amount::One(q) => q.to_string(),
            Amount::Range(a, b) => format!("{a}..{b}"),
        };
        let freq = dose
            .frequency
            .as_ref()
            .map_or(String::new(), |f| format!(" {}", f.text));
        let daily = match &dose.daily_total {
            Some(Amount::One(q)) => format!(" (daily {q})"),
            Some(Amount::Range(a, b)) => format!(" (daily {a}..{b})"),
            None => String::new(),
        };
        let form = dose
            .form
            .as_deref()
            .map_or(String::new(), |f| format!(" {f}"));
        let _ = write!(s, "\n  give {amount}{form}{freq}{daily} [{}]", dose.rule);
    }
    if let Some(sc) = &d.schedule {
        let steps: Vec<String> = sc
            .steps
            .iter()
            .map(|st| match &st.dose {
                Some(q) => format!(
                    "{q}{}",
                    st.frequency
                        .as_ref()
                        .map_or(String::new(), |f| format!(" {}", f.text))
                ),
                None => "stop".into(),
            })
            .collect();
        let _ = write!(s, "\n  schedule {}: [{}]", sc.direction, steps.join(", "));
    }
    if let Some(p) = d.proposal() {
        let range = p.allowed_range.as_ref().map_or(String::new(), |r| match r {
            Amount::One(q) => format!(" range {q}"),
            Amount::Range(a, b) => format!(" range {a}..{b}"),
        });
        let _ = write!(
            s,
            "\n  proposal {} allowed={}{range}: {}",
            p.value, p.allowed, p.reason
        );
    }
    for r in &d.reasons {
        let _ = write!(s, "\n  {} [{}]: {}", r.kind.word(), r.rule, r.text);
    }
    s
}

/// Reads a patient and evaluates it; the decision is held to the oracle.
pub fn run_patient(
    p: &Protocol,
    program: &Checked,
    patient: &Patient,
    stats: &mut Stats,
) -> Result<(), Failure> {
    stats.patients += 1;
    let json = patient.json();
    let fail = |violations: Vec<Violation>, decided: String| Failure {
        protocol: p.text.clone(),
        patient: Some(json.clone()),
        decided,
        violations,
    };
    let read = catch_unwind(AssertUnwindSafe(|| {
        program.read_patient("patient.json", &json, Format::Json, &[])
    }))
    .map_err(|e| {
        let mut out = Vec::new();
        v(&mut out, "reading a patient panics", panic_text(&*e));
        fail(out, String::new())
    })?;
    let values = match read {
        Ok(values) => values,
        Err(diags) => {
            stats.patients_refused += 1;
            let mut out = Vec::new();
            for d in diags.iter().filter(|d| !d.code.starts_with("posology::")) {
                v(
                    &mut out,
                    "a diagnostic without a posology code",
                    format!("{d:?}"),
                );
            }
            return if out.is_empty() {
                Ok(())
            } else {
                Err(fail(out, "patient refused".into()))
            };
        }
    };
    let options = posology::Options { trace: false };
    let result =
        catch_unwind(AssertUnwindSafe(|| program.evaluate(&values, options))).map_err(|e| {
            let mut out = Vec::new();
            v(&mut out, "evaluation panics", panic_text(&*e));
            fail(out, String::new())
        })?;
    let decision = match result {
        Ok(d) => d,
        Err(d) => {
            stats.eval_errors += 1;
            if std::env::var_os("GATE_PROP_SHOW_ERRORS").is_some() {
                eprintln!("eval error: {} {}", d.code, d.message);
            }
            // `check` refuses every unguarded use of a value that may be missing
            // (`posology::check::maybe_missing`), so a protocol it accepted never stops for one.
            let missed = d.code == "posology::eval::missing";
            if d.code.starts_with("posology::") && !missed {
                return Ok(());
            }
            let mut out = Vec::new();
            let what = if missed {
                "a checked protocol needs a value the patient lacks"
            } else {
                "a diagnostic without a posology code"
            };
            v(&mut out, what, format!("{d:?}"));
            return Err(fail(out, "evaluation error".into()));
        }
    };
    stats.decisions += 1;
    match decision.status {
        Status::Give => stats.give += 1,
        Status::Refused => stats.refused += 1,
        _ => stats.other_status += 1,
    }
    let step_given = decision
        .schedule
        .as_ref()
        .is_some_and(|s| s.steps.iter().any(|st| st.dose.is_some()));
    if !decision.doses.is_empty() || step_given {
        stats.with_dose += 1;
    }
    if decision.proposal().is_some_and(|p| p.allowed) {
        stats.allowed_proposals += 1;
    }
    let violations = check_decision(p, patient, &decision);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(fail(violations, summary(&decision)))
    }
}

/// One protocol from `protocol_choices`, then a patient from each of `patient_choices`.
pub fn run_case(
    protocol_choices: &[u32],
    patient_choices: &[Vec<u32>],
    stats: &mut Stats,
) -> Result<(), Failure> {
    let p = protocol(&mut Gen::new(protocol_choices));
    let Some(program) = check_protocol(&p, stats)? else {
        return Ok(());
    };
    for choices in patient_choices {
        let patient = patient(&mut Gen::new(choices));
        run_patient(&p, &program, &patient, stats)?;
    }
    Ok(())
}
