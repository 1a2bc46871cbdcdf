//! The one way Posology reads and writes files. Every path comes from a user, so every path may
//! be hostile: a device that never ends (`/dev/zero`), a named pipe that blocks forever, a
//! symbolic link that points somewhere else, a directory that contains itself. The CLI, the
//! REPL and `posology test` all go through here, so each guarantee below holds everywhere:
//!
//! - [`read_text`] reads only regular files (a FIFO, device, socket or directory is refused
//!   before anything could block), at most a [`Limit`] of bytes whatever the file claims, and
//!   only UTF-8 text; each refusal is a coded diagnostic.
//! - [`write_text`] never writes through a symbolic link, never replaces an existing file unless
//!   asked, and writes a temporary file in the same directory that is then renamed over the
//!   target, so a crash leaves the old file or the new one, never half of either.
//! - [`find_files`] walks directories without following symbolic links to directories, and
//!   names each file once.
//!
//! This module sits below every layer: it builds [`Diagnostic`]s and knows nothing of protocols.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Source, Span};

/// The most bytes one read may return, and what is being read (for the message when a file is
/// larger). Each kind of file states its own: see `syntax::PROTOCOL_FILE` and
/// `input::PATIENT_FILE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What the file should be, in the user's words ("protocol", "patient file").
    pub what: &'static str,
    /// The largest accepted size in bytes.
    pub max_bytes: usize,
}

/// Reads a regular file as UTF-8 text, at most `limit.max_bytes` bytes.
///
/// A path that is not a regular file (a directory, FIFO, device or socket, directly or through
/// a symbolic link) is refused with `posology::io::not_a_file` before it is opened for reading
/// in a way that could block; a larger file with `posology::io::too_large` (whatever its
/// metadata claims: at most one byte past the limit is ever read); text that is not UTF-8 with
/// `posology::io::not_utf8`; anything else with `posology::io::read`.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let bytes = read_bytes(path, limit)?;
    decode(&name, bytes)
}

/// Reads a stream (standard input) as UTF-8 text, at most `limit.max_bytes` bytes: the same
/// caps and diagnostics as [`read_text`], for a source that has no path. `name` is how the
/// stream is named in messages.
pub fn read_stream(name: &str, reader: impl Read, limit: Limit) -> Result<String, Diagnostic> {
    let bytes = read_capped(name, reader, limit, None)?;
    decode(name, bytes)
}

