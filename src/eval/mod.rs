//! Eval layer: runs a checked protocol on one patient's values. It picks the phase, applies
//! each decision's hit policy, follows `goto`, turns actions into doses and schedules, enforces
//! every limit on every dose it outputs, judges a proposed dose, and records why.
//! Evaluation is deterministic and terminates: no loops, and a phase is entered at most once.

mod actions;
mod budget;
#[cfg(test)]
mod choices_tests;
mod decision;
mod error;
mod expr;
mod gate;
mod limits;
mod proposal;
mod requires;
#[cfg(test)]
pub(crate) mod test_support;
mod text;
mod trace;

pub use budget::{
    number_steps, over_budget, steps_to_show, Budget, Exhausted, BIG_NUMBER_STEPS, SHOW_STEPS,
    WORK_BUDGET,
};
pub use decision::*;
pub use error::EvalError;
pub use expr::Env;
pub use text::Text;
pub use trace::{TraceLog, TraceText, TraceValues};

use std::borrow::Cow;

use crate::check::{ActionSpec, DecideSpec, Name, Program, Reference, RequireSpec, RuleSpec};
use crate::diagnostics::{Diagnostic, Span};
use crate::value::Value;
use trace::Trace;

/// What to record besides the decision.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Record the trace: every rule tried, with the values its condition read.
    pub trace: bool,
}

/// The ids of the rules that fired and the limits that acted, in order, each noted once: a
/// decision may break thousands of limits, and a scan of the list per limit would be
/// quadratic, so past [`FiredIds::SCAN`] ids a set of them is kept (built when first needed;
/// below it, a scan of a few ids costs less than hashing them).
#[derive(Debug, Default)]
pub(super) struct FiredIds {
    list: Vec<Name>,
    seen: Option<std::collections::HashSet<Name>>,
}

impl FiredIds {
    /// The most ids looked through one by one before a set of them is kept.
    const SCAN: usize = 32;

    /// Adds an id (a rule fires once per evaluation, so it is never already there).
    pub(super) fn push(&mut self, id: Name) {
        if let Some(seen) = &mut self.seen {
            seen.insert(id.clone());
        }
        reserve_usual(&mut self.list);
        self.list.push(id);
    }

    /// Adds an id unless it is already there.
    pub(super) fn note(&mut self, id: &Name) {
        if self.seen.is_none() && self.list.len() > Self::SCAN {
            self.seen = Some(self.list.iter().cloned().collect());
        }
        let there = match &self.seen {
            Some(seen) => seen.contains(id.as_str()),
            None => self.list.iter().any(|x| x == id),
        };
        if !there {
            self.push(id.clone());
        }
    }

    /// The ids, in order.
    pub(super) fn into_list(self) -> Vec<Name> {
        self.list
    }
}

/// Room for a usual decision's few items (rules fired, messages, shown values, doses,
/// proposals) the first time one is added to `list`, so that the list is not moved again as it
/// grows past the smallest allocation (four); an empty list stays unallocated. The room is at
/// most [`SMALL_ALLOCATION`] bytes (fewer items of a large kind: a dose is some 500 bytes, and
/// most decisions give one): the allocator serves blocks that small from its per-thread cache,
/// and a larger one, freed with the decision, took its slow path twice for every patient.
#[inline]
pub(super) fn reserve_usual<T>(list: &mut Vec<T>) {
    const USUAL: usize = 8;
    if list.capacity() == 0 {
        let size = std::mem::size_of::<T>().max(1);
        list.reserve_exact((SMALL_ALLOCATION / size).clamp(1, USUAL));
    }
}

/// The largest block, in bytes, that the system allocator (glibc's) serves from its per-thread
/// cache; see [`reserve_usual`].
const SMALL_ALLOCATION: usize = 1024;

/// A rule that fired, with its actions still to apply.
struct Fired<'p> {
    rule: &'p RuleSpec,
    phase: Option<usize>,
}

/// The rules that fired, in order: most decisions fire a few, kept in place (no list
/// allocated for each patient).
type FiredRules<'p> = smallvec::SmallVec<[Fired<'p>; 8]>;

