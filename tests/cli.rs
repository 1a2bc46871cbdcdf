//! CLI runs: each `tests/cli/*.args` file holds one command line (after `posology`), run from
//! the repository root; stdout, stderr and the exit code are snapshotted.

use std::process::Command;

fn split_args(line: &str) -> Vec<String> {
    // Whitespace-separated, with "double quotes" grouping words.
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.trim().chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    args.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        args.push(current);
    }
    args
}

#[test]
fn command_lines() {
    insta::glob!("cli/*.args", |path| {
        let line = std::fs::read_to_string(path).expect("args file is readable");
        let args = split_args(&line);
        let output = Command::new(env!("CARGO_BIN_EXE_posology"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .output()
            .expect("posology runs");
        insta::assert_snapshot!(format!(
            "$ posology {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            line.trim(),
            output
                .status
                .code()
                .map_or("signal".to_string(), |c| c.to_string()),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    });
}