fn read_bytes(path: &Path, limit: Limit) -> Result<Vec<u8>, Diagnostic> {
    // Look first: opening a FIFO for reading blocks until a writer comes, and a device never
    // ends, so neither may be opened as if it were a file.
    let meta = fs::metadata(path).map_err(|e| read_error(path, &e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    let file = open_for_reading(path).map_err(|e| read_error(path, &e))?;
    // The path may have been swapped between the look and the open: judge the handle itself.
    let meta = file.metadata().map_err(|e| read_error(path, &e))?;
    refuse_unless_regular(path, &meta, Access::Read)?;
    read_capped(&path.display().to_string(), file, limit, Some(meta.len()))
}

/// Opens for reading without blocking (a FIFO swapped in after the look opens at once) and
/// without making a terminal device the controlling terminal.
fn open_for_reading(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Reads at most one byte past the limit, so a larger source is known to be larger without
/// being read whole.
fn read_capped(
    name: &str,
    reader: impl Read,
    limit: Limit,
    claimed: Option<u64>,
) -> Result<Vec<u8>, Diagnostic> {
    let cap = u64::try_from(limit.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // Metadata only sizes the first allocation, never how much is read.
    let first = claimed.unwrap_or(0).min(cap);
    let mut bytes = Vec::with_capacity(usize::try_from(first).unwrap_or(0));
    reader
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error_named(name, &e))?;
    if bytes.len() > limit.max_bytes {
        return Err(too_large(name, limit, claimed));
    }
    Ok(bytes)
}

/// Bytes as UTF-8 text, or a diagnostic pointing at the first invalid byte. `name` names the
/// source in the message ("protocols/x.dose", "standard input, line 3").
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| not_utf8(name, &e))
}

/// Text that is not UTF-8, as a diagnostic pointing at its first invalid byte.
fn not_utf8(name: &str, err: &std::string::FromUtf8Error) -> Diagnostic {
    let bytes = err.as_bytes();
    let at = err.utf8_error().valid_up_to();
    let len = err
        .utf8_error()
        .error_len()
        .unwrap_or(bytes.len().saturating_sub(at));
    let shown = bytes
        .get(at..at.saturating_add(len))
        .unwrap_or_default()
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    let what = if len == 1 { "byte" } else { "bytes" };
    // The text as shown: the same up to the invalid bytes, which become one U+FFFD.
    let source = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
    let (line, column) = source.line_col(at);
    Diagnostic::error(
        "posology::io::not_utf8",
        format!(
            "{name} is not valid UTF-8 text: the {what} {shown} at line {line}, column {column} \
             (byte offset {at}) cannot be read"
        ),
    )
    .with_label(
        Span::new(at, at + '\u{FFFD}'.len_utf8()),
        format!("{what} {shown} here"),
    )
    .with_help(
        "save the file as plain UTF-8 text: such bytes usually come from a file saved as \
         Latin-1 or Windows-1252 (e.g. 0xB5 for µ, 0xA0 for a non-breaking space, 0x93 and \
         0x94 for curly quotes)",
    )
    .with_source(&source)
}

/// Whether a path is read or written (the advice differs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// What kind of thing a path is, when it is not a regular file.
fn not_regular_kind(meta: &fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    if kind.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

fn refuse_unless_regular(
    path: &Path,
    meta: &fs::Metadata,
    access: Access,
) -> Result<(), Diagnostic> {
    let Some(kind) = not_regular_kind(meta) else {
        return Ok(());
    };
    let help = match (access, meta.is_dir()) {
        (Access::Read, true) => "name a file inside it",
        (Access::Read, false) => {
            "name a regular file: pipes, devices and sockets are never read, so that a read \
             cannot wait forever or never end (save their content to a file first)"
        }
        (Access::Write, _) => "choose another name: only a regular file is ever replaced",
    };
    Err(Diagnostic::error(
        "posology::io::not_a_file",
        format!("{} is {kind}, not a regular file", path.display()),
    )
    .with_help(help))
}

/// `1 MiB`, `64 KiB` or `1000 bytes`.
fn size_words(bytes: usize) -> String {
    const KIB: usize = 1 << 10;
    const MIB: usize = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn too_large(name: &str, limit: Limit, claimed: Option<u64>) -> Diagnostic {
    let most = format!(
        "the largest {} accepted is {} ({} bytes)",
        limit.what,
        size_words(limit.max_bytes),
        limit.max_bytes
    );
    let size = match claimed {
        Some(n) if n > limit.max_bytes as u64 => format!("{n} bytes"),
        _ => format!("more than {} bytes", limit.max_bytes),
    };
    Diagnostic::error(
        "posology::io::too_large",
        format!("{name} is {size}; {most}"),
    )
    .with_help(format!(
        "check that this is the {} you meant; only the first {} bytes were read",
        limit.what,
        limit.max_bytes.saturating_add(1)
    ))
}

/// A failed read, as a diagnostic.
fn read_error(path: &Path, err: &io::Error) -> Diagnostic {
    read_error_named(&path.display().to_string(), err)
}

fn read_error_named(name: &str, err: &io::Error) -> Diagnostic {
    Diagnostic::error("posology::io::read", format!("cannot read {name}: {err}"))
        .with_help("check the path and that the file is readable")
}

/// A failed write, as a diagnostic.
fn write_error(path: &Path, err: &io::Error) -> Diagnostic {
    Diagnostic::error(
        "posology::io::write",
        format!("cannot write {}: {err}", path.display()),
    )
    .with_help("check that the directory exists and is writable")
}

/// Whether [`write_text`] may replace a file that is already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Refuse with `posology::io::exists` when anything is at the path.
    Never,
    /// Replace an existing regular file (its permissions are kept).
    Existing,
}

/// How [`write_text`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Whether an existing regular file may be replaced.
    pub replace: Replace,
    /// Readable by the owner only (history may hold patient data).
    pub private: bool,
}

impl WriteOptions {
    /// A new file only; an existing one is refused.
    pub const NEW: WriteOptions = WriteOptions {
        replace: Replace::Never,
        private: false,
    };
    /// A new file, or one that replaces an existing regular file.
    pub const REPLACE: WriteOptions = WriteOptions {
        replace: Replace::Existing,
        private: false,
    };
}

/// Writes `text` to `path`, all or nothing.
///
/// Refused: a symbolic link (`posology::io::symlink`: its target is never written, whatever
/// `options` say), anything that is not a regular file (`posology::io::not_a_file`), an existing
/// file unless `options.replace` allows it (`posology::io::exists`), a read-only file
/// (`posology::io::write`). The text goes to a temporary file in the same directory, is flushed
/// to disk, then renamed over the path (or linked to it, for a new file, so that a file created
/// meanwhile is not replaced either).
pub fn write_text(path: &Path, text: &str, options: WriteOptions) -> Result<(), Diagnostic> {
    let existing = match fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_error(path, &e)),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(symlink_refused(path));
        }
        refuse_unless_regular(path, meta, Access::Write)?;
        if options.replace == Replace::Never {
            return Err(exists(path));
        }
        if meta.permissions().readonly() {
            return Err(Diagnostic::error(
                "posology::io::write",
                format!("cannot write {}: the file is read-only", path.display()),
            )
            .with_help("make the file writable first, or choose another name"));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (temp, mut file) = create_temp(dir, options.private).map_err(|e| write_error(path, &e))?;
    let written = (|| -> io::Result<()> {
        if let (Some(meta), false) = (&existing, options.private) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()
    })();
    drop(file);
    let committed = written.map_err(|e| write_error(path, &e)).and_then(|()| {
        if existing.is_some() {
            fs::rename(&temp, path).map_err(|e| write_error(path, &e))
        } else {
            link_new(&temp, path)
        }
    });
    // The temporary name goes in every case: after a rename it no longer exists, after a link
    // the target keeps the text, after a failure it is waste.
    let _ = fs::remove_file(&temp);
    committed?;
    // Best effort: make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Puts a finished temporary file at a path where nothing was: a hard link fails if anything
/// appeared there meanwhile, where a rename would replace it.
fn link_new(temp: &Path, path: &Path) -> Result<(), Diagnostic> {
    match fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists(path)),
        // A file system without hard links: look once more, then rename.
        Err(_) => match fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::rename(temp, path).map_err(|e| write_error(path, &e))
            }
            _ => Err(exists(path)),
        },
    }
}

