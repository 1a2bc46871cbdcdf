//! Static verification of decision blocks: which patients each rule's condition covers, worked
//! out exactly over the inputs' declared values (choices, true/false, quantity ranges in their
//! declared units, present or missing), as unions of boxes.
//!
//! * `decide first` without `otherwise`: the patients no rule covers (a gap), with a witness
//!   patient in the patient-file format; a rule every patient of which is taken by the rules
//!   above it (unreachable).
//! * `decide unique`: no two rules overlap and no patient is left out; `decide any`: rules that
//!   overlap give the same actions, and no patient is left out.
//!
//! A condition is read only when it is built from comparisons of one input (or a `let` that is
//! exactly an input) with constants, with `and`, `or`, `not` and `is missing`; anything else
//! (two inputs compared, a formula, a function) is opaque, and whatever depends on it is
//! reported as "not proved", with the reason, never as proved. A linear-arithmetic solver for
//! conditions over several inputs would prove more; it is left out on purpose (see the report
//! in the branch's history): label tables compare one value with printed bounds.

mod bounds;
mod doses;
mod interval;
mod region;
mod sample;
mod translate;
mod witness;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

pub use interval::{End, Interval, IntervalSet};
pub use witness::Witness;

pub(super) use doses::unreachable_limits;

use region::{Cube, Region, Space, VarSet};
use translate::{Opaque, Reader, Reading};

use super::{Program, RuleSpec};
use crate::diagnostics::{Code, Diagnostic, Severity, Span};
use crate::ops::{BinaryOp, HitPolicy, UnaryOp};
use crate::syntax::ast;

/// At most this many overlaps are reported for one block (each pair is a diagnostic).
const MAX_OVERLAPS: usize = 10;

/// One decision block to verify, as the checker holds it.
pub(super) struct Block<'a> {
    /// The block as written.
    pub ast: &'a ast::Decide,
    /// Its checked rules (one per written rule).
    pub rules: &'a [RuleSpec],
    /// The phase it belongs to, when a `begin at` choice leads to it.
    pub entered: Option<usize>,
    /// Some rule moves to its phase by `goto` (its patients may then have any choice of the
    /// `begin at` input, and have met conditions this block does not see).
    pub by_goto: bool,
    /// The phase it belongs to, if any.
    pub phase: Option<usize>,
    /// `decide …` as written, for labels.
    pub head: Span,
}

/// What verifying a block found.
#[derive(Default)]
pub(super) struct Findings {
    /// Diagnostics, in the order found.
    pub diags: Vec<Diagnostic>,
    /// The witness patients they show.
    pub witnesses: Vec<Witness>,
}

/// Verifies one block (see the module's documentation).
pub(super) fn verify_block(program: &Program, block: &Block<'_>) -> Findings {
    let mut v = Verifier {
        reader: Reader::new(program),
        program,
        block,
        out: Findings::default(),
        begin_slot: None,
        entering: None,
        reach: Vec::new(),
    };
    if block.rules.len() != block.ast.rules.len() {
        return v.out;
    }
    let (base, opaque_requires) = v.base();
    let readings: Vec<Option<Reading>> = block
        .rules
        .iter()
        .map(|r| r.when.as_ref().map(|w| v.reader.read(w)))
        .collect();
    match block.ast.policy {
        HitPolicy::First => v.first(&base, &readings, &opaque_requires),
        HitPolicy::Collect => v.collect(&base, &readings),
        _ => v.promise(&base, &readings, &opaque_requires),
    }
    // A witness is written only for patients known to reach the rule.
    let exact_block = opaque_requires.is_empty() && v.entered_exactly();
    let reach = std::mem::take(&mut v.reach);
    if !reach.is_empty() {
        let limits = v.hard_limits();
        for (i, reach, known) in reach {
            let known = if exact_block { known } else { Known::Nothing };
            v.judge_doses(&limits, i, &reach, &known);
        }
    }
    v.out
}

/// A requirement the verifier cannot read: (its id, why).
type OpaqueRequire = (String, Opaque);

struct Verifier<'p, 'b> {
    reader: Reader<'p>,
    program: &'p Program,
    block: &'b Block<'b>,
    out: Findings,
    /// The `begin at` input, when the block's phase is entered through it.
    begin_slot: Option<usize>,
    /// The patients whose `begin at` choice leads to the block's phase.
    entering: Option<Region>,
    /// For each rule worked out: the patients that may reach it (all of them, and more where a
    /// condition above it could not be read), and which of them are known to reach it.
    reach: Vec<(usize, Region, Known)>,
}

/// Which patients of a rule's region are known to reach the rule (to write a witness).
enum Known {
    /// Every one.
    All,
    /// The one patient of this sample (made a box only when a witness is written: most
    /// rules never need one).
    Point(sample::Point),
    /// None for certain.
    Nothing,
}

impl Verifier<'_, '_> {
    fn space(&self) -> &Space {
        &self.reader.space
    }

