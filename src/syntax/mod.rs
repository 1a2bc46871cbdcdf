//! Syntax layer: protocol text → AST with spans. The grammar lives in `grammar/posology.pest`;
//! a hand-written reader of it (`descent`) builds the same tree faster and hands anything it
//! does not read, every error among it, to the pest path, which alone writes diagnostics.
//!
//! ```
//! let text = r#"protocol demo { inputs { age: years } begin at first_phase phase first_phase { decide first { otherwise => note "hi" } } }"#;
//! let protocol = posology::syntax::parse(text).unwrap();
//! assert_eq!(protocol.name.name, "demo");
//! ```

pub mod ast;
mod build;
mod descent;
mod error;
mod expr;
/// How tightly each infix operator binds, for the formatter's brackets.
pub(crate) use expr::infix_binding;
mod kind;
pub mod lex;
mod table;
mod words;

use crate::diagnostics::{did_you_mean, Diagnostic};

pub use build::{parse, parse_expr, parse_expr_in, parse_value, unescape};
pub use kind::SyntaxError;
pub use words::{ACTIONS, FORMS, KEYWORDS};

/// The deepest bracket nesting a protocol may have. Deeper text is refused before parsing, so no
/// stage (the parser, the checker, the evaluator) can run out of stack on it.
pub const MAX_NESTING: usize = 64;

/// The deepest `if`s (and `list of` types) may nest inside one another where no bracket shows
/// it (`if a then if b then …`, `list of list of …`). The reader recurses once for each, on the
/// stack and without a guard of its own, so deeper text is refused before parsing; the limit
/// lies well above what the expression limit allows (64), so that such an expression is
/// refused by it, with its place, and well below what the reader's stack holds in a debug
/// build on a 2 MiB thread together with [`MAX_NESTING`] brackets.
pub const MAX_UNBRACKETED_NESTING: usize = 256;

/// The largest protocol file accepted, in bytes.
pub const MAX_PROTOCOL_BYTES: usize = 1 << 20;

/// How much of a protocol file is read: no more than [`MAX_PROTOCOL_BYTES`] (and one byte to
/// know it is larger), so a device or a huge file is refused without being read whole.
pub const PROTOCOL_FILE: crate::files::Limit = crate::files::Limit {
    what: "protocol",
    max_bytes: MAX_PROTOCOL_BYTES,
};

/// A byte that may belong to a character [`check_characters`] refuses: any but plain ASCII
/// text, tabs and line breaks.
#[inline]
fn suspect_byte(b: u8) -> bool {
    (b >= 0x7F) | ((b < 0x20) & (b != b'\t') & (b != b'\n'))
}

