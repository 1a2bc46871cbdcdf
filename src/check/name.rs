//! Names the checked program hands out to every decision: rule and limit ids, phase names,
//! label sections, message codes, routes. Each is stored once when the protocol is checked, and a
//! decision holds a handle to it, so copying one into a decision, its doses, messages and trace
//! is a pointer copy, not a new string.
//!
//! Why names are interned for the process rather than reference-counted: a cohort decides
//! patients on several threads over one protocol, and a count that every thread writes for
//! every patient makes the threads wait on each other's cache line (two threads ran 1.65×
//! faster than one with counted names, 1.8× without). An interned name is never freed, so the
//! interned text is bounded ([`INTERNED_BYTES`]); past it, names are counted again, which is
//! slower on many threads but the same in every result.

use foldhash::HashSet;
use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, Mutex};

/// A name from the checked program (a rule id, phase name, label section, message code…),
/// cheap to copy. It reads, prints, compares, hashes and serializes exactly as the string it
/// holds, whichever way it is kept.
#[derive(Clone)]
pub struct Name(Kept);

/// How a name's text is kept.
#[derive(Clone)]
enum Kept {
    /// Interned for the life of the process: copies touch nothing shared.
    Interned(&'static str),
    /// Reference-counted: a name made past the interning bound, or made while deciding.
    Counted(Arc<str>),
}

/// The most text, in bytes, interned for the life of the process: a few times the largest
/// protocol (1 MiB), so that a REPL or a server loading protocol after protocol keeps a bounded
/// amount of memory however many it loads (the same names are interned once).
const INTERNED_BYTES: usize = 8 << 20;

/// The interned names and the bytes they hold.
static INTERNED: Mutex<(Option<HashSet<&'static str>>, usize)> = Mutex::new((None, 0));

impl Name {
    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Kept::Interned(s) => s,
            Kept::Counted(s) => s,
        }
    }

    /// A name for text known when the program is compiled (e.g. the safety gate's id).
    pub const fn from_static(s: &'static str) -> Name {
        Name(Kept::Interned(s))
    }

    /// A name made while deciding (a table row's id, an alternative's), reference-counted and
    /// not interned: interning would take the process-wide lock for every patient.
    pub fn counted(s: &str) -> Name {
        Name(Kept::Counted(Arc::from(s)))
    }

    /// The interned copy of `s`, interning it if the bound allows; otherwise a counted copy.
    fn interned(s: &str) -> Name {
        let Ok(mut guard) = INTERNED.lock() else {
            return Name::counted(s);
        };
        let (set, bytes) = &mut *guard;
        let set = set.get_or_insert_with(HashSet::default);
        if let Some(kept) = set.get(s) {
            return Name(Kept::Interned(kept));
        }
        if bytes.saturating_add(s.len()) > INTERNED_BYTES {
            return Name::counted(s);
        }
        *bytes += s.len();
        let kept: &'static str = Box::leak(Box::from(s));
        set.insert(kept);
        Name(Kept::Interned(kept))
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Default for Name {
    fn default() -> Self {
        Name::from("")
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

/// Debug output is the string's own, so that debug dumps read as they did with `String`.
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name::interned(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Name::interned(&s)
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Name::interned(s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.as_str().to_string()
    }
}

impl From<&Name> for String {
    fn from(n: &Name) -> Self {
        n.as_str().to_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn a_name_reads_prints_and_serializes_as_its_string() {
        let n = Name::from("loading.dose");
        assert_eq!(n.as_str(), "loading.dose");
        assert_eq!(n.to_string(), "loading.dose");
        assert_eq!(format!("{n:?}"), format!("{:?}", "loading.dose"));
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"loading.dose\"");
        assert_eq!(n, "loading.dose");
        assert_eq!(String::from(&n), "loading.dose");
        let empty = Name::default();
        assert_eq!(empty.as_str(), "");
        let odd = Name::from("\"quoted\" é\n");
        assert_eq!(format!("{odd:?}"), format!("{:?}", "\"quoted\" é\n"));
        assert_eq!(
            serde_json::to_string(&odd).unwrap(),
            "\"\\\"quoted\\\" é\\n\""
        );
    }

    #[test]
    fn a_name_is_the_same_however_it_is_kept() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |n: &Name| {
            let mut h = DefaultHasher::new();
            n.hash(&mut h);
            h.finish()
        };
        let interned = Name::from("titrate_up");
        let counted = Name::counted("titrate_up");
        let fixed = Name::from_static("titrate_up");
        for other in [&counted, &fixed] {
            assert_eq!(&interned, other);
            assert_eq!(hash(&interned), hash(other));
            assert_eq!(interned.cmp(other), std::cmp::Ordering::Equal);
            assert_eq!(
                serde_json::to_string(&interned).unwrap(),
                serde_json::to_string(other).unwrap()
            );
        }
        assert_eq!(
            Name::counted("a").cmp(&Name::from("b")),
            std::cmp::Ordering::Less
        );
        assert_ne!(Name::counted("a"), Name::from("b"));
    }

    #[test]
    fn the_same_text_is_interned_once() {
        let a = Name::from("interned_once_rule");
        let b = Name::from(String::from("interned_once_rule"));
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
    }

    #[test]
    fn past_the_bound_a_name_is_counted_and_still_equal() {
        // Longer than the whole bound: never interned, whatever was interned before.
        let long = "x".repeat(super::INTERNED_BYTES + 1);
        let a = Name::from(long.as_str());
        assert!(matches!(a.0, super::Kept::Counted(_)));
        assert_eq!(a, Name::counted(&long));
        assert_eq!(a.as_str(), long);
    }

    #[test]
    fn a_copy_shares_the_string() {
        let n = Name::from("r1");
        let m = n.clone();
        assert!(std::ptr::eq(n.as_str(), m.as_str()));
    }
}
