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
        let unit = lexed.rest[exp.len()..].trim();
        // `1e-40 mg` cannot be written out as a number that can be held: say which limit.
        let value = Decimal::from_scientific(&format!("{sign}{number}{exp}")).map_err(|_| {
            let limit = if exp.contains('-') {
                NumberLimit::TooManyDecimals
            } else {
                NumberLimit::TooLarge
            };
            digits(text, limit)
        })?;
        return Err(notation(text, join(&format_decimal(&value), unit)));
    }
    let written = format!("{sign}{number}");
    Decimal::from_str_exact(&written).map_err(|_| digits(text, NumberLimit::of(&written)))
}

fn digits(text: &str, limit: NumberLimit) -> UnitError {
    UnitError::Digits {
        text: text.trim().to_string(),
        limit,
    }
}

/// Which limit a number written in decimal (`-12.5`) passes when it cannot be held exactly:
/// a value is an integer below 2⁹⁶ scaled by at most 28 decimal places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberLimit {
    /// At least 2⁹⁶ (79228162514264337593543950336).
    TooLarge,
    /// More than 28 digits after the decimal point.
    TooManyDecimals,
    /// Small and short enough after the point, but too many digits in all (e.g. 20 before the
    /// point and 12 after).
    TooManyDigits,
}

/// The most digits after the decimal point a number can have.
pub const MAX_DECIMAL_PLACES: usize = 28;

/// The smallest step a number can have, 10⁻²⁸, written out.
pub const SMALLEST_STEP: &str = "0.0000000000000000000000000001";

/// 2⁹⁶, the bound every number stays below, written out.
pub const NUMBER_BOUND: &str = "79228162514264337593543950336";

impl NumberLimit {
    /// Classifies a number written in decimal that `Decimal::from_str_exact` refused.
    pub fn of(written: &str) -> NumberLimit {
        let digits = written.trim().trim_start_matches(['-', '+']);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let int = int.trim_start_matches('0');
        let longer = int.len() > NUMBER_BOUND.len();
        if longer || (int.len() == NUMBER_BOUND.len() && int >= NUMBER_BOUND) {
            NumberLimit::TooLarge
        } else if frac.len() > MAX_DECIMAL_PLACES {
            NumberLimit::TooManyDecimals
        } else {
            NumberLimit::TooManyDigits
        }
    }

    /// What is wrong with `text` (a number, or a quantity with its unit), in a sentence.
    pub fn message(self, text: &str) -> String {
        match self {
            NumberLimit::TooLarge => format!(
                "`{text}` is too large to hold exactly: every number must be below \
                 {NUMBER_BOUND}"
            ),
            NumberLimit::TooManyDecimals => format!(
                "`{text}` has more than {MAX_DECIMAL_PLACES} decimal places: it cannot be held \
                 exactly (the finest step a number can have is {SMALLEST_STEP})"
            ),
            NumberLimit::TooManyDigits => format!(
                "`{text}` has more significant digits than can be held exactly (up to 28 \
                 always can)"
            ),
        }
    }

    /// How to fix it.
    pub fn help(self) -> &'static str {
        match self {
            NumberLimit::TooLarge => {
                "check the number: no dose or measurement is this large (a key held down, or \
                 a unit slip?)"
            }
            NumberLimit::TooManyDecimals => {
                "check the number: no dose or measurement is this precise; round it to the \
                 precision it was measured to, or write it in a smaller unit (mcg, not mg)"
            }
            NumberLimit::TooManyDigits => {
                "round the number to the precision it was measured to (28 significant digits \
                 at most)"
            }
        }
    }

    /// A few words for the label under the number.
    pub fn label(self) -> &'static str {
        match self {
            NumberLimit::TooLarge => "too large",
            NumberLimit::TooManyDecimals => "too many decimal places",
            NumberLimit::TooManyDigits => "too many digits",
        }
    }
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
