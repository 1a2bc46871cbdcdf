//! How much a dose gives in one day, as the safety gate counts it: whole doses on the day they
//! fall. The gate (`eval/gate.rs`) holds daily limits with it, and the verifier (`check/verify`)
//! judges before anything runs which doses every patient would have refused, with the same
//! arithmetic, so the two can never disagree on what "per day" means.

use super::{Atom, Quantity, Unit};

/// True for a rate (an amount per time, `300 mcg/day`): it counts as itself per day.
pub fn is_rate(q: &Quantity) -> bool {
    q.dim().time == -1
}

/// The fewest and the most doses that fall within one day at `N times daily` (`times`) or
/// `every T` (`every`; `times` wins when both are given): N, or one day over T, rounded down
/// and up (`every 5 h` is 4 or 5 doses; `every 1 week` is 0 or 1). `None` when it cannot be
/// worked out (neither given, a time that is not one, arithmetic that fails).
pub fn doses_in_a_day(
    times: Option<&Quantity>,
    every: Option<&Quantity>,
) -> Option<(Quantity, Quantity)> {
    let day = Quantity::new(1.into(), Unit::atom(Atom::Day));
    let per_day = match (times, every) {
        (Some(n), _) => n.clone(),
        (None, Some(t)) => day.div(t).ok()?,
        (None, None) => return None,
    };
    if !per_day.unit.is_none() {
        return None;
    }
    Some((per_day.floor(), per_day.ceil()))
}

/// The least and the most that one administration `amount` gives in one day, as rates, given
/// the fewest and the most doses in a day (`None`: no frequency, one dose that day). A rate is
/// itself per day.
pub fn per_day(
    amount: &Quantity,
    doses: Option<(Quantity, Quantity)>,
) -> Option<(Quantity, Quantity)> {
    if is_rate(amount) {
        return Some((amount.clone(), amount.clone()));
    }
    let day = Quantity::new(1.into(), Unit::atom(Atom::Day));
    let (least, most) = doses.unwrap_or_else(|| {
        let one = Quantity::new(1.into(), Unit::none());
        (one.clone(), one)
    });
    let scale = |count: &Quantity| amount.mul(count).ok()?.div(&day).ok();
    Some((scale(&least)?, scale(&most)?))
}
