//! The checked program: every name resolved to a slot, every expression typed, every unit
//! known. The evaluator reads only this, never the AST's strings.

use std::collections::HashMap;

use super::functions::Func;
use super::name::Name;
use crate::diagnostics::{Source, Span};
use crate::ops::{BinaryOp, CmpOp, HitPolicy, IsTest, UnaryOp};
use crate::units::{Atom, Dim, Quantity, RoundMode, Unit};
use crate::value::{EnumNames, Value};

/// The static type of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// A number; the unit stands for its dimension (a plain number has no unit). Two
    /// number types are the same when their dimensions are (see [`Type::same`]).
    Num(Unit),
    /// true / false.
    Bool,
    /// A text.
    Text,
    /// One of the values of enum `id`.
    Enum(u32),
    /// A calendar date.
    Date,
    /// A list of this type.
    List(Box<Type>),
    /// A record of type `id`.
    Record(u32),
    /// A range of this type.
    Range(Box<Type>),
    /// An empty list literal `[]`, whose element type is not known yet.
    EmptyList,
    /// The type of an expression that already has an error (suppresses follow-on errors).
    Error,
}

impl Type {
    /// A plain number.
    pub fn number() -> Type {
        Type::Num(Unit::none())
    }

    /// The dimension, for a number.
    pub fn dim(&self) -> Option<Dim> {
        match self {
            Type::Num(u) => Some(u.dim()),
            _ => None,
        }
    }

    /// True when a value of one type can stand where the other is expected (numbers of the
    /// same dimension; `[]` for any list; an error type for anything).
    pub fn same(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::Error, _) | (_, Type::Error) => true,
            (Type::Num(a), Type::Num(b)) => a.dim() == b.dim(),
            (Type::EmptyList, Type::List(_)) | (Type::List(_), Type::EmptyList) => true,
            (Type::List(a), Type::List(b)) | (Type::Range(a), Type::Range(b)) => a.same(b),
            (a, b) => a == b,
        }
    }
}

/// The header of a protocol.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Header {
    /// The protocol's name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// The label (and section) it encodes.
    pub source: Option<String>,
    /// The drug.
    pub drug: Option<String>,
    /// The default route of every dose.
    pub route: Option<Name>,
}

/// A declared input (or a field of a record input).
#[derive(Clone, Debug)]
pub struct InputSpec {
    /// Its name.
    pub name: String,
    /// Where it is declared.
    pub span: Span,
    /// Its type.
    pub ty: Type,
    /// The unit values are held in (the declared unit), for numbers.
    pub unit: Option<Unit>,
    /// Declared as `count`: a whole number.
    pub whole: bool,
    /// May be left out.
    pub optional: bool,
    /// The value when left out.
    pub default: Option<Value>,
    /// The allowed range, inclusive.
    pub range: Option<(Quantity, Quantity)>,
    /// Declared equivalences (`convert 1 mg/dL = 88.42 micromol/L`): the side in the input's
    /// unit and the side in another kind, each positive; a patient's value in the other kind
    /// is read as `value / right * left`, exactly.
    pub conversions: Vec<(Quantity, Quantity)>,
}

impl InputSpec {
    /// A value for this input in `unit` (its declared unit): converted exactly when of its
    /// kind, or through a conversion declared on it (`convert 1 mg/dL = 88.42 micromol/L`:
    /// 176.84 micromol/L is read as 176.84 / 88.42 × 1 mg/dL = 2 mg/dL) when of the other
    /// side's kind; otherwise the [`UnitError::Mismatch`](crate::units::UnitError::Mismatch).
    pub fn read_quantity(
        &self,
        q: Quantity,
        unit: &Unit,
    ) -> Result<Quantity, crate::units::UnitError> {
        // Given in the declared unit (a patient file mostly is): what `convert_to` gives, the
        // same value in the same unit, without its copies.
        if q.unit.converts_to_itself(unit) {
            return Ok(q);
        }
        if on_another_area_basis(&q.unit, unit) {
            return Err(crate::units::UnitError::AreaBasis {
                declared: unit.to_string(),
            });
        }
        let direct = q.convert_to(unit);
        if !matches!(direct, Err(crate::units::UnitError::Mismatch { .. })) {
            return direct;
        }
        let declared = self.conversions.iter().find(|(_, r)| r.dim() == q.dim());
        let Some((left, right)) = declared else {
            return direct;
        };
        q.div(right)?.mul(left)?.convert_to(unit)
    }
}

