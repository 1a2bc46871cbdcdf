//! What changes between two versions of a protocol, patient by patient: the pieces of
//! `posology diff`. A decision is reduced to its [`Gist`] (what a reviewer compares: status,
//! the rules that decided, the doses as printed, the total per day, the proposal's verdict, the
//! messages); two outcomes that differ make one line; a [`DiffSummary`] counts the transitions
//! and how far the doses moved. Before any patient is read, [`input_differences`] says whether
//! the two protocols ask for the same data.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use serde_json::{json, Value as Json};

use crate::check::{InputSpec, Program, Type};
use crate::eval::{Amount, Decision, ProposalOutcome};
use crate::units::Quantity;

use super::text;

/// How two protocols' inputs differ: `blocking` lines mean a patient's data cannot be read the
/// same way by both (an input only one has, or one whose kind changed); `notes` are changes a
/// cohort can still be compared across (a range, a default, optional or not, another unit of
/// the same kind), which may make some patients' data invalid for one side.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputDifferences {
    /// Differences that stop the comparison, one sentence each.
    pub blocking: Vec<String>,
    /// Differences worth knowing, one sentence each.
    pub notes: Vec<String>,
}

/// Compares the inputs of two protocols by name.
pub fn input_differences(old: &Program, new: &Program) -> InputDifferences {
    let mut out = InputDifferences::default();
    for spec in &old.inputs {
        match new.input_slot(&spec.name) {
            None => out.blocking.push(format!(
                "`{}` ({}) is an input of the old protocol only",
                spec.name,
                old.kind_of(&spec.ty, spec.whole)
            )),
            Some(slot) => compare_input(old, spec, new, &new.inputs[slot], &mut out),
        }
    }
    for spec in new
        .inputs
        .iter()
        .filter(|s| old.input_slot(&s.name).is_none())
    {
        out.blocking.push(format!(
            "`{}` ({}) is an input of the new protocol only",
            spec.name,
            new.kind_of(&spec.ty, spec.whole)
        ));
    }
    out
}

/// One input declared by both protocols.
fn compare_input(
    old: &Program,
    was: &InputSpec,
    new: &Program,
    now: &InputSpec,
    out: &mut InputDifferences,
) {
    let name = &was.name;
    let (old_kind, new_kind) = (
        old.kind_of(&was.ty, was.whole),
        new.kind_of(&now.ty, now.whole),
    );
    if old_kind != new_kind {
        let line = format!("`{name}` is {old_kind} in the old protocol but {new_kind} in the new");
        if same_dimension(&was.ty, &now.ty) && was.whole == now.whole {
            out.notes.push(format!("{line} (values convert exactly)"));
        } else if same_choices(old, &was.ty, new, &now.ty) {
            out.notes.push(format!(
                "`{name}` lists the same choices in another order in the new protocol"
            ));
        } else {
            out.blocking.push(line);
        }
    }
    let range = |s: &InputSpec| {
        s.range
            .as_ref()
            .map(|(lo, hi)| format!("{lo}..{hi}"))
            .unwrap_or_else(|| "any value".into())
    };
    if range(was) != range(now) {
        out.notes.push(format!(
            "`{name}` allows {} in the old protocol but {} in the new",
            range(was),
            range(now)
        ));
    }
    if was.optional != now.optional || was.default.is_some() != now.default.is_some() {
        let how = |s: &InputSpec| match (s.optional, s.default.is_some()) {
            (_, true) => "has a default",
            (true, false) => "is optional",
            (false, false) => "is required",
        };
        out.notes.push(format!(
            "`{name}` {} in the old protocol but {} in the new",
            how(was),
            how(now)
        ));
    } else if was.default != now.default {
        // Both have a default, not the same one: a patient who leaves it out is decided with
        // another value by each.
        out.notes.push(format!(
            "`{name}` has one default in the old protocol and another in the new"
        ));
    }
    conversion_note(name, was, now, out);
}

