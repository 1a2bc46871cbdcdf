//! The protocol as written: a tree in which every node keeps the span of its text, so that any
//! later stage can point at the exact place of a mistake. Nothing here is resolved or checked.

use crate::diagnostics::Span;

// The operators live in `crate::ops`, shared by every layer; re-exported so that a tree is
// spelt `ast::BinaryOp::Add` as before.
pub use crate::ops::{BinaryOp, CmpOp, HitPolicy, IsTest, RoundMode, UnaryOp};

/// The built-in function that `value(EXPR in UNIT)` is read as (`value(EXPR, 1 UNIT)`): the
/// plain number of that unit in the quantity.
pub const VALUE_FUNCTION: &str = "value";

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A quoted text as written (quotes removed, escapes resolved).
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// The text.
    pub value: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A whole protocol file.
#[derive(Clone, Debug, PartialEq)]
pub struct Protocol {
    /// The name after `protocol`.
    pub name: Ident,
    /// `title`, `version`, `source`, `drug`, `route` lines.
    pub headers: Vec<Header>,
    /// The declared patient inputs.
    pub inputs: Vec<InputDecl>,
    /// Top-level `let` values.
    pub lets: Vec<Let>,
    /// `limit` lines.
    pub limits: Vec<Limit>,
    /// `require` lines: conditions every patient's data must meet.
    pub requires: Vec<Require>,
    /// `begin at EXPR`: which phase applies to a patient.
    pub begin: Option<Expr>,
    /// Top-level decision blocks: apply in every phase.
    pub decides: Vec<Decide>,
    /// The phases, in file order.
    pub phases: Vec<Phase>,
    /// Worked examples run by `posology test`.
    pub examples: Vec<Example>,
    /// The whole protocol.
    pub span: Span,
}

/// Which header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderKey {
    /// `title "…"`
    Title,
    /// `version "…"`
    Version,
    /// `source "…"` (label and section)
    Source,
    /// `drug "…"`
    Drug,
    /// `route "…"` (default route for every `give`)
    Route,
}

impl HeaderKey {
    /// The keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            HeaderKey::Title => "title",
            HeaderKey::Version => "version",
            HeaderKey::Source => "source",
            HeaderKey::Drug => "drug",
            HeaderKey::Route => "route",
        }
    }
}

/// One header line.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Which line.
    pub key: HeaderKey,
    /// The keyword's place.
    pub key_span: Span,
    /// Its text.
    pub value: Text,
}

/// A declared input (or a field of a record input).
#[derive(Clone, Debug, PartialEq)]
pub struct InputDecl {
    /// The input's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Where `optional` is written, if it is.
    pub optional: Option<Span>,
    /// The default value, if any.
    pub default: Option<Value>,
    /// The allowed range (`in a..b`), if any.
    pub range: Option<Expr>,
    /// Declared equivalences to units of another kind (`convert 1 mg/dL = 88.42 micromol/L`).
    pub convert: Vec<Conversion>,
    /// The whole declaration.
    pub span: Span,
}

/// `convert A = B` on an input: a value written in B's kind is read as A's, exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    /// The side in the input's own kind (`1 mg/dL`).
    pub left: Expr,
    /// The side in another kind (`88.42 micromol/L`).
    pub right: Expr,
    /// The whole `convert …`.
    pub span: Span,
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// What kind of type.
    pub kind: TypeExprKind,
    /// Where.
    pub span: Span,
}

/// The kinds of written type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// A unit (`mg`, `mcg/day`) or a base type name (`bool`, `text`, `date`, `count`, `number`).
    Named(String),
    /// `a | b | c`
    Enum(Vec<Ident>),
    /// `list of T`
    List(Box<TypeExpr>),
    /// `{ field: T, … }`
    Record(Vec<InputDecl>),
}

/// `let name [: unit] = expr`
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    /// The value's name.
    pub name: Ident,
    /// The declared unit or type, if written.
    pub ty: Option<TypeExpr>,
    /// Its definition.
    pub expr: Expr,
    /// The whole line.
    pub span: Span,
}

/// `limit TARGET OP VALUE hard|soft [when …] [because "…"] [source "…"]`
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    /// What is limited: `dose`, `bolus` or `daily`.
    pub target: Ident,
    /// The comparison every dose must satisfy.
    pub op: CmpOp,
    /// The bound.
    pub value: Expr,
    /// Hard (refuse) or soft (warn).
    pub hard: bool,
    /// Only when this holds.
    pub when: Option<Expr>,
    /// Why, shown when the limit acts.
    pub because: Option<Text>,
    /// Label section the limit comes from.
    pub source: Option<Text>,
    /// The whole line.
    pub span: Span,
}

