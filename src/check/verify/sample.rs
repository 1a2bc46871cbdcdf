//! One concrete patient inside a box, and whether a region holds it: a cheap proof that a rule
//! can fire. A patient the rule covers and no rule above it covers shows the rule reachable
//! without computing the (possibly large) set of patients left undecided above it, which keeps
//! a long `decide first` block with an `otherwise` linear in practice. Finding no such patient
//! proves nothing: the caller then does the exact computation.

use super::interval::{Interval, IntervalSet};
use super::region::{Cube, Present, Region, Space, VarSet};
use super::witness::{pick_set as pick_value, Present1 as Picked};
use crate::units::Rational;

/// One input's value in a [`Point`]: `None` is "not given".
type Coordinate = Option<Picked>;

/// One patient, as a value for each input the block's space declares: the values its box
/// picked for the inputs the box constrains, the block's [`Defaults`] (shared) for the rest,
/// so that a sample costs the size of its box, not of the space.
#[derive(Clone, Debug)]
pub struct Point {
    own: Vec<(usize, Coordinate)>,
    defaults: std::sync::Arc<[(usize, Option<Coordinate>)]>,
}

/// A value of each input's declared values, by slot (`None`: none to pick), picked once for
/// every sample of a block.
pub struct Defaults(std::sync::Arc<[(usize, Option<Coordinate>)]>);

impl Defaults {
    /// The picks for `space`.
    pub fn of(space: &Space) -> Defaults {
        Defaults(
            space
                .domains
                .iter()
                .map(|(slot, d)| (*slot, pick_value(d)))
                .collect(),
        )
    }
}

