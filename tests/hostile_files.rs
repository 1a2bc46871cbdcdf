//! Hostile files, devices and terminals: every read and write of the `posology` binary is
//! bounded and safe. Each test builds its own hostile file system in a scratch directory
//! (devices reached through links named like protocols, named pipes, sockets, symbolic links
//! and directory loops), runs the binary on it under a time limit and a memory limit, and
//! asserts what it did: the exit code, the diagnostic code, and that nothing was overwritten.
//! A regression fails here (timeout, memory limit) instead of hanging or exhausting the machine.
#![cfg(unix)]

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run that takes longer than this is a hang.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Virtual memory allowed to each run, in KiB: far more than posology needs, far less than
/// reading `/dev/zero` until it fails would take.
const MEMORY_KIB: u64 = 2 << 20;

/// A small protocol every example and every limit of which is exercised by its own examples,
/// so that `test --coverage` on it fails only for the reason a test gives it.
const TINY: &str = r#"protocol tiny {
  version "1.0.0"
  source  "test"
  drug    "baclofen"
  route   "oral"

  inputs {
    dose: mg in 5 mg..40 mg
  }

  limit dose <= 20 mg hard

  decide first {
    otherwise => give dose 3 times daily
  }

  example "gives the dose" {
    given { dose: 10 mg }
    expect give 10 mg 3 times daily
  }

  example "refuses a dose over the limit" {
    given { dose: 30 mg }
    expect status refused
  }
}
"#;

/// A patient file for [`TINY`].
const TINY_PATIENT: &str = "{\"dose\": \"10 mg\"}\n";

/// What a run printed and how it ended.
struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    /// Both streams, for messages.
    fn all(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Standard input for a run.
enum Input {
    Nothing,
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Runs `posology ARGS` in `dir` with a time limit and a memory limit; panics on a hang.
fn posology(dir: &Path, args: &[&str], input: Input) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_posology"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", dir.join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let bytes = match input {
        Input::Nothing => {
            command.stdin(Stdio::null());
            None
        }
        Input::Bytes(b) => {
            command.stdin(Stdio::piped());
            Some(b)
        }
        Input::File(p) => {
            command.stdin(fs::File::open(p).expect("input file opens"));
            None
        }
    };
    let mut child = command.spawn().expect("posology starts");
    if let (Some(bytes), Some(mut stdin)) = (bytes, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    }
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for posology") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`posology {}` did not finish within {TIMEOUT:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    }
}

/// A piped REPL session: `posology repl ARGS` with these lines on standard input.
fn repl(dir: &Path, args: &[&str], lines: &str) -> Output {
    let mut all = vec!["repl"];
    all.extend(args);
    posology(dir, &all, Input::Bytes(lines.as_bytes().to_vec()))
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).expect("scratch file is writable");
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn assert_fails_with(out: &Output, code: &str) {
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains(code) || out.stdout.contains(code),
        "expected {code}:\n{}",
        out.all()
    );
}

// ------------------------------------------------------------------ devices and sizes

#[test]
fn check_refuses_devices_given_directly_or_through_links_named_like_protocols() {
    let dir = scratch("check_devices");
    symlink("/dev/zero", dir.join("zero.dose")).expect("link");
    symlink("/dev/urandom", dir.join("random.dose")).expect("link");
    for target in ["/dev/zero", "zero.dose", "random.dose"] {
        let out = posology(&dir, &["check", target], Input::Nothing);
        assert_fails_with(&out, "posology::io::not_a_file");
        assert!(out.stderr.contains("a device"), "{}", out.all());
        assert!(out.stderr.contains("help:"), "{}", out.all());
    }
    let json = posology(
        &dir,
        &["check", "--format", "json", "zero.dose"],
        Input::Nothing,
    );
    assert!(
        json.stdout.contains("posology::io::not_a_file"),
        "{}",
        json.all()
    );
}

