//! Helpers shared by integration tests that run the built command line or need its stack.
//! Each test file uses some of them, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The repository's root, where `protocols/` and `tests/` are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the built `posology` with `args` from the repository's root, without colour.
pub fn posology(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posology"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("posology runs")
}

/// Runs `f` on a thread with an 8 MiB stack, what the command line's main thread has (a debug
/// build needs about 3 MiB at the limits; a release build far less).
pub fn on_cli_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .unwrap_or_else(|_| panic!("panicked"))
}

/// Every file under `dir` (recursively) whose extension is one of `exts`, for tests that read
/// the repository's own sources and fixtures. A directory that cannot be read fails the test:
/// a scan of nothing would pass whatever it looks for.
pub fn files(dir: &Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{} cannot be read: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, exts, out);
        } else if exts
            .iter()
            .any(|e| path.extension().is_some_and(|x| x == *e))
        {
            out.push(path);
        }
    }
}

/// The one error of a refusal, with the code expected (warnings aside).
pub fn only_error<'a>(
    diags: &'a [posology::diagnostics::Diagnostic],
    code: &str,
) -> &'a posology::diagnostics::Diagnostic {
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(
        errors.iter().map(|d| d.code).collect::<Vec<_>>(),
        [code],
        "{diags:#?}"
    );
    errors[0]
}
