//! Turns fired rules' actions into the decision: doses (with daily totals), schedules expanded
//! day by day, messages, reasons, observation windows and what comes next; then enforces the
//! limits on every dose.

use super::decision::*;
use super::error::EvalError;
use super::expr::{missing, unit_error, Env};
use super::limits::{self, Breach};
use super::text::{Quoted, Text};
use super::TraceText;
use super::{FiredIds, Trace};
use crate::check::TextPart;
use crate::check::{
    ActionSpec, CExpr, CExprKind, FrequencySpec, GiveSpec, Level, Name, Program, Reference,
    RuleSpec, ScheduleSpec, SteppedSpec,
};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Span};
use crate::units::{Quantity, RoundMode, Unit, UnitError};
use crate::value::Value;

type R<T> = Result<T, Diagnostic>;

/// The most steps a schedule may expand to.
pub const MAX_SCHEDULE_STEPS: usize = 200;

/// The messages the rules gave, by their place in the decision's list (which only grows while
/// it is built). A few are looked through one by one, cheaper than hashing a copy of each; a
/// protocol may give thousands, so past [`Said::SCAN`] a set of (code, text) is kept.
#[derive(Default)]
struct Said {
    /// Where the messages the rules gave are (the first few kept in place: most patients are
    /// given a few messages, and a list was allocated for them).
    at: SmallVec<[usize; 8]>,
    set: Option<HashSet<(String, String)>>,
}

impl Said {
    /// The most messages looked through one by one before a set of them is kept.
    const SCAN: usize = 32;

    /// True, noting it said at `at` in `messages`, when no message the rules gave so far has
    /// this code and text.
    /// Texts are compared only for messages of the same code (a text is written out to be
    /// compared).
    fn first_time(&mut self, messages: &[Message], code: &str, text: &Text, at: usize) -> bool {
        if self.set.is_none() && self.at.len() > Self::SCAN {
            let set = self
                .at
                .iter()
                .filter_map(|&i| messages.get(i))
                .map(|m| (m.code.to_string(), m.text.to_string()))
                .collect();
            self.set = Some(set);
        }
        let first = match &mut self.set {
            Some(set) => set.insert((code.to_string(), text.to_string())),
            None => !self
                .at
                .iter()
                .filter_map(|&i| messages.get(i))
                .any(|m| m.code == code && m.text == *text),
        };
        if first {
            self.at.push(at);
        }
        first
    }
}

/// Collects the decision while actions are applied.
pub(super) struct Builder<'p> {
    program: &'p Program,
    decision: Decision,
    /// The messages the rules gave so far: a message is said once.
    said: Said,
    /// The rounding written on the high end of each dose (and alternative) that has one, by
    /// where the dose was given: a range capped at a ceiling is rounded down the same way
    /// (600 mg to 1200 mg of 300 mg tablets capped at 1000 mg is 600 mg to 900 mg). Most
    /// doses have none, so most decisions allocate nothing for it.
    roundings: Vec<(Given, &'p CExpr)>,
}

/// Where a dose was given, for [`Builder::roundings`]: the `n`th dose or alternative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Given {
    Dose(usize),
    Alternative(usize),
}

/// The rounding written on the high end of a dose's amount: the amount's own (`(w * (10 mg/kg
/// ..20 mg/kg)) round down to 300 mg`), or its high end's (`a..(b round down to 5 mg)`).
fn high_rounding(e: &CExpr) -> Option<&CExpr> {
    match &e.kind {
        CExprKind::Round(..) | CExprKind::RoundOf(..) => Some(e),
        CExprKind::Binary(crate::syntax::ast::BinaryOp::Range, _, high) => match high.kind {
            CExprKind::Round(..) | CExprKind::RoundOf(..) => Some(high),
            _ => None,
        },
        _ => None,
    }
}

/// The unit `day`, built once (daily totals are computed for every dose).
pub(super) fn one_day() -> Unit {
    static DAY: std::sync::OnceLock<Unit> = std::sync::OnceLock::new();
    DAY.get_or_init(|| Unit::atom(crate::units::Atom::Day))
        .clone()
}

/// A rate per day (`mcg/h` → `mcg/day`), exactly.
pub(super) fn per_day(rate: &Quantity) -> Result<Quantity, crate::units::UnitError> {
    // Most rates are already per day (`mcg/day`): when `· day ÷ day` gives back the same unit
    // with no factor either way, the value times 1 over 1 is the value itself, so the
    // arithmetic on the value (a dose's, for every dose) is skipped; the bounds are still held.
    // Whether it does depends on the unit alone, so the unit keeps the answer. A unit that
    // does not combine takes the long way, which says why in its own order.
    if rate.unit.per_day_unchanged() {
        rate.value.check_bounds()?;
        return Ok(rate.clone());
    }
    per_day_worked_out(rate)
}

/// [`per_day`] by the arithmetic itself: `rate · 1 day ÷ 1 day`.
fn per_day_worked_out(rate: &Quantity) -> Result<Quantity, crate::units::UnitError> {
    let day = Quantity::new(1.into(), one_day());
    rate.mul(&day)?.div(&day)
}

pub(super) use crate::units::daily::is_rate;

impl<'p> Builder<'p> {
    /// The most breaches of a dose's low end looked through one by one (see `enforce`).
    const SCAN_LIMITS: usize = 16;

    /// The most shown values looked through one by one (see [`Builder::shown_values`]).
    const SCAN_SHOWN: usize = 16;

    /// A builder for the deciding `phase` (`None` for a protocol without phases).
    /// `path` is the phases the decision went through, in order.
    pub fn new(program: &'p Program, phase: Option<usize>, path: &[usize]) -> Self {
        let name = |p: usize| {
            program
                .phases
                .get(p)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        };
        let decision = Decision {
            phase: phase.map(name).unwrap_or_default(),
            path: path.iter().map(|&p| name(p)).collect(),
            status: Status::Wait,
            doses: Vec::new(),
            schedule: None,
            alternatives: Vec::new(),
            observe: Vec::new(),
            proposals: Vec::new(),
            values: Vec::new(),
            messages: Vec::new(),
            reasons: Vec::new(),
            next: None,
            fired: Vec::new(),
            trace: Default::default(),
        };
        Builder {
            program,
            decision,
            said: Said::default(),
            roundings: Vec::new(),
        }
    }

    /// The decision as built so far (for a dose held against the limits on its own).
    pub fn into_decision(mut self) -> Decision {
        self.shown_values();
        self.decision
    }

    /// Keeps each shown name's latest value, in the order of those latest values: a name shown
    /// again moves to the end with its new value. A few values are looked through one by one
    /// (hashing each name cost more); past [`Builder::SCAN_SHOWN`] the latest of each name is
    /// found through a map.
    fn shown_values(&mut self) {
        let values = &mut self.decision.values;
        if values.len() <= Self::SCAN_SHOWN {
            let mut i = 0;
            while i < values.len() {
                if values[i + 1..].iter().any(|(n, _)| *n == values[i].0) {
                    values.remove(i);
                } else {
                    i += 1;
                }
            }
            return;
        }
        let mut last: HashMap<Name, usize> = HashMap::new();
        for (i, (name, _)) in values.iter().enumerate() {
            last.insert(name.clone(), i);
        }
        let mut i = 0;
        values.retain(|(name, _)| {
            i += 1;
            last.get(name) == Some(&(i - 1))
        });
    }

