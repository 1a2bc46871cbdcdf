//! Runs a protocol's examples (`posology test`): each `given` patient is evaluated and every
//! `expect` line is compared with the decision.

use crate::check::{
    ExampleSpec, ExpectSpec, ExpectSpecKind, FrequencySpec, GiveExpect, Level, Program,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::eval::{self, Amount, Decision, Env, FrequencyOut, Options, ReasonKind, Status};
use crate::protocol::Protocol;
use crate::value::Value;

/// The outcome of one example.
#[derive(Debug)]
pub struct ExampleResult {
    /// The example's name.
    pub name: String,
    /// The expectations that did not hold, each with what was found instead.
    pub failures: Vec<String>,
    /// A run-time error instead of a decision.
    pub error: Option<Diagnostic>,
    /// The decision, when one was made.
    pub decision: Option<Decision>,
    /// Rules, limits and requirements this example exercised (for coverage).
    pub fired: Vec<String>,
}

impl ExampleResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }
}

/// Runs every example of a checked protocol.
pub fn run_examples(protocol: &Protocol) -> Vec<ExampleResult> {
    protocol
        .program()
        .examples
        .iter()
        .map(|e| shown_safely(run_example(protocol, e)))
        .collect()
}

/// The result with its name and failures made safe to print: they quote the protocol's texts,
/// which may hold control characters (a string literal can), and are printed as they are.
fn shown_safely(mut result: ExampleResult) -> ExampleResult {
    result.name = crate::display::escape(&result.name).into_owned();
    for failure in &mut result.failures {
        *failure = crate::display::terminal_safe(failure).into_owned();
    }
    result
}

/// An example with its whole patient built: the checked example keeps only what it writes
/// (see [`ExampleSpec::given`]), so each is built here, one at a time, as it runs. The field
/// `given` is the full patient; every other field reads through to the example.
struct Example<'a> {
    spec: &'a ExampleSpec,
    given: Vec<Value>,
}

impl std::ops::Deref for Example<'_> {
    type Target = ExampleSpec;

    fn deref(&self) -> &ExampleSpec {
        self.spec
    }
}

fn run_example(protocol: &Protocol, spec: &ExampleSpec) -> ExampleResult {
    let program = protocol.program();
    let example = &Example {
        spec,
        given: spec.patient(program),
    };
    let mut result = ExampleResult {
        name: example.name.clone(),
        failures: Vec::new(),
        error: None,
        decision: None,
        fired: Vec::new(),
    };
    let rejected: Vec<String> = match eval::unmet_requirements(program, &example.given) {
        Ok(unmet) => unmet.iter().map(|u| u.because.clone()).collect(),
        Err(d) => {
            result.error = Some(d);
            return result;
        }
    };
    let expects_rejection = example
        .expects
        .iter()
        .any(|e| matches!(e.kind, ExpectSpecKind::Rejected(_)));
    if expects_rejection || !rejected.is_empty() {
        for expect in &example.expects {
            let ok = match &expect.kind {
                ExpectSpecKind::Rejected(text) => rejected
                    .iter()
                    .any(|r| text.as_ref().is_none_or(|t| r.contains(t.as_str()))),
                _ => false,
            };
            if !ok {
                let found = if rejected.is_empty() {
                    "the data is accepted".to_string()
                } else {
                    format!("the data is refused: {}", rejected.join("; "))
                };
                result
                    .failures
                    .push(format!("expected `{}`, but {found}", expect.text.trim()));
            }
        }
        for id in example_rejected_ids(program, &example.given) {
            result.fired.push(id);
        }
        return result;
    }
    // An example's `given` was validated by the checker: it is this protocol's patient.
    let patient = protocol.patient(example.given.to_vec());
    match protocol.evaluate(&patient, Options { trace: false }) {
        Ok(decision) => {
            let mut held = Vec::new();
            for expect in &example.expects {
                if let Err(found) = holds(program, example, &decision, expect, &mut held) {
                    result
                        .failures
                        .push(format!("expected `{}`, but {found}", expect.text.trim()));
                }
            }
            result
                .failures
                .extend(dose_set(program, example, &decision));
            result.fired.extend(decision.fired.iter().map(String::from));
            result.fired.extend(held);
            result.decision = Some(decision);
        }
        Err(d) => result.error = Some(d),
    }
    result
}

