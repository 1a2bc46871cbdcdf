//! The library's front door: load a protocol, read a patient, decide. Every front end (the CLI,
//! the REPL, `posology test`, benches, fuzz targets, tests) goes through these three steps, so a
//! new front end cannot skip a stage: a [`Protocol`] exists only once its text has parsed and
//! checked, a [`Patient`] only once its data has been read against that protocol (or built
//! from values already validated by it), and a [`Decision`] only from [`Protocol::evaluate`],
//! which runs the safety gate on every dose before returning.
//!
//! ```
//! use posology::input::Format;
//! use posology::{Options, Protocol, Status};
//!
//! let protocol = Protocol::load(
//!     "demo.dose",
//!     r#"protocol demo {
//!   title "Demo"
//!   version "1.0.0"
//!   source "Demo label, section 2"
//!   drug "demo"
//!   route "oral"
//!   inputs {
//!     weight: kg in 1 kg..300 kg
//!   }
//!   limit dose <= 100 mg hard
//!   decide first {
//!     when weight >= 50 kg => give 50 mg
//!     otherwise            => give 25 mg
//!   }
//! }
//! "#,
//! )
//! .expect("the protocol checks");
//! let patient = protocol
//!     .read_patient("patient.json", r#"{"weight": "70 kg"}"#, Format::Json, &[])
//!     .expect("the patient's data is valid");
//! let decision = protocol
//!     .evaluate(&patient, Options::default())
//!     .expect("a decision is made");
//! assert_eq!(decision.status, Status::Give);
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use crate::check::{self, Name, Program};
use crate::diagnostics::{Code, Diagnostic, Source};
use crate::eval::{self, Amount, Budget, Decision, FrequencyOut, Options};
use crate::input::{self, Format};
use crate::syntax::{self, ast};
use crate::value::Value;

/// Tells loaded protocols apart, so that a patient read for one is never evaluated by another
/// (its values are by slot, and another protocol's slots mean other things).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A protocol that parsed and checked: the only thing a patient can be read against and
/// evaluated by. Its warnings are kept for the front end to show.
#[derive(Clone, Debug)]
pub struct Protocol {
    id: u64,
    ast: ast::Protocol,
    program: Program,
    warnings: Vec<Diagnostic>,
}

/// One patient's data, read against a [`Protocol`] and valid for it: by input slot, defaults
/// filled in, every value in its declared unit and range.
#[derive(Clone, Debug)]
pub struct Patient {
    protocol: u64,
    values: Vec<Value>,
    /// The protocol's `require`s were checked against exactly these values when they were read
    /// ([`Protocol::read_patient`]) and all hold, so [`Protocol::evaluate`] need not run them
    /// again. False for a patient built from values by the crate's own front ends
    /// ([`Protocol::patient`]), whose requirements evaluate checks. Private, and the values
    /// cannot be changed after reading, so it cannot come to describe other values.
    requirements_met: bool,
}

impl Patient {
    /// The values by input slot, in the protocol's declared units.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

impl Protocol {
    /// Parses and checks a protocol's text; `name` is how diagnostics name it (usually its path).
    /// On error, every diagnostic found (warnings too) in file order; on success, the warnings
    /// are kept on the protocol ([`Protocol::warnings`]).
    pub fn load(name: impl Into<String>, text: &str) -> Result<Protocol, Vec<Diagnostic>> {
        let source = Source::new(name, text);
        let ast = syntax::parse(text).map_err(|d| vec![d.with_source(&source)])?;
        let (program, diags) = check::check(&ast, &source);
        match program {
            Some(program) => Ok(Protocol {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                ast,
                program,
                warnings: diags,
            }),
            None => Err(diags),
        }
    }

    /// Parses and checks a protocol's text, reporting every diagnostic the same way whether it
    /// loads or not (as `posology check` does): the protocol when there is no error, and every
    /// diagnostic found, in file order.
    pub fn check(name: impl Into<String>, text: &str) -> (Option<Protocol>, Vec<Diagnostic>) {
        match Protocol::load(name, text) {
            Ok(protocol) => {
                let warnings = protocol.warnings.clone();
                (Some(protocol), warnings)
            }
            Err(diags) => (None, diags),
        }
    }

    /// [`Protocol::check`], with the witness patients the verifier found: a patient in each gap
    /// or overlap of a decision block, as a patient file's JSON object (what `posology check
    /// --witnesses DIR` writes). Witnesses come with errors too (an overlap in a `decide
    /// unique` block is one), so they do not need a protocol that loads.
    pub fn check_with_witnesses(
        name: impl Into<String>,
        text: &str,
    ) -> (Option<Protocol>, Vec<Diagnostic>, Vec<check::Witness>) {
        let source = Source::new(name, text);
        let ast = match syntax::parse(text) {
            Ok(ast) => ast,
            Err(d) => return (None, vec![d.with_source(&source)], Vec::new()),
        };
        let (program, diags, witnesses) = check::check_with_witnesses(&ast, &source);
        let protocol = program.map(|program| Protocol {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            ast,
            program,
            warnings: diags.clone(),
        });
        (protocol, diags, witnesses)
    }

