//! The REPL's session core: takes one line, returns what to print. It knows nothing of
//! terminals, so a whole session can be driven (and tested) line by line.

use crate::diagnostics::Code;
use std::path::{Path, PathBuf};

use crate::check::{CExprKind, Program, Scope, Type};
use crate::diagnostics::{did_you_mean, render_all, Diagnostic, RenderStyle, Source, Span};
use crate::eval::{Decision, Env, Options};
use crate::files::{self, Limit, WriteOptions};
use crate::input::{self, Format, MAX_LIST_ITEMS};
use crate::protocol::Protocol;
use crate::report;
pub use crate::syntax::lex::open_brackets;
use crate::syntax::{self, ast};
use crate::value::{Shown, Value};

use super::entry::{Entry, Step};
use super::help::{COMMANDS, HELP};
use super::lists::Appending;
use super::{lists, reload, sweep};

/// What a line produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Text to print (may be empty).
    pub text: String,
    /// False when the line failed (a diagnostic was printed).
    pub ok: bool,
    /// The user asked to leave.
    pub quit: bool,
    /// The line left brackets open: more lines follow before anything runs.
    pub incomplete: bool,
}

impl Reply {
    fn ok(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            ok: true,
            ..Reply::default()
        }
    }

    fn fail(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            ok: false,
            ..Reply::default()
        }
    }
}

/// A protocol that checked, with what the session needs to check lines against it.
pub(super) struct Loaded {
    pub path: PathBuf,
    pub protocol: Protocol,
}

/// One interactive session: the loaded protocol, the patient's values, the last decision.
pub struct Session {
    pub(super) loaded: Option<Loaded>,
    /// Values set by the user (or a patient file), by input slot; `None` = not given.
    pub(super) given: Vec<Option<Value>>,
    /// By input slot: its value was dropped by `:reload` and has not been set or unset since.
    dropped: Vec<bool>,
    last: Option<Decision>,
    /// Lines waiting for their brackets to close.
    pending: Entry,
    /// Items added to a list with `+=` and not yet built into its value (see [`Appending`]).
    appending: Option<Appending>,
    style: RenderStyle,
    failures: usize,
}

impl Session {
    /// A session with no protocol loaded; diagnostics drawn in `style`.
    pub fn new(style: RenderStyle) -> Self {
        Session {
            loaded: None,
            given: Vec::new(),
            dropped: Vec::new(),
            last: None,
            pending: Entry::default(),
            appending: None,
            style,
            failures: 0,
        }
    }

    /// How many lines failed so far.
    pub fn failures(&self) -> usize {
        self.failures
    }

    /// The loaded program, if any (for completion and highlighting).
    pub fn program(&self) -> Option<&Program> {
        self.loaded.as_ref().map(|l| l.protocol.program())
    }

    /// True while earlier lines left brackets open.
    pub fn is_continuing(&self) -> bool {
        self.pending.is_open()
    }

    /// Handles one line of input.
    pub fn line(&mut self, line: &str) -> Reply {
        let text = match self.pending.push(line) {
            Step::Open => {
                return Reply {
                    ok: true,
                    incomplete: true,
                    ..Reply::default()
                }
            }
            Step::Dropped(d) => {
                self.failures += 1;
                return terminal_safe(Reply::fail(self.diagnostics(&[d])));
            }
            Step::Complete(text) => text,
        };
        let reply = self.dispatch(&text);
        if !reply.ok {
            self.failures += 1;
        }
        terminal_safe(reply)
    }

    /// A line that could not be read (not UTF-8, too long): its diagnostic is shown and counted
    /// as a failed line, and the session goes on. Lines gathered inside open brackets are
    /// dropped with it, so that what follows is never joined to an entry missing a line.
    pub fn unreadable_line(&mut self, d: Diagnostic) -> Reply {
        self.failures += 1;
        let mut out = self.diagnostics(&[d]);
        if self.pending.take().is_some() {
            out.push_str("the unfinished entry before this line was dropped: enter it again\n");
        }
        Reply::fail(out)
    }

    /// Counts a failure that happened outside a line (a protocol or patient file given on the
    /// command line that could not be used), so the exit status says so.
    pub fn count_failure(&mut self) {
        self.failures += 1;
    }