/// A new, empty file with an unused name in `dir`.
fn create_temp(dir: &Path, private: bool) -> io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut last = io::Error::other("no temporary name was free");
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".posology-{}-{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        // `create_new` never follows a symbolic link and never opens what is already there.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o666 });
        }
        #[cfg(not(unix))]
        let _ = private;
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

fn symlink_refused(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "posology::io::symlink",
        format!(
            "{} is a symbolic link; Posology does not write through links",
            path.display()
        ),
    )
    .with_help("name the file the link points to, or choose another name")
}

fn exists(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "posology::io::exists",
        format!("{} already exists and is not replaced", path.display()),
    )
    .with_help("choose another name")
}

/// Refuses a path that is a symbolic link (a path that does not exist is fine): for files that
/// are read and later rewritten in place, such as the REPL's history.
pub fn refuse_symlink(path: &Path) -> Result<(), Diagnostic> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(symlink_refused(path)),
        _ => Ok(()),
    }
}

/// True when both paths name the same existing file (through links, or different spellings).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// What makes a file itself, whatever path reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Canonical(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        Some(Identity::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        fs::canonicalize(path).ok().map(Identity::Canonical)
    }
}

/// The entries of one directory, sorted by path (the caller decides which to use).
pub fn list_dir(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| read_error(dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// Files found by [`find_files`], and what could not be searched.
#[derive(Debug, Default)]
pub struct Found {
    /// The files, each once, in the order given (a directory's files sorted, depth first).
    pub files: Vec<PathBuf>,
    /// Directories that could not be read (errors) and links not followed (warnings).
    pub diagnostics: Vec<Diagnostic>,
}

/// Every path named that is not a directory, and every file under a named directory whose
/// name ends in `.{extension}`.
///
/// A named path is taken as it is, even through a link (the user chose it). Inside a
/// directory, a symbolic link to a directory is not followed (a warning says so), so a link
/// back up (`dir/self -> .`) cannot make the walk endless; a link to a file is kept. A file
/// reached twice (named twice, or linked) is listed once. Nothing is read here: each file is
/// read later by [`read_text`], which refuses pipes and devices.
pub fn find_files(paths: &[PathBuf], extension: &str) -> Found {
    let mut found = Found::default();
    let mut seen_files = HashSet::new();
    let mut seen_dirs = HashSet::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                walk(path, extension, &mut seen_dirs, &mut seen_files, &mut found);
            }
            _ => push_once(path, &mut seen_files, &mut found.files),
        }
    }
    found
}

