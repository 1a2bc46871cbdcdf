//! The REPL's commands and their help text.

/// Every command with a one-line description (for `:help`, completion and "did you mean").
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "load",
        "load a protocol: :load protocols/baclofen_intrathecal.dose",
    ),
    (
        "reload",
        "reload the protocol, re-reading the patient's values by name",
    ),
    (
        "patient",
        "read a patient file: :patient protocols/baclofen_oral/cases/titrate_step_up.json",
    ),
    (
        "inputs",
        "list the inputs: kind, allowed range, current value",
    ),
    ("unset", "forget an input's value: :unset daily_dose"),
    (
        "save",
        "write the patient's values to a new file: :save patient.json",
    ),
    (
        "save!",
        "write the patient's values, replacing the file: :save! patient.json",
    ),
    ("run", "decide, as `posology run` prints it"),
    ("why", "explain the last decision: rules tried, values read"),
    (
        "sweep",
        "vary one input: :sweep daily_dose 100 mcg/day..800 mcg/day step 100 mcg/day",
    ),
    ("step", "move to the phase the last decision leads to"),
    ("help", "this list"),
    ("quit", "leave (also Ctrl-D)"),
];

/// The text `:help` prints.
pub const HELP: &str = "\
Set inputs, then decide:
  origin = spinal                     set an input (protocol spelling: 300 mcg/day, \"2026-12-01\")
  test_doses += { dose: 50 mcg, response: negative }
                                      add an item to a list input
  daily_dose / concentration          evaluate any expression in the protocol's scope
  300 mcg/day / 500 mcg/mL            … with units: 0.6 mL/day
Commands:
  :load FILE       load a protocol (:load protocols/baclofen_intrathecal.dose)
  :reload          reload it; the values are re-read by name, and any that no longer fit are dropped
  :patient FILE    read a patient file (.json, .yaml, .toml)
  :inputs          list inputs: kind, allowed range, current value
  :unset NAME      forget an input's value (:unset daily_dose)
  :save FILE       write the patient's values to a new file (:save patient.json)
  :save! FILE      … replacing FILE if it exists (never the loaded protocol, never via a link)
  :run             decide, as `posology run` prints it
  :why             explain the last decision
  :sweep NAME LOW..HIGH step STEP   one decision per value (:sweep daily_dose 100 mcg/day..800 mcg/day step 100 mcg/day)
  :sweep NAME      one decision per choice of a choice or true/false input (:sweep origin)
  :step            move to the phase the last decision leads to, then :run
  :help            this text
  :quit            leave (also Ctrl-D)
";
