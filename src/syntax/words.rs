//! The language's words, as lists the diagnostics, the checker and the REPL read ("did you
//! mean", highlighting). The grammar (`grammar/posology.pest`) is what parses; the tests below
//! read the grammar's text and hold each list against the rule it mirrors, so a word added to
//! the grammar and not here (or the other way round) fails `cargo test`.

/// Words reserved by the language: the grammar's `keyword` rule.
pub const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "is",
    "missing",
    "empty",
    "true",
    "false",
    "in",
    "times",
    "daily",
    "every",
    "over",
    "for",
    "round",
    "hard",
    "soft",
    "because",
    "source",
    "optional",
    "default",
    "when",
    "otherwise",
    "give",
    "hold",
    "stop",
    "refuse",
    "warn",
    "note",
    "observe",
    "wait",
    "goto",
    "let",
    "limit",
    "decide",
    "example",
    "given",
    "expect",
    "inputs",
    "protocol",
    "schedule",
    "increase",
    "decrease",
    "until",
    "starting",
    "route",
    "bolus",
    "infusion",
    "proposal",
    "allow",
    "among",
    "critical",
    "next",
    "after",
    "always",
    "require",
    "show",
];

/// The actions a rule can take, as written: the word each alternative of the grammar's `action`
/// rule starts with.
pub const ACTIONS: &[&str] = &[
    "give", "schedule", "choose", "hold", "stop", "refuse", "warn", "note", "observe", "wait",
    "goto", "next", "show",
];

/// The forms a `give` may name: the grammar's `form` rule. (The order is that in which "did you
/// mean" breaks a tie.)
pub const FORMS: &[&str] = &[
    "tablet",
    "tablets",
    "bolus",
    "infusion",
    "solution",
    "injection",
];

/// True for a reserved word: one of [`KEYWORDS`], matched without a search of the list (the
/// hand-written reader and the pre-parse check ask for every word they read; a test holds the
/// two together).
pub(super) fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "and"
            | "or"
            | "not"
            | "if"
            | "then"
            | "else"
            | "is"
            | "missing"
            | "empty"
            | "true"
            | "false"
            | "in"
            | "times"
            | "daily"
            | "every"
            | "over"
            | "for"
            | "round"
            | "hard"
            | "soft"
            | "because"
            | "source"
            | "optional"
            | "default"
            | "when"
            | "otherwise"
            | "give"
            | "hold"
            | "stop"
            | "refuse"
            | "warn"
            | "note"
            | "observe"
            | "wait"
            | "goto"
            | "let"
            | "limit"
            | "decide"
            | "example"
            | "given"
            | "expect"
            | "inputs"
            | "protocol"
            | "schedule"
            | "increase"
            | "decrease"
            | "until"
            | "starting"
            | "route"
            | "bolus"
            | "infusion"
            | "proposal"
            | "allow"
            | "among"
            | "critical"
            | "next"
            | "after"
            | "always"
            | "require"
            | "show"
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::build::Rule;
    use super::super::error::words_of;
    use super::{ACTIONS, FORMS, KEYWORDS};

    const GRAMMAR: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/grammar/posology.pest"
    ));

    /// The body of rule `name`: the text between the braces of `name = … { … }`, without comments.
    fn body(name: &str) -> String {
        let start = GRAMMAR
            .lines()
            .scan(0, |at, line| {
                let here = *at;
                *at += line.len() + 1;
                Some((here, line))
            })
            .find(|(_, line)| {
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map(|(at, _)| at)
            .unwrap_or_else(|| panic!("the grammar has no rule `{name}`"));
        let text = &GRAMMAR[start..];
        let open = text.find('{').expect("a rule has a body");
        let mut depth = 0;
        let mut out = String::new();
        let mut in_string = false;
        let mut chars = text[open..].chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => in_string = !in_string,
                '\\' if in_string => {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                    continue;
                }
                '/' if !in_string && chars.peek() == Some(&'/') => {
                    for n in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                    continue;
                }
                '{' if !in_string => depth += 1,
                '}' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        return out;
                    }
                }
                _ => {}
            }
            out.push(c);
        }
        panic!("rule `{name}` is not closed")
    }

    /// The words among the string literals of a rule's body (not punctuation such as the `:`
    /// that `form` must not be followed by).
    fn literals(name: &str) -> BTreeSet<String> {
        body(name)
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_string)
            .collect()
    }

    /// The rule names a body is made of, in order.
    fn rule_names(name: &str) -> Vec<String> {
        body(name)
            .split('"')
            .step_by(2)
            .flat_map(|outside| {
                outside
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The first string literal of a rule.
    fn leading_word(name: &str) -> String {
        body(name)
            .split('"')
            .nth(1)
            .unwrap_or_else(|| panic!("rule `{name}` starts with no word"))
            .to_string()
    }

    fn set(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| (*w).to_string()).collect()
    }

    #[test]
    fn keywords_are_the_grammars() {
        assert_eq!(set(KEYWORDS), literals("keyword"));
        assert_eq!(
            KEYWORDS.len(),
            set(KEYWORDS).len(),
            "a keyword is listed twice"
        );
    }

    #[test]
    fn actions_are_the_grammars() {
        let grammar: BTreeSet<String> = rule_names("action")
            .iter()
            .map(|r| leading_word(r))
            .collect();
        assert_eq!(set(ACTIONS), grammar);
    }

    #[test]
    fn forms_are_the_grammars() {
        assert_eq!(set(FORMS), literals("form"));
    }

    /// Each rule whose body is a choice of words is offered in "did you mean" with those words.
    #[test]
    fn word_choices_are_the_grammars() {
        for (rule, name) in [
            (Rule::limit_kind, "limit_kind"),
            (Rule::hit_policy, "hit_policy"),
            (Rule::header_key, "header_key"),
            (Rule::direction, "direction"),
            (Rule::round_mode, "round_mode"),
            (Rule::form, "form"),
        ] {
            assert_eq!(set(words_of(rule)), literals(name), "rule `{name}`");
        }
    }

    /// Every word "did you mean" offers for a rule is one the grammar has, and the word a rule
    /// starts with is among those offered for it.
    #[test]
    fn suggested_words_are_in_the_grammar() {
        let everywhere: BTreeSet<String> = Rule::all_rules()
            .iter()
            .flat_map(|r| literals(&format!("{r:?}")))
            .collect();
        for &rule in Rule::all_rules() {
            let words = words_of(rule);
            for w in words {
                assert!(
                    everywhere.contains(*w),
                    "`{w}` (for {rule:?}) is not in the grammar"
                );
            }
            let name = format!("{rule:?}");
            let first = body(&name)
                .trim_start_matches(|c: char| c == '{' || c.is_whitespace() || c == '(')
                .to_string();
            if let Some(rest) = first.strip_prefix('"') {
                let word = rest.split('"').next().unwrap_or_default();
                if !words.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic()) {
                    assert!(words.contains(&word), "{rule:?} starts with `{word}`");
                }
            }
        }
    }
}