/// A patient in `cube`: each input of the space at a value the cube (or, where the cube says
/// nothing, the input's declared values) allows. `None` when some input has no value to pick,
/// or the cube names an input the space does not declare.
pub fn point_in(space: &Space, defaults: &Defaults, cube: &Cube) -> Option<Point> {
    if cube.keys().any(|slot| !space.domains.contains_key(slot)) {
        return None;
    }
    // Every input left to the defaults must have a value there.
    let unpicked = defaults
        .0
        .iter()
        .any(|(slot, d)| d.is_none() && !cube.contains_key(slot));
    if unpicked {
        return None;
    }
    let mut own = Vec::with_capacity(cube.len());
    for (slot, set) in cube {
        own.push((*slot, pick_value(set)?));
    }
    Some(Point {
        own,
        defaults: defaults.0.clone(),
    })
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
        for (slot, _) in self.defaults.iter() {
            let (Some(domain), Some(c)) = (space.domains.get(slot), self.value(*slot)) else {
                continue;
            };
            let present = match (c, &domain.present) {
                (Some(Picked::Num(v)), _) => {
                    Present::Num(IntervalSet::single(Interval::point(v.clone())).into())
                }
                (Some(Picked::Choice(i)), Present::Choice(all)) => {
                    Present::Choice((0..all.len()).map(|k| k == *i).collect())
                }
                (_, Present::Num(_)) => Present::Num(IntervalSet::empty().into()),
                (_, Present::Choice(all)) => Present::Choice(vec![false; all.len()].into()),
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

    /// This patient's value of input `slot` (`None` inside: not given), `None` when the space
    /// does not declare it.
    fn value(&self, slot: usize) -> Option<&Coordinate> {
        if let Some((_, c)) = self.own.iter().find(|(s, _)| *s == slot) {
            return Some(c);
        }
        // The defaults are in slot order (the space's map).
        let n = self
            .defaults
            .binary_search_by_key(&slot, |(s, _)| *s)
            .ok()?;
        self.defaults.get(n)?.1.as_ref()
    }

    /// This patient's value of the number input `slot`, when it has one.
    fn value_of(&self, slot: Option<usize>) -> Option<Rational> {
        match self.value(slot?)? {
            Some(Picked::Num(v)) => Some(v.clone()),
            _ => None,
        }
    }

    /// True when some box of `region` may hold this patient. An input a box constrains that
    /// the point has no value for counts as inside: "outside" must be certain, since it is
    /// what shows a rule reachable.
    pub fn may_be_in(&self, region: &Region) -> bool {
        region.iter().any(|cube| {
            cube.iter()
                .all(|(slot, set)| self.value(*slot).is_none_or(|c| holds(set, c)))
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

/// The number input whose values bound the most rules' conditions: sorting the samples on it
/// leaves each rule the fewest samples to hold.
fn key_input(space: &Space, truths: &[Option<&Region>]) -> Option<usize> {
    let mut bounded: std::collections::BTreeMap<usize, usize> = space
        .domains
        .iter()
        .filter(|(_, d)| matches!(d.present, Present::Num(_)))
        .map(|(slot, _)| (*slot, 0))
        .collect();
    for t in truths.iter().flatten() {
        // A slot bounds the rule when every box of it holds numbers there.
        let Some(first) = t.first() else { continue };
        for slot in first.keys() {
            let every = t
                .iter()
                .all(|c| matches!(c.get(slot).map(|s| &s.present), Some(Present::Num(_))));
            if let (true, Some(n)) = (every, bounded.get_mut(slot)) {
                *n += 1;
            }
        }
    }
    bounded
        .into_iter()
        .map(|(slot, n)| (n, std::cmp::Reverse(slot)))
        .max()
        .map(|(_, std::cmp::Reverse(slot))| slot)
}

/// For each rule of a `decide first` block (`None`: a rule not read), one of its sample
/// patients that no rule read above it covers, if any: proof that it can fire. `truths` are the
/// rules' conditions, `mines` the patients of each that can reach the block (`None` where not
/// worked out), where the samples are taken. Samples are sorted on one numeric input, and each rule is held only against the
/// samples inside its hull there, so a block of banded rules costs about `n log n`, not `n²`.
pub fn reaching(
    space: &Space,
    mines: &[Option<Region>],
    truths: &[Option<&Region>],
) -> Vec<Option<Point>> {
    /// Boxes of a rule sampled before the exact computation is left to do the work.
    const SAMPLES: usize = 4;
    /// The most samples held against rules in one block: past it, the rules not yet shown
    /// reachable are left to the exact computation (which has its own bound), so a hostile
    /// block whose rules each read other inputs stays linear in time.
    const CHECKS: u64 = 2_000_000;
    let key = key_input(space, truths);
    let defaults = Defaults::of(space);
    // (rule, sample, its value of the key input when present)
    // Room for a sample a rule made once, not by doubling (a copy of every sample so far).
    let mut keyed: Vec<(usize, Point, Rational)> = Vec::with_capacity(mines.len());
    let mut unkeyed: Vec<(usize, Point)> = Vec::new();
    for (i, mine) in mines.iter().enumerate() {
        let Some(mine) = mine else { continue };
        for p in mine
            .iter()
            .take(SAMPLES)
            .filter_map(|c| point_in(space, &defaults, c))
        {
            match p.value_of(key) {
                Some(v) => keyed.push((i, p, v)),
                None => unkeyed.push((i, p)),
            }
        }
    }
    keyed.sort_by(|a, b| a.2.cmp(&b.2));
    let mut covered_keyed = vec![false; keyed.len()];
    let mut covered_unkeyed = vec![false; unkeyed.len()];
    let mut checks: u64 = 0;
    for (j, t) in truths.iter().enumerate() {
        let Some(t) = t else { continue };
        let (lo, hi) = key.map_or((None, None), |k| hull(t, k));
        let from = lo.map_or(0, |lo| keyed.partition_point(|s| s.2 < lo));
        let to = hi.map_or(keyed.len(), |hi| keyed.partition_point(|s| s.2 <= hi));
        checks = checks.saturating_add((to.saturating_sub(from) + unkeyed.len()) as u64);
        if checks > CHECKS {
            // Nothing shown from here on: every sample not yet judged counts as covered.
            covered_keyed.iter_mut().for_each(|c| *c = true);
            covered_unkeyed.iter_mut().for_each(|c| *c = true);
            break;
        }
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
    // The samples are moved into place, not copied (a copy of each was a heap block).
    let mut reached: Vec<Option<Point>> = vec![None; truths.len()];
    for ((i, p, _), covered) in keyed.into_iter().zip(covered_keyed) {
        if let (false, Some(r @ None)) = (covered, reached.get_mut(i)) {
            *r = Some(p);
        }
    }
    for ((i, p), covered) in unkeyed.into_iter().zip(covered_unkeyed) {
        if let (false, Some(r @ None)) = (covered, reached.get_mut(i)) {
            *r = Some(p);
        }
    }
    reached
}
