//! Picking one value: a table's row by the band its key falls in, a strength out of a list
//! (`round … to nearest of [list]`), a list's item by its place (`list[i]`). Each either picks
//! exactly what was written or stops with a coded error: never a nearby guess.

use std::cmp::Ordering;

use super::{missing, unit_error, Env, R};
use crate::check::{CExpr, TableRowSpec, TableSpec};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::units::{Quantity, RoundMode};
use crate::value::Value;

/// A table row used for this patient, for the trace (`Why:`).
#[derive(Clone, Debug, PartialEq)]
pub struct TableLookup {
    /// The table's name.
    pub table: String,
    /// `row N` or `otherwise`.
    pub row: String,
    /// The band as written.
    pub band: String,
    /// The key as written (`crcl`).
    pub key_name: String,
    /// The key's value, as shown.
    pub key: String,
    /// The row's label section.
    pub source: Option<String>,
}

/// Why a value could not be picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// The key falls in no band of a table without `otherwise`.
    NoBand {
        /// The table.
        table: String,
        /// The key's value, shown.
        key: String,
        /// The bands, as written.
        bands: Vec<String>,
        /// The key expression.
        span: Span,
    },
    /// No strength of the list can be the rounded value.
    NoStrength {
        /// The value rounded, shown.
        value: String,
        /// Why none fits.
        why: String,
        /// The rounding.
        span: Span,
    },
    /// An index that is not a whole number from 1 to the list's length.
    Index {
        /// The index, shown.
        index: String,
        /// The list's length.
        len: usize,
        /// The index expression.
        span: Span,
    },
}

impl LookupError {
    /// The diagnostic, with its code, message, label and help.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            LookupError::NoBand {
                table,
                key,
                bands,
                span,
            } => {
                let listed: Vec<String> = bands.iter().map(|b| format!("`{b}`")).collect();
                Diagnostic::error(
                    Code::TableNoBand,
                    format!("the key {key} falls in no band of the table `{table}`"),
                )
                .with_label(*span, format!("{key}: in none of {}", listed.join(", ")))
                .with_help(
                    "nothing is guessed for a key between the bands: close the gap in the \
                     protocol (a band, or `otherwise => …` as the last row) and say why",
                )
            }
            LookupError::NoStrength { value, why, span } => Diagnostic::error(
                Code::EvalNoStrength,
                format!("{value} cannot be rounded to one of these values: {why}"),
            )
            .with_label(*span, "no value of the list fits")
            .with_help(
                "nothing is given rather than a strength the rounding did not ask for: decide \
                 this case with a rule before rounding, or round the other way",
            ),
            LookupError::Index { index, len, span } => Diagnostic::error(
                Code::EvalIndex,
                format!(
                    "the index {index} is not a whole number from 1 to {len}, the list's length"
                ),
            )
            .with_label(*span, "this index")
            .with_help("items are counted from 1: `strengths[1]` is the first"),
        }
    }
}

impl From<LookupError> for Diagnostic {
    fn from(e: LookupError) -> Self {
        e.to_diagnostic()
    }
}

impl<'p> Env<'p> {
    /// The row of `t` whose band holds the key (the first, should bands overlap), as a record
    /// of its cells; a blank (`missing`) cell is a missing value.
    pub(super) fn table(&mut self, t: &TableSpec) -> R<Value> {
        let key = self.num(&t.key)?;
        for row in &t.rows {
            self.charge(1, row.span)?;
            if !self.holds(row, &key)? {
                continue;
            }
            let mut cells = Vec::with_capacity(row.cells.len());
            for cell in &row.cells {
                cells.push(match cell {
                    Some(c) => self.eval(c)?,
                    None => Value::Missing,
                });
            }
            let shown = self.shown_text(None, &Value::Num(key.clone()));
            self.lookups.push(TableLookup {
                table: t.name.clone(),
                row: row.id.clone(),
                band: row.written.clone(),
                key_name: self.written(&t.key),
                key: shown,
                source: row.source.clone(),
            });
            return Ok(Value::Record(t.record, cells.into()));
        }
        Err(LookupError::NoBand {
            table: t.name.clone(),
            key: self.shown_text(None, &Value::Num(key)),
            bands: t.rows.iter().map(|r| r.written.clone()).collect(),
            span: t.key.span,
        }
        .into())
    }

    /// The key expression as written (`crcl`), for the trace.
    fn written(&self, e: &CExpr) -> String {
        let text = &self.program.source.text;
        text.get(e.span.start..e.span.end)
            .map_or_else(|| "key".to_string(), |s| crate::display::shown(s))
    }