/// Whether one expectation holds of the decision; `Err` says what was found instead. The limits
/// that refused a hypothetical dose (`expect limit refuses`) are added to `held`. A line of
/// `expect give` without `among` holds here: the lines are judged together by [`dose_set`].
// Long on purpose: one arm per `expect` form; each arm is short.
fn holds(
    program: &Program,
    example: &Example<'_>,
    d: &Decision,
    expect: &ExpectSpec,
    held: &mut Vec<String>,
) -> Result<(), String> {
    match &expect.kind {
        ExpectSpecKind::Status(s) => check(d.status.word() == s, || {
            format!("the status is {}", status_words(d))
        }),
        ExpectSpecKind::Give(g) if !g.among => Ok(()),
        ExpectSpecKind::Give(g) => check(
            d.doses
                .iter()
                .any(|dose| dose_matches(program, example, dose, g)),
            || doses_found(program, d, g.route.is_some()),
        ),
        ExpectSpecKind::Alternative(name, want) => {
            alternative_holds(program, example, d, name, want)
        }
        ExpectSpecKind::Daily(want) => {
            if d.doses.is_empty() {
                return Err(doses_found(program, d, false));
            }
            match d.total_per_day() {
                Ok(total) => check(same_amount(&total, want), || {
                    format!(
                        "the total per day is {} ({})",
                        crate::report::text::amount(&total),
                        given_list(program, d, false)
                    )
                }),
                Err(why) => Err(why),
            }
        }
        ExpectSpecKind::Schedule(want) => {
            let got: Vec<_> = d
                .schedule
                .iter()
                .flat_map(|s| s.steps.iter())
                .filter_map(|st| st.dose.as_ref().map(|q| (q, st.frequency.as_ref())))
                .collect();
            // A step's frequency is checked only where the example writes one.
            let same = got.len() == want.len()
                && got.iter().zip(want).all(|((q, f), w)| {
                    q.compare(&w.dose).is_ok_and(|o| o.is_eq())
                        && w.frequency
                            .as_ref()
                            .is_none_or(|wf| frequency_matches(program, example, *f, wf))
                });
            check(same, || {
                let shown: Vec<String> = got
                    .iter()
                    .map(|(q, f)| match f {
                        Some(f) if want.iter().any(|w| w.frequency.is_some()) => {
                            format!("{q} {}", f.text)
                        }
                        _ => q.to_string(),
                    })
                    .collect();
                format!("the schedule is [{}]", shown.join(", "))
            })
        }
        ExpectSpecKind::Warn { critical, text } => {
            let level = if *critical {
                Level::Critical
            } else {
                Level::Warning
            };
            message(d, text, level)
        }
        ExpectSpecKind::Note(text) => message(d, text, Level::Info),
        ExpectSpecKind::Stop(text) => {
            let stopped = d.reasons.iter().any(|r| {
                r.kind == ReasonKind::Stop
                    && text.as_ref().is_none_or(|t| r.text.contains(t.as_str()))
            });
            check(stopped, || format!("the status is {}", status_words(d)))
        }
        ExpectSpecKind::Proposal(allowed, range, input) => match input
            .as_ref()
            .map_or(d.proposal(), |i| d.proposals.iter().find(|p| &p.input == i))
        {
            Some(p) => {
                let shown = p.allowed_range.as_ref().map_or_else(
                    || "no allowed range is shown".to_string(),
                    |a| format!("the range shown is {}", crate::report::text::amount(a)),
                );
                let verdict = if p.allowed { "allowed" } else { "refused" };
                let same_range = range.as_ref().is_none_or(|want| {
                    p.allowed_range
                        .as_ref()
                        .is_some_and(|a| same_amount(a, want))
                });
                check(p.allowed == *allowed && same_range, || {
                    format!("the proposal is {verdict} ({}); {shown}", p.reason)
                })
            }
            None => Err("there is no proposal".into()),
        },
        ExpectSpecKind::Phase(i) => {
            let name = &program.phases[*i].name;
            check(&d.phase == name, || format!("the phase is {}", d.phase))
        }
        ExpectSpecKind::Rejected(_) => Err("the data is accepted".into()),
        ExpectSpecKind::GivenThat(c) => {
            let mut env = Env::new(program, &example.given);
            match env.truth(c) {
                Ok(b) => check(b, || "it is false".into()),
                Err(e) => Err(format!("it cannot be evaluated: {}", e.message)),
            }
        }
        ExpectSpecKind::Limit {
            refuses,
            amount,
            frequency,
        } => {
            let amount = match amount {
                Value::Num(q) => Amount::One(q.clone()),
                Value::Range(r) => match (&r.0, &r.1) {
                    (Value::Num(lo), Value::Num(hi)) => Amount::Range(lo.clone(), hi.clone()),
                    _ => return Err("it is not a dose".into()),
                },
                _ => return Err("it is not a dose".into()),
            };
            let frequency = match frequency {
                Some(f) => Some(frequency_out(program, example, f)?),
                None => None,
            };
            let outcome = eval::hold_dose(program, &example.given, &d.path, amount, frequency);
            let refused = outcome.status == Status::Refused;
            held.extend(outcome.fired.iter().map(String::from));
            check(refused == *refuses, || {
                if refused {
                    let why: Vec<&str> = outcome.reasons.iter().map(|r| r.text.as_str()).collect();
                    format!("the hard limits refuse it: {}", why.join("; "))
                } else {
                    "the hard limits allow it".into()
                }
            })
        }
    }
}