    /// The patients that can reach the block: those the readable `require`s accept (and, in a
    /// phase entered only by `begin at`, those whose choice leads to it; a `goto` may bring
    /// any other).
    fn base(&mut self) -> (Region, Vec<OpaqueRequire>) {
        let program = self.program;
        let mut base = Space::full();
        if let (Some(p), Some(begin)) = (self.block.entered, &program.begin) {
            if let Some(slot) = self.reader.var(begin) {
                let chosen: Vec<usize> = program
                    .begin_phases
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| **q == Some(p))
                    .map(|(i, _)| i)
                    .collect();
                if let Ok(r) = self.reader.choices(slot, &chosen) {
                    if !self.block.by_goto {
                        base = r.clone();
                    }
                    self.entering = Some(r);
                    self.begin_slot = Some(slot);
                }
            }
        }
        let mut opaque = Vec::new();
        for r in &program.requires {
            match self.reader.read(&r.condition) {
                Ok(t) => match self.reader.space.and(&base, &t.t) {
                    Ok(b) => base = b,
                    Err(_) => opaque.push((
                        r.id.to_string(),
                        Opaque {
                            span: r.condition.span,
                            why: "it splits the patients into too many cases".into(),
                        },
                    )),
                },
                Err(o) => opaque.push((r.id.to_string(), o)),
            }
        }
        (base, opaque)
    }

    /// True when the patients of the block's `base` are exactly those that reach it: outside
    /// a phase, or in a phase the `begin at` input alone leads to.
    fn entered_exactly(&self) -> bool {
        self.block.phase.is_none() || (self.entering.is_some() && !self.block.by_goto)
    }

    /// A `collect` block: each rule is reached by every patient its condition holds for (or
    /// may be, past a condition that cannot be read).
    fn collect(&mut self, base: &Region, readings: &[Option<Reading>]) {
        for (i, reading) in readings.iter().enumerate() {
            let reach = match reading {
                None => Ok(base.clone()),
                Some(Ok(t)) => self.space().and(base, &t.t),
                Some(Err(_)) => {
                    self.reach.push((i, base.clone(), Known::Nothing));
                    continue;
                }
            };
            if let Ok(r) = reach {
                self.reach.push((i, r, Known::All));
            }
        }
    }

    fn rule_name(&self, i: usize) -> String {
        self.block
            .rules
            .get(i)
            .map(|r| r.id.to_string())
            .unwrap_or_default()
    }

    fn rule_head(&self, i: usize) -> Span {
        self.block
            .ast
            .rules
            .get(i)
            .map_or(self.block.head, |r| r.head_span)
    }

    // Long on purpose: the one pass over a `first` block, in which the patients still
    // undecided are carried from rule to rule (unreachable rules and the gap in one sweep).
    fn first(&mut self, base: &Region, readings: &[Option<Reading>], requires: &[OpaqueRequire]) {
        let mut left = base.clone();
        let mut blind: Option<(usize, Opaque)> = None;
        // Each rule's region, borrowed from its reading (a copy per rule was a tenth of the
        // block's allocations).
        let mut known: Vec<(usize, &Region)> = Vec::with_capacity(readings.len());
        // At most one entry a rule: room made once, not by doubling (a copy of every entry
        // so far at each step).
        self.reach.reserve(readings.len());
        // With an `otherwise` the patients left matter only to show a rule unreachable, so
        // they are narrowed (by the rules read since, kept here) only when a rule's own sample
        // patient does not already show it reachable.
        let ends_otherwise = readings.iter().any(Option::is_none);
        // Each rule's patients that can reach the block, worked out once for the samples and
        // for what the rule is judged over.
        let mut mines: Vec<Option<Region>> = Vec::new();
        let mut reached = if ends_otherwise {
            let truths: Vec<Option<&Region>> = readings
                .iter()
                .map_while(|r| r.as_ref())
                .map(|r| r.as_ref().ok().map(|t| &t.t))
                .collect();
            mines = truths
                .iter()
                .map(|t| t.and_then(|t| self.space().and(base, t).ok()))
                .collect();
            sample::reaching(self.space(), &mines, &truths)
        } else {
            Vec::new()
        };
        let mut not_yet: Vec<&Region> = Vec::new();
        // `left` holds more than the patients left (a narrowing too large to do was skipped).
        let mut loose = false;
        for (i, reading) in readings.iter().enumerate() {
            let Some(reading) = reading else {
                // `otherwise` / `always`: every patient left is decided here; rules after it
                // are reported by `posology::decide::unreachable_rule`.
                let exact = blind.is_none() && !loose && not_yet.is_empty();
                self.reach
                    .push((i, left, if exact { Known::All } else { Known::Nothing }));
                return;
            };
            let truth = match reading {
                Ok(t) => t,
                Err(o) => {
                    self.reach.push((i, left.clone(), Known::Nothing));
                    blind.get_or_insert((i, o.clone()));
                    continue;
                }
            };
            if ends_otherwise {
                if let Some(point) = reached.get_mut(i).and_then(Option::take) {
                    // Its patients are among those its condition holds for; the sample
                    // patient reaches it (unless a rule above could not be read). A sample
                    // is only taken from a rule whose patients were worked out.
                    if let Some(mine) = mines.get_mut(i).and_then(Option::take) {
                        let known = if blind.is_none() {
                            Known::Point(point)
                        } else {
                            Known::Nothing
                        };
                        self.reach.push((i, mine, known));
                    }
                    not_yet.push(&truth.f);
                    known.push((i, &truth.t));
                    continue;
                }
                for f in not_yet.drain(..) {
                    match self.space().and(&left, f) {
                        Ok(rest) => left = rest,
                        Err(_) => loose = true,
                    }
                }
            }
            // `left` is every patient not taken above (more, past an opaque rule): a rule none
            // of them satisfies never fires.
            match self.space().and(&left, &truth.t) {
                Ok(reach) if reach.is_empty() => {
                    // Said once: the rules it stands behind, not the ones behind it too.
                    self.unreachable(i, base, &truth.t, &known);
                    continue;
                }
                Ok(reach) => {
                    let known = if blind.is_none() && !loose {
                        Known::All
                    } else {
                        Known::Nothing
                    };
                    self.reach.push((i, reach, known));
                }
                Err(_) => {
                    blind.get_or_insert((i, too_large(self.block.head)));
                }
            }
            match self.space().and(&left, &truth.f) {
                Ok(rest) => left = rest,
                // `left` keeps the patients this rule takes: still every patient not taken
                // above (so "unreachable" stays sound), but a gap in it would be a guess.
                Err(_) => {
                    blind.get_or_insert((i, too_large(self.block.head)));
                }
            }
            known.push((i, &truth.t));
        }
        if left.is_empty() {
            return; // proved: every patient is decided by some rule
        }
        if let Some((i, o)) = blind {
            self.not_proved_fallthrough(i, &o);
            return;
        }
        self.gap(&left, &known, Severity::Warning, requires);
    }

    fn unreachable(&mut self, i: usize, base: &Region, t: &Region, known: &[(usize, &Region)]) {
        let mine = self.space().and(base, t).unwrap_or_default();
        let name = self.rule_name(i);
        let mut d = Diagnostic::warning(
            Code::VerifyUnreachable,
            if mine.is_empty() {
                format!("the rule `{name}` can never fire: its condition holds for no patient the inputs allow")
            } else {
                format!("the rule `{name}` can never fire: every patient it covers is taken by the rules above it")
            },
        )
        .with_label(self.rule_head(i), "never fires");
        // The first few rules that take its patients are named: a rule behind hundreds would
        // otherwise get a label for each, and the message would take seconds to print.
        const NAMED: usize = 6;
        let mut covering = Vec::new();
        let mut more = false;
        for (j, tj) in known {
            let meets = self.space().and(tj, &mine).is_ok_and(|r| !r.is_empty());
            if meets {
                if covering.len() == NAMED {
                    more = true;
                    break;
                }
                d = d.with_label(self.rule_head(*j), "takes its patients first");
                covering.push(format!("`{}`", self.rule_name(*j)));
            }
        }
        let help = if mine.is_empty() {
            "correct its bounds against the inputs' declared ranges, or delete it".to_string()
        } else {
            format!(
                "it is covered by {}{}: move it above the rules that cover it if it is the more specific one, or delete it",
                covering.join(", "),
                if more { " and other rules after them" } else { "" }
            )
        };
        self.out.diags.push(d.with_help(help));
    }

    fn not_proved_fallthrough(&mut self, i: usize, o: &Opaque) {
        let why = if o.span == self.block.head {
            // The work allowed for one block was spent: no rule is to blame.
            "the block is too large for the verifier to follow".to_string()
        } else {
            format!(
                "the condition of `{}` cannot be read, {}",
                self.rule_name(i),
                o.why
            )
        };
        let d = Diagnostic::warning(
            Code::DecideNoOtherwise,
            format!(
                "a patient may match none of these rules, and then nothing is decided (not proved either way: {why})"
            ),
        )
        .with_label(self.block.head, "no `otherwise` rule in this block")
        .with_help("add `otherwise => …` at the end, saying what happens when no rule applies");
        let d = if o.span == self.block.head {
            d
        } else {
            d.with_label(o.span, o.why.clone())
        };
        self.out.diags.push(d);
    }

    /// A cube of `region` a witness patient can be written for, preferring patients the
    /// phase's `begin at` choice leads to.
    fn witness_cube(
        &self,
        region: &Region,
    ) -> Option<(Cube, serde_json::Map<String, serde_json::Value>)> {
        self.witness_cubes(region, 1).into_iter().next()
    }

    /// Up to `most` witness patients of `region`: one per box, and per interval of a number
    /// a box allows in several pieces (the gaps at 30 and at 59.5 mL/min are two patients).
    fn witness_cubes(
        &self,
        region: &Region,
        most: usize,
    ) -> Vec<(Cube, serde_json::Map<String, serde_json::Value>)> {
        let mut out = Vec::new();
        for cube in region {
            for piece in pieces(cube) {
                if out.len() >= most {
                    return out;
                }
                if let Some(p) = witness::patient(self.program, &piece) {
                    out.push((piece, p));
                }
            }
        }
        out
    }

    // Long on purpose: the gap's description, its witness, the rules next to it and the bound
    // to change, in one diagnostic.
    fn gap(
        &mut self,
        left: &Region,
        known: &[(usize, &Region)],
        severity: Severity,
        requires: &[OpaqueRequire],
    ) {
        let policy = self.block.ast.policy.word();
        // A gap is shown with a patient the `begin at` input brings to the phase: one brought
        // by `goto` has met conditions this block does not see.
        let in_phase = self.block.phase.is_some() && self.program.begin.is_some();
        let left = match (&self.entering, in_phase) {
            (_, false) => Some(left.clone()),
            (Some(r), true) => self.space().and(left, r).ok().filter(|g| !g.is_empty()),
            (None, true) => None,
        };
        let Some(left) = left else {
            // Patients reach this phase by `goto`, after conditions this block does not see.
            let d = diag(
                severity,
                if severity == Severity::Error { Code::VerifyNotProved } else { Code::DecideNoOtherwise },
                "a patient may match none of these rules, and then nothing is decided (not proved either way: the patients left out reach this phase by `goto`, after conditions the verifier does not follow)".to_string(),
            )
            .with_label(self.block.head, format!("`decide {policy}` with no `otherwise`"))
            .with_help("add `otherwise => …` at the end, saying what happens when no rule applies");
            self.out.diags.push(d);
            return;
        };
        let left = &left;
        let found = self.witness_cubes(left, MAX_WITNESSES);
        let Some((cube, patient)) = found
            .first()
            .cloned()
            .or_else(|| left.first().map(|c| (c.clone(), serde_json::Map::new())))
        else {
            return;
        };
        let cube = left
            .iter()
            .find(|c| pieces(c).contains(&cube))
            .cloned()
            .unwrap_or(cube);
        let desc = self.describe_cube(&cube);
        let more = if left.len() > 1 {
            format!(
                " (and {} more case{})",
                left.len() - 1,
                if left.len() == 2 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        // No witness when no patient file can hold a value of the gap (one value with no
        // finite decimal in the input's unit) or the other inputs: the gap is still said.
        let shown = if found.is_empty() {
            "a patient there (no patient file could be written for one)".to_string()
        } else {
            patient_text(&patient)
        };
        let mut message = format!(
            "no rule of this `decide {policy}` block applies when {desc}{more}: nothing is decided for such a patient"
        );
        // A requirement the verifier cannot read may refuse these patients when they are read:
        // the gap is then not proved, and a promise (`unique`, `any`) is not either.
        let unsure = requires.first();
        let code = match unsure {
            Some((id, o)) => {
                message = if severity == Severity::Error {
                    format!("`decide {policy}` cannot be proved: no rule applies when {desc}{more}, unless `{id}` refuses every such patient, and it cannot be read ({})", o.why)
                } else {
                    format!("{message} (not proved: unless `{id}` refuses every such patient, and it cannot be read, {})", o.why)
                };
                if severity == Severity::Error {
                    Code::VerifyNotProved
                } else {
                    Code::VerifyGap
                }
            }
            None => Code::VerifyGap,
        };
        let mut d = diag(severity, code, message)
            .with_label(self.block.head, format!("no rule applies to {shown}"));
        if let Some((id, o)) = unsure {
            d = d.with_label(
                o.span,
                format!("`{id}` cannot be read: it may refuse these patients"),
            );
        }
        let mut fixes = Vec::new();
        for (span, fix) in self.bound_fixes(&cube) {
            d = d.with_label(span, format!("`{fix}` would cover it"));
            fixes.push(format!("`{fix}`"));
        }
        if fixes.is_empty() {
            for i in self.neighbours(&cube, known).into_iter().take(3) {
                d = d.with_label(self.rule_head(i), "stops short of the gap");
            }
        }
        let others: Vec<String> = found.iter().skip(1).map(|(_, p)| patient_text(p)).collect();
        let such = if others.is_empty() {
            format!("a patient such as {shown} gets")
        } else {
            format!("patients such as {shown} and {} get", others.join(" and "))
        };
        let help = if fixes.is_empty() {
            format!("{such} no decision here: add a rule for these values, widen a neighbouring rule's bound, or add `otherwise => …`")
        } else if others.is_empty() {
            format!(
                "{such} no decision here: write {} (or add a rule for these values, or `otherwise => …`)",
                fixes.join(" or ")
            )
        } else {
            format!(
                "{such} no decision here: write {}, and add a rule for the other values (or `otherwise => …`)",
                fixes.join(" or ")
            )
        };
        let help = match unsure {
            Some((id, _)) => format!("{help}; run the witness: if `{id}` refuses it, the gap is not real, and writing `{id}` as comparisons of one input with constants lets `check` prove it"),
            None => help,
        };
        self.out.diags.push(d.with_help(help));
        let about = format!("gap in the `decide {policy}` block{}", self.phase_words());
        for (_, patient) in found {
            self.out.witnesses.push(Witness {
                code: code.as_str(),
                about: about.clone(),
                patient,
            });
        }
    }

    fn phase_words(&self) -> String {
        self.block
            .phase
            .and_then(|p| self.program.phases.get(p))
            .map(|p| format!(" of phase `{}`", p.name))
            .unwrap_or_default()
    }

    /// The inputs of a cube as a condition (the `begin at` input left out: it is the phase).
    fn describe_cube(&self, cube: &Cube) -> String {
        let parts: Vec<String> = cube
            .iter()
            .filter(|(slot, _)| Some(**slot) != self.begin_slot)
            .map(|(slot, set)| witness::describe(self.program, *slot, set))
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.contains(" or ") && cube.len() > 1 {
                    format!("({s})")
                } else {
                    s
                }
            })
            .collect();
        if parts.is_empty() {
            "the phase is entered".to_string()
        } else {
            parts.join(" and ")
        }
    }

    /// Strict bounds of the rules (`> 30 mL/min`) at a value the gap includes: made inclusive,
    /// they would cover it. (where, the comparison rewritten)
    fn bound_fixes(&self, cube: &Cube) -> Vec<(Span, String)> {
        let mut out = Vec::new();
        for rule in self.block.rules {
            let Some(when) = &rule.when else { continue };
            let mut found = Vec::new();
            strict_bounds(&self.reader, when, &mut found, 0);
            for (slot, op, value, span) in found {
                let Some(VarSet {
                    present: region::Present::Num(set),
                    whole,
                    ..
                }) = cube.get(&slot)
                else {
                    continue;
                };
                // Offered only when it covers the patient shown (the value the witness takes):
                // `weight >= 50 kg` does not cover a gap's 40 kg (red team).
                let shown = set.parts().iter().find_map(|p| witness::pick(p, *whole));
                if shown.as_ref() != Some(&value) {
                    continue;
                }
                let text = self.reader.text(span);
                let (from, to) = match op {
                    BinaryOp::Gt => (">", ">="),
                    _ => ("<", "<="),
                };
                if let Some(at) = text.find(from) {
                    let fixed = format!("{}{to}{}", &text[..at], &text[at + from.len()..]);
                    if !out.iter().any(|(s, _): &(Span, String)| *s == span) {
                        out.push((span, fixed));
                    }
                }
            }
        }
        out
    }

    /// Rules whose bands end where the gap begins or begin where it ends.
    fn neighbours(&self, cube: &Cube, known: &[(usize, &Region)]) -> Vec<usize> {
        let mut ends = BTreeSet::new();
        for (slot, set) in cube {
            if let region::Present::Num(s) = &set.present {
                for p in s.parts() {
                    for e in [&p.lo, &p.hi].into_iter().flatten() {
                        ends.insert((*slot, e.value.clone()));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (i, t) in known {
            let touches = t.iter().any(|c| {
                c.iter().any(|(slot, set)| match &set.present {
                    region::Present::Num(s) => s.parts().iter().any(|p| {
                        [&p.lo, &p.hi]
                            .into_iter()
                            .flatten()
                            .any(|e| ends.contains(&(*slot, e.value.clone())))
                    }),
                    _ => false,
                })
            });
            if touches {
                out.push(*i);
            }
        }
        out
    }

    // Long on purpose: `unique` and `any` promise the same coverage and differ only in what
    // an overlap is; both are judged in this one pass over the rules' pairs.
    fn promise(&mut self, base: &Region, readings: &[Option<Reading>], requires: &[OpaqueRequire]) {
        let policy = self.block.ast.policy;
        let mut opaque = false;
        for (i, r) in readings.iter().enumerate() {
            if let Some(Err(o)) = r {
                opaque = true;
                self.not_proved(i, o);
            }
        }
        if opaque {
            return;
        }
        let mut left = base.clone();
        let mut truths: Vec<Region> = Vec::new();
        let mut catch_all = false;
        for r in readings {
            let t = match r {
                Some(Ok(t)) => t,
                Some(Err(_)) => return,
                None => {
                    catch_all = true;
                    self.reach.push((truths.len(), left.clone(), Known::All));
                    truths.push(std::mem::take(&mut left));
                    break;
                }
            };
            let (Ok(mine), Ok(rest)) =
                (self.space().and(base, &t.t), self.space().and(&left, &t.f))
            else {
                self.not_proved(0, &too_large(self.block.head));
                return;
            };
            // Run as `first`: the rules above may take some of them (an over-approximation).
            self.reach
                .push((truths.len(), mine.clone(), Known::Nothing));
            truths.push(mine);
            left = rest;
        }
        let mut reported = 0;
        'pairs: for i in 0..truths.len() {
            for j in i + 1..truths.len() {
                if reported >= MAX_OVERLAPS {
                    break 'pairs;
                }
                let Ok(both) = self.space().and(&truths[i], &truths[j]) else {
                    self.not_proved(i, &too_large(self.rule_head(i)));
                    return;
                };
                if both.is_empty() || (policy == HitPolicy::Any && self.same_actions(i, j)) {
                    continue;
                }
                reported += 1;
                self.overlap(i, j, &both, requires);
            }
        }
        if !catch_all && !left.is_empty() {
            let known: Vec<(usize, &Region)> = truths.iter().enumerate().collect();
            self.gap(&left, &known, Severity::Error, requires);
        }
    }

    /// The actions of two rules are the same: one by one, the same dose (a constant amount,
    /// range, frequency or time compared exactly across units: `give 1 mg` and `give 1000
    /// mcg`), or else the same text (spaces aside).
    fn same_actions(&self, i: usize, j: usize) -> bool {
        let (Some(a), Some(b)) = (self.block.rules.get(i), self.block.rules.get(j)) else {
            return false;
        };
        a.actions.len() == b.actions.len()
            && a.actions
                .iter()
                .zip(&b.actions)
                .all(|(x, y)| self.same_action(x, y))
    }

    fn same_action(&self, x: &super::ActionAt, y: &super::ActionAt) -> bool {
        use super::ActionSpec as A;
        match (&x.action, &y.action) {
            (A::Give(g), A::Give(h)) => {
                self.same_expr(&g.amount, &h.amount)
                    && g.form == h.form
                    && g.route == h.route
                    && self.same_frequency(g.frequency.as_ref(), h.frequency.as_ref())
                    && self.same_opt(g.over.as_ref(), h.over.as_ref())
                    && self.same_opt(g.duration.as_ref(), h.duration.as_ref())
            }
            _ => self.words(x.span) == self.words(y.span),
        }
    }

    fn words(&self, span: Span) -> String {
        self.reader
            .text(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The same constant, exactly across units, or the same text.
    fn same_expr(&self, a: &super::CExpr, b: &super::CExpr) -> bool {
        super::constant_doses::same_constant(self.program, a, b)
            || self.words(a.span) == self.words(b.span)
    }

    fn same_opt(&self, a: Option<&super::CExpr>, b: Option<&super::CExpr>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => self.same_expr(a, b),
            _ => false,
        }
    }

    fn same_frequency(
        &self,
        a: Option<&super::FrequencySpec>,
        b: Option<&super::FrequencySpec>,
    ) -> bool {
        use super::FrequencySpec as F;
        match (a, b) {
            (None, None) => true,
            (Some(F::TimesDaily(x)), Some(F::TimesDaily(y)))
            | (Some(F::Every(x)), Some(F::Every(y))) => self.same_expr(x, y),
            _ => false,
        }
    }

    fn overlap(&mut self, i: usize, j: usize, both: &Region, requires: &[OpaqueRequire]) {
        let policy = self.block.ast.policy.word();
        let Some((cube, patient)) = self.witness_cube(both) else {
            return;
        };
        let shown = patient_text(&patient);
        let (a, b) = (self.rule_name(i), self.rule_name(j));
        let what = if self.block.ast.policy == HitPolicy::Any {
            " and give different actions"
        } else {
            ""
        };
        let mut message = format!(
            "the rules `{a}` and `{b}` of this `decide {policy}` block both hold when {}{what}",
            self.describe_cube(&cube)
        );
        // A requirement the verifier cannot read may refuse these patients when they are read:
        // the overlap is then not proved (nor is the promise).
        let unsure = requires.first();
        let code = match unsure {
            Some((id, o)) => {
                message = format!(
                    "`decide {policy}` cannot be proved: {message}, unless `{id}` refuses every such patient, and it cannot be read ({})",
                    o.why
                );
                Code::VerifyNotProved
            }
            None => Code::VerifyOverlap,
        };
        let mut d = Diagnostic::error(code, message);
        if let Some((id, o)) = unsure {
            d = d.with_label(
                o.span,
                format!("`{id}` cannot be read: it may refuse these patients"),
            );
        }
        let d = d
        .with_label(self.rule_head(j), format!("holds for {shown}"))
        .with_label(self.rule_head(i), "holds for the same patient")
        .with_help(format!(
            "a patient such as {shown} is covered twice: make the bands disjoint (`<` on one side, `>=` on the other){}",
            if self.block.ast.policy == HitPolicy::Any { ", or give both rules the same actions" } else { ", or use `decide first` if the order is meant to decide" }
        ));
        self.out.diags.push(d);
        self.out.witnesses.push(Witness {
            code: code.as_str(),
            about: format!("`{a}` and `{b}` overlap"),
            patient,
        });
    }

    fn not_proved(&mut self, i: usize, o: &Opaque) {
        let policy = self.block.ast.policy.word();
        let d = Diagnostic::error(
            Code::VerifyNotProved,
            format!(
                "`decide {policy}` cannot be proved: the condition of `{}` cannot be read ({})",
                self.rule_name(i),
                o.why
            ),
        )
        .with_label(o.span, o.why.clone())
        .with_label(self.block.head, format!("promises `{policy}`"))
        .with_help("write each condition as comparisons of one input with constants (`crcl >= 30 mL/min`), or use `decide first`");
        self.out.diags.push(d);
    }
}

/// The most witness patients written for one gap.
const MAX_WITNESSES: usize = 8;

/// A box split at its first number allowed in several intervals: one box per interval.
fn pieces(cube: &Cube) -> Vec<Cube> {
    let split = cube.iter().find_map(|(slot, set)| match &set.present {
        region::Present::Num(s) if s.parts().len() > 1 => Some((*slot, set, s)),
        _ => None,
    });
    let Some((slot, set, s)) = split else {
        return vec![cube.clone()];
    };
    let mut out: Vec<Cube> = s
        .parts()
        .iter()
        .map(|p| {
            let mut c = cube.clone();
            c.insert(
                slot,
                VarSet {
                    present: region::Present::Num(IntervalSet::of(vec![p.clone()]).into()),
                    missing: false,
                    whole: set.whole,
                },
            );
            c
        })
        .collect();
    if set.missing {
        let mut c = cube.clone();
        c.insert(
            slot,
            VarSet {
                present: region::Present::Num(IntervalSet::empty().into()),
                missing: true,
                whole: set.whole,
            },
        );
        out.push(c);
    }
    out
}

/// A diagnostic of either severity.
fn diag(severity: Severity, code: Code, message: String) -> Diagnostic {
    let d = Diagnostic::error(code, message);
    Diagnostic { severity, ..d }
}

fn too_large(span: Span) -> Opaque {
    Opaque {
        span,
        why: "it splits the patients into too many cases to follow".to_string(),
    }
}

/// A patient as one line of a patient file: `{ "crcl": "30 mL/min" }`.
pub fn patient_text(patient: &serde_json::Map<String, serde_json::Value>) -> String {
    if patient.is_empty() {
        return "{}".to_string();
    }
    let fields: Vec<String> = patient
        .iter()
        .map(|(k, v)| {
            format!(
                "{}: {}",
                serde_json::Value::String(k.clone()),
                serde_json::to_string(v).unwrap_or_default()
            )
        })
        .collect();
    format!("{{ {} }}", fields.join(", "))
}

/// The strict comparisons of one input with a constant in a condition: (input, `>` or `<` as
/// if the input were on the left, the bound in its unit, where).
fn strict_bounds(
    reader: &Reader<'_>,
    e: &super::CExpr,
    out: &mut Vec<(usize, BinaryOp, crate::units::Rational, Span)>,
    depth: usize,
) {
    use super::CExprKind as K;
    if depth > 64 {
        return;
    }
    match &e.kind {
        K::Binary(BinaryOp::And | BinaryOp::Or, a, b) => {
            strict_bounds(reader, a, out, depth + 1);
            strict_bounds(reader, b, out, depth + 1);
        }
        K::Unary(UnaryOp::Not, a) => strict_bounds(reader, a, out, depth + 1),
        K::Binary(op @ (BinaryOp::Gt | BinaryOp::Lt), a, b) => {
            if let Some((slot, v)) = reader.bound(a, b) {
                out.push((slot, *op, v, e.span));
            }
        }
        _ => {}
    }
}

impl super::Checker<'_> {
    /// Verifies a decision block just checked (see [`verify_block`]) and records what it found.
    pub(super) fn verify_decide(&mut self, d: &ast::Decide, rules: &[RuleSpec]) {
        let phase = self.current_phase;
        let entered = phase.filter(|&p| self.program.begin_phases.contains(&Some(p)));
        let by_goto = phase.is_some_and(|p| self.goto_target(p));
        let block = Block {
            ast: d,
            rules,
            entered,
            by_goto,
            phase,
            head: self.block_head(d.span),
        };
        let found = verify_block(&self.program, &block);
        for diag in found.diags {
            self.error(diag);
        }
        self.witnesses.extend(found.witnesses);
    }

    /// True when some rule of the protocol moves to phase `p` by `goto`.
    fn goto_target(&mut self, p: usize) -> bool {
        let Some(name) = self.program.phases.get(p).map(|ph| ph.name.as_str()) else {
            return true;
        };
        let ast = self.ast;
        let targets = self.goto_targets.get_or_insert_with(|| {
            let decides = ast
                .decides
                .iter()
                .chain(ast.phases.iter().flat_map(|ph| &ph.decides));
            decides
                .flat_map(|d| &d.rules)
                .flat_map(|r| &r.actions)
                .filter_map(|a| match &a.kind {
                    ast::ActionKind::Goto(target) => Some(target.name.as_str()),
                    _ => None,
                })
                .collect()
        });
        targets.contains(name)
    }
}

/// What the verifier finds of a table's bands over its key's declared values.
pub(super) enum TableCover {
    /// Every declared value of the key is in some band.
    Covered,
    /// Values no band holds, described (`above 29 mL/min and up to 30 mL/min`), with witness
    /// patients.
    Gap {
        /// The values, in the table's words.
        described: String,
        /// Patients with such a key.
        witnesses: Vec<Witness>,
    },
    /// The key is not an input (it is worked out from the patient's data): no domain to judge
    /// over, so the caller judges the bands alone.
    NotAnInput,
}

/// A band's ends: (value, closed), `None` unbounded.
pub(super) type BandEnds = (
    Option<(crate::units::Quantity, bool)>,
    Option<(crate::units::Quantity, bool)>,
);

/// The key's declared values that no band holds (the table is `table` in the witnesses).
pub(super) fn table_cover(
    program: &Program,
    table: &str,
    key: &super::CExpr,
    bands: &[BandEnds],
) -> TableCover {
    let reader = Reader::new(program);
    let Some(slot) = reader.var(key) else {
        return TableCover::NotAnInput;
    };
    let Some(spec) = program.inputs.get(slot) else {
        return TableCover::NotAnInput;
    };
    let (Some(domain), super::Type::Num(u)) = (translate::domain_of(spec), &spec.ty) else {
        return TableCover::NotAnInput;
    };
    let unit = spec.unit.clone().unwrap_or_else(|| u.clone());
    let end = |e: &Option<(crate::units::Quantity, bool)>| -> Option<Option<End>> {
        match e {
            None => Some(None),
            Some((q, closed)) => Some(Some(End {
                value: translate::in_unit(q, &unit)?,
                closed: *closed,
            })),
        }
    };
    let mut parts = Vec::with_capacity(bands.len());
    for (lo, hi) in bands {
        let (Some(lo), Some(hi)) = (end(lo), end(hi)) else {
            return TableCover::NotAnInput;
        };
        parts.push(Interval { lo, hi });
    }
    let region::Present::Num(declared) = &domain.present else {
        return TableCover::NotAnInput;
    };
    let mut gap = declared.minus(&IntervalSet::of(parts));
    if spec.whole {
        gap = gap.whole();
    }
    if gap.is_empty() {
        return TableCover::Covered;
    }
    // An end of the declared range goes without saying: `below 15 mL/min`, not `from 0 mL/min
    // and below 15 mL/min`.
    let (low, high) = (
        declared.parts().first().and_then(|p| p.lo.clone()),
        declared.parts().last().and_then(|p| p.hi.clone()),
    );
    let described: Vec<String> = gap
        .parts()
        .iter()
        .map(|p| {
            let shown = Interval {
                lo: p.lo.clone().filter(|l| Some(l) != low.as_ref()),
                hi: p.hi.clone().filter(|h| Some(h) != high.as_ref()),
            };
            table_words(&shown, &unit)
        })
        .collect();
    let witnesses = gap
        .parts()
        .iter()
        .take(MAX_WITNESSES)
        .filter_map(|p| {
            let cube = Cube::from([(
                slot,
                VarSet {
                    present: region::Present::Num(IntervalSet::of(vec![p.clone()]).into()),
                    missing: false,
                    whole: spec.whole,
                },
            )]);
            witness::patient(program, &cube)
        })
        .map(|patient| Witness {
            code: Code::TableGap.as_str(),
            about: format!("gap in the table `{table}`"),
            patient,
        })
        .collect();
    TableCover::Gap {
        described: described.join("; "),
        witnesses,
    }
}

/// An interval of a table's key in the table's words: `above 29 mL/min and up to 30 mL/min`.
fn table_words(p: &Interval, unit: &crate::units::Unit) -> String {
    let q = |v: &crate::units::Rational| crate::units::Quantity::new(v.clone(), unit.clone());
    match (&p.lo, &p.hi) {
        (Some(l), Some(h)) if l.value == h.value => format!("of exactly {}", q(&l.value)),
        (Some(l), Some(h)) => format!(
            "{} {} and {} {}",
            if l.closed { "from" } else { "above" },
            q(&l.value),
            if h.closed { "up to" } else { "below" },
            q(&h.value)
        ),
        (Some(l), None) => format!(
            "{} {}",
            if l.closed { "at or above" } else { "above" },
            q(&l.value)
        ),
        (None, Some(h)) => format!(
            "{} {}",
            if h.closed { "at or below" } else { "below" },
            q(&h.value)
        ),
        (None, None) => "at all".to_string(),
    }
}
