//! The REPL on a real pseudo-terminal: a partial command completes with Tab, then a patient is
//! read and a decision runs; Ctrl-D leaves. History goes to a temporary state directory.

#[cfg(unix)]
#[test]
fn tab_completes_a_command_then_a_decision_runs() {
    use std::time::Duration;

    use expectrl::{ControlCode, Expect, Session};

    let state = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("repl-pty-state");
    let _ = std::fs::remove_dir_all(&state);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_posology"));
    command
        .args(["repl", "protocols/baclofen_oral.dose"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", &state);
    let mut repl = Session::spawn(command).expect("the REPL starts on a pty");
    repl.set_expect_timeout(Some(Duration::from_secs(20)));
    repl.expect("loaded baclofen_oral")
        .expect("the protocol loads");
    repl.expect("posology> ").expect("a prompt");

    // `:inp` + Tab completes to `:inputs`.
    repl.send(":inp").expect("typing");
    repl.send("\t").expect("Tab");
    repl.expect("uts").expect("Tab completes the command");
    repl.send("\r").expect("Enter");
    repl.expect("doses_per_day")
        .expect("the completed command ran");

    repl.send(":patient protocols/baclofen_oral/cases/titrate_step_up.json\r")
        .expect("typing");
    repl.expect("read 5 values")
        .expect("the patient file is read");
    repl.send(":run\r").expect("typing");
    repl.expect("15 mg oral 3 times daily")
        .expect("the decision");
    // Ctrl-D only once the next prompt is up: sent earlier, it reaches the terminal while it is
    // out of raw mode, and switching back to raw mode may discard it (seen under load).
    repl.expect("posology> ").expect("the next prompt");

    repl.send(ControlCode::EndOfTransmission).expect("Ctrl-D");
    repl.expect(expectrl::Eof)
        .expect("the REPL leaves on Ctrl-D");
    let history = state.join("posology").join("history");
    let saved = std::fs::read_to_string(&history).expect("history is saved in the state directory");
    assert!(
        saved.contains(":run"),
        "history holds the session's lines: {saved}"
    );
}