/// The `expect give` lines of an example (without `among`), together: the decision's status is
/// `give` and its doses are exactly these, one listed dose for each line. Returns the failures.
fn dose_set(program: &Program, example: &Example<'_>, d: &Decision) -> Vec<String> {
    let wanted: Vec<(&ExpectSpec, &GiveExpect)> = example
        .expects
        .iter()
        .filter_map(|e| match &e.kind {
            ExpectSpecKind::Give(g) if !g.among => Some((e, g)),
            _ => None,
        })
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut failures = Vec::new();
    if d.doses.is_empty() {
        for (e, g) in &wanted {
            failures.push(format!(
                "expected `{}`, but {}",
                e.text.trim(),
                doses_found(program, d, g.route.is_some())
            ));
        }
        return failures;
    }
    if d.status != Status::Give {
        failures.push(format!(
            "expected status give (the example expects doses), but the status is {}",
            status_words(d)
        ));
    }
    let fits: Vec<Vec<bool>> = wanted
        .iter()
        .map(|(_, g)| {
            d.doses
                .iter()
                .map(|dose| dose_matches(program, example, dose, g))
                .collect()
        })
        .collect();
    let matched = match_doses(&fits, d.doses.len());
    for (i, (e, g)) in wanted.iter().enumerate() {
        if !matched.contains(&Some(i)) {
            failures.push(format!(
                "expected `{}`, but {}",
                e.text.trim(),
                doses_found(program, d, g.route.is_some())
            ));
        }
    }
    let extra: Vec<String> = d
        .doses
        .iter()
        .zip(&matched)
        .filter(|(_, m)| m.is_none())
        .map(|(dose, _)| dose_words(program, dose))
        .collect();
    if d.doses.len() > wanted.len() {
        failures.push(format!(
            "expected only the doses of the `expect give` lines ({} listed), but the decision also gives: {} (write an `expect give` line for each dose, or add `among` to check one dose only)",
            wanted.len(),
            extra.join("; ")
        ));
    }
    failures
}

