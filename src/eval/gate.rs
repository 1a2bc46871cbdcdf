//! The safety gate: the last step of every evaluation, and the only place that decides whether
//! a decision may give anything. Whatever the rules, schedules and proposals produced, the gate
//! holds every dose the decision would give against every hard limit, and a decision that
//! breaks one gives nothing.
//!
//! Its rules (the README's "What a hard limit guarantees" says the same for pharmacists):
//! * A hard limit applies when its `when` holds, or when its `when` cannot be decided (an input
//!   it reads is missing): fail closed. A limit whose bound cannot be worked out for this
//!   patient holds every dose of its kind back.
//! * Every single administration (each end of a range, each schedule step, an allowed proposal
//!   and each end of an allowed range) is held against the `dose` and `bolus` limits of its
//!   dimension; a `bolus` limit holds every single administration, whatever its form word.
//! * Daily totals count whole doses on the day they fall: `N times daily` and `every T` give
//!   N (or one day over T) rounded down for the least and up for the most in one day; no
//!   frequency is one administration that day; a rate counts as itself per day. The totals of
//!   all doses given together are summed (least and most apart), and a schedule step's total
//!   includes those doses. Maxima hold the most, minima the least, and minima bound only
//!   totals (one dose of several may be below a daily minimum).
//! * Every dose must be held by at least one hard maximum that applies; a zero or negative
//!   dose or frequency, a rate given as a bolus, or a range whose low end is above its high
//!   end, is refused. A limit reading the phase input applies in every phase of the path.
//! * A refused decision allows no proposal.
//! * A breach by the decision's own doses refuses the decision: status `refused`, no dose and
//!   no schedule, the reasons naming each limit with its `because` and `source`. A breach by a
//!   proposal refuses the proposal only (`proposal.allowed = false`).
//!
//! Arithmetic that fails here (an overflow, say) is itself a reason to refuse: the gate never
//! lets a dose through that it could not verify.

use std::cmp::Ordering;

use super::actions::is_rate;
use super::budget::Budget;
use super::decision::*;
use super::expr::Env;
use super::{FiredIds, Trace};
use crate::check::{CExpr, CExprKind, Level, LimitSpec, LimitTarget, Name};
use crate::ops::{BinaryOp, CmpOp, IsTest, UnaryOp};
use crate::units::{Dim, Quantity};
use crate::value::Value;
use smallvec::SmallVec;

/// The reason id of refusals that are not one limit's (a negative dose, an unheld dose).
pub const GATE_ID: &str = "safety gate";

/// The code of the message a hard limit's breach leaves (refused, or a range capped).
pub const HARD_LIMIT_CODE: &str = "limit.hard";

/// The code of the message a soft limit's breach leaves (a warning).
pub const SOFT_LIMIT_CODE: &str = "limit.soft";

/// True when a hard or soft limit applies to this patient: its `when` holds or cannot be
/// decided (a value it reads is missing), so a limit is never switched off by missing data.
pub(super) fn limit_applies(env: &mut Env<'_>, limit: &LimitSpec) -> bool {
    match &limit.when {
        None => true,
        Some(condition) => decide(env, condition) != Some(false),
    }
}

/// A condition in three-valued logic: `None` when it depends on a missing value. `and`, `or`
/// and `not` follow Kleene's tables, so `kind is not missing and kind == child` is decided
/// (false) for a patient without `kind`, while `kind == child` alone is not.
fn decide(env: &mut Env<'_>, e: &CExpr) -> Option<bool> {
    match &e.kind {
        CExprKind::Binary(BinaryOp::And, a, b) => match (decide(env, a), decide(env, b)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        CExprKind::Binary(BinaryOp::Or, a, b) => match (decide(env, a), decide(env, b)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        CExprKind::Unary(UnaryOp::Not, a) => decide(env, a).map(|b| !b),
        _ if reads_missing(env, e) => None,
        _ => env.truth(e).ok(),
    }
}

/// True when the expression reads a missing input or a `let` that cannot be worked out,
/// other than through `is missing` / `is not missing`, which are made to read missing values.
///
/// No depth guard: the parser bounds an expression's depth (`syntax::expr::MAX_EXPR_DEPTH`), and
/// the evaluator walks the same tree the same way.
fn reads_missing(env: &mut Env<'_>, e: &CExpr) -> bool {
    let walk = |env: &mut Env<'_>, x: &CExpr| reads_missing(env, x);
    match &e.kind {
        CExprKind::Const(_) | CExprKind::Item { .. } => false,
        CExprKind::Input(slot) => env.inputs.get(*slot).is_none_or(|v| v.is_missing()),
        CExprKind::Let(slot) => env.let_is_missing(*slot),
        CExprKind::Is(_, IsTest::Missing | IsTest::NotMissing) => false,
        CExprKind::Is(x, _)
        | CExprKind::Field(x, _)
        | CExprKind::Project(x, _)
        | CExprKind::Unary(_, x) => walk(env, x),
        CExprKind::Binary(_, a, b)
        | CExprKind::Round(a, _, b)
        | CExprKind::RoundOf(a, _, b)
        | CExprKind::Index(a, b) => walk(env, a) || walk(env, b),
        // Only ever the definition of a `let`, read through `CExprKind::Let` above.
        CExprKind::Table(t) => walk(env, &t.key),
        CExprKind::If(c, a, b) => walk(env, c) || walk(env, a) || walk(env, b),
        CExprKind::List(xs) | CExprKind::Call(_, xs) => xs.iter().any(|x| walk(env, x)),
    }
}

/// Holds the decision against every hard limit; refuses what breaks one (see the module doc).
pub(super) fn enforce(
    env: &mut Env<'_>,
    decision: &mut Decision,
    trace: &mut Trace,
    fired: &mut FiredIds,
) {
    let budget = env.budget().clone();
    let limits = applicable_hard_limits(env, &decision.path);
    let mut own = own_breaches(&limits.bounds, decision, &budget);
    let mut offer = proposal_breaches(&limits.bounds, decision, &budget);
    let mut choices = alternative_breaches(&limits.bounds, decision, &budget);
    let all = own
        .iter_mut()
        .chain(offer.iter_mut().flatten())
        .chain(choices.iter_mut().flatten());
    fill_reasons(env, &limits, all);
    if budget.exhausted_at().is_some() {
        // What was not held cannot be given: the whole decision and its proposal are refused
        // (and `evaluate` turns the decision into the work-budget error).
        let out_of_steps = [own_problem(format!(
            "deciding for this patient took more than {} steps, so its doses could not all be \
             held against the hard limits",
            super::WORK_BUDGET
        ))];
        refuse_decision(decision, &out_of_steps, trace, fired);
        for p in &mut decision.proposals {
            refuse_proposal(p, &out_of_steps, trace, fired);
        }
        refuse_proposal_of_refused_decision(decision);
        return;
    }
    if !own.is_empty() {
        refuse_decision(decision, &own, trace, fired);
    } else if !decision.alternatives.is_empty() {
        judge_alternatives(decision, choices, trace, fired);
    }
    for (p, breaches) in decision.proposals.iter_mut().zip(&offer) {
        refuse_proposal(p, breaches, trace, fired);
    }
    refuse_proposal_of_refused_decision(decision);
}

/// Nothing can be allowed for a patient whose decision is refused (data missing, a rule that
/// refuses, a hard limit broken): a proposal then gets the decision's reason.
fn refuse_proposal_of_refused_decision(decision: &mut Decision) {
    if decision.status != Status::Refused {
        return;
    }
    let Some(first) = decision
        .reasons
        .iter()
        .find(|r| r.kind == ReasonKind::Refuse)
    else {
        return;
    };
    for p in decision.proposals.iter_mut().filter(|p| p.allowed) {
        p.allowed = false;
        p.reason = format!(
            "the decision is refused, so no change is allowed: {}",
            first.text
        );
        p.rule = Some(first.rule.clone());
        p.source = first.source.clone();
        p.allowed_range = None;
    }
}

/// A hard limit that applies to this patient, with its bound (`None`: cannot be worked out).
struct Bound<'p> {
    limit: &'p LimitSpec,
    dim: Option<Dim>,
    value: Option<Quantity>,
    /// The values it applies for: 0 for the patient's as given, `n` for the `n`th other phase
    /// of the path (see [`Limits::others`]). Its reason is written out with these values, and
    /// only for a breach (see [`fill_reasons`]): most doses break no limit.
    variant: usize,
}

/// The hard limits that apply: most protocols have a few, kept in place (no list allocated
/// for each patient).
type Bounds<'p> = SmallVec<[Bound<'p>; 4]>;

