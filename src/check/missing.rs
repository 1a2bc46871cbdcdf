//! Which values may be missing, found before anything runs. An optional input without a
//! default may be absent; so may a record field declared optional, `first`, `last`, `min` or
//! `max` of a list that may be empty, a field of a value that may be missing, and a `let`
//! worked out from any of these. Using such a value where the evaluator needs one (in
//! arithmetic, a comparison, a condition, a dose, a frequency) without a guard would stop the
//! run with `posology::eval::missing`; here it is a check error instead
//! (`posology::check::maybe_missing`), labelling the use and where the value may go missing.
//!
//! The analysis follows the evaluator's order (flow-sensitive): what a guard proves holds where
//! the guard has been passed: the right side of `x is not missing and …`, of
//! `x is missing or …`, the branches of `if`, a rule's actions under its `when`, the later rules
//! of a `decide first` block after `when x is missing => …`, every place after a top-level
//! `require`, and a proposal's rules (which run only when a dose is proposed). A `let` is never
//! an error where it is written: a `let` that needs a value that may be missing may be missing
//! itself (the evaluator makes it so), and its unguarded *use* is the error. Anything the
//! analysis cannot prove present counts as maybe missing.
//!
//! Not analysed: limits (the safety gate decides a limit that reads a missing value fail
//! closed, see `eval::gate`), and values shown in messages and by `show` (a missing one reads
//! `missing`).

use std::collections::hash_map::Entry;

use foldhash::HashMap;

use super::{
    ActionSpec, CExpr, CExprKind, CheckError, Checker, DecideSpec, ExpectSpecKind, FrequencySpec,
    Func, Program, Type,
};
use crate::diagnostics::Span;
use crate::ops::{BinaryOp, HitPolicy, IsTest, UnaryOp};

/// A value a guard can speak of: an input, a `let`, a field of the list item being tested, a
/// field of one of these, or the first or last item of one of these.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Input(usize),
    Let(usize),
    /// A field of the list item `depth` scopes out.
    Item(usize, usize),
    Field(Box<Key>, usize),
    First(Box<Key>),
    Last(Box<Key>),
}

impl Key {
    /// The key of `e`, when `e` is a value a guard can name.
    fn of(e: &CExpr) -> Option<Key> {
        Some(match &e.kind {
            CExprKind::Input(slot) => Key::Input(*slot),
            CExprKind::Let(slot) => Key::Let(*slot),
            CExprKind::Item { depth, field } => Key::Item(*depth, *field),
            CExprKind::Field(base, field) => Key::Field(Box::new(Key::of(base)?), *field),
            CExprKind::Call(Func::First, args) if args.len() == 1 => {
                Key::First(Box::new(Key::of(&args[0])?))
            }
            CExprKind::Call(Func::Last, args) if args.len() == 1 => {
                Key::Last(Box::new(Key::of(&args[0])?))
            }
            _ => return None,
        })
    }

    /// True when the key reads a list item (its meaning changes with the item scope).
    fn reads_item(&self) -> bool {
        match self {
            Key::Input(_) | Key::Let(_) => false,
            Key::Item(..) => true,
            Key::Field(k, _) | Key::First(k) | Key::Last(k) => k.reads_item(),
        }
    }
}

/// What a guard proves.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Fact {
    /// The value is there.
    Present(Key),
    /// The list is there and has an item.
    NonEmpty(Key),
    /// The value is not there (what `x is missing` proves; it proves nothing is present, but a
    /// later rule's guard may rely on it, see [`Analysis::false_given`]).
    Absent(Key),
}

/// Why a value may be missing: where it goes missing.
#[derive(Clone, Debug)]
enum Why {
    /// An optional input without a default.
    Input(usize),
    /// A record field declared optional, without a default.
    Field { record: u32, field: usize },
    /// `first`, `last`, `min` or `max` (written at the span) of a list (at `list`) that may be
    /// empty.
    Empty {
        call: Span,
        list: Span,
        func: &'static str,
    },
}

type Maybe = Option<Why>;

/// Whether a value that is needed and may be missing is reported (in rules, conditions,
/// actions) or makes the value being worked out missing in turn (in a `let`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Report,
    Absorb,
}

/// The facts in force, as a multiset with an undo log (guards nest; facts are taken back when
/// the guarded part ends).
#[derive(Default)]
struct Facts {
    count: HashMap<Fact, u32>,
    log: Vec<Fact>,
}

impl Facts {
    fn holds(&self, f: &Fact) -> bool {
        self.count.get(f).is_some_and(|&n| n > 0)
    }

    fn present(&self, k: &Key) -> bool {
        self.holds(&Fact::Present(k.clone()))
    }

    fn add(&mut self, facts: impl IntoIterator<Item = Fact>) {
        for f in facts {
            with_bases(f, |f| self.add_one(f));
        }
    }

    /// Adds one fact (not what it implies).
    fn add_one(&mut self, f: Fact) {
        *self.count.entry(f.clone()).or_insert(0) += 1;
        self.log.push(f);
    }

    fn mark(&self) -> usize {
        self.log.len()
    }

    fn undo(&mut self, mark: usize) {
        while self.log.len() > mark {
            if let Some(f) = self.log.pop() {
                if let Entry::Occupied(mut n) = self.count.entry(f) {
                    *n.get_mut() -= 1;
                    if *n.get() == 0 {
                        n.remove();
                    }
                }
            }
        }
    }

    /// The facts that do not read a list item, sorted: what a `let` may rely on (a `let` is
    /// worked out outside any list walk). Sorted, the same facts make the same list, whatever
    /// order they were added in (a memo key).
    fn outside_items(&self) -> Vec<Fact> {
        let mut out: Vec<Fact> = self
            .count
            .iter()
            .filter(|(f, &n)| n > 0 && !fact_key(f).reads_item())
            .map(|(f, _)| f.clone())
            .collect();
        out.sort_unstable();
        out
    }
}

/// Where [`Analysis::strict_into`] puts the values it finds: a list of them, or of facts that
/// each is present (without a list of keys first).
trait Strict {
    fn put(&mut self, k: Key);
    fn put_all(&mut self, keys: &[Key]);
}

impl Strict for Vec<Key> {
    fn put(&mut self, k: Key) {
        self.push(k);
    }

    fn put_all(&mut self, keys: &[Key]) {
        self.extend_from_slice(keys);
    }
}

impl Strict for Vec<Fact> {
    fn put(&mut self, k: Key) {
        self.push(Fact::Present(k));
    }

    fn put_all(&mut self, keys: &[Key]) {
        self.extend(keys.iter().cloned().map(Fact::Present));
    }
}