/// Whether an evaluation checks the protocol's `require`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Requirements {
    /// Check them, and refuse data that fails one.
    Check,
    /// They were checked against these very values when the patient was read, and hold (only
    /// [`crate::Protocol`] knows this: it keeps it on the [`crate::Patient`]).
    Met,
}

/// A `require` the patient's data does not meet.
#[derive(Clone, Debug)]
pub struct Unmet<'p> {
    /// The requirement.
    pub require: &'p RequireSpec,
    /// Its reason, with its `{value}`s filled in for this patient.
    pub because: String,
}

/// The requirements the patient's data does not meet, in protocol order.
pub fn unmet_requirements<'p>(
    program: &'p Program,
    inputs: &[Value],
) -> Result<Vec<Unmet<'p>>, Diagnostic> {
    // Most patients meet every requirement, which a quick look can often tell; only one that
    // may not goes through the evaluator's run, which words why.
    if requires::all_hold(program, inputs) {
        return Ok(Vec::new());
    }
    unmet_within(program, inputs, &Budget::default())
}

/// [`unmet_requirements`], spending from `budget`.
fn unmet_within<'p>(
    program: &'p Program,
    inputs: &[Value],
    budget: &Budget,
) -> Result<Vec<Unmet<'p>>, Diagnostic> {
    let mut env = Env::with_budget(program, inputs, budget.clone());
    let mut out = Vec::new();
    for r in &program.requires {
        if !env
            .truth(&r.condition)
            .map_err(|d| d.with_source(&program.source))?
        {
            let because = actions::render_text(&mut env, &r.reason, r.span)
                .map_err(|d| d.with_source(&program.source))?;
            out.push(Unmet {
                require: r,
                because,
            });
        }
    }
    Ok(out)
}

/// Evaluates the protocol for one patient (input values by slot, as decoded by `input`).
/// Data that fails a `require` is refused with a diagnostic: no decision is made on it. An
/// evaluation that needs more than [`WORK_BUDGET`] steps is refused with the diagnostic
/// `posology::eval::work_budget` (see [`over_budget`]), whatever it had decided so far.
/// Crate-private: outside the library, [`crate::Protocol::evaluate`] is the one way to a
/// decision, so no front end holds values read for one protocol against another.
///
/// `budget` is the work budget to spend from: several evaluations asked for by one command (a
/// REPL `:sweep`) share one, so that the command as a whole is bounded. `requirements` says
/// whether the `require`s still need checking (see [`Requirements`]).
pub(crate) fn evaluate_spending(
    program: &Program,
    inputs: &[Value],
    options: Options,
    budget: &Budget,
    requirements: Requirements,
) -> Result<Decision, Diagnostic> {
    let decided = evaluate_within(program, inputs, options, budget, requirements);
    // Fail closed: a part that ran out of steps may have been read as "cannot be worked
    // out" (the gate does so with a limit's condition); nothing decided after that stands.
    match budget.exhausted_at() {
        Some(place) => Err(over_budget(place).with_source(&program.source)),
        None => decided,
    }
}

fn evaluate_within(
    program: &Program,
    inputs: &[Value],
    options: Options,
    budget: &Budget,
    requirements: Requirements,
) -> Result<Decision, Diagnostic> {
    if requirements == Requirements::Check {
        if let Some(unmet) = unmet_within(program, inputs, budget)?.first() {
            let r = unmet.require;
            return Err(EvalError::Rejected {
                because: unmet.because.clone(),
                span: r.condition.span,
            }
            .to_diagnostic()
            .with_source(&program.source));
        }
    }
    let mut env = Env::with_budget(program, inputs, budget.clone());
    let mut run = Run {
        env: &mut env,
        trace: Trace::new(options.trace),
        fired_ids: FiredIds::default(),
    };
    run.decide().map_err(|d| d.with_source(&program.source))
}