#[test]
fn run_refuses_a_device_as_protocol_or_patient_file() {
    let dir = scratch("run_devices");
    write(&dir.join("tiny.dose"), TINY);
    symlink("/dev/urandom", dir.join("random.json")).expect("link");
    symlink("/dev/zero", dir.join("zero.dose")).expect("link");
    let out = posology(
        &dir,
        &["run", "tiny.dose", "--patient", "random.json"],
        Input::Nothing,
    );
    assert_fails_with(&out, "posology::io::not_a_file");
    assert!(
        out.stdout.is_empty(),
        "no decision may be printed: {}",
        out.all()
    );
    let out = posology(
        &dir,
        &[
            "run",
            "tiny.dose",
            "--patient",
            "/dev/zero",
            "--input-format",
            "json",
        ],
        Input::Nothing,
    );
    assert_fails_with(&out, "posology::io::not_a_file");
    write(&dir.join("patient.json"), TINY_PATIENT);
    let out = posology(
        &dir,
        &["run", "zero.dose", "--patient", "patient.json"],
        Input::Nothing,
    );
    assert_fails_with(&out, "posology::io::not_a_file");
}

#[test]
fn standard_input_is_read_up_to_the_patient_file_limit() {
    let dir = scratch("stdin_cap");
    write(&dir.join("tiny.dose"), TINY);
    let out = posology(
        &dir,
        &[
            "run",
            "tiny.dose",
            "--patient",
            "-",
            "--input-format",
            "json",
        ],
        Input::File("/dev/zero".into()),
    );
    assert_fails_with(&out, "posology::io::too_large");
    assert!(out.stderr.contains("patient file"), "{}", out.all());
    // The same file through standard input is read as usual.
    let out = posology(
        &dir,
        &[
            "run",
            "tiny.dose",
            "--patient",
            "-",
            "--input-format",
            "json",
        ],
        Input::Bytes(TINY_PATIENT.as_bytes().to_vec()),
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
}

#[test]
fn a_file_over_the_limit_is_refused_whatever_its_size_claims() {
    let dir = scratch("too_large");
    // A sparse file claiming 8 GiB: only the limit and one byte are ever read.
    let huge = fs::File::create(dir.join("huge.dose")).expect("create");
    huge.set_len(8 << 30).expect("sparse file");
    drop(huge);
    let out = posology(&dir, &["check", "huge.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::too_large");
    assert!(out.stderr.contains("8589934592 bytes"), "{}", out.all());
    assert!(out.stderr.contains("1 MiB"), "{}", out.all());
    // One byte over the limit is refused; at the limit the text is read (and checked).
    let mut text = TINY.to_string();
    while text.len() < posology::syntax::MAX_PROTOCOL_BYTES {
        text.push_str("// padding\n");
    }
    text.truncate(posology::syntax::MAX_PROTOCOL_BYTES);
    text.pop();
    text.push('\n');
    write(&dir.join("at_limit.dose"), &text);
    let out = posology(&dir, &["check", "at_limit.dose"], Input::Nothing);
    assert_eq!(out.code, Some(0), "{}", out.all());
    text.push('\n');
    write(&dir.join("over_limit.dose"), &text);
    let out = posology(&dir, &["check", "over_limit.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::too_large");
}

#[test]
fn the_repl_refuses_devices_for_load_and_patient() {
    let dir = scratch("repl_devices");
    write(&dir.join("tiny.dose"), TINY);
    symlink("/dev/zero", dir.join("zero.dose")).expect("link");
    symlink("/dev/urandom", dir.join("random.json")).expect("link");
    let out = repl(
        &dir,
        &[],
        ":load zero.dose\n:load tiny.dose\n:patient random.json\ndose = 10 mg\n:run\n",
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(
        out.stdout.matches("posology::io::not_a_file").count(),
        2,
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("loaded tiny"), "{}", out.all());
    assert!(
        out.stdout.contains("Status: GIVE"),
        "later lines run: {}",
        out.all()
    );
}

#[test]
fn test_coverage_fails_on_a_device_case_and_does_not_count_it() {
    let dir = scratch("coverage_device");
    write(&dir.join("tiny.dose"), TINY);
    fs::create_dir_all(dir.join("tiny/cases")).expect("cases directory");
    write(&dir.join("tiny/cases/gives.json"), TINY_PATIENT);
    let good = posology(&dir, &["test", "--coverage", "tiny.dose"], Input::Nothing);
    assert_eq!(
        good.code,
        Some(0),
        "the protocol alone passes: {}",
        good.all()
    );
    assert!(
        good.stdout.contains("2 examples and 1 case"),
        "{}",
        good.all()
    );

    symlink("/dev/zero", dir.join("tiny/cases/zero.json")).expect("link");
    mkfifo(&dir.join("tiny/cases/pipe.json"));
    let out = posology(&dir, &["test", "--coverage", "tiny.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::not_a_file");
    assert_eq!(
        out.stderr.matches("posology::io::not_a_file").count(),
        2,
        "{}",
        out.all()
    );
    assert!(
        out.stdout.contains("2 examples and 1 case"),
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("cannot be read"), "{}", out.all());
}

#[test]
fn a_cases_directory_that_cannot_be_listed_fails_rather_than_counting_no_cases() {
    let dir = scratch("coverage_unlisted");
    write(&dir.join("tiny.dose"), TINY);
    // `tiny/cases` is a file, not a directory: listing it fails.
    fs::create_dir_all(dir.join("tiny")).expect("protocol directory");
    write(&dir.join("tiny/cases"), "not a directory");
    let out = posology(&dir, &["test", "--coverage", "tiny.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::read");
    assert!(
        out.stdout.contains("its cases cannot be listed"),
        "{}",
        out.all()
    );
}

#[test]
fn a_protocol_without_examples_is_not_a_pass() {
    let dir = scratch("no_examples");
    let bare = TINY
        .split("  example")
        .next()
        .expect("TINY has examples")
        .to_string()
        + "}\n";
    write(&dir.join("bare.dose"), &bare);
    let checked = posology(&dir, &["check", "bare.dose"], Input::Nothing);
    assert_eq!(checked.code, Some(0), "it checks: {}", checked.all());
    let out = posology(&dir, &["test", "bare.dose"], Input::Nothing);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout.contains("no examples, so nothing was tested"),
        "{}",
        out.all()
    );
}

// ------------------------------------------------------------------ named pipes and sockets

#[test]
fn named_pipes_are_refused_without_blocking() {
    let dir = scratch("fifos");
    write(&dir.join("tiny.dose"), TINY);
    write(&dir.join("patient.json"), TINY_PATIENT);
    mkfifo(&dir.join("pipe.dose"));
    mkfifo(&dir.join("pipe.json"));

    let out = posology(&dir, &["check", "pipe.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::not_a_file");
    assert!(out.stderr.contains("named pipe"), "{}", out.all());

    let out = posology(
        &dir,
        &["run", "tiny.dose", "--patient", "pipe.json"],
        Input::Nothing,
    );
    assert_fails_with(&out, "posology::io::not_a_file");

    let out = posology(
        &dir,
        &["run", "pipe.dose", "--patient", "patient.json"],
        Input::Nothing,
    );
    assert_fails_with(&out, "posology::io::not_a_file");

    let out = repl(
        &dir,
        &["tiny.dose"],
        ":load pipe.dose\n:patient pipe.json\ndose = 10 mg\n:save pipe.json\n:save! pipe.json\n:run\n",
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(
        out.stdout.matches("posology::io::not_a_file").count(),
        4,
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("Status: GIVE"), "{}", out.all());
}

#[test]
fn a_pipe_inside_a_directory_is_refused_and_the_other_files_are_checked() {
    let dir = scratch("fifo_in_dir");
    let protocols = dir.join("protocols");
    fs::create_dir_all(&protocols).expect("directory");
    write(&protocols.join("tiny.dose"), TINY);
    mkfifo(&protocols.join("pipe.dose"));
    for command in ["check", "test", "fmt"] {
        let out = posology(&dir, &[command, "protocols"], Input::Nothing);
        assert_fails_with(&out, "posology::io::not_a_file");
    }
    let out = posology(&dir, &["check", "protocols"], Input::Nothing);
    assert!(
        out.stdout.contains("protocols/tiny.dose: ok"),
        "{}",
        out.all()
    );
}

#[test]
fn a_socket_is_refused() {
    let dir = scratch("socket");
    let _listener =
        std::os::unix::net::UnixListener::bind(dir.join("socket.dose")).expect("a socket");
    let out = posology(&dir, &["check", "socket.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::not_a_file");
    assert!(out.stderr.contains("a socket"), "{}", out.all());
}

// ------------------------------------------------------------------ directory walks

#[test]
fn directory_loops_end_and_each_file_is_visited_once() {
    let dir = scratch("loops");
    let protocols = dir.join("protocols");
    fs::create_dir_all(protocols.join("sub")).expect("directories");
    write(&protocols.join("tiny.dose"), TINY);
    write(
        &protocols.join("sub/other.dose"),
        &TINY.replace("tiny", "other"),
    );
    symlink(".", protocols.join("self")).expect("link");
    symlink("..", protocols.join("sub/up")).expect("link");
    // A second name for a file is the same file.
    symlink("tiny.dose", protocols.join("alias.dose")).expect("link");

    let out = posology(&dir, &["check", "protocols"], Input::Nothing);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(out.stdout.matches(": ok").count(), 2, "{}", out.all());
    assert_eq!(
        out.stdout.matches("tiny.dose: ok").count(),
        1,
        "{}",
        out.all()
    );
    assert!(
        out.stderr.contains("posology::io::symlink_skipped"),
        "{}",
        out.all()
    );

    let out = posology(&dir, &["test", "protocols"], Input::Nothing);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("4 passed, 0 failed"), "{}", out.all());

    let out = posology(&dir, &["fmt", "--check", "protocols"], Input::Nothing);
    assert_ne!(out.code, None, "{}", out.all());
    let out = posology(&dir, &["fmt", "protocols", "protocols"], Input::Nothing);
    assert_ne!(out.code, None, "{}", out.all());
    assert!(
        fs::symlink_metadata(protocols.join("alias.dose"))
            .expect("the link is still there")
            .file_type()
            .is_symlink(),
        "fmt did not replace the link with a file"
    );
}

// ------------------------------------------------------------------ writing: :save and fmt

#[test]
fn save_never_replaces_a_file_unless_asked() {
    let dir = scratch("save_existing");
    write(&dir.join("tiny.dose"), TINY);
    write(&dir.join("kept.json"), "precious\n");
    let out = repl(&dir, &["tiny.dose"], "dose = 10 mg\n:save kept.json\n");
    assert_fails_with(&out, "posology::io::exists");
    assert!(
        out.stdout.contains(":save! kept.json"),
        "the help says how: {}",
        out.all()
    );
    assert_eq!(
        fs::read_to_string(dir.join("kept.json")).unwrap(),
        "precious\n"
    );

    let out = repl(
        &dir,
        &["tiny.dose"],
        "dose = 10 mg\n:save! kept.json\n:save new.json\n",
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let saved = fs::read_to_string(dir.join("kept.json")).unwrap();
    assert!(saved.contains("10 mg"), "{saved}");
    assert_eq!(fs::read_to_string(dir.join("new.json")).unwrap(), saved);
    let leftovers: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn save_never_writes_through_a_symbolic_link() {
    let dir = scratch("save_symlink");
    write(&dir.join("tiny.dose"), TINY);
    write(&dir.join("target.txt"), "precious\n");
    symlink("target.txt", dir.join("link.json")).expect("link");
    symlink("nowhere.txt", dir.join("dangling.json")).expect("link");
    let out = repl(
        &dir,
        &["tiny.dose"],
        "dose = 10 mg\n:save link.json\n:save! link.json\n:save! dangling.json\n",
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(
        out.stdout.matches("posology::io::symlink").count(),
        3,
        "{}",
        out.all()
    );
    assert_eq!(
        fs::read_to_string(dir.join("target.txt")).unwrap(),
        "precious\n"
    );
    assert!(
        !dir.join("nowhere.txt").exists(),
        "a dangling link's target was created"
    );
    assert!(fs::symlink_metadata(dir.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn save_never_replaces_the_loaded_protocol() {
    let dir = scratch("save_protocol");
    write(&dir.join("tiny.dose"), TINY);
    symlink("tiny.dose", dir.join("alias.json")).expect("link");
    let out = repl(
        &dir,
        &["tiny.dose"],
        "dose = 10 mg\n:save tiny.dose\n:save! tiny.dose\n:save! ./tiny.dose\n:save! alias.json\n:reload\n:run\n",
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(
        out.stdout
            .matches("posology::repl::save_over_protocol")
            .count(),
        4,
        "{}",
        out.all()
    );
    assert_eq!(fs::read_to_string(dir.join("tiny.dose")).unwrap(), TINY);
    assert!(
        out.stdout.matches("loaded tiny").count() >= 2,
        ":reload works: {}",
        out.all()
    );
    assert!(out.stdout.contains("Status: GIVE"), "{}", out.all());
}

#[test]
fn fmt_rewrites_in_place_but_not_through_a_link() {
    let dir = scratch("fmt_write");
    let messy = TINY.replace("  limit dose", "      limit   dose");
    write(&dir.join("messy.dose"), &messy);
    write(&dir.join("target.dose"), &messy);
    symlink("target.dose", dir.join("link.dose")).expect("link");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.join("messy.dose"), fs::Permissions::from_mode(0o640))
            .expect("chmod");
    }
    let out = posology(&dir, &["fmt", "link.dose"], Input::Nothing);
    assert_fails_with(&out, "posology::io::symlink");
    assert_eq!(fs::read_to_string(dir.join("target.dose")).unwrap(), messy);

    let out = posology(&dir, &["fmt", "messy.dose"], Input::Nothing);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let formatted = fs::read_to_string(dir.join("messy.dose")).unwrap();
    assert_ne!(formatted, messy);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.join("messy.dose"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "permissions are kept");
    }
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

// ------------------------------------------------------------------ silent stops

#[test]
fn a_line_that_is_not_utf8_fails_and_the_session_goes_on() {
    let dir = scratch("repl_not_utf8");
    write(&dir.join("tiny.dose"), TINY);
    let mut input = b"dose = 10 mg\n".to_vec();
    input.extend(b"dose = 15 \xB5g\n");
    input.extend(b":run\n");
    let out = posology(&dir, &["repl", "tiny.dose"], Input::Bytes(input));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout.contains("posology::io::not_utf8"),
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("line 2"), "{}", out.all());
    assert!(out.stdout.contains("0xB5"), "{}", out.all());
    assert!(
        out.stdout.contains("Status: GIVE"),
        ":run still ran: {}",
        out.all()
    );
    assert!(
        out.stdout.contains("10 mg"),
        "the bad line set nothing: {}",
        out.all()
    );
}

#[test]
fn a_line_longer_than_a_protocol_is_refused_and_the_session_goes_on() {
    let dir = scratch("repl_long_line");
    write(&dir.join("tiny.dose"), TINY);
    let mut input = b"dose = 10 mg\n".to_vec();
    input.extend(vec![b' '; 3 << 20]);
    input.extend(b"dose = 15 mg\n:run\n");
    let out = posology(&dir, &["repl", "tiny.dose"], Input::Bytes(input));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout.contains("posology::io::too_large"),
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("line 2"), "{}", out.all());
    assert!(
        out.stdout.contains("10 mg oral"),
        "the long line set nothing: {}",
        out.all()
    );
}

#[test]
fn a_bad_line_inside_open_brackets_drops_the_unfinished_entry() {
    let dir = scratch("repl_not_utf8_brackets");
    write(&dir.join("tiny.dose"), TINY);
    let input = b"dose = (\n\xFF\n10 mg)\n:inputs\n".to_vec();
    let out = posology(&dir, &["repl", "tiny.dose"], Input::Bytes(input));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stdout.contains("unfinished entry"), "{}", out.all());
    assert!(!out.stdout.contains("dose = 10 mg"), "{}", out.all());
}

#[test]
fn repl_with_a_missing_protocol_exits_1() {
    let dir = scratch("repl_missing");
    let out = repl(&dir, &["missing.dose"], "");
    assert_fails_with(&out, "posology::io::read");
}

#[test]
fn test_of_a_missing_path_prints_only_the_read_error() {
    let dir = scratch("test_missing");
    let out = posology(&dir, &["test", "missing/"], Input::Nothing);
    assert_fails_with(&out, "posology::io::read");
    assert!(!out.stdout.contains("does not check"), "{}", out.all());
    assert_eq!(
        out.stderr.matches("posology::io::").count(),
        1,
        "{}",
        out.all()
    );
}

// ------------------------------------------------------------------ history on a terminal

/// Starts the REPL on a pseudo-terminal with `state` as `XDG_STATE_HOME`, runs `:inputs`, leaves
/// with Ctrl-D (waiting for `at_end` to be printed, if given), and returns what it printed up
/// to its first prompt, and then from the end of that line to the end.
fn terminal_session(dir: &Path, state: &Path, at_end: Option<&str>) -> String {
    use expectrl::{ControlCode, Expect, Session};

    let mut command = Command::new(env!("CARGO_BIN_EXE_posology"));
    command
        .args(["repl", "tiny.dose"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", state);
    let mut repl = Session::spawn(command).expect("the REPL starts on a pty");
    repl.set_expect_timeout(Some(TIMEOUT));
    let mut shown = String::new();
    let start = repl
        .expect("posology> ")
        .expect("a prompt, not a hang on the history file");
    shown.push_str(&String::from_utf8_lossy(start.before()));
    repl.send(":inputs\r").expect("typing");
    // Text of the reply only (not of the typed line), then the next prompt: Ctrl-D sent before
    // the editor reads again could be lost.
    repl.expect("5 mg..40 mg").expect("the line runs");
    repl.expect("posology> ").expect("the next prompt");
    repl.send(ControlCode::EndOfTransmission).expect("Ctrl-D");
    if let Some(text) = at_end {
        let end = repl.expect(text).expect("the last words");
        shown.push_str(&String::from_utf8_lossy(end.before()));
        shown.push_str(text);
    }
    let end = repl.expect(expectrl::Eof).expect("the REPL leaves");
    shown.push_str(&String::from_utf8_lossy(end.before()));
    shown
}

#[test]
fn a_history_file_that_cannot_be_used_means_no_history_and_one_warning() {
    let dir = scratch("history");
    write(&dir.join("tiny.dose"), TINY);

    // A named pipe: the REPL used to hang before its first prompt.
    let fifo_state = dir.join("fifo");
    fs::create_dir_all(fifo_state.join("posology")).unwrap();
    mkfifo(&fifo_state.join("posology/history"));
    let shown = terminal_session(&dir, &fifo_state, None);
    assert_eq!(
        shown.matches("no history this session").count(),
        1,
        "{shown}"
    );
    assert!(shown.contains("posology::io::not_a_file"), "{shown}");
    assert!(!shown.contains("not saved"), "{shown}");

    // A symbolic link: its target used to be rewritten.
    let link_state = dir.join("link");
    fs::create_dir_all(link_state.join("posology")).unwrap();
    write(&dir.join("precious.txt"), "precious\n");
    symlink(
        dir.join("precious.txt"),
        link_state.join("posology/history"),
    )
    .unwrap();
    let shown = terminal_session(&dir, &link_state, None);
    assert_eq!(
        shown.matches("no history this session").count(),
        1,
        "{shown}"
    );
    assert!(shown.contains("posology::io::symlink"), "{shown}");
    assert_eq!(
        fs::read_to_string(dir.join("precious.txt")).unwrap(),
        "precious\n"
    );

    // A directory.
    let dir_state = dir.join("directory");
    fs::create_dir_all(dir_state.join("posology/history")).unwrap();
    let shown = terminal_session(&dir, &dir_state, None);
    assert_eq!(
        shown.matches("no history this session").count(),
        1,
        "{shown}"
    );

    // Unwritable: the state "directory" is a file, so nothing can be made under it.
    let file_state = dir.join("state_file");
    write(&file_state, "not a directory\n");
    let shown = terminal_session(&dir, &file_state, None);
    assert_eq!(
        shown.matches("no history this session").count(),
        1,
        "{shown}"
    );
    assert!(!shown.contains("not saved"), "one warning only: {shown}");

    // Read-only: read, but not replaced at the end (one warning then).
    let ro_state = dir.join("read_only");
    fs::create_dir_all(ro_state.join("posology")).unwrap();
    write(&ro_state.join("posology/history"), "#V2\n:help\n");
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(
            ro_state.join("posology/history"),
            fs::Permissions::from_mode(0o444),
        )
        .unwrap();
    }
    let shown = terminal_session(&dir, &ro_state, Some("history was not saved"));
    assert_eq!(shown.matches("history was not saved").count(), 1, "{shown}");
    assert!(!shown.contains("no history this session"), "{shown}");
    assert_eq!(
        fs::read_to_string(ro_state.join("posology/history")).unwrap(),
        "#V2\n:help\n"
    );

    // A plain file is read and written back, owner-only.
    let good_state = dir.join("good");
    let shown = terminal_session(&dir, &good_state, None);
    assert!(!shown.contains("history"), "{shown}");
    let saved = fs::read_to_string(good_state.join("posology/history")).unwrap();
    assert_eq!(saved, "#V2\n:inputs\n");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(good_state.join("posology/history"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "history is private: {mode:o}");
    }
}