/// The hard limits that apply, and the values of the path's other phases they were judged for.
struct Limits<'p> {
    bounds: Bounds<'p>,
    /// The patient's values with the phase-choosing input set to each other phase of the path.
    others: Vec<Vec<Value>>,
}

/// The hard limits that apply, each with its bound. A limit that reads the input choosing the
/// phase (`when phase == titrate`) is judged for every phase the decision went through, since
/// `goto` moves the patient on while the input stays: it applies if it applies in any of them.
///
/// The patient's own values are those of `env`, the evaluation's environment: the `let`s its
/// rules already worked out are not worked out again. Table rows first read here are not the
/// trace's (the trace lists the rows the rules read), so they are set aside.
fn applicable_hard_limits<'p>(env: &mut Env<'p>, path: &[Name]) -> Limits<'p> {
    let program = env.program;
    let budget = env.budget().clone();
    let others = phase_variants(env, path);
    let mut bounds = Bounds::new();
    let pending = env.take_lookups();
    let all_held = bounds_for(program, env, 0, &mut bounds);
    env.restore_lookups(pending);
    if all_held {
        for (i, inputs) in others.iter().enumerate() {
            let mut variant = Env::with_budget(program, inputs, budget.clone());
            if !bounds_for(program, &mut variant, i + 1, &mut bounds) {
                break;
            }
        }
    }
    Limits { bounds, others }
}

/// Adds the hard limits that apply for `env`'s values (variant number `variant`) to `out`;
/// false when the work budget ran out.
fn bounds_for<'p>(
    program: &'p crate::check::Program,
    env: &mut Env<'_>,
    variant: usize,
    out: &mut Bounds<'p>,
) -> bool {
    let budget = env.budget().clone();
    for (index, limit) in program.limits.iter().enumerate().filter(|(_, l)| l.hard) {
        if budget.exhausted_at().is_some() {
            // Nothing more can be worked out; `enforce` refuses the decision.
            return false;
        }
        let (applies, value) = super::limits::verdict(env, index, limit);
        if !applies {
            continue;
        }
        let dim = limit
            .value
            .ty
            .dim()
            .or_else(|| value.as_ref().map(|v| v.dim()));
        out.push(Bound {
            limit,
            dim,
            value,
            variant,
        });
    }
    true
}

/// Writes each broken limit's reason, with the values it applied for, at the end of the
/// breach's text (`…: because`); a reason that cannot be written out (the budget ran out) is
/// shown as written. Each limit's reason is written once.
fn fill_reasons<'a>(
    env: &mut Env<'_>,
    limits: &Limits<'_>,
    breaches: impl Iterator<Item = &'a mut Breach>,
) {
    let mut written: Vec<Option<Option<String>>> = Vec::new();
    for b in breaches {
        let Some(i) = b.because_of.take() else {
            continue;
        };
        let Some(bound) = limits.bounds.get(i) else {
            continue;
        };
        if written.len() <= i {
            written.resize(limits.bounds.len(), None);
        }
        let because = written[i].get_or_insert_with(|| {
            let limit = bound.limit;
            let render = |env: &mut Env<'_>| match super::limits::reason(env, limit) {
                Ok(text) => text.map(super::text::Text::into_string),
                Err(_) => limit.because.clone(),
            };
            match bound.variant.checked_sub(1) {
                None => {
                    let pending = env.take_lookups();
                    let text = render(env);
                    env.restore_lookups(pending);
                    text
                }
                Some(k) => {
                    let inputs = limits.others.get(k).map_or(env.inputs, Vec::as_slice);
                    let budget = env.budget().clone();
                    render(&mut Env::with_budget(env.program, inputs, budget))
                }
            }
        });
        if let Some(because) = because {
            b.text.push_str(": ");
            b.text.push_str(because);
        }
    }
}

/// The patient's values once more for each other phase of the path, with the phase-choosing
/// input set to that phase (the values as given are the evaluation's own).
fn phase_variants(env: &Env<'_>, path: &[Name]) -> Vec<Vec<Value>> {
    let program = env.program;
    let given = env.inputs;
    let mut out = Vec::new();
    let Some(CExprKind::Input(slot)) = program.begin.as_ref().map(|b| &b.kind) else {
        return out;
    };
    let Some(Value::Enum(id, current)) = given.get(*slot).cloned() else {
        return out;
    };
    let first_choice = |p: usize| program.begin_choice_of_phase.get(p).copied().flatten();
    for name in path {
        // Each variant is a copy of the patient's values.
        let begin_span = program
            .begin
            .as_ref()
            .map_or_else(Default::default, |b| b.span);
        if !env.budget().spend(given.len() as u64 + 1, begin_span) {
            return out;
        }
        let choice = phase_index(program, name).and_then(first_choice);
        if let Some(choice) = choice.and_then(|c| u32::try_from(c).ok()) {
            if choice != current {
                let mut inputs = given.to_vec();
                inputs[*slot] = Value::Enum(id, choice);
                out.push(inputs);
            }
        }
    }
    out
}

/// The place of the phase `name` in the program: a few phases are looked through one by one
/// (hashing the name cost more), more through the program's map of them.
fn phase_index(program: &crate::check::Program, name: &Name) -> Option<usize> {
    const SCAN: usize = 8;
    if program.phases.len() > SCAN {
        return program.phase_index(name);
    }
    program.phases.iter().position(|p| p.name == *name)
}

/// Whether a value is one administration or a total per day.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scale {
    Single,
    Daily,
}

/// What a thing given is, for a reason ("the dose 20 mg 4 times daily"): written out only
/// when a reason needs it, since most doses break no limit and the words cost more than the
/// check.
#[derive(Clone, Default)]
enum What<'d> {
    /// Nothing to hold (a schedule's stop step).
    #[default]
    Nothing,
    /// "the dose …", a dose the decision gives.
    Dose {
        amount: &'d Amount,
        frequency: Option<&'d str>,
    },
    /// "the proposed dose …".
    Proposed(&'d Quantity),
    /// "the allowed dose …", an end of a proposal's allowed range.
    Allowed(&'d Quantity),
    /// "step N of the schedule (…)".
    Step(usize, &'d Quantity),
    /// "step N of the schedule (300 mg 3 times daily)": a step written with its own frequency.
    StepAt(usize, &'d Quantity, &'d str),
    /// "all doses given together".
    Together,
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Nothing => Ok(()),
            What::Dose { amount, frequency } => {
                match amount {
                    Amount::One(q) => write!(f, "the dose {q}")?,
                    Amount::Range(lo, hi) => write!(f, "the dose {lo} to {hi}")?,
                }
                match frequency {
                    Some(text) => write!(f, " {text}"),
                    None => Ok(()),
                }
            }
            What::Proposed(q) => write!(f, "the proposed dose {q}"),
            What::Allowed(q) => write!(f, "the allowed dose {q}"),
            What::Step(number, dose) => write!(f, "step {number} of the schedule ({dose})"),
            What::StepAt(number, dose, freq) => {
                write!(f, "step {number} of the schedule ({dose} {freq})")
            }
            What::Together => f.write_str("all doses given together"),
        }
    }
}