/// A matching of listed doses to expected lines (`fits[line][dose]`), as large as possible:
/// for each dose, the line it stands for.
fn match_doses(fits: &[Vec<bool>], doses: usize) -> Vec<Option<usize>> {
    fn augment(
        line: usize,
        fits: &[Vec<bool>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for dose in 0..owner.len() {
            if fits[line][dose] && !seen[dose] {
                seen[dose] = true;
                let free = match owner[dose] {
                    None => true,
                    Some(other) => augment(other, fits, seen, owner),
                };
                if free {
                    owner[dose] = Some(line);
                    return true;
                }
            }
        }
        false
    }
    let mut owner = vec![None; doses];
    for line in 0..fits.len() {
        let mut seen = vec![false; doses];
        augment(line, fits, &mut seen, &mut owner);
    }
    owner
}

/// `expect alternative NAME give …` (offered with this dose) or `… refused` (shown, held back).
fn alternative_holds(
    program: &Program,
    example: &Example<'_>,
    d: &Decision,
    name: &str,
    want: &Option<GiveExpect>,
) -> Result<(), String> {
    let found = || {
        if d.alternatives.is_empty() {
            return format!(
                "no alternative is offered (the status is {})",
                status_words(d)
            );
        }
        let shown: Vec<String> = d
            .alternatives
            .iter()
            .map(|a| {
                let verdict = if a.allowed { "" } else { " (refused)" };
                format!(
                    "{}: {}{verdict}",
                    a.name,
                    dose_words_with(program, &a.dose, false)
                )
            })
            .collect();
        format!("the alternatives are: {}", shown.join("; "))
    };
    let Some(alt) = d.alternatives.iter().find(|a| a.name == name) else {
        return Err(found());
    };
    let ok = match want {
        None => !alt.allowed,
        Some(g) => alt.allowed && dose_matches(program, example, &alt.dose, g),
    };
    check(ok, found)
}

/// One listed dose matches an `expect give` line: amount (or both ends), frequency (none
/// written: none given), and form and route when written.
fn dose_matches(
    program: &Program,
    example: &Example<'_>,
    dose: &eval::Dose,
    g: &GiveExpect,
) -> bool {
    same_amount(&dose.amount, &g.amount)
        && same_frequency(program, example, dose, g.frequency.as_ref())
        && g.form
            .as_ref()
            .is_none_or(|f| dose.form.as_ref().is_some_and(|d| d == f))
        && g.route
            .as_ref()
            .is_none_or(|r| dose.route.as_ref().is_some_and(|d| d == r))
}

/// A frequency written in an example, as the evaluator states one.
fn frequency_out(
    program: &Program,
    example: &Example<'_>,
    f: &FrequencySpec,
) -> Result<FrequencyOut, String> {
    let mut env = Env::new(program, &example.given);
    match f {
        FrequencySpec::TimesDaily(n) => {
            let n = env
                .num(n)
                .map_err(|e| format!("its frequency cannot be evaluated: {}", e.message))?;
            Ok(FrequencyOut::times_daily(n))
        }
        FrequencySpec::Every(t) => {
            let t = env
                .num(t)
                .map_err(|e| format!("its frequency cannot be evaluated: {}", e.message))?;
            Ok(FrequencyOut::every(t))
        }
    }
}

fn check(ok: bool, found: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(found())
    }
}

/// The status, with the reasons for a refusal or a stop.
fn status_words(d: &Decision) -> String {
    let reasons: Vec<&str> = d
        .reasons
        .iter()
        .filter(|r| matches!(r.kind, ReasonKind::Refuse | ReasonKind::Stop))
        .map(|r| r.text.as_str())
        .collect();
    if reasons.is_empty() {
        d.status.word().to_string()
    } else {
        format!("{}: {}", d.status.word(), reasons.join("; "))
    }
}

/// One listed dose as an example would write it.
fn dose_words(program: &Program, dose: &eval::Dose) -> String {
    dose_words_with(program, dose, false)
}

/// One listed dose, with its route when it is not the protocol's or when `route` asks for it.
fn dose_words_with(program: &Program, dose: &eval::Dose, route: bool) -> String {
    let mut s = crate::report::text::amount(&dose.amount);
    if let Some(form) = &dose.form {
        s.push(' ');
        s.push_str(form);
    }
    if dose.route.is_some() && (route || dose.route != program.header.route) {
        s.push_str(&format!(
            " route {}",
            dose.route.as_deref().unwrap_or_default()
        ));
    }
    if let Some(f) = &dose.frequency {
        s.push(' ');
        s.push_str(&f.text);
    }
    s
}

