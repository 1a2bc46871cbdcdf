//! One concrete patient inside a box, and whether a region holds it: a cheap proof that a rule
//! can fire. A patient the rule covers and no rule above it covers shows the rule reachable
//! without computing the (possibly large) set of patients left undecided above it, which keeps
//! a long `decide first` block with an `otherwise` linear in practice. Finding no such patient
//! proves nothing: the caller then does the exact computation.

use super::interval::{Interval, IntervalSet};
use super::region::{Cube, Present, Region, Space, VarSet};
use super::witness::pick;
use crate::units::Rational;

/// One input's value in a [`Point`]: `None` is "not given".
type Coordinate = Option<Picked>;

/// A present value of one input.
#[derive(Clone, Debug, PartialEq)]
enum Picked {
    Num(Rational),
    Choice(usize),
}

/// One patient, as a value for each input the block's space declares, by slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Point(Vec<(usize, Coordinate)>);

/// A value in `set`, preferring a present one.
fn pick_value(set: &VarSet) -> Option<Coordinate> {
    match &set.present {
        Present::Num(s) => {
            if let Some(v) = s.parts().iter().find_map(|p| pick(p, set.whole)) {
                return Some(Some(Picked::Num(v)));
            }
        }
        Present::Choice(c) => {
            if let Some(i) = c.iter().position(|x| *x) {
                return Some(Some(Picked::Choice(i)));
            }
        }
    }
    set.missing.then_some(None)
}

/// A patient in `cube`: each input of the space at a value the cube (or, where the cube says
/// nothing, the input's declared values) allows. `None` when some input has no value to pick,
/// or the cube names an input the space does not declare.
pub fn point_in(space: &Space, cube: &Cube) -> Option<Point> {
    if cube.keys().any(|slot| !space.domains.contains_key(slot)) {
        return None;
    }
    let mut values = Vec::with_capacity(space.domains.len());
    for (slot, domain) in &space.domains {
        let set = cube.get(slot).unwrap_or(domain);
        values.push((*slot, pick_value(set)?));
    }
    Some(Point(values))
}

/// True when the value `c` is in `set`.
fn holds(set: &VarSet, c: &Coordinate) -> bool {
    match (c, &set.present) {
        (None, _) => set.missing,
        (Some(Picked::Num(v)), Present::Num(s)) => s.contains(v),
        (Some(Picked::Choice(i)), Present::Choice(c)) => c.get(*i).copied().unwrap_or(false),
        // One input has one kind; a mismatch is never built, and is not "inside".
        _ => false,
    }
}

impl Point {
    /// This patient as a box holding only them (for a witness patient file).
    pub fn cube(&self, space: &Space) -> Cube {
        let mut cube = Cube::new();
        for (slot, c) in &self.0 {
            let Some(domain) = space.domains.get(slot) else {
                continue;
            };
            let present = match (c, &domain.present) {
                (Some(Picked::Num(v)), _) => {
                    Present::Num(IntervalSet::of(vec![Interval::point(v.clone())]))
                }
                (Some(Picked::Choice(i)), Present::Choice(all)) => {
                    Present::Choice((0..all.len()).map(|k| k == *i).collect())
                }
                (_, Present::Num(_)) => Present::Num(IntervalSet::empty()),
                (_, Present::Choice(all)) => Present::Choice(vec![false; all.len()]),
            };
            cube.insert(
                *slot,
                VarSet {
                    present,
                    missing: c.is_none(),
                    whole: domain.whole,
                },
            );
        }
        cube
    }

    /// This patient's value of the number input `slot`, when it has one.
    fn value_of(&self, slot: Option<usize>) -> Option<Rational> {
        let slot = slot?;
        match self.0.iter().find(|(s, _)| *s == slot)? {
            (_, Some(Picked::Num(v))) => Some(v.clone()),
            _ => None,
        }
    }

    /// True when some box of `region` may hold this patient. An input a box constrains that
    /// the point has no value for counts as inside: "outside" must be certain, since it is
    /// what shows a rule reachable.
    pub fn may_be_in(&self, region: &Region) -> bool {
        region.iter().any(|cube| {
            cube.iter().all(|(slot, set)| {
                self.0
                    .iter()
                    .find(|(s, _)| s == slot)
                    .is_none_or(|(_, c)| holds(set, c))
            })
        })
    }
}