/// What an exposure is, for a reason: the thing given ([`What`]), or it "with the doses given
/// alongside" (its daily total with them).
struct Named<'a, 'd> {
    what: &'a What<'d>,
    alongside: bool,
}

impl std::fmt::Display for Named<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.alongside {
            write!(f, "{} with the doses given alongside", self.what)
        } else {
            write!(f, "{}", self.what)
        }
    }
}

/// Something the decision would give, to be held against the limits.
struct Exposure {
    /// The value held against ceilings (the most it can be).
    value: Quantity,
    /// The value held against floors (the least it can be), or `None` where floors do not
    /// apply: a dose's own daily total, when a floor bounds what all doses add up to.
    floor_value: Option<Quantity>,
    scale: Scale,
    /// Whether it is the thing given's total with the doses given alongside ("… with the doses
    /// given alongside"); what the thing is, for the reason, is its [`Given`]'s.
    alongside: bool,
}

/// Why the gate refuses.
struct Breach {
    /// The limit broken, or `None` for a refusal of the gate's own (negative dose, no limit).
    limit: Option<LimitId>,
    text: String,
    /// The bound (by its place in [`Limits::bounds`]) whose reason still goes at the end of
    /// `text` ([`fill_reasons`]).
    because_of: Option<usize>,
}

#[derive(Clone)]
struct LimitId {
    id: Name,
    source: Option<Name>,
}

/// One thing given (a dose, a schedule step, a proposal): its single administrations, its
/// daily totals, and problems found before any limit is consulted.
#[derive(Default)]
struct Given<'d> {
    exposures: Exposures,
    problems: Vec<String>,
    /// Its daily total's low and high end, to add to the other doses given with it.
    daily: Option<(Quantity, Quantity)>,
    /// What it is, for a reason ("the dose 20 mg 4 times daily"): written out only for one.
    what: What<'d>,
}

/// A given thing's exposures, in the order added. Most have at most four (a dose's two ends,
/// its own daily total, its total with the doses alongside): those are kept in place, with no
/// list to allocate for each dose held.
type Exposures = SmallVec<[Exposure; 4]>;

fn own_breaches(limits: &[Bound<'_>], decision: &Decision, budget: &Budget) -> Vec<Breach> {
    let mut breaches = Vec::new();
    // Each dose is held on its own, in order, its daily total added to those of the doses
    // before it as it goes (no list of them is kept): the sums are the same, and their
    // problem or breaches still come after every dose's own.
    // One sum per dimension: most decisions give doses of one (kept in place, no list).
    let mut together: Result<SmallVec<[(Quantity, Quantity); 2]>, String> = Ok(SmallVec::new());
    // What the totals are, for a reason: the one dose's, or all doses together.
    let mut what = What::Together;
    let one = decision.doses.len() == 1;
    for dose in &decision.doses {
        let mut g = given_dose(dose);
        check_given(limits, &g, &mut breaches, budget);
        if let (Ok(sums), Some((lo, hi))) = (&mut together, g.daily.take()) {
            match add_daily(sums.iter_mut(), lo, hi) {
                Ok(None) => {}
                Ok(Some(new)) => sums.push(new),
                Err(text) => together = Err(text),
            }
        }
        if one {
            what = std::mem::take(&mut g.what);
        }
    }
    match &together {
        Err(text) => breaches.push(own_problem(text.clone())),
        Ok(sums) => {
            for (least, most) in sums.iter() {
                hold(
                    limits,
                    &total(least.clone(), most.clone()),
                    &what,
                    &mut breaches,
                    budget,
                );
            }
        }
    }
    if let Some(schedule) = &decision.schedule {
        if !schedule.steps.iter().any(|s| s.dose.is_some()) {
            breaches.push(own_problem(
                "the schedule has no step that can be given within the hard limits".into(),
            ));
        }
        let with: Vec<(Quantity, Quantity)> = match together {
            Ok(sums) => sums.into_iter().collect(),
            Err(_) => Vec::new(),
        };
        // A schedule written step by step may change the frequency: each step is named with it.
        let with_frequency = schedule.direction == "steps";
        for step in schedule.steps.iter().filter(|s| !s.stop) {
            let g = given_step(step, &with, with_frequency);
            check_given(limits, &g, &mut breaches, budget);
        }
    }
    breaches
}

/// Each alternative's breaches: its own dose, and its total per day with the decision's other
/// doses (the total the patient gets if it is chosen).
fn alternative_breaches(
    limits: &[Bound<'_>],
    decision: &Decision,
    budget: &Budget,
) -> Vec<Vec<Breach>> {
    if decision.alternatives.is_empty() {
        // No alternative, nothing to hold: what is given alongside one is not worked out.
        return Vec::new();
    }
    let doses: Vec<(Quantity, Quantity)> = decision
        .doses
        .iter()
        .filter_map(|d| given_dose(d).daily)
        .collect();
    // What is given with an alternative: the decision's doses, and on each day of a schedule
    // its step as well (an alternative is taken beside every step).
    let mut alongside = vec![sum_daily(doses.iter().cloned())];
    if let Some(schedule) = &decision.schedule {
        for step in schedule.steps.iter().filter(|s| !s.stop) {
            let step_daily = given_step(step, &[], false).daily;
            alongside.push(sum_daily(doses.iter().cloned().chain(step_daily)));
        }
    }
    decision
        .alternatives
        .iter()
        .map(|alt| {
            let mut breaches = Vec::new();
            for with in &alongside {
                match with {
                    Ok(with) => {
                        let g = given_alternative(&alt.dose, with);
                        check_given(limits, &g, &mut breaches, budget);
                    }
                    Err(text) => breaches.push(own_problem(text.clone())),
                }
            }
            breaches
        })
        .collect()
}

/// Adds to `g` its daily total with the doses given with it (`with`), held against ceilings and
/// floors like any total; a total that cannot be added up is a problem of `g`.
fn add_alongside(g: &mut Given, with: &[(Quantity, Quantity)]) {
    let Some(own) = &g.daily else {
        return;
    };
    match sum_daily(std::iter::once(own.clone()).chain(with.iter().cloned())) {
        Ok(sums) => {
            let alongside = !with.is_empty();
            for (least, most) in sums {
                g.exposures.push(Exposure {
                    alongside,
                    ..total(least, most)
                });
            }
        }
        Err(text) => g.problems.push(text),
    }
}

/// An alternative as the gate sees it: a dose, and its daily total with the doses given with it
/// held against ceilings and floors.
fn given_alternative<'d>(dose: &'d Dose, with: &[(Quantity, Quantity)]) -> Given<'d> {
    let mut g = given_dose(dose);
    add_alongside(&mut g, with);
    g
}

/// Marks each alternative that breaks a hard limit as refused, naming each limit once; the
/// others stay offered. When none is left, the decision is refused with all their reasons.
fn judge_alternatives(
    decision: &mut Decision,
    choices: Vec<Vec<Breach>>,
    trace: &mut Trace,
    fired: &mut FiredIds,
) {
    for (alt, breaches) in decision.alternatives.iter_mut().zip(&choices) {
        if breaches.is_empty() {
            fired.note(&Name::counted(alt.id.as_str()));
            continue;
        }
        alt.allowed = false;
        let mut named: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for b in breaches {
            let key = b.limit.as_ref().map_or(b.text.as_str(), |l| l.id.as_str());
            if !named.insert(key) {
                continue;
            }
            let (rule, source) = match &b.limit {
                Some(l) => (l.id.clone(), l.source.clone()),
                None => (Name::from_static(GATE_ID), None),
            };
            alt.refusals.push(Reason {
                kind: ReasonKind::Refuse,
                text: b.text.clone(),
                rule,
                source,
            });
            record(b, "hard limit: alternative refused", trace, fired);
        }
    }
    if decision.alternatives.iter().all(|a| !a.allowed) {
        // Each alternative's own reasons, named, so that none hides behind another's breach
        // of the same limit.
        let mut all = Vec::new();
        for (alt, breaches) in decision.alternatives.iter().zip(choices) {
            let mut named: std::collections::HashSet<Option<Name>> = Default::default();
            for b in breaches {
                if named.insert(b.limit.as_ref().map(|l| l.id.clone())) {
                    all.push(Breach {
                        text: format!("the alternative {}: {}", alt.name, b.text),
                        limit: b.limit,
                        because_of: None,
                    });
                }
            }
        }
        refuse_decision_by(decision, &all, trace, fired, |b| b.text.as_str());
    }
}