fn given_list(program: &Program, d: &Decision, route: bool) -> String {
    let doses: Vec<String> = d
        .doses
        .iter()
        .map(|x| dose_words_with(program, x, route))
        .collect();
    format!("the doses are: {}", doses.join("; "))
}

/// What the decision gives, for a failure message.
fn doses_found(program: &Program, d: &Decision, route: bool) -> String {
    if d.doses.is_empty() {
        format!("no dose is given (the status is {})", status_words(d))
    } else {
        given_list(program, d, route)
    }
}

/// A message of exactly this level containing the text; the other levels are named when they
/// hold the text, so that `warn` and `warn critical` are not confused.
fn message(d: &Decision, text: &str, level: Level) -> Result<(), String> {
    let found = d
        .messages
        .iter()
        .any(|m| m.level == level && m.text.contains(text));
    let word = |l: Level| match l {
        Level::Info => "note",
        Level::Warning => "warning",
        Level::Critical => "critical message",
    };
    check(found, || {
        if let Some(other) = d
            .messages
            .iter()
            .find(|m| m.level != level && m.text.contains(text))
        {
            let write = match other.level {
                Level::Info => "expect note",
                Level::Warning => "expect warn",
                Level::Critical => "expect warn critical",
            };
            return format!(
                "it is a {}, not a {}: \"{}\" (write `{write}`)",
                word(other.level),
                word(level),
                other.text
            );
        }
        let texts: Vec<&str> = d
            .messages
            .iter()
            .filter(|m| m.level == level)
            .map(|m| m.text.as_str())
            .collect();
        if texts.is_empty() {
            format!("there is no {}", word(level))
        } else {
            format!("the {}s are: {}", word(level), texts.join(" | "))
        }
    })
}

fn same_amount(a: &Amount, v: &Value) -> bool {
    let eq = |x: &crate::units::Quantity, y: &Value| matches!(y, Value::Num(q) if x.compare(q).is_ok_and(|o| o.is_eq()));
    match (a, v) {
        (Amount::One(x), Value::Num(_)) => eq(x, v),
        (Amount::Range(lo, hi), Value::Range(r)) => eq(lo, &r.0) && eq(hi, &r.1),
        _ => false,
    }
}

/// The frequency of a listed dose is the one written; none written means the dose has none.
fn same_frequency(
    program: &Program,
    example: &Example<'_>,
    dose: &eval::Dose,
    want: Option<&FrequencySpec>,
) -> bool {
    let Some(want) = want else {
        return dose.frequency.is_none();
    };
    frequency_matches(program, example, dose.frequency.as_ref(), want)
}

/// A frequency the decision states is the one an example writes.
fn frequency_matches(
    program: &Program,
    example: &Example<'_>,
    got: Option<&FrequencyOut>,
    want: &FrequencySpec,
) -> bool {
    let Some(f) = got else {
        return false;
    };
    let mut env = Env::new(program, &example.given);
    match want {
        FrequencySpec::TimesDaily(n) => match (env.num(n), &f.times_per_day) {
            (Ok(n), Some(got)) => n.compare(got).is_ok_and(|o| o.is_eq()),
            _ => false,
        },
        FrequencySpec::Every(t) => match (env.num(t), &f.every) {
            (Ok(t), Some(got)) => t.compare(got).is_ok_and(|o| o.is_eq()),
            _ => false,
        },
    }
}

/// The ids of the requirements a patient's data fails.
pub fn example_rejected_ids(program: &Program, given: &[Value]) -> Vec<String> {
    eval::unmet_requirements(program, given)
        .map(|u| u.iter().map(|x| x.require.id.to_string()).collect())
        .unwrap_or_default()
}