fn fact_key(f: &Fact) -> &Key {
    match f {
        Fact::Present(k) | Fact::NonEmpty(k) | Fact::Absent(k) => k,
    }
}

/// A fact and what it implies, each given to `out` (what it implies first): a field, or the
/// first or last item, of a value that is missing is missing too, so when one is there, so is
/// the value it comes from.
fn with_bases(f: Fact, mut out: impl FnMut(Fact)) {
    if let Fact::Present(k) = &f {
        let mut k = k;
        while let Key::Field(base, _) | Key::First(base) | Key::Last(base) = k {
            out(Fact::Present((**base).clone()));
            if !matches!(k, Key::Field(..)) {
                out(Fact::NonEmpty((**base).clone()));
            }
            k = base;
        }
    }
    out(f);
}

/// The facts a `let`'s memo may be keyed by before it is worked out without them (a hostile
/// protocol may guard thousands of values at once).
const MEMO_FACTS: usize = 64;

/// How many earlier rules of a `decide first` block are read again with a later rule's guard
/// in force (reading every one would be quadratic in a block of thousands of rules).
const CONTEXT_RULES: usize = 32;

/// The steps all readings of earlier rules may take in one protocol (a hostile protocol may
/// have thousands of rules with large conditions).
const CONTEXT_STEPS: u64 = 2_000_000;

/// An earlier rule's condition, false where a later rule of its `decide first` block is tried.
#[derive(Clone, Copy)]
struct Prior<'p> {
    condition: &'p CExpr,
    /// When what its being false proves does not depend on the facts in force (see
    /// [`context_free`]), the steps reading it again takes: those facts were added when its rule
    /// was passed and are in force until the block ends, so reading it again adds nothing, and
    /// only its steps are counted (so the step budget runs out exactly where it did when it was
    /// read every time).
    steps: Option<u64>,
}

/// A value that may be missing, used where one is needed.
struct Use {
    span: Span,
    why: Why,
    /// The `let` used, when the use is one (its definition is labelled too).
    via: Option<usize>,
}

/// The earlier rules of the `decide first` block being read, with what counting the steps of
/// those known to add nothing new needs (see [`Analysis::recontext`]).
#[derive(Default)]
struct Earlier<'p> {
    priors: Vec<Prior<'p>>,
    /// For each prior, and past the last, the steps of the known priors before it (`steps` not
    /// `None`): those of a run of them are the difference of two.
    known_before: Vec<u64>,
    /// The priors whose steps are not known, in order.
    unknown: Vec<usize>,
}

impl<'p> Earlier<'p> {
    fn push(&mut self, condition: &'p CExpr) {
        if self.known_before.is_empty() {
            self.known_before.push(0);
        }
        let total = self.known_before.last().copied().unwrap_or(0);
        self.unknown.push(self.priors.len());
        self.priors.push(Prior {
            condition,
            steps: None,
        });
        self.known_before.push(total);
    }

    /// The steps of the known priors from `start` up to (not including) `end`.
    fn known_steps(&self, start: usize, end: usize) -> u64 {
        let at = |i: usize| self.known_before.get(i).copied().unwrap_or(0);
        at(end).saturating_sub(at(start))
    }

    /// Notes the steps reading prior `i` takes (once known, it is not read again).
    fn known(&mut self, i: usize, steps: u64) {
        let Some(prior) = self.priors.get_mut(i) else {
            return;
        };
        if prior.steps.is_some() {
            return;
        }
        prior.steps = Some(steps);
        if let Ok(u) = self.unknown.binary_search(&i) {
            self.unknown.remove(u);
        }
        for total in self.known_before.iter_mut().skip(i + 1) {
            *total = total.saturating_add(steps);
        }
    }
}

/// The analysis of one program.
struct Analysis<'p> {
    program: &'p Program,
    facts: Facts,
    /// The record type of each list item scope (innermost last), `None` when not records.
    items: Vec<Option<u32>>,
    /// Each `let` worked out under the facts (sorted) in force: whether it may be missing.
    lets: HashMap<(usize, Vec<Fact>), Maybe>,
    let_truth: HashMap<(usize, bool), Vec<Fact>>,
    found: Vec<Use>,
    /// The conditions of the earlier rules of the `decide first` block being read, each false
    /// where a later rule is tried.
    earlier: Earlier<'p>,
    /// [`Analysis::strict`] of each `let` worked out so far.
    strict_lets: HashMap<usize, Vec<Key>>,
    /// Steps left for reading earlier rules again ([`Analysis::recontext`]): past them, the
    /// analysis goes on without (it only knows less, so it refuses more, never less).
    context_steps: u64,
    /// Whether an earlier rule whose reading adds nothing new is skipped (always, but in the
    /// test that holds the analysis to reading every one).
    skip_known: bool,
    /// Emptied vectors of facts and of keys, reused: what a condition proves is worked out
    /// several times for each rule, and a fresh vector each time was a third of the analysis
    /// of a protocol of a thousand rules.
    fact_bufs: Vec<Vec<Fact>>,
    key_bufs: Vec<Vec<Key>>,
}

impl<'p> Analysis<'p> {
    fn new(program: &'p Program) -> Self {
        Analysis {
            program,
            facts: Facts::default(),
            items: Vec::new(),
            lets: HashMap::default(),
            let_truth: HashMap::default(),
            found: Vec::new(),
            earlier: Earlier::default(),
            context_steps: CONTEXT_STEPS,
            strict_lets: HashMap::default(),
            skip_known: true,
            fact_bufs: Vec::new(),
            key_bufs: Vec::new(),
        }
    }

    /// An empty vector of facts (one given back, when there is one).
    fn fact_buf(&mut self) -> Vec<Fact> {
        self.fact_bufs.pop().unwrap_or_default()
    }

    /// Gives a vector of facts back for reuse.
    fn recycle(&mut self, mut facts: Vec<Fact>) {
        facts.clear();
        self.fact_bufs.push(facts);
    }

    /// An empty vector of keys (one given back, when there is one).
    fn key_buf(&mut self) -> Vec<Key> {
        self.key_bufs.pop().unwrap_or_default()
    }

    /// Gives a vector of keys back for reuse.
    fn recycle_keys(&mut self, mut keys: Vec<Key>) {
        keys.clear();
        self.key_bufs.push(keys);
    }

    /// Puts `facts` (and what they imply) in force, until undone.
    fn assume(&mut self, mut facts: Vec<Fact>) {
        self.facts.add(facts.drain(..));
        self.recycle(facts);
    }

    /// Works out `e` where its value is needed.
    fn need(&mut self, e: &CExpr, mode: Mode) -> Maybe {
        let m = self.walk(e, mode);
        match (m, mode) {
            (Some(why), Mode::Report) => {
                let via = match e.kind {
                    CExprKind::Let(slot) => Some(slot),
                    _ => None,
                };
                self.found.push(Use {
                    span: e.span,
                    why,
                    via,
                });
                None
            }
            (m, _) => m,
        }
    }