    /// Applies the actions of one fired rule.
    // Long on purpose: one arm per action kind.
    pub fn apply(&mut self, env: &mut Env<'p>, rule: &'p RuleSpec, _phase: Option<usize>) -> R<()> {
        for action in &rule.actions {
            env.charge(1, action.span)?;
            match &action.action {
                ActionSpec::Give(g) => {
                    let dose = self.dose(env, g, rule)?;
                    if let Some(r) = high_rounding(&g.amount) {
                        let at = Given::Dose(self.decision.doses.len());
                        self.roundings.push((at, r));
                    }
                    super::reserve_usual(&mut self.decision.doses);
                    self.decision.doses.push(dose);
                }
                ActionSpec::Schedule(s) => {
                    let schedule = self.schedule(env, s, rule)?;
                    self.set_schedule(schedule, rule);
                }
                ActionSpec::Stepped(s) => {
                    let schedule = self.stepped(env, s, rule)?;
                    self.set_schedule(schedule, rule);
                }
                ActionSpec::Choose(alts) => {
                    if let Some(first) = self.decision.alternatives.first() {
                        // Two sets of alternatives cannot be chosen from as one list: which
                        // pairs go together is the protocol's, and the gate holds one at a time.
                        let text =
                            format!(
                            "two sets of alternatives for one patient ({} and {}): choose from \
                             one; the protocol's rules must not offer both",
                            first.id.rsplit_once('.').map_or(first.id.as_str(), |(r, _)| r),
                            rule.id
                        );
                        self.reason(ReasonKind::Refuse, &text, rule);
                    }
                    for alt in alts {
                        let dose = self.dose(env, &alt.give, rule)?;
                        if let Some(r) = high_rounding(&alt.give.amount) {
                            let at = Given::Alternative(self.decision.alternatives.len());
                            self.roundings.push((at, r));
                        }
                        self.decision.alternatives.push(Alternative {
                            name: alt.name.clone(),
                            id: format!("{}.{}", rule.id, alt.name),
                            dose,
                            allowed: true,
                            refusals: Vec::new(),
                        });
                    }
                }
                ActionSpec::Hold(t) => {
                    let text = render_text(env, t, action.span)?;
                    self.reason(ReasonKind::Hold, &text, rule);
                }
                ActionSpec::Stop(t) => {
                    let text = render_text(env, t, action.span)?;
                    self.reason(ReasonKind::Stop, &text, rule);
                }
                ActionSpec::Refuse(t) => {
                    let text = render_text(env, t, action.span)?;
                    self.reason(ReasonKind::Refuse, &text, rule);
                }
                ActionSpec::Message { level, code, text } => {
                    let text = quoting_text(env, text, action.span)?;
                    // The same message from two rules (a phase's and an everywhere rule) is said once.
                    let at = self.decision.messages.len();
                    if !self
                        .said
                        .first_time(&self.decision.messages, code, &text, at)
                    {
                        continue;
                    }
                    super::reserve_usual(&mut self.decision.messages);
                    self.decision.messages.push(Message {
                        level: *level,
                        code: code.clone(),
                        text,
                        rule: Some(rule.id.clone()),
                        source: rule.source.clone(),
                    })
                }
                ActionSpec::Show(values) => {
                    for (name, e) in values {
                        // As in a message, a value worked out from one the patient lacks is
                        // shown as missing.
                        let v = env.eval_or_missing(e)?;
                        // Shown values are written out in the decision.
                        env.charge(super::budget::steps_to_show(&v), action.span)?;
                        super::reserve_usual(&mut self.decision.values);
                        self.decision.values.push((name.clone(), v));
                    }
                }
                ActionSpec::Observe(e) => {
                    let a = amount(env, e)?;
                    // "Observe for -5 h" is no instruction a nurse can follow; a range may
                    // start now (`observe 0 h..2 h`), but must end ahead.
                    let behind = match &a {
                        Amount::One(t) => (!t.is_positive()).then_some(t),
                        Amount::Range(lo, hi) => (lo.value.is_sign_negative() && !lo.is_zero())
                            .then_some(lo)
                            .or((!hi.is_positive()).then_some(hi)),
                    };
                    if let Some(t) = behind {
                        return Err(EvalError::TimeNotPositive {
                            time: t.to_string(),
                            span: e.span,
                        }
                        .into());
                    }
                    self.decision.observe.push(a);
                }
                ActionSpec::Wait(e) => {
                    let t = env.num(e)?;
                    if t.value.is_sign_positive() && !t.is_zero() {
                        let next = self.decision.next.get_or_insert_with(Next::default);
                        let later = match &next.after {
                            Some(a) => t.compare(a).map_err(|err| unit_error(err, e.span))?.is_gt(),
                            None => true,
                        };
                        if later {
                            next.after = Some(t);
                        }
                    }
                }
                ActionSpec::Goto(_) => {}
                ActionSpec::Next(p, after) => {
                    let after = after.as_ref().map(|e| env.num(e)).transpose()?;
                    let next = self.decision.next.get_or_insert_with(Next::default);
                    next.phase = Some(self.program.phases[*p].name.clone());
                    // As with `wait`, a time already passed (zero or less, e.g. `24 h -
                    // hours_since_change`) means now: never "after -5 h".
                    // Another rule's delay is not kept for this phase either.
                    if let Some(after) = after {
                        next.after = Some(after).filter(Quantity::is_positive);
                    }
                }
            }
        }
        Ok(())
    }

    fn set_schedule(&mut self, schedule: Schedule, rule: &RuleSpec) {
        if let Some(first) = &self.decision.schedule {
            // Two schedules at once cannot both be followed: neither is given.
            let text = format!(
                "two schedules for one patient ({} and {}): follow one; the protocol's rules \
                 must not give both",
                first.rule, rule.id
            );
            self.reason(ReasonKind::Refuse, &text, rule);
        }
        self.decision.schedule = Some(schedule);
    }

