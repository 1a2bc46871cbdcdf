//! Parsing quantities from patient files (`5 mg`, `300 mcg/day`, `45 years`, `10%`), refusing
//! unsafe notation: no naked decimal point (`.5 mg`), no comma, no exponent, no number and
//! unit run together (`10mg`, which can be misread as 100 mg).

use rust_decimal::Decimal;

use super::error::UnitError;
use super::format::format_decimal;
use super::quantity::Quantity;
use super::unit::Unit;
use crate::display::quoted;

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
            let write = match space_grouped(&lexed) {
                Some((number, unit)) => join(&format!("{}{number}", lexed.sign), unit),
                None => "<number> <unit>".to_string(),
            };
            return Err(notation(text, write));
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
        // Only a reading the text allows in one way alone is written out; otherwise the help
        // names each reading (see `notation_help`).
        let write = match comma_readings(number) {
            (Some(a), Some(b)) if a != b => "<number> <unit>".to_string(),
            (Some(r), _) | (None, Some(r)) => join(&format!("{sign}{}", format_decimal(&r)), unit),
            (None, None) => "<number> <unit>".to_string(),
        };
        return Err(notation(text, write));
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
    // The number as written, its sign included: a copy only for a negative number.
    let written = match sign {
        "" => std::borrow::Cow::Borrowed(number),
        sign => std::borrow::Cow::Owned(format!("{sign}{number}")),
    };
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
    /// Not written in decimal digits at all: hexadecimal (`0x2`), infinity (`.inf`), not a
    /// number (`nan`), which YAML and TOML read as numbers.
    NotDecimal,
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
        let decimal = |b: u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+');
        if !digits.bytes().all(decimal) || !digits.bytes().any(|b| b.is_ascii_digit()) {
            return NumberLimit::NotDecimal;
        }
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
            NumberLimit::NotDecimal => format!(
                "`{text}` is not a number written in decimal digits (no dose or measurement is \
                 hexadecimal, infinite or not a number)"
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
            NumberLimit::NotDecimal => "write the value in decimal digits, e.g. 2 or 0.5",
        }
    }

    /// A few words for the label under the number.
    pub fn label(self) -> &'static str {
        match self {
            NumberLimit::TooLarge => "too large",
            NumberLimit::TooManyDecimals => "too many decimal places",
            NumberLimit::TooManyDigits => "too many digits",
            NumberLimit::NotDecimal => "not decimal digits",
        }
    }
}

/// The readings of a number written with a comma: (the comma separating thousands, the
/// comma as a decimal comma), each `None` when the text cannot be read that way. Thousands
/// groups are three digits after the first; a decimal comma is the only comma, after any point
/// (the points then separate thousands). `1,000` is (1000, 1); `1.000,5` is (none, 1000.5);
/// `10,0` is (none, 10); `1,000.5` is (1000.5, none).
fn comma_readings(number: &str) -> (Option<Decimal>, Option<Decimal>) {
    let grouped = |int: &str, separator: char| -> Option<String> {
        let mut groups = int.split(separator);
        let first = groups.next()?;
        let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
        let ok = (1..=3).contains(&first.len())
            && digits(first)
            && groups.all(|g| g.len() == 3 && digits(g));
        ok.then(|| int.replace(separator, ""))
    };
    let exact = |int: &str, frac: Option<&str>| -> Option<Decimal> {
        let text = match frac {
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{int}.{f}")
            }
            Some(_) => return None,
            None => int.to_string(),
        };
        Decimal::from_str_exact(&text).ok()
    };
    let thousands = {
        let (int, frac) = match number.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (number, None),
        };
        grouped(int, ',').and_then(|int| exact(&int, frac))
    };
    let decimal = match number.split_once(',') {
        Some((int, frac)) if !frac.contains([',', '.']) => {
            let int = if int.is_empty() {
                Some("0".to_string())
            } else {
                grouped(int, '.')
            };
            int.and_then(|int| exact(&int, Some(frac)))
        }
        _ => None,
    };
    (thousands, decimal)
}

/// For `5 000 mg`: the number with its spaces taken out and the unit, when every group after a
/// space is three digits (thousands written apart, as in SI) and a unit word follows. `1 1/day`
/// (perhaps "1 per day", perhaps "11/day") and `12 5 mg` give `None`: no reading is guessed.
fn space_grouped<'a>(lexed: &'a Lexed<'_>) -> Option<(String, &'a str)> {
    let unit_text = lexed.unit_text();
    let tail = unit_text.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
    let groups = &unit_text[..unit_text.len() - tail.len()];
    let first = lexed.number;
    let plain = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    let grouped = groups
        .split_whitespace()
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    let unit_follows = tail.starts_with(|c: char| c.is_alphabetic() || c == '%');
    (plain && grouped && unit_follows).then(|| {
        let digits: String = groups.split_whitespace().collect();
        (format!("{first}{digits}"), tail)
    })
}

/// How to fix a number refused with [`UnitError::Notation`]. Where the text can be read in
/// more than one way (a comma: thousands or decimal? a space inside a number), each reading is
/// named with the assumption it rests on, and none is given as *the* fix: a guessed `1.0005 mg`
/// for `1.000,5 mg` is a thousandfold error.
pub(crate) fn notation_help(text: &str, write_instead: &str) -> String {
    let lexed = lex(text);
    let unit = lexed.unit_text();
    let with_unit = |d: &Decimal| join(&format!("{}{}", lexed.sign, format_decimal(d)), unit);
    let never = "never use separators in a number";
    if lexed.has_digits() && lexed.number.contains(',') {
        let point_groups = lexed.number.contains('.');
        return match comma_readings(lexed.number) {
            (Some(a), Some(b)) if a != b => format!(
                "write `{}` if the comma separates thousands, or `{}` if it is a decimal comma \
                 (it can be read either way); {never}",
                quoted(&with_unit(&a)),
                quoted(&with_unit(&b))
            ),
            (Some(a), Some(_)) => format!(
                "write `{}` (the comma read as separating thousands or as a decimal comma gives \
                 the same number); {never}",
                quoted(&with_unit(&a))
            ),
            (Some(a), None) => format!(
                "write `{}` if the comma separates thousands (it cannot be a decimal comma: \
                 the number has a decimal point); {never}",
                quoted(&with_unit(&a))
            ),
            (None, Some(b)) if point_groups => format!(
                "write `{}` if the comma is a decimal comma and the point separates thousands \
                 (read with a decimal point, it is not a number); {never}",
                quoted(&with_unit(&b))
            ),
            (None, Some(b)) => format!(
                "write `{}` if the comma is a decimal comma (a comma separating thousands has \
                 three digits after it); {never}",
                quoted(&with_unit(&b))
            ),
            (None, None) => {
                format!("check which number was meant and write it with a decimal point; {never}")
            }
        };
    }
    if unit.starts_with(|c: char| c.is_ascii_digit()) {
        return match space_grouped(&lexed) {
            Some((number, tail)) => format!(
                "write `{}` if the space separates thousands; never put a space inside a number",
                quoted(&join(&format!("{}{number}", lexed.sign), tail))
            ),
            None => "write the number with no space inside it, then one space and the unit \
                     (a space inside a number can be read more than one way)"
                .to_string(),
        };
    }
    format!("write `{}`", quoted(write_instead))
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
