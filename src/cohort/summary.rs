//! What a cohort run decided, in counts: by status, by rule fired, by limit breached (a hard
//! limit refusing a decision or a proposal, or capping a range; a soft limit warning), and the
//! distribution of doses per phase. Memory grows with the number of distinct statuses, rules,
//! limits and dose values, never with the number of patients.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{json, Map, Value as Json};

use super::run::Outcome;
use crate::check::Program;
use crate::display::escape;
use crate::eval::{Amount, Decision, ReasonKind};
use crate::report;
use crate::units::{Quantity, Rational, Unit};

/// The order statuses are listed in.
const STATUS_ORDER: [&str; 5] = ["give", "wait", "stop", "refused", "error"];

/// How many times each exact value was seen, in one unit.
#[derive(Clone, Debug)]
struct Distribution {
    unit: Unit,
    counts: BTreeMap<Rational, usize>,
    total: usize,
}

impl Distribution {
    fn add(&mut self, value: Rational) {
        *self.counts.entry(value).or_default() += 1;
        self.total += 1;
    }

    /// The value at 0-based position `index` in sorted order.
    fn nth(&self, index: usize) -> Option<&Rational> {
        let mut seen = 0usize;
        for (value, count) in &self.counts {
            seen += count;
            if index < seen {
                return Some(value);
            }
        }
        None
    }

    /// Min, median (the mean of the two middle values for an even count, exactly) and max.
    fn stats(&self) -> Option<[Quantity; 3]> {
        let min = self.counts.keys().next()?;
        let max = self.counts.keys().next_back()?;
        let low = self.nth((self.total - 1) / 2)?;
        let high = self.nth(self.total / 2)?;
        let median = low.add(high).div(&Rational::from(2)).ok()?;
        let q = |v: &Rational| Quantity::new(v.clone(), self.unit.clone());
        Some([q(min), q(&median), q(max)])
    }
}

/// Counts of a cohort's outcomes (see the module documentation). Add each outcome with
/// [`Summary::add`]; show it with [`Summary::text`] or [`Summary::json`].
#[derive(Clone, Debug, Default)]
pub struct Summary {
    patients: usize,
    statuses: BTreeMap<&'static str, usize>,
    rules: BTreeMap<String, usize>,
    hard: BTreeMap<String, usize>,
    capped: BTreeMap<String, usize>,
    soft: BTreeMap<String, usize>,
    /// By phase, then by unit as written.
    doses: BTreeMap<String, BTreeMap<String, Distribution>>,
}

