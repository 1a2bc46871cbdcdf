//! Showing text that came from a file or a terminal line safely: control characters escaped,
//! long values shortened, columns padded without format widths.
//!
//! A patient file or a protocol is untrusted input. Echoed raw, an escape sequence in it
//! (`\u{1b}]0;…\u{7}`, `\u{1b}[2J`) can retitle or clear the user's terminal and fake output,
//! a bidirectional override (U+202E) can make `10 mg` read as `gm 01`, and a 10 MB value fills
//! the screen. Everything that quotes such text in a message goes through [`quoted`]; what is
//! finally printed passes [`terminal_safe`], so nothing can slip past. Column padding goes
//! through [`pad`], because Rust's `{:width$}` panics on widths above 65,535.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The most characters of one piece of user text quoted inside a message.
pub const MAX_QUOTED_CHARS: usize = 80;

/// The most characters of a value shown in the REPL or a text report (a list of records is
/// long; a whole screen of it is not useful, and a 10 MB one is harmful).
pub const MAX_SHOWN_CHARS: usize = 500;

/// The most characters of a message, help or label drawn at all: a backstop for any text that
/// was not shortened where it entered the message.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// True for characters that must never reach a terminal raw: C0 and C1 controls, DEL,
/// bidirectional embeddings, overrides, isolates and marks, line and paragraph separators, and
/// invisible format characters that can hide or reorder what is shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Invisible, or shown as nothing, yet text: soft hyphen, combining grapheme
            // joiner, Arabic number signs, Mongolian vowel separator, Hangul fillers,
            // variation selectors, tag characters.
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{115F}'..='\u{1160}'
                | '\u{180E}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// How one unsafe character is written: `\n`, `\t`, `\r`, else `\u{1b}` (as Rust and the
/// protocol language's own error messages write it).
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Escapes every unsafe character (line breaks and tabs included): for user text quoted on
/// one line of a message.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// Escapes every unsafe character except line breaks and tabs, and a lone carriage return
/// (one not followed by a line break, which would let the rest of a line overwrite what came
/// before it): for whole text about to be printed, which has lines of its own.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let mut chars = text.char_indices().peekable();
    let needs = text.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t');
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    while let Some((_, c)) = chars.next() {
        let keep =
            c == '\n' || c == '\t' || (c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n'));
        if keep || !is_unsafe(c) {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first `max` characters of `text`, then `… (N more characters)` when it is longer.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => {
            let more = text[cut..].chars().count();
            Cow::Owned(format!(
                "{}… ({more} more character{})",
                &text[..cut],
                if more == 1 { "" } else { "s" }
            ))
        }
    }
}

/// User text ready to quote inside a message: shortened to [`MAX_QUOTED_CHARS`] and every
/// unsafe character escaped (shortened first, so the count of characters left out is of the
/// text as written).
pub fn quoted(text: &str) -> String {
    let short = shorten(text, MAX_QUOTED_CHARS);
    escape(&short).into_owned()
}

/// A value's text for the REPL or a text report: shortened to [`MAX_SHOWN_CHARS`] and escaped.
pub fn shown(text: &str) -> String {
    let short = shorten(text, MAX_SHOWN_CHARS);
    escape(&short).into_owned()
}

/// [`shown`] of a text already owned, which it returns as it is when there is nothing to
/// shorten or escape (printable ASCII no longer than [`MAX_SHOWN_CHARS`]): the common case of
/// a value in a message, written for every patient of a cohort.
pub fn shown_owned(text: String) -> String {
    let plain = text.len() <= MAX_SHOWN_CHARS && text.bytes().all(|b| (b' '..=b'~').contains(&b));
    if plain {
        text
    } else {
        shown(&text)
    }
}

/// `text` followed by spaces up to `width` characters. Unlike `format!("{:<w$}")` it cannot
/// panic, whatever the width (Rust's format widths must fit in 16 bits).
pub fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    let mut out = String::with_capacity(text.len() + width.saturating_sub(len));
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_owned_is_shown() {
        let long_ascii = "a".repeat(MAX_SHOWN_CHARS);
        let longer = "a".repeat(MAX_SHOWN_CHARS + 1);
        let long_accents = "é".repeat(MAX_SHOWN_CHARS);
        let texts = [
            "",
            "300 mcg/day",
            "~0.6667 mL/h",
            "a\nb",
            "tab\t",
            "\u{7f}",
            "\u{1b}[31m",
            "é",
            "\u{202e}x",
            "\u{ad}",
            "~",
            " ",
            &long_ascii,
            &longer,
            &long_accents,
        ];
        for text in texts {
            assert_eq!(shown_owned(text.to_string()), shown(text), "{text:?}");
        }
        assert_eq!(
            shown_owned(longer.clone()),
            format!("{long_ascii}… (1 more character)")
        );
    }

    #[test]
    fn escapes_characters_shown_as_nothing() {
        for c in [
            '\u{AD}',
            '\u{34F}',
            '\u{600}',
            '\u{180E}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{E0041}',
            '\u{E0100}',
        ] {
            let text = format!("10{c}mg");
            assert_eq!(escape(&text), format!("10\\u{{{:x}}}mg", u32::from(c)));
        }
        // Ordinary non-ASCII text is left alone.
        assert_eq!(escape("µg é ü ≤"), "µg é ü ≤");
    }

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J10 mg\u{202e}\u{85}\u{7f}";
        let out = escape(hostile);
        assert_eq!(
            out,
            "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J10 mg\\u{202e}\\u{85}\\u{7f}"
        );
        assert!(!out.chars().any(is_unsafe));
        assert_eq!(escape("a\nb\tc"), "a\\nb\\tc");
        assert!(matches!(escape("50 mcg é µ"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_safe_keeps_lines_and_crlf_but_not_a_lone_carriage_return() {
        assert_eq!(terminal_safe("a\r\nb\tc\n"), "a\r\nb\tc\n");
        assert_eq!(terminal_safe("fake\rreal"), "fake\\rreal");
        assert_eq!(terminal_safe("\u{1b}[2J"), "\\u{1b}[2J");
    }

    #[test]
    fn shortens_with_the_count_left_out() {
        assert_eq!(shorten("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(shorten("abcd", 3), "abc… (1 more character)");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("ééé", 1), "é… (2 more characters)");
        let long = "x".repeat(10_000_000);
        let q = quoted(&long);
        assert!(q.len() < 200, "{q}");
        assert!(q.ends_with("… (9999920 more characters)"), "{q}");
    }

    #[test]
    fn pads_beyond_sixteen_bit_widths() {
        let long = "y".repeat(70_000);
        let padded = pad(&long, 70_002);
        assert_eq!(padded.len(), 70_002);
        assert_eq!(pad("é", 3), "é  ");
        assert_eq!(pad("abc", 1), "abc");
    }
}