    /// Works out `e` with `facts` added, then takes them back.
    fn under(&mut self, facts: Vec<Fact>, e: &CExpr, mode: Mode, needed: bool) -> Maybe {
        let mark = self.facts.mark();
        self.assume(facts);
        let m = if needed {
            self.need(e, mode)
        } else {
            self.walk(e, mode)
        };
        self.facts.undo(mark);
        m
    }

    /// Whether `e`'s value may be missing (`Some`, with why); reports (or, in a `let`,
    /// absorbs) every value inside it that is needed and may be missing.
    fn walk(&mut self, e: &CExpr, mode: Mode) -> Maybe {
        if let Some(k) = Key::of(e) {
            if self.facts.present(&k) {
                // Still walked for what it needs inside (a field's base, a list).
                let _ = self.walk_kind(e, mode);
                return None;
            }
        }
        self.walk_kind(e, mode)
    }

    /// [`Analysis::walk`] by the kind of expression, each as the evaluator reads it
    /// (`eval::expr`): which operands it needs, and whether its value may be missing.
    // Long on purpose: one arm per expression kind.
    fn walk_kind(&mut self, e: &CExpr, mode: Mode) -> Maybe {
        match &e.kind {
            CExprKind::Const(_) => None,
            CExprKind::Input(slot) => {
                let i = self.program.inputs.get(*slot)?;
                (i.optional && i.default.is_none()).then_some(Why::Input(*slot))
            }
            CExprKind::Let(slot) => self.let_maybe(*slot),
            CExprKind::Item { depth, field } => {
                let scope = self.items.len().checked_sub(depth + 1)?;
                let record = (*self.items.get(scope)?)?;
                self.optional_field(record, *field)
            }
            CExprKind::Field(base, field) => {
                let m = self.walk(base, mode);
                let record = match base.ty {
                    Type::Record(id) => Some(id),
                    _ => None,
                };
                m.or_else(|| record.and_then(|r| self.optional_field(r, *field)))
            }
            CExprKind::Project(base, _) => self.walk(base, mode),
            CExprKind::Unary(UnaryOp::Not, a) => self.need(a, mode),
            CExprKind::Unary(UnaryOp::Neg, a) => self.need(a, mode),
            CExprKind::Binary(BinaryOp::And, a, b) => {
                let m = self.need(a, mode);
                let mark = self.facts.mark();
                let facts = self.when_true(a);
                self.assume(facts);
                self.recontext();
                let mb = self.need(b, mode);
                self.facts.undo(mark);
                m.or(mb)
            }
            CExprKind::Binary(BinaryOp::Or, a, b) => {
                let m = self.need(a, mode);
                let facts = self.when_false(a);
                m.or(self.under(facts, b, mode, true))
            }
            CExprKind::Binary(BinaryOp::Eq | BinaryOp::Ne, a, b) => {
                // A missing value equals nothing: `==` and `!=` do not need their operands.
                let _ = self.walk(a, mode);
                let _ = self.walk(b, mode);
                None
            }
            CExprKind::Binary(_, a, b) | CExprKind::Round(a, _, b) => {
                let m = self.need(a, mode);
                m.or(self.need(b, mode))
            }
            CExprKind::If(c, a, b) => {
                let m = self.need(c, mode);
                let (yes, no) = (self.when_true(c), self.when_false(c));
                let ma = self.under(yes, a, mode, false);
                let mb = self.under(no, b, mode, false);
                m.or(ma).or(mb)
            }
            CExprKind::List(items) => {
                // A missing item would be skipped by `sum`, `min` and `max`: each is needed.
                let mut m = None;
                for item in items {
                    m = m.or(self.need(item, mode));
                }
                m
            }
            CExprKind::Is(x, _) => {
                let _ = self.walk(x, mode);
                None
            }
            CExprKind::Call(func, args) => self.call(*func, args, e.span, mode),
            // A strength or an index out of range is an error of its own, never a missing value.
            CExprKind::RoundOf(a, _, b) | CExprKind::Index(a, b) => {
                let m = self.need(a, mode);
                m.or(self.need(b, mode))
            }
            // The key picks the row and every band end and cell may be read: each is needed.
            // A blank cell makes its column optional in the row's record (see `check::table`).
            CExprKind::Table(table) => {
                let mut m = self.need(&table.key, mode);
                for row in &table.rows {
                    let ends = [&row.lower, &row.upper];
                    for (end, _) in ends.into_iter().flatten() {
                        m = m.or(self.need(end, mode));
                    }
                    for cell in row.cells.iter().flatten() {
                        m = m.or(self.need(cell, mode));
                    }
                }
                m
            }
        }
    }

    fn optional_field(&self, record: u32, field: usize) -> Maybe {
        let f = self
            .program
            .records
            .get(record as usize)?
            .fields
            .get(field)?;
        (f.optional && f.default.is_none()).then_some(Why::Field { record, field })
    }

    fn call(&mut self, func: Func, args: &[CExpr], span: Span, mode: Mode) -> Maybe {
        match func {
            Func::First | Func::Last | Func::Min | Func::Max if args.len() == 1 => {
                let m = self.need(&args[0], mode);
                m.or_else(|| self.may_be_empty(func, &args[0], span))
            }
            // A missing item makes the sum (and the order of the items) missing: a total that
            // skipped one would be too low.
            Func::Sum | Func::Ascending if args.len() == 1 => {
                let m = self.need(&args[0], mode);
                m.or_else(|| self.items_maybe(&args[0]))
            }
            Func::Count | Func::Any | Func::All | Func::Filter if args.len() == 2 => {
                let m = self.need(&args[0], mode);
                let record = match &args[0].ty {
                    Type::List(inner) => match **inner {
                        Type::Record(id) => Some(id),
                        _ => None,
                    },
                    _ => None,
                };
                m.or(self.in_item_scope(record, &args[1], mode))
            }
            _ => {
                let mut m = None;
                for a in args {
                    m = m.or(self.need(a, mode));
                }
                m
            }
        }
    }