/// Refuses text that is too large or too deeply nested to parse safely, and characters that look
/// like syntax but are not (smart quotes, non-breaking spaces pasted from a word processor).
fn precheck(text: &str) -> Result<(), Diagnostic> {
    if text.len() > MAX_PROTOCOL_BYTES {
        return Err(SyntaxError::TooLarge { len: text.len() }.into());
    }
    // No ASCII character but the controls (a tab and a line break aside) hides a line break,
    // acts on a terminal or looks like syntax: a text without them has no token to look into.
    let suspect = |piece: &str| piece.bytes().any(suspect_byte);
    // The same test of the whole text, a byte at a time without stopping (the compiler can
    // then look at many bytes at once).
    let plain = !text.bytes().fold(false, |seen, b| seen | suspect_byte(b));
    if plain {
        return plain_walk(text);
    }
    let mut depth = 0usize;
    let mut unbracketed = Unbracketed::default();
    // Nothing may hide a line break or a reordering, in code, comments or quotes alike: a
    // comment or a note could otherwise show an editor a limit that is never read. (A quoted
    // text has no escape for these characters, so no text needs them; right-to-left words need
    // no bidi controls either.) Nor may a control character a terminal acts on (an escape
    // sequence can erase a line and print another where `cat` or `git diff` shows the file).
    // Other characters in quotes and comments are fine: Posology escapes them wherever it
    // prints them.
    let mut tokens = lex::Tokens::new(text);
    while let Some(token) = tokens.next() {
        if suspect(token.text(text)) {
            check_characters(text, &token)?;
        }
        // `tokens` is now the rest of the text, after `token`.
        unbracketed.count(text, &token, &tokens)?;
        match token.kind {
            lex::TokenKind::Open(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError::NestingTooDeep {
                        at: token.span.start,
                    }
                    .into());
                }
            }
            lex::TokenKind::Close(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// [`precheck`]'s walk over a text of ASCII characters, none of them `\r`, `\u{0B}` or
/// `\u{0C}` (nearly every protocol): no token has a character to look into, so it reads the
/// bytes as the lexer would cut them into tokens, without cutting them (spaces, numbers,
/// quotes and comments are stepped over), and counts brackets, `if`s and `list of`s as the
/// walk over the tokens does (a test holds the two together).
fn plain_walk(text: &str) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut unbracketed = Unbracketed::default();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i = match b {
            b' ' | b'\t' | b'\n' => i + 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => lex::bytes_while(bytes, i, |b| b != b'\n'),
            b'"' => lex::string_token(text, i).1,
            b'0'..=b'9' => {
                let end = lex::bytes_while(bytes, i, |b| b.is_ascii_digit());
                if bytes.get(end) == Some(&b'.')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    lex::bytes_while(bytes, end + 1, |b| b.is_ascii_digit())
                } else {
                    end
                }
            }
            b'(' | b'[' | b'{' => {
                unbracketed.levels.push(0);
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError::NestingTooDeep { at: i }.into());
                }
                i + 1
            }
            b')' | b']' | b'}' => {
                unbracketed.close(b == b'}');
                depth = depth.saturating_sub(1);
                i + 1
            }
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                let end = lex::bytes_while(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'_');
                let span = crate::diagnostics::Span::new(i, end);
                match &bytes[i..end] {
                    b"if" => unbracketed.open(span, false)?,
                    b"list" if plain_next_word(bytes, end) == Some(b"of") => {
                        unbracketed.open(span, true)?
                    }
                    _ if unbracketed.counting() && ends_every_expression(&text[i..end]) => {
                        unbracketed.reset()
                    }
                    _ => {}
                }
                end
            }
            // Any other ASCII character is a token of its own.
            _ => {
                if unbracketed.counting()
                    && (matches!(b, b';' | b',' | b':')
                        || (b == b'=' && bytes.get(i + 1) == Some(&b'>')))
                {
                    unbracketed.reset();
                }
                i + 1
            }
        };
    }
    Ok(())
}

/// In a text [`plain_walk`] reads, the word at `from` of `bytes` after spaces and comments, if a
/// word comes next.
fn plain_next_word(bytes: &[u8], mut from: usize) -> Option<&[u8]> {
    loop {
        match *bytes.get(from)? {
            b' ' | b'\t' | b'\n' => from += 1,
            b'/' if bytes.get(from + 1) == Some(&b'/') => {
                from = lex::bytes_while(bytes, from, |b| b != b'\n')
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let end = lex::bytes_while(bytes, from, |b| b.is_ascii_alphanumeric() || b == b'_');
                return Some(&bytes[from..end]);
            }
            _ => return None,
        }
    }
}

/// Counts, before parsing, how deep `if`s and `list of` types may nest where no bracket shows
/// it, with a count for each open bracket (and one outside them all).
///
/// The reader is inside an `if` (a `list of`) only while it reads an expression (a type); one
/// cannot go on past a `,` or `:` of its own bracket level, a `;`, a `=>`, or a reserved word that no
/// expression holds (`when`, `give`, `let`, …), nor past the bracket that closes around it. So
/// the `if`s (`list of`s) written since the last of these at each bracket level, summed over
/// the open levels, bound how deeply the reader can be nested in them (more closely than the
/// reader needs, so never too little). A `}` also ends those of the level around it: no
/// expression holds a `{…}`, and a `list of { … }` ends with its record.
#[derive(Default)]
struct Unbracketed {
    /// The count at each open bracket level, outermost first (empty: none yet at the top).
    levels: Vec<usize>,
    /// The count at the top level, outside every bracket.
    top: usize,
    /// The sum of all counts.
    total: usize,
}

/// Reserved words that no expression and no type holds: the reader cannot be inside an `if`
/// or a `list of` past one of them. These are [`KEYWORDS`] but for the words of expressions
/// (`and`, `or`, `not`, `if`, `then`, `else`, `is`, `missing`, `empty`, `true`, `false`, `in`,
/// `round`), which are left out here; a test holds the result against [`KEYWORDS`].
fn ends_every_expression(word: &str) -> bool {
    words::is_keyword(word)
        && !matches!(
            word,
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
                | "round"
        )
}

