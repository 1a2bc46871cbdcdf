//! Sets of patients as unions of boxes: a box gives, for each input it constrains, the values
//! it allows (an interval set, a set of choices, true/false, and whether "missing" is in it);
//! an input a box does not name may take any of its declared values.

use std::collections::BTreeMap;
use std::rc::Rc;

use smallvec::SmallVec;

use super::interval::IntervalSet;

/// The most boxes a region may hold before the verifier gives up on it ("not proved"): a
/// condition with many `or`s of many inputs can otherwise grow exponentially under `not`.
pub const MAX_BOXES: usize = 4096;

/// The values of one input that are present (not missing). The values are shared, never
/// changed in place: a box copied or met with another box that does not constrain this input
/// keeps them without copying them (most of the region operations' copies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Present {
    /// A number, in the input's declared unit.
    Num(Rc<IntervalSet>),
    /// Choices by index (a bool is the choice of `false`, `true`).
    Choice(Rc<[bool]>),
}

/// Values of one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarSet {
    /// The present values.
    pub present: Present,
    /// Whether "not given" is in the set.
    pub missing: bool,
    /// A `count`: only whole numbers exist.
    pub whole: bool,
}

impl VarSet {
    /// Only whole numbers kept, for a count.
    fn normal(mut self) -> VarSet {
        if self.whole {
            if let Present::Num(s) = &self.present {
                self.present = Present::Num(Rc::new(s.whole()));
            }
        }
        self
    }

    /// Values in both.
    pub fn intersect(&self, other: &VarSet) -> VarSet {
        let present = match (&self.present, &other.present) {
            (Present::Num(a), Present::Num(b)) => Present::Num(Rc::new(a.intersect(b))),
            (Present::Choice(a), Present::Choice(b)) => {
                Present::Choice(a.iter().zip(b.iter()).map(|(x, y)| *x && *y).collect())
            }
            // Never built: one input has one kind.
            _ => return self.clone(),
        };
        VarSet {
            present,
            missing: self.missing && other.missing,
            whole: self.whole,
        }
        .normal()
    }

    /// Values in either.
    pub fn union(&self, other: &VarSet) -> VarSet {
        let present = match (&self.present, &other.present) {
            (Present::Num(a), Present::Num(b)) => Present::Num(Rc::new(a.union(b))),
            (Present::Choice(a), Present::Choice(b)) => {
                Present::Choice(a.iter().zip(b.iter()).map(|(x, y)| *x || *y).collect())
            }
            _ => return self.clone(),
        };
        VarSet {
            present,
            missing: self.missing || other.missing,
            whole: self.whole,
        }
        .normal()
    }

    /// True when no value is left.
    pub fn is_empty(&self) -> bool {
        !self.missing
            && match &self.present {
                Present::Num(s) => s.is_empty(),
                Present::Choice(c) => !c.iter().any(|x| *x),
            }
    }
}

/// How many inputs of a box are kept in place: a box of a band of one input met with a
/// condition on two others (`dose` in a band and `age < 18 years or kind == b`) names three,
/// and with two in place each such box took a heap block of its own.
const INLINE_INPUTS: usize = 3;

/// A box: for each constrained input (by slot), its allowed values, in slot order. A box
/// names a few inputs, so a sorted vector does what a `BTreeMap` did (a node of eleven entries
/// per box) with the same order and lookups; the first [`INLINE_INPUTS`] are kept in place.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Cube(SmallVec<[(usize, VarSet); INLINE_INPUTS]>);

impl Cube {
    /// The box of every patient (no input constrained).
    pub fn new() -> Cube {
        Cube(SmallVec::new())
    }

    /// A box with room for `n` inputs.
    fn with_capacity(n: usize) -> Cube {
        Cube(SmallVec::with_capacity(n))
    }

    fn position(&self, slot: usize) -> Result<usize, usize> {
        self.0.binary_search_by_key(&slot, |(s, _)| *s)
    }

    /// The values the box allows input `slot`, when it constrains it.
    pub fn get(&self, slot: &usize) -> Option<&VarSet> {
        self.position(*slot).ok().map(|n| &self.0[n].1)
    }

    /// True when the box constrains input `slot`.
    pub fn contains_key(&self, slot: &usize) -> bool {
        self.position(*slot).is_ok()
    }

    /// Sets the values of input `slot` (replacing what the box said of it).
    pub fn insert(&mut self, slot: usize, set: VarSet) {
        match self.position(slot) {
            Ok(n) => self.0[n].1 = set,
            Err(n) => self.0.insert(n, (slot, set)),
        }
    }