/// Whether `given` and `declared` are of one kind but only one of them is per the standard
/// 1.73 m^2 (`mL/min/m^2` against `mL/min/1.73 m^2`): see
/// [`UnitError::AreaBasis`](crate::units::UnitError::AreaBasis).
fn on_another_area_basis(given: &Unit, declared: &Unit) -> bool {
    let standard = |u: &Unit| u.atoms().iter().any(|(a, _)| *a == Atom::StandardBsa);
    standard(given) != standard(declared) && given.dim() == declared.dim()
}

/// A record type: its fields.
#[derive(Clone, Debug)]
pub struct RecordSpec {
    /// The fields, in declaration order.
    pub fields: Vec<InputSpec>,
    /// Field name → index: a record may have tens of thousands of fields, and every name in a
    /// protocol or a patient file is looked up here, so a scan would make reading quadratic.
    index: HashMap<String, usize>,
}

impl RecordSpec {
    /// A record of these fields (their names distinct).
    pub fn new(fields: Vec<InputSpec>) -> Self {
        let index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        RecordSpec { fields, index }
    }

    /// The index of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        let names = self.fields.iter().map(|f| f.name.as_str());
        scan_or_index(names, &self.index, name)
    }
}

/// Up to this many names are looked up by comparing them in turn rather than by hash: a
/// patient file looks up an enum value or a record field per value it gives, and comparing a
/// few short names costs less than hashing one.
const SCANNED_NAMES: usize = 8;

/// The position of `name` among `names`, as `index` gives it: by a scan when the names are
/// few and distinct (`index` holds one entry per name), else from `index`.
fn scan_or_index<'a>(
    names: impl ExactSizeIterator<Item = &'a str>,
    index: &HashMap<String, usize>,
    name: &str,
) -> Option<usize> {
    if names.len() <= SCANNED_NAMES && names.len() == index.len() {
        let mut names = names;
        return names.position(|n| n == name);
    }
    index.get(name).copied()
}

/// An enum type: its value names.
#[derive(Clone, Debug)]
pub struct EnumSpec {
    /// The value names, in declaration order.
    pub values: Vec<String>,
    /// Value name → index, for the same reason as [`RecordSpec`]'s.
    index: HashMap<String, usize>,
    /// The value names as [`Name`]s, made the first time one is asked for (see
    /// [`EnumSpec::name`]).
    names: std::sync::OnceLock<Vec<Name>>,
}

impl EnumSpec {
    /// A choice of these values (their names distinct).
    pub fn new(values: Vec<String>) -> Self {
        let index = values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), i))
            .collect();
        EnumSpec {
            values,
            index,
            names: std::sync::OnceLock::new(),
        }
    }

    /// The name of the value at `index`, as a [`Name`]: the trace names the choice a rule read
    /// for every patient it explains, and a handle on an interned name is copied without
    /// writing anything shared. The names are interned the first time one is asked for, not
    /// when the protocol is checked: most runs never trace.
    pub fn name(&self, index: usize) -> Option<&Name> {
        self.names
            .get_or_init(|| self.values.iter().map(Name::from).collect())
            .get(index)
    }

    /// The index of the value called `name`.
    pub fn value_index(&self, name: &str) -> Option<usize> {
        scan_or_index(self.values.iter().map(String::as_str), &self.index, name)
    }

    /// The values for a message: every one when there are few, else the first few and how
    /// many more (a choice may have 100,000 values; a message naming each would be huge).
    pub fn listed(&self, separator: &str) -> String {
        list_some(self.values.iter().map(String::as_str), separator)
    }
}