    /// Expands a schedule written step by step: each step's dose and frequency as written, for
    /// its days. A soft limit a step passes is warned about here, once per limit; a hard one is
    /// the safety gate's, which refuses the whole decision (a step the pharmacist wrote is
    /// never silently dropped).
    fn stepped(&mut self, env: &mut Env<'p>, s: &SteppedSpec, rule: &RuleSpec) -> R<Schedule> {
        if s.steps.len() > MAX_SCHEDULE_STEPS {
            let from = s.steps.first().map_or(rule.span, |st| st.span);
            return Err(EvalError::ScheduleTooLong { from }.into());
        }
        let start = match &s.starting {
            Some(e) => match env.eval(e)? {
                Value::Date(d) => Some(d),
                _ => None,
            },
            None => None,
        };
        let mut steps = Vec::with_capacity(s.steps.len() + 1);
        let mut day: u32 = 1;
        for (i, st) in s.steps.iter().enumerate() {
            env.charge(1, st.span)?;
            let dose = env.num(&st.amount)?;
            let frequency = st
                .frequency
                .as_ref()
                .map(|f| frequency(env, f))
                .transpose()?;
            let days = st
                .duration
                .as_ref()
                .map(|e| step_days(env, e))
                .transpose()?;
            let to_day = days.map(|n| day.saturating_add(n - 1));
            let daily = daily_total(&dose, frequency.as_ref())
                .map_err(|e| unit_error(e, st.amount.span))?;
            self.warn_soft(env, i + 1, &dose, frequency.as_ref(), &daily)?;
            steps.push(Step {
                number: i + 1,
                from_day: day,
                to_day,
                from_date: None,
                to_date: None,
                dose: Some(dose),
                // As for a dose: a total per day only for a step given every day.
                daily_total: frequency
                    .as_ref()
                    .is_some_and(daily_at_least)
                    .then_some(daily),
                frequency,
                stop: false,
            });
            day = to_day.map_or(day, |d| d.saturating_add(1));
        }
        if s.then_stop {
            steps.push(Step {
                number: steps.len() + 1,
                from_day: day,
                to_day: None,
                from_date: None,
                to_date: None,
                dose: None,
                frequency: None,
                daily_total: None,
                stop: true,
            });
        }
        if let Some(d) = start {
            let at = s.starting.as_ref().map_or(rule.span, |e| e.span);
            date_steps(&mut steps, d, at)?;
        }
        Ok(Schedule {
            direction: "steps",
            steps,
            route: self.program.header.route.clone(),
            rule: rule.id.clone(),
            source: rule.source.clone(),
        })
    }

    /// Warns, once per limit, about a soft limit a written step passes.
    fn warn_soft(
        &mut self,
        env: &mut Env<'p>,
        number: usize,
        dose: &Quantity,
        frequency: Option<&FrequencyOut>,
        daily: &Quantity,
    ) -> R<()> {
        let breaches = limits::breaches(env, Some(dose), frequency.map(|_| daily), false)?;
        for b in breaches.iter().filter(|b| !b.limit.hard) {
            let said = self
                .decision
                .messages
                .iter()
                .any(|m| m.rule.as_deref() == Some(&b.limit.id));
            if !said {
                let given = match frequency {
                    Some(f) => format!("{dose} {}", f.text),
                    None => dose.to_string(),
                };
                let text = format!("Step {number} ({given}): {}", b.explain());
                self.limit_message(b, Level::Warning, text);
            }
        }
        Ok(())
    }

    fn reason(&mut self, kind: ReasonKind, text: &str, rule: &RuleSpec) {
        self.decision.reasons.push(Reason {
            kind,
            text: text.to_string(),
            rule: rule.id.clone(),
            source: rule.source.clone(),
        });
    }

    fn dose(&mut self, env: &mut Env<'p>, g: &GiveSpec, rule: &RuleSpec) -> R<Dose> {
        let amount_value = amount(env, &g.amount)?;
        let frequency = g
            .frequency
            .as_ref()
            .map(|f| frequency(env, f))
            .transpose()?;
        let daily = |q: &Quantity| {
            daily_total(q, frequency.as_ref()).map_err(|e| unit_error(e, g.amount.span))
        };
        let shown = frequency.as_ref().is_some_and(daily_at_least);
        let daily_total = match (&amount_value, &frequency) {
            (Amount::One(q), _) if is_rate(q) || shown => Some(Amount::One(daily(q)?)),
            (Amount::Range(a, b), _) if is_rate(a) || shown => {
                Some(Amount::Range(daily(a)?, daily(b)?))
            }
            _ => None,
        };
        Ok(Dose {
            amount: amount_value,
            route: g
                .route
                .clone()
                .or_else(|| self.program.header.route.clone()),
            form: g.form.clone(),
            frequency,
            over: g.over.as_ref().map(|e| amount(env, e)).transpose()?,
            duration: g.duration.as_ref().map(|e| amount(env, e)).transpose()?,
            daily_total,
            rule: rule.id.clone(),
            source: rule.source.clone(),
        })
    }

    // Long on purpose: one loop that makes each step and holds it as it is made; the loop's state
    // (dose, direction, until, limits) is shared by every step.
    fn schedule(&mut self, env: &mut Env<'p>, s: &ScheduleSpec, rule: &RuleSpec) -> R<Schedule> {
        let span = s.step.span;
        let err = |e| unit_error(e, span);
        let from = env.num(&s.from)?;
        let step = env.num(&s.step)?;
        if step.value.is_sign_negative() || step.is_zero() {
            return Err(EvalError::ScheduleStep {
                step: step.to_string(),
                span,
            }
            .into());
        }
        let every_days = whole_days(env, &s.every)?;
        let until = s.until.as_ref().map(|e| env.num(e)).transpose()?;
        let start = match &s.starting {
            Some(e) => match env.eval(e)? {
                Value::Date(d) => Some(d),
                _ => None,
            },
            None => None,
        };
        let frequency = s
            .frequency
            .as_ref()
            .map(|f| frequency(env, f))
            .transpose()?;
        let mut doses: Vec<Quantity> = Vec::new();
        let mut dose = from.clone();
        loop {
            if doses.len() >= MAX_SCHEDULE_STEPS {
                return Err(EvalError::ScheduleTooLong { from: s.from.span }.into());
            }
            if !s.increase && (dose.value.is_sign_negative() || dose.is_zero()) {
                break;
            }
            let daily = daily_total(&dose, frequency.as_ref()).map_err(err)?;
            let breaches =
                limits::breaches(env, Some(&dose), frequency.as_ref().map(|_| &daily), false)?;
            if let Some(b) = breaches.iter().find(|b| b.limit.hard) {
                if s.increase {
                    self.limit_message(
                        b,
                        Level::Critical,
                        format!("The schedule stops before {dose}: {}", b.explain()),
                    );
                    break;
                }
                // Said once: the safety gate refuses the whole taper.
                let said = self.decision.messages.iter().any(|m| {
                    m.rule.as_deref() == Some(&b.limit.id) && m.text.starts_with("The taper")
                });
                if !said {
                    self.limit_message(
                        b,
                        Level::Critical,
                        format!("The taper starts above a hard limit: {}", b.explain()),
                    );
                }
            }
            // A taper only lowers the dose: a soft ceiling it starts above is no news.
            for b in breaches.iter().filter(|b| !b.limit.hard && s.increase) {
                if !self
                    .decision
                    .messages
                    .iter()
                    .any(|m| m.rule.as_deref() == Some(&b.limit.id))
                {
                    self.limit_message(b, Level::Warning, format!("From {dose}, {}", b.explain()));
                }
            }
            doses.push(dose.clone());
            let Some(next) = self
                .next_dose(&dose, &step, s, until.as_ref(), frequency.as_ref())
                .map_err(err)?
            else {
                break;
            };
            dose = next;
        }
        // The calendar ends at 9999-12-31: a step past it would be listed without its date.
        if let Some(d) = start {
            let last_day = doses.len() as i64 * i64::from(every_days);
            let moved = jiff::Span::new()
                .try_days(last_day - 1)
                .and_then(|by| d.checked_add(by));
            if moved.is_err() {
                let by = format!("{} days", last_day - 1);
                let e = UnitError::DateOutOfRange {
                    date: d,
                    op: '+',
                    by,
                };
                let at = s.starting.as_ref().map_or(span, |e| e.span);
                return Err(unit_error(e, at));
            }
        }
        Ok(self.steps(doses, every_days, start, frequency, s, rule))
    }