/// A patient case file run through the protocol.
#[derive(Debug)]
pub struct CaseResult {
    /// The case file.
    pub path: std::path::PathBuf,
    /// What it exercised: fired rules, acted limits, failed requirements.
    pub fired: Vec<String>,
    /// Why it could not be run, if it could not (a rejected case still counts its requirement).
    pub error: Option<String>,
    /// Why the file could not be read at all (missing, a pipe or device, too large, not UTF-8):
    /// such a case exercised nothing and must not be counted.
    pub unreadable: Option<Diagnostic>,
}

/// The patient cases beside a protocol: `protocols/x.dose` → `protocols/x/cases/*` (none when
/// there is no such directory).
pub fn case_files(protocol: &std::path::Path) -> Vec<std::path::PathBuf> {
    listed_case_files(protocol).unwrap_or_default()
}

/// [`case_files`], or why the cases directory could not be listed. A protocol without a
/// cases directory has no cases; one whose directory exists but cannot be read is an error,
/// not "no cases" (its cases would go unchecked in silence).
pub fn listed_case_files(
    protocol: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, Diagnostic> {
    let dir = protocol.with_extension("").join("cases");
    if std::fs::symlink_metadata(&dir).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(Vec::new());
    }
    let mut files = crate::files::list_dir(&dir)?;
    files.retain(|p: &std::path::PathBuf| crate::input::Format::from_path(p).is_some());
    Ok(files)
}

