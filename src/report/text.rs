//! The decision as text for a clinician, in safe medication notation (`mcg`, `0.5 mg`, `5 mg`).

use std::fmt::Write;

use crate::check::{Level, Name, Program};
use crate::eval::*;

/// "5 mg", or "110 mcg/day to 130 mcg/day".
pub fn amount(a: &Amount) -> String {
    match a {
        Amount::One(q) => q.to_string(),
        Amount::Range(lo, hi) => format!("{lo} to {hi}"),
    }
}

/// One dose as a person reads it, in safe notation: amount, form, route, frequency, `over`,
/// `for`, and its total per day in brackets (`5 mg oral 3 times daily (15 mg/day)`). Not
/// escaped: the caller shows it through [`crate::display`].
pub fn dose_line(d: &Dose) -> String {
    let mut s = amount(&d.amount);
    if let Some(form) = &d.form {
        s.push(' ');
        s.push_str(form);
    }
    if let Some(route) = &d.route {
        s.push(' ');
        s.push_str(route);
    }
    if let Some(f) = &d.frequency {
        s.push(' ');
        s.push_str(&f.text);
    }
    if let Some(over) = &d.over {
        let _ = write!(s, " over {}", amount(over));
    }
    if let Some(duration) = &d.duration {
        let _ = write!(s, " for {}", amount(duration));
    }
    if let (Some(total), Some(_)) = (&d.daily_total, &d.frequency) {
        let _ = write!(s, " ({})", amount(total));
    }
    s
}

fn cite(rule: &str, source: &Option<Name>) -> String {
    match source {
        Some(src) => format!("[{rule}; {src}]"),
        None => format!("[{rule}]"),
    }
}

/// A schedule step's days: `days 1-3`, `day 4`, `day 7 on`.
pub(super) fn step_days(st: &Step) -> String {
    match st.to_day {
        Some(to) if to != st.from_day => format!("days {}-{to}", st.from_day),
        Some(_) => format!("day {}", st.from_day),
        None => format!("day {} on", st.from_day),
    }
}

/// A schedule step's dates, when the schedule has a start date: `2026-12-01 to 2026-12-03`,
/// `2026-12-04`, `from 2026-12-07`; empty without one.
pub(super) fn step_dates(st: &Step) -> String {
    match (st.from_date, st.to_date) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), Some(_)) => a.to_string(),
        (Some(a), None) => format!("from {a}"),
        _ => String::new(),
    }
}

/// A message's severity as the decision prints it: `note`, `WARNING`, `CRITICAL`.
pub(super) fn level_word(level: Level) -> &'static str {
    match level {
        Level::Info => "note",
        Level::Warning => "WARNING",
        Level::Critical => "CRITICAL",
    }
}

/// The decision for a person; `trace` adds why.
// Long on purpose: the decision's sections in reading order (status, doses, schedule, proposal,
// messages, next), each a few lines.
pub fn decision(program: &Program, d: &Decision, trace: bool) -> String {
    let mut out = String::new();
    let h = &program.header;
    let _ = writeln!(
        out,
        "{} {}{}",
        h.name,
        h.version.as_deref().unwrap_or(""),
        h.title
            .as_ref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    );
    if let Some(src) = &h.source {
        let _ = writeln!(out, "Source: {src}");
    }
    let path = if d.path.len() > 1 {
        format!(" (via {})", d.path.join(" -> "))
    } else {
        String::new()
    };
    if !d.phase.is_empty() {
        let _ = writeln!(out, "Phase: {}{path}", d.phase);
    }
    let _ = writeln!(out, "Status: {}", d.status.word().to_uppercase());
    for r in &d.reasons {
        let _ = writeln!(
            out,
            "  {}: {} {}",
            r.kind.word(),
            r.text,
            cite(&r.rule, &r.source)
        );
    }
    if !d.doses.is_empty() {
        let _ = writeln!(out, "\nGive:");
        for dose in &d.doses {
            let _ = writeln!(
                out,
                "  {}  {}",
                dose_line(dose),
                cite(&dose.rule, &dose.source)
            );
        }
    }
    if !d.alternatives.is_empty() {
        alternatives(&mut out, &d.alternatives);
    }
    if let Some(s) = &d.schedule {
        schedule(&mut out, s);
    }
    if !d.observe.is_empty() {
        let windows: Vec<String> = d.observe.iter().map(amount).collect();
        let _ = writeln!(out, "\nObserve: {}", windows.join(", "));
    }
    let several = d.proposals.len() > 1 || super::judges_several(program, d);
    for p in &d.proposals {
        proposal(&mut out, p, several);
    }
    if !d.values.is_empty() {
        let _ = writeln!(out, "\nValues:");
        for (name, v) in &d.values {
            let shown = crate::value::Shown(v, program).to_string();
            let _ = writeln!(out, "  {name} = {}", crate::display::shown(&shown));
        }
    }
    if !d.messages.is_empty() {
        let _ = writeln!(out, "\nMessages:");
        for m in &d.messages {
            let rule = m.rule.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "  {:<8} {}: {} {}",
                level_word(m.level),
                m.code,
                m.text,
                cite(rule, &m.source)
            );
        }
    }
    if let Some(n) = &d.next {
        let mut parts = Vec::new();
        if let Some(p) = &n.phase {
            parts.push(format!("phase {p}"));
        }
        if let Some(after) = &n.after {
            parts.push(format!("not before {after}"));
        }
        let _ = writeln!(out, "\nNext: {}", parts.join(", "));
    }
    if trace {
        why_into(&mut out, d);
    }
    safe(out)
}