    /// Works out a condition once per list item: the facts about the outer items are kept,
    /// one scope further out.
    fn in_item_scope(&mut self, record: Option<u32>, cond: &CExpr, mode: Mode) -> Maybe {
        let saved = std::mem::take(&mut self.facts);
        let shifted: Vec<Fact> = saved
            .count
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(f, _)| shift_fact(f))
            .collect();
        self.facts.add(shifted);
        self.items.push(record);
        let m = self.need(cond, mode);
        self.items.pop();
        self.facts = saved;
        m
    }

    /// Why `first`/`last`/`min`/`max` of `list` may have no value: the list may be empty, or
    /// its items may be missing (a projection of an optional field).
    fn may_be_empty(&mut self, func: Func, list: &CExpr, span: Span) -> Maybe {
        if let Some(why) = self.items_maybe(list) {
            return Some(why);
        }
        let known = Key::of(list).is_some_and(|k| self.facts.holds(&Fact::NonEmpty(k)));
        let literal = matches!(&list.kind, CExprKind::List(items) if !items.is_empty());
        let name = match func {
            Func::First => "first",
            Func::Last => "last",
            Func::Min => "min",
            _ => "max",
        };
        (!known && !literal).then_some(Why::Empty {
            call: span,
            list: list.span,
            func: name,
        })
    }

    /// Whether the items of a list may themselves be missing.
    fn items_maybe(&mut self, list: &CExpr) -> Maybe {
        match &list.kind {
            CExprKind::Project(base, field) => match &base.ty {
                Type::List(inner) => match **inner {
                    Type::Record(id) => self.optional_field(id, *field),
                    _ => None,
                },
                _ => None,
            },
            CExprKind::Let(slot) => {
                let program = self.program;
                self.items_maybe(&program.lets.get(*slot)?.expr)
            }
            CExprKind::Call(Func::Filter, args) => self.items_maybe(args.first()?),
            CExprKind::If(_, a, b) => self.items_maybe(a).or_else(|| self.items_maybe(b)),
            _ => None,
        }
    }

    /// Whether a `let` may be missing under the facts in force (those that do not read a
    /// list item: a `let` is worked out outside any list walk).
    fn let_maybe(&mut self, slot: usize) -> Maybe {
        // Past a few facts, the `let` is worked out without them (cheaper to key, and safe).
        let mut facts = if self.facts.count.len() > 4 * MEMO_FACTS {
            Vec::new()
        } else {
            self.facts.outside_items()
        };
        if facts.len() > MEMO_FACTS {
            facts.clear();
        }
        let memo = (slot, facts);
        if let Some(m) = self.lets.get(&memo) {
            return m.clone();
        }
        let program = self.program;
        let expr = &program.lets.get(slot)?.expr;
        let saved = std::mem::take(&mut self.facts);
        let saved_items = std::mem::take(&mut self.items);
        // The memo is keyed by the facts alone: the rules around are not read inside a `let`.
        let saved_earlier = std::mem::take(&mut self.earlier);
        self.facts.add(memo.1.clone());
        let m = self.walk(expr, Mode::Absorb);
        self.facts = saved;
        self.items = saved_items;
        self.earlier = saved_earlier;
        self.lets.insert(memo, m.clone());
        m
    }

    /// What `c` proves when it is true. A condition that was worked out at all had every value
    /// it needed: a comparison proves its operands present either way.
    fn when_true(&mut self, c: &CExpr) -> Vec<Fact> {
        let facts = self.proves(c, true);
        self.expand(facts)
    }

    /// What `c` proves when it is false.
    fn when_false(&mut self, c: &CExpr) -> Vec<Fact> {
        let facts = self.proves(c, false);
        self.expand(facts)
    }

    /// `facts` with what they imply: a `let` that is there had every value its definition
    /// needs (`daily_total` there means `dose` is).
    fn expand(&mut self, mut facts: Vec<Fact>) -> Vec<Fact> {
        let mut out = self.fact_buf();
        for f in facts.drain(..) {
            with_bases(f, |f| {
                if let Fact::Present(Key::Let(slot)) = &f {
                    let keys = self.let_strict(*slot);
                    out.extend(keys.iter().cloned().map(Fact::Present));
                }
                out.push(f);
            });
        }
        self.recycle(facts);
        out
    }

    /// The values `e` cannot do without: when one of them is missing, `e` is missing or stops
    /// the run. A value that `e` was worked out from without error therefore had them all.
    fn strict(&mut self, e: &CExpr) -> Vec<Key> {
        let mut out = self.key_buf();
        self.strict_into(e, &mut out);
        out
    }

    /// [`Analysis::strict`] of `e`, added to `out` (one vector for the whole walk).
    fn strict_into(&mut self, e: &CExpr, out: &mut impl Strict) {
        if let Some(k) = Key::of(e) {
            out.put(k);
        }
        match &e.kind {
            CExprKind::Let(slot) => out.put_all(self.let_strict(*slot)),
            CExprKind::Field(base, _) | CExprKind::Project(base, _) | CExprKind::Unary(_, base) => {
                self.strict_into(base, out)
            }
            // The right side of `and`/`or` may not be worked out; `==` reads a missing value.
            CExprKind::Binary(BinaryOp::And | BinaryOp::Or, a, _) => self.strict_into(a, out),
            CExprKind::Binary(BinaryOp::Eq | BinaryOp::Ne, ..) => {}
            CExprKind::Binary(_, a, b) | CExprKind::Round(a, _, b) => {
                self.strict_into(a, out);
                self.strict_into(b, out);
            }
            CExprKind::If(c, a, b) => {
                self.strict_into(c, out);
                let (mut a, b) = (self.strict(a), self.strict(b));
                for k in a.drain(..).filter(|k| b.contains(k)) {
                    out.put(k);
                }
                self.recycle_keys(a);
                self.recycle_keys(b);
            }
            CExprKind::Call(func, args) => match func {
                Func::First | Func::Last | Func::Min | Func::Max if args.len() == 1 => {
                    self.strict_into(&args[0], out)
                }
                Func::Count | Func::Any | Func::All | Func::Filter => {
                    if let Some(a) = args.first() {
                        self.strict_into(a, out);
                    }
                }
                _ => {
                    for a in args {
                        self.strict_into(a, out);
                    }
                }
            },
            _ => {}
        }
    }

    /// [`Analysis::strict`] of a `let`'s definition, worked out once.
    fn let_strict(&mut self, slot: usize) -> &[Key] {
        if !self.strict_lets.contains_key(&slot) {
            let program = self.program;
            let keys = match program.lets.get(slot) {
                Some(l) => self.strict(&l.expr),
                None => Vec::new(),
            };
            self.strict_lets.insert(slot, keys);
        }
        self.strict_lets.get(&slot).map_or(&[], Vec::as_slice)
    }

    fn proves(&mut self, c: &CExpr, truth: bool) -> Vec<Fact> {
        let mut out = self.fact_buf();
        self.proves_into(c, truth, &mut out);
        out
    }

    /// [`Analysis::proves`] of `c`, added to `out` (one vector for a whole condition).
    // Long on purpose: one arm per kind of condition.
    fn proves_into(&mut self, c: &CExpr, truth: bool, out: &mut Vec<Fact>) {
        self.context_steps = self.context_steps.saturating_sub(1);
        match (&c.kind, truth) {
            (CExprKind::Is(x, IsTest::NotMissing), true)
            | (CExprKind::Is(x, IsTest::Missing), false) => self.strict_facts_into(x, out),
            (CExprKind::Is(x, IsTest::Missing), true)
            | (CExprKind::Is(x, IsTest::NotMissing), false) => {
                out.extend(Key::of(x).map(Fact::Absent));
            }
            (CExprKind::Is(x, IsTest::NotEmpty), true)
            | (CExprKind::Is(x, IsTest::Empty), false) => {
                if let Some(k) = Key::of(x) {
                    out.push(Fact::Present(k.clone()));
                    out.push(Fact::NonEmpty(k));
                }
            }
            (CExprKind::Unary(UnaryOp::Not, a), _) => self.proves_into(a, !truth, out),
            (CExprKind::Binary(BinaryOp::And, a, b), true)
            | (CExprKind::Binary(BinaryOp::Or, a, b), false) => {
                self.proves_into(a, truth, out);
                self.proves_into(b, truth, out);
            }
            (CExprKind::Binary(BinaryOp::And, a, b), false)
            | (CExprKind::Binary(BinaryOp::Or, a, b), true) => {
                let mut left = self.proves(a, truth);
                let right = self.proves(b, truth);
                out.extend(left.drain(..).filter(|f| right.contains(f)));
                self.recycle(left);
                self.recycle(right);
            }
            // `count(xs) != 0` (and `> 0`, `>= 1`) proves an item, before `!=` in general.
            (CExprKind::Binary(op, a, b), true) if counts_some(*op, a, b).is_some() => {
                let list = counts_some(*op, a, b).and_then(Key::of);
                self.strict_facts_into(a, out);
                self.strict_facts_into(b, out);
                out.extend(list.map(Fact::NonEmpty));
            }
            // `a == b` is false, and `a != b` true, when either is missing.
            (CExprKind::Binary(BinaryOp::Eq, a, b), true)
            | (CExprKind::Binary(BinaryOp::Ne, a, b), false) => {
                self.strict_facts_into(a, out);
                self.strict_facts_into(b, out);
            }
            (CExprKind::Binary(BinaryOp::Eq | BinaryOp::Ne, ..), _) => {}
            (CExprKind::Binary(BinaryOp::Range, ..), _) => {}
            (CExprKind::Binary(_, a, b), _) => {
                self.strict_facts_into(a, out);
                self.strict_facts_into(b, out);
            }
            (CExprKind::Call(Func::Any, args), true) => {
                if let Some(k) = Key::of(&args[0]) {
                    out.push(Fact::Present(k.clone()));
                    out.push(Fact::NonEmpty(k));
                }
            }
            (CExprKind::Let(slot), _) => self.let_proves_into(*slot, truth, out),
            _ => {}
        }
    }

    /// [`Analysis::strict`] of `e`, each value said present, added to `out`.
    fn strict_facts_into(&mut self, e: &CExpr, out: &mut Vec<Fact>) {
        self.strict_into(e, out);
    }

    /// What a true/false `let` proves, added to `out`: what its definition proves (it is
    /// worked out from the same values), and that it is there.
    fn let_proves_into(&mut self, slot: usize, truth: bool, out: &mut Vec<Fact>) {
        if !self.let_truth.contains_key(&(slot, truth)) {
            let program = self.program;
            let mut facts = vec![Fact::Present(Key::Let(slot))];
            if let Some(l) = program.lets.get(slot) {
                self.proves_into(&l.expr, truth, &mut facts);
            }
            self.let_truth.insert((slot, truth), facts);
        }
        if let Some(facts) = self.let_truth.get(&(slot, truth)) {
            out.extend_from_slice(facts);
        }
    }

    // ------------------------------------------------------------------ the program

    fn program(&mut self) {
        let program = self.program;
        for r in &program.requires {
            let _ = self.need(&r.condition, Mode::Report);
        }
        // Every requirement holds from here on: data that fails one is refused.
        let proved: Vec<Fact> = program
            .requires
            .iter()
            .flat_map(|r| self.when_true(&r.condition))
            .collect();
        self.facts.add(proved);
        if let Some(begin) = &program.begin {
            let _ = self.need(begin, Mode::Report);
        }
        for block in &program.global {
            self.block(block);
        }
        for phase in &program.phases {
            for block in &phase.decides {
                self.block(block);
            }
            for p in &phase.proposals {
                self.proposal(p);
            }
        }
        self.examples();
    }

    fn block(&mut self, block: &'p DecideSpec) {
        let mark = self.facts.mark();
        // The conditions of the earlier rules are read again with a later rule's own guard in
        // force (`when x is missing and y => …` then `when x is missing => …`).
        let saved = std::mem::take(&mut self.earlier);
        for rule in &block.rules {
            let rule_mark = self.facts.mark();
            self.recontext_from(true);
            if let Some(c) = &rule.when {
                let _ = self.need(c, Mode::Report);
                let facts = self.when_true(c);
                self.assume(facts);
                self.recontext();
            }
            for a in &rule.actions {
                self.action(&a.action);
            }
            self.facts.undo(rule_mark);
            // In `decide first`, a later rule runs only when this one's condition was false.
            if let (HitPolicy::First, Some(c)) = (block.policy, &rule.when) {
                let facts = self.when_false(c);
                self.assume(facts);
                self.earlier.push(c);
            }
        }
        self.earlier = saved;
        self.facts.undo(mark);
    }

    /// Adds what the earlier rules' conditions (the most recent [`CONTEXT_RULES`]) being false
    /// prove given the facts now in force.
    fn recontext(&mut self) {
        self.recontext_from(false);
    }

    /// [`Analysis::recontext`], `at_rule` where a rule of the block starts: the rule just
    /// passed is read for the first time there (it is the first read; each later reading
    /// comes after: readings stop only when the steps run out, which never come back), with
    /// what its condition being false proves in force since it was passed
    /// ([`Analysis::block`]). When that is what reading it proves whatever the facts
    /// ([`context_free`]), the reading would only add those facts again (a multiset: nothing
    /// that [`Facts::holds`] sees), so only its steps are counted, as many as reading it takes
    /// ([`reading_steps`]).
    fn recontext_from(&mut self, at_rule: bool) {
        if self.context_steps == 0 || self.earlier.priors.is_empty() {
            return;
        }
        if !self.skip_known {
            return self.recontext_reading_all();
        }
        // Newest first, as `recontext_reading_all` reads them: each run of priors whose steps
        // are known is counted at once (saturating, so the budget runs out alike), and only
        // the others are read.
        let last = self.earlier.priors.len();
        let first = last.saturating_sub(CONTEXT_RULES);
        let mut end = last;
        let mut unknown = self.earlier.unknown.len();
        loop {
            let next = match unknown.checked_sub(1) {
                Some(u) if self.earlier.unknown[u] >= first => {
                    unknown = u;
                    Some(self.earlier.unknown[u])
                }
                _ => None,
            };
            let start = next.map_or(first, |i| i + 1);
            let known = self.earlier.known_steps(start, end);
            self.context_steps = self.context_steps.saturating_sub(known);
            let Some(i) = next else { break };
            let condition = self.earlier.priors[i].condition;
            if at_rule && i + 1 == last && context_free(condition) {
                let before = self.context_steps;
                self.context_steps = before.saturating_sub(reading_steps(condition));
                if self.context_steps > 0 {
                    self.earlier.known(i, before - self.context_steps);
                }
            } else {
                self.read_prior(i);
            }
            end = i;
        }
    }

    /// [`Analysis::recontext`] reading every earlier rule, those whose steps are known too
    /// (what the test holding the two alike compares with).
    fn recontext_reading_all(&mut self) {
        let last = self.earlier.priors.len();
        for i in (last.saturating_sub(CONTEXT_RULES)..last).rev() {
            self.read_prior(i);
        }
    }

    /// Reads the earlier rule `i` again: adds what its condition being false proves.
    fn read_prior(&mut self, i: usize) {
        let condition = self.earlier.priors[i].condition;
        let before = self.context_steps;
        let facts = self.false_given(condition);
        self.assume(facts);
        // Measured on a second reading (the first was `block`'s `when_false`, which
        // memoised every `let` it reached), so every later reading takes as many steps.
        if self.context_steps > 0 && context_free(condition) {
            self.earlier.known(i, before - self.context_steps);
        }
    }

    /// What `c` being false proves, given the facts in force: `a and b` false with `a` known
    /// true proves what `b` false does.
    fn false_given(&mut self, c: &CExpr) -> Vec<Fact> {
        self.context_steps = self.context_steps.saturating_sub(1);
        match &c.kind {
            CExprKind::Binary(BinaryOp::And, a, b) if self.implied(a) => self.false_given(b),
            CExprKind::Binary(BinaryOp::And, a, b) if self.implied(b) => self.false_given(a),
            CExprKind::Binary(BinaryOp::Or, a, b) => {
                let mut out = self.false_given(a);
                let mut more = self.false_given(b);
                out.append(&mut more);
                self.recycle(more);
                out
            }
            _ => self.when_false(c),
        }
    }

    /// True when the facts in force make `c` true (for missing tests and `and` of them).
    fn implied(&self, c: &CExpr) -> bool {
        match &c.kind {
            CExprKind::Is(x, IsTest::Missing) => {
                Key::of(x).is_some_and(|k| self.facts.holds(&Fact::Absent(k)))
            }
            CExprKind::Is(x, IsTest::NotMissing) => {
                Key::of(x).is_some_and(|k| self.facts.present(&k))
            }
            CExprKind::Binary(BinaryOp::And, a, b) => self.implied(a) && self.implied(b),
            _ => false,
        }
    }

    fn action(&mut self, action: &ActionSpec) {
        let mut needed: Vec<&CExpr> = Vec::new();
        match action {
            ActionSpec::Give(g) => {
                needed.push(&g.amount);
                needed.extend(frequency_expr(&g.frequency));
                needed.extend(g.over.iter().chain(g.duration.iter()));
            }
            ActionSpec::Schedule(s) => {
                needed.extend([&s.from, &s.step, &s.every]);
                needed.extend(s.until.iter());
                needed.extend(frequency_expr(&s.frequency));
                // `starting` may be missing: the schedule is then shown by day, undated.
                if let Some(e) = &s.starting {
                    let _ = self.walk(e, Mode::Report);
                }
            }
            ActionSpec::Stepped(s) => {
                for step in &s.steps {
                    needed.push(&step.amount);
                    needed.extend(frequency_expr(&step.frequency));
                    needed.extend(step.duration.iter());
                }
                // As for `schedule from`: without a date the steps are shown by day.
                if let Some(e) = &s.starting {
                    let _ = self.walk(e, Mode::Report);
                }
            }
            ActionSpec::Choose(alternatives) => {
                for a in alternatives {
                    needed.push(&a.give.amount);
                    needed.extend(frequency_expr(&a.give.frequency));
                    needed.extend(a.give.over.iter().chain(a.give.duration.iter()));
                }
            }
            ActionSpec::Observe(e) | ActionSpec::Wait(e) | ActionSpec::Next(_, Some(e)) => {
                needed.push(e)
            }
            // Messages and `show` show a missing value as `missing`; the others read nothing.
            ActionSpec::Hold(_)
            | ActionSpec::Stop(_)
            | ActionSpec::Refuse(_)
            | ActionSpec::Message { .. }
            | ActionSpec::Show(_)
            | ActionSpec::Goto(_)
            | ActionSpec::Next(_, None) => {}
        }
        for e in needed {
            let _ = self.need(e, Mode::Report);
        }
    }

    fn proposal(&mut self, p: &super::ProposalSpec) {
        // The proposal's rules run only when a dose is proposed.
        let mark = self.facts.mark();
        self.facts.add(vec![Fact::Present(Key::Input(p.input))]);
        if let Some(FrequencySpec::TimesDaily(e) | FrequencySpec::Every(e)) = &p.frequency {
            let _ = self.need(e, Mode::Report);
        }
        for rule in &p.rules {
            let rule_mark = self.facts.mark();
            if let Some(c) = &rule.when {
                let _ = self.need(c, Mode::Report);
                let facts = self.when_true(c);
                self.assume(facts);
            }
            if let Some(range) = &rule.allow {
                let _ = self.need(range, Mode::Report);
            }
            self.facts.undo(rule_mark);
            // A later rule is tried (before a verdict) only when this one did not apply.
            if let Some(c) = &rule.when {
                let facts = self.when_false(c);
                self.assume(facts);
            }
        }
        self.facts.undo(mark);
    }

    /// `expect given that C` reads the example's values: those it gives are there.
    fn examples(&mut self) {
        let program = self.program;
        for example in &program.examples {
            let mark = self.facts.mark();
            let given: Vec<Fact> = example
                .given
                .iter()
                .filter(|(_, v)| !v.is_missing())
                .map(|(slot, _)| Fact::Present(Key::Input(*slot)))
                .collect();
            self.facts.add(given);
            for expect in &example.expects {
                if let ExpectSpecKind::GivenThat(c) = &expect.kind {
                    let _ = self.need(c, Mode::Report);
                }
            }
            self.facts.undo(mark);
        }
    }
}