/// Holds one dose that a protocol's rules did not give against the protocol's hard limits for
/// a patient, through the same safety gate as every decision (`expect limit refuses …` in an
/// example asks this). The decision returned gives the dose, or is refused with the reasons;
/// `fired` lists the limits that refused it. Crate-private, like [`evaluate_spending`]: it makes a
/// decision, for `posology test` alone.
pub(crate) fn hold_dose(
    program: &Program,
    inputs: &[Value],
    path: &[Name],
    amount: Amount,
    frequency: Option<FrequencyOut>,
) -> Decision {
    let mut env = Env::new(program, inputs);
    let mut decision = actions::Builder::new(program, None, &[]).into_decision();
    // The limits of every phase the patient's decision went through apply, as in `run`.
    decision.path = path.to_vec();
    decision.doses.push(Dose {
        amount,
        route: program.header.route.clone(),
        form: None,
        frequency,
        over: None,
        duration: None,
        daily_total: None,
        rule: Name::from_static("example"),
        source: None,
    });
    decision.status = Status::Give;
    let (mut trace, mut fired) = (Trace::new(true), FiredIds::default());
    gate::enforce(&mut env, &mut decision, &mut trace, &mut fired);
    decision.fired = fired.into_list();
    decision.trace = trace.into_log();
    decision
}

struct Run<'e, 'p> {
    env: &'e mut Env<'p>,
    trace: Trace,
    fired_ids: FiredIds,
}