    /// The checked program: inputs, phases, limits, examples, by slot.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The protocol as written (for a front end that checks more text against it, as the REPL
    /// does a line).
    pub fn ast(&self) -> &ast::Protocol {
        &self.ast
    }

    /// The protocol's text and name, for diagnostics pointing into it.
    pub fn source(&self) -> &Source {
        &self.program.source
    }

    /// The checker's warnings (a protocol with an error does not load).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Reads a patient file's text (JSON, YAML or TOML) against this protocol. `name` is how
    /// diagnostics name the file; `overrides` are `NAME=VALUE` settings applied over it. Every
    /// problem is reported together, each naming its field; data that fails a `require` is
    /// refused here, pointing at the values it read.
    pub fn read_patient(
        &self,
        name: impl Into<String>,
        text: &str,
        format: Format,
        overrides: &[String],
    ) -> Result<Patient, Vec<Diagnostic>> {
        let program = &self.program;
        // Input decodes; the requirements are expressions, which only eval can run. Passing
        // them in keeps input below eval.
        let unmet = |values: &[Value]| {
            eval::unmet_requirements(program, values)
                .map(|u| u.into_iter().map(|x| (x.require, x.because)).collect())
        };
        // A plain JSON record is read without a copy of its text as a diagnostics' source: a
        // cohort reads one per row, and a row that reads needs none.
        let values = match input::read_fast(program, text, format, overrides, &unmet) {
            Some(values) => values,
            None => {
                let source = Source::new(name, text);
                input::read_patient(program, text, format, &source, overrides, &unmet)?
            }
        };
        // Both readers refuse data that fails a requirement: these values meet them all.
        Ok(Patient {
            requirements_met: true,
            ..self.patient(values)
        })
    }

    /// A patient from values by input slot that this protocol has already validated: an
    /// example's `given`, or values the REPL checked line by line. [`Protocol::evaluate`]
    /// still refuses data that fails a `require`.
    /// Crate-private: it trusts the values (their units, ranges and types are not checked
    /// again), so only the crate's own front ends, whose values the checker has validated, may
    /// build a patient this way; everyone else reads one with [`Protocol::read_patient`].
    pub(crate) fn patient(&self, values: Vec<Value>) -> Patient {
        Patient {
            protocol: self.id,
            values,
            requirements_met: false,
        }
    }

    /// Decides for one patient: phase, rules, actions, schedules, the proposal's verdict, and
    /// the safety gate held against every dose. This is the only way to a [`Decision`]. A
    /// patient read for another protocol is refused, never evaluated by slot.
    pub fn evaluate(&self, patient: &Patient, options: Options) -> Result<Decision, Diagnostic> {
        self.evaluate_spending(patient, options, &Budget::default())
    }

    /// Holds one dose that the protocol's rules did not give against its hard limits for a
    /// patient, through the same safety gate as every decision (what an example's
    /// `expect limit refuses …` asks). The decision gives the dose, or is refused with the
    /// limits that refused it in `fired`. The patient is decided first, so that the limits of
    /// every phase its decision goes through (`goto`) apply, as they do to the decision's own
    /// doses. For a patient the protocol cannot decide the path is unknown, so the limits of
    /// every phase apply: none is skipped.
    pub fn hold_dose(
        &self,
        patient: &Patient,
        amount: Amount,
        frequency: Option<FrequencyOut>,
    ) -> Result<Decision, Diagnostic> {
        self.same_protocol(patient)?;
        let path: Vec<Name> = match self.evaluate(patient, Options { trace: false }) {
            Ok(decided) => decided.path,
            Err(_) => self.program.phases.iter().map(|p| p.name.clone()).collect(),
        };
        Ok(eval::hold_dose(
            &self.program,
            &patient.values,
            &path,
            amount,
            frequency,
        ))
    }

    /// Refuses a patient read for another protocol: values are by input slot, and another
    /// protocol's slots mean other things.
    fn same_protocol(&self, patient: &Patient) -> Result<(), Diagnostic> {
        if patient.protocol == self.id && patient.values.len() == self.program.inputs.len() {
            return Ok(());
        }
        Err(Diagnostic::error(
            Code::InputOtherProtocol,
            format!(
                "this patient's data was read for another protocol, not `{}`",
                self.program.header.name
            ),
        )
        .with_help("read the patient's data again against this protocol"))
    }

    /// [`Protocol::evaluate`], spending from `budget`: the evaluations one command asks for (a
    /// REPL `:sweep`) share one work budget, so the command as a whole is bounded.
    pub fn evaluate_spending(
        &self,
        patient: &Patient,
        options: Options,
        budget: &Budget,
    ) -> Result<Decision, Diagnostic> {
        self.same_protocol(patient)?;
        let requirements = if patient.requirements_met {
            eval::Requirements::Met
        } else {
            eval::Requirements::Check
        };
        eval::evaluate_spending(
            &self.program,
            &patient.values,
            options,
            budget,
            requirements,
        )
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod missing_tests;
