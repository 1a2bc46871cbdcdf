//! Unit tests of the file module, each on a scratch directory of its own.

use super::read::size_words;
use super::*;
use crate::diagnostics::Diagnostic;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SMALL: Limit = Limit {
    what: "test file",
    max_bytes: 16,
};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("posology-files-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn code<T: std::fmt::Debug>(r: Result<T, Diagnostic>) -> &'static str {
    r.expect_err("an error").code
}

/// Runs `f` on another thread and fails (rather than hangs) if it takes too long.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(Duration::from_secs(10))
        .expect("finished without blocking")
}

#[test]
fn a_regular_file_is_read_up_to_the_limit_and_no_further() {
    let dir = scratch("limit");
    fs::write(dir.join("at.txt"), "0123456789abcdef").unwrap();
    fs::write(dir.join("over.txt"), "0123456789abcdefX").unwrap();
    assert_eq!(
        read_text(&dir.join("at.txt"), SMALL).unwrap(),
        "0123456789abcdef"
    );
    let d = read_text(&dir.join("over.txt"), SMALL).unwrap_err();
    assert_eq!(d.code, "posology::io::too_large");
    assert!(d.message.contains("17 bytes"), "{}", d.message);
    assert!(
        d.message.contains("largest test file accepted is 16 bytes"),
        "{}",
        d.message
    );
}

#[test]
fn an_endless_stream_is_cut_at_the_limit() {
    let d = read_stream("standard input", std::io::repeat(b' '), SMALL).unwrap_err();
    assert_eq!(d.code, "posology::io::too_large");
    assert!(d.message.contains("more than 16 bytes"), "{}", d.message);
    assert_eq!(read_stream("x", &b"short"[..], SMALL).unwrap(), "short");
}

#[test]
fn devices_pipes_and_directories_are_not_read() {
    let dir = scratch("special");
    symlink("/dev/zero", dir.join("zero.dose")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(dir.join("pipe.dose"))
        .status()
        .is_ok_and(|s| s.success()));
    assert_eq!(
        code(read_text(Path::new("/dev/zero"), SMALL)),
        "posology::io::not_a_file"
    );
    assert_eq!(
        code(read_text(&dir.join("zero.dose"), SMALL)),
        "posology::io::not_a_file"
    );
    assert_eq!(code(read_text(&dir, SMALL)), "posology::io::not_a_file");
    let pipe = dir.join("pipe.dose");
    let d = within_seconds(move || read_text(&pipe, SMALL)).unwrap_err();
    assert_eq!(d.code, "posology::io::not_a_file");
    assert!(d.message.contains("named pipe"), "{}", d.message);
    assert!(d.help.is_some());
    assert_eq!(
        code(read_text(&dir.join("missing"), SMALL)),
        "posology::io::read"
    );
}

#[test]
fn text_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
    let d = decode("p.dose", b"ok\nbad \xB5g\n".to_vec()).unwrap_err();
    assert_eq!(d.code, "posology::io::not_utf8");
    assert!(
        d.message.contains("0xB5 at line 2, column 5"),
        "{}",
        d.message
    );
    // A truncated sequence at the very end is named too, without a panic.
    let d = decode("p.dose", b"abc\xE2\x82".to_vec()).unwrap_err();
    assert!(d.message.contains("0xE2 0x82"), "{}", d.message);
}

#[test]
fn a_new_file_never_replaces_one_and_a_replacement_keeps_nothing_half_written() {
    let dir = scratch("write");
    let path = dir.join("out.json");
    write_text(&path, "one\n", WriteOptions::NEW).unwrap();
    assert_eq!(
        code(write_text(&path, "two\n", WriteOptions::NEW)),
        "posology::io::exists"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
    write_text(&path, "three\n", WriteOptions::REPLACE).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "three\n");
    let names: Vec<_> = fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    // A bare file name is written in the current directory's terms (parent "").
    assert!(Path::new("x.json")
        .parent()
        .is_some_and(|p| p.as_os_str().is_empty()));
}

#[test]
fn links_special_files_and_read_only_files_are_never_written() {
    let dir = scratch("write_refused");
    fs::write(dir.join("target"), "precious").unwrap();
    symlink("target", dir.join("link")).unwrap();
    symlink("nowhere", dir.join("dangling")).unwrap();
    for options in [WriteOptions::NEW, WriteOptions::REPLACE] {
        assert_eq!(
            code(write_text(&dir.join("link"), "x", options)),
            "posology::io::symlink"
        );
        assert_eq!(
            code(write_text(&dir.join("dangling"), "x", options)),
            "posology::io::symlink"
        );
        assert_eq!(
            code(write_text(&dir, "x", options)),
            "posology::io::not_a_file"
        );
    }
    assert_eq!(fs::read_to_string(dir.join("target")).unwrap(), "precious");
    assert!(!dir.join("nowhere").exists());
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.join("target"), fs::Permissions::from_mode(0o444)).unwrap();
    }
    assert_eq!(
        code(write_text(&dir.join("target"), "x", WriteOptions::REPLACE)),
        "posology::io::write"
    );
    assert_eq!(fs::read_to_string(dir.join("target")).unwrap(), "precious");
    assert_eq!(
        code(write_text(
            &dir.join("no_such_dir/out"),
            "x",
            WriteOptions::NEW
        )),
        "posology::io::write"
    );
}

