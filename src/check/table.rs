//! Checking a `table`: the key is a number, every band's ends are of the key's kind, every
//! column holds one kind, every row has one cell per column, and bands with constant ends
//! neither overlap (an error: two rows would claim one patient) nor leave a gap (a warning:
//! a patient there gets no row, and the run stops with `posology::table::no_band`).

use std::cmp::Ordering;

use super::{CExpr, CExprKind, CheckError, Checker, InputSpec, RecordSpec, TableRowSpec};
use super::{Name, TableSpec, Type};
use crate::diagnostics::{Code, Severity, Span};
use crate::syntax::ast::{Band, Bound, Table, TableRow};
use crate::units::Quantity;
use crate::value::Value;

/// A problem with a `table`, found by `posology check`.
#[derive(Clone, Debug, PartialEq)]
pub enum TableProblem {
    /// The key is not a number.
    KeyNotNumber {
        /// The table.
        table: String,
        /// What the key is, described.
        found: String,
        /// The key.
        key: Span,
    },
    /// A band's end of another kind than the key (mg against mL/min).
    BandUnit {
        /// The table.
        table: String,
        /// The key's kind.
        key_kind: String,
        /// The end's kind.
        bound_kind: String,
        /// The end.
        bound: Span,
        /// The key.
        key: Span,
    },
    /// A cell of another kind than the column's first cell.
    ColumnKind {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// This cell's kind.
        kind: String,
        /// The column's kind (its first cell's).
        first_kind: String,
        /// This cell.
        cell: Span,
        /// The column's first cell.
        first: Span,
    },
    /// A row with more or fewer cells than the table has columns.
    RowWidth {
        /// The table.
        table: String,
        /// How many columns.
        columns: usize,
        /// How many cells this row has.
        cells: usize,
        /// The row.
        row: Span,
        /// The `columns` line's names.
        header: Span,
    },
    /// Two bands with constant ends that share a value of the key.
    Overlap {
        /// The table.
        table: String,
        /// The first band, as written.
        first: String,
        /// The second band, as written.
        second: String,
        /// A value both hold, shown.
        shared: String,
        /// The first band.
        a: Span,
        /// The second band.
        b: Span,
    },
    /// A band with constant ends that holds no value (its low end above its high end, or one
    /// value with an open end): a row no patient can match, often a slip in copying the label.
    EmptyBand {
        /// The table.
        table: String,
        /// The band, as written.
        band: String,
        /// The band.
        at: Span,
    },
    /// Bands written neither rising nor falling (a warning: a row copied to the wrong place).
    Order {
        /// The table.
        table: String,
        /// The row that turns back (`row 3`).
        row: String,
        /// Its band, as written.
        band: String,
        /// The band before it, as written.
        before: String,
        /// Its band.
        at: Span,
        /// The band before it.
        turn: Span,
    },
    /// Values of the key no band holds (a warning), in a table without `otherwise`.
    Gap {
        /// The table.
        table: String,
        /// The values held by no band, described (`above 29 mL/min and up to 30 mL/min`).
        gap: String,
        /// The table's name.
        at: Span,
    },
}

impl TableProblem {
    /// Its code.
    pub fn code(&self) -> Code {
        match self {
            TableProblem::KeyNotNumber { .. } | TableProblem::BandUnit { .. } => {
                Code::TableBandUnit
            }
            TableProblem::ColumnKind { .. } => Code::TableColumnKind,
            TableProblem::RowWidth { .. } => Code::TableRowWidth,
            TableProblem::Overlap { .. } => Code::TableOverlap,
            TableProblem::EmptyBand { .. } => Code::TableEmptyBand,
            TableProblem::Gap { .. } => Code::TableGap,
            TableProblem::Order { .. } => Code::TableOrder,
        }
    }