/// Each proposal's breaches, in the order of `decision.proposals`.
fn proposal_breaches(
    limits: &[Bound<'_>],
    decision: &Decision,
    budget: &Budget,
) -> Vec<Vec<Breach>> {
    decision
        .proposals
        .iter()
        .map(|p| one_proposal_breaches(limits, p, budget))
        .collect()
}

fn one_proposal_breaches(
    limits: &[Bound<'_>],
    p: &ProposalOutcome,
    budget: &Budget,
) -> Vec<Breach> {
    let mut breaches = Vec::new();
    if p.allowed {
        let g = given_alone(&p.value, p.frequency.as_ref(), What::Proposed(&p.value));
        check_given(limits, &g, &mut breaches, budget);
    }
    if let Some(range) = &p.allowed_range {
        if range
            .low()
            .compare(range.high())
            .map_or(true, Ordering::is_gt)
        {
            breaches.push(own_problem(format!(
                "the allowed range runs from {} down to {}",
                range.low(),
                range.high()
            )));
        }
        // A range's low end may be zero (a stop is a change too); only a dose is checked.
        for end in [range.low(), range.high()]
            .into_iter()
            .filter(|q| q.is_positive())
        {
            let g = given_alone(end, p.frequency.as_ref(), What::Allowed(end));
            check_given(limits, &g, &mut breaches, budget);
        }
    }
    breaches
}

fn exposure(value: Quantity, scale: Scale) -> Exposure {
    Exposure {
        floor_value: Some(value.clone()),
        value,
        scale,
        alongside: false,
    }
}

/// A total per day: ceilings hold its most, floors its least.
fn total(least: Quantity, most: Quantity) -> Exposure {
    Exposure {
        value: most,
        floor_value: Some(least),
        scale: Scale::Daily,
        alongside: false,
    }
}

fn own_problem(text: String) -> Breach {
    Breach {
        limit: None,
        text,
        because_of: None,
    }
}

/// A given dose as the gate sees it.
fn given_dose(dose: &Dose) -> Given<'_> {
    let what = What::Dose {
        amount: &dose.amount,
        frequency: dose.frequency.as_ref().map(|f| f.text.as_str()),
    };
    let bolus = dose.form.as_deref() == Some("bolus");
    let (lo, hi) = (dose.amount.low(), dose.amount.high());
    let range = matches!(dose.amount, Amount::Range(..));
    let mut g = given_amount(lo, hi, range, dose.frequency.as_ref(), bolus, what);
    // `over 0 h`, `for -5 h` from the patient's data were shown as they came, in a decision
    // that gives: a dose is given over, or for, a time that is more than zero.
    for (word, time) in [("over", &dose.over), ("for", &dose.duration)] {
        let Some(time) = time else { continue };
        for end in [time.low(), time.high()] {
            if !end.is_positive() {
                let problem = format!(
                    "{}: `{word} {end}` is not a length of time (it must be more than zero)",
                    g.what
                );
                g.problems.push(problem);
            }
        }
    }
    g
}

/// An amount (`lo` and `hi` the same, `range` false) or a range from `lo` to `hi` at a
/// frequency: its single administrations and its daily totals. Its ends are borrowed: one
/// amount is not copied into an [`Amount`] to be held.
fn given_amount<'d>(
    lo: &Quantity,
    hi: &Quantity,
    range: bool,
    frequency: Option<&FrequencyOut>,
    bolus: bool,
    what: What<'d>,
) -> Given<'d> {
    let mut g = Given {
        exposures: Exposures::default(),
        problems: Vec::new(),
        daily: None,
        what,
    };
    // Its problems name it (written out only for a problem).
    let what = &g.what;
    let mut problems = Vec::new();
    for end in [lo, hi] {
        if !end.is_positive() {
            problems.push(format!(
                "{what}: {end} is not a dose (it must be more than zero)"
            ));
        }
    }
    if range && lo.compare(hi).map_or(true, Ordering::is_gt) {
        problems.push(format!(
            "{what}: the range's low end {lo} is above its high end {hi}"
        ));
    }
    if let Some(f) = frequency {
        if let Some(problem) = frequency_problem(f) {
            problems.push(format!("{what}: {problem}"));
        }
    }
    if bolus && is_rate(lo) {
        problems.push(format!(
            "{what}: a rate cannot be given as a bolus (a bolus is one amount)"
        ));
    }
    if !problems.is_empty() {
        g.problems = problems;
        return g;
    }
    if !is_rate(lo) {
        for end in [lo, hi] {
            g.exposures.push(exposure(end.clone(), Scale::Single));
        }
    }
    // One amount is its own low and high end: its daily total is worked out once.
    let daily = match range {
        false => per_day(lo, frequency),
        true => match (per_day(lo, frequency), per_day(hi, frequency)) {
            (Some((least, _)), Some((_, most))) => Some((least, most)),
            _ => None,
        },
    };
    match daily {
        Some((least, most)) => {
            // Its own total meets the ceilings; floors bound the total of all doses.
            g.exposures.push(Exposure {
                value: most.clone(),
                floor_value: None,
                scale: Scale::Daily,
                alongside: false,
            });
            g.daily = Some((least, most));
        }
        _ => {
            let problem = format!("{}: its daily total cannot be worked out", g.what);
            g.problems.push(problem);
        }
    }
    g
}

/// A dose given on its own (a proposal, an end of an allowed range): its total per day is its
/// own, held against floors too.
fn given_alone<'d>(
    amount: &Quantity,
    frequency: Option<&FrequencyOut>,
    what: What<'d>,
) -> Given<'d> {
    let mut g = given_amount(amount, amount, false, frequency, false, what);
    if let Some((least, most)) = g.daily.clone() {
        g.exposures.push(total(least, most));
    }
    g
}

/// A schedule step, its daily total including the doses given with it.
fn given_step<'d>(
    step: &'d Step,
    with: &[(Quantity, Quantity)],
    with_frequency: bool,
) -> Given<'d> {
    let Some(dose) = &step.dose else {
        return Given::default();
    };
    let what = match &step.frequency {
        Some(f) if with_frequency => What::StepAt(step.number, dose, f.text.as_str()),
        _ => What::Step(step.number, dose),
    };
    let mut g = given_amount(dose, dose, false, step.frequency.as_ref(), false, what);
    add_alongside(&mut g, with);
    g
}