/// Runs one case file and records what it exercised.
pub fn run_case(protocol: &Protocol, path: &std::path::Path) -> CaseResult {
    let program = protocol.program();
    let mut result = CaseResult {
        path: path.to_path_buf(),
        fired: Vec::new(),
        error: None,
        unreadable: None,
    };
    let text = match crate::files::read_text(path, crate::input::PATIENT_FILE) {
        Ok(t) => t,
        Err(d) => {
            result.error = Some(d.message.clone());
            result.unreadable = Some(d);
            return result;
        }
    };
    let Some(format) = crate::input::Format::from_path(path) else {
        return result;
    };
    match protocol.read_patient(path.display().to_string(), &text, format, &[]) {
        Ok(patient) => match protocol.evaluate(&patient, Options { trace: false }) {
            Ok(d) => result.fired = d.fired.iter().map(String::from).collect(),
            Err(d) => result.error = Some(d.message),
        },
        Err(diags) => {
            // A case that shows a refused input exercises the requirement that refused it: the
            // diagnostic of that requirement, not any error whose message happens to end with
            // its `because` (an empty `because` ends every message).
            for d in diags.iter().filter(|d| d.code == Code::InputRejected) {
                if let Some(r) = program.requires.iter().find(|r| {
                    d.message
                        .strip_prefix("the patient's data is refused: ")
                        .is_some_and(|because| r.reason_fits(because))
                }) {
                    result.fired.push(r.id.to_string());
                }
            }
            result.error = Some(
                diags
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
    }
    result
}

/// The rules, proposal rules, limits and requirements that nothing exercised.
pub fn unexercised<'a>(
    program: &Program,
    fired: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    let seen: std::collections::HashSet<&String> = fired.into_iter().collect();
    program
        .coverable_ids()
        .into_iter()
        .filter(|id| !seen.contains(id))
        .collect()
}

/// One kind of thing coverage counts, and which of them nothing exercised.
#[derive(Debug)]
pub struct CoverageGroup {
    /// What is counted and what exercising one means ("hard limits (refused or capped a dose)").
    pub what: &'static str,
    /// How many the protocol has.
    pub total: usize,
    /// The ids nothing exercised.
    pub missing: Vec<String>,
}

/// Coverage by kind, each with its own meaning of "exercised": a rule fired; a proposal rule
/// decided a proposal; a hard limit refused a dose, a proposal or a schedule step, or capped a
/// range; a soft limit warned; a requirement refused a patient's data. A limit that was merely
/// compared with a dose that it allowed does not count.
pub fn coverage<'a>(
    program: &Program,
    fired: impl IntoIterator<Item = &'a String>,
) -> Vec<CoverageGroup> {
    let seen: std::collections::HashSet<&String> = fired.into_iter().collect();
    let group = |what, ids: Vec<String>| CoverageGroup {
        what,
        total: ids.len(),
        missing: ids.into_iter().filter(|id| !seen.contains(id)).collect(),
    };
    let proposal_rules = program
        .phases
        .iter()
        .flat_map(|p| p.proposals.iter())
        .flat_map(|p| p.rules.iter().map(|r| r.id.to_string()))
        .collect();
    let limits = |hard: bool| {
        program
            .limits
            .iter()
            .filter(|l| l.hard == hard)
            .map(|l| l.id.to_string())
            .collect()
    };
    let tables = program.table_row_ids();
    let mut groups = vec![
        group("rules (fired)", program.rule_ids()),
        group("alternatives (offered)", program.alternative_ids()),
        group("proposal rules (decided a proposal)", proposal_rules),
        group("hard limits (refused or capped a dose)", limits(true)),
        group("soft limits (warned)", limits(false)),
        group(
            "requirements (refused a patient's data)",
            program.requires.iter().map(|r| r.id.to_string()).collect(),
        ),
    ];
    // Only for a protocol with tables, so that the others' reports stay as they were.
    if !tables.is_empty() {
        groups.push(group("table rows (read for a patient)", tables));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A protocol whose decision gives two doses (a collect block) and a critical message.
    const TWO_DOSES: &str = r#"
protocol two_doses {
  version "1.0.0"
  source  "test"
  route   "oral"
  inputs {
    dose: mg in 1 mg..20 mg
  }
  limit dose <= 20 mg hard because "largest single dose"
  limit daily <= 80 mg/day hard because "maximum per day"
  decide collect {
    morning: always => give dose tablet 3 times daily
    night: always => give 5 mg route rectal ; warn critical "Critical text" ; warn "Plain text"
  }
  EXAMPLES
}
"#;

    fn run(examples: &str) -> Vec<ExampleResult> {
        let text = TWO_DOSES.replace("EXAMPLES", examples);
        let (protocol, diags) = Protocol::check("t.dose", &text);
        assert!(
            diags.is_empty(),
            "{:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        run_examples(&protocol.expect("checks"))
    }

    fn one(expects: &str) -> ExampleResult {
        let mut results = run(&format!(
            "example \"e\" {{\n given {{ dose: 10 mg }}\n {expects}\n }}"
        ));
        results.remove(0)
    }

    #[test]
    fn a_case_exercises_a_requirement_only_when_that_requirement_refuses_it() {
        let text = r#"
protocol req {
  version "1.0.0"
  source  "test"
  inputs {
    x: mg in 1 mg..20 mg
    y: mg optional
  }
  require y is missing or y < x because ""
  limit dose <= 20 mg hard
  decide first {
    otherwise => give x
  }
}
"#;
        let protocol = Protocol::load("req.dose", text).expect("checks");
        let dir = std::env::temp_dir().join(format!("posology-req-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        // Refused for an unknown field: an empty `because` ends that message too, and the
        // requirement was counted as exercised.
        let unrelated = dir.join("unknown_field.json");
        std::fs::write(&unrelated, r#"{"x": "5 mg", "zzz": 1}"#).expect("written");
        let refused = dir.join("refused.json");
        std::fs::write(&refused, r#"{"x": "5 mg", "y": "6 mg"}"#).expect("written");
        let unrelated = run_case(&protocol, &unrelated);
        let refused = run_case(&protocol, &refused);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(unrelated.error.is_some());
        assert!(unrelated.fired.is_empty(), "{:?}", unrelated.fired);
        assert_eq!(
            refused.fired,
            vec![protocol.program().requires[0].id.clone()]
        );
    }

    #[test]
    fn expect_give_lines_are_the_whole_set_of_doses() {
        let r = one("expect give 10 mg tablet 3 times daily\n expect give 5 mg route rectal");
        assert!(r.passed(), "{:?}", r.failures);
        // Order does not matter; form and route are checked only when written.
        let r = one("expect give 5 mg\n expect give 10 mg 3 times daily");
        assert!(r.passed(), "{:?}", r.failures);
        // One line short: the other dose is named.
        let r = one("expect give 10 mg 3 times daily");
        assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
        assert!(
            r.failures[0].contains("also gives: 5 mg route rectal"),
            "{:?}",
            r.failures
        );
        // No frequency written means the dose has none.
        let r = one("expect give 10 mg\n expect give 5 mg");
        assert!(
            r.failures[0].contains("expect give 10 mg"),
            "{:?}",
            r.failures
        );
        // A wrong form or route does not match.
        let r = one("expect give 10 mg bolus 3 times daily\n expect give 5 mg");
        assert!(!r.passed());
        let r = one("expect give 10 mg 3 times daily\n expect give 5 mg route oral");
        assert!(r.failures[0].contains("route rectal"), "{:?}", r.failures);
        // The same dose cannot stand for two lines.
        let r = one("expect give 5 mg\n expect give 5 mg\n expect give 10 mg 3 times daily");
        assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
    }

    #[test]
    fn among_asks_membership_only() {
        let r = one("expect give 5 mg among");
        assert!(r.passed(), "{:?}", r.failures);
        let r = one("expect give 6 mg among");
        assert!(r.failures[0].contains("the doses are"), "{:?}", r.failures);
    }

    #[test]
    fn expect_daily_adds_up_the_doses() {
        // 10 mg 3 times daily (30 mg/day) and 5 mg once (5 mg/day).
        let r = one("expect daily 35 mg/day");
        assert!(r.passed(), "{:?}", r.failures);
        let r = one("expect daily 0.035 g/day");
        assert!(r.passed(), "{:?}", r.failures);
        let r = one("expect daily 30 mg/day");
        assert!(
            r.failures[0].contains("the total per day is 35 mg/day"),
            "{:?}",
            r.failures
        );
    }

    #[test]
    fn warn_and_warn_critical_are_apart() {
        let r = one("expect warn critical \"Critical text\"\n expect warn \"Plain text\"");
        assert!(r.passed(), "{:?}", r.failures);
        let r = one("expect warn \"Critical text\"");
        assert!(
            r.failures[0].contains("write `expect warn critical`"),
            "{:?}",
            r.failures
        );
        let r = one("expect warn critical \"Plain text\"");
        assert!(!r.passed());
    }

    /// `expect limit` holds the dose as `run` would hold it for that patient: after the
    /// decision's `goto`, the limits of the phase it went on to apply too.
    #[test]
    fn expect_limit_follows_the_decision_through_goto() {
        let text = r#"
protocol hop {
  version "1.0.0"
  source  "test"
  inputs { phase: titrate | maintain }
  begin at phase
  limit dose <= 20 mg hard
  limit dose <= 8 mg hard when phase == maintain because "maintenance cap"
  phase titrate { decide first { t: otherwise => goto maintain } }
  phase maintain { decide first { m: otherwise => give 5 mg } }
  example "from titration" {
    given { phase: titrate }
    expect give 5 mg
    expect limit refuses 10 mg
    expect limit allows 8 mg
  }
}
"#;
        let protocol = Protocol::load("hop.dose", text).expect("checks");
        let results = run_examples(&protocol);
        assert!(results[0].passed(), "{:?}", results[0].failures);
        let refusing = results[0].fired.iter().any(|f| f.contains("maintain"));
        assert!(refusing, "{:?}", results[0].fired);
    }

    #[test]
    fn expect_limit_holds_a_dose_and_counts_the_limits_that_refuse_it() {
        let r = one("expect limit allows 20 mg 4 times daily\n expect limit refuses 25 mg");
        assert!(r.passed(), "{:?}", r.failures);
        assert!(r.fired.iter().any(|f| f.contains("dose")), "{:?}", r.fired);
        let r = one("expect limit refuses 20 mg every 4 h");
        assert!(r.passed(), "{:?}", r.failures);
        assert!(r.fired.iter().any(|f| f.contains("daily")), "{:?}", r.fired);
        let r = one("expect limit refuses 20 mg");
        assert!(r.failures[0].contains("allow it"), "{:?}", r.failures);
        let r = one("expect limit allows 21 mg");
        assert!(r.failures[0].contains("refuse it"), "{:?}", r.failures);
    }
}