    /// How many inputs the box constrains.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the box constrains no input (every patient).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The inputs and their values, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (&usize, &VarSet)> {
        self.0.iter().map(|(s, v)| (s, v))
    }

    /// The inputs constrained, in slot order.
    pub fn keys(&self) -> impl Iterator<Item = &usize> {
        self.0.iter().map(|(s, _)| s)
    }

    /// The values, in slot order.
    pub fn values(&self) -> impl Iterator<Item = &VarSet> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<const N: usize> From<[(usize, VarSet); N]> for Cube {
    fn from(entries: [(usize, VarSet); N]) -> Cube {
        let mut cube = Cube::with_capacity(N);
        for (slot, set) in entries {
            cube.insert(slot, set);
        }
        cube
    }
}

impl IntoIterator for Cube {
    type Item = (usize, VarSet);
    type IntoIter = smallvec::IntoIter<[(usize, VarSet); INLINE_INPUTS]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'c> IntoIterator for &'c Cube {
    type Item = (&'c usize, &'c VarSet);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'c, (usize, VarSet)>,
        fn(&'c (usize, VarSet)) -> (&'c usize, &'c VarSet),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(s, v)| (s, v))
    }
}

/// A union of boxes. The first two are kept in place: most regions of a banded rule are one
/// box, or two where its condition has an `or` (a heap block for each was a tenth of a
/// block's allocations).
pub type Region = SmallVec<[Cube; 2]>;

/// The region was too large to follow: the verifier says "not proved".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

/// The declared values of every input a block reads, for complements.
#[derive(Clone, Debug, Default)]
pub struct Space {
    /// Each input's declared values, by slot.
    pub domains: BTreeMap<usize, VarSet>,
    /// Work done so far (pieces of sets visited), against [`MAX_WORK`].
    work: std::cell::Cell<u64>,
}

/// The most work one block's verification may do (pieces of sets visited): a hostile block of
/// 100,000 rules `x == 1 mg`, `x == 2 mg`, … would otherwise take time that grows with the
/// square of its size. Past it, what is left is "not proved".
pub const MAX_WORK: u64 = 10_000_000;

/// The size of a region, as work: the pieces of every set in it.
fn size(region: &Region) -> u64 {
    region
        .iter()
        .flat_map(|c| c.values())
        .map(|set| match &set.present {
            Present::Num(s) => s.parts().len() as u64 + 1,
            Present::Choice(c) => c.len() as u64 + 1,
        })
        .sum()
}

impl Space {
    /// The region of every patient.
    pub fn full() -> Region {
        smallvec::smallvec![Cube::new()]
    }

    /// The box where input `slot` takes values in `set` (within its declared values).
    pub fn atom(&self, slot: usize, set: VarSet) -> Region {
        let set = match self.domains.get(&slot) {
            Some(d) => set.intersect(d),
            None => set,
        };
        Space::one(slot, set)
    }

    /// [`Space::atom`] of the numbers `set` (and missing, when `missing`), met with the
    /// declared values without first sharing `set` (what `VarSet::intersect` would give).
    pub fn atom_num(&self, slot: usize, set: IntervalSet, missing: bool, whole: bool) -> Region {
        let set = match self.domains.get(&slot) {
            Some(d) => match &d.present {
                Present::Num(declared) => VarSet {
                    present: Present::Num(Rc::new(set.intersect(declared))),
                    missing: missing && d.missing,
                    whole,
                }
                .normal(),
                Present::Choice(_) => VarSet {
                    present: Present::Num(Rc::new(set)),
                    missing,
                    whole,
                }
                .intersect(d),
            },
            None => VarSet {
                present: Present::Num(Rc::new(set)),
                missing,
                whole,
            },
        };
        Space::one(slot, set)
    }

    /// [`Space::atom`] of the choices `set` (and missing, when `missing`), met with the
    /// declared values without first sharing `set` (what `VarSet::intersect` would give).
    pub fn atom_choice(&self, slot: usize, mut set: Vec<bool>, missing: bool) -> Region {
        let set = match self.domains.get(&slot) {
            Some(d) => match &d.present {
                Present::Choice(declared) => {
                    // `zip` stops at the shorter: as many choices as the shorter list.
                    set.truncate(declared.len());
                    for (x, y) in set.iter_mut().zip(declared.iter()) {
                        *x = *x && *y;
                    }
                    VarSet {
                        present: Present::Choice(set.into()),
                        missing: missing && d.missing,
                        whole: false,
                    }
                    .normal()
                }
                Present::Num(_) => VarSet {
                    present: Present::Choice(set.into()),
                    missing,
                    whole: false,
                }
                .intersect(d),
            },
            None => VarSet {
                present: Present::Choice(set.into()),
                missing,
                whole: false,
            },
        };
        Space::one(slot, set)
    }