#[test]
fn a_private_file_is_for_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("private");
    let options = WriteOptions {
        replace: Replace::Existing,
        private: true,
    };
    write_text(&dir.join("history"), "x", options).unwrap();
    let mode = fs::metadata(dir.join("history"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}

#[test]
fn a_walk_ends_on_loops_and_names_each_file_once() {
    let dir = scratch("walk");
    fs::create_dir_all(dir.join("b")).unwrap();
    fs::write(dir.join("a.dose"), "").unwrap();
    fs::write(dir.join("b/c.dose"), "").unwrap();
    fs::write(dir.join("b/notes.txt"), "").unwrap();
    symlink(".", dir.join("self")).unwrap();
    symlink("..", dir.join("b/up")).unwrap();
    symlink("a.dose", dir.join("0alias.dose")).unwrap();
    let found = find_files(&[dir.clone(), dir.join("b"), dir.join("a.dose")], "dose");
    assert_eq!(found.files, vec![dir.join("a.dose"), dir.join("b/c.dose")]);
    let skipped: Vec<_> = found.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(skipped, vec!["posology::io::symlink_skipped"; 2]);
    assert!(found.diagnostics.iter().all(|d| !d.is_error()));
    // A path that does not exist is kept, for the reader to say why.
    let found = find_files(&[dir.join("missing.dose")], "dose");
    assert_eq!(found.files, vec![dir.join("missing.dose")]);
}

#[test]
fn the_same_file_is_recognised_under_other_names() {
    let dir = scratch("same");
    fs::write(dir.join("p.dose"), "").unwrap();
    symlink("p.dose", dir.join("alias")).unwrap();
    assert!(same_file(&dir.join("p.dose"), &dir.join("alias")));
    assert!(same_file(
        &dir.join("p.dose"),
        &dir.join(".").join("p.dose")
    ));
    assert!(!same_file(&dir.join("p.dose"), &dir.join("missing")));
}

#[test]
fn sizes_are_said_in_the_largest_whole_unit() {
    assert_eq!(size_words(1 << 20), "1 MiB");
    assert_eq!(size_words(4 << 20), "4 MiB");
    assert_eq!(size_words(1 << 10), "1 KiB");
    assert_eq!(size_words(1000), "1000 bytes");
}

#[test]
fn a_directory_with_nothing_to_check_is_an_error_not_a_silent_success() {
    let dir = scratch("nothing");
    fs::create_dir_all(dir.join("empty")).unwrap();
    fs::write(dir.join("empty/notes.txt"), "").unwrap();
    let found = find_files(&[dir.join("empty")], "dose");
    assert!(found.files.is_empty());
    let codes: Vec<_> = found.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["posology::io::nothing_found"]);
    assert!(found.diagnostics[0].is_error());
    // A directory named twice is searched once and not called empty the second time.
    fs::write(dir.join("empty/a.dose"), "").unwrap();
    let found = find_files(&[dir.join("empty"), dir.join("empty/.")], "dose");
    assert_eq!(found.files, vec![dir.join("empty/a.dose")]);
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
}

#[test]
fn a_directory_too_deep_to_look_at_is_reported_not_passed_over() {
    let dir = scratch("deep");
    // Each level adds 3 bytes to the path: past PATH_MAX (4096) lstat fails (ENAMETOOLONG),
    // and what was below was skipped without a word. Made 500 levels at a time from inside,
    // as one path would be too long to create.
    let mut made = dir.clone();
    for _ in 0..3 {
        let part: PathBuf = std::iter::repeat_n("dd", 500).collect();
        let status = Command::new("mkdir")
            .arg("-p")
            .arg(&part)
            .current_dir(&made)
            .status()
            .expect("mkdir runs");
        assert!(status.success());
        made = made.join(part);
    }
    let found = find_files(std::slice::from_ref(&dir), "dose");
    assert!(
        found
            .diagnostics
            .iter()
            .any(|d| d.code == "posology::io::read" && d.is_error()),
        "{:?}",
        found
            .diagnostics
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    let _ = Command::new("rm").arg("-rf").arg(&dir).status();
}

#[test]
fn a_replaced_file_keeps_its_owner_and_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = scratch("owner");
    let path = dir.join("p.dose");
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    // Only root can give a file away; as anyone else the owner is already the writer.
    let (uid, gid) = if fs::metadata(&dir).unwrap().uid() == 0 {
        let _ = std::os::unix::fs::chown(&path, Some(65534), Some(65534));
        (65534, 65534)
    } else {
        let meta = fs::metadata(&path).unwrap();
        (meta.uid(), meta.gid())
    };
    write_text(&path, "new", WriteOptions::REPLACE).expect("replaced");
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    assert_eq!((meta.uid(), meta.gid()), (uid, gid));
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
}

#[test]
fn lines_are_read_one_at_a_time_and_a_long_one_is_passed_over() {
    let text = "ab\r\ncdefghij\n\nlast";
    let mut input = std::io::BufReader::with_capacity(2, text.as_bytes());
    let mut lines = Vec::new();
    while let Some(line) = read_line(&mut input, 4).expect("read from memory") {
        lines.push(line);
    }
    assert_eq!(
        lines,
        [
            Line::Text(b"ab".to_vec()),
            Line::TooLong { ended: true },
            Line::Text(Vec::new()),
            Line::Text(b"last".to_vec()),
        ]
    );
    let mut tail = "toolong".as_bytes();
    assert_eq!(
        read_line(&mut tail, 4).expect("read"),
        Some(Line::TooLong { ended: false })
    );
}

#[test]
fn a_stream_is_opened_only_from_a_regular_file() {
    let dir = scratch("open-stream");
    let file = dir.join("patients.jsonl");
    fs::write(&file, "{}\n").expect("writable");
    assert!(open_stream(&file).is_ok());
    assert_eq!(code(open_stream(&dir)), "posology::io::not_a_file");
    assert_eq!(
        code(open_stream(&dir.join("missing.jsonl"))),
        "posology::io::read"
    );
}