/// The report with every character that could act on a terminal escaped (line breaks kept):
/// a protocol's messages and a patient's texts are shown, never obeyed.
fn safe(out: String) -> String {
    match crate::display::terminal_safe(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(safe) => safe,
    }
}

/// The alternatives side by side, each with its name, dose, total per day and verdict; a
/// refused one names each hard limit it breaks.
fn alternatives(out: &mut String, alts: &[Alternative]) {
    let _ = writeln!(out, "\nChoose one:");
    let width = alts
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0);
    for a in alts {
        let verdict = if a.allowed { "offered" } else { "REFUSED" };
        let _ = writeln!(
            out,
            "  {:<width$}  {verdict}  {}  {}",
            a.name,
            dose_line(&a.dose),
            cite(&a.dose.rule, &a.dose.source)
        );
        for r in &a.refusals {
            let _ = writeln!(out, "    refuse: {} {}", r.text, cite(&r.rule, &r.source));
        }
    }
}

fn schedule(out: &mut String, s: &Schedule) {
    let _ = writeln!(
        out,
        "\nSchedule ({}) {}:",
        s.direction,
        cite(&s.rule, &s.source)
    );
    let rows: Vec<[String; 5]> = s
        .steps
        .iter()
        .map(|st| {
            let (days, dates) = (step_days(st), step_dates(st));
            if st.stop {
                return [
                    format!("{}.", st.number),
                    days,
                    dates,
                    "stop".into(),
                    String::new(),
                ];
            }
            let dose = match (&st.dose, &st.frequency) {
                (Some(q), Some(f)) => format!("{q} {}", f.text),
                (Some(q), None) => q.to_string(),
                _ => String::new(),
            };
            let total = st
                .daily_total
                .as_ref()
                .map(|t| format!("({t})"))
                .unwrap_or_default();
            [format!("{}.", st.number), days, dates, dose, total]
        })
        .collect();
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let mut line = String::from(" ");
        for (i, cell) in r.iter().enumerate() {
            if widths[i] == 0 {
                continue;
            }
            line.push(' ');
            line.push_str(&crate::display::pad(cell, widths[i]));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn proposal(out: &mut String, p: &ProposalOutcome, named: bool) {
    let verdict = if p.allowed { "ALLOWED" } else { "REFUSED" };
    let total = p
        .daily_total
        .as_ref()
        .filter(|t| *t != &p.value)
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let name = if named {
        format!(" ({})", p.input)
    } else {
        String::new()
    };
    let _ = writeln!(out, "\nProposal{name}: {}{total}: {verdict}", p.value);
    let rule = p.rule.as_deref().unwrap_or("no rule");
    let _ = writeln!(out, "  {} {}", p.reason, cite(rule, &p.source));
    if let Some(range) = &p.allowed_range {
        let _ = writeln!(out, "  Allowed: {}", amount(range));
    }
}

/// Why the decision was made: every rule tried, with the values its condition read.
pub fn why(d: &Decision) -> String {
    let mut out = String::new();
    why_into(&mut out, d);
    safe(out)
}

fn why_into(out: &mut String, d: &Decision) {
    let _ = writeln!(out, "\nWhy:");
    for t in &d.trace {
        let mark = if t.fired { "+" } else { "-" };
        let src = t
            .source
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let detail = t
            .detail
            .as_ref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {mark} {} {}{src}{detail}", t.kind, t.id);
        if !t.values.is_empty() {
            let values: Vec<String> = t.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let _ = writeln!(out, "      with {}", values.join(", "));
        }
    }
}
