//! Sets of patients as unions of boxes: a box gives, for each input it constrains, the values
//! it allows (an interval set, a set of choices, true/false, and whether "missing" is in it);
//! an input a box does not name may take any of its declared values.

use std::collections::BTreeMap;

use super::interval::IntervalSet;

/// The most boxes a region may hold before the verifier gives up on it ("not proved"): a
/// condition with many `or`s of many inputs can otherwise grow exponentially under `not`.
pub const MAX_BOXES: usize = 4096;

/// The values of one input that are present (not missing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Present {
    /// A number, in the input's declared unit.
    Num(IntervalSet),
    /// Choices by index (a bool is the choice of `false`, `true`).
    Choice(Vec<bool>),
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
                self.present = Present::Num(s.whole());
            }
        }
        self
    }

    /// Values in both.
    pub fn intersect(&self, other: &VarSet) -> VarSet {
        let present = match (&self.present, &other.present) {
            (Present::Num(a), Present::Num(b)) => Present::Num(a.intersect(b)),
            (Present::Choice(a), Present::Choice(b)) => {
                Present::Choice(a.iter().zip(b).map(|(x, y)| *x && *y).collect())
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
            (Present::Num(a), Present::Num(b)) => Present::Num(a.union(b)),
            (Present::Choice(a), Present::Choice(b)) => {
                Present::Choice(a.iter().zip(b).map(|(x, y)| *x || *y).collect())
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

/// A box: for each constrained input (by slot), its allowed values.
pub type Cube = BTreeMap<usize, VarSet>;

/// A union of boxes.
pub type Region = Vec<Cube>;

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
        vec![Cube::new()]
    }

    /// The box where input `slot` takes values in `set` (within its declared values).
    pub fn atom(&self, slot: usize, set: VarSet) -> Region {
        let set = match self.domains.get(&slot) {
            Some(d) => set.intersect(d),
            None => set,
        };
        if set.is_empty() {
            return Vec::new();
        }
        vec![Cube::from([(slot, set)])]
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

    /// Patients in both boxes, if any.
    fn cube_and(a: &Cube, b: &Cube) -> Option<Cube> {
        let mut out = a.clone();
        for (slot, set) in b {
            let merged = match out.get(slot) {
                Some(x) => x.intersect(set),
                None => set.clone(),
            };
            if merged.is_empty() {
                return None;
            }
            out.insert(*slot, merged);
        }
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
        let mut out = Vec::new();
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
        out.extend(b);
        simplify(out)
    }
}

/// Drops empty boxes, and merges boxes that constrain the same single input (the common case of
/// banded rules over one input, kept to one box whatever the number of rules).
fn simplify(region: Region) -> Result<Region, TooLarge> {
    let mut singles: BTreeMap<usize, VarSet> = BTreeMap::new();
    let mut out = Vec::new();
    for cube in region {
        if cube.values().any(VarSet::is_empty) {
            continue;
        }
        if cube.is_empty() {
            return Ok(Space::full());
        }
        if cube.len() == 1 {
            if let Some((slot, set)) = cube.into_iter().next() {
                let merged = match singles.remove(&slot) {
                    Some(x) => x.union(&set),
                    None => set,
                };
                singles.insert(slot, merged);
            }
            continue;
        }
        out.push(cube);
    }
    for (slot, set) in singles {
        out.push(Cube::from([(slot, set)]));
    }
    if out.len() > MAX_BOXES {
        return Err(TooLarge);
    }
    Ok(out)
}
