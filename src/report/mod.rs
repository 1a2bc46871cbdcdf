//! Report layer: a decision as text for people or JSON for programs, and what changes between
//! two protocols' decisions (`diff`).

pub mod diff;
pub mod json;
pub mod text;

#[cfg(test)]
mod tests;

/// Whether the decision's phase judges several proposals: each verdict is then named by its
/// input, even when only one dose was proposed (an unnamed verdict could be read as another's).
fn judges_several(program: &crate::check::Program, d: &crate::eval::Decision) -> bool {
    program
        .phases
        .iter()
        .find(|p| p.name == d.phase)
        .is_some_and(|p| p.proposals.len() > 1)
}