    /// Runs lines left waiting for closing brackets (at the end of input), if any.
    pub fn finish(&mut self) -> Option<Reply> {
        let text = self.pending.take()?;
        let reply = self.dispatch(&text);
        if !reply.ok {
            self.failures += 1;
        }
        Some(terminal_safe(reply))
    }

    fn dispatch(&mut self, text: &str) -> Reply {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with("//") {
            return Reply::ok("");
        }
        if let Some(command) = trimmed.strip_prefix(':') {
            self.settle();
            return self.command(command.trim(), text);
        }
        if let Some((name, value, append)) = assignment(text) {
            return self.assign(text, name, value, append);
        }
        self.settle();
        self.evaluate_line(text)
    }

    fn diagnostics(&self, diags: &[Diagnostic]) -> String {
        render_all(diags, self.style)
    }

    /// A failure of a whole command line, as a diagnostic with a code (never a bare message).
    fn command_error(&self, line: &str, code: Code, message: &str, help: &str) -> Reply {
        self.line_error(
            line,
            Diagnostic::error(code, message.trim_end().to_string())
                .with_label(Span::new(0, line.trim_end().len()), "this command")
                .with_help(help.to_string()),
        )
    }

    fn line_error(&self, line: &str, d: Diagnostic) -> Reply {
        let d = d.with_source(&Source::new("input", line));
        Reply::fail(self.diagnostics(&[d]))
    }

    fn need_protocol(&self, line: &str) -> Result<&Loaded, Reply> {
        self.loaded.as_ref().ok_or_else(|| {
            self.line_error(
                line,
                Diagnostic::error(Code::ReplNoProtocol, "no protocol is loaded")
                    .with_label(Span::new(0, line.len()), "needs a protocol")
                    .with_help("load one with `:load protocols/baclofen_intrathecal.dose`"),
            )
        })
    }

    fn command(&mut self, command: &str, line: &str) -> Reply {
        let (name, arg) = command
            .split_once(char::is_whitespace)
            .map_or((command, ""), |(n, a)| (n, a.trim()));
        match name {
            "load" | "l" if arg.is_empty() => self.command_error(
                line,
                Code::ReplUsage,
                "`:load` needs a protocol file",
                "write `:load protocols/baclofen_oral.dose`",
            ),
            "save" | "save!" if arg.is_empty() => self.command_error(
                line,
                Code::ReplUsage,
                &format!("`:{name}` needs a file name"),
                &format!("write `:{name} patient.json`"),
            ),
            "load" | "l" => self.load(Path::new(arg), false),
            "reload" | "r" => match self.loaded.as_ref().map(|l| l.path.clone()) {
                Some(path) => self.load(&path, true),
                None => self.need_protocol(line).err().unwrap_or_default(),
            },
            "patient" | "p" => self.patient(Path::new(arg), line),
            "unset" | "u" => self.unset(arg, line),
            "inputs" | "i" => self.inputs(line),
            "save" => self.save(Path::new(arg), line, WriteOptions::NEW),
            "save!" => self.save(Path::new(arg), line, WriteOptions::REPLACE),
            "run" => self.run(line),
            "why" | "w" => self.why(),
            "sweep" | "s" => sweep::sweep(self, arg, line),
            "step" => self.step(line),
            "help" | "h" | "?" => Reply::ok(HELP),
            "quit" | "q" | "exit" => Reply {
                ok: true,
                quit: true,
                ..Reply::default()
            },
            other => {
                let names = COMMANDS.iter().map(|(c, _)| *c);
                let help = did_you_mean(other, names)
                    .map(|s| format!("did you mean `:{s}`?"))
                    .unwrap_or_else(|| "`:help` lists the commands".into());
                let start = line.find(other).unwrap_or(0);
                self.line_error(
                    line,
                    Diagnostic::error(
                        Code::ReplUnknownCommand,
                        format!("unknown command `:{}`", crate::display::quoted(other)),
                    )
                    .with_label(Span::new(start, start + other.len()), "no such command")
                    .with_help(help),
                )
            }
        }
    }