fn push_once(path: &Path, seen: &mut HashSet<Identity>, files: &mut Vec<PathBuf>) {
    // A path that cannot be looked at is kept: reading it will say why it cannot be read.
    if identity(path).is_none_or(|id| seen.insert(id)) {
        files.push(path.to_path_buf());
    }
}

/// Depth first, in sorted order, with an explicit stack (a deep tree cannot exhaust the call
/// stack).
fn walk(
    root: &Path,
    extension: &str,
    seen_dirs: &mut HashSet<Identity>,
    seen_files: &mut HashSet<Identity>,
    found: &mut Found,
) {
    let mut stack = vec![root.to_path_buf()];
    let mut links = Vec::new();
    let mut first = true;
    while let Some(path) = stack.pop() {
        // The root was looked at through links; anything inside is looked at as it is.
        let meta = if first {
            fs::metadata(&path)
        } else {
            fs::symlink_metadata(&path)
        };
        first = false;
        let Ok(meta) = meta else {
            // Gone since it was listed, or a dangling link: reading it will say which.
            if has_extension(&path, extension) {
                push_once(&path, seen_files, &mut found.files);
            }
            continue;
        };
        if meta.file_type().is_symlink() {
            if fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                found.diagnostics.push(
                    Diagnostic::warning(
                        "posology::io::symlink_skipped",
                        format!(
                            "{} is a symbolic link to a directory; it is not searched",
                            path.display()
                        ),
                    )
                    .with_help("name the directory it points to if its files should be included"),
                );
            } else if has_extension(&path, extension) {
                links.push(path);
            }
            continue;
        }
        if !meta.is_dir() {
            // Regular files, and pipes or devices named like protocols: the reader refuses those
            // with a diagnostic, so they are not silently passed over.
            if has_extension(&path, extension) {
                push_once(&path, seen_files, &mut found.files);
            }
            continue;
        }
        if identity(&path).is_some_and(|id| !seen_dirs.insert(id)) {
            continue;
        }
        match list_dir(&path) {
            Ok(entries) => stack.extend(entries.into_iter().rev()),
            Err(d) => found.diagnostics.push(d),
        }
    }
    // Links to files come after the files themselves, so that a file reached both ways is
    // named by its own path.
    for link in links {
        push_once(&link, seen_files, &mut found.files);
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e == extension)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::process::Command;
    use std::time::Duration;

    const SMALL: Limit = Limit {
        what: "test file",
        max_bytes: 16,
    };

    /// A fresh scratch directory for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("posology-files-{}-{name}", std::process::id()));
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
}
