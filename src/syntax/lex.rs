//! The one lexer: protocol text (or a REPL entry) → tokens with byte spans, comments and strings
//! kept. It never fails — an unterminated string is a token flagged as such, a stray character
//! is a token of its own, brackets need not match — so every tool that must see the text as the
//! grammar does (which quote opens a string, whether `//` starts a comment) asks it, even of
//! text that does not parse: the pre-parse check (lookalike characters, nesting depth), the
//! "which `{` is unclosed" hint, the formatter's comments, and the REPL's "is this entry
//! complete?".
//!
//! The tokens cover the text: their spans, in order, add up to all of it.
//!
//! ```
//! use posology::syntax::lex::{lex, TokenKind};
//! let tokens = lex(r#"warn "a // b" // note"#);
//! let kinds: Vec<TokenKind> = tokens.iter().map(|t| t.kind).collect();
//! assert_eq!(
//!     kinds,
//!     [TokenKind::Word, TokenKind::Space, TokenKind::String { terminated: true },
//!      TokenKind::Space, TokenKind::Comment]
//! );
//! ```

use crate::diagnostics::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Spaces, tabs and line breaks (ASCII whitespace only: a non-breaking space is not
    /// protocol whitespace, see [`TokenKind::Other`]).
    Space,
    /// `// …` up to the end of the line (the line break is not part of it).
    Comment,
    /// `"…"`, with `\` escaping the next character (a line break too, as in the grammar). An
    /// unescaped line break or the end of the text ends an unterminated string, as the grammar
    /// refuses a string over several lines.
    String {
        /// Whether the closing quote is there.
        terminated: bool,
    },
    /// Digits, with a decimal part when a `.` is followed by a digit: `12`, `0.5`.
    Number,
    /// Letters, digits and `_` (any script: `µg` is one word), starting with a non-digit.
    Word,
    /// `(`, `[` or `{`.
    Open(char),
    /// `)`, `]` or `}`.
    Close(char),
    /// Any other ASCII character (operators, `;`, `,`, `.`, `:`, …), one per token.
    Punct,
    /// Any other character (a curly quote, a non-breaking space, a dash), one per token.
    Other,
}

/// One token: its kind and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is, in bytes.
    pub span: Span,
}

impl Token {
    /// Its text in `source` (the text it was lexed from).
    #[must_use]
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.span.start..self.span.end]
    }

    /// True for a comment or a string, whose inside is not protocol syntax.
    #[must_use]
    pub fn is_quoted(&self) -> bool {
        matches!(self.kind, TokenKind::Comment | TokenKind::String { .. })
    }
}

/// Every token of `text`, in order.
#[must_use]
pub fn lex(text: &str) -> Vec<Token> {
    Tokens::new(text).collect()
}

/// The tokens of a text one at a time, as [`lex`] gives them, without a vector (the pre-parse
/// check reads a whole protocol once and keeps none of them). Cloning it is cheap: a clone
/// looks ahead.
#[derive(Clone)]
pub struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    /// The tokens of `text`, from its start.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        Tokens { text, at: 0 }
    }
}

/// The first index from `from` on in `bytes` whose byte is not one that `keep` accepts (the
/// length when there is none).
#[inline]
pub(super) fn bytes_while(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !keep(b))
        .map_or(bytes.len(), |n| from + n)
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    // Long on purpose: one arm per token kind.
    fn next(&mut self) -> Option<Token> {
        let text = self.text;
        let bytes = text.as_bytes();
        let start = self.at;
        let &first = bytes.get(start)?;
        // ASCII bytes are whole characters, and no byte of a longer UTF-8 character is ASCII:
        // the arms that look at ASCII bytes only see what the characters would show.
        let (kind, end) = match first {
            b' ' | b'\t' | b'\r' | b'\n' => (
                TokenKind::Space,
                bytes_while(bytes, start, |b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')),
            ),
            b'/' if bytes.get(start + 1) == Some(&b'/') => (
                TokenKind::Comment,
                bytes_while(bytes, start, |b| b != b'\n'),
            ),
            b'"' => string_token(text, start),
            b'0'..=b'9' => {
                let mut at = bytes_while(bytes, start, |b| b.is_ascii_digit());
                if bytes.get(at) == Some(&b'.') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
                {
                    at = bytes_while(bytes, at + 1, |b| b.is_ascii_digit());
                }
                (TokenKind::Number, at)
            }
            b'(' | b'[' | b'{' => (TokenKind::Open(char::from(first)), start + 1),
            b')' | b']' | b'}' => (TokenKind::Close(char::from(first)), start + 1),
            b if b.is_ascii_alphanumeric() || b == b'_' => (TokenKind::Word, word_end(text, start)),
            b if b.is_ascii() => (TokenKind::Punct, start + 1),
            _ => {
                let c = text[start..].chars().next()?;
                if c.is_alphanumeric() {
                    (TokenKind::Word, word_end(text, start))
                } else {
                    (TokenKind::Other, start + c.len_utf8())
                }
            }
        };
        self.at = end;
        Some(Token {
            kind,
            span: Span::new(start, end),
        })
    }
}