    /// A file's text (through the library's one reader: regular files only, at most `limit`
    /// bytes, UTF-8), or the failed reply saying why it cannot be read.
    fn read_file(&self, path: &Path, limit: Limit) -> Result<String, Reply> {
        files::read_text(path, limit).map_err(|d| Reply::fail(self.diagnostics(&[d])))
    }

    /// Loads (or reloads) a protocol; a protocol that does not check keeps the last good one.
    pub fn load(&mut self, path: &Path, keep_values: bool) -> Reply {
        self.settle();
        // Called directly (`posology repl FILE`) as well as by `:load`: made safe here too.
        terminal_safe(self.load_protocol(path, keep_values))
    }

    fn load_protocol(&mut self, path: &Path, keep_values: bool) -> Reply {
        if path.as_os_str().is_empty() {
            return Reply::fail("usage: :load FILE\n");
        }
        if path == Path::new("-") {
            // `check -` and `run -` read standard input; the REPL reads its lines from it.
            return Reply::fail(
                "the REPL reads its lines from standard input, so it cannot read a protocol \
                 from it: name a protocol file (`posology repl protocols/baclofen_oral.dose`)\n",
            );
        }
        let text = match self.read_file(path, syntax::PROTOCOL_FILE) {
            Ok(t) => t,
            Err(reply) => return reply,
        };
        let protocol = match Protocol::load(path.display().to_string(), &text) {
            Ok(p) => p,
            Err(diags) => return self.keep_last(&diags),
        };
        let program = protocol.program();
        let old = self.loaded.take();
        let same_file = old.as_ref().is_some_and(|o| o.path == path);
        // Kept values are re-read by name against the new protocol, never kept by position.
        let kept = match &old {
            Some(old) if keep_values || same_file => {
                Some(reload::reread(old.protocol.program(), &self.given, program))
            }
            _ => None,
        };
        let mut out = self.diagnostics(protocol.warnings());
        let name = program.header.name.clone();
        out.push_str(&format!(
            "loaded {name} ({} inputs, {} phases, {} examples)\n",
            program.inputs.len(),
            program.phases.len(),
            program.examples.len()
        ));
        match kept {
            Some(kept) => {
                out.push_str(&kept.report);
                self.given = kept.given;
                self.dropped = kept.dropped;
            }
            None => {
                self.given = vec![None; program.inputs.len()];
                self.dropped = vec![false; program.inputs.len()];
            }
        }
        self.last = None;
        self.loaded = Some(Loaded {
            path: path.to_path_buf(),
            protocol,
        });
        Reply::ok(out)
    }

    fn keep_last(&self, diags: &[Diagnostic]) -> Reply {
        let mut out = self.diagnostics(diags);
        if let Some(l) = &self.loaded {
            out.push_str(&format!(
                "kept the last good protocol: {}\n",
                l.path.display()
            ));
        }
        Reply::fail(out)
    }

    fn patient(&mut self, path: &Path, line: &str) -> Reply {
        let loaded = match self.need_protocol(line) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let Some(format) = Format::from_path(path) else {
            return self.line_error(
                line,
                Diagnostic::error(
                    Code::InputFormat,
                    format!("cannot tell the format of `{}`", path.display()),
                )
                .with_label(Span::new(0, line.len()), "not .json, .yaml or .toml")
                .with_help("name the file .json, .yaml or .toml"),
            );
        };
        let text = match self.read_file(path, input::PATIENT_FILE) {
            Ok(t) => t,
            Err(reply) => return reply,
        };
        let source = Source::new(path.display().to_string(), text.as_str());
        match input::read_given(loaded.protocol.program(), &text, format, &source) {
            Ok(given) => {
                let count = given.iter().filter(|v| v.is_some()).count();
                self.dropped = vec![false; given.len()];
                self.given = given;
                self.last = None;
                Reply::ok(format!("read {count} values from {}\n", path.display()))
            }
            Err(diags) => Reply::fail(self.diagnostics(&diags)),
        }
    }

