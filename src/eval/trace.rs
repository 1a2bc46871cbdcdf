//! The explanation trace, recorded cheaply while deciding and written out only when it is
//! shown. A traced evaluation records, for every rule tried, the names its condition read and
//! their values: recorded as text, that was a string or a shared count for each name and value
//! of each rule, for every patient of a cohort, when most traces are never read. Here a name is
//! a handle on the program's interned name, a value a copy of the number, date or choice it is
//! (written out when read, exactly as it was written before), and the values of all the entries
//! of one decision are kept in one list, which the entries share.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;

use super::decision::TraceEntry;
use crate::check::Name;
use crate::units::Quantity;

/// A name or a value in the trace: kept as the evaluator read it, and written out when the
/// trace is read ([`TraceText::to_str`], or `{}`), the same way each time.
#[derive(Clone)]
pub struct TraceText(Kept);

/// How a [`TraceText`] is kept until it is written out.
#[derive(Clone)]
enum Kept {
    /// Words as they are: a name the protocol declares, or the evaluator's own (`missing`).
    Name(Name),
    /// Words already written out, shared (a list's value, written once per evaluation).
    Shared(Arc<str>),
    /// Words already written out.
    Owned(String),
    /// A quantity as `{}` writes it (`2000 mcg/day`).
    Quantity(Quantity),
    /// A number as a message shows a value (see [`crate::display::shown_owned`]).
    ShownQuantity(Quantity),
    /// A date, shown the same way.
    ShownDate(Date),
    /// A choice's name (an enum value), shown the same way.
    ShownName(Name),
}

impl TraceText {
    /// Words of the evaluator's own (`missing`, `proposed`).
    pub(crate) const fn from_static(s: &'static str) -> TraceText {
        TraceText(Kept::Name(Name::from_static(s)))
    }

    /// Words already written out, shared.
    pub(crate) fn shared(s: Arc<str>) -> TraceText {
        TraceText(Kept::Shared(s))
    }

    /// Words already written out.
    pub(crate) fn owned(s: String) -> TraceText {
        TraceText(Kept::Owned(s))
    }

    /// A quantity as `{}` writes it.
    pub(crate) fn quantity(q: Quantity) -> TraceText {
        TraceText(Kept::Quantity(q))
    }

    /// A number as a message or the trace shows a value.
    pub(crate) fn shown_quantity(q: Quantity) -> TraceText {
        TraceText(Kept::ShownQuantity(q))
    }

    /// A date as a message or the trace shows a value.
    pub(crate) fn shown_date(d: Date) -> TraceText {
        TraceText(Kept::ShownDate(d))
    }

    /// A choice's name as a message or the trace shows a value.
    pub(crate) fn shown_name(name: &Name) -> TraceText {
        TraceText(Kept::ShownName(name.clone()))
    }

    /// The text, written out (borrowed when it is kept as words).
    pub fn to_str(&self) -> Cow<'_, str> {
        use crate::display::shown_owned;
        match &self.0 {
            Kept::Name(n) => Cow::Borrowed(n.as_str()),
            Kept::Shared(s) => Cow::Borrowed(s),
            Kept::Owned(s) => Cow::Borrowed(s),
            Kept::Quantity(q) => Cow::Owned(q.to_string()),
            Kept::ShownQuantity(q) => Cow::Owned(shown_owned(q.to_string())),
            Kept::ShownDate(d) => Cow::Owned(shown_owned(d.to_string())),
            Kept::ShownName(n) => Cow::Owned(shown_owned(n.to_string())),
        }
    }
}

impl fmt::Display for TraceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As a `str` is written: width and alignment apply to the text written out.
        fmt::Display::fmt(&*self.to_str(), f)
    }
}

/// Debug output is the written-out text's, as a string's.
impl fmt::Debug for TraceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.to_str(), f)
    }
}

/// Two texts are equal when they read the same, however each is kept.
impl PartialEq for TraceText {
    fn eq(&self, other: &TraceText) -> bool {
        self.to_str() == other.to_str()
    }
}

impl Eq for TraceText {}

impl PartialEq<str> for TraceText {
    fn eq(&self, other: &str) -> bool {
        self.to_str() == other
    }
}