    /// A gap is a warning (the run refuses a key in it); everything else is an error.
    pub fn severity(&self) -> Severity {
        match self {
            TableProblem::Gap { .. } | TableProblem::Order { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// One sentence saying what is wrong.
    pub fn message(&self) -> String {
        match self {
            TableProblem::KeyNotNumber { table, found, .. } => {
                format!("the table `{table}` is keyed by {found}, not a number")
            }
            TableProblem::BandUnit {
                table,
                key_kind,
                bound_kind,
                ..
            } => format!(
                "a band of the table `{table}` ends at {bound_kind}, but its key is {key_kind}"
            ),
            TableProblem::ColumnKind {
                table,
                column,
                kind,
                first_kind,
                ..
            } => format!(
                "the column `{column}` of the table `{table}` holds {first_kind}, but this cell is {kind}"
            ),
            TableProblem::RowWidth {
                table,
                columns,
                cells,
                ..
            } => format!(
                "this row of the table `{table}` has {cells} cell(s), but the table has {columns} column(s)"
            ),
            TableProblem::Overlap {
                table,
                first,
                second,
                shared,
                ..
            } => format!(
                "the bands `{first}` and `{second}` of the table `{table}` overlap (both hold {shared})"
            ),
            TableProblem::Gap { table, gap, .. } => {
                format!("no band of the table `{table}` holds a key {gap}")
            }
            TableProblem::EmptyBand { table, band, .. } => {
                format!("the band `{band}` of the table `{table}` holds no value")
            }
            TableProblem::Order {
                table,
                row,
                band,
                before,
                ..
            } => format!(
                "the bands of the table `{table}` turn back at {row}: `{band}` after `{before}`"
            ),
        }
    }

    /// The places to label.
    pub fn labels(&self) -> Vec<(Span, String)> {
        match self {
            TableProblem::KeyNotNumber { key, .. } => vec![(*key, "not a number".into())],
            TableProblem::BandUnit {
                bound,
                key,
                key_kind,
                ..
            } => vec![
                (*bound, "this end".into()),
                (*key, format!("the key: {key_kind}")),
            ],
            TableProblem::ColumnKind { cell, first, .. } => vec![
                (*cell, "this cell".into()),
                (*first, "the column's first cell".into()),
            ],
            TableProblem::RowWidth { row, header, .. } => {
                vec![(*row, "this row".into()), (*header, "the columns".into())]
            }
            TableProblem::Overlap { a, b, .. } => {
                vec![(*b, "this band".into()), (*a, "overlaps this one".into())]
            }
            TableProblem::Gap { at, .. } => vec![(*at, "this table".into())],
            TableProblem::EmptyBand { at, .. } => {
                vec![(*at, "its low end is not below its high end".into())]
            }
            TableProblem::Order { at, turn, .. } => vec![
                (*at, "this band".into()),
                (*turn, "goes the other way from this one".into()),
            ],
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            TableProblem::KeyNotNumber { .. } => {
                "key a table by a number with its unit, e.g. `table renal by crcl`".into()
            }
            TableProblem::BandUnit { key_kind, .. } => {
                format!("write every band's ends as {key_kind}, the kind of the key")
            }
            TableProblem::ColumnKind { .. } => {
                "every cell of a column is of one kind (write `missing` for a cell the label leaves blank)"
                    .into()
            }
            TableProblem::RowWidth { .. } => {
                "write one cell per column, in the order of `columns` (`missing` for a blank cell)"
                    .into()
            }
            TableProblem::Overlap { .. } => {
                "make the bands meet without sharing a value: one end closed (`<= 30 mL/min`), \
                 the next open (`> 30 mL/min`)"
                    .into()
            }
            TableProblem::Gap { .. } => {
                "a key there stops the run (`posology::table::no_band`); close the gap as the \
                 protocol's policy (a band, or `otherwise => …` as the last row) and say why"
                    .into()
            }
            TableProblem::EmptyBand { .. } => {
                "write the low end first and below the high end (`> 30 mL/min and <= 59 \
                 mL/min`); one value is written `== 15 mL/min`"
                    .into()
            }
            TableProblem::Order { .. } => {
                "write the rows in the label's order, every band above (or every band below) the \
                 one before it; check that no row was copied to the wrong place"
                    .into()
            }
        }
    }
}

/// What every row of a table is checked against.
struct RowPlace<'t> {
    table: &'t Table,
    key: &'t CExpr,
    /// The key is a number (else its bands are not compared with it).
    key_ok: bool,
    /// The `columns` names.
    header: Span,
}

/// A band's end reduced to a constant, for the overlap and gap analysis.
struct End {
    value: Quantity,
    closed: bool,
}

/// A row's band with constant ends (`None`: unbounded).
struct ConstBand<'r> {
    lower: Option<End>,
    upper: Option<End>,
    row: &'r TableRowSpec,
}

impl Checker<'_> {
    /// Checks a `table` as the definition of its `let`: the value is the row whose band holds
    /// the key, a record of the columns.
    pub(super) fn table(&mut self, t: &Table, span: Span) -> CExpr {
        let name = t.name.name.clone();
        let key = self.expr(&t.key, None);
        let key_ok = matches!(key.ty, Type::Num(_));
        if !key_ok && key.ty != Type::Error {
            let found = self.describe(&key.ty);
            self.table_problem(TableProblem::KeyNotNumber {
                table: name.clone(),
                found,
                key: key.span,
            });
        }
        let place = RowPlace {
            table: t,
            key: &key,
            key_ok,
            header: columns_span(t),
        };
        let mut column_types: Vec<Option<(Type, Span)>> = vec![None; t.columns.len()];
        let mut rows = Vec::with_capacity(t.rows.len());
        for (i, row) in t.rows.iter().enumerate() {
            rows.push(self.table_row(&place, i, row, &mut column_types));
        }
        self.table_columns(t);
        // A column may be missing (for the missing-value analysis) only where a row leaves
        // its cell blank.
        let blank = |column: usize| {
            rows.iter()
                .any(|r: &TableRowSpec| matches!(r.cells.get(column), Some(None)))
        };
        let fields = t
            .columns
            .iter()
            .zip(&column_types)
            .enumerate()
            .map(|(i, (c, ty))| InputSpec {
                name: c.name.clone(),
                span: c.span,
                ty: ty.as_ref().map_or(Type::Error, |(t, _)| t.clone()),
                unit: None,
                whole: false,
                optional: blank(i),
                default: None,
                range: None,
                conversions: Vec::new(),
            })
            .collect();
        let record = self.program.records.len() as u32;
        self.program.records.push(RecordSpec::new(fields));
        if key_ok {
            self.bands_meet(&name, t.name.span, &rows, &key);
        }
        CExpr {
            kind: CExprKind::Table(Box::new(TableSpec {
                name,
                key,
                record,
                rows,
            })),
            ty: Type::Record(record),
            span,
        }
    }