impl Unbracketed {
    /// The count at the current bracket level.
    fn current(&mut self) -> &mut usize {
        self.levels.last_mut().unwrap_or(&mut self.top)
    }

    /// Takes `token` (of `text`, followed by the tokens of `rest`) into account; refuses an
    /// `if` or `list` that nests too deep.
    fn count(
        &mut self,
        text: &str,
        token: &lex::Token,
        rest: &lex::Tokens<'_>,
    ) -> Result<(), Diagnostic> {
        match token.kind {
            lex::TokenKind::Open(_) => self.levels.push(0),
            lex::TokenKind::Close(c) => self.close(c == '}'),
            // Ending nothing at a level that has nothing to end changes nothing: at such a
            // level (nearly every one) a word or a mark is not looked up at all.
            lex::TokenKind::Punct
                if self.counting()
                    && (matches!(token.text(text), ";" | "," | ":")
                        || is_arrow(text, token, rest)) =>
            {
                self.reset();
            }
            lex::TokenKind::Word => match &text.as_bytes()[token.span.start..token.span.end] {
                b"if" => return self.open(token.span, false),
                b"list" if next_word(text, rest.clone()) == Some("of") => {
                    return self.open(token.span, true)
                }
                _ if self.counting() && ends_every_expression(token.text(text)) => self.reset(),
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    /// Closes a bracket level (a `}` when `brace`).
    fn close(&mut self, brace: bool) {
        self.total -= self.levels.pop().unwrap_or(0);
        // No expression holds a `{…}`, and a type ends with the record it holds.
        if brace {
            self.reset();
        }
    }

    /// True when the current bracket level has an `if` or a `list of` that something may end.
    fn counting(&self) -> bool {
        self.levels.last().copied().unwrap_or(self.top) != 0
    }

    /// Ends every `if` and `list of` of the current bracket level.
    fn reset(&mut self) {
        let current = std::mem::take(self.current());
        self.total -= current;
    }

    /// One more `if` or `list of` (a type, when `in_type`) at the current level, written at
    /// `span`.
    fn open(&mut self, span: crate::diagnostics::Span, in_type: bool) -> Result<(), Diagnostic> {
        *self.current() += 1;
        self.total += 1;
        if self.total > MAX_UNBRACKETED_NESTING {
            return Err(if in_type {
                SyntaxError::TypeTooDeep { span }
            } else {
                SyntaxError::ReaderTooDeep { span }
            }
            .into());
        }
        Ok(())
    }
}

/// True when `token` (of `text`, followed by the tokens of `rest`) is the `=` of a `=>`, the
/// `>` right after it.
fn is_arrow(text: &str, token: &lex::Token, rest: &lex::Tokens<'_>) -> bool {
    token.text(text) == "=" && {
        let next = rest.clone().next();
        next.is_some_and(|n| n.span.start == token.span.end && n.text(text) == ">")
    }
}

/// The first word among `tokens` (of `text`) if only spaces and comments come before it.
fn next_word<'a>(text: &'a str, mut tokens: lex::Tokens<'_>) -> Option<&'a str> {
    let token =
        tokens.find(|t| !matches!(t.kind, lex::TokenKind::Space | lex::TokenKind::Comment))?;
    (token.kind == lex::TokenKind::Word).then(|| token.text(text))
}

/// Refuses a character of `token` (in `text`) that hides a line break or a reordering, or, out
/// of quotes and comments, that looks like syntax but is not.
fn check_characters(text: &str, token: &lex::Token) -> Result<(), Diagnostic> {
    for (offset, c) in token.text(text).char_indices() {
        let i = token.span.start + offset;
        if let Some(what) = hidden_break(c, text[i + c.len_utf8()..].chars().next()) {
            return Err(SyntaxError::HiddenText { c, what, at: i }.into());
        }
        if token.is_quoted() {
            continue; // a comment may hold any other character
        }
        if let Some((name, write)) = lookalike(c) {
            return Err(SyntaxError::Lookalike {
                c,
                name,
                write,
                at: i,
            }
            .into());
        }
    }
    Ok(())
}

/// A character that an editor, a terminal or a review tool may show as a line break, or that
/// reorders how the text around it is shown, while the parser reads on as if on the same line:
/// `// note\r  limit dose <= 5 mg hard` shows a limit that the parser reads as a comment
/// ("Trojan Source"). What it is, in words; `None` for every other character (`\r\n` is an
/// ordinary line break).
fn hidden_break(c: char, next: Option<char>) -> Option<&'static str> {
    Some(match c {
        '\r' if next != Some('\n') => "carriage return not followed by a line break",
        '\u{0B}' => "vertical tab",
        '\u{0C}' => "form feed",
        '\u{85}' => "next-line control",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => "bidirectional control (it reorders how the text around it is shown)",
        // A terminal acts on these where a file is shown (`cat`, `git diff`): an escape
        // sequence or backspaces can erase a line and print another in its place, so that a
        // reviewer reads a limit the protocol does not hold.
        '\t' | '\n' | '\r' => return None,
        c if c.is_control() => "control character, which a terminal showing the file acts on",
        '\u{200B}'..='\u{200D}' | '\u{2060}' => "zero-width character (it cannot be seen)",
        _ => return None,
    })
}

/// Characters that look like protocol syntax but are not, with what to write instead (patient
/// files use the same list).
pub(crate) fn lookalike(c: char) -> Option<(&'static str, &'static str)> {
    Some(match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' => ("curly double quote", "a straight quote \""),
        '\u{2018}' | '\u{2019}' => ("curly single quote", "a straight quote \""),
        '\u{00A0}' | '\u{202F}' | '\u{2007}' => ("non-breaking space", "an ordinary space"),
        '\u{2013}' | '\u{2014}' => ("dash", "`-` for minus or `..` for a range"),
        '\u{2264}' => ("less-than-or-equal sign", "`<=`"),
        '\u{2265}' => ("greater-than-or-equal sign", "`>=`"),
        '\u{00D7}' => ("multiplication sign", "`*`"),
        '\u{00F7}' => ("division sign", "`/`"),
        '\u{FEFF}' => ("byte order mark", "nothing (save the file as plain UTF-8)"),
        _ => return None,
    })
}

/// The closest candidate to a misspelt word, for "did you mean …?" help: what
/// [`did_you_mean`] finds, or else a candidate that differs only by two neighbouring letters
/// swapped (`wran` → `warn`, `yeras` → `years`), a slip that counts as two edits there and so
/// goes unnoticed in short words.
pub(crate) fn close_match<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    did_you_mean(word, candidates.iter().copied()).or_else(|| {
        candidates
            .into_iter()
            .find(|c| is_one_swap(&word.to_lowercase(), &c.to_lowercase()))
    })
}

