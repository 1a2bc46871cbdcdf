//! Posology: a small, safe language for dosing protocols.
//!
//! The layers depend downwards only: [`syntax`] (text → AST with spans) → [`check`] (names,
//! types, units → a resolved program) → [`eval`] (decisions, limits, schedules, trace) →
//! [`report`] (text and JSON). [`units`], [`value`] and [`diagnostics`] sit underneath all of
//! them, [`files`] is the one way files are read and written, and [`input`] turns a patient file
//! into typed values for a checked protocol. [`display`] shows untrusted text safely (escaped,
//! shortened) wherever it is printed.
#![forbid(unsafe_code)]

pub mod check;
pub mod diagnostics;
pub mod display;
pub mod eval;
pub mod files;
pub mod format;
pub mod input;
pub mod repl;
pub mod report;
pub mod syntax;
pub mod testing;
pub mod units;
pub mod value;