/// True when what `c` being false proves ([`Analysis::false_given`]) is what
/// [`Analysis::when_false`] proves, whatever the facts in force: no `and` on the way down has
/// a side that the facts could make true.
fn context_free(c: &CExpr) -> bool {
    match &c.kind {
        CExprKind::Binary(BinaryOp::And, a, b) => !may_be_implied(a) && !may_be_implied(b),
        CExprKind::Binary(BinaryOp::Or, a, b) => context_free(a) && context_free(b),
        _ => true,
    }
}

/// The steps [`Analysis::false_given`] takes reading `c` (for which [`context_free`] holds)
/// again: one for each `or` it goes down, and then those of [`Analysis::proves_into`] (one for
/// each `not`, `and` and `or` it goes down, and each condition it reaches; a `let`'s
/// condition was read when the rule was passed and is not read again: memoised).
fn reading_steps(c: &CExpr) -> u64 {
    match &c.kind {
        CExprKind::Binary(BinaryOp::Or, a, b) => 1u64
            .saturating_add(reading_steps(a))
            .saturating_add(reading_steps(b)),
        _ => 1u64.saturating_add(proving_steps(c)),
    }
}

/// The steps [`Analysis::proves_into`] takes for `c` (with every `let` memoised).
fn proving_steps(c: &CExpr) -> u64 {
    let below = match &c.kind {
        CExprKind::Unary(UnaryOp::Not, a) => proving_steps(a),
        CExprKind::Binary(BinaryOp::And | BinaryOp::Or, a, b) => {
            proving_steps(a).saturating_add(proving_steps(b))
        }
        _ => 0,
    };
    1u64.saturating_add(below)
}