    /// The next dose of a schedule, or `None` when `until` is reached. The last step lands
    /// exactly on `until` rather than jumping past it.
    fn next_dose(
        &self,
        dose: &Quantity,
        step: &Quantity,
        s: &ScheduleSpec,
        until: Option<&Quantity>,
        freq: Option<&FrequencyOut>,
    ) -> Result<Option<Quantity>, crate::units::UnitError> {
        let next = if s.increase {
            dose.add(step)?
        } else {
            dose.sub(step)?
        };
        let Some(until) = until else {
            return Ok(Some(next));
        };
        let per_dose_until = if is_rate(until) && !is_rate(dose) {
            // `until 60 mg/day`: compare daily totals.
            let current = daily_total(dose, freq)?;
            let reached = if s.increase {
                current.compare(until)?.is_ge()
            } else {
                current.compare(until)?.is_le()
            };
            if reached {
                return Ok(None);
            }
            let n = daily_total(&next, freq)?;
            let past = if s.increase {
                n.compare(until)?.is_gt()
            } else {
                n.compare(until)?.is_lt()
            };
            return Ok((!past).then_some(next));
        } else {
            until
        };
        let at_end = if s.increase {
            dose.compare(per_dose_until)?.is_ge()
        } else {
            dose.compare(per_dose_until)?.is_le()
        };
        if at_end {
            return Ok(None);
        }
        let past = if s.increase {
            next.compare(per_dose_until)?.is_gt()
        } else {
            next.compare(per_dose_until)?.is_lt()
        };
        Ok(Some(if past {
            per_dose_until
                .convert_to(&dose.unit)
                .unwrap_or_else(|_| per_dose_until.clone())
        } else {
            next
        }))
    }

    fn steps(
        &self,
        doses: Vec<Quantity>,
        every_days: u32,
        start: Option<jiff::civil::Date>,
        frequency: Option<FrequencyOut>,
        s: &ScheduleSpec,
        rule: &RuleSpec,
    ) -> Schedule {
        let count = doses.len();
        let date = |day: u32| {
            start.and_then(|d| {
                jiff::Span::new()
                    .try_days(i64::from(day) - 1)
                    .and_then(|by| d.checked_add(by))
                    .ok()
            })
        };
        let mut steps: Vec<Step> = doses
            .into_iter()
            .enumerate()
            .map(|(i, dose)| {
                let from_day = 1 + i as u32 * every_days;
                let last = i + 1 == count;
                let to_day = (!(last && s.increase)).then(|| from_day + every_days - 1);
                let daily_total = daily_total(&dose, frequency.as_ref())
                    .ok()
                    .filter(|_| frequency.as_ref().is_some_and(daily_at_least));
                Step {
                    number: i + 1,
                    from_day,
                    to_day,
                    from_date: date(from_day),
                    to_date: to_day.and_then(date),
                    dose: Some(dose),
                    frequency: frequency.clone(),
                    daily_total,
                    stop: false,
                }
            })
            .collect();
        if s.then_stop {
            let from_day = steps.last().and_then(|s| s.to_day).map_or(1, |d| d + 1);
            steps.push(Step {
                number: count + 1,
                from_day,
                to_day: None,
                from_date: date(from_day),
                to_date: None,
                dose: None,
                frequency: None,
                daily_total: None,
                stop: true,
            });
        }
        Schedule {
            direction: if s.increase { "increase" } else { "decrease" },
            steps,
            route: self.program.header.route.clone(),
            rule: rule.id.clone(),
            source: rule.source.clone(),
        }
    }

    fn limit_message(&mut self, b: &Breach<'_>, level: Level, text: impl Into<Text>) {
        self.decision.messages.push(Message {
            level,
            // Static names: no lookup in the process's names for each patient warned.
            code: crate::check::Name::from_static(if b.limit.hard {
                super::gate::HARD_LIMIT_CODE
            } else {
                super::gate::SOFT_LIMIT_CODE
            }),
            text: text.into(),
            rule: Some(b.limit.id.clone()),
            source: b.limit.source.clone(),
        });
    }

    /// Enforces the limits on every dose, then hands over the decision.
    pub fn finish(
        mut self,
        env: &mut Env<'p>,
        trace: &mut Trace,
        fired: &mut FiredIds,
    ) -> R<Decision> {
        self.shown_values();
        // Each dose is held where it is, in order (not moved out and back into a new list).
        let mut doses = std::mem::take(&mut self.decision.doses);
        let (mut i, mut given) = (0, 0);
        while i < doses.len() {
            let rounding = self.rounding(Given::Dose(given));
            given += 1;
            if self.enforce(env, &mut doses[i], rounding, trace, fired)? {
                i += 1;
            } else {
                doses.remove(i);
            }
        }
        self.decision.doses = doses;
        // Soft limits warn and hard ceilings cap ranges for each alternative as for a dose;
        // the gate judges each on its own.
        let mut alternatives = std::mem::take(&mut self.decision.alternatives);
        for (n, alt) in alternatives.iter_mut().enumerate() {
            let rounding = self.rounding(Given::Alternative(n));
            self.enforce(env, &mut alt.dose, rounding, trace, fired)?;
        }
        self.decision.alternatives = alternatives;
        for m in &self.decision.messages {
            if m.code.starts_with("limit.") {
                if let Some(rule) = &m.rule {
                    fired.note(rule);
                }
            }
        }
        Ok(self.decision)
    }

