//! The `posology` command line: check, run and test protocols. It only reads files, calls the
//! library and prints; all language logic lives in the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use posology::check::Program;
use posology::cohort::{self, Outcome, RowFormat, Summary};
use posology::diagnostics::{self, Code, Diagnostic, RenderStyle, Source};
use posology::files::{self, Limit, WriteOptions};
use posology::input::{Format, PATIENT_FILE};
use posology::report::diff::DiffSummary;
use posology::syntax::PROTOCOL_FILE;
use posology::{report, testing, Options, Protocol};

/// A cohort run allocates and frees a few hundred small blocks per patient (the decision, its
/// JSON record); mimalloc does that in about half the time of glibc's malloc, and keeps each
/// worker thread to a heap of its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints to standard output, ignoring a closed pipe: `posology test … | head` must end
/// quietly, not panic.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Like `println!`, without the newline.
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Prints to standard error, ignoring a closed pipe.
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Posology: dosing protocols that check themselves.
#[derive(Parser)]
#[command(name = "posology", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check protocol files (or directories of them) for mistakes, without running anything.
    Check {
        /// Protocol files (`.dose`) or directories to search for them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Write each witness patient the verifier finds (in a gap or an overlap of a decision
        /// block) as a case file `DIR/<protocol>_<code>_<n>.json`, to run and snapshot.
        #[arg(long, value_name = "DIR")]
        witnesses: Option<PathBuf>,
    },
    /// Run a protocol on one patient's data and print the decision.
    Run {
        /// The protocol file.
        protocol: PathBuf,
        /// The patient file (.json, .yaml, .toml), or `-` for standard input.
        #[arg(long)]
        patient: PathBuf,
        /// The patient file's format, when it cannot be told from its name (needed for `-`).
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        /// Text for people or JSON for programs.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Explain the decision: every rule tried, with the values it read.
        #[arg(long)]
        trace: bool,
        /// Set an input over the patient file, as NAME=VALUE (e.g. dose="10 mg").
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
    },
    /// Decide for every patient of a file (JSON Lines or CSV), one decision per row in input
    /// order, with a summary on standard error.
    Cohort {
        /// The protocol file.
        protocol: PathBuf,
        /// The patients: a .jsonl file (one patient object per line) or a .csv file (a header
        /// row naming inputs), or `-` for standard input.
        #[arg(long)]
        patients: PathBuf,
        /// The patients file's format, when it cannot be told from its name (`-` is read as
        /// jsonl unless this says csv).
        #[arg(long, value_enum)]
        input_format: Option<CohortInput>,
        /// One JSON record per line (`json` is the same), or CSV rows.
        #[arg(long, value_enum, default_value_t = CohortOutput::Jsonl)]
        format: CohortOutput,
        /// How many patients are decided at once, 1 to 256 (default: the machine's cores).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=cohort::MAX_JOBS as i64))]
        jobs: Option<u16>,
        /// Also write the summary as JSON to FILE (replaced if it exists; never through a link).
        #[arg(long, value_name = "FILE")]
        summary_json: Option<PathBuf>,
    },
    /// Compare two versions of a protocol over a cohort: one line for each patient whose
    /// decision changes (old beside new), then a summary of the changes.
    Diff {
        /// The protocol in use.
        old: PathBuf,
        /// The version proposed to replace it.
        new: PathBuf,
        /// The patients: a .jsonl or .csv file (as for `cohort`), or `-` for standard input.
        #[arg(long)]
        patients: PathBuf,
        /// The patients file's format, when it cannot be told from its name.
        #[arg(long, value_enum)]
        input_format: Option<CohortInput>,
        /// Text for people, or JSON lines for programs (each change, then the summary).
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// How many patients are decided at once, 1 to 256 (default: the machine's cores).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=cohort::MAX_JOBS as i64))]
        jobs: Option<u16>,
    },
    /// Rewrite protocol files in canonical layout (comments kept, meaning unchanged).
    Fmt {
        /// Protocol files or directories.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: show a diff for each file that is not formatted, and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Explore a protocol interactively: set inputs, decide, ask why, sweep, step through phases.
    Repl {
        /// The protocol to load (or `:load` it later).
        protocol: Option<PathBuf>,
        /// A patient file to start from.
        #[arg(long)]
        patient: Option<PathBuf>,
    },
    /// Explain a diagnostic code (e.g. `posology explain unit::mismatch`), or list them all.
    Explain {
        /// The code, with or without its `posology::` prefix.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        code: Option<String>,
        /// Print every code's explanation as Markdown (the text of docs/diagnostics.md).
        #[arg(long)]
        all: bool,
    },
    /// Run the examples written in protocol files (or directories of them).
    Test {
        /// Protocol files or directories.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also run the patient cases beside each protocol (`NAME/cases/`) and report the
        /// rules, proposal rules, limits and requirements that nothing exercises (exit 1 if any).
        #[arg(long)]
        coverage: bool,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CohortInput {
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CohortOutput {
    #[value(alias = "json")]
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    Json,
    Yaml,
    Toml,
}

/// The command line, or exit with clap's usage error (status 2) or help. A usage error quotes
/// the argument as it was given, and an argument can come from a glob over hostile file names
/// (`posology check *`): like every other output, the error is printed with control
/// characters, lone carriage returns and bidirectional overrides escaped.
fn parse_command_line() -> Cli {
    let e = match Cli::try_parse() {
        Ok(cli) => return cli,
        Err(e) => e,
    };
    use clap::error::ErrorKind;
    // `posology` alone prints the list of commands, as clap does (exit 2: nothing was run).
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Our own text, not the user's: shown as clap styles it.
        e.exit();
    }
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let diagnostic = usage_diagnostic(&e.render().to_string());
    print_failure_as(usage_output(&args), &[diagnostic]);
    std::process::exit(e.exit_code());
}

/// How a command prints the diagnostics that stop it.
#[derive(Clone, Copy)]
enum FailureOutput {
    /// Drawn on standard error.
    Text,
    /// The JSON array `check --format json` prints.
    JsonArray,
    /// That array on one line (`diff --format json`: JSON Lines).
    JsonLine,
    /// A `cohort` error record on one line (JSON Lines, its default).
    CohortRecord,
}

/// Prints diagnostics that stop a command, as `output` says.
fn print_failure_as(output: FailureOutput, diags: &[Diagnostic]) {
    let json = || diags.iter().map(diagnostics::to_json).collect::<Vec<_>>();
    match output {
        FailureOutput::Text => print_diags(diags),
        FailureOutput::JsonArray => println!(
            "{}",
            serde_json::to_string_pretty(&json()).unwrap_or_default()
        ),
        FailureOutput::JsonLine => println!("{}", serde_json::Value::Array(json())),
        FailureOutput::CohortRecord => println!("{}", cohort::error_json(None, diags)),
    }
}

/// The output a usage error takes for the raw arguments (clap could not read them), as its
/// command prints any failure: the command is the first word that is not an option, the
/// format the value of `--format`.
fn usage_output(args: &[std::ffi::OsString]) -> FailureOutput {
    // Words after `--` are values (file names), not options.
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let args = &args[..end];
    let command = args.iter().find(|a| !a.to_string_lossy().starts_with('-'));
    let format = args.iter().enumerate().find_map(|(i, a)| {
        let a = a.to_string_lossy();
        match a.strip_prefix("--format=") {
            Some(v) => Some(v.to_string()),
            None if a == "--format" => args.get(i + 1).map(|v| v.to_string_lossy().into_owned()),
            None => None,
        }
    });
    let json = matches!(format.as_deref(), Some("json" | "jsonl"));
    match command.map(|c| c.to_string_lossy()) {
        Some(c) if c == "cohort" && format.as_deref() != Some("csv") => FailureOutput::CohortRecord,
        Some(c) if c == "diff" && json => FailureOutput::JsonLine,
        _ if json => FailureOutput::JsonArray,
        _ => FailureOutput::Text,
    }
}

/// A usage error from clap as a coded diagnostic: its first paragraph the message (`the
/// following required arguments were not provided: --patient <PATIENT>`), the others (tips,
/// the usage, where to read more) the help.
fn usage_diagnostic(rendered: &str) -> Diagnostic {
    let safe = posology::display::terminal_safe(rendered);
    let mut paragraphs = safe
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty());
    let first = paragraphs.next().unwrap_or_default();
    let (head, items) = first
        .split_first()
        .map_or(("the command line cannot be read", &[][..]), |(h, rest)| {
            (*h, rest)
        });
    let head = head.trim_start_matches("error:").trim();
    let message = match items {
        [] => head.to_string(),
        items => format!("{head} {}", items.join(", ")),
    };
    let help: Vec<String> = paragraphs.map(|p| p.join(" ")).collect();
    let d = Diagnostic::error(Code::CliUsage, message);
    if help.is_empty() {
        d
    } else {
        d.with_help(help.join("\n"))
    }
}

fn main() -> ExitCode {
    let cli = parse_command_line();
    let ok = match cli.command {
        Command::Check {
            files,
            format,
            witnesses,
        } => cmd_check(&files, format, witnesses.as_deref()),
        Command::Run {
            protocol,
            patient,
            input_format,
            format,
            trace,
            set,
        } => cmd_run(&protocol, &patient, input_format, format, trace, &set),
        Command::Cohort {
            protocol,
            patients,
            input_format,
            format,
            jobs,
            summary_json,
        } => cmd_cohort(&CohortArgs {
            protocol,
            patients,
            input_format: input_format.map(CohortInput::row_format),
            csv: format == CohortOutput::Csv,
            jobs: jobs.map(usize::from),
            summary_json,
        }),
        Command::Diff {
            old,
            new,
            patients,
            input_format,
            format,
            jobs,
        } => cmd_diff(&DiffArgs {
            old,
            new,
            patients,
            input_format: input_format.map(CohortInput::row_format),
            json: format == OutputFormat::Json,
            jobs: jobs.map(usize::from),
        }),
        Command::Test { files, coverage } => cmd_test(&files, coverage),
        Command::Fmt { files, check } => cmd_fmt(&files, check),
        Command::Explain { code, all } => cmd_explain(code.as_deref(), all),
        Command::Repl { protocol, patient } => {
            posology::repl::run(protocol.as_deref(), patient.as_deref())
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Graphical diagnostics on a terminal; plain text when piped or when NO_COLOR is set.
fn style() -> RenderStyle {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if std::io::stderr().is_terminal() && !no_color {
        RenderStyle::Fancy
    } else {
        RenderStyle::Plain
    }
}

/// A file name as printed: a name found in a directory may hold an escape sequence, which is
/// shown escaped, never sent to the terminal.
fn shown(path: &Path) -> String {
    posology::display::escape(&path.display().to_string()).into_owned()
}

/// Prints one code's explanation, or every code's (`--all`).
fn cmd_explain(code: Option<&str>, all: bool) -> bool {
    if all {
        print!("{}", diagnostics::explain_all());
        return true;
    }
    match diagnostics::explain(code.unwrap_or_default()) {
        Ok(text) => {
            print!("{text}");
            true
        }
        Err(d) => {
            print_diags(&[d]);
            false
        }
    }
}

fn print_diags(diags: &[Diagnostic]) {
    eprint!("{}", diagnostics::render_all(diags, style()));
}

/// Reads a protocol or patient file (or standard input, for `-`) through the library's one
/// reader: regular files only, at most `limit` bytes, UTF-8.
fn read_text(path: &Path, limit: Limit) -> Result<String, Diagnostic> {
    if path == Path::new("-") {
        files::read_stream("standard input", std::io::stdin().lock(), limit)
    } else {
        files::read_text(path, limit)
    }
}

/// Every `.dose` file named, or found under a named directory, each once; and what could not
/// be searched (errors) or was passed over (warnings).
fn protocol_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let found = files::find_files(paths, "dose");
    (found.files, found.diagnostics)
}

/// Finds the protocol files and prints what the search passed over; the flag is false when a
/// directory could not be read (the command then fails, after doing what it can).
fn protocol_files_or_print(paths: &[PathBuf]) -> (Vec<PathBuf>, bool) {
    let (files, diags) = protocol_files(paths);
    print_diags(&diags);
    let ok = !diags.iter().any(Diagnostic::is_error);
    (files, ok)
}

/// Checks a protocol's text; prints its diagnostics (warnings too, if asked).
fn check_text(path: &Path, text: &str, print_warnings: bool) -> Result<Protocol, Vec<Diagnostic>> {
    let loaded = Protocol::load(path.display().to_string(), text);
    match &loaded {
        Ok(protocol) if print_warnings => print_diags(protocol.warnings()),
        Ok(_) => {}
        Err(diags) => print_diags(diags),
    }
    loaded
}

fn cmd_check(paths: &[PathBuf], format: OutputFormat, witness_dir: Option<&Path>) -> bool {
    let (files, walk_diags) = protocol_files(paths);
    let mut ok = !walk_diags.iter().any(Diagnostic::is_error);
    if format == OutputFormat::Text {
        print_diags(&walk_diags);
    }
    let mut all = walk_diags;
    for file in &files {
        let (protocol, mut diags, witnesses) = match read_text(file, PROTOCOL_FILE) {
            Ok(text) => Protocol::check_with_witnesses(file.display().to_string(), &text),
            Err(d) => (None, vec![d], Vec::new()),
        };
        let mut written = Vec::new();
        if let Some(dir) = witness_dir {
            match write_witnesses(dir, file, &witnesses) {
                Ok(files) => written = files,
                Err(d) => {
                    ok = false;
                    diags.push(d);
                }
            }
        }
        let checked = protocol.is_some();
        ok &= checked;
        if format == OutputFormat::Text {
            print_diags(&diags);
            // Which file shows what: the names count per code, so they do not say which rule
            // or `choose` alternative a witness is for.
            for (path, about) in &written {
                println!("witness {}: {about}", shown(path));
            }
            if checked {
                println!("{}: ok", shown(file));
            }
        }
        all.extend(diags);
    }
    if format == OutputFormat::Json {
        let json: Vec<_> = all.iter().map(diagnostics::to_json).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    }
    ok
}

/// Writes each witness patient as `DIR/<protocol>_<code>_<n>.json` (the protocol named after
/// its file, the code without `posology::` and with `_` for `::`, `n` counting from 1 per
/// code), replacing earlier ones; gives each file written with what it shows.
fn write_witnesses(
    dir: &Path,
    file: &Path,
    witnesses: &[posology::check::Witness],
) -> Result<Vec<(PathBuf, String)>, Diagnostic> {
    let mut written = Vec::new();
    if witnesses.is_empty() {
        return Ok(written);
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::error(
            Code::IoWrite,
            format!("cannot create the directory {}: {e}", shown(dir)),
        )
        .with_help("name a directory that can be written to for --witnesses")
    })?;
    let stem = file
        .file_stem()
        .map_or_else(|| "protocol".into(), |s| s.to_string_lossy().into_owned());
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for w in witnesses {
        // `posology::verify::gap` → `verify_gap` (the crate's prefix left out).
        let code = w.code.split("::").skip(1).collect::<Vec<_>>().join("_");
        let n = counts.entry(code.clone()).or_insert(0);
        *n += 1;
        let path = dir.join(format!("{stem}_{code}_{n}.json"));
        let json = serde_json::Value::Object(w.patient.clone());
        let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        files::write_text(&path, &text, WriteOptions::REPLACE)?;
        written.push((path, w.about.clone()));
    }
    Ok(written)
}

fn cmd_run(
    protocol: &Path,
    patient: &Path,
    input_format: Option<InputFormat>,
    format: OutputFormat,
    trace: bool,
    set: &[String],
) -> bool {
    let json = format == OutputFormat::Json;
    let decided = load_quietly(protocol).and_then(|protocol| {
        let patient = read_patient_file(&protocol, patient, input_format, set)?;
        let decision = protocol
            .evaluate(&patient, Options { trace })
            .map_err(|d| vec![d])?;
        Ok((protocol, decision))
    });
    let (protocol, decision) = match decided {
        Ok(both) => both,
        Err(diags) => {
            print_failure(json, &diags);
            return false;
        }
    };
    let program = protocol.program();
    if json {
        let json = report::json::decision(program, &decision, trace);
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        print!("{}", report::text::decision(program, &decision, trace));
    }
    true
}

/// Reads a patient file (or standard input) against a protocol, with `--set` overrides.
fn read_patient_file(
    protocol: &Protocol,
    patient: &Path,
    input_format: Option<InputFormat>,
    set: &[String],
) -> Result<posology::Patient, Vec<Diagnostic>> {
    let patient_format = match input_format {
        Some(InputFormat::Json) => Some(Format::Json),
        Some(InputFormat::Yaml) => Some(Format::Yaml),
        Some(InputFormat::Toml) => Some(Format::Toml),
        None => Format::from_path(patient),
    };
    let Some(patient_format) = patient_format else {
        return Err(vec![Diagnostic::error(
            Code::InputFormat,
            format!("cannot tell the format of {}", patient.display()),
        )
        .with_help(
            "name the file .json, .yaml or .toml, or give --input-format json|yaml|toml",
        )]);
    };
    let text = read_text(patient, PATIENT_FILE).map_err(|d| vec![d])?;
    protocol.read_patient(patient.display().to_string(), &text, patient_format, set)
}

/// Runs a protocol's cases and prints what its examples and cases exercised: how many cases
/// failed to be read, and how many rules, limits and requirements nothing exercised.
fn print_coverage(file: &Path, protocol: &Protocol, mut fired: Vec<String>) -> (usize, usize) {
    let mut failed = 0usize;
    let mut cases = 0usize;
    let case_files = match testing::listed_case_files(file) {
        Ok(files) => files,
        Err(d) => {
            failed += 1;
            println!("FAILED {}: its cases cannot be listed", shown(file));
            print_diags(&[d]);
            Vec::new()
        }
    };
    for case in case_files {
        let result = testing::run_case(protocol, &case);
        // A case that cannot be read exercised nothing: it fails and is not counted.
        if let Some(d) = &result.unreadable {
            failed += 1;
            println!(
                "FAILED {}: case {} cannot be read",
                shown(file),
                shown(&case)
            );
            print_diags(std::slice::from_ref(d));
            continue;
        }
        cases += 1;
        fired.extend(result.fired);
    }
    let groups = testing::coverage(protocol.program(), &fired);
    let total: usize = groups.iter().map(|g| g.total).sum();
    let missing: usize = groups.iter().map(|g| g.missing.len()).sum();
    let examples = protocol.program().examples.len();
    println!(
        "coverage {}: {} of {total} exercised by {examples} example{} and {cases} case{}",
        shown(file),
        total - missing,
        if examples == 1 { "" } else { "s" },
        if cases == 1 { "" } else { "s" },
    );
    for g in groups.iter().filter(|g| g.total > 0) {
        println!(
            "         {}: {} of {}",
            g.what,
            g.total - g.missing.len(),
            g.total
        );
        for id in &g.missing {
            println!("           not exercised: {id}");
        }
    }
    (failed, missing)
}

fn cmd_test(paths: &[PathBuf], coverage: bool) -> bool {
    let (files, searched) = protocol_files_or_print(paths);
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut uncovered = 0usize;
    for file in &files {
        // A file that cannot be read says why, once; "does not check" is for protocols read.
        let text = match read_text(file, PROTOCOL_FILE) {
            Ok(t) => t,
            Err(d) => {
                print_diags(&[d]);
                failed += 1;
                continue;
            }
        };
        let Ok(protocol) = check_text(file, &text, false) else {
            failed += 1;
            println!("{}: does not check", shown(file));
            continue;
        };
        let mut fired: Vec<String> = Vec::new();
        for result in testing::run_examples(&protocol) {
            fired.extend(result.fired.iter().cloned());
            if result.passed() {
                passed += 1;
                println!("ok     {}: {}", shown(file), result.name);
                continue;
            }
            failed += 1;
            println!("FAILED {}: {}", shown(file), result.name);
            for f in &result.failures {
                println!("         {f}");
            }
            if let Some(d) = &result.error {
                print_diags(std::slice::from_ref(d));
            }
        }
        if protocol.program().examples.is_empty() {
            // Nothing tested is not a pass: CI would go green on a protocol no one checked.
            failed += 1;
            println!(
                "FAILED {}: no examples, so nothing was tested (add `example \"…\" {{ given {{ … }} expect … }}`)",
                shown(file)
            );
        }
        if coverage {
            let (cases_failed, missing) = print_coverage(file, &protocol, fired);
            failed += cases_failed;
            uncovered += missing;
        }
    }
    println!("{passed} passed, {failed} failed");
    searched && failed == 0 && uncovered == 0
}

fn cmd_fmt(paths: &[PathBuf], check: bool) -> bool {
    let (files, mut ok) = protocol_files_or_print(paths);
    for file in &files {
        let text = match read_text(file, PROTOCOL_FILE) {
            Ok(t) => t,
            Err(d) => {
                print_diags(&[d]);
                ok = false;
                continue;
            }
        };
        let formatted = match posology::format::format(&text) {
            Ok(f) => f,
            Err(d) => {
                let source = Source::new(file.display().to_string(), text.as_str());
                print_diags(&[d.with_source(&source)]);
                ok = false;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            ok = false;
            println!("{} is not formatted:", shown(file));
            print!(
                "{}",
                posology::format::diff(&text, &formatted, &file.display().to_string())
            );
        } else if let Err(d) = files::write_text(file, &formatted, WriteOptions::REPLACE) {
            // Rewriting in place is what `fmt` is for; a link or a special file is still refused.
            print_diags(&[d]);
            ok = false;
        } else {
            println!("formatted {}", shown(file));
        }
    }
    ok
}

impl CohortInput {
    fn row_format(self) -> RowFormat {
        match self {
            CohortInput::Jsonl => RowFormat::Jsonl,
            CohortInput::Csv => RowFormat::Csv,
        }
    }
}

/// What `posology cohort` was asked to do.
struct CohortArgs {
    protocol: PathBuf,
    patients: PathBuf,
    input_format: Option<RowFormat>,
    csv: bool,
    jobs: Option<usize>,
    summary_json: Option<PathBuf>,
}

/// Prints diagnostics that stop a command: as JSON on standard output when JSON was asked
/// for (the array `check --format json` prints), else drawn on standard error.
fn print_failure(json: bool, diags: &[Diagnostic]) {
    let output = if json {
        FailureOutput::JsonArray
    } else {
        FailureOutput::Text
    };
    print_failure_as(output, diags);
}

/// Reads and checks a protocol, printing nothing.
fn load_quietly(path: &Path) -> Result<Protocol, Vec<Diagnostic>> {
    let text = read_text(path, PROTOCOL_FILE).map_err(|d| vec![d])?;
    Protocol::load(path.display().to_string(), &text)
}

/// A spinner counting patients on standard error, when it is a terminal.
fn progress() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} patients decided ({elapsed})")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// One outcome as it is written: a JSON line, or a CSV row; escaped when the output is a
/// terminal. Built on the worker that decided the row, so that writing the decisions out (a
/// full decision as JSON is most of a row's cost) runs on every worker, not on one thread.
fn render_outcome(program: &Program, outcome: &Outcome, csv: bool, terminal: bool) -> String {
    // Written straight into bytes, without building the record as a JSON value first.
    let mut bytes = Vec::with_capacity(2048);
    if csv {
        cohort::write_csv_row(&mut bytes, outcome);
    } else {
        cohort::write_jsonl(&mut bytes, program, outcome);
        bytes.push(b'\n');
    }
    // Only texts went in, so the bytes are UTF-8.
    let line = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    if terminal {
        posology::display::terminal_safe(&line).into_owned()
    } else {
        line
    }
}

/// Runs a protocol over a file of patients: one decision per row in input order on standard
/// output, the summary on standard error (and as JSON to a file, if asked). Fails when the
/// protocol or the file cannot be read, any row could not be read or decided, or the output
/// was closed before every row was written.
fn cmd_cohort(args: &CohortArgs) -> bool {
    let json = !args.csv;
    let ready = summary_not_over_input(args).and_then(|()| load_quietly(&args.protocol));
    let (protocol, rows) = match ready.and_then(|p| {
        Ok((
            p,
            cohort::open(&args.patients, args.input_format).map_err(|d| vec![d])?,
        ))
    }) {
        Ok(both) => both,
        // A run that cannot start is one error record of its JSON Lines.
        Err(diags) if json => {
            print_failure_as(FailureOutput::CohortRecord, &diags);
            return false;
        }
        Err(diags) => {
            print_diags(&diags);
            return false;
        }
    };
    let program = protocol.program();
    let bar = progress();
    let mut summary = Summary::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.csv {
        let _ = writeln!(out, "{}", cohort::CSV_COLUMNS.join(","));
    }
    let mut failed = 0usize;
    let jobs = args.jobs.unwrap_or_else(cohort::default_jobs);
    // A closed output stops the run quietly: nothing more would be seen. The run then fails
    // (as `diff` does): the rows after it were never read or decided.
    let terminal = std::io::stdout().is_terminal();
    let decide_and_render = |record: &cohort::Record| {
        let outcome = cohort::decide(&protocol, record);
        let line = render_outcome(program, &outcome, args.csv, terminal);
        (outcome, line)
    };
    let finished = cohort::work_while(rows, jobs, decide_and_render, |(outcome, line)| {
        failed += usize::from(outcome.failed());
        summary.add(program, &outcome);
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        out.write_all(line.as_bytes()).is_ok()
    });
    let finished = out.flush().is_ok() && finished;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    eprint!("{}", summary.text());
    let written = match &args.summary_json {
        Some(path) => write_summary(path, &summary),
        None => true,
    };
    failed == 0 && written && finished
}

/// Refuses, before anything is read, a `--summary-json` file that is the protocol or the file
/// of patients: the summary would replace it once every row was read.
fn summary_not_over_input(args: &CohortArgs) -> Result<(), Vec<Diagnostic>> {
    let Some(out) = &args.summary_json else {
        return Ok(());
    };
    let Ok(target) = std::fs::canonicalize(out) else {
        return Ok(());
    };
    let inputs = [
        ("protocol", &args.protocol),
        ("file of patients", &args.patients),
    ];
    match inputs
        .iter()
        .find(|(_, p)| std::fs::canonicalize(p).is_ok_and(|p| p == target))
    {
        None => Ok(()),
        Some((what, _)) => Err(vec![Diagnostic::error(
            Code::IoWrite,
            format!(
                "the summary would be written over {}, the {what} this run reads",
                posology::display::quoted(&out.display().to_string())
            ),
        )
        .with_help("name another file for --summary-json")]),
    }
}

/// Writes the summary as JSON to a file (replacing it, never through a link).
fn write_summary(path: &Path, summary: &Summary) -> bool {
    let text = serde_json::to_string_pretty(&summary.json()).unwrap_or_default() + "\n";
    match files::write_text(path, &text, WriteOptions::REPLACE) {
        Ok(()) => true,
        Err(d) => {
            print_diags(&[d]);
            false
        }
    }
}

/// What `posology diff` was asked to do.
struct DiffArgs {
    old: PathBuf,
    new: PathBuf,
    patients: PathBuf,
    input_format: Option<RowFormat>,
    json: bool,
    jobs: Option<usize>,
}

/// Loads both protocols and refuses them, before any patient is read, when they do not ask
/// for the same inputs; prints the input differences that do not stop the comparison.
fn diff_protocols(args: &DiffArgs) -> Result<(Protocol, Protocol), Vec<Diagnostic>> {
    let old = load_quietly(&args.old)?;
    let new = load_quietly(&args.new)?;
    let notes = cohort::same_inputs(&old, &new).map_err(|d| vec![d])?;
    if !notes.is_empty() && !args.json {
        println!("inputs that differ (patients are still compared):");
        for note in notes {
            println!("  {}", posology::display::escape(&note));
        }
        println!();
    }
    Ok((old, new))
}

/// Runs two versions of a protocol over a file of patients: one line per patient whose
/// decision changes, then the summary (JSON lines with `--format json`). Fails when either
/// protocol or the file cannot be read, when the protocols' inputs differ, or when a row could
/// not be decided by either version (as `cohort` fails on a bad row; the summary counts them).
fn cmd_diff(args: &DiffArgs) -> bool {
    let prepared = diff_protocols(args).and_then(|both| {
        let rows = cohort::open(&args.patients, args.input_format).map_err(|d| vec![d])?;
        Ok((both, rows))
    });
    let ((old, new), rows) = match prepared {
        Ok(ready) => ready,
        // With --format json, one line, as every other line of the output (JSON Lines).
        Err(diags) if args.json => {
            print_failure_as(FailureOutput::JsonLine, &diags);
            return false;
        }
        Err(diags) => {
            print_diags(&diags);
            return false;
        }
    };
    let bar = progress();
    let mut summary = DiffSummary::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let jobs = args.jobs.unwrap_or_else(cohort::default_jobs);
    // Stops when the output is closed (`posology diff … | head`).
    let finished = cohort::compare(&old, &new, rows, jobs, |c| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        if !summary.add(&c.old, &c.new) {
            return true;
        }
        let line = if args.json {
            report::diff::change_json(c.line, &c.old, &c.new).to_string()
        } else {
            report::diff::change_line(c.line, &c.old, &c.new)
        };
        writeln!(out, "{line}").is_ok()
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if args.json {
        let _ = writeln!(out, "{}", serde_json::json!({ "summary": summary.json() }));
    } else {
        let _ = write!(out, "\n{}", summary.text());
    }
    out.flush().is_ok() && finished && summary.failed_old + summary.failed_new == 0
}
