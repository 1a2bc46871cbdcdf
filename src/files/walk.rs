//! Directory walks that end: links to directories are not followed, each file is named once.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{identity, read_error, FileError, Identity};
use crate::diagnostics::Diagnostic;

/// The entries of one directory, sorted by path (the caller decides which to use).
pub fn list_dir(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| read_error(dir, e))?
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
/// read later by [`read_text`](super::read_text), which refuses pipes and devices.
pub fn find_files(paths: &[PathBuf], extension: &str) -> Found {
    let mut found = Found::default();
    let mut seen_files = HashSet::new();
    let mut seen_dirs = HashSet::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                // A directory named twice is searched once, and is not "empty" the second time.
                if identity(path).is_some_and(|id| seen_dirs.contains(&id)) {
                    continue;
                }
                let matched = walk(path, extension, &mut seen_dirs, &mut seen_files, &mut found);
                if matched == 0 {
                    // Checking nothing is not a success: a mistyped or emptied directory in a
                    // CI command line must not pass.
                    found.diagnostics.push(
                        FileError::NothingFound {
                            path: path.to_path_buf(),
                            extension: extension.to_string(),
                        }
                        .into(),
                    );
                }
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
/// stack). Returns how many paths with the extension were met (files named before count too).
fn walk(
    root: &Path,
    extension: &str,
    seen_dirs: &mut HashSet<Identity>,
    seen_files: &mut HashSet<Identity>,
    found: &mut Found,
) -> usize {
    let mut stack = vec![root.to_path_buf()];
    let mut links = Vec::new();
    let mut first = true;
    let mut matched = 0;
    while let Some(path) = stack.pop() {
        // The root was looked at through links; anything inside is looked at as it is.
        let meta = if first {
            fs::metadata(&path)
        } else {
            fs::symlink_metadata(&path)
        };
        first = false;
        let meta = match meta {
            Ok(meta) => meta,
            Err(_) if has_extension(&path, extension) => {
                // Gone since it was listed, or cannot be looked at: reading it will say which.
                matched += 1;
                push_once(&path, seen_files, &mut found.files);
                continue;
            }
            // Gone since it was listed: nothing to search.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            // A directory that cannot be looked at (a path too long, no permission) is not
            // passed over in silence: its files would go unchecked.
            Err(e) => {
                found.diagnostics.push(read_error(&path, e).into());
                continue;
            }
        };
        if meta.file_type().is_symlink() {
            if fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                found
                    .diagnostics
                    .push(FileError::SymlinkSkipped { path: path.clone() }.into());
            } else if has_extension(&path, extension) {
                matched += 1;
                links.push(path);
            }
            continue;
        }
        if !meta.is_dir() {
            // Regular files, and pipes or devices named like protocols: the reader refuses those
            // with a diagnostic, so they are not silently passed over.
            if has_extension(&path, extension) {
                matched += 1;
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
    matched
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e == extension)
}