    /// The rounding written on the high end of the dose given at `at`, if any.
    fn rounding(&self, at: Given) -> Option<&'p CExpr> {
        self.roundings
            .iter()
            .find(|(g, _)| *g == at)
            .map(|(_, r)| *r)
    }

    /// Holds one dose against the limits: warns on soft ones and caps a range at a hard
    /// ceiling its low end is within (rounded down as its high end was, `rounding`). Refusing
    /// is the safety gate's (`gate.rs`), not this.
    // Long on purpose: one pass over a dose's breaches, each warned of, capped or left for the
    // gate in order, with the trace entry each leaves.
    fn enforce(
        &mut self,
        env: &mut Env<'p>,
        dose: &mut Dose,
        rounding: Option<&CExpr>,
        trace: &mut Trace,
        fired: &mut FiredIds,
    ) -> R<bool> {
        let is_bolus = dose.form.as_deref() == Some("bolus");
        let single_high = (!is_rate(dose.amount.high())).then(|| dose.amount.high());
        let daily_high = dose.daily_total.as_ref().map(Amount::high);
        let single_low = (!is_rate(dose.amount.low())).then(|| dose.amount.low());
        let daily_low = dose.daily_total.as_ref().map(Amount::low);
        let before = (env.budget().left(), env.fresh_steps());
        let high = limits::breaches(env, single_high, daily_high, is_bolus)?;
        let one = matches!(dose.amount, Amount::One(_))
            && !matches!(dose.daily_total, Some(Amount::Range(..)));
        let low = if one && charge_again(env, before) {
            None
        } else {
            Some(limits::breaches(env, single_low, daily_low, is_bolus)?)
        };
        let keep = true;
        // A few breaches are looked through one by one (no set to allocate for each dose); a
        // protocol may break thousands of limits at once, so past a few a set of them is kept.
        let low_limits: Option<HashSet<*const crate::check::LimitSpec>> = low
            .as_ref()
            .filter(|low| low.len() > Self::SCAN_LIMITS)
            .map(|low| low.iter().map(|l| std::ptr::from_ref(l.limit)).collect());
        for b in &high {
            let also_low = match (&low, &low_limits) {
                (None, _) => true,
                (Some(_), Some(set)) => set.contains(&std::ptr::from_ref(b.limit)),
                (Some(low), None) => low.iter().any(|l| std::ptr::eq(l.limit, b.limit)),
            };
            let values = |trace: &mut Trace| {
                trace.pair(
                    crate::check::Name::from_static("value"),
                    TraceText::quantity(b.value.clone()),
                );
                trace.pair(
                    crate::check::Name::from_static("bound"),
                    TraceText::quantity(b.bound.clone()),
                );
            };
            let entry = |detail: &'static str| {
                move |values| TraceEntry {
                    kind: "limit",
                    id: b.limit.id.clone(),
                    fired: true,
                    source: b.limit.source.clone(),
                    values,
                    detail: Some(Cow::Borrowed(detail)),
                }
            };
            fired.note(&b.limit.id);
            if !b.limit.hard {
                self.limit_message(b, Level::Warning, b.explain_text());
                trace.push_with(values, entry("soft limit: warned"));
                continue;
            }
            // A range whose low end breaks the limit too cannot be mended by a cap.
            let capped = if also_low {
                Cap::Cannot
            } else {
                self.cap(env, dose, rounding, b)
            };
            match capped {
                Cap::AlreadyLower => {
                    trace.push_with(values, entry("hard limit: range already capped lower"));
                    continue;
                }
                Cap::Lowered(rounded) => {
                    self.limit_message(b, Level::Warning, capped_text(b, rounded));
                    trace.push_with(values, entry("hard limit: range capped"));
                    continue;
                }
                Cap::Cannot => {}
            }
            // A breach that no cap mends is the safety gate's to refuse: it refuses the
            // whole decision, so no other dose of it is given either.
        }
        Ok(keep)
    }

    /// Caps a range's high end at a ceiling's bound (`<=`), where the bound is on the range
    /// itself. Only ever lowers it: a range already capped at a lower bound by an earlier limit is
    /// within this one too (its breach was found on the range as written), and capping again
    /// would raise it back above the earlier limit, so that the order limits are written in
    /// would decide between a dose and a refusal.
    fn cap(
        &self,
        env: &mut Env<'p>,
        dose: &mut Dose,
        rounding: Option<&CExpr>,
        b: &Breach<'_>,
    ) -> Cap {
        let Amount::Range(lo, high) = &dose.amount else {
            return Cap::Cannot;
        };
        if !(limits::is_ceiling(b.limit) && b.limit.op == crate::ops::CmpOp::Le) {
            return Cap::Cannot;
        }
        // Both ends in the dose's unit ("18 mg to 20 mg", not "18 mg to 20000 mcg"; a rate
        // capped by a daily limit "80 mg/h to 83.3333 mg/h", never "80 mg/h to 2000 mg/day",
        // which reads as 2000 mg/h). A bound of another kind (a daily total's, for a dose
        // given N times daily) is not on the range itself: the breach stands, for the gate to
        // refuse.
        let Some(hi) = super::proposal::ceiling_in(&b.bound, &lo.unit) else {
            return Cap::Cannot;
        };
        if high.compare(&hi).is_ok_and(|o| o.is_le()) {
            return Cap::AlreadyLower;
        }
        let (hi, rounded) = match rounding {
            None => (hi, None),
            Some(r) => match rounded_ceiling(env, r, &hi) {
                Some(down) => (down.clone(), Some(down)),
                // A rounding that cannot be worked out again: no range is made up.
                None => return Cap::Cannot,
            },
        };
        if hi.compare(lo).map_or(true, |o| o.is_lt()) {
            // No amount of the rounding's steps or strengths fits between the low end and the
            // ceiling: the breach stands, for the gate to refuse.
            return Cap::Cannot;
        }
        let lo = lo.clone();
        dose.amount = Amount::Range(lo.clone(), hi.clone());
        if dose.daily_total.is_some() {
            // The daily total follows the capped dose (a stale total would show more).
            let freq = dose.frequency.as_ref();
            dose.daily_total = match (daily_total(&lo, freq), daily_total(&hi, freq)) {
                (Ok(dlo), Ok(dhi)) => Some(Amount::Range(dlo, dhi)),
                _ => None,
            };
        }
        Cap::Lowered(rounded)
    }
}

/// A capped range's ceiling `hi` rounded down as the dose's high end was rounded (`rounding`,
/// a `round … to STEP` or `round … to nearest of [LIST]`): to the step below it, or the largest
/// strength of the list not above it, in the ceiling's unit. `None` when the step or the list
/// cannot be worked out, or no strength is at or below the ceiling.
fn rounded_ceiling(env: &mut Env<'_>, rounding: &CExpr, hi: &Quantity) -> Option<Quantity> {
    match &rounding.kind {
        CExprKind::Round(_, _, step) => {
            let step = env.num(step).ok()?;
            let down = hi.round_to_step(&step, RoundMode::Down).ok()?;
            down.convert_exactly_to(&hi.unit).ok()
        }
        CExprKind::RoundOf(_, _, list) => {
            let Ok(Value::List(items)) = env.eval(list) else {
                return None;
            };
            let strengths = items
                .iter()
                .map(|v| v.as_num().cloned())
                .collect::<Option<Vec<_>>>()?;
            // As `round down to nearest of` picks: the largest strength not above it.
            let down = super::expr::pick_strength(hi, &strengths, RoundMode::Down, list.span);
            down.ok()?.convert_exactly_to(&hi.unit).ok()
        }
        _ => None,
    }
}

