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

/// The most days a schedule's interval or step may last (ten years): past it, a schedule is
/// no dosing instruction.
pub const MAX_SCHEDULE_DAYS: u32 = 3650;

/// A time as a whole number of days, more than zero and at most [`MAX_SCHEDULE_DAYS`] (`1 week`
/// is 7, `48 h` is 2), or `None` (`0.5 day`, `36 h`, `3 mg`): what a schedule's interval and
/// step durations must be. The checker warns of a constant that is not, the evaluator refuses
/// one worked out for a patient, with this one test.
pub fn whole_days(t: &Quantity) -> Option<u32> {
    let days = t
        .convert_to(&Unit::atom(Atom::Day))
        .ok()
        .filter(|d| d.value.fract().is_zero() && d.value.is_sign_positive() && !d.is_zero());
    days.and_then(|d| u32::try_from(d.value.trunc()).ok())
        .filter(|&n| n <= MAX_SCHEDULE_DAYS)
}