/// False when [`Analysis::implied`] is false for `c` whatever the facts in force.
fn may_be_implied(c: &CExpr) -> bool {
    match &c.kind {
        CExprKind::Is(_, IsTest::Missing | IsTest::NotMissing) => true,
        CExprKind::Binary(BinaryOp::And, a, b) => may_be_implied(a) && may_be_implied(b),
        _ => false,
    }
}

/// The expression of a frequency, if any.
/// The list of `count(xs, …) > 0` (also `>= 1`, `!= 0`, and written the other way round): the
/// list that a true comparison proves has an item.
fn counts_some<'e>(op: BinaryOp, a: &'e CExpr, b: &'e CExpr) -> Option<&'e CExpr> {
    let number = |e: &CExpr| match &e.kind {
        CExprKind::Const(crate::value::Value::Num(q)) => Some(q.clone()),
        _ => None,
    };
    let list = |e: &'e CExpr| match &e.kind {
        CExprKind::Call(Func::Count, args) => args.first(),
        _ => None,
    };
    // `0 < count(xs)` reads as `count(xs) > 0`.
    let (count, n, op) = match (list(a), list(b)) {
        (Some(xs), None) => (xs, number(b)?, op),
        (None, Some(xs)) => (
            xs,
            number(a)?,
            match op {
                BinaryOp::Lt => BinaryOp::Gt,
                BinaryOp::Le => BinaryOp::Ge,
                BinaryOp::Ne => BinaryOp::Ne,
                _ => return None,
            },
        ),
        _ => return None,
    };
    let one = crate::units::Quantity::number(1.into());
    let some = match op {
        BinaryOp::Gt | BinaryOp::Ne => n.is_zero(),
        BinaryOp::Ge => n.compare(&one).is_ok_and(|o| o.is_eq()),
        _ => false,
    };
    some.then_some(count)
}