    fn slot_of(&self, name: &str, line: &str) -> Result<usize, Reply> {
        let loaded = self.need_protocol(line)?;
        loaded.protocol.program().input_slot(name).ok_or_else(|| {
            let names = loaded
                .protocol
                .program()
                .inputs
                .iter()
                .map(|i| i.name.as_str());
            let help = did_you_mean(name, names)
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "`:inputs` lists the inputs".into());
            let start = line.find(name).unwrap_or(0);
            self.line_error(
                line,
                Diagnostic::error(
                    Code::ReplUnknownInput,
                    format!(
                        "`{}` is not an input of this protocol",
                        crate::display::quoted(name)
                    ),
                )
                .with_label(Span::new(start, start + name.len()), "unknown input")
                .with_help(help),
            )
        })
    }

    fn unset(&mut self, name: &str, line: &str) -> Reply {
        match self.slot_of(name, line) {
            Ok(slot) => {
                self.given[slot] = None;
                self.dropped[slot] = false;
                self.last = None;
                Reply::ok(format!("{name} is unset\n"))
            }
            Err(r) => r,
        }
    }

    fn assign(&mut self, line: &str, name: &str, value_text: &str, append: bool) -> Reply {
        let slot = match self.slot_of(name, line) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let offset = line.len() - value_text.len();
        let value = match self.value_for(slot, value_text, offset, append) {
            Ok(v) => v,
            Err(diags) => {
                let diags: Vec<Diagnostic> = diags
                    .into_iter()
                    .map(|d| d.with_source(&Source::new("input", line)))
                    .collect();
                return Reply::fail(self.diagnostics(&diags));
            }
        };
        let value_span = Span::new(offset, line.len());
        if append {
            return self.append(line, name, slot, value, value_span);
        }
        self.settle();
        let longest = lists::longest_list(&value);
        if longest > MAX_LIST_ITEMS {
            let d = lists::too_many_items(name, longest, value_span);
            return self.line_error(line, d);
        }
        let shown = self.echo(&value);
        self.given[slot] = Some(value);
        self.last = None;
        Reply::ok(format!("{name} = {shown}\n"))
    }

    /// `name += item`: the item goes on the end of the list being added to (see
    /// [`Appending`]), which is started from the input's value when it is another list's turn.
    fn append(&mut self, line: &str, name: &str, slot: usize, item: Value, span: Span) -> Reply {
        if self.appending.as_ref().is_none_or(|a| a.slot != slot) {
            self.settle();
            let items: Vec<Value> = match self.given[slot].clone().or_else(|| {
                self.loaded
                    .as_ref()
                    .and_then(|l| l.protocol.program().inputs[slot].default.clone())
            }) {
                Some(Value::List(items)) => items.to_vec(),
                _ => Vec::new(),
            };
            self.appending = Some(Appending { slot, items });
        }
        let count = self.appending.as_ref().map_or(0, |a| a.items.len()) + 1;
        let longest = count.max(lists::longest_list(&item));
        if longest > MAX_LIST_ITEMS {
            let d = lists::too_many_items(name, longest, span);
            return self.line_error(line, d);
        }
        let Some(appending) = self.appending.as_mut() else {
            return Reply::fail("");
        };
        appending.items.push(item);
        self.last = None;
        let shown = match (&self.loaded, self.appending.as_ref()) {
            (Some(l), Some(a)) => lists::echo_items(l.protocol.program(), &a.items),
            _ => String::new(),
        };
        Reply::ok(format!("{name} = {shown}\n"))
    }

    /// Builds the list being added to with `+=` into its input's value: before any line other
    /// than another `+=` to it reads the patient's values.
    fn settle(&mut self) {
        if let Some(Appending { slot, items }) = self.appending.take() {
            if let Some(place) = self.given.get_mut(slot) {
                *place = Some(Value::List(items.into()));
            }
        }
    }

    fn echo(&self, v: &Value) -> String {
        match &self.loaded {
            Some(l) => lists::echo(l.protocol.program(), v),
            None => String::new(),
        }
    }

    /// Parses and checks a written value for an input (spans shifted to the whole line).
    fn value_for(
        &self,
        slot: usize,
        text: &str,
        offset: usize,
        append: bool,
    ) -> Result<Value, Vec<Diagnostic>> {
        let Some(loaded) = &self.loaded else {
            return Err(Vec::new());
        };
        let shift = |mut d: Diagnostic| {
            for l in &mut d.labels {
                l.span = Span::new(l.span.start + offset, l.span.end + offset);
            }
            d
        };
        if text.trim().is_empty() {
            let name = &loaded.protocol.program().inputs[slot].name;
            return Err(vec![Diagnostic::error(
                Code::ReplBadValue,
                format!("`{name} =` gives no value"),
            )
            .with_label(Span::new(offset, offset + text.len()), "no value after `=`")
            .with_help(format!(
                "write a value, e.g. `{name} = …` (`:inputs` shows its kind); `:unset {name}` \
                 forgets it"
            ))]);
        }
        let v = syntax::parse_value(text).map_err(|d| vec![shift(d)])?;
        let v = shift_value(v, offset);
        let mut scope = Scope::new(loaded.protocol.ast(), loaded.protocol.source());
        let result = if append {
            // `+=` is REPL notation: the REPL says so, and the checker only converts the item.
            let spec = &loaded.protocol.program().inputs[slot];
            if !matches!(spec.ty, Type::List(_)) {
                return Err(vec![Diagnostic::error(
                    Code::ReplNotAList,
                    format!("`{}` is not a list: set it with `=`", spec.name),
                )
                .with_label(v.span, "one item")
                .with_help(format!("write `{} = …`", spec.name))]);
            }
            scope.list_item_value(slot, &v)
        } else {
            scope.input_value(slot, &v)
        };
        result.map_err(|diags| {
            if diags.is_empty() {
                vec![
                    Diagnostic::error(Code::ReplBadValue, "this value does not fit the input")
                        .with_label(Span::new(offset, offset + text.len()), "not accepted")
                        .with_help("`:inputs` shows each input's kind and allowed range"),
                ]
            } else {
                diags
            }
        })
    }

    /// The patient's values with defaults, `Missing` where not given (no error).
    pub(super) fn values_with_defaults(&self) -> Vec<Value> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        l.protocol
            .program()
            .inputs
            .iter()
            .zip(&self.given)
            .map(|(spec, v)| {
                v.clone()
                    .or_else(|| spec.default.clone())
                    .unwrap_or(Value::Missing)
            })
            .collect()
    }

    fn inputs(&self, line: &str) -> Reply {
        let loaded = match self.need_protocol(line) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let program = loaded.protocol.program();
        let mut rows = vec![[
            "input".to_string(),
            "kind".into(),
            "allowed".into(),
            "value".into(),
        ]];
        for (slot, (spec, v)) in program.inputs.iter().zip(&self.given).enumerate() {
            // Shortened like a value: a choice of 100,000 names is one line of 80 characters,
            // not of a megabyte.
            let kind = crate::display::quoted(&program.kind_of(&spec.ty, spec.whole));
            let allowed = spec
                .range
                .as_ref()
                .map(|(lo, hi)| format!("{lo}..{hi}"))
                .unwrap_or_default();
            let value = match (v, &spec.default) {
                (Some(v), _) => shown(v, program),
                (None, _) if self.is_dropped(slot) => "DROPPED on reload (set it again)".into(),
                (None, Some(d)) => format!("{} (default)", shown(d, program)),
                (None, None) if spec.optional => "not given (optional)".into(),
                (None, None) => "MISSING (required)".into(),
            };
            rows.push([spec.name.clone(), kind, allowed, value]);
        }
        Reply::ok(table(&rows))
    }

    /// `:save FILE` writes a new file only; `:save! FILE` may replace an existing one. Neither
    /// writes through a symbolic link, nor over the loaded protocol (it would be lost, and
    /// `:reload` with it).
    fn save(&self, path: &Path, line: &str, options: WriteOptions) -> Reply {
        let loaded = match self.need_protocol(line) {
            Ok(l) => l,
            Err(r) => return r,
        };
        if path.as_os_str().is_empty() {
            return Reply::fail("usage: :save FILE.json\n");
        }
        if path == loaded.path || files::same_file(path, &loaded.path) {
            return self.command_error(
                line,
                Code::ReplSaveOverProtocol,
                &format!(
                    "{} is the loaded protocol; the patient's values are never saved over it",
                    path.display()
                ),
                "save the values to a patient file of their own: `:save patient.json`",
            );
        }
        // JSON only: a `.yaml` or `.toml` name holding JSON would not read back as one.
        let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        if extension.as_deref().is_some_and(|e| e != "json") {
            return self.command_error(
                line,
                Code::ReplSaveFormat,
                &format!(
                    "`:save` writes JSON, so it does not write {}",
                    crate::display::shown(&path.display().to_string())
                ),
                "name the file with .json (or no extension): `:save patient.json`",
            );
        }
        let json = input::to_patient_json(loaded.protocol.program(), &self.given);
        let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        if text.len() > input::MAX_PATIENT_BYTES {
            return self.command_error(
                line,
                Code::IoTooLarge,
                &format!(
                    "the values come to {} bytes, more than a patient file may hold ({} bytes): \
                     it could not be read back",
                    text.len(),
                    input::MAX_PATIENT_BYTES
                ),
                "shorten the longest values (`:inputs` lists them), then save again",
            );
        }
        match files::write_text(path, &text, options) {
            Ok(()) => {
                let count = self.given.iter().filter(|v| v.is_some()).count();
                let noun = if count == 1 { "value" } else { "values" };
                Reply::ok(format!("saved {count} {noun} to {}\n", path.display()))
            }
            Err(d) => {
                let d = if d.code == Code::IoExists {
                    d.with_help(format!(
                        "`:save! {}` replaces it; or choose another name",
                        path.display()
                    ))
                } else {
                    d
                };
                Reply::fail(self.diagnostics(&[d]))
            }
        }
    }

    /// True when the slot's value was dropped by `:reload` and not set or unset since.
    fn is_dropped(&self, slot: usize) -> bool {
        self.dropped.get(slot).copied().unwrap_or(false)
            && self.given.get(slot).is_some_and(Option::is_none)
    }

    /// Decides for the current values (with the trace kept for `:why`).
    pub(super) fn decide(&self) -> Result<Decision, Undecided> {
        self.decide_spending(&crate::eval::Budget::default())
    }

    /// [`Session::decide`], spending from `budget` (shared by the rows of a `:sweep`).
    pub(super) fn decide_spending(
        &self,
        budget: &crate::eval::Budget,
    ) -> Result<Decision, Undecided> {
        let Some(loaded) = &self.loaded else {
            return Err(Undecided::NoProtocol);
        };
        // A value dropped by `:reload` is not quietly replaced by the input's default.
        let dropped: Vec<&str> = loaded
            .protocol
            .program()
            .inputs
            .iter()
            .enumerate()
            .filter(|(slot, _)| self.is_dropped(*slot))
            .map(|(_, spec)| spec.name.as_str())
            .collect();
        if !dropped.is_empty() {
            let sets: Vec<String> = dropped.iter().map(|m| format!("`{m} = …`")).collect();
            let unsets: Vec<String> = dropped.iter().map(|m| format!("`:unset {m}`")).collect();
            return Err(Undecided::Dropped(format!(
                "the value{} of {} {} dropped when the protocol was reloaded (set {} again: {}, or {} to leave {} to the protocol)\n",
                if dropped.len() == 1 { "" } else { "s" },
                dropped.join(", "),
                if dropped.len() == 1 { "was" } else { "were" },
                if dropped.len() == 1 { "it" } else { "them" },
                sets.join(", "),
                unsets.join(", "),
                if dropped.len() == 1 { "it" } else { "them" },
            )));
        }
        let values =
            input::complete_given(loaded.protocol.program(), &self.given).map_err(|missing| {
                let sets: Vec<String> = missing.iter().map(|m| format!("`{m} = …`")).collect();
                Undecided::Missing(format!(
                    "missing required input{}: {} (set {})\n",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    sets.join(", ")
                ))
            })?;
        let patient = loaded.protocol.patient(values);
        loaded
            .protocol
            .evaluate_spending(&patient, Options { trace: true }, budget)
            .map_err(|d| Undecided::Refused(self.diagnostics(&[d])))
    }

    fn run(&mut self, line: &str) -> Reply {
        let loaded = match self.need_protocol(line) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let program = loaded.protocol.program();
        match self.decide() {
            Ok(decision) => {
                let text = report::text::decision(program, &decision, false);
                self.last = Some(decision);
                Reply::ok(text)
            }
            Err(why) => self.command_error(line, Code::ReplCannotDecide, why.message(), why.help()),
        }
    }

    fn why(&self) -> Reply {
        match &self.last {
            Some(d) => Reply::ok(report::text::why(d)),
            None => Reply::fail(
                self.diagnostics(&[Diagnostic::error(
                    Code::ReplNoDecision,
                    "there is no decision to explain yet",
                )
                .with_help("decide first with `:run`")]),
            ),
        }
    }

    fn step(&mut self, line: &str) -> Reply {
        if self.last.is_none() {
            let r = self.run(line);
            if !r.ok {
                return r;
            }
        }
        let (Some(loaded), Some(decision)) = (&self.loaded, &self.last) else {
            return self.command_error(
                line,
                Code::ReplNoDecision,
                "there is no decision yet",
                "decide first with `:run`",
            );
        };
        let program = loaded.protocol.program();
        let next = decision
            .next
            .as_ref()
            .and_then(|n| n.phase.clone())
            .or_else(|| (decision.path.len() > 1).then(|| decision.phase.clone()));
        let Some(next) = next else {
            return Reply::ok(format!(
                "the decision names no next phase: it stays in {}\n",
                decision.phase
            ));
        };
        let Some(begin) = &program.begin else {
            return self.command_error(
                line,
                Code::ReplStep,
                "this protocol has one phase: there is nothing to step to",
                "`:run` shows its decision",
            );
        };
        let (CExprKind::Input(slot), Type::Enum(id)) = (&begin.kind, &begin.ty) else {
            return self.command_error(
                line,
                Code::ReplStep,
                "this protocol's phase is not a plain input",
                "set the input its `begin at` reads yourself",
            );
        };
        let Some(index) = program.enums[*id as usize]
            .values
            .iter()
            .position(|v| *v == next)
        else {
            return self.command_error(
                line,
                Code::ReplStep,
                &format!("the phase `{next}` is not a choice of the phase input"),
                "set the phase input yourself",
            );
        };
        let name = program.inputs[*slot].name.clone();
        self.given[*slot] = Some(Value::Enum(*id, index as u32));
        self.last = None;
        Reply::ok(format!(
            "{name} = {next}   (`:run` to see what comes next)\n"
        ))
    }

    fn evaluate_line(&mut self, line: &str) -> Reply {
        let loaded = match self.need_protocol(line) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let source = Source::new("input", line);
        let e = match syntax::parse_expr(line) {
            Ok(e) => e,
            Err(d) => return Reply::fail(self.diagnostics(&[d.with_source(&source)])),
        };
        let mut scope = Scope::new(loaded.protocol.ast(), loaded.protocol.source());
        let c = match scope.expr(&e) {
            Ok(c) => c,
            Err(diags) => {
                let diags: Vec<Diagnostic> =
                    diags.into_iter().map(|d| d.with_source(&source)).collect();
                return Reply::fail(self.diagnostics(&diags));
            }
        };
        let values = self.values_with_defaults();
        let mut env = Env::new(loaded.protocol.program(), &values);
        match env.eval(&c) {
            Ok(v) => Reply::ok(format!("{}\n", shown(&v, loaded.protocol.program()))),
            Err(d) => {
                // Errors inside the line point into it; those inside a `let` into the protocol.
                let inside_line =
                    d.primary_span().is_some_and(|s| s.end <= line.len()) && d.source.is_none();
                let d = if inside_line && !refers_to_protocol(&d, &c) {
                    d.with_source(&source)
                } else {
                    d.with_source(loaded.protocol.source())
                };
                Reply::fail(self.diagnostics(&[d]))
            }
        }
    }
}

