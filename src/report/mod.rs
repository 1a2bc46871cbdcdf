//! Report layer: a decision as text for people or JSON for programs.

pub mod json;
pub mod text;

#[cfg(test)]
mod tests;