/// `require COND because "…" [source "…"]`
#[derive(Clone, Debug, PartialEq)]
pub struct Require {
    /// The condition the patient's data must meet.
    pub condition: Expr,
    /// Why, shown when the data does not meet it.
    pub because: Text,
    /// The label section.
    pub source: Option<Text>,
    /// The whole line.
    pub span: Span,
}

/// `phase NAME { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    /// The phase's name.
    pub name: Ident,
    /// Values local to the phase.
    pub lets: Vec<Let>,
    /// Its decision blocks, in order.
    pub decides: Vec<Decide>,
    /// Its proposal checks.
    pub proposals: Vec<Proposal>,
    /// The whole block.
    pub span: Span,
}

/// `decide first|collect { rules }`
#[derive(Clone, Debug, PartialEq)]
pub struct Decide {
    /// How many rules may fire.
    pub policy: HitPolicy,
    /// The rules, in order.
    pub rules: Vec<Rule>,
    /// The whole block.
    pub span: Span,
}

/// `[name:] when COND [source "…"] => actions` or `otherwise => actions`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The rule's name, if given.
    pub name: Option<Ident>,
    /// The condition; `None` for `otherwise` and `always`.
    pub when: Option<Expr>,
    /// `always`: fires whatever the patient data (for notes that apply to everyone).
    pub always: bool,
    /// Where `when …`/`otherwise` is written.
    pub head_span: Span,
    /// The label section the rule comes from.
    pub source: Option<Text>,
    /// What to do when it fires.
    pub actions: Vec<Action>,
    /// The whole rule.
    pub span: Span,
}

/// One action of a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// Which action.
    pub kind: ActionKind,
    /// Where.
    pub span: Span,
}

/// The actions a rule can take.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// Give a dose.
    Give(Give),
    /// Give a titration or taper schedule.
    Schedule(Schedule),
    /// Give a schedule written step by step, each step with its own dose and frequency.
    Stepped(Stepped),
    /// Offer named alternative doses, one of which the clinician chooses.
    Choose(Vec<Alternative>),
    /// Hold the dose for now, with the reason.
    Hold(Text),
    /// End the pathway, with the reason.
    Stop(Text),
    /// Refuse, with the reason.
    Refuse(Text),
    /// A warning message.
    Warn {
        /// Critical rather than a plain warning.
        critical: bool,
        /// The message code, if written.
        code: Option<Ident>,
        /// The text.
        text: Text,
    },
    /// An informational message.
    Note {
        /// The message code, if written.
        code: Option<Ident>,
        /// The text.
        text: Text,
    },
    /// Observe the patient for a time or time range.
    Observe(Expr),
    /// Wait at least this long before the next step.
    Wait(Expr),
    /// Continue in another phase now.
    Goto(Ident),
    /// The phase that comes next, and optionally after how long.
    Next(Ident, Option<Expr>),
    /// Show these values (lets or inputs) in the decision.
    Show(Vec<Ident>),
}

/// `give AMOUNT [form] [route R] [frequency] [over T] [for T]`
#[derive(Clone, Debug, PartialEq)]
pub struct Give {
    /// The amount, rate or range.
    pub amount: Expr,
    /// `bolus`, `infusion`, `tablet`, …
    pub form: Option<Ident>,
    /// The route, if not the protocol's.
    pub route: Option<Ident>,
    /// How often.
    pub frequency: Option<Frequency>,
    /// Administered over this time.
    pub over: Option<Expr>,
    /// For this long.
    pub duration: Option<Expr>,
}

/// How often a dose is given.
#[derive(Clone, Debug, PartialEq)]
pub struct Frequency {
    /// Which form.
    pub kind: FrequencyKind,
    /// Where.
    pub span: Span,
}

/// The forms of a frequency.
#[derive(Clone, Debug, PartialEq)]
pub enum FrequencyKind {
    /// `N times daily`
    TimesDaily(Expr),
    /// `every T`
    Every(Expr),
}

/// `schedule from DOSE [freq] increase|decrease by STEP every T [until X] [starting DATE] [then stop]`
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// The first dose.
    pub from: Expr,
    /// How often each dose is given.
    pub frequency: Option<Frequency>,
    /// Titration (true) or taper (false).
    pub increase: bool,
    /// The change at each step.
    pub step: Expr,
    /// The time between steps.
    pub every: Expr,
    /// The last dose (per dose, or per day).
    pub until: Option<Expr>,
    /// The date of day 1, when known.
    pub starting: Option<Expr>,
    /// The schedule ends with stopping the drug.
    pub then_stop: bool,
}

/// One alternative of `choose { NAME: give …; … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Alternative {
    /// Its name (`once_daily`).
    pub name: Ident,
    /// The dose it gives.
    pub give: Give,
    /// The whole alternative.
    pub span: Span,
}