    fn table_problem(&mut self, p: TableProblem) {
        self.error(CheckError::Table(p).into());
    }

    /// Reports a column named twice (a field of the row's record must be one name).
    fn table_columns(&mut self, t: &Table) {
        for (i, c) in t.columns.iter().enumerate() {
            if let Some(first) = t.columns[..i].iter().find(|o| o.name == c.name) {
                self.duplicate("column", &c.name, c.span, first.span);
            }
        }
    }

    /// One row: its band's ends against the key, its cells against their columns.
    fn table_row(
        &mut self,
        at: &RowPlace,
        index: usize,
        row: &TableRow,
        column_types: &mut [Option<(Type, Span)>],
    ) -> TableRowSpec {
        let (lower, upper) = match &row.band {
            Some(Band {
                lower,
                upper,
                exact,
                ..
            }) => {
                let l = self.band_end(at, lower);
                // `== v` is one value, both ends: checked (and reported) once.
                let u = if *exact {
                    l.clone()
                } else {
                    self.band_end(at, upper)
                };
                (l, u)
            }
            None => (None, None),
        };
        if row.cells.len() != at.table.columns.len() {
            self.table_problem(TableProblem::RowWidth {
                table: at.table.name.name.clone(),
                columns: at.table.columns.len(),
                cells: row.cells.len(),
                row: row.span,
                header: at.header,
            });
        }
        let cells = self.row_cells(at.table, row, column_types);
        let written = match &row.band {
            Some(b) => self
                .program
                .source
                .text
                .get(b.span.start..b.span.end)
                .unwrap_or("")
                .to_string(),
            None => "otherwise".to_string(),
        };
        TableRowSpec {
            id: match row.band {
                Some(_) => format!("row {}", index + 1).into(),
                None => "otherwise".into(),
            },
            written,
            band_span: row.band.as_ref().map_or(row.span, |b| b.span),
            lower,
            upper,
            otherwise: row.band.is_none(),
            cells,
            source: row.source.as_ref().map(|s| Name::from(s.value.as_str())),
            span: row.span,
        }
    }

