//! Check layer: resolves every name to a slot, types every expression with its dimension, and
//! verifies the protocol as a whole (reachable phases, decisions that can fall through, limits
//! on things that exist). It reports every problem it finds, not just the first.

mod constant_doses;
mod constant_faults;
mod consts;
mod decide;
mod declare;
mod error;
mod examples;
mod expr;
mod functions;
mod missing;
mod name;
mod pick;
mod program;
mod scope;
mod table;
mod types;
mod verify;

use crate::diagnostics::Code;
use foldhash::HashMap;

pub(crate) use consts::parse_date;
pub use consts::{not_whole, validate_value, Invalid, NOT_WHOLE};
pub use error::{CheckError, Expectation, PlaceholderProblem};
pub use functions::{function, Func, FunctionInfo, FUNCTIONS};
pub use name::Name;
use program::NameIndex;
pub use program::*;
pub use scope::Scope;
pub use table::TableProblem;
pub use verify::{patient_text, End, Interval, IntervalSet, Witness};

use crate::diagnostics::{Diagnostic, Severity, Source, Span};
use crate::syntax::ast;

/// Checks a parsed protocol. Returns the program when there is no error (warnings allowed),
/// and every diagnostic found, in file order.
pub fn check(protocol: &ast::Protocol, source: &Source) -> (Option<Program>, Vec<Diagnostic>) {
    let (program, diags, _) = check_with_witnesses(protocol, source);
    (program, diags)
}

/// [`check`], with the witness patients the verifier found (a patient in each gap or overlap
/// of a decision block), for `posology check --witnesses DIR`.
pub fn check_with_witnesses(
    protocol: &ast::Protocol,
    source: &Source,
) -> (Option<Program>, Vec<Diagnostic>, Vec<Witness>) {
    let mut checker = Checker::new(protocol, source);
    checker.run();
    let unshown = checker.unshown_diagnostic();
    let Checker {
        diags,
        mut program,
        input_names,
        phase_names,
        witnesses,
        ..
    } = checker;
    program.names = NameIndex {
        inputs: input_names,
        phases: phase_names,
    };
    let mut diags: Vec<Diagnostic> = diags.into_iter().map(|d| d.with_source(source)).collect();
    diags.sort_by_key(|d| {
        (
            d.primary_span().map_or(0, |s| s.start),
            d.severity != Severity::Error,
        )
    });
    // Last, after the ones it counts.
    diags.extend(unshown.map(|d| d.with_source(source)));
    let ok = !diags.iter().any(Diagnostic::is_error);
    (ok.then_some(program), diags, witnesses)
}

/// Parses and checks a protocol text in one step.
pub fn parse_and_check(text: &str, source: &Source) -> (Option<Program>, Vec<Diagnostic>) {
    match crate::syntax::parse(text) {
        Ok(protocol) => check(&protocol, source),
        Err(d) => (None, vec![d.with_source(source)]),
    }
}

/// The most diagnostics one check reports. A hostile or garbled protocol could otherwise cause
/// one per name (hundreds of thousands), each with a "did you mean" search over every name and
/// each rendered with the whole file: work that grows with the square of the file.
pub const MAX_DIAGNOSTICS: usize = 200;

/// The diagnostics past [`MAX_DIAGNOSTICS`]: how many, how many errors, and where the first was.
#[derive(Clone, Copy, Debug, Default)]
struct Unshown {
    count: usize,
    errors: usize,
    first: Option<Span>,
}

/// The names a condition reads, each once, in the order first read.
#[derive(Debug, Default)]
struct Reads {
    /// Each name interned as it is noted (a rule keeps it so; no copy of the text first).
    list: Vec<(Name, Reference)>,
    /// What `list` holds once it is longer than [`Reads::FEW`], so that a condition naming
    /// thousands of values stays linear (empty before: a table for each rule's few names was
    /// most of the cost of noting them).
    seen: foldhash::HashSet<Reference>,
}

impl Reads {
    /// Up to this many names, `list` itself is searched.
    const FEW: usize = 16;