/// A reply with every character that could act on a terminal escaped (line breaks kept): the
/// one boundary everything the session prints passes, whatever part of it came from a file.
fn terminal_safe(mut reply: Reply) -> Reply {
    if let std::borrow::Cow::Owned(safe) = crate::display::terminal_safe(&reply.text) {
        reply.text = safe;
    }
    reply
}

/// A value as the session shows it: escaped, and shortened when long (a list of 2,000 test
/// doses is not echoed whole).
fn shown(v: &Value, program: &Program) -> String {
    crate::display::shown(&Shown(v, program).to_string())
}

/// True when a run-time error comes from a `let` (its span is in the protocol, not the line).
fn refers_to_protocol(d: &Diagnostic, line_expr: &crate::check::CExpr) -> bool {
    let span = d.primary_span().unwrap_or_default();
    !(span.start >= line_expr.span.start && span.end <= line_expr.span.end)
        || references_let(line_expr)
}

fn references_let(e: &crate::check::CExpr) -> bool {
    matches!(e.kind, CExprKind::Let(_))
}

/// `name = value` or `name += value` (not `==`).
fn assignment(line: &str) -> Option<(&str, &str, bool)> {
    let (left, right) = line.split_once('=')?;
    if right.starts_with('=') || left.ends_with(['!', '<', '>']) {
        return None;
    }
    let (name, append) = match left.trim_end().strip_suffix('+') {
        Some(n) => (n.trim(), true),
        None => (left.trim(), false),
    };
    let is_name = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    is_name.then_some((name, right, append))
}