/// Where the word starting at `start` of `text` ends: after its letters, digits and `_` (of any
/// script).
#[inline]
pub(super) fn word_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = start;
    loop {
        match bytes.get(at) {
            Some(&b) if b.is_ascii_alphanumeric() || b == b'_' => at += 1,
            Some(&b) if !b.is_ascii() => match text[at..].chars().next() {
                Some(c) if c.is_alphanumeric() => at += c.len_utf8(),
                _ => return at,
            },
            _ => return at,
        }
    }
}

/// The string token starting at `start` (a `"`) of `text`: whether it is terminated, and where
/// it ends.
pub(super) fn string_token(text: &str, start: usize) -> (TokenKind, usize) {
    let bytes = text.as_bytes();
    let mut at = start + 1;
    let mut terminated = false;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' => {
                at += 1;
                terminated = true;
                break;
            }
            b'\n' => break,
            b'\\' => {
                at += 1;
                at += text[at..].chars().next().map_or(0, char::len_utf8);
            }
            // The bytes of a longer character are stepped over one by one: none of them is
            // ASCII, so none ends the string or escapes.
            _ => at += 1,
        }
    }
    (TokenKind::String { terminated }, at)
}

/// How many brackets are still open at the end of `text` (negative when more close than open),
/// brackets in strings and comments aside.
#[must_use]
pub fn open_brackets(text: &str) -> i64 {
    lex(text).iter().fold(0, |depth, t| match t.kind {
        TokenKind::Open(_) => depth + 1,
        TokenKind::Close(_) => depth - 1,
        _ => depth,
    })
}

#[cfg(test)]
mod tests {
    use super::TokenKind::{Close, Comment, Number, Open, Other, Punct, Space, Word};
    use super::*;

