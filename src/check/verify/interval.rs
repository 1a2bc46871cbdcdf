//! Unions of intervals of exact rationals, with open or closed ends: the values of one numeric
//! input for which a condition holds. Every operation is a sort or a linear sweep, so a block of
//! a thousand banded rules over one input is checked in a few milliseconds.

use std::cmp::Ordering;

use smallvec::SmallVec;

use crate::units::Rational;

/// One end of an interval: its value and whether the value itself belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    /// Where the interval ends.
    pub value: Rational,
    /// The value belongs to the interval (`>=`, `<=`, `in a..b`).
    pub closed: bool,
}

impl End {
    /// An end that includes its value.
    pub fn closed(value: Rational) -> End {
        End {
            value,
            closed: true,
        }
    }

    /// An end that excludes its value.
    pub fn open(value: Rational) -> End {
        End {
            value,
            closed: false,
        }
    }
}

/// An interval; `None` for an end is unbounded on that side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interval {
    /// The low end.
    pub lo: Option<End>,
    /// The high end.
    pub hi: Option<End>,
}

/// Orders low ends: unbounded first, and at one value a closed end (which starts earlier).
fn cmp_lo(a: &Option<End>, b: &Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => x.value.cmp(&y.value).then_with(|| y.closed.cmp(&x.closed)),
    }
}

/// Orders high ends: unbounded last, and at one value an open end (which stops earlier).
fn cmp_hi(a: &Option<End>, b: &Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(x), Some(y)) => x.value.cmp(&y.value).then_with(|| x.closed.cmp(&y.closed)),
    }
}

impl Interval {
    /// Every value.
    pub fn all() -> Interval {
        Interval { lo: None, hi: None }
    }

    /// The single value `v`.
    pub fn point(v: Rational) -> Interval {
        Interval {
            lo: Some(End::closed(v.clone())),
            hi: Some(End::closed(v)),
        }
    }

    /// True when no value lies in it.
    pub fn is_empty(&self) -> bool {
        match (&self.lo, &self.hi) {
            (Some(l), Some(h)) => match l.value.cmp(&h.value) {
                Ordering::Greater => true,
                Ordering::Equal => !(l.closed && h.closed),
                Ordering::Less => false,
            },
            _ => false,
        }
    }

    /// True when `v` lies in it.
    pub fn contains(&self, v: &Rational) -> bool {
        let above = self.lo.as_ref().is_none_or(|l| match v.cmp(&l.value) {
            Ordering::Greater => true,
            Ordering::Equal => l.closed,
            Ordering::Less => false,
        });
        let below = self.hi.as_ref().is_none_or(|h| match v.cmp(&h.value) {
            Ordering::Less => true,
            Ordering::Equal => h.closed,
            Ordering::Greater => false,
        });
        above && below
    }

    /// The whole numbers of the interval, as an interval with closed whole ends (empty when
    /// it holds none): for a `count` input, `(2, 3)` holds no value.
    pub fn whole(&self) -> Interval {
        let lo = self.lo.as_ref().map(|l| {
            let c = l.value.ceil();
            let c = if !l.closed && c == l.value {
                c.add(&Rational::from(1))
            } else {
                c
            };
            End::closed(c)
        });
        let hi = self.hi.as_ref().map(|h| {
            let f = h.value.floor();
            let f = if !h.closed && f == h.value {
                f.sub(&Rational::from(1))
            } else {
                f
            };
            End::closed(f)
        });
        Interval { lo, hi }
    }
}

/// A union of disjoint, non-touching intervals in increasing order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IntervalSet {
    parts: Parts,
}

/// The intervals of a set, the first two kept in place (a set of one or two intervals, nearly
/// every one, takes no heap block of its own).
type Parts = SmallVec<[Interval; 2]>;

/// True when an interval ending at `hi` and one starting at `lo` (not before it) meet or
/// overlap, so that their union is one interval.
fn touches(hi: &Option<End>, lo: &Option<End>) -> bool {
    match (hi, lo) {
        (None, _) | (_, None) => true,
        (Some(h), Some(l)) => match l.value.cmp(&h.value) {
            Ordering::Less => true,
            Ordering::Equal => l.closed || h.closed,
            Ordering::Greater => false,
        },
    }
}

/// `IntervalSet::of` as first written (a second list, each interval pushed or joined to the
/// last): the reference the in-place join is tested against.
#[cfg(test)]
pub(super) fn of_by_copying(mut parts: Vec<Interval>) -> IntervalSet {
    parts.retain(|p| !p.is_empty());
    parts.sort_by(|a, b| cmp_lo(&a.lo, &b.lo));
    let mut out = Parts::new();
    for p in parts {
        push_joined(&mut out, p);
    }
    IntervalSet { parts: out }
}

/// Adds `p` (starting no earlier than the last interval of `out`) to `out`, joined to the
/// last interval when they touch.
fn push_joined(out: &mut Parts, p: Interval) {
    match out.last_mut() {
        Some(last) if touches(&last.hi, &p.lo) => {
            if cmp_hi(&p.hi, &last.hi) == Ordering::Greater {
                last.hi = p.hi;
            }
        }
        _ => out.push(p),
    }
}