/// The most names a message lists before it says "and N more".
pub const LISTED_NAMES: usize = 20;

/// `names` joined by `separator`, at most [`LISTED_NAMES`] of them and then "… (N more)".
pub fn list_some<'a, I>(names: I, separator: &str) -> String
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: ExactSizeIterator,
{
    let names = names.into_iter();
    let total = names.len();
    let shown: Vec<&str> = names.take(LISTED_NAMES).collect();
    let mut out = shown.join(separator);
    if total > LISTED_NAMES {
        out.push_str(&format!("{separator}… ({} more)", total - LISTED_NAMES));
    }
    out
}

/// A `let` value.
#[derive(Clone, Debug)]
pub struct LetSpec {
    /// Its name.
    pub name: String,
    /// Where it is defined.
    pub span: Span,
    /// Its definition.
    pub expr: CExpr,
}

/// A typed, resolved expression.
#[derive(Clone, Debug)]
pub struct CExpr {
    /// What it computes.
    pub kind: CExprKind,
    /// Its static type.
    pub ty: Type,
    /// Where it is written.
    pub span: Span,
}

/// The kinds of resolved expression.
#[derive(Clone, Debug)]
pub enum CExprKind {
    /// A constant.
    Const(Value),
    /// Input slot.
    Input(usize),
    /// `let` slot.
    Let(usize),
    /// A field of the list item being tested, `depth` scopes out (0 = innermost).
    Item {
        /// How many item scopes out.
        depth: usize,
        /// The field's index.
        field: usize,
    },
    /// A field of a record.
    Field(Box<CExpr>, usize),
    /// The same field of every record of a list.
    Project(Box<CExpr>, usize),
    /// `-e`, `not e`
    Unary(UnaryOp, Box<CExpr>),
    /// `a op b`
    Binary(BinaryOp, Box<CExpr>, Box<CExpr>),
    /// `if c then a else b`
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    /// `[a, b]`
    List(Vec<CExpr>),
    /// `e is missing` …
    Is(Box<CExpr>, IsTest),
    /// `e round … to step`
    Round(Box<CExpr>, RoundMode, Box<CExpr>),
    /// A built-in function; a condition argument is evaluated once per list item.
    Call(Func, Vec<CExpr>),
    /// `e round [up|down] to nearest of list`: one of the list's values.
    RoundOf(Box<CExpr>, RoundMode, Box<CExpr>),
    /// `list[i]`, counted from 1.
    Index(Box<CExpr>, Box<CExpr>),
    /// A banded lookup table: the row (a record of its columns) whose band holds the key.
    Table(Box<TableSpec>),
}

/// A checked `table`: the key, its bands and the cells of each row.
#[derive(Clone, Debug)]
pub struct TableSpec {
    /// The table's name.
    pub name: String,
    /// The value whose band picks the row.
    pub key: CExpr,
    /// The record type of a row (its fields are the columns).
    pub record: u32,
    /// The rows in order: the first whose band holds the key is used.
    pub rows: Vec<TableRowSpec>,
}

/// A checked row of a table.
#[derive(Clone, Debug)]
pub struct TableRowSpec {
    /// `row N` (counted from 1, as written) or `otherwise`, for the trace.
    pub id: Name,
    /// The band as written (`> 30 mL/min and <= 59 mL/min`), for the trace and errors.
    pub written: String,
    /// Where the band is written (the row's place for `otherwise`).
    pub band_span: Span,
    /// The lower end: (value, closed); `None` unbounded. Both `None` for `otherwise`.
    pub lower: Option<(CExpr, bool)>,
    /// The upper end: (value, closed); `None` unbounded.
    pub upper: Option<(CExpr, bool)>,
    /// `otherwise`: holds every key the rows above do not.
    pub otherwise: bool,
    /// The cells, one per column; `None` for `missing` (left blank on the label).
    pub cells: Vec<Option<CExpr>>,
    /// The label section the row comes from.
    pub source: Option<Name>,
    /// Where it is written.
    pub span: Span,
}