fn count(map: &mut BTreeMap<String, usize>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

impl Summary {
    /// Counts one outcome; `program` tells the protocol's limits from its rules.
    pub fn add(&mut self, program: &Program, outcome: &Outcome) {
        self.patients += 1;
        *self.statuses.entry(outcome.status()).or_default() += 1;
        if let Ok(d) = &outcome.decision {
            self.add_decision(program, d);
        }
    }

    /// The number of outcomes counted.
    pub fn patients(&self) -> usize {
        self.patients
    }

    fn add_decision(&mut self, program: &Program, d: &Decision) {
        let limit = |id: &str| program.limits.iter().find(|l| l.id == id).map(|l| l.hard);
        for id in &d.fired {
            if limit(id).is_none() {
                count(&mut self.rules, id);
            }
        }
        // A limit counts once per patient, though every alternative refused by it names it, and
        // an alternative it holds back counts as a refused proposal does.
        let refusals = d.reasons.iter().filter(|r| r.kind == ReasonKind::Refuse);
        let held_back = d.alternatives.iter().flat_map(|a| a.refusals.iter());
        let mut breached: Vec<&str> = Vec::new();
        for r in refusals.chain(held_back) {
            if limit(&r.rule) == Some(true) && !breached.contains(&r.rule.as_str()) {
                breached.push(&r.rule);
                count(&mut self.hard, &r.rule);
            }
        }
        for p in d.proposals.iter().filter(|p| !p.allowed) {
            if let Some(rule) = p.rule.as_deref().filter(|r| limit(r) == Some(true)) {
                count(&mut self.hard, rule);
            }
        }
        for m in &d.messages {
            match m.rule.as_deref().map(|r| (r, limit(r))) {
                Some((rule, Some(false))) => count(&mut self.soft, rule),
                // A hard limit's message on a decision that stands: a range capped at it.
                Some((rule, Some(true))) => count(&mut self.capped, rule),
                _ => {}
            }
        }
        for dose in &d.doses {
            let amount = dose.daily_total.as_ref().unwrap_or(&dose.amount);
            self.add_dose(&d.phase, amount);
        }
    }

    /// A dose's value: its total per day when known, else its amount; a range's high end.
    fn add_dose(&mut self, phase: &str, amount: &Amount) {
        let q = match amount {
            Amount::One(q) | Amount::Range(_, q) => q,
        };
        let by_unit = self.doses.entry(phase.to_string()).or_default();
        let unit = q.unit.to_string();
        by_unit
            .entry(unit)
            .or_insert_with(|| Distribution {
                unit: q.unit.clone(),
                counts: BTreeMap::new(),
                total: 0,
            })
            .add(q.value.clone());
    }
}

/// `name: count` lines under a heading, or `none`.
fn section(out: &mut String, heading: &str, counts: &BTreeMap<String, usize>) {
    let _ = writeln!(out, "{heading}:");
    if counts.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for (name, n) in counts {
        let _ = writeln!(out, "  {}: {n}", escape(name));
    }
}

fn counts_json(counts: &BTreeMap<String, usize>) -> Json {
    Json::Object(counts.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
}

impl Summary {
    /// The statuses seen with their counts, from `give` to `error`.
    fn in_order(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        STATUS_ORDER
            .iter()
            .filter_map(|s| self.statuses.get(s).map(|n| (*s, *n)))
    }

    /// The summary for a person, in safe notation, every name escaped.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let statuses: Vec<String> = self.in_order().map(|(s, n)| format!("{n} {s}")).collect();
        let _ = writeln!(
            out,
            "cohort: {} patient{}: {}",
            self.patients,
            if self.patients == 1 { "" } else { "s" },
            if statuses.is_empty() {
                "none".to_string()
            } else {
                statuses.join(", ")
            }
        );
        section(&mut out, "rules fired", &self.rules);
        section(&mut out, "hard limits breached", &self.hard);
        section(&mut out, "hard limits capping a range", &self.capped);
        section(&mut out, "soft limits warned", &self.soft);
        let _ = writeln!(
            out,
            "doses by phase (the total per day when known, else the dose; a range by its high end):"
        );
        if self.doses.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for (phase, by_unit) in &self.doses {
            for (unit, dist) in by_unit {
                let Some([min, median, max]) = dist.stats() else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "  {} ({} in {}): min {min}, median {median}, max {max}",
                    escape(phase),
                    dist.total,
                    escape(unit)
                );
            }
        }
        out
    }

    /// The summary for programs: counts by name, and doses as exact quantities (as
    /// `posology run --format json` writes them).
    pub fn json(&self) -> Json {
        let statuses: Map<String, Json> = self
            .in_order()
            .map(|(s, n)| (s.to_string(), json!(n)))
            .collect();
        let mut doses = Vec::new();
        for (phase, by_unit) in &self.doses {
            for (unit, dist) in by_unit {
                let Some([min, median, max]) = dist.stats() else {
                    continue;
                };
                doses.push(json!({
                    "phase": phase,
                    "unit": unit,
                    "count": dist.total,
                    "min": report::json::quantity(&min),
                    "median": report::json::quantity(&median),
                    "max": report::json::quantity(&max),
                }));
            }
        }
        json!({
            "patients": self.patients,
            "statuses": statuses,
            "rules_fired": counts_json(&self.rules),
            "hard_limits_breached": counts_json(&self.hard),
            "hard_limits_capped": counts_json(&self.capped),
            "soft_limits_warned": counts_json(&self.soft),
            "doses": doses,
        })
    }
}