impl PartialEq<&str> for TraceText {
    fn eq(&self, other: &&str) -> bool {
        self.to_str() == *other
    }
}

impl serde::Serialize for TraceText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_str())
    }
}

/// What a decision's trace entries show, kept once for all of them: each value written once
/// (a value many rules read under one name is kept once), and for each entry's pairs which.
#[derive(Debug, Default)]
struct Recorded {
    /// Every entry's pairs in order, each the index of its (name, value) in `texts`.
    pairs: Vec<u32>,
    texts: Vec<(Name, TraceText)>,
}

/// The values a trace entry shows, as (name, value) pairs in the order read
/// ([`TraceValues::iter`]): its part of what all the entries of a decision share.
#[derive(Clone, Default)]
pub struct TraceValues {
    /// What the decision's entries show, once the trace is finished (none while it is being
    /// recorded, and for an entry without values).
    all: Option<Arc<Recorded>>,
    /// This entry's part of its pairs.
    start: u32,
    end: u32,
}

impl TraceValues {
    /// The (name, value) pairs, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Name, &TraceText)> + '_ {
        /// Never shown: every pair's value is kept beside it (see [`Trace::pair`]).
        static LOST: (Name, TraceText) = (Name::from_static("?"), TraceText::from_static("?"));
        let (pairs, texts) = match self.all.as_deref() {
            Some(all) => (
                all.pairs
                    .get(self.start as usize..self.end as usize)
                    .unwrap_or(&[]),
                all.texts.as_slice(),
            ),
            None => (&[][..], &[][..]),
        };
        pairs.iter().map(move |i| {
            let (name, text) = texts.get(*i as usize).unwrap_or(&LOST);
            (name, text)
        })
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.iter().len()
    }

    /// True when the entry shows no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl FromIterator<(Name, TraceText)> for TraceValues {
    fn from_iter<I: IntoIterator<Item = (Name, TraceText)>>(pairs: I) -> TraceValues {
        let mut all = Recorded::default();
        for (name, text) in pairs {
            all.pairs.push(all.texts.len() as u32);
            all.texts.push((name, text));
        }
        let end = all.pairs.len() as u32;
        TraceValues {
            all: (end > 0).then(|| Arc::new(all)),
            start: 0,
            end,
        }
    }
}

/// Debug output is the pairs', as a list of pairs of strings.
impl fmt::Debug for TraceValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(k, v)| (k.as_str(), v.to_str())))
            .finish()
    }
}

/// Two lists of values are equal when their pairs read the same.
impl PartialEq for TraceValues {
    fn eq(&self, other: &TraceValues) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

/// No value kept yet for a slot (see [`Trace::read`]).
const NOT_KEPT: u32 = u32::MAX;

/// The explanation of a decision: its entries, in order, read as a slice of [`TraceEntry`]
/// (`for t in &decision.trace`, `decision.trace.len()`). When it is dropped its lists are kept,
/// emptied, for the thread's next traced evaluation ([`Trace::new`]): a cohort traced patient by
/// patient then asks the allocator for no room for its traces.
#[derive(Default)]
pub struct TraceLog {
    entries: Vec<TraceEntry>,
    /// What the entries show (each entry with values holds a handle on it too): kept here so
    /// that, once the entries are gone, it is this log's alone and its lists can be kept.
    recorded: Option<Arc<Recorded>>,
}

impl TraceLog {
    /// A log of these entries (values each entry holds are its own).
    pub fn from_entries(entries: Vec<TraceEntry>) -> TraceLog {
        TraceLog {
            entries,
            recorded: None,
        }
    }
}

impl std::ops::Deref for TraceLog {
    type Target = [TraceEntry];

    fn deref(&self) -> &[TraceEntry] {
        &self.entries
    }
}

impl<'a> IntoIterator for &'a TraceLog {
    type Item = &'a TraceEntry;
    type IntoIter = std::slice::Iter<'a, TraceEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl Clone for TraceLog {
    fn clone(&self) -> TraceLog {
        TraceLog {
            entries: self.entries.clone(),
            recorded: self.recorded.clone(),
        }
    }
}

/// Debug output is the entries', as a list.
impl fmt::Debug for TraceLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.entries, f)
    }
}