    fn note(&mut self, name: &str, r: Reference) {
        let new = if self.list.len() < Self::FEW {
            !self.list.iter().any(|(_, seen)| *seen == r)
        } else {
            if self.seen.is_empty() {
                self.seen.extend(self.list.iter().map(|(_, seen)| *seen));
            }
            self.seen.insert(r)
        };
        if new {
            self.list.push((Name::from(name), r));
        }
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
    reads: Option<Reads>,
    phase_names: HashMap<String, usize>,
    /// Where each phase's name is written.
    phase_spans: Vec<Span>,
    /// Every dose a `give` or `schedule` can output (for the limit checks).
    doses_given: Vec<decide::GivenDose>,
    /// Phases named by `goto` or `next`.
    reached: Vec<bool>,
    /// Diagnostics found past [`MAX_DIAGNOSTICS`].
    unshown: Unshown,
    /// Record fields held by record values written so far (see [`consts::MAX_RECORD_CELLS`]).
    record_cells: usize,
    /// Each choice name → the enums (id, value index) that have it, for a bare choice name.
    enum_owners: HashMap<String, Vec<(u32, u32)>>,
    /// Where a unit spelt `µg` or `ug` was warned about (each place once).
    unit_spellings: foldhash::HashSet<Span>,
    /// The patients the verifier found in gaps and overlaps of decision blocks.
    witnesses: Vec<Witness>,
    /// Each message placeholder's text (`dose` of `{dose}`) → its expression as read alone
    /// (spans from 0): a thousand rules quoting `{dose}` read it once.
    placeholders: HashMap<String, ast::Expr>,
    /// Each unit spelling of a quantity read so far → its unit, and its safer spelling when it
    /// has one (a thousand rules writing `mg` parse it once).
    units_read: HashMap<String, (crate::units::Unit, Option<String>)>,
    /// The names of the phases some rule moves to by `goto`, gathered at the first decision
    /// block verified (a scan of every rule for each block took time growing with the square of
    /// the protocol's length).
    goto_targets: Option<foldhash::HashSet<&'a str>>,
    /// Whether some call of `first`, `last`, `min` or `max` was typed (the values a list that
    /// may be empty leaves missing): without one, and without an optional input or record
    /// field, nothing can be missing (see `missing::nothing_may_be_missing`).
    empty_list_calls: bool,
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
            begin_choice_of_phase: Vec::new(),
            global: Vec::new(),
            phases: Vec::new(),
            examples: Vec::new(),
            names: Default::default(),
        };
        Checker {
            ast,
            diags: Vec::new(),
            program,
            input_names: HashMap::default(),
            global_lets: HashMap::default(),
            phase_lets: Vec::new(),
            let_asts: Vec::new(),
            let_state: Vec::new(),
            let_types: Vec::new(),
            current_phase: None,
            item_scopes: Vec::new(),
            reads: None,
            phase_names: HashMap::default(),
            phase_spans: Vec::new(),
            doses_given: Vec::new(),
            reached: Vec::new(),
            goto_targets: None,
            empty_list_calls: false,
            unshown: Unshown::default(),
            record_cells: 0,
            enum_owners: HashMap::default(),
            unit_spellings: Default::default(),
            witnesses: Vec::new(),
            placeholders: HashMap::default(),
            units_read: HashMap::default(),
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
        for d in verify::unreachable_limits(&self.program) {
            self.error(d);
        }
        self.check_constant_doses();
        self.check_examples();
        self.check_maybe_missing();
    }

    /// Records a diagnostic; past [`MAX_DIAGNOSTICS`] it is only counted.
    fn error(&mut self, d: Diagnostic) {
        if self.diags.len() < MAX_DIAGNOSTICS {
            self.diags.push(d);
            return;
        }
        self.unshown.count += 1;
        if d.is_error() {
            self.unshown.errors += 1;
        }
        if self.unshown.first.is_none() {
            self.unshown.first = d.primary_span();
        }
    }

    /// True once [`MAX_DIAGNOSTICS`] are recorded: what comes next is only counted, so the
    /// costly parts of a diagnostic ("did you mean", lists of names) need not be worked out.
    fn muted(&self) -> bool {
        self.diags.len() >= MAX_DIAGNOSTICS
    }

    /// Counts an error found once [`muted`](Checker::muted), without building its text.
    fn error_unshown(&mut self, code: Code) {
        // Deliberately no kind: nothing of this diagnostic is ever shown, only counted (and
        // building a kind's text is the work being saved).
        self.error(Diagnostic::error(code, String::new()));
    }

    /// One diagnostic saying how many were not shown (an error when any of them was, so a
    /// protocol never passes because its errors came after the limit).
    fn unshown_diagnostic(&self) -> Option<Diagnostic> {
        let Unshown {
            count,
            errors,
            first,
        } = self.unshown;
        if count == 0 {
            return None;
        }
        Some(
            CheckError::TooManyProblems {
                count,
                errors,
                first,
            }
            .into(),
        )
    }

    /// Warns about a unit written with an error-prone abbreviation (`µg`, `ug`: ISMP) at
    /// `span`. The unit still means what it says, so this is a warning; `posology fmt` writes
    /// `mcg`. A place checked twice is warned about once.
    fn unit_spelling(&mut self, text: &str, span: Span) {
        if let Some(safe) = crate::units::safe_unit_spelling(text) {
            self.unsafe_spelling(text, safe, span);
        }
    }

    /// Warns of a unit spelt `text` at `span` that is safer spelt `safe` (each place once).
    fn unsafe_spelling(&mut self, text: &str, safe: String, span: Span) {
        // Looked up in a set, not by a scan of the diagnostics: a protocol may write `µg` a
        // hundred thousand times.
        if !self.unit_spellings.insert(span) {
            return;
        }
        self.error(
            CheckError::UnsafeAbbreviation {
                text: text.to_string(),
                safe,
                span,
            }
            .into(),
        );
    }

    /// Reports a name declared twice.
    fn duplicate(&mut self, what: &'static str, name: &str, span: Span, first: Span) {
        self.error(
            CheckError::Duplicate {
                what,
                name: name.to_string(),
                again: span,
                first,
            }
            .into(),
        );
    }
}