    /// True when the row's band holds `key` (exactly, across units); `otherwise` always does.
    fn holds(&mut self, row: &TableRowSpec, key: &Quantity) -> R<bool> {
        if let Some((e, closed)) = &row.lower {
            let bound = self.num(e)?;
            let o = key.compare(&bound).map_err(|err| unit_error(err, e.span))?;
            if o == Ordering::Less || (o == Ordering::Equal && !closed) {
                return Ok(false);
            }
        }
        if let Some((e, closed)) = &row.upper {
            let bound = self.num(e)?;
            let o = key.compare(&bound).map_err(|err| unit_error(err, e.span))?;
            if o == Ordering::Greater || (o == Ordering::Equal && !closed) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `body round [up|down] to nearest of list`, on a value or both ends of a range.
    pub(super) fn round_of(
        &mut self,
        body: &CExpr,
        mode: RoundMode,
        list: &CExpr,
        span: Span,
    ) -> R<Value> {
        let v = self.present(body)?;
        let Value::List(items) = self.present(list)? else {
            return Err(missing(self.program, list));
        };
        self.charge(items.len() as u64, span)?;
        let mut strengths = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item {
                Value::Num(q) => strengths.push(q.clone()),
                _ => return Err(missing(self.program, list)),
            }
        }
        let pick = |q: &Quantity| pick_strength(q, &strengths, mode, span);
        match v {
            Value::Num(q) => Ok(Value::Num(pick(&q)?)),
            Value::Range(r) => match &*r {
                (Value::Num(a), Value::Num(b)) => Ok(Value::Range(std::sync::Arc::new((
                    Value::Num(pick(a)?),
                    Value::Num(pick(b)?),
                )))),
                _ => Err(missing(self.program, body)),
            },
            _ => Err(missing(self.program, body)),
        }
    }

    /// `list[i]`: the i-th item, counted from 1.
    pub(super) fn index(&mut self, list: &CExpr, at: &CExpr) -> R<Value> {
        let Value::List(items) = self.present(list)? else {
            return Err(missing(self.program, list));
        };
        let i = self.num(at)?;
        let place = i
            .value
            .is_integer()
            .then(|| i.value.to_i64())
            .flatten()
            .filter(|n| *n >= 1)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= items.len());
        match place {
            Some(n) => Ok(items[n - 1].clone()),
            None => Err(LookupError::Index {
                index: i.to_string(),
                len: items.len(),
                span: at.span,
            }
            .into()),
        }
    }
}

/// The strength for `q`: `down` the largest not above it, `up` the smallest not below it,
/// nearest the closer of the two around it, a tie to the lower (less drug). A value outside
/// the strengths (below the smallest, above the largest) has no "nearest" on one side and is
/// refused rather than moved to the end: 10 mg is not "about" 30 mg.
fn pick_strength(q: &Quantity, strengths: &[Quantity], mode: RoundMode, span: Span) -> R<Quantity> {
    let cmp = |a: &Quantity, b: &Quantity| a.compare(b).map_err(|e| unit_error(e, span));
    let mut below: Option<&Quantity> = None;
    let mut above: Option<&Quantity> = None;
    for s in strengths {
        if cmp(s, q)? != Ordering::Greater
            && below.map_or(Ok(true), |b| cmp(s, b).map(|o| o == Ordering::Greater))?
        {
            below = Some(s);
        }
        if cmp(s, q)? != Ordering::Less
            && above.map_or(Ok(true), |a| cmp(s, a).map(|o| o == Ordering::Less))?
        {
            above = Some(s);
        }
    }
    let none = |why: &str| -> Diagnostic {
        LookupError::NoStrength {
            value: q.to_string(),
            why: why.to_string(),
            span,
        }
        .into()
    };
    if strengths.is_empty() {
        return Err(none("the list is empty"));
    }
    match mode {
        RoundMode::Down => below
            .cloned()
            .ok_or_else(|| none("every value of the list is above it (round down)")),
        RoundMode::Up => above
            .cloned()
            .ok_or_else(|| none("every value of the list is below it (round up)")),
        RoundMode::Nearest => match (below, above) {
            (Some(b), Some(a)) => {
                let to_b = q.sub(b).map_err(|e| unit_error(e, span))?;
                let to_a = a.sub(q).map_err(|e| unit_error(e, span))?;
                // A tie goes to the lower strength: less drug, the safer error.
                Ok(if cmp(&to_a, &to_b)? == Ordering::Less {
                    a.clone()
                } else {
                    b.clone()
                })
            }
            (None, _) => Err(none("it is below the smallest value of the list")),
            (_, None) => Err(none("it is above the largest value of the list")),
        },
    }
}
