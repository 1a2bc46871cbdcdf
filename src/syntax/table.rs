//! Building a `table … { … }` item: a banded lookup written as the label prints it. The table
//! is a `let` whose definition is the table, so every later stage finds it where lets are.

use pest::iterators::Pair;

use super::ast::{Band, Bound, Expr, ExprKind, Let, Table, TableRow};
use super::build::{ident, internal, meaningful, next, span_of, Rule};
use super::expr::build_expr;
use crate::diagnostics::Diagnostic;

/// Builds a `table_item` as the `let` it defines.
pub(super) fn build_table(pair: Pair<Rule>) -> Result<Let, Diagnostic> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair).filter(|p| p.as_rule() != Rule::kw_table);
    let name = ident(next(&mut inner, span)?);
    let key = build_expr(next(&mut inner, span)?)?;
    let columns_pair = next(&mut inner, span)?;
    let columns = meaningful(columns_pair)
        .filter(|p| p.as_rule() == Rule::ident)
        .map(ident)
        .collect();
    let rows = inner.map(build_row).collect::<Result<Vec<_>, _>>()?;
    let table = Table {
        name: name.clone(),
        key,
        columns,
        rows,
        span,
    };
    Ok(Let {
        name,
        ty: None,
        expr: Expr {
            kind: ExprKind::Table(Box::new(table)),
            span,
        },
        span,
    })
}

fn build_row(pair: Pair<Rule>) -> Result<TableRow, Diagnostic> {
    let span = span_of(&pair);
    let mut row = TableRow {
        band: None,
        source: None,
        cells: Vec::new(),
        span,
    };
    for part in meaningful(pair) {
        match part.as_rule() {
            Rule::kw_row | Rule::otherwise => {}
            Rule::band => row.band = Some(build_band(part)?),
            Rule::cite => {
                let part_span = span_of(&part);
                let mut inner = meaningful(part);
                row.source = Some(super::build::text(next(&mut inner, part_span)?));
            }
            Rule::table_cells => {
                for cell in meaningful(part) {
                    let cell_span = span_of(&cell);
                    let mut inner = meaningful(cell);
                    let content = next(&mut inner, cell_span)?;
                    row.cells.push(match content.as_rule() {
                        Rule::blank_cell => None,
                        _ => Some(build_expr(content)?),
                    });
                }
            }
            _ => return Err(internal(span_of(&part))),
        }
    }
    Ok(row)
}

fn build_band(pair: Pair<Rule>) -> Result<Band, Diagnostic> {
    let span = span_of(&pair);
    let mut band = Band {
        lower: None,
        upper: None,
        exact: false,
        span,
    };
    for part in meaningful(pair) {
        let rule = part.as_rule();
        if rule == Rule::op_and {
            continue;
        }
        let part_span = span_of(&part);
        let mut inner = meaningful(part).peekable();
        // `==` is a literal (no pair); `>=`, `>`, `<=`, `<` are a pair before the value.
        let closed = match inner.peek().map(|p| p.as_rule()) {
            Some(Rule::band_lower_op | Rule::band_upper_op) => {
                let op = next(&mut inner, part_span)?;
                op.as_str().ends_with('=')
            }
            _ => true,
        };
        let value = build_expr(next(&mut inner, part_span)?)?;
        let bound = Bound { value, closed };
        match rule {
            Rule::band_exact => {
                band.exact = true;
                band.lower = Some(bound.clone());
                band.upper = Some(bound);
            }
            Rule::band_lower => band.lower = Some(bound),
            Rule::band_upper => band.upper = Some(bound),
            _ => return Err(internal(part_span)),
        }
    }
    Ok(band)
}