    /// The region of the one box where input `slot` is in `set` (none when `set` is empty).
    fn one(slot: usize, set: VarSet) -> Region {
        if set.is_empty() {
            return Region::new();
        }
        let mut cube = Cube::new();
        cube.0.push((slot, set));
        smallvec::smallvec![cube]
    }

    /// Counts `n` more work; past [`MAX_WORK`], [`TooLarge`].
    pub fn spend(&self, n: u64) -> Result<(), TooLarge> {
        let total = self.work.get().saturating_add(n);
        self.work.set(total);
        if total > MAX_WORK {
            return Err(TooLarge);
        }
        Ok(())
    }

    /// Patients in both boxes, if any: the two slot-ordered lists merged (what `a` says of an
    /// input `b` does not name is kept as is; an input both name is intersected, and an empty
    /// intersection means no patient).
    fn cube_and(a: &Cube, b: &Cube) -> Option<Cube> {
        let mut out = Cube::with_capacity(a.len() + b.len());
        let mut xs = a.0.iter().peekable();
        for (slot, set) in &b.0 {
            while let Some((s, x)) = xs.next_if(|(s, _)| s < slot) {
                out.0.push((*s, x.clone()));
            }
            let merged = match xs.next_if(|(s, _)| s == slot) {
                Some((_, x)) => x.intersect(set),
                None => set.clone(),
            };
            if merged.is_empty() {
                return None;
            }
            out.0.push((*slot, merged));
        }
        out.0.extend(xs.cloned());
        Some(out)
    }

    /// Patients in both regions.
    pub fn and(&self, a: &Region, b: &Region) -> Result<Region, TooLarge> {
        if a.len().saturating_mul(b.len()) > MAX_BOXES * 4 {
            return Err(TooLarge);
        }
        if self.work.get() > MAX_WORK {
            return Err(TooLarge);
        }
        let pairs = (a.len() as u64).saturating_mul(b.len() as u64);
        self.spend(pairs.saturating_add(size(a)).saturating_add(size(b)))?;
        // Room for the common few boxes, not for every pair (a region may be kept long).
        let mut out = Region::new();
        for x in a {
            for y in b {
                if let Some(c) = Space::cube_and(x, y) {
                    out.push(c);
                }
            }
        }
        simplify(out)
    }

    /// Patients in either region (taken, not copied: each is a reading's own).
    pub fn or(&self, a: Region, b: Region) -> Result<Region, TooLarge> {
        if self.work.get() > MAX_WORK {
            return Err(TooLarge);
        }
        self.spend(size(&a).saturating_add(size(&b)))?;
        let mut out = a;
        if out.is_empty() {
            out = b;
        } else {
            out.extend(b);
        }
        simplify(out)
    }
}

/// Drops empty boxes, and merges boxes that constrain the same single input (the common case of
/// banded rules over one input, kept to one box whatever the number of rules).
fn simplify(mut region: Region) -> Result<Region, TooLarge> {
    // One box is kept as it is (or dropped when empty): the loop below would give it back.
    if let [cube] = region.as_slice() {
        if cube.values().any(VarSet::is_empty) {
            region.clear();
        } else if cube.is_empty() {
            return Ok(Space::full());
        }
        return Ok(region);
    }
    // The one-input boxes, merged by input, in slot order (each kept as the box it came in);
    // the others stay in `region`, moved down in their order over the ones dropped or taken.
    // Few inputs have boxes of their own in one region: kept in place, not on the heap.
    let mut singles: SmallVec<[Cube; 2]> = SmallVec::new();
    let mut kept = 0;
    for k in 0..region.len() {
        let cube = &mut region[k];
        if cube.values().any(VarSet::is_empty) {
            continue;
        }
        if cube.is_empty() {
            return Ok(Space::full());
        }
        if let [(slot, _)] = cube.0.as_slice() {
            let slot = *slot;
            let cube = std::mem::take(cube);
            match singles.binary_search_by_key(&slot, |c| c.0.first().map_or(0, |(s, _)| *s)) {
                Ok(n) => {
                    if let (Some((_, x)), Some((_, set))) =
                        (singles[n].0.first_mut(), cube.0.first())
                    {
                        *x = x.union(set);
                    }
                }
                Err(n) => singles.insert(n, cube),
            }
            continue;
        }
        region.swap(kept, k);
        kept += 1;
    }
    region.truncate(kept);
    region.extend(singles);
    let out = region;
    if out.len() > MAX_BOXES {
        return Err(TooLarge);
    }
    Ok(out)
}