/// A conversion (`convert 1 mg/dL = 88.42 micromol/L`) declared by one protocol only, or
/// another one: a value of the other kind is read differently by each, or refused by one.
fn conversion_note(name: &str, was: &InputSpec, now: &InputSpec, out: &mut InputDifferences) {
    let text = |s: &InputSpec| {
        let sides: Vec<String> = s
            .conversions
            .iter()
            .map(|(l, r)| format!("{l} = {r}"))
            .collect();
        sides.join(", ")
    };
    let says = |t: &str| match t {
        "" => "declares no conversion".to_string(),
        t => format!("converts {t}"),
    };
    let (a, b) = (text(was), text(now));
    if a != b {
        out.notes.push(format!(
            "`{name}` {} in the old protocol but {} in the new",
            says(&a),
            says(&b)
        ));
    }
}

/// Two choices of the same values, perhaps declared in another order: a patient's value is
/// read by its name, so it means the same to both.
fn same_choices(old: &Program, a: &Type, new: &Program, b: &Type) -> bool {
    let values = |p: &Program, id: u32| {
        let mut values: Vec<String> = usize::try_from(id)
            .ok()
            .and_then(|i| p.enums.get(i))
            .map(|e| e.values.clone())
            .unwrap_or_default();
        values.sort();
        values
    };
    match (a, b) {
        (Type::Enum(x), Type::Enum(y)) => {
            let (x, y) = (values(old, *x), values(new, *y));
            !x.is_empty() && x == y
        }
        _ => false,
    }
}

/// Two number types of one dimension (mg and mcg), whose values convert exactly.
fn same_dimension(a: &Type, b: &Type) -> bool {
    matches!((a, b), (Type::Num(x), Type::Num(y)) if x.dim() == y.dim())
}

/// What one protocol decided for one patient, in the terms a reviewer compares.
#[derive(Clone, Debug, PartialEq)]
pub struct Gist {
    /// `give`, `wait`, `stop`, `refused`, or `error` when the patient could not be decided.
    pub status: String,
    /// The rules that gave the doses, the schedule or the reasons, in order (`-` for none).
    pub rules: Vec<String>,
    /// The doses as the decision prints them.
    pub doses: Vec<String>,
    /// The total per day of the doses, when they add up to one.
    pub daily: Option<Amount>,
    /// The schedule's steps as a reviewer reads them (days, dates, dose and frequency, or
    /// stop), with its route.
    pub schedule: Vec<String>,
    /// The observation windows.
    pub observe: Vec<String>,
    /// What comes next (the phase, not before when).
    pub next: Option<String>,
    /// The proposal's verdict: `allowed` or `refused`, with the range the protocol allows.
    pub proposal: Option<String>,
    /// The messages, as severity and code.
    pub messages: Vec<String>,
}

impl Gist {
    /// The outcome of a decision.
    pub fn of(decision: &Decision) -> Gist {
        Gist {
            status: decision.status.word().to_string(),
            rules: deciding_rules(decision),
            // An alternative counts as a dose, named, with its verdict: a limit that now refuses
            // one of them is a change.
            doses: decision
                .doses
                .iter()
                .map(text::dose_line)
                .chain(decision.alternatives.iter().map(alternative_line))
                .collect(),
            daily: decision.total_per_day().ok(),
            schedule: decision
                .schedule
                .as_ref()
                .map(schedule_steps)
                .unwrap_or_default(),
            observe: decision.observe.iter().map(text::amount).collect(),
            next: decision.next.as_ref().map(next_text),
            proposal: proposals_verdict(decision),
            messages: decision.messages.iter().map(message_word).collect(),
        }
    }

    /// The outcome for a patient that one protocol could not decide: its data was refused, or
    /// the evaluation failed; `codes` are the diagnostics' codes.
    pub fn failed(codes: Vec<String>) -> Gist {
        Gist {
            status: "error".into(),
            rules: codes,
            doses: Vec::new(),
            daily: None,
            schedule: Vec::new(),
            observe: Vec::new(),
            next: None,
            proposal: None,
            messages: Vec::new(),
        }
    }

    /// The rules, joined, as the summary counts a transition.
    pub fn rule_text(&self) -> String {
        if self.rules.is_empty() {
            "-".into()
        } else {
            self.rules.join(" + ")
        }
    }