/// How often a dose is given.
#[derive(Clone, Debug)]
pub enum FrequencySpec {
    /// `N times daily`
    TimesDaily(CExpr),
    /// `every T`
    Every(CExpr),
}

/// A checked `give`.
#[derive(Clone, Debug)]
pub struct GiveSpec {
    /// Amount, rate or range.
    pub amount: CExpr,
    /// Form (bolus, tablet…).
    pub form: Option<Name>,
    /// Route.
    pub route: Option<Name>,
    /// Frequency.
    pub frequency: Option<FrequencySpec>,
    /// Over this time.
    pub over: Option<CExpr>,
    /// For this long.
    pub duration: Option<CExpr>,
}

/// A checked schedule.
#[derive(Clone, Debug)]
pub struct ScheduleSpec {
    /// First dose.
    pub from: CExpr,
    /// Frequency of each dose.
    pub frequency: Option<FrequencySpec>,
    /// Titration (true) or taper.
    pub increase: bool,
    /// Change per step.
    pub step: CExpr,
    /// Time per step.
    pub every: CExpr,
    /// Last dose (per dose or per day).
    pub until: Option<CExpr>,
    /// Date of day 1.
    pub starting: Option<CExpr>,
    /// Ends with stopping.
    pub then_stop: bool,
}

/// A checked schedule written step by step (`schedule 300 mg once daily for 1 day, then …`).
#[derive(Clone, Debug)]
pub struct SteppedSpec {
    /// The steps, in order; only the last has no duration.
    pub steps: Vec<SteppedStepSpec>,
    /// Date of day 1.
    pub starting: Option<CExpr>,
    /// Ends with stopping.
    pub then_stop: bool,
}

/// One checked step of a [`SteppedSpec`].
#[derive(Clone, Debug)]
pub struct SteppedStepSpec {
    /// The single dose.
    pub amount: CExpr,
    /// Its frequency.
    pub frequency: Option<FrequencySpec>,
    /// How long (a time, whole days at run time); `None` for a dose to continue.
    pub duration: Option<CExpr>,
    /// Where the step is written.
    pub span: Span,
}

/// A checked alternative of `choose { NAME: give …; … }`.
#[derive(Clone, Debug)]
pub struct AlternativeSpec {
    /// Its name.
    pub name: String,
    /// The dose it gives.
    pub give: GiveSpec,
}

/// Message severity, as in CDS Hooks cards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Informational.
    Info,
    /// A warning.
    Warning,
    /// Critical: act now.
    Critical,
}

/// A checked action.
#[derive(Clone, Debug)]
pub enum ActionSpec {
    /// Give a dose (boxed, like a schedule, to keep actions small).
    Give(Box<GiveSpec>),
    /// Give a schedule (boxed: it is much larger than the other actions).
    Schedule(Box<ScheduleSpec>),
    /// Give a schedule written step by step (boxed, like a schedule).
    Stepped(Box<SteppedSpec>),
    /// Offer alternatives, one of which the clinician chooses.
    Choose(Vec<AlternativeSpec>),
    /// Hold, with the reason (`{value}`s filled in when given).
    Hold(Vec<TextPart>),
    /// Stop, with reason.
    Stop(Vec<TextPart>),
    /// Refuse, with reason.
    Refuse(Vec<TextPart>),
    /// A message.
    Message {
        /// Severity.
        level: Level,
        /// Code.
        code: Name,
        /// Text, with `{name}` values filled in when the message is given (shared with the
        /// messages given, which write it out only when read: see `eval::Text`).
        text: std::sync::Arc<[TextPart]>,
    },
    /// Show these values in the decision: (name, value).
    Show(Vec<(Name, CExpr)>),
    /// Observe for a time or time range.
    Observe(CExpr),
    /// Wait before the next step.
    Wait(CExpr),
    /// Continue in phase (index) now.
    Goto(usize),
    /// The next phase (index), optionally after a time.
    Next(usize, Option<CExpr>),
}