/// The low and high values of a region's boxes on one numeric input (`None`: unbounded), ends
/// taken as closed: a hull that holds every patient of the region whose value is present.
type Hull = (Option<Rational>, Option<Rational>);

/// The hull of `region` on `slot`.
fn hull(region: &Region, slot: usize) -> Hull {
    let mut lo: Option<Option<Rational>> = None;
    let mut hi: Option<Option<Rational>> = None;
    for cube in region {
        let (l, h) = match cube.get(&slot).map(|s| &s.present) {
            Some(Present::Num(s)) => match (s.parts().first(), s.parts().last()) {
                (Some(first), Some(last)) => (
                    first.lo.as_ref().map(|e| e.value.clone()),
                    last.hi.as_ref().map(|e| e.value.clone()),
                ),
                _ => continue,
            },
            _ => (None, None),
        };
        lo = Some(match lo {
            None => l,
            Some(old) => old.zip(l).map(|(a, b)| a.min(b)),
        });
        hi = Some(match hi {
            None => h,
            Some(old) => old.zip(h).map(|(a, b)| a.max(b)),
        });
    }
    (lo.flatten(), hi.flatten())
}

/// For each rule of a `decide first` block (`None`: a rule not read), one of its sample
/// patients (in `base` and its condition) that no rule read above it covers, if any: proof that
/// it can fire. Samples are sorted on one numeric input, and each rule is held only against the
/// samples inside its hull there, so a block of banded rules costs about `n log n`, not `n²`.
pub fn reaching(space: &Space, base: &Region, truths: &[Option<&Region>]) -> Vec<Option<Point>> {
    /// Boxes of a rule sampled before the exact computation is left to do the work.
    const SAMPLES: usize = 4;
    let key = space
        .domains
        .iter()
        .find(|(_, d)| matches!(d.present, Present::Num(_)))
        .map(|(slot, _)| *slot);
    // (rule, sample, its value of the key input when present)
    let mut keyed: Vec<(usize, Point, Rational)> = Vec::new();
    let mut unkeyed: Vec<(usize, Point)> = Vec::new();
    for (i, t) in truths.iter().enumerate() {
        let Some(Ok(mine)) = t.map(|t| space.and(base, t)) else {
            continue;
        };
        for p in mine.iter().take(SAMPLES).filter_map(|c| point_in(space, c)) {
            match p.value_of(key) {
                Some(v) => keyed.push((i, p, v)),
                None => unkeyed.push((i, p)),
            }
        }
    }
    keyed.sort_by(|a, b| a.2.cmp(&b.2));
    let mut covered_keyed = vec![false; keyed.len()];
    let mut covered_unkeyed = vec![false; unkeyed.len()];
    for (j, t) in truths.iter().enumerate() {
        let Some(t) = t else { continue };
        let (lo, hi) = key.map_or((None, None), |k| hull(t, k));
        let from = lo.map_or(0, |lo| keyed.partition_point(|s| s.2 < lo));
        let to = hi.map_or(keyed.len(), |hi| keyed.partition_point(|s| s.2 <= hi));
        for (n, (i, p, _)) in keyed.iter().enumerate().take(to).skip(from) {
            if *i > j && !covered_keyed[n] && p.may_be_in(t) {
                covered_keyed[n] = true;
            }
        }
        for (n, (i, p)) in unkeyed.iter().enumerate() {
            if *i > j && !covered_unkeyed[n] && p.may_be_in(t) {
                covered_unkeyed[n] = true;
            }
        }
    }
    let mut reached: Vec<Option<Point>> = vec![None; truths.len()];
    for (n, (i, p, _)) in keyed.iter().enumerate() {
        if !covered_keyed[n] && reached[*i].is_none() {
            reached[*i] = Some(p.clone());
        }
    }
    for (n, (i, p)) in unkeyed.iter().enumerate() {
        if !covered_unkeyed[n] && reached[*i].is_none() {
            reached[*i] = Some(p.clone());
        }
    }
    reached
}