/// `schedule DOSE [freq] [for T], then DOSE [freq] [for T], … [starting DATE] [then stop]`:
/// a schedule as a label writes it, each step changing the dose, the frequency or both.
#[derive(Clone, Debug, PartialEq)]
pub struct Stepped {
    /// The steps, in order; only the last may go on without `for`.
    pub steps: Vec<SteppedStep>,
    /// The date of day 1, when known.
    pub starting: Option<Expr>,
    /// Where `then stop` is written, when the schedule ends with stopping the drug.
    pub then_stop: Option<Span>,
}

/// One step of a [`Stepped`] schedule: `300 mg twice daily for 1 day`.
#[derive(Clone, Debug, PartialEq)]
pub struct SteppedStep {
    /// The single dose.
    pub amount: Expr,
    /// How often it is given.
    pub frequency: Option<Frequency>,
    /// For how long (whole days); `None` for a dose to continue.
    pub duration: Option<Expr>,
    /// The whole step.
    pub span: Span,
}

/// `proposal INPUT [freq] { refuse when … because "…"; allow RANGE [when …] because "…" }`
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// The input that holds the proposed dose.
    pub input: Ident,
    /// How often the proposed dose would be given (for daily limits).
    pub frequency: Option<Frequency>,
    /// The rules, in order.
    pub rules: Vec<ProposalRule>,
    /// The whole block.
    pub span: Span,
}

/// One rule of a proposal block.
#[derive(Clone, Debug, PartialEq)]
pub struct ProposalRule {
    /// Refuse-when or allow.
    pub kind: ProposalRuleKind,
    /// When it applies (for `allow`, optional).
    pub when: Option<Expr>,
    /// Why.
    pub because: Text,
    /// The label section.
    pub source: Option<Text>,
    /// The whole rule.
    pub span: Span,
}

/// The kinds of proposal rule.
#[derive(Clone, Debug, PartialEq)]
pub enum ProposalRuleKind {
    /// Refuse the proposal when the condition holds.
    Refuse,
    /// Allow a proposal inside this range.
    Allow(Expr),
}

/// `example "name" { given { … } expect … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Its name.
    pub name: Text,
    /// The patient data.
    pub given: Value,
    /// What the decision must show.
    pub expects: Vec<Expect>,
    /// The whole block.
    pub span: Span,
}

/// A literal value in an example's `given` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// Which shape.
    pub kind: ValueKind,
    /// Where.
    pub span: Span,
}

/// The shapes of a literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// `{ name: value, … }`
    Record(Vec<(Ident, Value)>),
    /// `[ value, … ]`
    List(Vec<Value>),
    /// Any expression (a quantity, an enum value, a text…).
    Expr(Expr),
}

/// One `expect` line of an example.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// What is expected.
    pub kind: ExpectKind,
    /// Where.
    pub span: Span,
}

/// The kinds of expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// `expect status give|wait|stop|refused`
    Status(Ident),
    /// `expect give AMOUNT [form] [route R] [freq] [among]`: the `expect give` lines of an
    /// example together list every dose of the decision; with `among`, this dose is one of them.
    Give(ExpectGive),
    /// `expect daily AMOUNT` (the decision's total per day)
    Daily(Expr),
    /// `expect schedule [d1, d2, …]` (per-dose amounts of each step, each with its
    /// frequency when written: `[300 mg once daily, 300 mg twice daily]`)
    Schedule(Vec<ExpectStep>),
    /// `expect warn [critical] "text"` (a warning, or a critical message, containing the text)
    Warn {
        /// Critical (true) or warning level.
        critical: bool,
        /// The text the message contains.
        text: Text,
    },
    /// `expect note "text"`
    Note(Text),
    /// `expect stop ["reason"]`
    Stop(Option<Text>),
    /// `expect proposal [INPUT] allowed|refused [range A..B]` (the input names one proposal of
    /// a phase that judges several; none written: the first)
    Proposal(Option<Ident>, Ident, Option<Expr>),
    /// `expect phase NAME` (the phase that decided)
    Phase(Ident),
    /// `expect given that EXPR` (a condition over the example's inputs and lets)
    GivenThat(Expr),
    /// `expect that EXPR`: the old spelling of `given that`, refused by the checker.
    That(Expr),
    /// `expect limit refuses|allows DOSE [freq]` (a hypothetical dose held against the limits)
    Limit(Ident, Expr, Option<Frequency>),
    /// `expect rejected ["text"]`: the patient data fails a `require`.
    Rejected(Option<Text>),
    /// `expect alternative NAME give DOSE …` (offered, with this dose) or `expect alternative
    /// NAME refused` (`None`: shown, but held back by a hard limit).
    Alternative(Ident, Option<ExpectGive>),
}