/// A piece of a message text: literal text or a value to fill in.
#[derive(Clone, Debug)]
pub enum TextPart {
    /// Text as written (shared with the messages that quote it, see `eval::Text`).
    Literal(std::sync::Arc<str>),
    /// A `{name}` placeholder (boxed: an expression is much larger than a literal).
    Value(Box<CExpr>),
}

/// A checked `require`: a condition every patient's data must meet.
#[derive(Clone, Debug)]
pub struct RequireSpec {
    /// Unique id (`require N`).
    pub id: Name,
    /// The condition.
    pub condition: CExpr,
    /// Why, shown when the data does not meet it: as written (a `{value}` in braces).
    pub because: String,
    /// The same, in parts, with the `{value}`s to fill in when it is shown.
    pub reason: Vec<TextPart>,
    /// The label section.
    pub source: Option<Name>,
    /// The inputs the condition reads (their places in the patient file are labelled).
    pub reads: Vec<(String, Reference)>,
    /// Where it is written.
    pub span: Span,
}

impl RequireSpec {
    /// True when `text` can be this requirement's reason with its values filled in: its
    /// written pieces, in order, with anything in place of each value.
    pub fn reason_fits(&self, text: &str) -> bool {
        let mut rest = text;
        let mut anchored = true;
        for (i, part) in self.reason.iter().enumerate() {
            match part {
                TextPart::Literal(t) if anchored => match rest.strip_prefix(&**t) {
                    Some(r) => rest = r,
                    None => return false,
                },
                TextPart::Literal(t) => {
                    let last = i + 1 == self.reason.len();
                    let at = if last {
                        rest.rfind(&**t)
                    } else {
                        rest.find(&**t)
                    };
                    match at {
                        Some(at) => rest = &rest[at + t.len()..],
                        None => return false,
                    }
                    anchored = true;
                }
                TextPart::Value(_) => anchored = false,
            }
        }
        !anchored || rest.is_empty()
    }
}

/// A checked action with its place.
#[derive(Clone, Debug)]
pub struct ActionAt {
    /// The action.
    pub action: ActionSpec,
    /// Where it is written.
    pub span: Span,
}

/// A checked rule.
#[derive(Clone, Debug)]
pub struct RuleSpec {
    /// Unique id: `phase.rule` or `rule` for top-level rules.
    pub id: Name,
    /// Its condition (`None`: `otherwise`).
    pub when: Option<CExpr>,
    /// `always`.
    pub always: bool,
    /// The label section.
    pub source: Option<Name>,
    /// Its actions.
    pub actions: Vec<ActionAt>,
    /// Inputs and lets the condition reads, for the trace: (name, reference). The name is
    /// interned, so each trace entry that shows it holds a copy of a handle on it.
    pub reads: Vec<(Name, Reference)>,
    /// Where it is written.
    pub span: Span,
}

/// A name a condition reads, shown in the trace with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reference {
    /// An input slot.
    Input(usize),
    /// A let slot.
    Let(usize),
}

/// A checked decision block.
#[derive(Clone, Debug)]
pub struct DecideSpec {
    /// Hit policy.
    pub policy: HitPolicy,
    /// Rules in order.
    pub rules: Vec<RuleSpec>,
}

/// A checked proposal rule.
#[derive(Clone, Debug)]
pub struct ProposalRuleSpec {
    /// Unique id.
    pub id: Name,
    /// `None`: refuse-when; `Some(range)`: allow.
    pub allow: Option<CExpr>,
    /// When it applies.
    pub when: Option<CExpr>,
    /// Why, with `{value}`s filled in when it is given.
    pub because: Vec<TextPart>,
    /// Label section.
    pub source: Option<Name>,
}

