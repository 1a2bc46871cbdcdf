//! Posology: a small, safe language for dosing protocols.
//!
//! Front ends (the CLI, the REPL, `posology test`, benches, fuzz targets, tests) use one door:
//! [`Protocol::load`] → [`Protocol::read_patient`] → [`Protocol::evaluate`], which ends in the
//! safety gate. A patient read for one protocol is refused by another, and the lower-level
//! `evaluate` and `read_patient` are crate-private, so no front end can decide around the gate.
//!
//! Underneath, the layers depend downwards only (`tests/layers.rs` checks it on every test
//! run): [`display`] and [`ops`] (operators) → [`diagnostics`] (codes in one registry) →
//! [`units`] and [`files`] → [`value`] → [`syntax`] (text → AST with spans) → [`check`]
//! (names, types, units → a resolved program) → [`input`] (patient file → typed values) and
//! [`eval`] (decisions, limits, schedules, trace), which do not use each other →
//! [`report`] (text and JSON) and [`format`](mod@format) → [`protocol`] (the door above) → [`testing`]
//! (examples and cases) → [`repl`] and [`cohort`] (one protocol over a file of patients).
#![forbid(unsafe_code)]

pub mod check;
pub mod cohort;
pub mod diagnostics;
pub mod display;
pub mod eval;
pub mod files;
pub mod format;
pub mod input;
pub mod ops;
pub mod protocol;
pub mod repl;
pub mod report;
pub mod syntax;
pub mod testing;
pub mod units;
pub mod value;

pub use eval::{Decision, Options, Status};
pub use protocol::{Patient, Protocol};