impl<'p> Run<'_, 'p> {
    fn program(&self) -> &'p Program {
        self.env.program
    }

    fn decide(&mut self) -> Result<Decision, Diagnostic> {
        let program = self.program();
        let mut fired = FiredRules::default();
        for block in &program.global {
            self.block(block, None, &mut fired)?;
        }
        // A protocol without phases is one phase: its top-level `decide` blocks.
        let (phase, walked) = if program.phases.is_empty() {
            (None, Vec::new())
        } else {
            let (phase, walked) = self.phases(&mut fired)?;
            (Some(phase), walked)
        };
        // The path: the phases `goto` went through, or (most decisions) the deciding one alone.
        let only;
        let path: &[usize] = match phase {
            Some(p) if walked.is_empty() => {
                only = [p];
                &only
            }
            _ => &walked,
        };
        let mut builder = actions::Builder::new(program, phase, path);
        for f in fired.iter() {
            builder.apply(self.env, f.rule, f.phase)?;
        }
        let proposal_phase = path
            .iter()
            .rev()
            .copied()
            .find(|&p| !program.phases[p].proposals.is_empty());
        let mut decision = builder.finish(self.env, &mut self.trace, &mut self.fired_ids)?;
        if let Some(p) = proposal_phase {
            for spec in &program.phases[p].proposals {
                proposal::judge(
                    self.env,
                    spec,
                    &mut decision,
                    &mut self.trace,
                    &mut self.fired_ids,
                )?;
            }
        } else {
            // Each input some phase judges, once: this phase takes none of them.
            let mut slots: Vec<usize> = Vec::new();
            for spec in program.phases.iter().flat_map(|p| &p.proposals) {
                if !slots.contains(&spec.input) {
                    slots.push(spec.input);
                    proposal::no_rules_here(self.env, spec.input, &mut decision);
                }
            }
        }
        decision.finish_status();
        gate::enforce(
            self.env,
            &mut decision,
            &mut self.trace,
            &mut self.fired_ids,
        );
        self.trace_lookups();
        decision.fired = std::mem::take(&mut self.fired_ids).into_list();
        decision.trace = std::mem::take(&mut self.trace).into_log();
        if !decision.has_outcome() {
            let place = if decision.phase.is_empty() {
                "the protocol".to_string()
            } else {
                format!("the phase `{}`", decision.phase)
            };
            return Err(EvalError::NoDecision {
                place,
                span: self.phase_span(&decision.phase),
            }
            .into());
        }
        Ok(decision)
    }

    /// Where the phase is declared, as the checker recorded it (none for a protocol without
    /// phases).
    fn phase_span(&self, name: &str) -> Span {
        self.program()
            .phases
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.span)
            .unwrap_or_default()
    }

    /// Picks the starting phase and follows `goto`s; returns the deciding phase and the path
    /// (empty when no `goto` was followed: the path is then the deciding phase alone, and no
    /// list is made for it).
    fn phases(&mut self, fired: &mut FiredRules<'p>) -> Result<(usize, Vec<usize>), Diagnostic> {
        let program = self.program();
        let mut phase = self.start_phase()?;
        let mut path = Vec::new();
        // The phases entered, made only at the first `goto` (most decisions have none): until
        // then it is the starting phase alone.
        let mut visited: Vec<bool> = Vec::new();
        loop {
            let before = fired.len();
            for block in &program.phases[phase].decides {
                if self.block(block, Some(phase), fired)? {
                    break;
                }
            }
            let goto = fired.iter().skip(before).find_map(|f| {
                f.rule.actions.iter().find_map(|a| match a.action {
                    ActionSpec::Goto(p) => Some((p, a.span)),
                    _ => None,
                })
            });
            let Some((next, span)) = goto else {
                return Ok((phase, path));
            };
            if visited.is_empty() {
                visited = vec![false; program.phases.len()];
                if let Some(v) = visited.get_mut(phase) {
                    *v = true;
                }
            }
            if visited.get(next).copied().unwrap_or(true) {
                return Err(EvalError::GotoLoop {
                    phase: program.phases[next].name.to_string(),
                    span,
                }
                .into());
            }
            if let Some(v) = visited.get_mut(next) {
                *v = true;
            }
            if path.is_empty() {
                path.push(phase);
            }
            path.push(next);
            phase = next;
        }
    }

    fn start_phase(&mut self) -> Result<usize, Diagnostic> {
        let program = self.program();
        let Some(begin) = &program.begin else {
            return Ok(0);
        };
        match self.env.present(begin)? {
            Value::Enum(_, i) => program
                .begin_phases
                .get(i as usize)
                .copied()
                .flatten()
                .ok_or_else(|| EvalError::NoPhase { span: begin.span }.into()),
            _ => Err(expr::missing(program, begin)),
        }
    }

    /// Runs one decision block; returns true when a fired rule jumps (`goto`), which ends the
    /// phase's remaining blocks.
    fn block(
        &mut self,
        block: &'p DecideSpec,
        phase: Option<usize>,
        fired: &mut FiredRules<'p>,
    ) -> Result<bool, Diagnostic> {
        let mut any = false;
        for rule in &block.rules {
            // A step per rule tried, besides its condition's: `always` rules have none.
            self.env.charge(1, rule.span)?;
            let holds = match &rule.when {
                Some(c) => self.env.truth(c)?,
                None if rule.always => true,
                None => block.policy.stops_at_first() || !any,
            };
            self.trace_lookups();
            let env = &mut *self.env;
            let values = |trace: &mut Trace| {
                for (name, r) in &rule.reads {
                    read_value(trace, env, name, *r, rule.span);
                }
            };
            self.trace.push_with(values, |values| TraceEntry {
                kind: "rule",
                id: rule.id.clone(),
                fired: holds,
                source: rule.source.clone(),
                values,
                detail: rule.when.is_none().then_some(if rule.always {
                    Cow::Borrowed("always")
                } else {
                    Cow::Borrowed("otherwise")
                }),
            });
            if !holds {
                continue;
            }
            any = true;
            self.fired_ids.push(rule.id.clone());
            fired.push(Fired { rule, phase });
            if rule
                .actions
                .iter()
                .any(|a| matches!(a.action, ActionSpec::Goto(_)))
            {
                return Ok(true);
            }
            if block.policy.stops_at_first() {
                break;
            }
        }
        Ok(false)
    }

    /// The table rows read since the last call, each as a trace entry: which row, its band and
    /// the key's value (`+ table renal row 2 (§2.3): > 30 mL/min and <= 59 mL/min`).
    #[inline]
    fn trace_lookups(&mut self) {
        // Asked after every rule tried; most protocols read no table.
        if self.env.has_lookups() {
            self.trace_lookups_now();
        }
    }

    /// [`Run::trace_lookups`] when a table row was read.
    #[inline(never)]
    fn trace_lookups_now(&mut self) {
        for l in self.env.take_lookups() {
            // A table is a `let`, read once per evaluation: its row is noted once.
            self.fired_ids
                .note(&Name::counted(&format!("table {} {}", l.table, l.row)));
            let values = |trace: &mut Trace| {
                trace.pair(Name::counted(&l.key_name), TraceText::owned(l.key));
            };
            self.trace.push_with(values, |values| TraceEntry {
                kind: "table",
                id: Name::counted(&format!("{} {}", l.table, l.row)),
                fired: true,
                source: l.source,
                values,
                detail: Some(Cow::Owned(l.band)),
            });
        }
    }
}