    /// One end of a band, of the key's kind.
    fn band_end(&mut self, at: &RowPlace, bound: &Option<Bound>) -> Option<(CExpr, bool)> {
        let b = bound.as_ref()?;
        let key = at.key;
        let c = self.expr(&b.value, Some(&key.ty));
        if at.key_ok && !c.ty.same(&key.ty) {
            let (key_kind, bound_kind) = (self.describe(&key.ty), self.describe(&c.ty));
            self.table_problem(TableProblem::BandUnit {
                table: at.table.name.name.clone(),
                key_kind,
                bound_kind,
                bound: c.span,
                key: key.span,
            });
        }
        Some((c, b.closed))
    }

    /// A row's cells, each of its column's kind (the kind of the column's first cell).
    fn row_cells(
        &mut self,
        t: &Table,
        row: &TableRow,
        column_types: &mut [Option<(Type, Span)>],
    ) -> Vec<Option<CExpr>> {
        let mut cells = Vec::with_capacity(row.cells.len());
        for (j, cell) in row.cells.iter().enumerate() {
            let c = cell.as_ref().map(|e| self.expr(e, None));
            if let (Some(c), Some(slot)) = (&c, column_types.get_mut(j)) {
                match slot {
                    None if c.ty != Type::Error => *slot = Some((c.ty.clone(), c.span)),
                    Some((first_ty, first)) if !first_ty.same(&c.ty) => {
                        let (first_ty, first) = (first_ty.clone(), *first);
                        let kind = self.describe(&c.ty);
                        let first_kind = self.describe(&first_ty);
                        self.table_problem(TableProblem::ColumnKind {
                            table: t.name.name.clone(),
                            column: t.columns[j].name.clone(),
                            kind,
                            first_kind,
                            cell: c.span,
                            first,
                        });
                    }
                    _ => {}
                }
            }
            cells.push(c);
        }
        cells
    }