/// Two logs are equal when their entries are.
impl PartialEq for TraceLog {
    fn eq(&self, other: &TraceLog) -> bool {
        self.entries == other.entries
    }
}

impl Drop for TraceLog {
    fn drop(&mut self) {
        // A decision made without the trace has an empty log, which holds nothing to keep.
        if self.entries.capacity() == 0 && self.recorded.is_none() {
            return;
        }
        self.keep_lists();
    }
}

impl TraceLog {
    /// Empties the log and keeps its lists for the thread's next trace.
    #[inline(never)]
    fn keep_lists(&mut self) {
        self.entries.clear();
        let mut shell = self.recorded.take();
        // The entries are gone: unless one was copied out, what they showed is this log's.
        let (pairs, texts) = match shell.as_mut().and_then(Arc::get_mut) {
            Some(all) => (
                std::mem::take(&mut all.pairs),
                std::mem::take(&mut all.texts),
            ),
            None => {
                shell = None;
                (Vec::new(), Vec::new())
            }
        };
        Spare::keep(Spare {
            entries: std::mem::take(&mut self.entries),
            pairs,
            texts,
            slots: Vec::new(),
            shell,
        });
    }
}

/// A thread's lists kept from a dropped trace, empty, for the next one (see [`TraceLog`]).
#[derive(Default)]
struct Spare {
    entries: Vec<TraceEntry>,
    pairs: Vec<u32>,
    texts: Vec<(Name, TraceText)>,
    slots: Vec<u32>,
    /// A shared [`Recorded`] no one else holds, its lists empty and without room.
    shell: Option<Arc<Recorded>>,
}

thread_local! {
    static SPARE: std::cell::RefCell<Spare> = const {
        std::cell::RefCell::new(Spare {
            entries: Vec::new(),
            pairs: Vec::new(),
            texts: Vec::new(),
            slots: Vec::new(),
            shell: None,
        })
    };
}

impl Spare {
    /// The most entries, pairs or texts whose room is kept: a trace past it (a protocol of
    /// thousands of rules) gives its room back, so a thread keeps a bounded amount.
    const MOST: usize = 4096;

    /// The thread's spare lists (empty lists when there are none, or the thread is ending).
    fn take() -> Spare {
        SPARE
            .try_with(|cell| cell.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)))
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
    }

    /// Keeps the lists of `spare` (emptying them) that have room and are not too big, for
    /// [`Spare::take`]; a list already kept is kept rather than this one.
    fn keep(spare: Spare) {
        /// `from`, emptied, in place of `to` when `to` has no room and `from` has some.
        fn put<T>(to: &mut Vec<T>, mut from: Vec<T>) {
            if to.capacity() == 0 && (1..=Spare::MOST).contains(&from.capacity()) {
                from.clear();
                *to = from;
            }
        }
        let _ = SPARE.try_with(|cell| {
            let Ok(mut kept) = cell.try_borrow_mut() else {
                return;
            };
            put(&mut kept.entries, spare.entries);
            put(&mut kept.pairs, spare.pairs);
            put(&mut kept.texts, spare.texts);
            put(&mut kept.slots, spare.slots);
            if kept.shell.is_none() {
                kept.shell = spare.shell;
            }
        });
    }
}

/// The trace being recorded: entries are built only when it is asked for
/// ([`super::Options::trace`]), so an evaluation without it writes no values out for it.
#[derive(Default)]
pub(super) struct Trace {
    on: bool,
    entries: Vec<TraceEntry>,
    /// What the entries show (each entry holds its part, as a range, until the trace is
    /// finished).
    recorded: Recorded,
    /// Where the value of each input, then each `let`, is kept in `recorded.texts`, once one
    /// was read ([`NOT_KEPT`] before): inputs do not change and a `let` is worked out once,
    /// so a value the trace shows for many rules is kept once.
    slots: Vec<u32>,
    /// A shared [`Recorded`] to move `recorded` into when the trace is finished, if one was
    /// kept.
    shell: Option<Arc<Recorded>>,
}

