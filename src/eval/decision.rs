//! What an evaluation decides: the data the report layer prints as text or JSON.

use jiff::civil::Date;

use crate::check::{Level, Name};
use crate::units::{Atom, Quantity, Unit};

/// The outcome of a decision (design.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A dose or regimen to follow.
    Give,
    /// Nothing now; see `next` for when.
    Wait,
    /// The pathway ends here.
    Stop,
    /// A hard limit or a protocol rule forbids what was asked.
    Refused,
}

impl Status {
    /// The status word used in JSON and in examples.
    pub fn word(self) -> &'static str {
        match self {
            Status::Give => "give",
            Status::Wait => "wait",
            Status::Stop => "stop",
            Status::Refused => "refused",
        }
    }
}

/// A single quantity or a range.
#[derive(Clone, Debug, PartialEq)]
pub enum Amount {
    /// One value.
    One(Quantity),
    /// From `.0` to `.1`, inclusive.
    Range(Quantity, Quantity),
}

impl Amount {
    /// The low end (the value itself for one value).
    pub fn low(&self) -> &Quantity {
        match self {
            Amount::One(q) | Amount::Range(q, _) => q,
        }
    }

    /// The high end (the value itself for one value).
    pub fn high(&self) -> &Quantity {
        match self {
            Amount::One(q) | Amount::Range(_, q) => q,
        }
    }
}

/// How often a dose is given.
#[derive(Clone, Debug, PartialEq)]
pub struct FrequencyOut {
    /// As a person reads it: "3 times daily", "every 8 h".
    pub text: String,
    /// Doses per day, when given as `N times daily`.
    pub times_per_day: Option<Quantity>,
    /// The interval, when given as `every T`.
    pub every: Option<Quantity>,
}

impl FrequencyOut {
    /// `N times daily` (`once daily` for 1), as the decision prints it.
    pub fn times_daily(n: Quantity) -> FrequencyOut {
        let text = match crate::units::format_number(&n.value).as_str() {
            "1" => "once daily".to_string(),
            other => format!("{other} times daily"),
        };
        FrequencyOut {
            text,
            times_per_day: Some(n),
            every: None,
        }
    }

    /// `every T`.
    pub fn every(t: Quantity) -> FrequencyOut {
        FrequencyOut {
            text: format!("every {t}"),
            times_per_day: None,
            every: Some(t),
        }
    }
}

/// One dose to give.
#[derive(Clone, Debug, PartialEq)]
pub struct Dose {
    /// Amount, rate or range.
    pub amount: Amount,
    /// Route.
    pub route: Option<Name>,
    /// Form (bolus, tablet…).
    pub form: Option<Name>,
    /// Frequency.
    pub frequency: Option<FrequencyOut>,
    /// Given over this time.
    pub over: Option<Amount>,
    /// For this long.
    pub duration: Option<Amount>,
    /// The total per day, when it can be computed.
    pub daily_total: Option<Amount>,
    /// The rule that gave it.
    pub rule: Name,
    /// The label section of that rule.
    pub source: Option<Name>,
}

/// One step of an expanded schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// 1-based step number.
    pub number: usize,
    /// First day of the step (day 1 is the schedule's start).
    pub from_day: u32,
    /// Last day of the step; `None` for a dose to continue.
    pub to_day: Option<u32>,
    /// First date, when the schedule has a start date.
    pub from_date: Option<Date>,
    /// Last date, when known.
    pub to_date: Option<Date>,
    /// The single dose (absent for the final stop step).
    pub dose: Option<Quantity>,
    /// Frequency of that dose.
    pub frequency: Option<FrequencyOut>,
    /// Daily total.
    pub daily_total: Option<Quantity>,
    /// This step is stopping the drug.
    pub stop: bool,
}

/// An expanded titration or taper.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Increase or decrease.
    pub direction: &'static str,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The route of every step.
    pub route: Option<Name>,
    /// The rule that made it.
    pub rule: Name,
    /// Its label section.
    pub source: Option<Name>,
}

/// One alternative of a `choose`: a dose the clinician may choose, with the safety gate's own
/// verdict on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Alternative {
    /// Its name as written (`once_daily`).
    pub name: String,
    /// Its id for coverage: `RULE.NAME`.
    pub id: String,
    /// The dose (its `rule` is the rule that offered it).
    pub dose: Dose,
    /// Offered (true), or held back by a hard limit (see `refusals`).
    pub allowed: bool,
    /// Why it is held back: each hard limit it breaks (kind `refuse`).
    pub refusals: Vec<Reason>,
}

/// The verdict on a proposed dose.
#[derive(Clone, Debug, PartialEq)]
pub struct ProposalOutcome {
    /// The input that holds the proposed dose (which proposal of the phase this is).
    pub input: String,
    /// The proposed dose.
    pub value: Quantity,
    /// Its daily total, when a frequency is known.
    pub daily_total: Option<Quantity>,
    /// The frequency the proposal is read at (`proposal NAME 3 times daily`), if any.
    pub frequency: Option<FrequencyOut>,
    /// Allowed now.
    pub allowed: bool,
    /// Why.
    pub reason: String,
    /// What the protocol allows instead (or the range it was inside).
    pub allowed_range: Option<Amount>,
    /// The rule or limit that decided.
    pub rule: Option<Name>,
    /// Its label section.
    pub source: Option<Name>,
}