    /// As JSON, for `--format json`.
    pub fn json(&self) -> Json {
        json!({
            "status": self.status,
            "rules": self.rules,
            "doses": self.doses,
            "daily_total": self.daily.as_ref().map(super::json::amount),
            "schedule": self.schedule,
            "observe": self.observe,
            "next": self.next,
            "proposal": self.proposal,
            "messages": self.messages,
        })
    }
}

/// The rules behind the doses, the schedule and the reasons, each once, in order.
fn deciding_rules(d: &Decision) -> Vec<String> {
    let from_doses = d.doses.iter().map(|x| x.rule.as_str());
    let from_schedule = d.schedule.iter().map(|s| s.rule.as_str());
    let from_reasons = d.reasons.iter().map(|r| r.rule.as_str());
    let mut rules: Vec<String> = Vec::new();
    for rule in from_doses.chain(from_schedule).chain(from_reasons) {
        if !rules.iter().any(|r| r == rule) {
            rules.push(rule.to_string());
        }
    }
    rules
}

/// An alternative as a dose line: `choose once_daily: 105 mg once daily (105 mg/day)`, with
/// ` (refused)` when a hard limit holds it back.
pub(crate) fn alternative_line(a: &crate::eval::Alternative) -> String {
    let refused = if a.allowed { "" } else { " (refused)" };
    format!("choose {}: {}{refused}", a.name, text::dose_line(&a.dose))
}

/// A schedule's steps, one text each: `day 4-6 (2026-12-04 to 2026-12-06): 10 mg 3 times
/// daily oral`, or `day 10 on: stop`.
pub(crate) fn schedule_steps(s: &crate::eval::Schedule) -> Vec<String> {
    let route = s
        .route
        .as_deref()
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    s.steps
        .iter()
        .map(|st| {
            let days = text::step_days(st);
            let dates = match text::step_dates(st) {
                d if d.is_empty() => d,
                d => format!(" ({d})"),
            };
            let what = match (st.stop, &st.dose, &st.frequency) {
                (true, _, _) => "stop".to_string(),
                (false, Some(q), Some(f)) => format!("{q} {}{route}", f.text),
                (false, Some(q), None) => format!("{q}{route}"),
                (false, None, _) => "no dose".to_string(),
            };
            format!("{days}{dates}: {what}")
        })
        .collect()
}