/// Holds one given thing against the limits: its problems, each exposure, and that at least
/// one applicable limit holds it.
fn check_given(limits: &[Bound<'_>], g: &Given, breaches: &mut Vec<Breach>, budget: &Budget) {
    if matches!(g.what, What::Nothing) {
        return;
    }
    if !g.problems.is_empty() {
        breaches.extend(g.problems.iter().cloned().map(own_problem));
        return;
    }
    let mut held = false;
    for e in g.exposures.iter() {
        held |= hold(limits, e, &g.what, breaches, budget);
    }
    if !held {
        breaches.push(own_problem(format!(
            "{}: no hard maximum of the protocol applies to it for this patient, so it cannot \
             be given safely",
            g.what
        )));
    }
}

/// Holds one exposure against every applicable limit of its kind and dimension; returns
/// whether any limit held it (an unworkable bound counts: it refuses).
fn hold(
    limits: &[Bound<'_>],
    e: &Exposure,
    what: &What,
    breaches: &mut Vec<Breach>,
    budget: &Budget,
) -> bool {
    let mut held = false;
    // What the exposure is, for a reason.
    let what = Named {
        what,
        alongside: e.alongside,
    };
    let dim = e.value.dim();
    for (i, b) in limits.iter().enumerate() {
        // A step per limit held against: thousands of limits against thousands of doses are
        // bounded by the budget, and once it is spent `enforce` refuses the whole decision.
        let steps = super::budget::number_steps(&e.value)
            + b.value.as_ref().map_or(0, super::budget::number_steps);
        if !budget.spend(steps, b.limit.span) {
            return held;
        }
        let scale = match b.limit.target {
            LimitTarget::Dose | LimitTarget::Bolus => Scale::Single,
            LimitTarget::Daily => Scale::Daily,
        };
        if scale != e.scale || b.dim != Some(dim) {
            continue;
        }
        // Only a ceiling holds a dose: a floor alone would let any amount through.
        held |= matches!(b.limit.op, CmpOp::Lt | CmpOp::Le);
        let ceiling = matches!(b.limit.op, CmpOp::Lt | CmpOp::Le);
        let value = if ceiling {
            &e.value
        } else {
            match &e.floor_value {
                Some(v) => v,
                None => continue,
            }
        };
        let Some(bound) = &b.value else {
            breaches.push(limit_breach(
                b.limit,
                format!(
                    "{}: the hard limit `{} {} …` cannot be worked out for this patient (a value \
                     it needs is missing)",
                    what,
                    b.limit.target.word(),
                    b.limit.op.symbol()
                ),
            ));
            continue;
        };
        if !satisfies(value, b.limit.op, bound) {
            breaches.push(Breach {
                because_of: Some(i),
                ..limit_breach(b.limit, explain(e, &what, value, bound, b.limit))
            });
        }
    }
    held
}

fn limit_breach(limit: &LimitSpec, text: String) -> Breach {
    Breach {
        limit: Some(LimitId {
            id: limit.id.clone(),
            source: limit.source.clone(),
        }),
        text,
        because_of: None,
    }
}

/// Does `value op bound` hold? A comparison that fails does not.
fn satisfies(value: &Quantity, op: CmpOp, bound: &Quantity) -> bool {
    value.compare(bound).is_ok_and(|o| match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    })
}

/// Why `value` breaks `limit`, without the limit's reason ([`fill_reasons`] adds it).
fn explain(
    e: &Exposure,
    what: &Named<'_, '_>,
    value: &Quantity,
    bound: &Quantity,
    limit: &LimitSpec,
) -> String {
    let side = match limit.op {
        CmpOp::Lt | CmpOp::Le => "above",
        CmpOp::Gt | CmpOp::Ge => "below",
    };
    let rule = format!(
        "the hard limit {} {} {bound}",
        limit.target.word(),
        limit.op.symbol()
    );
    match e.scale {
        Scale::Single => format!("{what} is {side} {rule}"),
        Scale::Daily => format!(
            "the daily total of {} is {}, {side} {rule}",
            what,
            value
                .convert_to(&bound.unit)
                .unwrap_or_else(|_| value.clone())
        ),
    }
}

/// The least and the most that one administration `amount` at `frequency` gives in one day,
/// as rates. A fraction of a dose is a whole dose on the day it is given: `every 5 h` is 4 or
/// 5 doses in a day (not 4.8), and `every 1 week` or `0.5 times daily` is 0 or 1 (the
/// arithmetic is `units::daily`'s, which the verifier shares).
fn per_day(amount: &Quantity, frequency: Option<&FrequencyOut>) -> Option<(Quantity, Quantity)> {
    let doses = match frequency {
        // A rate is itself per day, whatever its frequency says.
        Some(f) if !is_rate(amount) => Some(doses_in_a_day(f)?),
        _ => None,
    };
    crate::units::daily::per_day(amount, doses)
}

/// The fewest and the most doses of a frequency that fall within one day: `N times daily`
/// rounded down and up, `every T` is one day over T rounded down and up (`None` when it
/// cannot be worked out).
pub(super) fn doses_in_a_day(f: &FrequencyOut) -> Option<(Quantity, Quantity)> {
    crate::units::daily::doses_in_a_day(f.times_per_day.as_ref(), f.every.as_ref())
}

fn frequency_problem(f: &FrequencyOut) -> Option<String> {
    let bad = |q: &Quantity| !q.is_positive();
    match (&f.times_per_day, &f.every) {
        (Some(n), _) if bad(n) => Some(format!("{n} doses a day is not a frequency")),
        // `~1.3333 times daily` is no instruction a nurse can follow, and its daily total
        // is no total of doses given.
        (Some(n), _) if !n.value.is_integer() => Some(format!(
            "{n} doses a day cannot be given: a dose is given a whole number of times a day \
             (`every T` for doses further apart)"
        )),
        (_, Some(t)) if bad(t) => Some(format!("every {t} is not an interval")),
        // Neither set cannot be worked out per day either: `per_day` refuses it.
        _ => None,
    }
}

/// Adds up daily totals (low ends and high ends apart), one sum per dimension.
fn sum_daily(
    totals: impl Iterator<Item = (Quantity, Quantity)>,
) -> Result<Vec<(Quantity, Quantity)>, String> {
    let mut sums: Vec<(Quantity, Quantity)> = Vec::new();
    for (lo, hi) in totals {
        if let Some(new) = add_daily(sums.iter_mut(), lo, hi)? {
            sums.push(new);
        }
    }
    Ok(sums)
}

/// Adds one daily total (its low and high end) to the sum of its dimension among `sums`;
/// `Some` of it when there is none yet (the caller adds it as a new sum, after the others).
fn add_daily<'a>(
    mut sums: impl Iterator<Item = &'a mut (Quantity, Quantity)>,
    lo: Quantity,
    hi: Quantity,
) -> Result<Option<(Quantity, Quantity)>, String> {
    match sums.find(|(s, _)| s.dim() == lo.dim()) {
        None => Ok(Some((lo, hi))),
        Some((slo, shi)) => {
            let add = |a: &Quantity, b: &Quantity| {
                a.add(b)
                    .map_err(|_| "the doses' daily totals cannot be added up".to_string())
            };
            *slo = add(slo, &lo)?;
            *shi = add(shi, &hi)?;
            Ok(None)
        }
    }
}

/// Refuses the decision: nothing is given. Each limit is named once (its first breach), and
/// one critical message says that nothing is given.
fn refuse_decision(
    decision: &mut Decision,
    breaches: &[Breach],
    trace: &mut Trace,
    fired: &mut FiredIds,
) {
    refuse_decision_by(decision, breaches, trace, fired, by_limit);
}

/// A breach's limit, or its text for a refusal of the gate's own.
fn by_limit(b: &Breach) -> &str {
    b.limit.as_ref().map_or(b.text.as_str(), |l| l.id.as_str())
}

/// [`refuse_decision`], naming once each breach of the same `key`.
fn refuse_decision_by(
    decision: &mut Decision,
    breaches: &[Breach],
    trace: &mut Trace,
    fired: &mut FiredIds,
    key: fn(&Breach) -> &str,
) {
    decision.status = Status::Refused;
    decision.doses.clear();
    decision.schedule = None;
    decision.alternatives.clear();
    let mut named: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for b in breaches {
        let (rule, source) = match &b.limit {
            Some(l) => (l.id.clone(), l.source.clone()),
            None => (Name::from_static(GATE_ID), None),
        };
        if !named.insert(key(b)) {
            continue;
        }
        decision.reasons.push(Reason {
            kind: ReasonKind::Refuse,
            text: b.text.clone(),
            rule,
            source,
        });
        record(b, "hard limit: decision refused", trace, fired);
    }
    decision.messages.push(Message {
        level: Level::Critical,
        code: Name::from_static(HARD_LIMIT_CODE),
        text: "Nothing is given: the decision breaks a hard limit (see the reasons); review it \
               with the prescriber"
            .into(),
        rule: Some(Name::from_static(GATE_ID)),
        source: None,
    });
}