/// The warning a range capped at a limit's bound leaves: "Range capped at 1 g: …", or, for a
/// range whose high end is rounded, "Range capped at 900 mg (the dose's rounding at or below
/// 1 g): …".
fn capped_text(b: &Breach<'_>, rounded: Option<Quantity>) -> Text {
    let mut text = Text::with_capacity(6);
    text.push_static("Range capped at ");
    match rounded {
        Some(q) => {
            text.push_quantity(q);
            text.push_static(" (the dose's rounding at or below ");
            text.push_quantity(b.bound.clone());
            text.push_static(")");
        }
        None => text.push_quantity(b.bound.clone()),
    }
    text.push_static(": ");
    text.append(b.explain_text());
    text
}

/// What capping a range at a limit's bound did.
enum Cap {
    /// The range's high end is now the bound, or the step or strength of the dose's rounding
    /// at or below it (that amount, then).
    Lowered(Option<Quantity>),
    /// An earlier limit already capped it below the bound: this limit holds.
    AlreadyLower,
    /// The range cannot be capped at this bound (not a range, not a `<=` ceiling, or the bound
    /// is of another kind): the breach stands, for the gate to refuse.
    Cannot,
}

/// A single amount (and its single daily total) is its own low end: its low end breaks the
/// very limits its high end breaks, so it is not held again. The steps holding it again would
/// take are still taken, at once: those taken since `before` (steps left, [`Env::fresh_steps`])
/// but for the work done once and kept (`let`s worked out and limits' verdicts, which a second
/// look reads where they are kept). True then, with the same steps left after as two looks
/// left. False, taking none, when they are not all there: then the caller looks again, to fail
/// where two looks always failed.
fn charge_again(env: &Env<'_>, before: (u64, u64)) -> bool {
    let spent = before.0.saturating_sub(env.budget().left());
    let once = env.fresh_steps().saturating_sub(before.1);
    env.budget().try_spend(spent.saturating_sub(once))
}

/// The value a message quotes, charged for showing it. A value worked out from one the
/// patient lacks reads `missing`, as the missing value itself does: a message never withholds
/// a decision.
fn quoted_value(env: &mut Env<'_>, e: &CExpr, span: Span) -> R<Value> {
    let v = env.eval_or_missing(e)?;
    env.charge(super::budget::steps_to_show(&v), span)?;
    Ok(v)
}

/// A message with its `{name}` values filled in (a value not given reads "missing"). A value
/// from the patient's data is shown shortened when long: a message is read by a person.
pub(super) fn render_text(env: &mut Env<'_>, parts: &[TextPart], span: Span) -> R<String> {
    let mut out = String::new();
    for part in parts {
        match part {
            TextPart::Literal(t) => out.push_str(t),
            TextPart::Value(e) => {
                let v = quoted_value(env, e, span)?;
                let reference = match e.kind {
                    CExprKind::Input(slot) => Some(Reference::Input(slot)),
                    CExprKind::Let(slot) => Some(Reference::Let(slot)),
                    _ => None,
                };
                env.push_shown(reference, &v, &mut out);
            }
        }
    }
    Ok(out)
}

/// A value a message quotes, as a piece of its text: a number or a date kept to be written out
/// when read, an input's or a `let`'s value written once per patient and shared, anything
/// else written now.
enum QuotedPiece {
    Quantity(Quantity),
    Date(jiff::civil::Date),
    Shared(std::sync::Arc<str>),
    Owned(String),
}

/// The value `e` quotes in a message, charged as [`quoted_value`] charges it.
fn quoted_piece(env: &mut Env<'_>, e: &CExpr, span: Span) -> R<QuotedPiece> {
    Ok(match quoted_value(env, e, span)? {
        Value::Num(q) => QuotedPiece::Quantity(q),
        Value::Date(d) => QuotedPiece::Date(d),
        other => match e.kind {
            CExprKind::Input(slot) => {
                QuotedPiece::Shared(env.shown_shared(Reference::Input(slot), &other))
            }
            CExprKind::Let(slot) => {
                QuotedPiece::Shared(env.shown_shared(Reference::Let(slot), &other))
            }
            _ => {
                let mut written = String::new();
                env.push_shown(None, &other, &mut written);
                QuotedPiece::Owned(written)
            }
        },
    })
}

/// [`render_text`], kept as its pieces: a number or a date it quotes is written out only when
/// the message is read (see [`Text`]), and reads as `render_text` would write it.
pub(super) fn message_text(env: &mut Env<'_>, parts: &[TextPart], span: Span) -> R<Text> {
    let mut out = Text::with_capacity(parts.len());
    for part in parts {
        match part {
            TextPart::Literal(t) => out.push_shared(t),
            TextPart::Value(e) => match quoted_piece(env, e, span)? {
                QuotedPiece::Quantity(q) => out.push_shown_quantity(q),
                QuotedPiece::Date(d) => out.push_shown_date(d),
                QuotedPiece::Shared(t) => out.push_shared(&t),
                QuotedPiece::Owned(t) => out.push_string(t),
            },
        }
    }
    Ok(out)
}

/// [`message_text`] of a message's words shared with the program: kept as the words and the
/// values they quote (see [`Text::template`]), which read as `message_text`'s pieces would.
/// The values are worked out in the same order, with the same steps and errors.
pub(super) fn quoting_text(
    env: &mut Env<'_>,
    parts: &std::sync::Arc<[TextPart]>,
    span: Span,
) -> R<Text> {
    let count = parts
        .iter()
        .filter(|p| matches!(p, TextPart::Value(_)))
        .count();
    if count == 0 {
        // Words alone: read as they are, with nothing to write out.
        return message_text(env, parts, span);
    }
    let mut quoted = Quoted::with_capacity(count);
    for part in parts.iter() {
        let TextPart::Value(e) = part else {
            continue;
        };
        match quoted_piece(env, e, span)? {
            QuotedPiece::Quantity(q) => quoted.shown_quantity(q),
            QuotedPiece::Date(d) => quoted.shown_date(d),
            QuotedPiece::Shared(t) => quoted.shared(t),
            QuotedPiece::Owned(t) => quoted.owned(t),
        }
    }
    Ok(Text::template(std::sync::Arc::clone(parts), quoted))
}

/// Evaluates an amount or a range.
pub(super) fn amount(env: &mut Env<'_>, e: &CExpr) -> R<Amount> {
    match env.present(e)? {
        Value::Num(q) => Ok(Amount::One(q)),
        // A range just worked out is this value's alone: its ends are moved, not copied.
        Value::Range(r) => match std::sync::Arc::unwrap_or_clone(r) {
            (Value::Num(a), Value::Num(b)) => Ok(Amount::Range(a, b)),
            _ => Err(missing(env.program, e)),
        },
        _ => Err(missing(env.program, e)),
    }
}

/// Evaluates a frequency.
pub(super) fn frequency(env: &mut Env<'_>, f: &FrequencySpec) -> R<FrequencyOut> {
    match f {
        FrequencySpec::TimesDaily(n) => Ok(FrequencyOut::times_daily(env.num(n)?)),
        FrequencySpec::Every(t) => {
            let t_span = t.span;
            let t = env.num(t)?;
            if t.is_zero() || t.value.is_sign_negative() {
                return Err(EvalError::Frequency {
                    interval: t.to_string(),
                    span: t_span,
                }
                .into());
            }
            Ok(FrequencyOut::every(t))
        }
    }
}

