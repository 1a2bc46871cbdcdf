//! Check layer: resolves every name to a slot, types every expression with its dimension, and
//! verifies the protocol as a whole (reachable phases, decisions that can fall through, limits
//! on things that exist). It reports every problem it finds, not just the first.

mod constant_doses;
mod consts;
mod decide;
mod declare;
mod examples;
mod expr;
mod program;
mod scope;
mod types;

use std::collections::HashMap;

pub(crate) use consts::parse_date;
pub use consts::{not_whole, validate_value, Invalid, NOT_WHOLE};
pub use program::*;
pub use scope::Scope;

use crate::diagnostics::{Diagnostic, Severity, Source, Span};
use crate::syntax::ast;

/// Checks a parsed protocol. Returns the program when there is no error (warnings allowed),
/// and every diagnostic found, in file order.
pub fn check(protocol: &ast::Protocol, source: &Source) -> (Option<Program>, Vec<Diagnostic>) {
    let mut checker = Checker::new(protocol, source);
    checker.run();
    let Checker { diags, program, .. } = checker;
    let mut diags: Vec<Diagnostic> = diags.into_iter().map(|d| d.with_source(source)).collect();
    diags.sort_by_key(|d| {
        (
            d.primary_span().map_or(0, |s| s.start),
            d.severity != Severity::Error,
        )
    });
    let ok = !diags.iter().any(Diagnostic::is_error);
    (ok.then_some(program), diags)
}

/// Parses and checks a protocol text in one step.
pub fn parse_and_check(text: &str, source: &Source) -> (Option<Program>, Vec<Diagnostic>) {
    match crate::syntax::parse(text) {
        Ok(protocol) => check(&protocol, source),
        Err(d) => (None, vec![d.with_source(source)]),
    }
}

/// Where a `let` is being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LetState {
    Unchecked,
    InProgress,
    Done,
}

/// The checker's working state.
struct Checker<'a> {
    ast: &'a ast::Protocol,
    diags: Vec<Diagnostic>,
    program: Program,
    /// Input names → slots.
    input_names: HashMap<String, usize>,
    /// Global let names → slots.
    global_lets: HashMap<String, usize>,
    /// Each phase's local let names → slots.
    phase_lets: Vec<HashMap<String, usize>>,
    /// The AST of each let slot, and the phase it belongs to.
    let_asts: Vec<(&'a ast::Let, Option<usize>)>,
    let_state: Vec<LetState>,
    let_types: Vec<Type>,
    /// The phase whose rules are being checked.
    current_phase: Option<usize>,
    /// Record types of the list items in scope (innermost last).
    item_scopes: Vec<u32>,
    /// Names a rule's condition reads (collected for the trace).
    reads: Option<Vec<(String, Reference)>>,
    phase_names: HashMap<String, usize>,
    /// Where each phase's name is written.
    phase_spans: Vec<Span>,
    /// Every dose a `give` or `schedule` can output (for the limit checks).
    doses_given: Vec<decide::GivenDose>,
    /// Phases named by `goto` or `next`.
    reached: Vec<bool>,
}

impl<'a> Checker<'a> {
    fn new(ast: &'a ast::Protocol, source: &Source) -> Self {
        let program = Program {
            header: Header {
                name: ast.name.name.clone(),
                ..Header::default()
            },
            source: source.clone(),
            inputs: Vec::new(),
            records: Vec::new(),
            enums: Vec::new(),
            lets: Vec::new(),
            limits: Vec::new(),
            requires: Vec::new(),
            begin: None,
            begin_phases: Vec::new(),
            global: Vec::new(),
            phases: Vec::new(),
            examples: Vec::new(),
        };
        Checker {
            ast,
            diags: Vec::new(),
            program,
            input_names: HashMap::new(),
            global_lets: HashMap::new(),
            phase_lets: Vec::new(),
            let_asts: Vec::new(),
            let_state: Vec::new(),
            let_types: Vec::new(),
            current_phase: None,
            item_scopes: Vec::new(),
            reads: None,
            phase_names: HashMap::new(),
            phase_spans: Vec::new(),
            doses_given: Vec::new(),
            reached: Vec::new(),
        }
    }

    fn run(&mut self) {
        self.declare_header();
        self.declare_inputs();
        self.declare_phases();
        self.declare_lets();
        self.check_all_lets();
        self.check_limits();
        self.check_requires();
        self.check_begin();
        self.check_global_decisions();
        self.check_phases();
        self.check_reachability();
        self.check_limits_hold_doses();
        self.check_constant_doses();
        self.check_examples();
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Warns about a unit written with an error-prone abbreviation (`µg`, `ug`: ISMP) at
    /// `span`. The unit still means what it says, so this is a warning; `posology fmt` writes
    /// `mcg`. A place checked twice is warned about once.
    fn unit_spelling(&mut self, text: &str, span: Span) {
        let Some(safe) = crate::units::safe_unit_spelling(text) else {
            return;
        };
        let code = "posology::unit::unsafe_abbreviation";
        if self
            .diags
            .iter()
            .any(|d| d.code == code && d.primary_span() == Some(span))
        {
            return;
        }
        self.diags.push(
            Diagnostic::warning(
                code,
                format!(
                    "`{}` abbreviates microgram in an error-prone way: `µg` and `ug` are misread \
                     as `mg`, a thousandfold overdose (ISMP)",
                    crate::display::quoted(text)
                ),
            )
            .with_label(span, "write mcg")
            .with_help(format!(
                "write `{}` (`posology fmt` rewrites it)",
                crate::display::quoted(&safe)
            )),
        );
    }

    /// Reports a name declared twice.
    fn duplicate(&mut self, what: &str, name: &str, span: Span, first: Span) {
        self.error(
            Diagnostic::error(
                "posology::name::duplicate",
                format!("the {what} `{name}` is declared twice"),
            )
            .with_label(span, "declared again here")
            .with_label(first, "first declared here")
            .with_help(format!("rename one of them, or remove the second {what}")),
        );
    }
}