/// True when `a` becomes `b` by swapping two neighbouring characters.
fn is_one_swap(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() {
        return false;
    }
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diffs.as_slice(), [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i])
}

/// Every `.dose` file under `protocols/` and `tests/`: the texts on which tests hold two
/// readings of the language (old and new lexer, old and new pre-parse check) to each other.
#[cfg(test)]
pub(crate) fn fixture_texts() -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("protocols"), "tests".into()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "dose") {
                texts.push(std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::ast::{ActionKind, ExprKind, FrequencyKind, TypeExprKind};
    use super::close_match;

    /// Names that start with a word of the grammar (`in` in `indication`, `for` in `forx`,
    /// `over` in `overall`) are names: the grammar's words match whole words only, and a form
    /// followed by `:` is the next rule's name.
    #[test]
    fn names_that_start_with_a_grammar_word_are_names() {
        let text = include_str!("../../tests/data/keyword_prefixes.dose");
        let protocol = super::parse(text).unwrap_or_else(|d| panic!("{d:?}"));
        let inputs: Vec<&str> = protocol
            .inputs
            .iter()
            .map(|i| i.name.name.as_str())
            .collect();
        assert_eq!(
            inputs,
            [
                "weight",
                "indication",
                "interval",
                "index",
                "infusion_rate",
                "defaulted",
                "format_code",
                "islet",
                "isolated",
                "notify",
                "order",
                "android",
                "thence",
                "tonight",
                "stopped",
                "given_dose"
            ]
        );
        let rules: Vec<&str> = protocol.decides[0]
            .rules
            .iter()
            .filter_map(|r| r.name.as_ref().map(|n| n.name.as_str()))
            .collect();
        assert_eq!(rules, ["overall", "everyday", "forx", "tablets"]);
    }

    /// A lone carriage return in a comment: `cat` or an editor shows the limit after it on a
    /// line of its own, the parser read it as part of the comment, and the check said "ok".
    #[test]
    fn text_shown_as_a_line_but_read_as_a_comment_is_refused() {
        let protocol = |middle: &str| {
            format!(
                "protocol cr {{\n version \"1\"\n source \"s\"\n inputs {{\n age: years\n }}\n \
                 limit dose <= 20 mg hard\n // child limit:{middle}limit dose <= 5 mg hard when age < 12 years\n \
                 decide first {{\n otherwise => give 10 mg ; note \"a\rb \u{202e}c\"\n }}\n}}\n"
            )
        };
        for middle in [
            "\r  ",
            "\u{1b}[2K\u{1b}[1G  ",
            "\u{8}\u{8}\u{8}",
            "\u{7f}",
            "\u{200b}",
            "\u{200f}",
            "\u{2028}",
            "\u{2029}",
            "\u{85}",
            "\u{0B}",
            "\u{0C}",
            " \u{202e} ",
        ] {
            let text = protocol(middle);
            let d = super::parse(&text).expect_err(&format!("{middle:?} is refused"));
            assert_eq!(
                d.code, "posology::syntax::hidden_text",
                "{middle:?}: {}",
                d.message
            );
            let at = text.find(middle.trim_matches(' ')).expect("in the text");
            assert_eq!(d.labels[0].span.start, at, "{middle:?}");
        }
        // Ordinary line ends (\n, \r\n) and tabs are fine; inside quotes, a hidden line
        // break, a reordering or a control character a terminal acts on is refused too.
        let clean = |text: String| text.replace("a\rb \u{202e}c", "a\tb");
        assert!(super::parse(&clean(protocol("\n "))).is_ok());
        assert!(super::parse(&clean(protocol("\n ")).replace('\n', "\r\n")).is_ok());
        for quoted in [
            "ok\r  limit dose <= 1 mg hard",
            "a \u{202e}b",
            "a\u{2028}b",
            "x\u{1b}[2K\u{1b}[1Gy",
            "a\u{8}b",
            "a\u{200b}b",
        ] {
            let text = clean(protocol("\n ")).replace("a\tb", quoted);
            let d = super::parse(&text).expect_err(&format!("{quoted:?} is refused"));
            assert_eq!(d.code, "posology::syntax::hidden_text", "{quoted:?}");
        }
    }

    /// A small protocol around `body` (rules of a `decide first`) and `inputs`.
    fn around(inputs: &str, body: &str) -> String {
        format!(
            "protocol p {{\n version \"1\"\n source \"s\"\n inputs {{\n{inputs}\n }}\n \
             decide first {{\n{body}\n }}\n}}\n"
        )
    }

    /// A rule (and a message code) may be named by a keyword, as a `:` follows it.
    #[test]
    fn keywords_name_rules_and_message_codes() {
        let body = "daily: when n > 1 => give 5 mg ; warn critical: \"a\" ; note in: \"b\"\n \
                    in: when n > 2 => warn critical daily: \"c\"\n otherwise: otherwise => stop \"d\"";
        let p = super::parse(&around("n: count", body)).unwrap_or_else(|d| panic!("{d:?}"));
        let rules = &p.decides[0].rules;
        let names: Vec<&str> = rules
            .iter()
            .filter_map(|r| r.name.as_ref().map(|n| n.name.as_str()))
            .collect();
        assert_eq!(names, ["daily", "in", "otherwise"]);
        let codes: Vec<(bool, &str)> = rules
            .iter()
            .flat_map(|r| &r.actions)
            .filter_map(|a| match &a.kind {
                ActionKind::Warn { critical, code, .. } => Some((*critical, code.as_ref()?)),
                ActionKind::Note { code, .. } => Some((false, code.as_ref()?)),
                _ => None,
            })
            .map(|(c, code)| (c, code.name.as_str()))
            .collect();
        assert_eq!(codes, [(false, "critical"), (false, "in"), (true, "daily")]);
    }

    /// A unitless number as written, else the expression's debug text.
    fn number(e: &ExprKind) -> String {
        match e {
            ExprKind::Quantity { value, unit: None } => value.to_string(),
            other => format!("{other:?}"),
        }
    }

    /// `once daily` is `1 times daily` and `twice daily` `2 times daily`, wherever a frequency
    /// goes; `give 5 once daily` is not five of a unit `once`.
    #[test]
    fn once_and_twice_daily_are_counts() {
        let body = "when n > 1 => give 5 once daily ; schedule from 5 mg twice daily increase by \
                    5 mg every 3 days\n otherwise => give 5 mg n times daily";
        let p = super::parse(&around("n: count", body)).unwrap_or_else(|d| panic!("{d:?}"));
        let counts: Vec<String> = p.decides[0].rules[0]
            .actions
            .iter()
            .filter_map(|a| match &a.kind {
                ActionKind::Give(g) => g.frequency.clone(),
                ActionKind::Schedule(s) => s.frequency.clone(),
                _ => None,
            })
            .map(|f| match f.kind {
                FrequencyKind::TimesDaily(n) => number(&n.kind),
                FrequencyKind::Every(_) => "every".into(),
            })
            .collect();
        assert_eq!(counts, ["1", "2"]);
        match &p.decides[0].rules[0].actions[0].kind {
            ActionKind::Give(g) => assert_eq!(number(&g.amount.kind), "5"),
            other => panic!("{other:?}"),
        }
    }

    /// A choice of one value is written with a leading bar; so may a longer one be.
    #[test]
    fn a_choice_of_one_value_has_a_leading_bar() {
        let p = super::parse(&around(
            "phase: | only\n route_of: | oral | iv",
            "otherwise => stop \"x\"",
        ))
        .unwrap_or_else(|d| panic!("{d:?}"));
        let values: Vec<usize> = p
            .inputs
            .iter()
            .map(|i| match &i.ty.kind {
                TypeExprKind::Enum(v) => v.len(),
                _ => 0,
            })
            .collect();
        assert_eq!(values, [1, 2]);
    }

    /// A keyword where a name is declared is `syntax::reserved_word`, labelled, with help.
    #[test]
    fn a_keyword_declared_as_a_name_is_reserved() {
        for (inputs, word) in [
            ("in: mg", "in"),
            ("x: mg in 1 mg..2 mg\n every: mg", "every"),
            ("x: mg optional\n optional: bool", "optional"),
            ("r: { daily: mg }", "daily"),
            ("r: oral | in", "in"),
            ("r: | every", "every"),
        ] {
            let text = around(inputs, "otherwise => stop \"x\"");
            let d = super::parse(&text).expect_err(inputs);
            assert_eq!(
                d.code, "posology::syntax::reserved_word",
                "{inputs}: {}",
                d.message
            );
            let span = d.labels[0].span;
            assert_eq!(&text[span.start..span.end], word);
            assert!(d
                .help
                .as_deref()
                .is_some_and(|h| h.contains(&format!("`{word}_value`"))));
        }
        let d = super::parse(&around(
            "x: mg",
            "otherwise => stop \"x\"\n }\n let if = 5 mg\n {",
        ))
        .expect_err("let if");
        assert_eq!(d.code, "posology::syntax::reserved_word", "{}", d.message);
        // A name left out is not a keyword used as a name.
        let text = around("x: mg", "otherwise => stop \"x\"\n }\n let = 5 mg\n {");
        let d = super::parse(&text).expect_err("let =");
        assert_eq!(d.code, "posology::syntax::unexpected", "{}", d.message);
    }

    /// The words that end every expression are the reserved words but those of expressions.
    #[test]
    fn the_words_that_end_every_expression_are_the_other_reserved_words() {
        let of_expressions = [
            "and", "or", "not", "if", "then", "else", "is", "missing", "empty", "true", "false",
            "in", "round",
        ];
        for word in super::KEYWORDS {
            assert_eq!(
                super::ends_every_expression(word),
                !of_expressions.contains(word),
                "{word}"
            );
        }
        for word in [
            "list", "of", "phase", "table", "dose", "to", "nearest", "choose",
        ] {
            assert!(!super::ends_every_expression(word), "{word}");
        }
    }

    #[test]
    fn close_match_finds_swapped_letters() {
        assert_eq!(close_match("wran", ["warn", "when"]), Some("warn"));
        assert_eq!(close_match("yeras", ["years", "year"]), Some("years"));
        assert_eq!(close_match("hrd", ["hard", "soft"]), Some("hard"));
        assert_eq!(close_match("xyz", ["hard", "soft"]), None);
    }

    // ---- the pre-parse check as it was written over a vector of tokens: the streaming one
    // must refuse exactly what it refused, with the same diagnostic.
    use super::{
        check_characters, ends_every_expression, lex, Diagnostic, SyntaxError, Unbracketed,
        MAX_NESTING, MAX_PROTOCOL_BYTES,
    };

    fn old_precheck(text: &str) -> Result<(), Diagnostic> {
        if text.len() > MAX_PROTOCOL_BYTES {
            return Err(SyntaxError::TooLarge { len: text.len() }.into());
        }
        let mut depth = 0usize;
        let mut unbracketed = Unbracketed::default();
        // Nothing may hide a line break or a reordering, in code, comments or quotes alike: a
        // comment or a note could otherwise show an editor a limit that is never read. (A quoted
        // text has no escape for these characters, so no text needs them; right-to-left words need
        // no bidi controls either.) Other characters in quotes and comments are fine: Posology
        // escapes them wherever it prints them.
        let tokens = lex::lex(text);
        // A text without a suspect byte has no token to look into.
        let suspect = |piece: &str| piece.bytes().any(super::suspect_byte);
        let plain = !suspect(text);
        for (i, token) in tokens.iter().enumerate() {
            if !plain && suspect(token.text(text)) {
                check_characters(text, token)?;
            }
            old_count(&mut unbracketed, text, &tokens, i)?;
            match token.kind {
                lex::TokenKind::Open(_) => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(SyntaxError::NestingTooDeep {
                            at: token.span.start,
                        }
                        .into());
                    }
                }
                lex::TokenKind::Close(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }

    fn old_count(
        this: &mut Unbracketed,
        text: &str,
        tokens: &[lex::Token],
        i: usize,
    ) -> Result<(), Diagnostic> {
        let token = &tokens[i];
        match token.kind {
            lex::TokenKind::Open(_) => this.levels.push(0),
            lex::TokenKind::Close(c) => {
                this.total -= this.levels.pop().unwrap_or(0);
                // No expression holds a `{…}`, and a type ends with the record it holds.
                if c == '}' {
                    this.reset();
                }
            }
            lex::TokenKind::Punct if matches!(token.text(text), ";" | "," | ":") => this.reset(),
            // `=>` (a rule's or a table row's arrow) is in no expression: a table's rows are
            // written one after another with nothing else between them.
            lex::TokenKind::Punct if old_is_arrow(text, tokens, i) => this.reset(),
            lex::TokenKind::Word => match token.text(text) {
                "if" => return this.open(token.span, false),
                "list" if old_next_word(text, &tokens[i + 1..]) == Some("of") => {
                    return this.open(token.span, true)
                }
                word if ends_every_expression(word) => this.reset(),
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    fn old_is_arrow(text: &str, tokens: &[lex::Token], i: usize) -> bool {
        let (token, next) = (&tokens[i], tokens.get(i + 1));
        token.text(text) == "="
            && next.is_some_and(|n| n.span.start == token.span.end && n.text(text) == ">")
    }

    fn old_next_word<'a>(text: &'a str, tokens: &[lex::Token]) -> Option<&'a str> {
        let token = tokens
            .iter()
            .find(|t| !matches!(t.kind, lex::TokenKind::Space | lex::TokenKind::Comment))?;
        (token.kind == lex::TokenKind::Word).then(|| token.text(text))
    }

    /// Texts around the limits of the pre-parse check: `if`s and `list of`s by the hundred,
    /// with every mark and word that ends them, brackets by the dozen, quotes and comments
    /// that hide brackets and words, lookalike and hidden characters.
    #[test]
    fn the_streaming_precheck_refuses_what_the_token_vector_one_refused() {
        let mut texts = super::fixture_texts();
        assert!(texts.len() > 20, "the fixtures are found");
        let pieces = [
            "if ",
            "if ",
            "if ",
            "if ",
            "list of ",
            "list of ",
            "list\n// c\nof ",
            "list ",
            "x ",
            "then ",
            "else ",
            "; ",
            ", ",
            ": ",
            "=> ",
            "= >",
            "=",
            ">",
            "when ",
            "give ",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "\"(\" ",
            "\"if\" ",
            "// if (\n",
            "\u{201C}",
            "\u{2028}",
            "\r",
            "\r\n",
            "é ",
            "ifx ",
            "of ",
            "and ",
            "note ",
            "daily ",
            "1.5if ",
            "2.if ",
            "7of ",
            "list 1of ",
            "_if ",
            "\"\\\" if\" ",
            "\"open (\n",
            "\u{1b}",
            "x=>",
            "list//\nof ",
            "list /",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        // Half the texts plain (ASCII, no `\r`), read by the walk over bytes.
        let plain: Vec<&str> = pieces
            .iter()
            .copied()
            .filter(|p| p.is_ascii() && !p.contains('\r'))
            .collect();
        for round in 0..1200 {
            let pieces: &[&str] = if round % 2 == 0 { &plain } else { &pieces };
            let mut text = String::new();
            // Long runs of `if` and of `(` reach the limits (256 and 64) now and then.
            let len = 50 + next(900);
            let heavy = (round / 2) % 3;
            for _ in 0..len {
                let piece = match (heavy, next(4)) {
                    (1, 0) => "if ",
                    (2, 0) => "( ",
                    _ => pieces[next(pieces.len())],
                };
                text.push_str(piece);
            }
            texts.push(text);
        }
        for depth in [63, 64, 65] {
            texts.push(format!("{}x{}", "(".repeat(depth), ")".repeat(depth)));
        }
        for n in [255, 256, 257] {
            texts.push("if a then ".repeat(n));
            texts.push(format!("x: {}mg", "list of ".repeat(n)));
            texts.push(format!("{}; if", "if a then ".repeat(n - 1)));
            texts.push(format!("{}(if", "if a then ".repeat(n - 1)));
        }
        let mut refused = 0;
        for text in &texts {
            let (new, old) = (super::precheck(text), old_precheck(text));
            refused += usize::from(old.is_err());
            assert_eq!(format!("{new:?}"), format!("{old:?}"), "{text:?}");
        }
        assert!(
            refused > 100 && refused < texts.len() - 100,
            "{refused} of {}",
            texts.len()
        );
    }

    /// A word left after an action is reported at that word, as what it likely is; a rule
    /// following on the same line keeps the message about the rule's name.
    #[test]
    fn a_word_after_an_action_is_named_where_it_is() {
        let message = |body: &str| {
            let text = around("n: count", body);
            let d = super::parse(&text).expect_err("refused");
            let span = d.primary_span().expect("a place");
            (d.message, text[span.start..span.end].to_string())
        };
        let (m, at) = message("when n > 1 => give 5 mg po\n otherwise => give 1 mg");
        assert_eq!(at, "po");
        assert!(m.contains("needs `route`"), "{m}");
        let (m, at) = message("when n > 1 => give 5 mg ; note \"x\" oral\n otherwise => give 1 mg");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`oral` is not part of `note`", "oral")
        );
        let (m, at) = message("otherwise => give 5 mg infuson");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`infuson` is not a form a dose is given in", "infuson")
        );
        let (m, at) = message(
            "when n > 1 => give 5 mg light when n < 1 => give 1 mg\n otherwise => give 1 mg",
        );
        assert_eq!(at, "light");
        assert!(m.contains("needs a `:`"), "{m}");
        let (m, at) = message("when n > 1 => give 5 mg otherwse => give 1 mg");
        assert_eq!(at, "otherwse");
        assert!(m.contains("not `otherwse`"), "{m}");
        // A `:` or `;` in a quoted text is the text's; a comment after the word is not code.
        let (m, at) = message(
            "when n > 1 => hold \"renal: give after dialysis\" po\n otherwise => give 1 mg",
        );
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`po` is not part of `hold`", "po")
        );
        let (m, at) = message("when n > 1 => give 5 mg oral // or po\n otherwise => give 1 mg");
        assert_eq!(at, "oral");
        assert!(m.contains("needs `route`"), "{m}");
        let (m, at) = message("otherwise => give 5 mg n tims daily");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`tims` after the count `n` is not `times`", "tims")
        );
        let (m, at) = message("when n > 1 => give 5 mg route oral po\n otherwise => give 1 mg");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`po` is not part of `give`", "po")
        );
    }
}