impl Trace {
    /// A trace that records when `on`, and otherwise stays empty.
    pub(super) fn new(on: bool) -> Trace {
        // Room for a usual decision's rules and limits and the values their conditions read,
        // so that the lists are not moved again and again as they grow (when the thread kept
        // none from a trace before).
        const USUAL_ENTRIES: usize = 32;
        const USUAL_PAIRS: usize = 48;
        const USUAL_TEXTS: usize = 24;
        if !on {
            return Trace::default();
        }
        let spare = Spare::take();
        Trace {
            on,
            entries: with_room(spare.entries, USUAL_ENTRIES),
            recorded: Recorded {
                pairs: with_room(spare.pairs, USUAL_PAIRS),
                texts: with_room(spare.texts, USUAL_TEXTS),
            },
            slots: spare.slots,
            shell: spare.shell,
        }
    }
    /// Records the entry `entry` builds, if the trace is on, without values.
    #[inline(always)]
    pub(super) fn push(&mut self, entry: impl FnOnce() -> TraceEntry) {
        // Only the test of `on` is inlined where an entry may be recorded: an evaluation
        // without the trace pays for nothing else.
        if self.on {
            self.record(entry);
        }
    }

    #[inline(never)]
    fn record(&mut self, entry: impl FnOnce() -> TraceEntry) {
        self.entries.push(entry());
    }

    /// Records the entry `entry` builds, if the trace is on, with the values `values` adds
    /// first (through [`Trace::pair`] and [`Trace::read`]); neither is asked for otherwise.
    #[inline(always)]
    pub(super) fn push_with(
        &mut self,
        values: impl FnOnce(&mut Trace),
        entry: impl FnOnce(TraceValues) -> TraceEntry,
    ) {
        if self.on {
            self.record_with(values, entry);
        }
    }

    #[inline(never)]
    fn record_with(
        &mut self,
        values: impl FnOnce(&mut Trace),
        entry: impl FnOnce(TraceValues) -> TraceEntry,
    ) {
        let start = self.recorded.pairs.len() as u32;
        values(self);
        let values = TraceValues {
            all: None,
            start,
            end: self.recorded.pairs.len() as u32,
        };
        self.entries.push(entry(values));
    }

    /// Adds a (name, value) pair to the entry being recorded.
    #[inline]
    pub(super) fn pair(&mut self, name: Name, value: TraceText) {
        let i = self.recorded.texts.len() as u32;
        self.recorded.texts.push((name, value));
        self.recorded.pairs.push(i);
    }

    /// Adds the pair of a name a condition read and the value already kept for the input or
    /// `let` in `slot` (numbered inputs first, then lets: `slots` in all), if one is kept
    /// under that name: true then, false when the value is still to be given
    /// ([`Trace::read_new`]).
    #[inline]
    pub(super) fn read_kept(&mut self, name: &Name, slot: usize, slots: usize) -> bool {
        match self.slots.get(slot) {
            Some(&kept) if kept != NOT_KEPT => {
                // Rules name a value as it is declared, so the name is the one kept with it
                // (the same interned text: one comparison of where the texts are); a value
                // read under another name is given again, with that name.
                let same = self
                    .recorded
                    .texts
                    .get(kept as usize)
                    .is_some_and(|(kept_name, _)| same_name(kept_name, name));
                if same {
                    self.recorded.pairs.push(kept);
                }
                same
            }
            Some(_) => false,
            None => {
                // The first read of this evaluation: room for every slot (a slot past
                // `slots` is then not kept, see `read_new`).
                if self.slots.len() < slots {
                    self.slots.resize(slots, NOT_KEPT);
                }
                false
            }
        }
    }

    /// Adds the pair of a name a condition read and the value of the input or `let` in `slot`,
    /// kept for the next rule that reads it (an input does not change, and a `let` is worked
    /// out once) when `slot` is one of the `slots` given to [`Trace::read_kept`] just before.
    #[inline]
    pub(super) fn read_new(&mut self, name: &Name, slot: usize, value: TraceText) {
        let i = self.recorded.texts.len() as u32;
        if let Some(kept) = self.slots.get_mut(slot) {
            *kept = i;
        }
        self.pair(name.clone(), value);
    }