/// Refuses the proposal (the decision's own doses stand).
fn refuse_proposal(
    p: &mut ProposalOutcome,
    breaches: &[Breach],
    trace: &mut Trace,
    fired: &mut FiredIds,
) {
    let Some(first) = breaches.first() else {
        return;
    };
    p.allowed_range = None;
    if !p.allowed {
        // Already refused by a rule of the phase, whose reason stands; only the range shown
        // as allowed went past a hard limit, and it is withdrawn.
        for b in breaches {
            record(b, "hard limit: allowed range withdrawn", trace, fired);
        }
        return;
    }
    p.allowed = false;
    p.reason = first.text.clone();
    p.rule = Some(
        first
            .limit
            .as_ref()
            .map_or_else(|| Name::from_static(GATE_ID), |l| l.id.clone()),
    );
    p.source = first.limit.as_ref().and_then(|l| l.source.clone());
    for b in breaches {
        record(b, "hard limit: proposal refused", trace, fired);
    }
}

fn record(b: &Breach, detail: &str, trace: &mut Trace, fired: &mut FiredIds) {
    let Some(limit) = &b.limit else {
        return;
    };
    fired.note(&limit.id);
    trace.push(|| TraceEntry {
        kind: "limit",
        id: limit.id.clone(),
        fired: true,
        source: limit.source.clone(),
        values: Default::default(),
        detail: Some(format!("{detail}: {}", b.text).into()),
    });
}

#[cfg(test)]
mod tests {
    //! The gate on the paths the bundled protocols never take: every frequency form, doses
    //! without frequency, sums, schedules up and down, ranges whose low end breaks a limit.

    // Through the library's front door, as every front end runs the gate.
    use crate::eval::{Decision, Options, Status};
    use crate::input::Format;
    use crate::protocol::Protocol;

    /// Holding a dose against a limit is charged for both numbers (one step each, more for a
    /// number too large for the fast path), so thousands of limits against thousands of doses
    /// stay within the work budget.
    #[test]
    fn holding_a_dose_against_a_limit_is_charged_for_both_numbers() {
        use crate::eval::budget::{Budget, BIG_NUMBER_STEPS};
        use crate::units::Quantity;
        let text = "protocol t {\n version \"1\"\n source \"s\"\n inputs { x: mg }\n \
                    limit dose <= 20 mg hard\n decide first { otherwise => give 5 mg }\n}\n";
        let protocol = Protocol::load("t.dose", text).unwrap_or_else(|d| panic!("{d:?}"));
        let limit = &protocol.program().limits[0];
        let q = |t: &str| Quantity::parse(t).unwrap_or_else(|e| panic!("{e}"));
        let exposure = super::Exposure {
            value: q("5 mg"),
            floor_value: None,
            scale: super::Scale::Single,
            alongside: false,
        };
        let proposed = q("5 mg");
        let what = super::What::Proposed(&proposed);
        for (bound, steps) in [
            ("20 mg", 2),
            ("100000000000000000000 mg", 1 + BIG_NUMBER_STEPS),
        ] {
            let bound = super::Bound {
                limit,
                dim: Some(q("1 mg").dim()),
                value: Some(q(bound)),
                variant: 0,
            };
            let budget = Budget::new(1_000);
            let held = super::hold(&[bound], &exposure, &what, &mut Vec::new(), &budget);
            assert!(held);
            assert_eq!(budget.left(), 1_000 - steps, "{steps}");
        }
    }