    const fn string(terminated: bool) -> TokenKind {
        TokenKind::String { terminated }
    }

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        let tokens = lex(text);
        let joined: String = tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(joined, text, "the tokens cover the text");
        tokens.iter().map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn a_comment_inside_a_string_is_text() {
        assert_eq!(
            kinds(r#"note "see // here" // a comment"#),
            [
                (Word, "note"),
                (Space, " "),
                (string(true), r#""see // here""#),
                (Space, " "),
                (Comment, "// a comment"),
            ]
        );
    }

    #[test]
    fn a_string_inside_a_comment_is_text() {
        assert_eq!(
            kinds("// say \"hi\nx"),
            [(Comment, "// say \"hi"), (Space, "\n"), (Word, "x")]
        );
    }

    #[test]
    fn escapes_keep_a_string_open() {
        assert_eq!(
            kinds(r#""a \" b" c"#),
            [(string(true), r#""a \" b""#), (Space, " "), (Word, "c")]
        );
        assert_eq!(kinds(r#""\\""#), [(string(true), r#""\\""#)]);
    }

    #[test]
    fn unterminated_strings_end_at_the_line() {
        assert_eq!(
            kinds("\"open ( {\n)"),
            [
                (string(false), "\"open ( {"),
                (Space, "\n"),
                (Close(')'), ")")
            ]
        );
        assert_eq!(kinds("\"a\\"), [(string(false), "\"a\\")]);
    }

    #[test]
    fn brackets_nest_and_need_not_match() {
        assert_eq!(
            kinds("{[(x)]}"),
            [
                (Open('{'), "{"),
                (Open('['), "["),
                (Open('('), "("),
                (Word, "x"),
                (Close(')'), ")"),
                (Close(']'), "]"),
                (Close('}'), "}"),
            ]
        );
        assert_eq!(open_brackets("f([{ \"(\" }])"), 0);
        assert_eq!(open_brackets("decide first { // }\n"), 1);
        assert_eq!(open_brackets("x ) ]"), -2);
        assert_eq!(open_brackets("when x in [1, (2"), 2);
    }

    #[test]
    fn numbers_words_and_units() {
        assert_eq!(
            kinds("0.5 mg/kg..2"),
            [
                (Number, "0.5"),
                (Space, " "),
                (Word, "mg"),
                (Punct, "/"),
                (Word, "kg"),
                (Punct, "."),
                (Punct, "."),
                (Number, "2"),
            ]
        );
        assert_eq!(kinds("5."), [(Number, "5"), (Punct, ".")]);
    }

    #[test]
    fn unicode_is_kept_whole() {
        assert_eq!(
            kinds("5 µg\u{a0}\u{201C}x\u{201D} ≤"),
            [
                (Number, "5"),
                (Space, " "),
                (Word, "µg"),
                (Other, "\u{a0}"),
                (Other, "\u{201C}"),
                (Word, "x"),
                (Other, "\u{201D}"),
                (Space, " "),
                (Other, "≤"),
            ]
        );
        assert_eq!(
            kinds("\"é\" é"),
            [(string(true), "\"é\""), (Space, " "), (Word, "é")]
        );
    }

    #[test]
    fn empty_text_has_no_tokens() {
        assert!(lex("").is_empty());
        assert_eq!(kinds("//"), [(Comment, "//")]);
    }

    /// The lexer as it was written before it read ASCII bytes directly: character by
    /// character. The byte-reading one must give the very same tokens.
    // Long on purpose: one arm per token kind.
    fn char_lex(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(c) = text[at..].chars().next() {
            let start = at;
            let rest = &text[at..];
            let kind = match c {
                ' ' | '\t' | '\r' | '\n' => {
                    at += rest
                        .find(|c: char| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                        .unwrap_or(rest.len());
                    TokenKind::Space
                }
                '/' if rest.starts_with("//") => {
                    at += rest.find('\n').unwrap_or(rest.len());
                    TokenKind::Comment
                }
                '"' => {
                    at += 1;
                    let mut terminated = false;
                    while let Some(c) = text[at..].chars().next() {
                        match c {
                            '"' => {
                                at += 1;
                                terminated = true;
                                break;
                            }
                            '\n' => break,
                            '\\' => {
                                at += 1;
                                at += text[at..].chars().next().map_or(0, char::len_utf8);
                            }
                            c => at += c.len_utf8(),
                        }
                    }
                    TokenKind::String { terminated }
                }
                '0'..='9' => {
                    let digits = |from: usize| {
                        from + text[from..]
                            .find(|c: char| !c.is_ascii_digit())
                            .unwrap_or(text.len() - from)
                    };
                    at = digits(at);
                    if bytes.get(at) == Some(&b'.')
                        && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
                    {
                        at = digits(at + 1);
                    }
                    TokenKind::Number
                }
                c if c.is_alphanumeric() || c == '_' => {
                    at += rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    TokenKind::Word
                }
                '(' | '[' | '{' => {
                    at += 1;
                    TokenKind::Open(c)
                }
                ')' | ']' | '}' => {
                    at += 1;
                    TokenKind::Close(c)
                }
                c => {
                    at += c.len_utf8();
                    if c.is_ascii() {
                        TokenKind::Punct
                    } else {
                        TokenKind::Other
                    }
                }
            };
            out.push(Token {
                kind,
                span: Span::new(start, at),
            });
        }
        out
    }

    /// Every fixture and protocol of the repository, and texts of every awkward character
    /// (unterminated strings, escapes before multi-byte characters, words of other scripts,
    /// digits of other scripts), lex as the character-by-character lexer lexes them.
    #[test]
    fn the_byte_lexer_gives_the_tokens_of_the_character_lexer() {
        let mut texts = crate::syntax::fixture_texts();
        assert!(texts.len() > 20, "the fixtures are found");
        let pieces = [
            "a",
            "_",
            "9",
            "0.5",
            "5.",
            ".",
            " ",
            "\t",
            "\r",
            "\n",
            "\"",
            "\\",
            "/",
            "//",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "=",
            ">",
            "µ",
            "é",
            "\u{a0}",
            "\u{201C}",
            "\u{663}",
            "x\u{663}",
            "\u{2028}",
            "\u{202e}",
            "≤",
            "\u{1F600}",
            "if",
            "list",
            "of",
            ";",
            ",",
            ":",
            "\u{0B}",
        ];
        // Every sequence of up to three pieces, and longer ones from a fixed pseudo-random walk.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..24 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            texts.push(text);
        }
        for text in &texts {
            assert_eq!(lex(text), char_lex(text), "{text:?}");
        }
    }
}