    /// The entries, in order, each with its values.
    pub(super) fn into_log(mut self) -> TraceLog {
        let mut entries = std::mem::take(&mut self.entries);
        if self.recorded.pairs.is_empty() {
            // No entry shows values: the lists stay with this trace, kept when it is dropped.
            return TraceLog::from_entries(entries);
        }
        let recorded = std::mem::take(&mut self.recorded);
        let mut all = self.shell.take().unwrap_or_default();
        match Arc::get_mut(&mut all) {
            Some(shell) => *shell = recorded,
            None => all = Arc::new(recorded),
        }
        for e in &mut entries {
            if e.values.all.is_none() && e.values.start < e.values.end {
                e.values.all = Some(Arc::clone(&all));
            }
        }
        TraceLog {
            entries,
            recorded: Some(all),
        }
    }
}

/// True when `a` and `b` read the same: at once when they are the same text.
#[inline]
fn same_name(a: &Name, b: &Name) -> bool {
    let (a, b) = (a.as_str(), b.as_str());
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// `v`, with room for `usual` items when it has none.
fn with_room<T>(mut v: Vec<T>, usual: usize) -> Vec<T> {
    if v.capacity() == 0 {
        v.reserve_exact(usual);
    }
    v
}

impl Drop for Trace {
    fn drop(&mut self) {
        if !self.on {
            return;
        }
        // What the trace still holds (all of it when the evaluation stopped with an error),
        // emptied, for the thread's next trace.
        Spare::keep(Spare {
            entries: std::mem::take(&mut self.entries),
            pairs: std::mem::take(&mut self.recorded.pairs),
            texts: std::mem::take(&mut self.recorded.texts),
            slots: std::mem::take(&mut self.slots),
            shell: self.shell.take(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{Trace, TraceText, TraceValues};
    use crate::check::Name;
    use crate::eval::TraceEntry;
    use crate::units::Quantity;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn entry(id: &'static str, values: TraceValues) -> TraceEntry {
        TraceEntry {
            kind: "rule",
            id: Name::from_static(id),
            fired: true,
            source: None,
            values,
            detail: None,
        }
    }

    /// Each text is written out as the text it stands for was written before it was kept as a
    /// value: a quantity as `{}` writes it, a shown value shortened and escaped as a message
    /// shows one.
    #[test]
    fn a_trace_text_reads_as_its_value_written_out() {
        let date = jiff::civil::date(2026, 3, 1);
        assert_eq!(TraceText::quantity(q("0.5 mg")), "0.5 mg");
        assert_eq!(TraceText::shown_quantity(q("2000 mcg/day")), "2000 mcg/day");
        assert_eq!(TraceText::shown_date(date), "2026-03-01");
        assert_eq!(
            TraceText::shown_name(&Name::from_static("spinal")),
            "spinal"
        );
        assert_eq!(
            TraceText::shown_name(&Name::from_static("a\u{1b}[2Jb")),
            "a\\u{1b}[2Jb"
        );
        let long = "x".repeat(600);
        assert_eq!(
            TraceText::shown_name(&Name::counted(&long)).to_string(),
            crate::display::shown(&long)
        );
        assert_eq!(TraceText::from_static("missing").to_str(), "missing");
        assert_eq!(TraceText::owned("45 mL/min".into()), "45 mL/min");
        assert_eq!(TraceText::shared("[1, 2]".into()), "[1, 2]");
        let t = TraceText::shown_quantity(q("3 mg"));
        assert_eq!(format!("[{t}] [{t:>6}] {t:?}"), "[3 mg] [  3 mg] \"3 mg\"");
        assert_eq!(
            TraceText::quantity(q("3 mg")),
            TraceText::owned("3 mg".into())
        );
    }

    /// The entries of a trace share what they show, each reading its own pairs, in order; a
    /// value read again for another entry is the value kept for its slot; an entry without
    /// values reads none.
    #[test]
    fn entries_read_their_own_values() {
        let mut trace = Trace::new(true);
        let name = Name::from_static;
        let text = |v: &str| TraceText::owned(v.into());
        trace.push_with(
            |t| {
                t.pair(name("a"), text("1"));
                assert!(!t.read_kept(&name("b"), 3, 5));
                t.read_new(&name("b"), 3, text("2"));
            },
            |v| entry("r1", v),
        );
        trace.push(|| entry("r2", TraceValues::default()));
        trace.push_with(|_| {}, |v| entry("r3", v));
        trace.push_with(
            |t| {
                assert!(t.read_kept(&name("b"), 3, 5));
                // The same text made apart (not the same interned copy) is the same name.
                assert!(t.read_kept(&Name::counted("b"), 3, 5));
                // Another name for the value is given again, with that name.
                assert!(!t.read_kept(&name("b again"), 3, 5));
                t.read_new(&name("b again"), 3, text("2"));
                assert!(t.read_kept(&name("b again"), 3, 5));
                assert!(!t.read_kept(&name("far"), 9, 5));
                t.read_new(&name("far"), 9, text("x"));
                assert!(!t.read_kept(&name("far again"), 9, 5));
                t.read_new(&name("far again"), 9, text("y"));
                assert!(!t.read_kept(&name("c"), 4, 5));
                t.read_new(&name("c"), 4, text("3"));
            },
            |v| entry("r4", v),
        );
        let entries = trace.into_log();
        let read = |i: usize| -> Vec<(String, String)> {
            entries[i]
                .values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let owned = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(read(0), owned(&[("a", "1"), ("b", "2")]));
        assert!(entries[1].values.is_empty() && entries[2].values.is_empty());
        assert_eq!(
            read(3),
            owned(&[
                ("b", "2"),
                ("b", "2"),
                ("b again", "2"),
                ("b again", "2"),
                ("far", "x"),
                ("far again", "y"),
                ("c", "3")
            ])
        );
        assert_eq!(entries[3].values.len(), 7);
        assert_eq!(
            format!("{:?}", entries[0].values),
            format!("{:?}", vec![("a", "1"), ("b", "2")])
        );
        let same: TraceValues = [(name("a"), text("1")), (name("b"), text("2"))]
            .into_iter()
            .collect();
        assert_eq!(entries[0].values, same);
        assert_ne!(entries[3].values, same);
        assert_ne!(entries[1].values, same);
    }

    /// A dropped log's lists are kept for the thread's next trace: the next trace shows its
    /// own entries and values only, and a log or an entry copied out before the drop still
    /// shows what it showed.
    #[test]
    fn a_dropped_log_leaves_nothing_behind() {
        let record = |ids: &[&'static str]| {
            let mut trace = Trace::new(true);
            for id in ids {
                trace.push_with(
                    |t| t.pair(Name::from_static(id), TraceText::owned(format!("{id}!"))),
                    |v| entry(id, v),
                );
            }
            trace.push(|| entry("no values", TraceValues::default()));
            trace.into_log()
        };
        let shown = |log: &[TraceEntry]| -> Vec<String> {
            log.iter()
                .map(|e| {
                    let values: Vec<String> =
                        e.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!("{} {}", e.id, values.join(","))
                })
                .collect()
        };
        let first = record(&["a", "b", "c"]);
        let copy = first.clone();
        let one = first[1].clone();
        drop(first);
        let second = record(&["d"]);
        assert_eq!(shown(&second), ["d d=d!", "no values "]);
        assert_eq!(shown(&copy), ["a a=a!", "b b=b!", "c c=c!", "no values "]);
        assert_eq!(shown(std::slice::from_ref(&one)), ["b b=b!"]);
        drop(copy);
        drop(second);
        let third = record(&["e", "f"]);
        assert_eq!(shown(&third), ["e e=e!", "f f=f!", "no values "]);
        assert_eq!(shown(std::slice::from_ref(&one)), ["b b=b!"]);
        let empty = Trace::new(true).into_log();
        assert!(empty.is_empty());
        assert_eq!(format!("{:?}", empty), "[]");
    }

    /// A trace that is off records nothing and asks for no values.
    #[test]
    fn a_trace_off_records_nothing() {
        let mut trace = Trace::new(false);
        trace.push_with(
            |_| panic!("values asked for while the trace is off"),
            |v| entry("r", v),
        );
        trace.push(|| panic!("an entry built while the trace is off"));
        assert!(trace.into_log().is_empty());
    }
}