/// A message for the clinician.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Severity.
    pub level: Level,
    /// Stable code.
    pub code: Name,
    /// Text (written out when first read).
    pub text: super::text::Text,
    /// The rule or limit that raised it.
    pub rule: Option<Name>,
    /// Its label section.
    pub source: Option<Name>,
}

/// Why the pathway stops, a request is refused, or a dose is held.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// Which.
    pub kind: ReasonKind,
    /// Why, in the protocol's words.
    pub text: String,
    /// The rule or limit that gave it.
    pub rule: Name,
    /// Its label section.
    pub source: Option<Name>,
}

/// The kinds of reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasonKind {
    /// The pathway ends.
    Stop,
    /// What was asked is refused.
    Refuse,
    /// The dose is held for now.
    Hold,
}

impl ReasonKind {
    /// As a word.
    pub fn word(self) -> &'static str {
        match self {
            ReasonKind::Stop => "stop",
            ReasonKind::Refuse => "refuse",
            ReasonKind::Hold => "hold",
        }
    }
}

/// What comes next.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Next {
    /// The next phase.
    pub phase: Option<Name>,
    /// Not before this much time.
    pub after: Option<Quantity>,
}

/// One entry of the explanation trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    /// "rule", "limit", "proposal", "phase".
    pub kind: &'static str,
    /// The rule or limit id.
    pub id: Name,
    /// Did it fire / act / hold.
    pub fired: bool,
    /// Its label section.
    pub source: Option<Name>,
    /// The input and let values its condition read: (name, value as shown), in the order
    /// read; each is kept as the value it is and written out when read (see
    /// [`super::TraceText`]).
    pub values: super::TraceValues,
    /// A short explanation (most are the evaluator's own words, kept without a copy).
    pub detail: Option<std::borrow::Cow<'static, str>>,
}

/// Everything an evaluation decided for one patient.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The phase that decided (after any `goto`).
    pub phase: Name,
    /// Phases visited, in order.
    pub path: Vec<Name>,
    /// Overall status.
    pub status: Status,
    /// Doses to give.
    pub doses: Vec<Dose>,
    /// An expanded schedule.
    pub schedule: Option<Schedule>,
    /// Alternatives, one of which the clinician chooses (given beside `doses`).
    pub alternatives: Vec<Alternative>,
    /// Observation windows.
    pub observe: Vec<Amount>,
    /// The verdicts on proposed doses, one per proposal the phase judged, in file order.
    pub proposals: Vec<ProposalOutcome>,
    /// Warnings and notes.
    pub messages: Vec<Message>,
    /// Reasons for stop / refuse / hold, with the rule that gave each.
    pub reasons: Vec<Reason>,
    /// What comes next.
    pub next: Option<Next>,
    /// Values the protocol shows (`show`), by name.
    pub values: Vec<(Name, crate::value::Value)>,
    /// Ids of the rules that fired and limits that acted, in order (for coverage).
    pub fired: Vec<Name>,
    /// The explanation (filled when tracing).
    pub trace: super::TraceLog,
}

impl Decision {
    /// The verdict on the proposed dose: the first proposal judged, when the phase judges
    /// several (each is in `proposals`).
    pub fn proposal(&self) -> Option<&ProposalOutcome> {
        self.proposals.first()
    }

    /// The decision's total per day: the sum of its doses' daily totals (a dose without a frequency
    /// is one administration a day; a rate is itself per day).
    pub fn total_per_day(&self) -> Result<Amount, String> {
        let day = Quantity::new(1.into(), Unit::atom(Atom::Day));
        let mut sum: Option<Amount> = None;
        for dose in &self.doses {
            let total = match &dose.daily_total {
                Some(t) => t.clone(),
                None => {
                    let per_day = |q: &Quantity| q.div(&day);
                    match &dose.amount {
                        Amount::One(q) => Amount::One(per_day(q).map_err(|e| e.to_string())?),
                        Amount::Range(lo, hi) => Amount::Range(
                            per_day(lo).map_err(|e| e.to_string())?,
                            per_day(hi).map_err(|e| e.to_string())?,
                        ),
                    }
                }
            };
            sum = Some(match sum {
                None => total,
                Some(s) => {
                    let add = |a: &Quantity, b: &Quantity| {
                        a.add(b)
                            .map_err(|_| "the doses' daily totals cannot be added up".to_string())
                    };
                    match (&s, &total) {
                        (Amount::One(a), Amount::One(b)) => Amount::One(add(a, b)?),
                        _ => {
                            Amount::Range(add(s.low(), total.low())?, add(s.high(), total.high())?)
                        }
                    }
                }
            });
        }
        sum.ok_or_else(|| "no dose is given".to_string())
    }
}