    /// Bands whose ends are all constants: an overlap is an error, a gap (in a table without
    /// `otherwise`) a warning. A band with an end worked out from the patient is not judged.
    fn bands_meet(&mut self, table: &str, at: Span, rows: &[TableRowSpec], key_expr: &CExpr) {
        let key = &key_expr.ty;
        let Some(mut bands) = self.constant_bands(table, rows, key) else {
            return;
        };
        if let Some((a, b)) = out_of_order(&bands) {
            self.table_problem(TableProblem::Order {
                table: table.to_string(),
                row: b.row.id.to_string(),
                band: b.row.written.clone(),
                before: a.row.written.clone(),
                at: b.row.band_span,
                turn: a.row.band_span,
            });
        }
        bands.sort_by(|a, b| lower_order(&a.lower, &b.lower));
        for pair in bands.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if let Some(shared) = overlap(a, b) {
                // Named in the order they are written.
                let (a, b) = if a.row.span.start <= b.row.span.start {
                    (a, b)
                } else {
                    (b, a)
                };
                self.table_problem(TableProblem::Overlap {
                    table: table.to_string(),
                    first: a.row.written.clone(),
                    second: b.row.written.clone(),
                    shared,
                    a: a.row.band_span,
                    b: b.row.band_span,
                });
                return;
            }
        }
        if rows.iter().any(|r| r.otherwise) {
            return;
        }
        if bands.is_empty() {
            self.table_problem(TableProblem::Gap {
                table: table.to_string(),
                gap: "at all (it has no row)".into(),
                at,
            });
            return;
        }
        // Over the key's declared values, when it is an input: exact, with witness patients.
        if self.key_gap(table, at, key_expr, &bands) {
            return;
        }
        let mut gaps = Vec::new();
        if let Some(End { value, closed }) = bands.first().and_then(|b| b.lower.as_ref()) {
            let op = if *closed { "below" } else { "at or below" };
            gaps.push(format!("{op} {value}"));
        }
        for pair in bands.windows(2) {
            if let Some(g) = gap(&pair[0], &pair[1]) {
                gaps.push(g);
            }
        }
        if let Some(End { value, closed }) = bands.last().and_then(|b| b.upper.as_ref()) {
            let op = if *closed { "above" } else { "at or above" };
            gaps.push(format!("{op} {value}"));
        }
        if !gaps.is_empty() {
            self.table_problem(TableProblem::Gap {
                table: table.to_string(),
                gap: gaps.join("; "),
                at,
            });
        }
    }

    /// Judges the gap of a table whose key is an input over its declared values, with witness
    /// patients; false when the key is worked out from the patient's data (not judged here).
    fn key_gap(&mut self, table: &str, at: Span, key_expr: &CExpr, bands: &[ConstBand]) -> bool {
        let ends: Vec<super::verify::BandEnds> = bands
            .iter()
            .map(|b| {
                let end = |e: &Option<End>| e.as_ref().map(|e| (e.value.clone(), e.closed));
                (end(&b.lower), end(&b.upper))
            })
            .collect();
        match super::verify::table_cover(&self.program, table, key_expr, &ends) {
            super::verify::TableCover::Covered => true,
            super::verify::TableCover::Gap {
                described,
                witnesses,
            } => {
                let example = witnesses
                    .first()
                    .map(|w| format!(" (a patient such as {})", super::patient_text(&w.patient)))
                    .unwrap_or_default();
                self.table_problem(TableProblem::Gap {
                    table: table.to_string(),
                    gap: format!("{described}{example}"),
                    at,
                });
                self.witnesses.extend(witnesses);
                true
            }
            super::verify::TableCover::NotAnInput => false,
        }
    }
}

/// The first pair of rows (as written) that turns back: bands rising, then one lower, or
/// falling, then one higher. A label prints its bands in one direction.
fn out_of_order<'b, 'r>(
    bands: &'b [ConstBand<'r>],
) -> Option<(&'b ConstBand<'r>, &'b ConstBand<'r>)> {
    let mut direction = Ordering::Equal;
    for pair in bands.windows(2) {
        let step = lower_order(&pair[0].lower, &pair[1].lower)
            .then_with(|| upper_order(&pair[0].upper, &pair[1].upper));
        if step == Ordering::Equal {
            continue;
        }
        if direction == Ordering::Equal {
            direction = step;
        } else if step != direction {
            return Some((&pair[0], &pair[1]));
        }
    }
    None
}

/// Unbounded last; then by value; an open end before a closed one at the same value.
fn upper_order(a: &Option<End>, b: &Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(x), Some(y)) => cmp(&x.value, &y.value).then(x.closed.cmp(&y.closed)),
    }
}

/// The span of the `columns` names (the table's when it has none).
fn columns_span(t: &Table) -> Span {
    match (t.columns.first(), t.columns.last()) {
        (Some(a), Some(b)) => a.span.join(b.span),
        _ => t.span,
    }
}

/// `Some(None)`: unbounded; `Some(Some(end))`: a constant end of the key's kind; `None`: not
/// a constant (or of another kind, already reported).
fn constant_end(end: &Option<(CExpr, bool)>, key: &Type) -> Option<Option<End>> {
    match end {
        None => Some(None),
        Some((
            CExpr {
                kind: CExprKind::Const(Value::Num(q)),
                ty,
                ..
            },
            closed,
        )) if ty.same(key) && *ty != Type::Error => Some(Some(End {
            value: q.clone(),
            closed: *closed,
        })),
        Some(_) => None,
    }
}