/// A checked proposal block.
#[derive(Clone, Debug)]
pub struct ProposalSpec {
    /// The input slot holding the proposed dose.
    pub input: usize,
    /// How often it would be given.
    pub frequency: Option<FrequencySpec>,
    /// Rules in order.
    pub rules: Vec<ProposalRuleSpec>,
}

/// A checked phase.
#[derive(Clone, Debug)]
pub struct PhaseSpec {
    /// Its name.
    pub name: Name,
    /// Its decision blocks.
    pub decides: Vec<DecideSpec>,
    /// Its proposal blocks, each on its own input, in file order.
    pub proposals: Vec<ProposalSpec>,
    /// Where it is declared: `phase NAME`, for a diagnostic about the phase as a whole.
    pub span: Span,
}

/// What a limit bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitTarget {
    /// Every single administered amount.
    Dose,
    /// Every bolus.
    Bolus,
    /// The total per day.
    Daily,
}

impl LimitTarget {
    /// As written.
    pub fn word(self) -> &'static str {
        match self {
            LimitTarget::Dose => "dose",
            LimitTarget::Bolus => "bolus",
            LimitTarget::Daily => "daily",
        }
    }
}

/// A checked limit.
#[derive(Clone, Debug)]
pub struct LimitSpec {
    /// Unique id (`limit N` or from the target).
    pub id: Name,
    /// What it bounds.
    pub target: LimitTarget,
    /// The comparison every dose must satisfy.
    pub op: CmpOp,
    /// The bound.
    pub value: CExpr,
    /// Hard (refuse) or soft (warn).
    pub hard: bool,
    /// Only when this holds.
    pub when: Option<CExpr>,
    /// Why: as written (a `{value}` in braces).
    pub because: Option<String>,
    /// The same, in parts, with the `{value}`s to fill in when a dose breaks the limit (empty
    /// without a `because`).
    pub reason: Vec<TextPart>,
    /// Label section.
    pub source: Option<Name>,
    /// Where it is written.
    pub span: Span,
}

/// A checked protocol, ready to evaluate.
#[derive(Clone, Debug)]
pub struct Program {
    /// Header lines.
    pub header: Header,
    /// The protocol text, for run-time diagnostics.
    pub source: Source,
    /// Inputs by slot.
    pub inputs: Vec<InputSpec>,
    /// Record types by id.
    pub records: Vec<RecordSpec>,
    /// Enum types by id.
    pub enums: Vec<EnumSpec>,
    /// Lets by slot (top-level and phase-local).
    pub lets: Vec<LetSpec>,
    /// Limits.
    pub limits: Vec<LimitSpec>,
    /// Conditions on the patient's data.
    pub requires: Vec<RequireSpec>,
    /// Which phase applies (an enum whose values name phases).
    pub begin: Option<CExpr>,
    /// For each value of the begin enum, the phase index.
    pub begin_phases: Vec<Option<usize>>,
    /// For each phase, the first value of the begin enum that names it (the inverse of
    /// [`Program::begin_phases`]), worked out once: the gate looks it up for every patient.
    pub begin_choice_of_phase: Vec<Option<usize>>,
    /// Decision blocks that apply in every phase.
    pub global: Vec<DecideSpec>,
    /// Phases.
    pub phases: Vec<PhaseSpec>,
    /// The examples, checked, for `posology test`.
    pub examples: Vec<ExampleSpec>,
    /// Input name → slot and phase name → index, kept as inputs and phases are declared: a
    /// patient file names each of its fields, and a scan per name would make reading one
    /// quadratic in the number of inputs.
    pub(crate) names: NameIndex,
}

/// The lookup tables of a [`Program`]'s names.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    /// Input name → slot.
    pub inputs: foldhash::HashMap<String, usize>,
    /// Phase name → index.
    pub phases: foldhash::HashMap<String, usize>,
}