    /// The gate checks a `goto` path once per phase, each time with a copy of the patient's
    /// values, and charges the work budget for each copy (its inputs and one more), so a path
    /// thousands of phases long cannot copy the patient's data without limit.
    #[test]
    fn each_phase_variant_is_charged_for_its_copy_of_the_values() {
        let text = "protocol t {\n version \"1\"\n source \"s\"\n inputs { phase: a | b | c\n \
                    x: mg }\n begin at phase\n limit dose <= 20 mg hard\n phase a { decide \
                    first { otherwise => goto b } }\n phase b { decide first { otherwise => \
                    goto c } }\n phase c { decide first { otherwise => give 5 mg } }\n}\n";
        let protocol = Protocol::load("t.dose", text).unwrap_or_else(|d| panic!("{d:?}"));
        let patient = protocol
            .read_patient("p", r#"{"phase": "a", "x": "1 mg"}"#, Format::Json, &[])
            .unwrap_or_else(|d| panic!("{d:?}"));
        let budget = crate::eval::budget::Budget::new(1_000);
        let env = crate::eval::expr::Env::with_budget(
            protocol.program(),
            patient.values(),
            budget.clone(),
        );
        let path: Vec<crate::check::Name> = ["a", "b", "c"]
            .iter()
            .map(|p| crate::check::Name::from(*p))
            .collect();
        let variants = super::phase_variants(&env, &path);
        // Copies for b and c (the values as given, phase a, are the evaluation's own; they
        // are charged as a copy all the same).
        assert_eq!(variants.len(), 2);
        let per_copy = patient.values().len() as u64 + 1;
        assert_eq!(budget.left(), 1_000 - 3 * per_copy);
    }
    /// Runs `rules` (the body of a `decide` block) under `limits` for a patient given as JSON.
    fn run(inputs: &str, limits: &str, decide: &str, patient: &str) -> Decision {
        let text = format!(
            "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ {inputs} }}\n{limits}\n \
             decide {decide}\n}}\n"
        );
        run_text(&text, patient)
    }

    const DAILY_80: &str = " limit dose <= 20 mg hard\n limit daily <= 80 mg/day hard";

    fn status(inputs: &str, limits: &str, decide: &str, patient: &str) -> Status {
        let d = run(inputs, limits, decide, patient);
        if d.status == Status::Refused {
            assert!(d.doses.is_empty() && d.schedule.is_none(), "{d:?}");
            assert!(!d.reasons.is_empty(), "a refusal says why: {d:?}");
        }
        d.status
    }

    #[test]
    fn every_n_hours_counts_the_doses_of_a_day() {
        let decide = |h: &str| format!("first {{ otherwise => give 20 mg every {h} }}");
        // 20 mg every 6 h is 80 mg/day: at the limit. Every 4 h is 120 mg/day: refused.
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide("6 h"), "{}"),
            Status::Give
        );
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide("4 h"), "{}"),
            Status::Refused
        );
        // A week apart is far below; a fraction of a day is exact (every 5.5 h: 87.27… mg/day).
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide("1 week"), "{}"),
            Status::Give
        );
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide("5.5 h"), "{}"),
            Status::Refused
        );
    }

    #[test]
    fn times_daily_and_no_frequency() {
        let decide = |f: &str| format!("first {{ otherwise => give 20 mg {f} }}");
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide("4 times daily"), "{}"),
            Status::Give
        );
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide("5 times daily"), "{}"),
            Status::Refused
        );
        assert_eq!(
            status("x: bool optional", DAILY_80, &decide(""), "{}"),
            Status::Give
        );
        let only_daily = " limit daily <= 15 mg/day hard";
        assert_eq!(
            status("x: bool optional", only_daily, &decide(""), "{}"),
            Status::Refused
        );
    }

    #[test]
    fn frequencies_from_the_patient_must_be_positive() {
        let decide = "first { otherwise => give 5 mg n times daily }";
        assert_eq!(
            status("n: count", DAILY_80, decide, r#"{"n": 4}"#),
            Status::Give
        );
        assert_eq!(
            status("n: count", DAILY_80, decide, r#"{"n": 0}"#),
            Status::Refused
        );
        assert_eq!(
            status("n: count", DAILY_80, decide, r#"{"n": -3}"#),
            Status::Refused
        );
        let every = "first { otherwise => give 5 mg every t }";
        assert_eq!(
            status("t: h", DAILY_80, every, r#"{"t": "8 h"}"#),
            Status::Give
        );
    }

    #[test]
    fn a_range_is_held_at_both_ends_in_either_order() {
        let limits =
            " limit dose >= 5 mg hard\n limit dose <= 20 mg hard\n limit daily <= 80 mg/day hard";
        let decide = "first { otherwise => give lo..hi 2 times daily }";
        let p = |lo: &str, hi: &str| format!(r#"{{"lo": "{lo}", "hi": "{hi}"}}"#);
        let inputs = "lo: mg\n hi: mg";
        assert_eq!(
            status(inputs, limits, decide, &p("5 mg", "20 mg")),
            Status::Give
        );
        // Low end under the floor.
        assert_eq!(
            status(inputs, limits, decide, &p("1 mg", "10 mg")),
            Status::Refused
        );
        // Written high end first.
        assert_eq!(
            status(inputs, limits, decide, &p("20 mg", "5 mg")),
            Status::Refused
        );
        // A range whose low end is past the ceiling is never capped into "30 to 20 mg".
        assert_eq!(
            status(inputs, limits, decide, &p("30 mg", "40 mg")),
            Status::Refused
        );
        // Across units: 0.005 g is 5 mg.
        assert_eq!(
            status(inputs, limits, decide, &p("0.005 g", "6000 mcg")),
            Status::Give
        );
    }

    #[test]
    fn a_range_within_its_floor_is_capped_at_a_ceiling() {
        let d = run(
            "hi: mg",
            DAILY_80,
            "first { otherwise => give 10 mg..hi }",
            r#"{"hi": "30 mg"}"#,
        );
        assert_eq!(d.status, Status::Give);
        assert_eq!(
            crate::report::text::amount(&d.doses[0].amount),
            "10 mg to 20 mg"
        );
    }

    #[test]
    fn a_range_capped_by_a_limit_in_another_unit_shows_both_ends_in_its_own() {
        let limits = " limit dose <= 20000 mcg hard\n limit daily <= 0.08 g/day hard";
        let d = run(
            "hi: mg",
            limits,
            "first { otherwise => give 10 mg..hi 4 times daily }",
            r#"{"hi": "30 mg"}"#,
        );
        assert_eq!(d.status, Status::Give);
        let dose = &d.doses[0];
        // Not "10 mg to 20000 mcg": the cap is the limit's bound, in the dose's unit.
        assert_eq!(crate::report::text::amount(&dose.amount), "10 mg to 20 mg");
        let daily = dose.daily_total.as_ref().expect("a daily total");
        assert_eq!(crate::report::text::amount(daily), "40 mg/day to 80 mg/day");
    }

    #[test]
    fn doses_given_together_are_summed() {
        let decide = "collect { a: always => give 10 mg 4 times daily\n b: always => give n * 1 mg 4 times daily }";
        assert_eq!(
            status("n: count", DAILY_80, decide, r#"{"n": 10}"#),
            Status::Give
        );
        assert_eq!(
            status("n: count", DAILY_80, decide, r#"{"n": 11}"#),
            Status::Refused
        );
        // A rate given with an amount: 2 mg/h is 48 mg/day, plus 20 mg twice daily is 88.
        let mixed =
            "collect { a: always => give 2 mg/h infusion\n b: always => give 20 mg n times daily }";
        assert_eq!(
            status("n: count", DAILY_80, mixed, r#"{"n": 1}"#),
            Status::Give
        );
        assert_eq!(
            status("n: count", DAILY_80, mixed, r#"{"n": 2}"#),
            Status::Refused
        );
    }

    #[test]
    fn schedules_are_held_step_by_step() {
        let up = "first { otherwise => schedule from s 4 times daily increase by 5 mg every 3 days until 20 mg }";
        // Rising: the steps past the limit are not given; the first step past it refuses all.
        let d = run("s: mg", DAILY_80, up, r#"{"s": "10 mg"}"#);
        assert_eq!(d.status, Status::Give);
        assert_eq!(d.schedule.as_ref().map(|s| s.steps.len()), Some(3));
        assert_eq!(
            status("s: mg", DAILY_80, up, r#"{"s": "25 mg"}"#),
            Status::Refused
        );
        // Falling: a taper that starts above the limit gives nothing.
        let down = "first { otherwise => schedule from s 3 times daily decrease by 5 mg every 3 days then stop }";
        assert_eq!(
            status("s: mg", DAILY_80, down, r#"{"s": "20 mg"}"#),
            Status::Give
        );
        assert_eq!(
            status("s: mg", DAILY_80, down, r#"{"s": "30 mg"}"#),
            Status::Refused
        );
    }

    #[test]
    fn a_limit_switched_by_a_missing_input_applies() {
        let limits = " limit dose <= 10 mg hard when kind == child\n limit dose <= 20 mg hard when kind == adult";
        let decide = "first { otherwise => give d }";
        let inputs = "kind: child | adult optional\n d: mg";
        assert_eq!(
            status(inputs, limits, decide, r#"{"d": "15 mg"}"#),
            Status::Refused
        );
        assert_eq!(
            status(inputs, limits, decide, r#"{"d": "15 mg", "kind": "adult"}"#),
            Status::Give
        );
        // A guarded condition is decided: without `kind`, the child limit does not apply, and
        // the adult limit (unguarded) still does.
        let guarded = " limit dose <= 10 mg hard when kind is not missing and kind == child\n limit dose <= 20 mg hard";
        assert_eq!(
            status(inputs, guarded, decide, r#"{"d": "15 mg"}"#),
            Status::Give
        );
        // A bound that cannot be worked out holds the dose back.
        let unknown_bound = " limit dose <= cap hard";
        assert_eq!(
            status(
                "cap: mg optional\n d: mg",
                unknown_bound,
                decide,
                r#"{"d": "1 mg"}"#
            ),
            Status::Refused
        );
    }

    #[test]
    fn a_dose_no_applicable_limit_holds_is_refused() {
        let limits = " limit dose <= 10 mg hard when child";
        let decide = "first { otherwise => give 5 mg }";
        assert_eq!(
            status("child: bool", limits, decide, r#"{"child": true}"#),
            Status::Give
        );
        assert_eq!(
            status("child: bool", limits, decide, r#"{"child": false}"#),
            Status::Refused
        );
    }

    #[test]
    fn a_refused_proposal_leaves_the_decision_standing() {
        let inputs = "p: mg optional";
        let decide = "first { otherwise => give 10 mg 3 times daily }";
        let text = format!(
            "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ {inputs} }}\n{DAILY_80}\n \
             phase a {{ decide {decide}\n proposal p 3 times daily {{ allow 5 mg..30 mg because \"r\" }} }}\n}}\n"
        );
        let protocol = Protocol::load("t.dose", &text).expect("checks");
        let judge = |json: &str| {
            let patient = protocol
                .read_patient("p", json, Format::Json, &[])
                .expect("valid");
            protocol
                .evaluate(&patient, Options::default())
                .expect("decides")
        };
        let d = judge(r#"{"p": "25 mg"}"#);
        assert_eq!(d.status, Status::Give);
        let p = d.proposals.into_iter().next().expect("judged");
        assert!(!p.allowed);
        // The allowed range shown never passes the ceiling.
        let range = p.allowed_range.expect("a range");
        assert_eq!(range.high().to_string(), "20 mg");
        let ok = judge(r#"{"p": "20 mg"}"#)
            .proposals
            .into_iter()
            .next()
            .expect("judged");
        assert!(ok.allowed, "{ok:?}");
    }

    /// Runs a whole protocol text for a patient given as JSON.
    fn run_text(text: &str, patient: &str) -> Decision {
        crate::eval::test_support::decide_text(text, patient).1
    }

    /// A `when` decided false by Kleene's tables, even with a value missing, switches its limit
    /// off; one that cannot be decided keeps it on. `if` is not decided around a missing value.
    #[test]
    fn a_when_in_three_valued_logic() {
        let inputs = "a: bool optional\n b: bool optional\n c: bool optional";
        let decide = "first { otherwise => give 10 mg }";
        let cases = [
            ("not a", r#"{"a": true}"#, Status::Give),
            ("not a", r#"{"a": false}"#, Status::Refused),
            ("not a", r#"{}"#, Status::Refused),
            ("a or b", r#"{"a": false, "b": false}"#, Status::Give),
            ("a or b", r#"{"b": false}"#, Status::Refused),
            ("not (a or b)", r#"{"a": true, "b": false}"#, Status::Give),
            ("not (a or b)", r#"{"b": true}"#, Status::Give),
            ("not (a or b)", r#"{"b": false}"#, Status::Refused),
            ("not (a and b)", r#"{"a": true, "b": true}"#, Status::Give),
            ("a and b", r#"{"b": false}"#, Status::Give),
            ("a and b", r#"{"b": true}"#, Status::Refused),
            (
                "if a then b else c",
                r#"{"a": true, "b": false}"#,
                Status::Refused,
            ),
            (
                "if a then b else c",
                r#"{"a": false, "c": false}"#,
                Status::Refused,
            ),
            (
                "if a then b else c",
                r#"{"a": false, "b": true, "c": false}"#,
                Status::Give,
            ),
        ];
        for (when, patient, want) in cases {
            let limits = format!(" limit dose <= 20 mg hard\n limit dose <= 5 mg hard when {when}");
            let got = status(inputs, &limits, decide, patient);
            assert_eq!(got, want, "when {when} for {patient}");
        }
    }

    /// A limit for a phase applies in the phases the decision went through (`goto`), and in
    /// no other.
    #[test]
    fn a_phase_limit_applies_on_the_path_only() {
        let text = |limit: &str| {
            format!(
                "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ phase: screen | titrate | maintain }}\n \
                 begin at phase\n limit dose <= 20 mg hard\n {limit}\n \
                 phase screen {{ decide first {{ s: otherwise => give 1 mg }} }}\n \
                 phase titrate {{ decide first {{ t: otherwise => goto maintain }} }}\n \
                 phase maintain {{ decide first {{ m: otherwise => give 10 mg }} }}\n}}\n"
            )
        };
        let patient = r#"{"phase": "titrate"}"#;
        let on_path = run_text(
            &text("limit dose <= 8 mg hard when phase == maintain"),
            patient,
        );
        assert_eq!(on_path.path, ["titrate", "maintain"]);
        assert_eq!(on_path.status, Status::Refused, "{on_path:?}");
        let off_path = run_text(
            &text("limit dose <= 5 mg hard when phase == screen"),
            patient,
        );
        assert_eq!(off_path.status, Status::Give, "{off_path:?}");
    }

    /// `begin at` a let or an expression cannot be set to each phase of a `goto` path, so a
    /// limit written for a phase was skipped after a `goto` (15 mg given past a 10 mg hard
    /// limit for phase b): `posology check` refuses it.
    #[test]
    fn begin_at_must_name_the_input_that_phase_limits_read() {
        for (lets, begin) in [("let stage = p", "stage"), ("", "if p == a then a else b")] {
            let text = format!(
                "protocol t {{\n version \"1\"\n source \"s\"\n inputs {{ p: a | b }}\n {lets}\n \
                 begin at {begin}\n limit dose <= 20 mg hard\n limit dose <= 10 mg hard when p == b\n \
                 phase a {{ decide first {{ otherwise => goto b }} }}\n \
                 phase b {{ decide first {{ otherwise => give 15 mg }} }}\n}}\n"
            );
            let source = crate::diagnostics::Source::new("t.dose", text.as_str());
            let (program, diags) = crate::check::parse_and_check(&text, &source);
            assert!(program.is_none(), "begin at {begin}");
            assert!(
                diags
                    .iter()
                    .any(|d| d.code == "posology::phase::begin_not_input"),
                "begin at {begin}: {:?}",
                diags.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
    }

    /// `over` and `for` read from the patient must be more than zero: `20 mg over -5 h` was
    /// given as written.
    #[test]
    fn over_and_for_from_the_patient_must_be_positive() {
        let limits = " limit dose <= 20 mg hard";
        for (action, t, want) in [
            ("give 20 mg over t", "-5 h", Status::Refused),
            ("give 20 mg over t", "0 h", Status::Refused),
            ("give 20 mg for t", "-5 h", Status::Refused),
            ("give 20 mg every 12 h for t", "0 h", Status::Refused),
            ("give 20 mg over t", "1 h", Status::Give),
            ("give 20 mg for t", "3 h", Status::Give),
        ] {
            let d = run(
                "t: h",
                limits,
                &format!("first {{ otherwise => {action} }}"),
                &format!(r#"{{"t": "{t}"}}"#),
            );
            assert_eq!(d.status, want, "{action} with t = {t}: {:?}", d.reasons);
            if want == Status::Refused {
                assert!(d.doses.is_empty());
                assert!(
                    d.reasons
                        .iter()
                        .any(|r| r.text.contains("is not a length of time")),
                    "{:?}",
                    d.reasons
                );
            }
        }
    }

    /// A daily floor names the one dose it finds too low.
    #[test]
    fn a_floor_names_the_single_dose() {
        let limits = " limit dose <= 20 mg hard\n limit daily >= 30 mg/day hard";
        let d = run(
            "x: bool optional",
            limits,
            "first { otherwise => give 10 mg 2 times daily }",
            "{}",
        );
        assert_eq!(d.status, Status::Refused);
        let texts: Vec<_> = d.reasons.iter().map(|r| r.text.as_str()).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.contains("the daily total of the dose 10 mg 2 times daily")),
            "{texts:?}"
        );
    }

    /// Limits of another dimension (mg beside mL) neither hold nor refuse a dose.
    #[test]
    fn limits_of_another_dimension_are_passed_by() {
        let limits = " limit dose <= 20 mg hard\n limit dose <= 10 mL hard";
        let give = |liquid: &str, tablet: &str| {
            format!("first {{ l: when x => give {liquid}\n t: otherwise => give {tablet} }}")
        };
        let cases = [
            (give("5 mL", "15 mg"), r#"{"x": true}"#, Status::Give),
            (give("5 mL", "15 mg"), r#"{"x": false}"#, Status::Give),
            (give("12 mL", "15 mg"), r#"{"x": true}"#, Status::Refused),
            (give("5 mL", "25 mg"), r#"{"x": false}"#, Status::Refused),
        ];
        for (decide, patient, want) in cases {
            assert_eq!(
                status("x: bool", limits, &decide, patient),
                want,
                "{decide} {patient}"
            );
        }
    }

    /// A frequency that is not more than zero is the gate's problem too, although the evaluator
    /// refuses such a frequency first (`posology::eval::frequency`); so is a count of doses a
    /// day that is not whole.
    #[test]
    fn a_frequency_must_be_positive_and_whole() {
        use super::{frequency_problem, FrequencyOut};
        use crate::units::{Quantity, Rational, Unit};
        let q = |n: i64, unit: &str| {
            Quantity::new(Rational::from(n), Unit::parse(unit).expect("a unit"))
        };
        let count = |n: i64| Quantity::new(Rational::from(n), Unit::none());
        assert!(frequency_problem(&FrequencyOut::every(q(-4, "h"))).is_some());
        assert!(frequency_problem(&FrequencyOut::every(q(0, "h"))).is_some());
        assert!(frequency_problem(&FrequencyOut::every(q(12, "h"))).is_none());
        assert!(frequency_problem(&FrequencyOut::times_daily(count(0))).is_some());
        assert!(frequency_problem(&FrequencyOut::times_daily(count(3))).is_none());
        let third = Quantity::new(Rational::new(4, 3).expect("4/3"), Unit::none());
        assert!(frequency_problem(&FrequencyOut::times_daily(third)).is_some());
    }
}