fn cmp(a: &Quantity, b: &Quantity) -> Ordering {
    a.compare(b).unwrap_or(Ordering::Equal)
}

/// Unbounded first; then by value; a closed end before an open one at the same value.
fn lower_order(a: &Option<End>, b: &Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => cmp(&x.value, &y.value).then(y.closed.cmp(&x.closed)),
    }
}

/// A value both bands hold, when they overlap (`b` starts at or after `a`).
impl Checker<'_> {
    /// The bands of the rows, when every end is a constant; `None` when one is worked out from
    /// the patient (nothing can be compared before running) or a band holds no value (refused
    /// here, as `posology::table::empty_band`).
    fn constant_bands<'r>(
        &mut self,
        table: &str,
        rows: &'r [TableRowSpec],
        key: &Type,
    ) -> Option<Vec<ConstBand<'r>>> {
        let mut bands = Vec::new();
        for row in rows.iter().filter(|r| !r.otherwise) {
            let lower = constant_end(&row.lower, key)?;
            let upper = constant_end(&row.upper, key)?;
            if holds_nothing(&lower, &upper) {
                self.table_problem(TableProblem::EmptyBand {
                    table: table.to_string(),
                    band: row.written.clone(),
                    at: row.band_span,
                });
                return None;
            }
            bands.push(ConstBand { lower, upper, row });
        }
        Some(bands)
    }
}

/// Whether a band with these ends holds no value: its low end above its high end, or at it with
/// either end open.
fn holds_nothing(lower: &Option<End>, upper: &Option<End>) -> bool {
    let (Some(lo), Some(hi)) = (lower, upper) else {
        return false;
    };
    match cmp(&lo.value, &hi.value) {
        Ordering::Greater => true,
        Ordering::Equal => !(lo.closed && hi.closed),
        Ordering::Less => false,
    }
}

fn overlap(a: &ConstBand, b: &ConstBand) -> Option<String> {
    // Where the shared values end: the lower of the two upper ends.
    let end = match (&a.upper, &b.upper) {
        (Some(x), Some(y)) => Some(if cmp(&x.value, &y.value) == Ordering::Less {
            x
        } else {
            y
        }),
        (x, y) => x.as_ref().or(y.as_ref()),
    };
    let Some(b_lower) = &b.lower else {
        // Both unbounded below.
        return Some(match end {
            Some(e) => format!("every value up to {}", e.value),
            None => "every value".into(),
        });
    };
    let Some(a_upper) = &a.upper else {
        return Some(match end {
            Some(e) if cmp(&e.value, &b_lower.value) == Ordering::Equal => e.value.to_string(),
            Some(e) => format!("values between {} and {}", b_lower.value, e.value),
            None => format!("every value from {}", b_lower.value),
        });
    };
    match cmp(&a_upper.value, &b_lower.value) {
        Ordering::Greater => {
            let e = end.map_or(&a_upper.value, |e| &e.value);
            Some(format!("values between {} and {e}", b_lower.value))
        }
        Ordering::Equal if a_upper.closed && b_lower.closed => Some(a_upper.value.to_string()),
        _ => None,
    }
}