/// Adds to the trace the name `name` a rule read and the value of the input or `let` it
/// names, as the trace shows it: kept as the number, date or choice it is and written out when
/// the trace is read (once for all the rules that read it); a `let` that cannot be worked out
/// reads `missing`.
fn read_value(trace: &mut Trace, env: &mut Env<'_>, name: &Name, r: Reference, span: Span) {
    let inputs = env.program.inputs.len();
    // An input or a `let` is read where it is kept (no copy of the value for the trace).
    let (v, slot) = match r {
        Reference::Input(slot) => (env.inputs.get(slot), slot),
        Reference::Let(slot) => match env.let_ready(slot) {
            Ok(()) => (Some(env.let_ref(slot)), inputs.saturating_add(slot)),
            Err(_) => return trace.pair(name.clone(), TraceText::from_static("missing")),
        },
    };
    let v = v.unwrap_or(&Value::Missing);
    // Written out only while the budget allows (a list may be long); past it the evaluation
    // is refused anyway. Each read counts, as each is shown.
    if env.charge(budget::steps_to_show(v), span).is_err() {
        return trace.pair(name.clone(), TraceText::from_static("…"));
    }
    let slots = inputs.saturating_add(env.program.lets.len());
    let own_slot = match r {
        Reference::Input(s) => s < inputs,
        Reference::Let(_) => slot < slots,
    };
    if own_slot && trace.read_kept(name, slot, slots) {
        return;
    }
    let text = match v {
        Value::Num(q) => TraceText::shown_quantity(q.clone()),
        Value::Date(d) => TraceText::shown_date(*d),
        Value::Missing => TraceText::from_static("missing"),
        Value::Bool(true) => TraceText::from_static("true"),
        Value::Bool(false) => TraceText::from_static("false"),
        Value::Enum(id, i) => TraceText::shown_name(env.program.enum_value(*id, *i)),
        // The trace explains a decision to a person: a long list is shortened.
        other => {
            let other = other.clone();
            TraceText::shared(env.shown_shared(r, &other))
        }
    };
    if own_slot {
        trace.read_new(name, slot, text);
    } else {
        // A slot the program does not have (never made by the checker): shown, not kept.
        trace.pair(name.clone(), text);
    }
}

impl Decision {
    fn finish_status(&mut self) {
        let has = |k: ReasonKind| self.reasons.iter().any(|r| r.kind == k);
        self.status = if has(ReasonKind::Stop) {
            Status::Stop
        } else if has(ReasonKind::Refuse) {
            // `refused` means nothing is given: a refused proposal is the proposal's verdict.
            Status::Refused
        } else if !self.doses.is_empty() || self.schedule.is_some() || !self.alternatives.is_empty()
        {
            Status::Give
        } else {
            Status::Wait
        };
        if has(ReasonKind::Hold) && self.status == Status::Give {
            // `hold` means not now: a dose given beside it is not given.
            self.status = Status::Wait;
        }
        if matches!(self.status, Status::Stop | Status::Refused | Status::Wait) {
            self.doses.clear();
            self.schedule = None;
            self.alternatives.clear();
        }
    }

    fn has_outcome(&self) -> bool {
        self.status != Status::Wait || self.next.is_some() || !self.reasons.is_empty()
    }
}
