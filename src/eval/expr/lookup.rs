//! Picking one value: a table's row by the band its key falls in, a strength out of a list
//! (`round … to nearest of [list]`), a list's item by its place (`list[i]`). Each either picks
//! exactly what was written or stops with a coded error: never a nearby guess.

use std::cmp::Ordering;

use super::{missing, unit_error, Env};
use crate::check::{CExpr, Name, TableRowSpec, TableSpec};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::units::{Quantity, RoundMode};
use crate::value::Value;

/// Table lookups and list indexing run once per `let` at most: their diagnostics are passed up
/// unboxed, and boxed where [`Env::eval`] takes them.
type R<T> = Result<T, Diagnostic>;

/// A table row used for this patient, for the trace (`Why:`).
#[derive(Clone, Debug, PartialEq)]
pub struct TableLookup {
    /// The table's name.
    pub table: String,
    /// `row N` or `otherwise`.
    pub row: Name,
    /// The band as written.
    pub band: String,
    /// The key as written (`crcl`).
    pub key_name: String,
    /// The key's value, as shown.
    pub key: String,
    /// The row's label section.
    pub source: Option<Name>,
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
            .map_or_else(|| "key".to_string(), crate::display::shown)
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
        // A plain number written `%` (`50%` is 0.5) is counted as the number it is.
        let i = self.num(at)?;
        let i = i
            .convert_to(&crate::units::Unit::none())
            .map_err(|e| unit_error(e, at.span))?;
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
pub(in crate::eval) fn pick_strength(
    q: &Quantity,
    strengths: &[Quantity],
    mode: RoundMode,
    span: Span,
) -> R<Quantity> {
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

#[cfg(test)]
mod tests {
    use crate::eval::decision::Amount;
    use crate::eval::test_support::try_decide_text;

    /// A protocol that gives `value` (after `lets`) to a patient with these inputs.
    fn protocol(lets: &str, value: &str) -> String {
        format!(
            "protocol t {{\n  version \"1\"\n  source \"s\"\n  inputs {{\n    x: mg optional\n    \
             i: number optional\n    crcl: mL/min optional\n    strengths: list of mg optional\n  }}\n  \
             limit dose <= 1000000 mg hard\n{lets}\n  let v = {value}\n  decide first {{\n    \
             absent: when v is missing => hold \"no value\"\n    otherwise => give v\n  }}\n}}\n"
        )
    }

    /// The dose given, as shown (exact: every value here has a finite decimal), or the code
    /// of the error that stopped the evaluation.
    fn given(lets: &str, value: &str, patient: &str) -> String {
        let (_, decided) = try_decide_text(&protocol(lets, value), patient);
        match decided {
            Ok(d) => match d.doses.first().map(|d| &d.amount) {
                Some(Amount::One(q)) => q.to_string(),
                Some(Amount::Range(a, b)) => format!("{a}..{b}"),
                None => format!("no dose: {:?}", d.status),
            },
            Err(e) => e.code.to_string(),
        }
    }

    /// The codes of what `check` says of a protocol that gives `value` (after `lets`).
    fn checked(lets: &str, value: &str) -> Vec<&'static str> {
        let (_, diags) = crate::Protocol::check("t.dose", &protocol(lets, value));
        diags.iter().map(|d| d.code).collect()
    }

    const SYRINGES: &str = "[30 mg, 40 mg, 60 mg, 80 mg, 100 mg, 120 mg, 150 mg]";

    fn round(mode: &str, dose: &str) -> String {
        given(
            "",
            &format!("{dose} round {mode}to nearest of {SYRINGES}"),
            "{}",
        )
    }

    #[test]
    fn nearest_strength_ties_go_to_the_lower() {
        assert_eq!(round("", "70 mg"), "60 mg");
        assert_eq!(round("", "70.000001 mg"), "80 mg");
        assert_eq!(round("", "69 mg"), "60 mg");
        assert_eq!(round("", "135 mg"), "120 mg");
        assert_eq!(round("", "30 mg"), "30 mg");
        assert_eq!(round("", "150 mg"), "150 mg");
    }

    #[test]
    fn down_is_the_largest_not_above_and_up_the_smallest_not_below() {
        assert_eq!(round("down ", "79.999 mg"), "60 mg");
        assert_eq!(round("down ", "80 mg"), "80 mg");
        assert_eq!(round("up ", "60.001 mg"), "80 mg");
        assert_eq!(round("up ", "60 mg"), "60 mg");
        assert_eq!(round("up ", "0.1 mg"), "30 mg");
        assert_eq!(round("down ", "1000 mg"), "150 mg");
    }

    #[test]
    fn a_value_outside_the_strengths_is_refused_never_moved_to_an_end() {
        assert_eq!(round("down ", "29.999 mg"), "posology::eval::no_strength");
        assert_eq!(round("up ", "150.001 mg"), "posology::eval::no_strength");
        assert_eq!(round("", "10 mg"), "posology::eval::no_strength");
        assert_eq!(round("", "200 mg"), "posology::eval::no_strength");
        assert_eq!(round("down ", "0 mg"), "posology::eval::no_strength");
        assert_eq!(round("down ", "-5 mg"), "posology::eval::no_strength");
        assert_eq!(
            round("", "79228162514264337593543950335 mg"),
            "posology::eval::no_strength"
        );
        // No strength written at all: `check` warns of it, and the run refuses it.
        assert_eq!(
            given("", "x round to nearest of []", r#"{"x": "40 mg"}"#),
            "posology::eval::no_strength"
        );
        assert_eq!(
            checked("", "x round to nearest of []"),
            ["posology::formula::always_fails"]
        );
        assert_eq!(
            given(
                "",
                "x round down to nearest of strengths",
                r#"{"x": "40 mg", "strengths": []}"#
            ),
            "posology::eval::no_strength"
        );
    }

    #[test]
    fn strengths_compare_exactly_across_units() {
        assert_eq!(
            given("", "40 mg round to nearest of [30 mg, 0.04 g]", "{}"),
            "0.04 g"
        );
        assert_eq!(
            given(
                "",
                "39.999 mg round down to nearest of [0.03 g, 0.04 g]",
                "{}"
            ),
            "0.03 g"
        );
        assert_eq!(
            given(
                "",
                "x round up to nearest of [40000 mcg, 0.03 g]",
                r#"{"x": "30.0001 mg"}"#
            ),
            "40000 mcg"
        );
        // 1 mg/kg for 82 kg, from a list input, unsorted.
        assert_eq!(
            given(
                "",
                "x round down to nearest of strengths",
                r#"{"x": "82 mg", "strengths": ["100 mg", "80 mg", "60 mg"]}"#
            ),
            "80 mg"
        );
    }

    #[test]
    fn a_range_rounds_both_ends() {
        assert_eq!(
            given(
                "",
                &format!("(45 mg..95 mg) round down to nearest of {SYRINGES}"),
                "{}"
            ),
            "40 mg..80 mg"
        );
    }

    #[test]
    fn items_are_counted_from_one() {
        let lets = "  let s = [10 mg, 20 mg, 30 mg]";
        assert_eq!(given(lets, "s[1]", "{}"), "10 mg");
        assert_eq!(given(lets, "s[3]", "{}"), "30 mg");
        assert_eq!(given(lets, "s[i]", r#"{"i": 2}"#), "20 mg");
        assert_eq!(given("", "[5 mg, 6 mg][2]", "{}"), "6 mg");
        // 200% is the number 2, not the 200th item.
        assert_eq!(given("", "[5 mg, 6 mg][200%]", "{}"), "6 mg");
        assert_eq!(
            given("", "strengths[2]", r#"{"strengths": ["1 mg", "2 mg"]}"#),
            "2 mg"
        );
    }

    #[test]
    fn an_index_out_of_range_or_not_whole_stops_the_run() {
        let lets = "  let s = [10 mg, 20 mg, 30 mg]";
        for index in [
            "0",
            "4",
            "1.5",
            "-1",
            "79228162514264337593543950335",
            "0.5",
        ] {
            assert_eq!(
                given(lets, "s[i]", &format!(r#"{{"i": {index}}}"#)),
                "posology::eval::index",
                "s[i] with i = {index}"
            );
            // Written as a constant, the index is warned of by `check`, and refused by the run.
            assert_eq!(
                given(lets, &format!("s[{index}]"), "{}"),
                "posology::eval::index",
                "s[{index}]"
            );
            assert_eq!(
                checked(lets, &format!("s[{index}]")),
                ["posology::formula::always_fails"],
                "s[{index}]"
            );
        }
        assert_eq!(checked(lets, "s[50%]"), ["posology::formula::always_fails"]);
        assert_eq!(
            given("", "strengths[1]", r#"{"strengths": []}"#),
            "posology::eval::index"
        );
        // No index: the value is missing, and held (`check` makes the protocol test for it).
        assert_eq!(given(lets, "s[i]", "{}"), "no dose: Wait");
    }

    const PRINTED: &str = "  table renal by crcl {\n    columns per_day, col_3, blank\n    \
        row >= 60 mL/min source \"2.3\" => 3, 600 mg, missing\n    \
        row > 30 mL/min and <= 59 mL/min => 2, 400 mg, missing\n    \
        row > 15 mL/min and <= 29 mL/min => 1, 400 mg, missing\n    \
        row == 15 mL/min => 1, 150 mg, missing\n  }";

    fn renal(crcl: &str) -> String {
        given(
            PRINTED,
            "renal.col_3 * renal.per_day",
            &format!(r#"{{"crcl": "{crcl}"}}"#),
        )
    }

    #[test]
    fn the_printed_gabapentin_table_reads_its_rows_exactly() {
        assert_eq!(renal("60 mL/min"), "1800 mg");
        assert_eq!(renal("200 mL/min"), "1800 mg");
        assert_eq!(renal("45 mL/min"), "800 mg");
        assert_eq!(renal("59 mL/min"), "800 mg");
        assert_eq!(renal("30.0001 mL/min"), "800 mg");
        assert_eq!(renal("29 mL/min"), "400 mg");
        assert_eq!(renal("15.0001 mL/min"), "400 mg");
        assert_eq!(renal("15 mL/min"), "150 mg");
        // 60 mL/min is 3.6 L/h: compared exactly across units.
        assert_eq!(renal("3.6 L/h"), "1800 mg");
    }

    #[test]
    fn a_key_in_a_printed_gap_stops_the_run_naming_table_key_and_bands() {
        for crcl in [
            "30 mL/min",
            "29.5 mL/min",
            "59.5 mL/min",
            "10 mL/min",
            "0 mL/min",
        ] {
            assert_eq!(renal(crcl), "posology::table::no_band", "{crcl}");
        }
        let (_, decided) = try_decide_text(
            &protocol(PRINTED, "renal.col_3"),
            r#"{"crcl": "30 mL/min"}"#,
        );
        let Err(d) = decided else {
            panic!("30 mL/min is in no printed row")
        };
        assert_eq!(
            d.message,
            "the key 30 mL/min falls in no band of the table `renal`"
        );
        let label = &d.labels[0].text;
        assert!(label.contains("`> 30 mL/min and <= 59 mL/min`"), "{label}");
        assert!(label.contains("`== 15 mL/min`"), "{label}");
        // The key is labelled.
        let text = protocol(PRINTED, "renal.col_3");
        assert_eq!(&text[d.labels[0].span.start..d.labels[0].span.end], "crcl");
    }

    #[test]
    fn a_blank_cell_is_missing_and_a_missing_key_is_named() {
        assert_eq!(
            given(
                PRINTED,
                "if renal.blank is missing then 1 mg else 2 mg",
                r#"{"crcl": "60 mL/min"}"#
            ),
            "1 mg"
        );
        // A blank cell is a missing value: `check` makes the protocol test for it (here the
        // rule `absent` holds the dose).
        assert_eq!(
            given(PRINTED, "renal.blank", r#"{"crcl": "60 mL/min"}"#),
            "no dose: Wait"
        );
        assert_eq!(
            given(PRINTED, "renal.col_3 + 1 mg", r#"{"crcl": "60 mL/min"}"#),
            "601 mg"
        );
        assert_eq!(
            given(PRINTED, "renal.blank + 1 mg", r#"{"crcl": "60 mL/min"}"#),
            "no dose: Wait"
        );
        // Without the key no row is read: the value is missing, and held.
        assert_eq!(given(PRINTED, "renal.col_3 + 1 mg", "{}"), "no dose: Wait");
    }

    #[test]
    fn the_first_row_that_holds_wins_and_otherwise_takes_the_rest() {
        let lets = "  let cut = 50 mL/min\n  table t by crcl {\n    columns d\n    \
            row >= cut => 2 mg\n    row >= 40 mL/min => 3 mg\n    otherwise => 4 mg\n  }";
        assert_eq!(given(lets, "t.d", r#"{"crcl": "60 mL/min"}"#), "2 mg");
        assert_eq!(given(lets, "t.d", r#"{"crcl": "45 mL/min"}"#), "3 mg");
        assert_eq!(given(lets, "t.d", r#"{"crcl": "0 mL/min"}"#), "4 mg");
    }

    #[test]
    fn the_trace_names_the_row_its_band_and_the_key() {
        let text = protocol(PRINTED, "renal.col_3");
        let protocol = crate::Protocol::load("t.dose", &text).expect("checks");
        let patient = protocol
            .read_patient(
                "p",
                r#"{"crcl": "45 mL/min"}"#,
                crate::input::Format::Json,
                &[],
            )
            .expect("reads");
        let d = protocol
            .evaluate(&patient, crate::eval::Options { trace: true })
            .expect("decides");
        let entry = d
            .trace
            .iter()
            .find(|t| t.kind == "table")
            .expect("a table entry");
        assert_eq!(entry.id, "renal row 2");
        assert_eq!(
            entry.detail.as_deref(),
            Some("> 30 mL/min and <= 59 mL/min")
        );
        let values: Vec<(String, String)> = entry
            .values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(values, vec![("crcl".into(), "45 mL/min".into())]);
        assert!(entry.fired);
    }
}