/// The values between two bands that neither holds, described (`a` ends before `b` starts).
fn gap(a: &ConstBand, b: &ConstBand) -> Option<String> {
    let (Some(u), Some(l)) = (&a.upper, &b.lower) else {
        return None;
    };
    let from = if u.closed { "above" } else { "from" };
    let to = if l.closed { "below" } else { "up to" };
    match cmp(&u.value, &l.value) {
        Ordering::Less => Some(format!("{from} {} and {to} {}", u.value, l.value)),
        Ordering::Equal if !u.closed && !l.closed => Some(format!("of exactly {}", u.value)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    /// The code and message of every diagnostic `check` reports for a table of these rows.
    fn problems(rows: &str) -> Vec<(String, String)> {
        let text = format!(
            "protocol t {{\n  version \"1\"\n  source \"s\"\n  inputs {{\n    crcl: mL/min\n  }}\n  \
             limit dose <= 10 mg hard\n  table r by crcl {{\n    columns d\n{rows}\n  }}\n  \
             decide first {{\n    otherwise => give r.d\n  }}\n}}\n"
        );
        let (_, diags) = crate::Protocol::check("t.dose", &text);
        diags
            .iter()
            .map(|d| (d.code.to_string(), d.message.clone()))
            .collect()
    }

    fn rows(bands: &[&str]) -> String {
        bands
            .iter()
            .map(|b| format!("    row {b} => 1 mg\n"))
            .collect()
    }

    #[test]
    fn bands_that_meet_with_one_end_closed_leave_no_gap() {
        for pair in [
            ["< 30 mL/min", ">= 30 mL/min"],
            ["<= 30 mL/min", "> 30 mL/min"],
            // 1.8 L/h is 30 mL/min exactly.
            ["< 1.8 L/h", ">= 30 mL/min"],
        ] {
            assert_eq!(problems(&rows(&pair)), vec![], "{pair:?}");
        }
        let three = rows(&["< 15 mL/min", "== 15 mL/min", "> 15 mL/min"]);
        assert_eq!(problems(&three), vec![]);
    }

    #[test]
    fn a_value_left_out_between_two_open_ends_is_a_gap() {
        assert_eq!(
            problems(&rows(&["< 30 mL/min", "> 30 mL/min"])),
            vec![(
                "posology::table::gap".to_string(),
                "no band of the table `r` holds a key of exactly 30 mL/min (a patient such as \
                 { \"crcl\": \"30 mL/min\" })"
                    .to_string()
            )]
        );
        assert_eq!(
            problems(&rows(&["> 30 mL/min and <= 59 mL/min"])),
            vec![(
                "posology::table::gap".to_string(),
                "no band of the table `r` holds a key at or below 30 mL/min; above 59 mL/min \
                 (a patient such as { \"crcl\": \"30 mL/min\" })"
                    .to_string()
            )]
        );
        assert_eq!(
            problems(""),
            vec![(
                "posology::table::gap".to_string(),
                "no band of the table `r` holds a key at all (it has no row)".to_string()
            )]
        );
    }

    #[test]
    fn otherwise_or_a_band_worked_out_from_the_patient_is_not_judged_a_gap() {
        let with_otherwise = format!("{}    otherwise => 2 mg\n", rows(&["> 30 mL/min"]));
        assert_eq!(problems(&with_otherwise), vec![]);
        assert_eq!(problems(&rows(&["> crcl / 2", "> 30 mL/min"])), vec![]);
    }

    #[test]
    fn bands_rising_or_falling_are_in_order_and_one_turning_back_is_not() {
        let label = [
            ">= 60 mL/min",
            "> 30 mL/min and < 60 mL/min",
            "> 15 mL/min and <= 30 mL/min",
            "== 15 mL/min",
            "< 15 mL/min",
        ];
        assert_eq!(problems(&rows(&label)), vec![]);
        let mut rising = label;
        rising.reverse();
        assert_eq!(problems(&rows(&rising)), vec![]);
        let swapped = [label[0], label[2], label[1], label[3], label[4]];
        assert_eq!(
            problems(&rows(&swapped)),
            vec![(
                "posology::table::order".to_string(),
                "the bands of the table `r` turn back at row 3: `> 30 mL/min and < 60 mL/min` \
                 after `> 15 mL/min and <= 30 mL/min`"
                    .to_string()
            )]
        );
    }

    #[test]
    fn bands_sharing_a_value_are_refused_whatever_their_order() {
        for pair in [
            [">= 10 mL/min", ">= 20 mL/min"],
            ["<= 30 mL/min", ">= 30 mL/min"],
            [">= 30 mL/min", "<= 30 mL/min"],
            ["< 100 mL/min", "== 50 mL/min"],
            ["> 1.8 L/h and < 60 mL/min", "> 40 mL/min"],
        ] {
            let found = problems(&rows(&pair));
            assert_eq!(found.len(), 1, "{pair:?}: {found:?}");
            assert_eq!(found[0].0, "posology::table::overlap", "{pair:?}");
        }
    }
}