/// `phase titration, not before 24 h`: what comes next.
fn next_text(n: &crate::eval::Next) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &n.phase {
        parts.push(format!("phase {p}"));
    }
    if let Some(after) = &n.after {
        parts.push(format!("not before {after}"));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// `allowed (80 mcg/day to 130 mcg/day)` or `refused (…)`.
/// The verdicts, each named by its input when the decision judged several.
fn proposals_verdict(decision: &Decision) -> Option<String> {
    match decision.proposals.as_slice() {
        [] => None,
        [one] => Some(verdict(one)),
        several => Some(
            several
                .iter()
                .map(|p| format!("{}: {}", p.input, verdict(p)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

fn verdict(p: &ProposalOutcome) -> String {
    let word = if p.allowed { "allowed" } else { "refused" };
    match &p.allowed_range {
        Some(range) => format!("{word} ({})", text::amount(range)),
        None => word.to_string(),
    }
}

/// `WARNING check_catheter`: a message's severity and code (its text when it has no code).
fn message_word(m: &crate::eval::Message) -> String {
    let level = text::level_word(m.level);
    let what = if m.code.is_empty() {
        crate::display::shown(&m.text)
    } else {
        m.code.to_string()
    };
    format!("{level} {what}")
}

/// The parts of an outcome a reviewer compares, by name.
const FIELDS: [&str; 9] = [
    "status",
    "rule",
    "doses",
    "daily total",
    "schedule",
    "observe",
    "next",
    "proposal",
    "messages",
];

/// The names of the fields that differ between two outcomes, in [`FIELDS`] order.
pub fn changed_fields(old: &Gist, new: &Gist) -> Vec<&'static str> {
    let differs = [
        old.status != new.status,
        old.rules != new.rules,
        old.doses != new.doses,
        old.daily != new.daily,
        old.schedule != new.schedule,
        old.observe != new.observe,
        old.next != new.next,
        old.proposal != new.proposal,
        old.messages != new.messages,
    ];
    FIELDS
        .iter()
        .zip(differs)
        .filter(|(_, d)| *d)
        .map(|(f, _)| *f)
        .collect()
}

/// One field of an outcome as a reviewer reads it.
fn field_text(o: &Gist, field: &str) -> String {
    let list = |xs: &[String]| {
        if xs.is_empty() {
            "none".to_string()
        } else {
            xs.join(", ")
        }
    };
    match field {
        "status" => o.status.clone(),
        "rule" => o.rule_text(),
        "doses" => list(&o.doses),
        "daily total" => o
            .daily
            .as_ref()
            .map(text::amount)
            .unwrap_or_else(|| "none".into()),
        "schedule" => list(&o.schedule),
        "observe" => list(&o.observe),
        "next" => o.next.clone().unwrap_or_else(|| "none".into()),
        "proposal" => o.proposal.clone().unwrap_or_else(|| "none".into()),
        _ => list(&o.messages),
    }
}

/// One line for a patient whose decision changed: the status, then every changed field, old
/// beside new (`line 12: give → give; doses: 1760 mcg/day … → 1600 mcg/day …`). Messages,
/// often many, are shown as what the new decision adds (`+`) and drops (`-`).
pub fn change_line(line: usize, old: &Gist, new: &Gist) -> String {
    let mut s = format!("line {line}: {} → {}", old.status, new.status);
    for field in changed_fields(old, new) {
        match field {
            "status" => {}
            "messages" => {
                let _ = write!(s, "; messages: {}", message_changes(old, new));
            }
            _ => {
                let _ = write!(
                    s,
                    "; {field}: {} → {}",
                    field_text(old, field),
                    field_text(new, field)
                );
            }
        }
    }
    crate::display::escape(&s).into_owned()
}

/// `+CRITICAL above_policy, -WARNING limit.hard`: the messages only the new decision has, then
/// those only the old one had (the order of messages alone is no change worth a line).
fn message_changes(old: &Gist, new: &Gist) -> String {
    let added = new.messages.iter().filter(|m| !old.messages.contains(m));
    let dropped = old.messages.iter().filter(|m| !new.messages.contains(m));
    let parts: Vec<String> = added
        .map(|m| format!("+{m}"))
        .chain(dropped.map(|m| format!("-{m}")))
        .collect();
    if parts.is_empty() {
        "the same, in another order".into()
    } else {
        parts.join(", ")
    }
}

/// A changed patient as JSON: its line, the fields that changed, and both outcomes.
pub fn change_json(line: usize, old: &Gist, new: &Gist) -> Json {
    json!({
        "line": line,
        "changed": changed_fields(old, new),
        "old": old.json(),
        "new": new.json(),
    })
}

/// How far the total per day moved, over the patients whose decisions changed. Amounts are
/// compared at their upper ends (the most a patient may be given), in the old protocol's unit;
/// each distinct change is kept once with its count, so memory grows with the number of
/// distinct changes, not with the cohort.
#[derive(Clone, Debug, Default)]
pub struct DoseMoves {
    /// Change (text in lowest terms) → (the change, how many patients).
    up: HashMap<String, (Quantity, usize)>,
    down: HashMap<String, (Quantity, usize)>,
    /// Changed patients whose total per day stayed the same.
    pub same: usize,
    /// Patients who had a total per day and now have none (no dose, or a refusal).
    pub lost: usize,
    /// Patients who had no total per day and now have one.
    pub gained: usize,
    /// Totals that cannot be compared (another kind of quantity).
    pub incomparable: usize,
}

impl DoseMoves {
    /// Counts one changed patient.
    fn add(&mut self, old: Option<&Amount>, new: Option<&Amount>) {
        let (old, new) = match (old, new) {
            (Some(o), Some(n)) => (o.high(), n.high()),
            (Some(_), None) => return self.lost += 1,
            (None, Some(_)) => return self.gained += 1,
            (None, None) => return,
        };
        let delta = new.convert_to(&old.unit).and_then(|n| n.sub(old));
        let Ok(delta) = delta else {
            self.incomparable += 1;
            return;
        };
        let bucket = if delta.is_zero() {
            self.same += 1;
            return;
        } else if delta.is_positive() {
            &mut self.up
        } else {
            &mut self.down
        };
        let magnitude = if delta.is_positive() {
            delta
        } else {
            delta.neg()
        };
        let key = format!("{} {}", magnitude.value.fraction_text(), magnitude.unit);
        bucket.entry(key).or_insert((magnitude, 0)).1 += 1;
    }

    /// `up`/`down` as (count, smallest, median, largest) by how much, when any moved that way.
    fn spread(bucket: &HashMap<String, (Quantity, usize)>) -> Option<(usize, Spread)> {
        let mut values: Vec<&(Quantity, usize)> = bucket.values().collect();
        values.sort_by(|a, b| a.0.compare(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        let count: usize = values.iter().map(|(_, n)| n).sum();
        let first = values.first()?;
        let last = values.last()?;
        let nth = |k: usize| {
            let mut seen = 0;
            values.iter().find_map(|(q, n)| {
                seen += n;
                (seen > k).then_some(q)
            })
        };
        let (lo_mid, hi_mid) = (nth((count - 1) / 2)?, nth(count / 2)?);
        let two = Quantity::number(2.into());
        let median = lo_mid.add(hi_mid).and_then(|s| s.div(&two)).ok()?;
        Some((
            count,
            Spread {
                smallest: first.0.clone(),
                median,
                largest: last.0.clone(),
            },
        ))
    }
}

/// The smallest, median and largest of a set of changes.
#[derive(Clone, Debug)]
struct Spread {
    smallest: Quantity,
    median: Quantity,
    largest: Quantity,
}

/// What a diff found over a cohort: how many patients, how many changed, the transitions of
/// status and of rule (old → new, with counts), and how the totals per day moved.
#[derive(Clone, Debug, Default)]
pub struct DiffSummary {
    /// Patients compared (every line of the cohort with data, read or not).
    pub patients: usize,
    /// Patients whose outcome changed.
    pub changed: usize,
    /// Patients the old protocol could not decide (their data refused, or the evaluation
    /// failed), changed or not.
    pub failed_old: usize,
    /// Patients the new protocol could not decide.
    pub failed_new: usize,
    /// (old status, new status) → patients, over the changed patients.
    pub statuses: BTreeMap<(String, String), usize>,
    /// (old rules, new rules) → patients, over the changed patients.
    pub transitions: BTreeMap<(String, String), usize>,
    /// (old verdict, new verdict) → patients, where the proposal's verdict changed.
    pub proposals: BTreeMap<(String, String), usize>,
    /// Field (as [`changed_fields`] names it) → patients in whom it changed.
    pub fields: BTreeMap<&'static str, usize>,
    /// How the totals per day moved, over the changed patients.
    pub moves: DoseMoves,
}

impl DiffSummary {
    /// Counts one patient; returns whether its outcome changed.
    pub fn add(&mut self, old: &Gist, new: &Gist) -> bool {
        self.patients += 1;
        self.failed_old += usize::from(old.status == "error");
        self.failed_new += usize::from(new.status == "error");
        if old == new {
            return false;
        }
        self.changed += 1;
        let status = (old.status.clone(), new.status.clone());
        *self.statuses.entry(status).or_default() += 1;
        let rules = (old.rule_text(), new.rule_text());
        *self.transitions.entry(rules).or_default() += 1;
        let word = |g: &Gist| {
            g.proposal
                .as_deref()
                .map_or("none", |p| p.split(' ').next().unwrap_or(p))
                .to_string()
        };
        if word(old) != word(new) {
            *self.proposals.entry((word(old), word(new))).or_default() += 1;
        }
        for field in changed_fields(old, new) {
            *self.fields.entry(field).or_default() += 1;
        }
        self.moves.add(old.daily.as_ref(), new.daily.as_ref());
        true
    }

    /// The summary for a reviewer.
    pub fn text(&self) -> String {
        let same = self.patients - self.changed;
        let mut s = format!(
            "{} {}: {} {}, {} {} the same\n",
            self.patients,
            patients(self.patients),
            self.changed,
            if self.changed == 1 {
                "decision changes"
            } else {
                "decisions change"
            },
            same,
            if same == 1 { "stays" } else { "stay" },
        );
        if self.failed_old + self.failed_new > 0 {
            let _ = writeln!(
                s,
                "not decided (status error): {} by the old protocol, {} by the new; \
                 `posology cohort` on each shows why",
                self.failed_old, self.failed_new
            );
        }
        if self.changed == 0 {
            return s;
        }
        let fields: Vec<String> = FIELDS
            .iter()
            .filter_map(|f| self.fields.get(f).map(|n| format!("{f} {n}")))
            .collect();
        let _ = writeln!(s, "what changed (patients): {}", fields.join(", "));
        counted_pairs(&mut s, "status (old → new)", &self.statuses);
        counted_pairs(&mut s, "rule (old → new)", &self.transitions);
        if !self.proposals.is_empty() {
            counted_pairs(&mut s, "proposal verdict (old → new)", &self.proposals);
        }
        self.moves_text(&mut s);
        crate::display::terminal_safe(&s).into_owned()
    }

    /// The total-per-day section of [`DiffSummary::text`].
    fn moves_text(&self, s: &mut String) {
        let m = &self.moves;
        s.push_str("total per day (upper end of a range), over the changed decisions:\n");
        for (word, bucket) in [("up", &m.up), ("down", &m.down)] {
            match DoseMoves::spread(bucket) {
                Some((n, sp)) => {
                    let _ = writeln!(
                        s,
                        "  {word} for {n} {}: by {} to {} (median {})",
                        patients(n),
                        sp.smallest,
                        sp.largest,
                        sp.median
                    );
                }
                None => {
                    let _ = writeln!(s, "  {word} for no patient");
                }
            }
        }
        for (n, what) in [
            (m.same, "the same"),
            (m.lost, "no total any more (no dose given)"),
            (m.gained, "a total now (none before)"),
            (m.incomparable, "a total of another kind"),
        ] {
            if n > 0 {
                let _ = writeln!(s, "  {what} for {n} {}", patients(n));
            }
        }
    }

    /// The summary as JSON.
    pub fn json(&self) -> Json {
        let pairs = |m: &BTreeMap<(String, String), usize>| {
            m.iter()
                .map(|((o, n), c)| json!({"old": o, "new": n, "patients": c}))
                .collect::<Vec<_>>()
        };
        let spread = |bucket| match DoseMoves::spread(bucket) {
            Some((n, sp)) => json!({
                "patients": n,
                "smallest": super::json::quantity(&sp.smallest),
                "median": super::json::quantity(&sp.median),
                "largest": super::json::quantity(&sp.largest),
            }),
            None => json!({"patients": 0}),
        };
        let m = &self.moves;
        json!({
            "patients": self.patients,
            "changed": self.changed,
            "failed_old": self.failed_old,
            "failed_new": self.failed_new,
            "fields": self.fields,
            "statuses": pairs(&self.statuses),
            "transitions": pairs(&self.transitions),
            "proposals": pairs(&self.proposals),
            "daily_total": {
                "up": spread(&m.up),
                "down": spread(&m.down),
                "same": m.same,
                "lost": m.lost,
                "gained": m.gained,
                "incomparable": m.incomparable,
            },
        })
    }
}

/// "patient" or "patients".
fn patients(n: usize) -> &'static str {
    if n == 1 {
        "patient"
    } else {
        "patients"
    }
}

/// A heading and one `old → new  count` line per pair, most frequent first.
fn counted_pairs(s: &mut String, heading: &str, pairs: &BTreeMap<(String, String), usize>) {
    let _ = writeln!(s, "{heading}:");
    let mut rows: Vec<_> = pairs.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|((o, n), _)| o.chars().count() + n.chars().count() + 3)
        .max()
        .unwrap_or(0);
    for ((old, new), count) in rows {
        let pair = format!("{old} → {new}");
        let _ = writeln!(s, "  {}  {count}", crate::display::pad(&pair, width));
    }
}

#[cfg(test)]
mod tests;