/// A value's spans moved right by `offset` (it was parsed out of a longer line).
fn shift_value(mut v: ast::Value, offset: usize) -> ast::Value {
    fn shift(s: &mut Span, offset: usize) {
        *s = Span::new(s.start + offset, s.end + offset);
    }
    fn shift_expr(e: &mut ast::Expr, offset: usize) {
        shift(&mut e.span, offset);
        match &mut e.kind {
            ast::ExprKind::Quantity {
                unit: Some((_, s)), ..
            } => shift(s, offset),
            ast::ExprKind::Unary(_, a) => shift_expr(a, offset),
            ast::ExprKind::Binary(_, a, b) => {
                shift_expr(a, offset);
                shift_expr(b, offset);
            }
            ast::ExprKind::List(items) => items.iter_mut().for_each(|i| shift_expr(i, offset)),
            _ => {}
        }
    }
    shift(&mut v.span, offset);
    match &mut v.kind {
        ast::ValueKind::Record(fields) => {
            for (name, value) in fields.iter_mut() {
                shift(&mut name.span, offset);
                *value = shift_value(value.clone(), offset);
            }
        }
        ast::ValueKind::List(items) => {
            for item in items.iter_mut() {
                *item = shift_value(item.clone(), offset);
            }
        }
        ast::ValueKind::Expr(e) => shift_expr(e, offset),
    }
    v
}

