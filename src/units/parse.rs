//! Parsing quantities from patient files (`5 mg`, `300 mcg/day`, `45 years`, `10%`), refusing
//! unsafe notation: no naked decimal point (`.5 mg`), no comma, no exponent, no number and
//! unit run together (`10mg`, which can be misread as 100 mg).

use rust_decimal::Decimal;

use super::error::UnitError;
use super::format::format_decimal;
use super::quantity::Quantity;
use super::unit::Unit;

/// A quantity's text split into sign, number characters and the rest.
struct Lexed<'a> {
    sign: &'a str,
    number: &'a str,
    rest: &'a str,
}

fn lex(text: &str) -> Lexed<'_> {
    let text = text.trim();
    let (sign, body) = match text.strip_prefix('-') {
        Some(body) => ("-", body),
        None => ("", text),
    };
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(body.len());
    Lexed {
        sign,
        number: &body[..end],
        rest: &body[end..],
    }
}

impl Lexed<'_> {
    fn has_digits(&self) -> bool {
        self.number.contains(|c: char| c.is_ascii_digit())
    }

    /// `5e3`, `2.5E-3`: an exponent right after the digits.
    fn exponent(&self) -> Option<&str> {
        let after = self.rest.strip_prefix(['e', 'E'])?;
        let after_sign = after.strip_prefix(['+', '-']).unwrap_or(after);
        let digits = after_sign
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after_sign.len());
        (digits > 0 && self.number.ends_with(|c: char| c.is_ascii_digit()))
            .then(|| &self.rest[..self.rest.len() - after_sign.len() + digits])
    }

    fn unit_text(&self) -> &str {
        self.rest.trim()
    }

    /// The unit follows the number without a space (`10mg`); `%` and `/day` may attach.
    fn attached(&self) -> bool {
        !self.rest.starts_with(char::is_whitespace) && !self.rest.starts_with(['%', '/'])
    }
}

/// `number unit` with a space, except `%` and `/…` which attach.
fn join(number: &str, unit: &str) -> String {
    if unit.is_empty() || unit.starts_with(['%', '/']) {
        format!("{number}{unit}")
    } else {
        format!("{number} {unit}")
    }
}

fn notation(text: &str, write_instead: String) -> UnitError {
    UnitError::Notation {
        text: text.trim().to_string(),
        write_instead,
    }
}

impl Quantity {
    /// Parses a quantity as written in a patient file: a number, a space, a unit (`5 mg`,
    /// `0.5 mg`, `300 mcg/day`, `45 years`, `10%`). A bare number is
    /// [`UnitError::MissingUnit`]; unsafe notation is [`UnitError::Notation`]; a number a
    /// decimal cannot hold exactly is [`UnitError::OutOfRange`]. Negative values parse.
    pub fn parse(text: &str) -> Result<Quantity, UnitError> {
        let lexed = lex(text);
        let value = parse_number(text, &lexed)?;
        let unit_text = lexed.unit_text();
        if unit_text.is_empty() {
            return Err(UnitError::MissingUnit);
        }
        if unit_text.starts_with(|c: char| c.is_ascii_digit()) {
            let tail = unit_text.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
            let digits = unit_text[..unit_text.len() - tail.len()].replace(' ', "");
            let number = format!("{}{}{digits}", lexed.sign, lexed.number);
            return Err(notation(text, join(&number, tail)));
        }
        let unit = Unit::parse(unit_text)?;
        if lexed.attached() {
            let number = format!("{}{}", lexed.sign, lexed.number);
            return Err(notation(text, join(&number, unit_text)));
        }
        Ok(Quantity::new(value.into(), unit))
    }
}

/// The number at the start of `text`, refusing unsafe notation.
fn parse_number(text: &str, lexed: &Lexed<'_>) -> Result<Decimal, UnitError> {
    let Lexed { sign, number, .. } = *lexed;
    let unit = lexed.unit_text();
    if !lexed.has_digits() {
        return Err(notation(text, "<number> <unit>".to_string()));
    }
    if number.contains(',') {
        return Err(notation(text, join(&comma_fix(sign, number), unit)));
    }
    if number.matches('.').count() > 1 {
        return Err(notation(text, "<number> <unit>".to_string()));
    }
    if number.starts_with('.') {
        return Err(notation(text, join(&format!("{sign}0{number}"), unit)));
    }
    if let Some(bare) = number.strip_suffix('.') {
        return Err(notation(text, join(&format!("{sign}{bare}"), unit)));
    }
    if let Some(exp) = lexed.exponent() {
        let value = Decimal::from_scientific(&format!("{sign}{number}{exp}"))
            .map_err(|_| UnitError::OutOfRange)?;
        let unit = lexed.rest[exp.len()..].trim();
        return Err(notation(text, join(&format_decimal(&value), unit)));
    }
    Decimal::from_str_exact(&format!("{sign}{number}")).map_err(|_| UnitError::OutOfRange)
}

/// `5,5` → `5.5` (one comma as a decimal comma); `1,000,000` → `1000000`.
fn comma_fix(sign: &str, number: &str) -> String {
    let fixed = if number.matches(',').count() == 1 && !number.contains('.') {
        number.replace(',', ".")
    } else {
        number.replace(',', "")
    };
    let zero = if fixed.starts_with('.') { "0" } else { "" };
    format!("{sign}{zero}{fixed}")
}

/// Why `text` (refused with [`UnitError::Notation`]) is unsafe, in a few words.
pub(crate) fn notation_reason(text: &str) -> &'static str {
    let lexed = lex(text);
    let number = lexed.number;
    if !lexed.has_digits() {
        "a quantity is a number, a space and a unit"
    } else if number.contains(',') {
        "a comma in a number is ambiguous (decimal comma or thousands separator)"
    } else if number.matches('.').count() > 1 {
        "a number can have only one decimal point"
    } else if number.starts_with('.') {
        "a decimal point needs a zero before it (.5 is misread as 5)"
    } else if number.ends_with('.') {
        "a number must not end with a decimal point (5. is misread as 50)"
    } else if lexed.exponent().is_some() {
        "exponents are not allowed in doses"
    } else if lexed.unit_text().starts_with(|c: char| c.is_ascii_digit()) {
        "a space inside a number is ambiguous"
    } else {
        "leave a space between the number and the unit (10mg is misread as 100 mg)"
    }
}
