//! One concrete patient inside a box, and whether a region holds it: a cheap proof that a rule
//! can fire. A patient the rule covers and no rule above it covers shows the rule reachable
//! without computing the (possibly large) set of patients left undecided above it, which keeps
//! a long `decide first` block with an `otherwise` linear in practice. Finding no such patient
//! proves nothing: the caller then does the exact computation.

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