impl Program {
    /// How an input's kind is written in a protocol, for lists of inputs and for comparing two
    /// protocols' inputs: "mcg/day", "spinal | cerebral", "count", "list of {dose: mcg}".
    pub fn kind_of(&self, ty: &Type, whole: bool) -> String {
        match ty {
            Type::Num(_) if whole => "count".into(),
            Type::Num(u) if u.is_none() => "number".into(),
            Type::Num(u) => u.to_string(),
            Type::Bool => "true/false".into(),
            Type::Text => "text".into(),
            Type::Enum(id) => self
                .enums
                .get(*id as usize)
                .map(|e| e.values.join(" | "))
                .unwrap_or_default(),
            Type::Date => "date".into(),
            Type::List(inner) => format!("list of {}", self.kind_of(inner, false)),
            Type::Record(id) => {
                let fields: Vec<String> = self
                    .records
                    .get(*id as usize)
                    .map(|r| r.fields.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|f| format!("{}: {}", f.name, self.kind_of(&f.ty, f.whole)))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }
            Type::Range(inner) => format!("range of {}", self.kind_of(inner, false)),
            Type::EmptyList | Type::Error => "?".into(),
        }
    }

    /// The input slot of a name.
    pub fn input_slot(&self, name: &str) -> Option<usize> {
        self.names.inputs.get(name).copied()
    }

    /// The phase index of a name.
    pub fn phase_index(&self, name: &str) -> Option<usize> {
        self.names.phases.get(name).copied()
    }

    /// Every rule id, in file order: for coverage reports.
    pub fn rule_ids(&self) -> Vec<String> {
        let phases = self.phases.iter().flat_map(|p| &p.decides);
        self.global
            .iter()
            .chain(phases)
            .flat_map(|d| d.rules.iter().map(|r| r.id.to_string()))
            .collect()
    }

    /// Every alternative's id (`RULE.NAME`), in file order: for coverage reports.
    pub fn alternative_ids(&self) -> Vec<String> {
        let phases = self.phases.iter().flat_map(|p| &p.decides);
        let mut ids = Vec::new();
        for rule in self.global.iter().chain(phases).flat_map(|d| &d.rules) {
            for a in &rule.actions {
                if let ActionSpec::Choose(alts) = &a.action {
                    ids.extend(alts.iter().map(|alt| format!("{}.{}", rule.id, alt.name)));
                }
            }
        }
        ids
    }

    /// Every rule, proposal rule, alternative, limit and requirement id: what coverage counts.
    pub fn coverable_ids(&self) -> Vec<String> {
        let mut ids = self.rule_ids();
        ids.extend(self.alternative_ids());
        for p in &self.phases {
            for proposal in &p.proposals {
                ids.extend(proposal.rules.iter().map(|r| r.id.to_string()));
            }
        }
        ids.extend(self.limits.iter().map(|l| l.id.to_string()));
        ids.extend(self.requires.iter().map(|r| r.id.to_string()));
        ids.extend(self.table_row_ids());
        ids
    }

    /// Every row of every table (`table renal row 2`, `table renal otherwise`): a row no
    /// example or case reads is a row of the label nobody has checked against it.
    pub fn table_row_ids(&self) -> Vec<String> {
        self.lets
            .iter()
            .filter_map(|l| match &l.expr.kind {
                CExprKind::Table(t) => Some(t),
                _ => None,
            })
            .flat_map(|t| t.rows.iter().map(|r| format!("table {} {}", t.name, r.id)))
            .collect()
    }
}

impl Program {
    /// The name of value `index` of enum `id`, as [`EnumNames::enum_value_name`] gives it.
    pub fn enum_value(&self, id: u32, index: u32) -> &Name {
        static UNKNOWN: Name = Name::from_static("?");
        self.enums
            .get(id as usize)
            .and_then(|e| e.name(index as usize))
            .unwrap_or(&UNKNOWN)
    }
}

impl EnumNames for Program {
    fn enum_value_name(&self, id: u32, index: u32) -> &str {
        self.enums
            .get(id as usize)
            .and_then(|e| e.values.get(index as usize))
            .map_or("?", String::as_str)
    }

