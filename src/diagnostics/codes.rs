//! The registry of diagnostic codes: every code Posology can report, in one place, with the
//! explanation `posology explain CODE` prints and `docs/diagnostics.md` lists.
//!
//! A diagnostic is built from a [`Code`], never from a string, so a mistyped code does not compile
//! and a new code cannot be added without an explanation (the `codes!` table takes both).

use std::fmt;

/// What every code starts with; a code may be named without it (`unit::mismatch`).
pub const PREFIX: &str = "posology::";

/// Declares the `Code` enum with its string and explanation, one table row per code, so the
/// three can never disagree.
macro_rules! codes {
    ($($name:ident = $code:literal, $explain:literal;)*) => {
        /// A stable diagnostic code, e.g. `posology::unit::mismatch`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $explain]
                $name,
            )*
        }

        impl Code {
            /// Every code, in the registry's order (sorted by code string).
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The code as printed, e.g. `posology::unit::mismatch`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }

            /// What the code means for the person reading it, and how to fix it.
            pub const fn explanation(self) -> &'static str {
                match self {
                    $(Code::$name => $explain,)*
                }
            }
        }
    };
}

codes! {
    CheckMaybeMissing = "posology::check::maybe_missing",
        "A value that may be missing is used where a value is needed (in arithmetic, a comparison, a condition, a dose, a frequency) with no guard, so a patient without it would stop the run (`posology::eval::missing`). A value may be missing when it is an optional input without a `default`, a record field declared optional, `first`, `last`, `min` or `max` of a list that may be empty, or a `let` worked out from one of these (a `let` is never the error itself: its unguarded use is). Guard the use: `when dose is not missing and dose > 5 mg`, `dose is missing or dose < 5 mg`, `if dose is missing then … else …`, an earlier rule of a `decide first` block `when dose is missing => hold \"…\"`, a rule's `when dose is not missing`, a top-level `require dose is not missing because \"…\"`, `when doses is not empty and …` for a list; or give the input a `default`. Messages and `show` may show a missing value (it reads `missing`), and limits are decided fail closed, so neither needs a guard.";
    CheckTooManyProblems = "posology::check::too_many_problems",
        "A protocol has so many problems that only the first ones are shown; this one line counts the rest. It is an error when any problem not shown is an error, so a protocol never passes because its errors came late. Fix the problems shown and check again.";
    ChooseDuplicate = "posology::choose::duplicate",
        "Two alternatives of one `choose` have the same name, so the clinician, the output and the examples (`expect alternative NAME …`) could not tell them apart. Give each its own name: `choose { every_12h: give 1 mg/kg * weight every 12 h ; once_daily: give 1.5 mg/kg * weight once daily }`.";
    CliUnknownCode = "posology::cli::unknown_code",
        "`posology explain` was given a code that is not in the registry. Check the spelling (the help suggests the closest code), or run `posology explain --all` to list every code.";
    CliUsage = "posology::cli::usage",
        "A command line that Posology cannot read: a command, option or argument missing, unknown or given twice (`posology explain` without a code, `posology run` without `--patient`). The message says which, and the help gives the command's usage. Run `posology help COMMAND` for every option. With `--format json` on the line, the diagnostic is printed as JSON like every other.";
    CohortCsvHeader = "posology::cohort::csv_header",
        "The first line of a CSV file of patients, its header, does not name one input per column: a column has no name, the same name twice, or a unit not written as `name (unit)`. Each row is then reported with this code, since its cells cannot be told apart. Write a header such as `phase,age (years),daily_dose (mcg/day)`.";
    CohortCsvRow = "posology::cohort::csv_row",
        "A row of a CSV file of patients has more or fewer cells than its header has columns, so its cells cannot be matched to inputs. The row is reported and the others are still decided. Give every row one cell per column (an empty cell for a value not given); a cell holding a comma must be quoted.";
    CohortFormat = "posology::cohort::format",
        "Posology cannot tell whether a file of patients is JSON Lines or CSV from its name. Name it `.jsonl` or `.csv`, or give `--input-format jsonl|csv`.";
    CohortInputsDiffer = "posology::cohort::inputs_differ",
        "`posology diff` compares two protocols over the same patients, so both must ask for the same inputs: the same names, each of the same kind (a mass, a choice of the same values, a date…). The message lists every input only one protocol has, and every input whose kind changed. Nothing is run. Compare versions that declare the same inputs, or run `posology cohort` on each protocol separately. A changed range, default or unit of the same kind (mg and mcg) does not stop the comparison: it is listed before the changes.";
    DecideNoOtherwise = "posology::decide::no_otherwise",
        "Warning: the rules of a decision do not cover every patient. If none of the `when` conditions holds, nothing is decided and the run stops with `posology::eval::no_decision`. Add a last rule `otherwise => ...` (often `hold` or `refer`) so every patient gets an answer.";
    DecideUnreachableRule = "posology::decide::unreachable_rule",
        "A rule is written after `otherwise`. `otherwise` always applies, so the rules below it are never reached. Move them above the `otherwise` rule or delete them.";
    EvalFrequency = "posology::eval::frequency",
        "At run time a dose frequency worked out to an interval a dose cannot be given at (zero, negative, or not a time). Check the values the frequency is computed from, e.g. `every (24 h / doses_per_day)` with `doses_per_day = 0`.";
    EvalGotoLoop = "posology::eval::goto_loop",
        "Following `goto` from phase to phase came back to a phase already decided for this patient, so the protocol would never settle. Change the phases' rules so that a `goto` chain ends in a phase that gives a decision.";
    EvalIndex = "posology::eval::index",
        "A list was indexed (`strengths[i]`) with a number that is not a whole number from 1 to the list's length. Items are counted from 1, as a pharmacist counts: `strengths[1]` is the first and `strengths[count(strengths)]` the last. Nothing is guessed for an index out of range: the evaluation stops, so no dose is given. Check the index, or test `i <= count(strengths)` first.";
    EvalMissing = "posology::eval::missing",
        "A rule needs an input that has no value for this patient (an optional input left out). Give the value in the patient file, or guard the rule with `when NAME is given`, or give the input a default.";
    EvalNoDecision = "posology::eval::no_decision",
        "No rule of a decision applied to this patient, so nothing can be proposed. Add an `otherwise` rule, or check the patient's values against the rules' conditions.";
    EvalNoPhase = "posology::eval::no_phase",
        "The patient's phase input holds a value for which the protocol has no phase. Add the phase to the protocol, or correct the patient's value.";
    EvalNoStrength = "posology::eval::no_strength",
        "`round … to nearest of [list]` found no value of the list to give: the list is empty, or the value is below the smallest strength with `round down` (no strength is not above it), or above the largest with `round up` (no strength is not below it). Nothing is given rather than a strength the rounding did not ask for. Use another strength list, round the other way, or decide that case with a rule before rounding.";
    EvalScheduleInterval = "posology::eval::schedule_interval",
        "A schedule steps every whole number of days; at run time its interval, or how long a step written step by step lasts (its `for`), worked out to something else (e.g. 12 h, or zero). Write the interval in days, e.g. `every 3 days`, and a step's length as e.g. `for 1 day`. `check` warns of an interval written with constants that is never whole days (`every 0.5 day`): every patient given that schedule would be refused.";
    EvalScheduleStep = "posology::eval::schedule_step",
        "A schedule's step size worked out to zero or less, so it would never reach its target. Write the step as a positive amount; `increase` or `decrease` gives the direction.";
    EvalScheduleTooLong = "posology::eval::schedule_too_long",
        "A schedule would have more steps than Posology will list (a tiny step towards a distant target). Use a larger step, or a closer target.";
    EvalTimeNotPositive = "posology::eval::time_not_positive",
        "An `observe` time worked out, for this patient, to zero or less (e.g. `observe 8 h - hours_since_dose` after 10 hours). No such instruction can be followed, so nothing is decided. Check the values the time is computed from, or guard the rule with a `when` that holds only while the time is ahead.";
    EvalWorkBudget = "posology::eval::work_budget",
        "Deciding for this patient took more steps than Posology allows one decision (a protocol that loops over huge lists, or builds enormous numbers). Nothing is decided and no dose is given. Simplify the expression the label points at, or check the patient's lists for their size.";
    ExampleDaily = "posology::example::daily",
        "An example's `expect daily` is not a written-out total per day. Write a quantity per time, e.g. `expect daily 45 mg/day`.";
    ExampleGive = "posology::example::give",
        "An example's `expect give` is not a written-out dose. Write the dose the decision must contain, e.g. `expect give 10 mg`.";
    ExampleGiven = "posology::example::given",
        "An example's `given` is not followed by the patient's values in braces. Write e.g. `given { weight = 70 kg }`.";
    ExampleLimit = "posology::example::limit",
        "An example's `expect limit` is not written as the protocol's limits are. Write the name of a limit the decision must report.";
    ExampleNoExpect = "posology::example::no_expect",
        "An example checks nothing: it has no `expect` line. Add at least one, e.g. `expect give 10 mg` or `expect status hold`.";
    ExampleProposal = "posology::example::proposal",
        "An example's expectation of a proposal is not written as one: a proposal is `allowed` or `refused`, and its range is written `LOW..HIGH`, e.g. `expect proposal dose allowed range 5 mg..15 mg`.";
    ExampleSchedule = "posology::example::schedule",
        "An example's `expect schedule` is not a list of written-out doses. Write e.g. `expect schedule [5 mg, 10 mg, 15 mg]`.";
    ExampleThatReadsInputs = "posology::example::that_reads_inputs",
        "`expect that` is worked out from the example's inputs, not from the decision, so it checks nothing about the protocol's answer. Use `expect give`, `expect daily` or `expect status` to check the decision.";
    ExampleUnknownStatus = "posology::example::unknown_status",
        "An example expects a status that does not exist. A status is one of the words the decision can end with, e.g. `give`, `hold`, `refer`.";
    FormulaAlwaysFails = "posology::formula::always_fails",
        "A part of a formula is written with constants only (numbers, lists written in the protocol, and `let`s of them), so it is worked out the same way for every patient, and it cannot be worked out: an item past the end of a list or not a whole number from 1 (`[10 mg, 20 mg][3]`: items are counted from 1), or rounding to the nearest of an empty list of strengths. Every patient whose decision reaches it is refused when the protocol runs (`posology::eval::index`, `posology::eval::no_strength`), so `check` warns where it is written. It is a warning, not an error, because whether a patient reaches it is not proved: a guard (`when count(strengths) >= 3 => give strengths[3]`) may keep every patient away. (A constant division by zero, `5 mg / 0`, `0 ^ -1` or `round to 0 mg`, is warned of the same way, as `posology::value::division_by_zero`.) Take an item the list has, or list the strengths made; leave it if a condition keeps every patient from it.";
    FormulaExponent = "posology::formula::exponent",
        "The power in `x ^ n` must be a whole number written in the protocol, from -12 to 12 and not 0: `height ^ 2`. A value worked out from the patient's data, a fraction (`^ 0.5`: write `sqrt(x)`) or a larger power (`10 ^ 1000000`) is refused, since the result's unit and size must be known before anything runs.";
    FormulaSqrtNegative = "posology::formula::sqrt_negative",
        "The value under `sqrt` is negative, so it has no square root. Check the patient's values and the formula: a subtraction such as `140 - age` turns negative outside the range the formula was made for.";
    FormulaSqrtRounding = "posology::formula::sqrt_rounding",
        "The square root of a value worked out from the patient's data is rarely an exact number (√2 is not a fraction), and Posology never lets an inexact number become a dose. Round the root where it is taken: `sqrt(x) round to 0.01` (or `round down`/`round up`); the rounding is that of the true root, decided exactly. Only the root of a constant with an exact root (`sqrt(2.25)` is 1.5) needs no rounding.";
    FormulaSqrtUnit = "posology::formula::sqrt_unit",
        "`sqrt` takes the square root of a plain number or of a unit squared (an area such as m^2 gives m). The square root of a mass, a volume or a rate has no unit. Take the root of plain numbers, as the formula's author did: `sqrt(value(height in cm) * value(weight in kg) / 3600) round to 0.01`.";
    FormulaValueUnit = "posology::formula::value_unit",
        "`value(x in UNIT)` gives the plain number of UNIT in a quantity, for a formula whose constants assume units (`value(scr in mg/dL)`). The quantity must be of the unit's kind (a mass concentration in mg/dL, an age in years), so a value is never read in a unit it is not in. An input held in micromol/L is not in mg/dL: declare it in mg/dL with `convert 1 mg/dL = 88.42 micromol/L`, so that a value in micromol/L is converted as it is read.";
    GiveBolusRate = "posology::give::bolus_rate",
        "A bolus is a single amount given at once, but this dose is a rate (e.g. mg/h). Write the bolus as an amount, e.g. `give bolus 50 mcg`.";
    GiveNotADose = "posology::give::not_a_dose",
        "What follows `give` is not an amount or a rate (e.g. it is a number without a unit, or a weight). Write a dose such as `10 mg` or `5 mcg/h`.";
    GiveNotPositive = "posology::give::not_positive",
        "The dose written is zero or negative for every patient, so no patient can be given it. Check the number and its unit, e.g. a range `0.03 g..10 mg` whose low end is above its high end.";
    GiveOutsideLimits = "posology::give::outside_limits",
        "A dose is of a kind (e.g. an amount per day) that none of the protocol's hard limits can hold, so every patient would be refused. Give the dose in the limits' unit, or add a limit for this kind of dose.";
    GiveRateWithFrequency = "posology::give::rate_with_frequency",
        "A rate (e.g. `5 mcg/h`) already says how much is given per time, so `every ...` cannot be added to it. Either write an amount with a frequency (`5 mg every 8 h`) or a rate alone.";
    GiveUnlimited = "posology::give::unlimited",
        "A dose has no hard maximum that holds it, so it would be refused for every patient. Add a `limit` of the same kind (e.g. `max 800 mcg/day`).";
    HeaderMissing = "posology::header::missing",
        "The protocol lacks a required header line such as `drug` or `version`. Add it at the top, e.g. `drug \"baclofen\"`.";
    InputBadDate = "posology::input::bad_date",
        "A value that must be a date is not one. Write dates as `YYYY-MM-DD`, e.g. `2026-03-01`.";
    InputBareNumber = "posology::input::bare_number",
        "A patient value that needs a unit was given as a bare number. Posology never guesses a unit: write the number with its unit in quotes, e.g. `\"70 kg\"`.";
    InputDuplicateField = "posology::input::duplicate_field",
        "The same field is given twice in one record (a patient file, or an example's `given`). Keep one of them.";
    InputEmpty = "posology::input::empty",
        "The patient file is empty. Write the patient's values as a record of named fields, e.g. `{\"weight\": \"70 kg\"}`.";
    InputFormat = "posology::input::format",
        "Posology cannot tell the patient file's format from its name. Name it with `.json`, `.toml` or `.yaml`.";
    InputMissingField = "posology::input::missing_field",
        "A required input of the protocol is not given (in a patient file, a record, or an example). Add it, or make the input optional in the protocol.";
    InputNotARecord = "posology::input::not_a_record",
        "A patient file must hold a record of named fields; this one holds a list or a single value. Wrap the values in a record, e.g. `{\"weight\": \"70 kg\"}`.";
    InputNotLiteral = "posology::input::not_literal",
        "A value that must be written out (a constant, an example's input) is an expression. Write the value itself, e.g. `70 kg`, not `weight * 2`.";
    InputNotWhole = "posology::input::not_whole",
        "An input declared as a whole number (e.g. a count of doses) is given with a fraction. Write a whole number, e.g. `3`.";
    InputOptionalAndDefault = "posology::input::optional_and_default",
        "An input is both optional and given a default; with a default it always has a value, so `optional` means nothing. Keep one of the two.";
    InputOtherProtocol = "posology::input::other_protocol",
        "A patient's data was read against one protocol and then given to another. Values are kept by the order of a protocol's inputs, so another protocol would read them as different things; nothing is decided. Read the patient's data again against the protocol that is to decide (in the REPL, `:patient FILE` after `:load`).";
    InputOutOfRange = "posology::input::out_of_range",
        "A patient value is outside the range the protocol allows for that input, e.g. a weight of 700 kg. Check the value: a range guards against typing slips.";
    InputRange = "posology::input::range",
        "An input's allowed range is not written `low..high`, or its low end is above its high end. Write e.g. `weight: kg in 30 kg..200 kg`.";
    InputRejected = "posology::input::rejected",
        "The protocol's `reject` rule refused the patient's data; the message gives the protocol's reason. Correct the data, or follow the protocol's advice for such patients.";
    InputSetSyntax = "posology::input::set_syntax",
        "A setting given on the command line is not written `NAME=VALUE`. Write e.g. `--set weight=\"70 kg\"`.";
    InputSyntax = "posology::input::syntax",
        "The patient file is not valid JSON, TOML or YAML; the label shows where reading stopped. Fix the text at that place.";
    InputTooDeep = "posology::input::too_deep",
        "The patient file nests records and lists deeper than Posology reads. A patient's values are never nested this deeply; check the file was meant as a patient file.";
    InputTooManyItems = "posology::input::too_many_items",
        "A list in the patient file has more items than Posology accepts. Check the file: no patient's data has that many entries.";
    InputTooManyProblems = "posology::input::too_many_problems",
        "The patient's data has so many problems that only the first ones are shown; this line counts the rest. Fix the problems shown and read the file again.";
    InputTooManyValues = "posology::input::too_many_values",
        "The records in the patient's data hold more field values in all than Posology reads for one patient. Check the file: it is likely not a patient file, or it repeats a record by mistake.";
    InputUnknownField = "posology::input::unknown_field",
        "A value is given for a name that is not an input (or not a field of a record) of this protocol; it may be misspelt. Correct the name, or remove the value.";
    InputUnknownValue = "posology::input::unknown_value",
        "A patient value is not one of the choices the protocol declares for that input. Write one of the choices listed in the help.";
    InputUnsupported = "posology::input::unsupported",
        "The patient file uses a feature of its format that Posology does not read (e.g. YAML anchors, tags, or TOML dates in place of strings). Write the value out plainly.";
    InputWrongType = "posology::input::wrong_type",
        "A patient value has the wrong kind, e.g. a list where a quantity is needed. Write the value as the input's declared type.";
    Internal = "posology::internal",
        "An internal error: Posology found something it does not expect from its own parser. It is a defect in Posology, not in the protocol; please report it with the protocol that caused it.";
    IoExists = "posology::io::exists",
        "The file to be written already exists, and Posology does not overwrite files unasked. Choose another name, or use the form that replaces (e.g. `:save! FILE` in the REPL).";
    IoNotAFile = "posology::io::not_a_file",
        "The path names a directory or a device, not a regular file. Give the path of a file.";
    IoNotUtf8 = "posology::io::not_utf8",
        "The file is not UTF-8 text; the message shows the first byte that is not. Save the file as UTF-8.";
    IoNothingFound = "posology::io::nothing_found",
        "A directory given to `check`, `test` or `fmt` holds no file of the kind the command reads (`.dose` protocols, or patient cases), so nothing was checked. In CI a mistyped path would otherwise pass. Name a directory that holds such files, or the files themselves.";
    IoRead = "posology::io::read",
        "A file or the terminal could not be read; the message gives the system's reason. Check the path and that the file is readable.";
    IoSymlink = "posology::io::symlink",
        "The file to be written is a symbolic link; Posology does not write through links, so a link cannot redirect a patient's data elsewhere. Write to the real file's path.";
    IoSymlinkSkipped = "posology::io::symlink_skipped",
        "Warning: while searching a directory, a symbolic link to a directory was not followed (it could loop or lead outside). Name the real directory if it should be searched.";
    IoTooLarge = "posology::io::too_large",
        "A file or input line is larger than Posology reads. A protocol or patient file is never this large; check the right file was given.";
    IoWrite = "posology::io::write",
        "A file could not be written; the message gives the system's reason (e.g. read-only). Check the path and permissions.";
    LimitDimension = "posology::limit::dimension",
        "A limit's value is not of the kind its target needs, e.g. `max 10 mg` on a dose given in mg/day. Write the limit in a unit of the same kind as the doses.";
    LimitNeverApplies = "posology::limit::never_applies",
        "A limit is of a kind (e.g. mg/h) that no dose of this protocol is given in, so it would never act. Write the limit in the unit the doses use.";
    LimitUnknownTarget = "posology::limit::unknown_target",
        "A limit names something the protocol does not have. Limit a dose or a name the protocol declares; the help suggests the closest one.";
    MessagePlaceholder = "posology::message::placeholder",
        "A message (`warn`, `note`, `hold`, `stop`, `refuse`, a proposal's, a limit's or a requirement's `because`) shows values written in braces: `{daily_dose}`, `{last_test.dose}`, `{dose * 2}`. A brace left open or closed without an opening one, an empty `{}`, or braces around text that is not an expression is refused, so a message never shows a brace by mistake. Close the placeholder, write a name or an expression inside it, or write `{{` and `}}` for a brace as text.";
    NameAmbiguous = "posology::name::ambiguous",
        "A bare choice name belongs to more than one input, so Posology cannot tell which is meant. Compare the input explicitly, e.g. `route == intrathecal`.";
    NameCycle = "posology::name::cycle",
        "Named values are worked out from each other in a circle (`a` uses `b`, `b` uses `a`), so none has a value. Break the circle.";
    NameDuplicate = "posology::name::duplicate",
        "The same name is declared twice (an input, a `let`, a phase). Rename or remove one of them.";
    NameTooDeep = "posology::name::too_deep",
        "A value is worked out through more operations or `let`s than Posology follows. Split it into fewer, flatter steps.";
    NameUnknown = "posology::name::unknown",
        "The protocol uses a name that is not declared: not an input, not a `let`. It may be misspelt; the help suggests the closest name.";
    NameUnknownField = "posology::name::unknown_field",
        "A record has no field of this name. Check the spelling; the help lists or suggests the record's fields.";
    NameUnknownFunction = "posology::name::unknown_function",
        "The protocol calls a function Posology does not have. Check the spelling; the help suggests the closest function.";
    NameUnknownValue = "posology::name::unknown_value",
        "A choice is compared with a value that is not one of its declared choices. Check the spelling; the help suggests the closest choice.";
    PhaseBeginNotInput = "posology::phase::begin_not_input",
        "`begin at` names a `let` or an expression rather than an input. A limit written for a phase (`limit ... when phase == titrate`) must apply in every phase a `goto` leads through, which Posology can guarantee only when the limit reads the input itself. Write `begin at NAME` with the input whose choices are the phases.";
    PhaseBeginType = "posology::phase::begin_type",
        "`begin at` must read a choice whose values name phases, e.g. an input `phase: screening | titration`. Declare such an input and write `begin at phase`.";
    PhaseEmpty = "posology::phase::empty",
        "A phase decides nothing: it has no rules. Add rules, or remove the phase.";
    PhaseNoBegin = "posology::phase::no_begin",
        "The protocol has several phases but does not say which applies to a patient. Add `begin at phase`, reading an input whose choices name the phases.";
    PhaseUnknown = "posology::phase::unknown",
        "A `goto`, or a choice read by `begin at`, names a phase the protocol does not have. Check the spelling, or add the phase.";
    PhaseUnreachable = "posology::phase::unreachable",
        "Warning: nothing leads to a phase: no `goto` names it and `begin at` never chooses it. Remove it, or add the way into it.";
    ProposalDuplicate = "posology::proposal::duplicate",
        "A phase has two proposal blocks on the same input, which would judge one proposed dose twice. Merge their rules into one block. A phase may judge several proposed doses (a maintenance dose and a haemodialysis supplement), each in a `proposal` block on its own input.";
    ProposalNotADose = "posology::proposal::not_a_dose",
        "A proposal names an input that is not a dose (an amount or rate). A proposal checks a dose someone suggests; name a dose input.";
    ReplBadValue = "posology::repl::bad_value",
        "In the REPL, a value set with `name = value` does not fit the input's type. Write it as the input expects, e.g. `weight = 70 kg`.";
    ReplCannotDecide = "posology::repl::cannot_decide",
        "In the REPL, `:run` cannot decide yet because inputs are missing. Set them with `name = value`, or read a patient file with `:patient FILE`.";
    ReplEntryTooLong = "posology::repl::entry_too_long",
        "A REPL entry kept brackets open for more lines or bytes than one entry may hold, so it was dropped. Close the brackets; an entry may be as long as a protocol file.";
    ReplNoDecision = "posology::repl::no_decision",
        "In the REPL, there is no decision to explain or show yet. Decide first with `:run`.";
    ReplNoProtocol = "posology::repl::no_protocol",
        "In the REPL, the command needs a protocol and none is loaded. Load one with `:load FILE`.";
    ReplNotAList = "posology::repl::not_a_list",
        "In the REPL, `+=` adds to a list, but this input is not a list. Set it with `=`.";
    ReplSaveFormat = "posology::repl::save_format",
        "In the REPL, `:save` was given a file name ending in another format than JSON (e.g. `.yaml`, `.toml`). `:save` writes JSON, and a `.yaml` file holding JSON would not read back as YAML. Name the file with `.json`.";
    ReplSaveOverProtocol = "posology::repl::save_over_protocol",
        "In the REPL, `:save` was given the loaded protocol's own file; the patient's values are never saved over a protocol. Choose another file name.";
    ReplStep = "posology::repl::step",
        "In the REPL, `:step` cannot move to a next phase: the protocol has one phase, its phase is not a plain input, or the next phase is not a choice of that input. Set the phase input yourself.";
    ReplSweep = "posology::repl::sweep",
        "In the REPL, `:sweep` was not written as it expects. Write e.g. `:sweep daily_dose 100 mcg/day..800 mcg/day step 100 mcg/day`.";
    ReplUnknownCommand = "posology::repl::unknown_command",
        "In the REPL, the `:` command does not exist. `:help` lists the commands; the help suggests the closest one.";
    ReplUnknownInput = "posology::repl::unknown_input",
        "In the REPL, the name is not an input of the loaded protocol. Check the spelling; `:inputs` lists them.";
    ReplUsage = "posology::repl::usage",
        "In the REPL, a command is missing its argument, e.g. `:load` without a file. Write e.g. `:load protocols/baclofen_oral.dose`.";
    ScheduleOpenStep = "posology::schedule::open_step",
        "A schedule written step by step has a step without `for` (a dose to go on with) before another step, which would then never come. Say how long every step but the last lasts: `schedule 300 mg once daily for 1 day, then 300 mg twice daily for 1 day, then 300 mg 3 times daily`.";
    ScheduleStepDuration = "posology::schedule::step_duration",
        "A step of a schedule written step by step lasts a whole number of days, more than zero; the `for` written is zero, negative, or not whole days (`for 12 h`). When it is worked out from the patient's data, the same is refused at run time (`posology::eval::schedule_interval`). Write e.g. `for 1 day` or `for 2 weeks`.";
    SyntaxDuplicateBegin = "posology::syntax::duplicate_begin",
        "`begin at` is written twice. A protocol starts from one place; keep one.";
    SyntaxDuplicateModifier = "posology::syntax::duplicate_modifier",
        "A part of a dose (its frequency, route, or duration) is written twice, e.g. `10 mg every 8 h every 12 h`. Keep one.";
    SyntaxHiddenText = "posology::syntax::hidden_text",
        "The protocol holds a character that an editor, terminal or review tool may show as a line break, or that reorders the text around it (a lone carriage return, vertical tab, form feed, line or paragraph separator, or a bidirectional control), a control character that a terminal showing the file acts on (an escape sequence or backspaces can erase a line and print another in its place where `cat` or `git diff` shows it), or a zero-width character, while Posology reads on as if on the same line. Text after it in a comment may look like a rule or a limit that is never read (\"Trojan Source\"). Remove it; end lines with \\n or \\r\\n only, and indent with spaces or tabs. These are refused in comments and inside quotes too.";
    SyntaxLeadingDecimalPoint = "posology::syntax::leading_decimal_point",
        "A number starts with a decimal point, e.g. `.5 mg`. A lone point is easily missed and reads as ten times the dose; write `0.5 mg`.";
    SyntaxLookalikeCharacter = "posology::syntax::lookalike_character",
        "The text holds a character that looks like protocol text but is not, e.g. a curly quote, a non-breaking space or a Greek mu. Type the plain character instead.";
    SyntaxReservedWord = "posology::syntax::reserved_word",
        "A word of the language (`in`, `daily`, `every`, `give`, `if`…) is used as the name of an input, a field, a `let` value, a phase or the protocol. These names are read inside expressions, where the word keeps its meaning (`x in 1..5`, `3 times daily`), so it cannot name a value. Choose another name: a name may begin with a keyword (`indication`, `daily_max`, `every_dose`) but not be one. A rule's name may be any word (`daily: when …`).";
    SyntaxTooComplex = "posology::syntax::too_complex",
        "The protocol is too long or too involved to read past a point. Split long expressions into named `let` values, or the protocol into smaller ones.";
    SyntaxTooDeep = "posology::syntax::too_deep",
        "Brackets or operations are nested too deeply to read. Split the expression into named `let` values.";
    SyntaxTooLarge = "posology::syntax::too_large",
        "The protocol file is larger than Posology reads. No protocol is this large; check the right file was given.";
    SyntaxUnexpected = "posology::syntax::unexpected",
        "The protocol's text does not follow the language's grammar at this place; the message says what was expected. Fix the text at the label.";
    TableBandUnit = "posology::table::band_unit",
        "A table's key is not a number, or an end of one of its bands is of another kind than the key (a band in mg for a key in mL/min). Key a table by a number with its unit (`table renal by crcl`) and write every band in the key's kind (`row > 30 mL/min and <= 59 mL/min`).";
    TableColumnKind = "posology::table::column_kind",
        "A cell of a table is of another kind than the column's first cell (mg in a column of mg/day, a number in a column of mg). A column is read as one value (`renal.regimen_b`), so every row must give it the same kind. Fix the cell's unit; write `missing` for a cell the label leaves blank.";
    TableEmptyBand = "posology::table::empty_band",
        "A band of a table, with constant ends, holds no value of the key: its low end is above its high end (`> 59 mL/min and < 30 mL/min`), or both ends are one value with one of them open (`>= 30 mL/min and < 30 mL/min`). No patient can match the row, which is almost always a slip in copying the label's table. Write the low end first and below the high end; a single value is written `== 15 mL/min`.";
    TableGap = "posology::table::gap",
        "Warning: the bands of a table with constant ends leave values of the key that no row holds (for example a printed table with rows `> 30 mL/min and <= 59 mL/min` and `>= 60 mL/min` holds no CrCl between 59 and 60, and `> 15 … <= 29` with `> 30 …` holds none above 29 up to 30). A patient there stops the run with `posology::table::no_band`. Close the gap as the protocol's written policy: widen a band, or add `otherwise => …` as the last row.";
    TableNoBand = "posology::table::no_band",
        "A table was read for a patient whose key falls in no band (and the table has no `otherwise` row). The message names the table, the key's value and the bands. Nothing is guessed, so no dose is given. Close the gap in the protocol (a band or an `otherwise` row), with the reason.";
    TableOrder = "posology::table::order",
        "Warning: the bands of a table with constant ends are written neither rising nor falling: after bands going up (or down), one goes the other way. A label prints its rows in one direction, so a row out of order is often a row copied to the wrong place. The table still reads the band that holds the key; write the rows in the label's order.";
    TableOverlap = "posology::table::overlap",
        "Two bands of a table share a value of the key (`<= 30 mL/min` and `>= 30 mL/min` both hold 30), so a patient there would match two rows. When the ends are worked out from the patient this cannot be seen before running, and then the first row that holds the key is used; with constant ends it is refused. Make the bands meet with one end closed and the next open (`<= 30 mL/min`, then `> 30 mL/min`).";
    TableRowWidth = "posology::table::row_width",
        "A row of a table has more or fewer cells than the table has columns. Write one cell per column, in the order of the `columns` line; `missing` stands for a cell the label leaves blank.";
    TypeArity = "posology::type::arity",
        "A function is given the wrong number of arguments, e.g. `min(a)`. Give it as many as the message says.";
    TypeMismatch = "posology::type::mismatch",
        "A value is of the wrong kind for where it is used, e.g. a choice compared with a number. Use a value of the kind the message names.";
    TypeNotARecord = "posology::type::not_a_record",
        "A field is read (`x.field`) from a value that is not a record. Read fields only from record inputs.";
    TypeUnknown = "posology::type::unknown",
        "An input is declared with a name that is neither a unit nor a type. Check the spelling, e.g. `weight: kg`.";
    UnitBanned = "posology::unit::banned",
        "An error-prone abbreviation is used, e.g. `cc`, `U`, `IU` or `MU` (on the ISMP list: `U` is misread as 0, `MU` as a thousand units). Write the unit the help gives, e.g. `mL`, `units`, `million units`.";
    UnitConversion = "posology::unit::conversion",
        "An input's `convert A = B` does not relate its unit to a unit of another kind: B has no unit or is of A's kind (mg/dL and mg/L convert without a declaration), or a side is not above zero. Write e.g. `scr: mg/dL convert 1 mg/dL = 88.42 micromol/L`.";
    UnitInexact = "posology::unit::inexact",
        "Converting between these units would not be exact (e.g. mcg/day to mcg/h gives a repeating fraction). Convert to a unit that divides evenly, or round explicitly to a step.";
    UnitMismatch = "posology::unit::mismatch",
        "Two quantities of different kinds are combined or compared, e.g. `10 mg + 5 mL`, or a value is in a unit of the wrong kind. Convert one (e.g. with a concentration) or use the right unit. Kinds often taken for each other never convert: mg/dL and micromol/L (a molar mass), mmol and mEq (a valence), an eGFR in mL/min/1.73 m^2 and a clearance in mL/min (a body surface area).";
    UnitMissing = "posology::unit::missing",
        "A number stands where a quantity is needed, e.g. `give 10`. Write the unit after the number, e.g. `10 mg`.";
    UnitNotation = "posology::unit::notation",
        "A number is written in a way that invites a tenfold error: a trailing zero (`5.0 mg`, read as 50 mg) or an exponent (`5e-3 mg`). Write `5 mg` or `5 mcg`.";
    UnitUnknown = "posology::unit::unknown",
        "A unit is not one Posology knows. Check the spelling; the help suggests the closest unit.";
    UnitUnsafeAbbreviation = "posology::unit::unsafe_abbreviation",
        "Warning: an abbreviation that is safe to Posology but dangerous when read by people is used: `ug` or `µg` (misread as mg), `umol` or `µmol` (misread as mmol), `m²` (the superscript is lost when copied). Write the unit as the help suggests (`mcg`, `micromol`, `m^2`); `posology fmt` rewrites it.";
    ValueDateOutOfRange = "posology::value::date_out_of_range",
        "A date or a duration is outside the years Posology handles, e.g. the year 9999. It is a typing slip; check the dates in the patient's data.";
    ValueDivisionByZero = "posology::value::division_by_zero",
        "A value is divided by zero, e.g. a concentration of 0 mg/mL. Check that the divisor (a concentration, a rate, a number of doses) is not zero. When the divisor is written with constants only (`5 mg / 0`, `0 ^ -1`, `round down to 0 mg`), it is zero for every patient, and `posology check` warns where it is written (a warning, as a condition may keep every patient from reaching it): divide by the value meant.";
    ValueOutOfRange = "posology::value::out_of_range",
        "A number has too many digits, or is too large or too small, to be a dose. Check the number.";
    ValueOverflow = "posology::value::overflow",
        "A calculation gave a value too large to hold; no dose is this large. Check the values, e.g. a tiny concentration.";
    ValueTooLarge = "posology::value::too_large",
        "The records written in this protocol hold more field values in all than Posology accepts in one protocol. Split the table, or read such data from the patient file.";
    VerifyAlwaysRefused = "posology::verify::always_refused",
        "Warning: a dose can never be given: for every patient that reaches its rule, even the value nearest the limit (its smallest against a maximum, its largest against a minimum; worked out exactly, across units, from the inputs' declared ranges narrowed by the rule's condition) breaks a hard limit that applies to all of them, so the safety gate refuses it every time (a total per day counts whole doses per day, as the gate does). Usually a unit slip (`mg` for `mcg`), a wrong factor, or a limit written for another population. Correct the dose, its unit or frequency, or the rule's condition; if no dose is meant for these patients, write `refuse \"…\"` with the reason. Nothing is claimed for a dose the verifier cannot follow (a table, a list, a date, `round … to nearest of`), nor against a limit whose `when` it cannot prove for every such patient.";
    VerifyGap = "posology::verify::gap",
        "The rules of a decision block leave some patients with no rule that applies: the verifier worked out, over the inputs' declared values, which values no `when` condition covers, and shows a witness patient in the gap (in the patient-file format; `posology check --witnesses DIR` writes it as a case file). Banded tables printed on labels often have holes (`>= 60`, `> 30 to 59`: 59.5 and 30 fall in no row). Close the gap: make a bound inclusive (`>= 30 mL/min` in place of `> 30 mL/min`), add a rule for the missing values, or add `otherwise`. A warning in a `decide first` block; an error in a `decide unique` or `decide any` block, which promises that every patient is covered.";
    VerifyLimitUnreachable = "posology::verify::limit_unreachable",
        "Warning: a limit's `when` holds for no patient the inputs' declared values (and the readable `require`s) allow, so the limit never applies: it holds no dose. Often a bound on the wrong side of a declared range, or a unit slip (`weight > 300 g`). Correct the condition, or delete the limit. A `when` that reads an input a patient may leave out is not judged: the safety gate applies a limit whose `when` it cannot decide.";
    VerifyNotProved = "posology::verify::not_proved",
        "A `decide unique` or `decide any` block asks the checker to prove that its rules do not overlap (unique) or agree where they overlap (any), and that they leave no gap; but a condition is not a comparison of one input with constants (it compares two inputs, calls a function, or reads a value worked out from several inputs), so nothing can be proved about it. Write the condition over one input at a time (`crcl >= 30 mL/min`), or use `decide first`. Also reported when the block splits the patients into more cases than the verifier follows, and when the patients no rule covers might all be refused by a `require` it cannot read (the message names it).";
    VerifyOverlap = "posology::verify::overlap",
        "Two rules of a `decide unique` block hold for the same patient (or two rules of a `decide any` block that give different actions do), so the block's promise is broken. The witness patient shows one such patient. Make the bands disjoint (`< 30 mL/min` and `>= 30 mL/min`, not `<= 30` and `>= 30`), or give overlapping rules of a `decide any` block the same actions.";
    VerifyUnreachable = "posology::verify::unreachable",
        "A rule of a `decide first` block can never fire: every patient for whom its condition holds is already taken by the rules above it (judged by meaning, across units: `> 0.01 g` after `> 10 mg`), or its condition holds for no declared value. Delete the rule, move it above the rules that cover it, or correct its bounds.";
}

impl Code {
    /// The code whose string is `text` (with or without the `posology::` prefix).
    pub fn from_name(text: &str) -> Option<Code> {
        let text = text.trim();
        let full = if text.starts_with(PREFIX) {
            text.to_string()
        } else {
            format!("{PREFIX}{text}")
        };
        Code::ALL.iter().copied().find(|c| c.as_str() == full)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl From<Code> for &'static str {
    fn from(code: Code) -> Self {
        code.as_str()
    }
}