/// True when no interval of `parts` is empty and their low ends are in order (what `of`'s
/// filter and stable sort would leave as they are).
fn sorted_nonempty(parts: &[Interval]) -> bool {
    parts.iter().all(|p| !p.is_empty())
        && parts
            .windows(2)
            .all(|w| cmp_lo(&w[0].lo, &w[1].lo) != Ordering::Greater)
}

/// The other side of an end: the complement of `[a` is `a)`.
fn flip(e: &End) -> End {
    End {
        value: e.value.clone(),
        closed: !e.closed,
    }
}

impl IntervalSet {
    /// No value.
    pub fn empty() -> IntervalSet {
        IntervalSet {
            parts: Parts::new(),
        }
    }

    /// Every value.
    pub fn all() -> IntervalSet {
        IntervalSet::of(vec![Interval::all()])
    }

    /// The union of any intervals (sorted and merged here).
    pub fn of(parts: Vec<Interval>) -> IntervalSet {
        IntervalSet::of_parts(Parts::from_vec(parts))
    }

    /// [`IntervalSet::of`] of intervals kept in place.
    fn of_parts(mut parts: Parts) -> IntervalSet {
        parts.retain(|p| !p.is_empty());
        parts.sort_by(|a, b| cmp_lo(&a.lo, &b.lo));
        // Joined in place: each interval that touches the last one kept is folded into it
        // (what `push_joined` does, without a second list).
        parts.dedup_by(|p, last| {
            if !touches(&last.hi, &p.lo) {
                return false;
            }
            if cmp_hi(&p.hi, &last.hi) == Ordering::Greater {
                last.hi = p.hi.take();
            }
            true
        });
        IntervalSet { parts }
    }

    /// The one interval `p` (what `IntervalSet::of(vec![p])` gives).
    pub fn single(p: Interval) -> IntervalSet {
        if p.is_empty() {
            return IntervalSet::empty();
        }
        let mut parts = Parts::new();
        parts.push(p);
        IntervalSet { parts }
    }

    /// The intervals, in increasing order.
    pub fn parts(&self) -> &[Interval] {
        &self.parts
    }

    /// True when it holds no value.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// True when `v` is in it.
    pub fn contains(&self, v: &Rational) -> bool {
        self.parts.iter().any(|p| p.contains(v))
    }

    /// Values in either.
    pub fn union(&self, other: &IntervalSet) -> IntervalSet {
        let (a, b) = (&self.parts, &other.parts);
        if !(sorted_nonempty(a) && sorted_nonempty(b)) {
            let mut parts = a.clone();
            parts.extend(b.iter().cloned());
            return IntervalSet::of_parts(parts);
        }
        // Both lists are in order: merged (ties: `self`'s first), they are in the order the
        // stable sort of `of` would put them, and are joined where they touch as `of` does.
        let mut out = Parts::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let p = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if cmp_lo(&y.lo, &x.lo) == Ordering::Less => {
                    j += 1;
                    y
                }
                (Some(x), _) => {
                    i += 1;
                    x
                }
                (None, Some(y)) => {
                    j += 1;
                    y
                }
                (None, None) => break,
            };
            push_joined(&mut out, p.clone());
        }
        IntervalSet { parts: out }
    }

    /// Values in both (a linear sweep over both lists).
    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let (a, b) = (&self.parts, &other.parts);
        let (mut i, mut j) = (0, 0);
        let mut out = Parts::with_capacity(a.len() + b.len());
        while i < a.len() && j < b.len() {
            let lo = if cmp_lo(&a[i].lo, &b[j].lo) == Ordering::Greater {
                a[i].lo.clone()
            } else {
                b[j].lo.clone()
            };
            let a_first = cmp_hi(&a[i].hi, &b[j].hi) != Ordering::Greater;
            let hi = if a_first {
                a[i].hi.clone()
            } else {
                b[j].hi.clone()
            };
            let part = Interval { lo, hi };
            if !part.is_empty() {
                out.push(part);
            }
            if a_first {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { parts: out }
    }

    /// Every value not in it.
    pub fn complement(&self) -> IntervalSet {
        let mut out = Parts::with_capacity(self.parts.len() + 1);
        let mut lo: Option<End> = None;
        for p in &self.parts {
            if let Some(l) = &p.lo {
                out.push(Interval {
                    lo: lo.clone(),
                    hi: Some(flip(l)),
                });
            }
            match &p.hi {
                None => return IntervalSet::of_parts(out),
                Some(h) => lo = Some(flip(h)),
            }
        }
        out.push(Interval { lo, hi: None });
        IntervalSet::of_parts(out)
    }

    /// Values in `self` and not in `other`.
    pub fn minus(&self, other: &IntervalSet) -> IntervalSet {
        self.intersect(&other.complement())
    }

    /// Only its whole numbers (for a `count` input).
    pub fn whole(&self) -> IntervalSet {
        IntervalSet::of_parts(self.parts.iter().map(Interval::whole).collect())
    }
}