    fn record_field_name(&self, id: u32, index: u32) -> &str {
        self.records
            .get(id as usize)
            .and_then(|r| r.fields.get(index as usize))
            .map_or("?", |f| f.name.as_str())
    }
}

/// A checked example.
#[derive(Clone, Debug)]
pub struct ExampleSpec {
    /// Its name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// The values the example writes, by input slot, in the order written. Only these are
    /// kept: a protocol may have thousands of inputs and thousands of examples, and a full
    /// patient per example would hold their product. [`ExampleSpec::patient`] fills in the rest.
    pub given: Vec<(usize, Value)>,
    /// What the decision must show.
    pub expects: Vec<ExpectSpec>,
}

impl ExampleSpec {
    /// The example's patient by input slot, as the evaluator reads it: the values written, each
    /// other input's default, and `Missing` for the rest.
    pub fn patient(&self, program: &Program) -> Vec<Value> {
        let mut values: Vec<Value> = program
            .inputs
            .iter()
            .map(|i| i.default.clone().unwrap_or(Value::Missing))
            .collect();
        for (slot, v) in &self.given {
            if let Some(place) = values.get_mut(*slot) {
                *place = v.clone();
            }
        }
        values
    }
}

/// A checked expectation.
#[derive(Clone, Debug)]
pub struct ExpectSpec {
    /// What is expected.
    pub kind: ExpectSpecKind,
    /// Where it is written.
    pub span: Span,
    /// As written, for reports.
    pub text: String,
}

/// The kinds of checked expectation.
#[derive(Clone, Debug)]
pub enum ExpectSpecKind {
    /// The decision's status.
    Status(String),
    /// A dose of the decision: with the example's other `expect give` lines, every dose.
    Give(GiveExpect),
    /// The decision's total per day (a single value or a range).
    Daily(Value),
    /// The per-dose amounts of the schedule's steps, each with its frequency when written.
    Schedule(Vec<StepExpect>),
    /// A message containing the text: critical (true) or warning level.
    Warn {
        /// Critical level (true) or warning level.
        critical: bool,
        /// The text the message contains.
        text: String,
    },
    /// An info message containing the text.
    Note(String),
    /// Status stop, with the reason containing the text.
    Stop(Option<String>),
    /// The proposal is allowed (true) or refused, and the allowed range shown, when written;
    /// the proposal on this input, when named (else the first).
    Proposal(bool, Option<Value>, Option<String>),
    /// The deciding phase.
    Phase(usize),
    /// A condition over the example's inputs and lets (not the decision).
    GivenThat(CExpr),
    /// A hypothetical dose for the example's patient, held against the protocol's hard limits:
    /// refused (true) or allowed.
    Limit {
        /// `refuses` (true) or `allows`.
        refuses: bool,
        /// The dose, rate or range.
        amount: Value,
        /// How often it would be given.
        frequency: Option<FrequencySpec>,
    },
    /// The patient data fails a `require` (whose reason contains the text, if given).
    Rejected(Option<String>),
    /// The alternative of this name is offered with this dose (`Some`), or shown refused.
    Alternative(String, Option<GiveExpect>),
}

/// One step of a checked `expect schedule` list.
#[derive(Clone, Debug)]
pub struct StepExpect {
    /// The step's single dose.
    pub dose: Quantity,
    /// Its frequency, checked only when written.
    pub frequency: Option<FrequencySpec>,
}

/// A checked `expect give` line.
#[derive(Clone, Debug)]
pub struct GiveExpect {
    /// The amount: a single value or a range.
    pub amount: Value,
    /// The form word, checked when written.
    pub form: Option<String>,
    /// The route, checked when written.
    pub route: Option<String>,
    /// The frequency; `None` means the dose has none.
    pub frequency: Option<FrequencySpec>,
    /// Membership only: the decision gives this dose among others, whatever its status.
    pub among: bool,
}