/// Left-aligned columns.
pub(super) fn table(rows: &[[String; 4]]) -> String {
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            line.push_str(&crate::display::pad(cell, widths[i]));
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Why the session could not decide for its current values: each reason has its own remedy.
pub(super) enum Undecided {
    /// No protocol is loaded.
    NoProtocol,
    /// Values the clinician set were dropped by `:reload` (the message names them).
    Dropped(String),
    /// Required inputs have no value (the message names them).
    Missing(String),
    /// The protocol refused the values or could not decide with them (the rendered diagnostic).
    Refused(String),
}

impl Undecided {
    /// What went wrong, as the REPL shows it.
    pub(super) fn message(&self) -> &str {
        match self {
            Undecided::NoProtocol => "no protocol is loaded: `:load FILE`\n",
            Undecided::Dropped(m) | Undecided::Missing(m) | Undecided::Refused(m) => m,
        }
    }

    /// What to do about it.
    fn help(&self) -> &'static str {
        match self {
            Undecided::NoProtocol => "load one with `:load protocols/baclofen_intrathecal.dose`",
            Undecided::Dropped(_) => {
                "set the dropped inputs again with `name = value`, or `:unset` them to leave them to the protocol"
            }
            Undecided::Missing(_) => {
                "set the missing inputs with `name = value`, or read a patient file with `:patient FILE`"
            }
            Undecided::Refused(_) => {
                "change the value the message above names with `name = value`, then `:run` again"
            }
        }
    }
}
