//! Names the checked program hands out to every decision: rule and limit ids, phase names,
//! label sections, message codes, routes. Each is stored once when the protocol is checked, and a
//! decision holds a shared handle to it, so copying one into a decision, its doses, messages and
//! trace is a reference-count increment, not a new string.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A name from the checked program (a rule id, phase name, label section, message code…),
/// shared and cheap to copy. It reads, prints, compares, hashes and serializes exactly as the
/// string it holds.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Arc<str>);

impl Name {
    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
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
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// Debug output is the string's own, so that debug dumps read as they did with `String`.
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name(Arc::from(s))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Name(Arc::from(s))
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Name(Arc::from(s.as_str()))
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.0.to_string()
    }
}

impl From<&Name> for String {
    fn from(n: &Name) -> Self {
        n.0.to_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == &*other.0
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
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
    fn a_copy_shares_the_string() {
        let n = Name::from("r1");
        let m = n.clone();
        assert!(std::ptr::eq(n.as_str(), m.as_str()));
    }
}