fn frequency_expr(f: &Option<FrequencySpec>) -> Option<&CExpr> {
    match f {
        Some(FrequencySpec::TimesDaily(e) | FrequencySpec::Every(e)) => Some(e),
        None => None,
    }
}

fn shift_key(k: &Key) -> Key {
    match k {
        Key::Item(d, f) => Key::Item(d + 1, *f),
        Key::Field(b, f) => Key::Field(Box::new(shift_key(b)), *f),
        Key::First(b) => Key::First(Box::new(shift_key(b))),
        Key::Last(b) => Key::Last(Box::new(shift_key(b))),
        other => other.clone(),
    }
}

fn shift_fact(f: &Fact) -> Fact {
    match f {
        Fact::Present(k) => Fact::Present(shift_key(k)),
        Fact::NonEmpty(k) => Fact::NonEmpty(shift_key(k)),
        Fact::Absent(k) => Fact::Absent(shift_key(k)),
    }
}

impl Checker<'_> {
    /// Reports every use of a value that may be missing where one is needed, unguarded (see
    /// the module doc). Run on a program without errors, so that it adds no noise to them.
    pub(super) fn check_maybe_missing(&mut self) {
        if self.diags.iter().any(|d| d.is_error()) || self.nothing_may_be_missing() {
            return;
        }
        let mut analysis = Analysis::new(&self.program);
        analysis.program();
        let mut found = analysis.found;
        found.sort_by_key(|u| (u.span.start, u.span.end));
        found.dedup_by_key(|u| u.span);
        for u in found {
            let e = self.maybe_missing_error(&u);
            self.error(e.into());
        }
    }

    /// True when no value of the program can be missing, so that the analysis could find
    /// nothing: every use it reports has a [`Why`], and each kind of `Why` has one source
    /// (`Analysis::walk_kind`, `Analysis::optional_field`, `Analysis::may_be_empty`): an
    /// optional input without a default, an optional record field without a default, or a
    /// call of `first`, `last`, `min` or `max` (one of a list). With none of them, the
    /// analysis (a quarter of the check of a protocol of a thousand rules) is skipped.
    fn nothing_may_be_missing(&self) -> bool {
        let program = &self.program;
        !self.empty_list_calls
            && !program
                .inputs
                .iter()
                .any(|i| i.optional && i.default.is_none())
            && !program
                .records
                .iter()
                .flat_map(|r| r.fields.iter())
                .any(|f| f.optional && f.default.is_none())
    }

    fn maybe_missing_error(&self, u: &Use) -> CheckError {
        let text = |s: Span| {
            self.program
                .source
                .text
                .get(s.start..s.end)
                .unwrap_or("this value")
                .to_string()
        };
        let used = text(u.span);
        let (cause, declared, default_of, list) = match &u.why {
            Why::Input(slot) => {
                let i = &self.program.inputs[*slot];
                (
                    format!("`{}` is an optional input without a default", i.name),
                    Some(i.span),
                    Some(i.name.clone()),
                    None,
                )
            }
            Why::Field { record, field } => {
                let f = &self.program.records[*record as usize].fields[*field];
                (
                    format!("the record field `{}` is optional", f.name),
                    Some(f.span),
                    None,
                    None,
                )
            }
            Why::Empty { call, list, func } => (
                format!(
                    "`{}` has no value when the list is empty (`{func}` of no items)",
                    text(*call)
                ),
                (call.start < u.span.start || call.end > u.span.end).then_some(*call),
                None,
                Some(text(*list)),
            ),
        };
        CheckError::MaybeMissing {
            used,
            cause,
            span: u.span,
            declared,
            default_of,
            list,
            via: u
                .via
                .and_then(|slot| self.program.lets.get(slot))
                .map(|l| (l.name.clone(), l.span)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Analysis;
    use crate::diagnostics::Source;

    /// What the analysis of `text` finds (each use: where, why, through which `let`) and the
    /// steps it leaves, with earlier rules that add nothing new skipped or read again, from a
    /// budget of `steps`.
    fn analyse(text: &str, steps: u64, skip_known: bool) -> (Vec<String>, u64) {
        let ast = crate::syntax::parse(text).unwrap_or_else(|d| panic!("{}", d.message));
        let source = Source::new("t.dose", text);
        let mut checker = super::Checker::new(&ast, &source);
        checker.run();
        let mut analysis = Analysis::new(&checker.program);
        analysis.context_steps = steps;
        analysis.skip_known = skip_known;
        analysis.program();
        let found = analysis
            .found
            .iter()
            .map(|u| format!("{:?} {:?} {:?}", u.span, u.why, u.via))
            .collect();
        (found, analysis.context_steps)
    }

    /// A `decide first` block of `rules` rules over optional inputs, some guarded by
    /// `is missing` (read again with the facts in force), some not (skipped when read again),
    /// one through `not` and a `let`.
    fn guarded(rules: usize) -> String {
        let mut text = String::from(
            "protocol p {\n version \"1\"\n source \"s\"\n inputs {\n  dose: mg optional\n  \
             age: years optional\n  kind: a | b optional\n }\n let adult = age >= 18 years\n \
             decide first {\n",
        );
        for i in 0..rules {
            let rule = match i % 5 {
                0 => format!("  when dose is missing and age > {i} years => stop \"{i}\"\n"),
                1 => format!("  when dose >= {i} mg and dose < {} mg => give dose\n", i + 1),
                2 => format!("  when age is not missing and kind == b => give {i} mg\n"),
                3 => format!("  when (age < {i} years or kind == a) and dose > 1 mg => give age * 1 mg/years\n"),
                _ => format!("  when not (dose > {i} mg or adult) => give 1 mg\n"),
            };
            text.push_str(&rule);
        }
        text.push_str("  otherwise => give dose\n }\n}\n");
        text
    }

    /// Skipping an earlier rule whose facts are already in force changes nothing: the same
    /// uses are found, and the step budget runs down alike (so it runs out at the same rule),
    /// for the bundled protocols, every check fixture, and generated blocks with the budget
    /// large or running out part way.
    /// The bundled protocols and the check fixtures (`tests/check/*.dose`).
    fn bundled_and_check_texts() -> Vec<String> {
        let mut texts = Vec::new();
        for dir in ["protocols", "tests/check"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(&dir).expect("a directory").flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "dose") {
                    texts.push(std::fs::read_to_string(&path).expect("readable"));
                }
            }
        }
        texts
    }

    #[test]
    fn skipping_known_earlier_rules_changes_nothing() {
        let mut texts = bundled_and_check_texts();
        texts.push(guarded(200));
        let mut compared = 0;
        for text in &texts {
            if crate::syntax::parse(text).is_err() {
                continue;
            }
            for steps in [super::CONTEXT_STEPS, 3_000, 1_237, 200, 1] {
                assert_eq!(analyse(text, steps, true), analyse(text, steps, false));
            }
            compared += 1;
        }
        assert!(compared > 50, "{compared} protocols compared");
        let (found, left) = analyse(&guarded(200), 3_000, true);
        assert_eq!(left, 0, "the budget runs out part way");
        assert!(!found.is_empty());
    }

    /// The analysis is skipped only where it would find nothing: each source of a missing
    /// value alone (an optional input, an optional record field, `first`/`last`/`min`/`max`
    /// of a list) keeps it, and it finds the unguarded use; and wherever it is skipped (in the
    /// bundled protocols and check fixtures too), running it anyway finds nothing. (Any call
    /// of those functions keeps it, `min(a, b)` too: a rule of thumb on the safe side.)
    #[test]
    fn skipped_only_where_nothing_may_be_missing() {
        let protocol = |inputs: &str, rule: &str| {
            format!(
                "protocol p {{\n version \"1\"\n source \"s\"\n inputs {{\n{inputs}\n }}\n \
                 decide first {{\n  a: when {rule} => give 1 mg\n  otherwise => give 2 mg\n }}\n}}\n"
            )
        };
        let skipped = |text: &str| {
            let ast = crate::syntax::parse(text).unwrap_or_else(|d| panic!("{}", d.message));
            let source = Source::new("t.dose", text);
            let mut checker = super::Checker::new(&ast, &source);
            checker.run();
            checker.nothing_may_be_missing()
        };
        let sources = [
            protocol("  dose: mg optional", "dose > 1 mg"),
            protocol(
                "  xs: list of { d: mg optional }",
                "count(xs, d > 1 mg) > 0",
            ),
            protocol("  xs: list of mg", "first(xs) > 1 mg"),
            protocol("  xs: list of mg", "last(xs) > 1 mg"),
            protocol("  xs: list of mg", "min(xs) > 1 mg"),
            protocol("  xs: list of mg", "max(xs) > 1 mg"),
        ];
        for text in &sources {
            assert!(!skipped(text), "{text}");
            assert!(
                !analyse(text, super::CONTEXT_STEPS, true).0.is_empty(),
                "{text}"
            );
        }
        let none = [
            protocol(
                "  dose: mg default 1 mg\n  xs: list of mg",
                "dose > 1 mg and sum(xs) > 2 mg",
            ),
            protocol("  dose: mg\n  kind: a | b", "kind == a and dose > 1 mg"),
        ];
        let mut texts: Vec<String> = none.to_vec();
        texts.extend(bundled_and_check_texts());
        let mut skips = 0;
        for text in &texts {
            if crate::syntax::parse(text).is_err() || !skipped(text) {
                continue;
            }
            skips += 1;
            assert_eq!(
                analyse(text, super::CONTEXT_STEPS, true).0,
                Vec::<String>::new()
            );
        }
        assert!(skips >= 2, "{skips} protocols skipped");
        for text in &none {
            assert!(skipped(text), "{text}");
        }
    }
}
