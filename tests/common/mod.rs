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
