//! Report layer: a decision as text for people or JSON for programs, and what changes between
//! two protocols' decisions (`diff`).

pub mod diff;
pub mod json;
pub mod text;

#[cfg(test)]
mod tests;