/// The most given in one day of a dose at a frequency, as the safety gate counts it (a rate
/// is already per time; `every 5 h` is 5 doses in a day; see `gate::doses_in_a_day`).
pub(super) fn daily_total(
    dose: &Quantity,
    freq: Option<&FrequencyOut>,
) -> Result<Quantity, crate::units::UnitError> {
    if is_rate(dose) {
        return per_day(dose);
    }
    let day = Quantity::new(1.into(), one_day());
    match freq {
        Some(f) => {
            let (_, count) =
                super::gate::doses_in_a_day(f).ok_or(crate::units::UnitError::Overflow)?;
            per_day(&dose.mul(&count)?.div(&day)?)
        }
        None => dose.div(&day),
    }
}

/// True when a frequency gives at least one dose every day, so that a total per day means
/// what it says; "150 mg every 1 week (150 mg/day)" would read as a daily dose.
fn daily_at_least(freq: &FrequencyOut) -> bool {
    let one = Quantity::new(1.into(), crate::units::Unit::none());
    let day = Quantity::new(1.into(), one_day());
    match (&freq.times_per_day, &freq.every) {
        (Some(n), _) => n.compare(&one).is_ok_and(|o| o.is_ge()),
        (None, Some(t)) => t.compare(&day).is_ok_and(|o| o.is_le()),
        (None, None) => false,
    }
}

/// Dates each step of a schedule from its first day; a step past 9999-12-31 is refused rather
/// than listed without its date.
fn date_steps(steps: &mut [Step], start: jiff::civil::Date, at: Span) -> R<()> {
    let date = |day: u32| -> R<jiff::civil::Date> {
        let by = i64::from(day) - 1;
        jiff::Span::new()
            .try_days(by)
            .and_then(|span| start.checked_add(span))
            .map_err(|_| {
                let e = UnitError::DateOutOfRange {
                    date: start,
                    op: '+',
                    by: format!("{by} days"),
                };
                unit_error(e, at)
            })
    };
    for st in steps {
        st.from_date = Some(date(st.from_day)?);
        st.to_date = st.to_day.map(date).transpose()?;
    }
    Ok(())
}

/// A schedule interval as a whole number of days.
fn whole_days(env: &mut Env<'_>, e: &CExpr) -> R<u32> {
    let t = env.num(e)?;
    crate::units::daily::whole_days(&t).ok_or_else(|| {
        EvalError::ScheduleInterval {
            interval: t.to_string(),
            span: e.span,
        }
        .into()
    })
}