/// One step of an `expect schedule` list.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectStep {
    /// The step's single dose.
    pub amount: Expr,
    /// Its frequency, when written (checked only then).
    pub frequency: Option<Frequency>,
    /// Where.
    pub span: Span,
}

/// An `expect give` line.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectGive {
    /// The dose, rate or range.
    pub amount: Expr,
    /// The form word, when written (checked only then).
    pub form: Option<Ident>,
    /// The route, when written (checked only then).
    pub route: Option<Ident>,
    /// The frequency; none written means the dose has none.
    pub frequency: Option<Frequency>,
    /// `among`: this dose is one of the decision's doses (membership only).
    pub among: bool,
}

/// An expression with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number, with its unit if written (`5 mg`, `3`, `110%`).
    Quantity {
        /// The digits as written.
        value: rust_decimal::Decimal,
        /// The unit as written, with its place.
        unit: Option<(String, Span)>,
    },
    /// `true` / `false`
    Bool(bool),
    /// A quoted text.
    Text(String),
    /// A name: an input, a `let`, an enum value, a record field.
    Name(String),
    /// `f(a, b)`
    Call(Ident, Vec<Expr>),
    /// `e.field`
    Field(Box<Expr>, Ident),
    /// `-e`, `not e`
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `e is missing` and friends.
    Is(Box<Expr>, IsTest),
    /// `e round [up|down] to step`
    Round(Box<Expr>, RoundMode, Box<Expr>),
    /// `e round [up|down] to nearest of list`: to one of the list's values (strengths).
    RoundOf(Box<Expr>, RoundMode, Box<Expr>),
    /// `list[i]`: the i-th item, counted from 1.
    Index(Box<Expr>, Box<Expr>),
    /// A banded lookup table (only as the definition of a `table` item, never written inside
    /// an expression): its value is the row whose band holds the key.
    Table(Box<Table>),
}

/// `table NAME by KEY { columns a, b; row BAND [source "…"] => cells; otherwise => cells }`
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The table's name (also the name of the `let` it defines).
    pub name: Ident,
    /// The value whose band picks the row (`crcl`).
    pub key: Expr,
    /// The column names, in order.
    pub columns: Vec<Ident>,
    /// The rows, in order; an `otherwise` row is last.
    pub rows: Vec<TableRow>,
    /// The whole `table … { … }`.
    pub span: Span,
}

/// One row of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// Its band of the key; `None` for `otherwise`.
    pub band: Option<Band>,
    /// The label section the row comes from.
    pub source: Option<Text>,
    /// Its cells, one per column; `None` for a cell written `missing` (blank on the label).
    pub cells: Vec<Option<Expr>>,
    /// The whole row.
    pub span: Span,
}

/// A band of a table's key: a lower and an upper end, each open or closed, either absent
/// (unbounded). `== v` is both ends closed at `v` (`exact`).
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// `>= v` (closed) or `> v` (open).
    pub lower: Option<Bound>,
    /// `<= v` (closed) or `< v` (open).
    pub upper: Option<Bound>,
    /// Written `== v`: `lower` and `upper` are the same closed bound.
    pub exact: bool,
    /// The band as written.
    pub span: Span,
}

/// One end of a band.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// The end's value.
    pub value: Expr,
    /// The end itself belongs to the band (`>=`, `<=`, `==`).
    pub closed: bool,
}

impl Expr {
    /// Moves every place in the expression `by` bytes later: an expression read from a piece
    /// of a text (a `{…}` in a message) then points into the whole text.
    pub fn shift(&mut self, by: usize) {
        self.span = self.span.shifted(by);
        match &mut self.kind {
            ExprKind::Quantity { unit, .. } => {
                if let Some((_, span)) = unit {
                    *span = span.shifted(by);
                }
            }
            ExprKind::Bool(_) | ExprKind::Text(_) | ExprKind::Name(_) => {}
            ExprKind::Call(name, args) => {
                name.span = name.span.shifted(by);
                args.iter_mut().for_each(|a| a.shift(by));
            }
            ExprKind::Field(e, field) => {
                e.shift(by);
                field.span = field.span.shifted(by);
            }
            ExprKind::Unary(_, e) | ExprKind::Is(e, _) => e.shift(by),
            ExprKind::Binary(_, a, b)
            | ExprKind::Round(a, _, b)
            | ExprKind::RoundOf(a, _, b)
            | ExprKind::Index(a, b) => {
                a.shift(by);
                b.shift(by);
            }
            // A table is an item, never part of a message's `{…}`.
            ExprKind::Table(_) => {}
            ExprKind::If(c, a, b) => {
                c.shift(by);
                a.shift(by);
                b.shift(by);
            }
            ExprKind::List(items) => items.iter_mut().for_each(|e| e.shift(by)),
        }
    }
}