/// How long a step of a schedule written step by step lasts, as a whole number of days.
fn step_days(env: &mut Env<'_>, e: &CExpr) -> R<u32> {
    let t = env.num(e)?;
    crate::units::daily::whole_days(&t).ok_or_else(|| {
        EvalError::StepDuration {
            duration: t.to_string(),
            span: e.span,
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    //! Times that are not doses: what a decision says when one works out to zero or less.

    use crate::diagnostics::Diagnostic;
    use crate::eval::test_support::try_decide_text;
    use crate::eval::{Decision, Status};

    const TEXT: &str =
        "protocol t {\n version \"1\"\n source \"s\"\n inputs { p: a | b\n since: h }\n \
        begin at p\n limit dose <= 10 mg hard\n phase a { decide first { otherwise => give 1 mg ; \
        observe 48 h - since ; next b after 24 h - since } }\n phase b { decide first { otherwise \
        => hold \"x\" } }\n}\n";

    fn decide(since: &str) -> Result<Decision, Diagnostic> {
        try_decide_text(TEXT, &format!(r#"{{"p": "a", "since": "{since}"}}"#)).1
    }

    /// A name shown again moves to the end with its latest value, whether the decision shows a
    /// few values (looked through one by one) or many (found through a map).
    #[test]
    fn a_value_shown_again_moves_to_the_end_with_its_latest_value() {
        for count in [3, 40] {
            let lets: String = (0..count)
                .map(|i| format!(" let v{i} = {i} mg\n"))
                .collect();
            let names: Vec<String> = (0..count).map(|i| format!("v{i}")).collect();
            let text = format!(
                "protocol s {{\n version \"1\"\n source \"s\"\n inputs {{ x: mg }}\n{lets} \
                 limit dose <= 20 mg hard\n decide collect {{ a: always => give 1 mg ; show {}\n \
                 b: always => show v0, x\n c: always => show v1 }} }}\n",
                names.join(", ")
            );
            let (program, d) = crate::eval::test_support::decide_text(&text, r#"{"x": "7 mg"}"#);
            let shown: Vec<String> = d
                .values
                .iter()
                .map(|(n, v)| format!("{n}={}", crate::value::Shown(v, &program)))
                .collect();
            let mut expected: Vec<String> = (2..count).map(|i| format!("v{i}={i} mg")).collect();
            expected.extend(["v0=0 mg", "x=7 mg", "v1=1 mg"].map(String::from));
            assert_eq!(shown, expected, "{count} values");
        }
    }

    /// A schedule whose steps run past 9999-12-31 is refused, not listed without dates.
    #[test]
    fn a_schedule_past_the_calendar_is_refused() {
        let text = "protocol s {\n version \"1\"\n source \"s\"\n inputs { start: date }\n \
            limit dose <= 20 mg hard\n limit daily <= 60 mg/day hard\n decide first { otherwise \
            => schedule from 5 mg 3 times daily increase by 5 mg every 3 days until 20 mg \
            starting start } }\n";
        let decide = |start: &str| try_decide_text(text, &format!(r#"{{"start": "{start}"}}"#)).1;
        let d = decide("9999-12-01").expect("the last step starts 9999-12-10");
        let steps = &d.schedule.expect("a schedule").steps;
        assert!(steps.iter().all(|s| s.from_date.is_some()), "{steps:?}");
        let err = decide("9999-12-30").expect_err("steps past 9999-12-31");
        assert_eq!(err.code, "posology::value::date_out_of_range");
    }

    #[test]
    fn times_ahead_are_shown() {
        let d = decide("2 h").expect("decides");
        assert_eq!(d.status, Status::Give);
        let next = d.next.expect("a next phase");
        assert_eq!(next.after.expect("after").to_string(), "22 h");
        assert_eq!(next.phase.as_deref(), Some("b"));
        assert_eq!(d.observe.len(), 1);
    }

    #[test]
    fn a_next_phase_whose_time_has_passed_is_now_not_after_a_negative_time() {
        let d = decide("30 h").expect("decides");
        let next = d.next.expect("a next phase");
        assert_eq!(next.phase.as_deref(), Some("b"));
        assert!(next.after.is_none(), "not after -6 h: {:?}", next.after);
    }

    #[test]
    fn an_observation_may_start_now_and_a_passed_next_time_keeps_no_other_delay() {
        let text = "protocol o {\n version \"1\"\n source \"s\"\n inputs { p: a | b | c\n since: h }\n \
            begin at p\n limit dose <= 10 mg hard\n phase a { decide collect { r1: always => give \
            1 mg ; observe 0 h..2 h ; next b after 24 h\n r2: always => next c after 12 h - since } }\n \
            phase b { decide first { otherwise => hold \"x\" } }\n phase c { decide first { \
            otherwise => hold \"y\" } }\n}\n";
        let d = try_decide_text(text, r#"{"p": "a", "since": "20 h"}"#)
            .1
            .expect("observe 0 h..2 h is an observation from now");
        assert_eq!(d.observe.len(), 1);
        let next = d.next.expect("a next phase");
        assert_eq!(next.phase.as_deref(), Some("c"));
        // Phase c's time has passed: now, not phase b's 24 h.
        assert!(next.after.is_none(), "{:?}", next.after);
    }

    #[test]
    fn an_observation_time_that_is_not_ahead_is_refused() {
        let err = decide("50 h").expect_err("observe -2 h is refused");
        assert_eq!(err.code, "posology::eval::time_not_positive");
        assert!(err.message.contains("-2 h"), "{}", err.message);
    }
}

#[cfg(test)]
mod one_look_tests {
    //! A single dose is held against the limits once, and charged as if it were held twice (its
    //! high end, then its low end): the same steps left, and a short budget runs out where it
    //! ran out when it was.

    use super::{limits, Amount, Builder, Dose, Env, FiredIds, Trace};
    use crate::check::Name;
    use crate::eval::budget::Budget;
    use crate::input::Format;
    use crate::units::Quantity;
    use crate::Protocol;

    /// Limits whose verdicts and reasons work out `let`s for the first time, worked out once.
    const TEXT: &str = "protocol t {\n version \"1\"\n source \"s\"\n \
        inputs { w: kg\n k: kg optional }\n let twice = w * 2\n let thrice = w * 3\n \
        let cap = if w > 50 kg then 1 g else 2 g\n \
        limit dose <= cap hard\n limit dose <= 5 mg soft when thrice > 1 kg because \"above 5 mg at {w} ({twice})\"\n \
        limit daily <= 1 mg/day soft when k is missing because \"a lot at {thrice}, {k}\"\n \
        decide first { otherwise => give 10 mg }\n}\n";

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn dose() -> Dose {
        Dose {
            amount: Amount::One(q("10 mg")),
            route: None,
            form: None,
            frequency: None,
            over: None,
            duration: None,
            daily_total: Some(Amount::One(q("10 mg/day"))),
            rule: Name::from_static("r"),
            source: None,
        }
    }

    #[test]
    fn a_single_dose_is_held_once_and_charged_for_two_looks() {
        let protocol = Protocol::load("t.dose", TEXT).unwrap_or_else(|d| panic!("{d:?}"));
        let patient = protocol
            .read_patient("p", r#"{"w": "70 kg"}"#, Format::Json, &[])
            .unwrap_or_else(|d| panic!("{d:?}"));
        let (program, inputs) = (protocol.program(), patient.values());
        // The two looks, as they were taken: (ok, steps left, where the budget ran out).
        let two_looks = |steps: u64| {
            let budget = Budget::new(steps);
            let mut env = Env::with_budget(program, inputs, budget.clone());
            let (single, daily) = (q("10 mg"), q("10 mg/day"));
            let ok = limits::breaches(&mut env, Some(&single), Some(&daily), false)
                .and_then(|_| limits::breaches(&mut env, Some(&single), Some(&daily), false))
                .is_ok();
            (ok, budget.left(), budget.exhausted_at())
        };
        let one_look = |steps: u64| {
            let budget = Budget::new(steps);
            let mut env = Env::with_budget(program, inputs, budget.clone());
            let mut builder = Builder::new(program, None, &[]);
            let mut d = dose();
            let (mut trace, mut fired) = (Trace::new(false), FiredIds::default());
            let ok = builder
                .enforce(&mut env, &mut d, None, &mut trace, &mut fired)
                .is_ok();
            let warned: Vec<String> = builder
                .decision
                .messages
                .iter()
                .map(|m| m.text.to_string())
                .collect();
            ((ok, budget.left(), budget.exhausted_at()), warned)
        };
        let unlimited = two_looks(u64::MAX);
        assert!(unlimited.0);
        let needed = u64::MAX - unlimited.1;
        assert!(needed > 40, "{needed}");
        for steps in (0..=needed + 2).chain([u64::MAX]) {
            let (looked, warned) = one_look(steps);
            assert_eq!(
                looked,
                two_looks(steps),
                "a budget of {steps}, {needed} needed"
            );
            if looked.0 {
                assert_eq!(
                    warned,
                    [
                        "the dose 10 mg is above the soft limit of 5 mg (dose <= 5 mg): \
                         above 5 mg at 70 kg (140 kg)",
                        "the daily total 10 mg/day is above the soft limit of 1 mg/day \
                         (daily <= 1 mg/day): a lot at 210 kg, missing",
                    ]
                );
            }
        }
    }
}

#[cfg(test)]
mod per_day_tests {
    //! A rate per day: the shortcut for a unit already per day against the arithmetic.

    use super::{per_day, per_day_worked_out};
    use crate::units::{Quantity, Rational, Unit};

    /// Every rate gives what `· 1 day ÷ 1 day` gives (value, unit and error), whether or not
    /// the shortcut takes it: units per day, per hour, per minute, per week, per body weight,
    /// plain amounts and plain numbers, at zero, negatives, small fractions and the i64 edges.
    #[test]
    fn a_rate_per_day_is_what_the_arithmetic_gives() {
        let units = [
            "mcg/day",
            "mg/day",
            "mL/day",
            "units/day",
            "mg/kg/day",
            "mcg/h",
            "mL/h",
            "mg/min",
            "mg/week",
            "mcg/kg/h",
            "mg",
            "day",
            "h",
            "%",
            "mg/mL",
        ];
        let big = Rational::from(i64::MAX).mul(&Rational::from(1000i64));
        let values = [
            Rational::ZERO,
            Rational::from(300i64),
            Rational::from(-7i64),
            Rational::from(i64::MAX),
            Rational::from(-i64::MAX),
            big,
            Rational::new(1, 3).expect("a fraction"),
            Rational::new(1, i64::MAX).expect("a fraction"),
        ];
        let mut compared = 0;
        for unit in units {
            let unit = Unit::parse(unit).expect("a unit of the list");
            for value in &values {
                let rate = Quantity::new(value.clone(), unit.clone());
                let quick = per_day(&rate).map(|q| (q.value.clone(), q.unit.clone()));
                let long = per_day_worked_out(&rate).map(|q| (q.value.clone(), q.unit.clone()));
                assert_eq!(
                    format!("{quick:?}"),
                    format!("{long:?}"),
                    "{value:?} {unit:?}"
                );
                compared += 1;
            }
        }
        assert_eq!(compared, 120);
    }
}
