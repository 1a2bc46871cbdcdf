//! The protocol's items: header lines, inputs and types, `let`, `table`, `limit`, `require`,
//! `begin at`, `decide` with its rules and actions, `phase`, `proposal`.

use super::super::ast::*;
use super::{rules, Reader};
use crate::diagnostics::Span;

/// One item of a protocol, before it is filed under its list.
enum Item {
    Header(Header),
    Inputs(Vec<InputDecl>),
    Let(Let),
    Limit(Limit),
    Require(Require),
    Begin(Expr),
    Decide(Decide),
    Phase(Phase),
    Example(Example),
}

impl Reader<'_> {
    /// `protocol NAME { item* }`.
    pub(super) fn protocol(&mut self) -> Option<Protocol> {
        let start = self.start();
        self.word("protocol")?;
        let name = self.ident()?;
        self.lit("{")?;
        let mut p = Protocol {
            name,
            headers: Vec::new(),
            inputs: Vec::new(),
            lets: Vec::new(),
            limits: Vec::new(),
            requires: Vec::new(),
            begin: None,
            decides: Vec::new(),
            phases: Vec::new(),
            examples: Vec::new(),
            span: Span::new(start, start),
        };
        while let Some(item) = self.attempt(|r| r.item()) {
            self.file(&mut p, item)?;
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        p.span = self.span_from(start);
        Some(p)
    }

    /// Files `item` under its list of `p` (a second `begin at` is the pest path's to refuse).
    fn file(&mut self, p: &mut Protocol, item: Item) -> Option<()> {
        match item {
            Item::Header(h) => p.headers.push(h),
            Item::Inputs(i) => p.inputs.extend(i),
            Item::Let(l) => p.lets.push(l),
            Item::Limit(l) => p.limits.push(l),
            Item::Require(r) => p.requires.push(r),
            Item::Begin(_) if p.begin.is_some() => return self.give_up(),
            Item::Begin(e) => p.begin = Some(e),
            Item::Decide(d) => p.decides.push(d),
            Item::Phase(ph) => p.phases.push(ph),
            Item::Example(e) => p.examples.push(e),
        }
        Some(())
    }

    /// `item`: its alternatives in the grammar's order, each known by its first word.
    fn item(&mut self) -> Option<Item> {
        self.skip();
        let end = rules::word_end(self.bytes, self.pos)?;
        let start = self.pos;
        match &self.text[start..end] {
            "title" | "version" | "source" | "drug" | "route" => self.header().map(Item::Header),
            "inputs" => self.inputs().map(Item::Inputs),
            "let" => self.let_item().map(Item::Let),
            "table" => self.table().map(Item::Let),
            "limit" => self.limit().map(Item::Limit),
            "require" => self.require().map(Item::Require),
            "begin" => {
                self.word("begin")?;
                self.word("at")?;
                self.expr().map(Item::Begin)
            }
            "decide" => self.decide().map(Item::Decide),
            "phase" => self.phase().map(Item::Phase),
            "example" => self.example().map(Item::Example),
            _ => None,
        }
    }

    fn header(&mut self) -> Option<Header> {
        let (word, key_span) = self.one_of(&["title", "version", "source", "drug", "route"])?;
        let key = match word {
            "title" => HeaderKey::Title,
            "version" => HeaderKey::Version,
            "source" => HeaderKey::Source,
            "drug" => HeaderKey::Drug,
            _ => HeaderKey::Route,
        };
        let value = self.string()?;
        Some(Header {
            key,
            key_span,
            value,
        })
    }

    /// `inputs { input_decl* }`.
    fn inputs(&mut self) -> Option<Vec<InputDecl>> {
        self.word("inputs")?;
        self.lit("{")?;
        let mut decls = Vec::new();
        while let Some(d) = self.attempt(|r| r.input_decl()) {
            decls.push(d);
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        Some(decls)
    }

    /// `ident : type_expr input_opt*` (an input, or a field of a record type).
    fn input_decl(&mut self) -> Option<InputDecl> {
        let start = self.start();
        let name = self.ident()?;
        self.lit(":")?;
        let ty = self.type_expr()?;
        let mut decl = InputDecl {
            name,
            ty,
            optional: None,
            default: None,
            range: None,
            convert: Vec::new(),
            span: Span::new(start, start),
        };
        while self.attempt(|r| r.input_opt(&mut decl)).is_some() {}
        if self.abort {
            return None;
        }
        decl.span = self.span_from(start);
        Some(decl)
    }

    /// `opt_optional | opt_default | opt_range | opt_convert`, set on `decl`.
    fn input_opt(&mut self, decl: &mut InputDecl) -> Option<()> {
        let start = self.start();
        if let Some(span) = self.word("optional") {
            decl.optional = Some(span);
        } else if self.word("default").is_some() {
            decl.default = Some(self.value()?);
        } else if self.word("in").is_some() {
            decl.range = Some(self.op_expr()?);
        } else {
            self.word("convert")?;
            let left = self.op_expr()?;
            self.lit("=")?;
            let right = self.op_expr()?;
            decl.convert.push(Conversion {
                left,
                right,
                span: self.span_from(start),
            });
        }
        Some(())
    }

    /// `list_type | record_type | enum_type | named_type`.
    fn type_expr(&mut self) -> Option<TypeExpr> {
        self.deeper(|r| r.type_inside())
    }

    fn type_inside(&mut self) -> Option<TypeExpr> {
        let start = self.start();
        let kind = if let Some(inner) = self.attempt(|r| {
            r.word("list")?;
            r.word("of")?;
            r.type_expr()
        }) {
            TypeExprKind::List(Box::new(inner))
        } else if let Some(fields) = self.attempt(|r| r.record_type()) {
            TypeExprKind::Record(fields)
        } else if let Some(values) = self.attempt(|r| r.enum_type()) {
            TypeExprKind::Enum(values)
        } else {
            return self.named_type();
        };
        Some(TypeExpr {
            kind,
            span: self.span_from(start),
        })
    }

    /// `{ field_decl (, field_decl)* ,? }`.
    fn record_type(&mut self) -> Option<Vec<InputDecl>> {
        self.lit("{")?;
        let mut fields = vec![self.input_decl()?];
        while let Some(f) = self.attempt(|r| {
            r.lit(",")?;
            r.input_decl()
        }) {
            fields.push(f);
        }
        if self.abort {
            return None;
        }
        self.attempt(|r| r.lit(","));
        self.lit("}")?;
        Some(fields)
    }

    /// `| a | b` or `a | b`.
    fn enum_type(&mut self) -> Option<Vec<Ident>> {
        let leading = self.attempt(|r| r.lit("|")).is_some();
        let mut values = vec![self.ident()?];
        while let Some(v) = self.attempt(|r| {
            r.lit("|")?;
            r.ident()
        }) {
            values.push(v);
        }
        (leading || values.len() > 1).then_some(values)
    }

    /// `named_type = { unit }`.
    fn named_type(&mut self) -> Option<TypeExpr> {
        self.step()?;
        let start = self.start();
        let end = rules::unit_end(self.bytes, start)?;
        let span = self.take(end);
        Some(TypeExpr {
            kind: TypeExprKind::Named(self.text[start..end].trim().to_string()),
            span,
        })
    }

    /// `let NAME (: named_type)? = expr`.
    pub(super) fn let_item(&mut self) -> Option<Let> {
        let start = self.start();
        self.word("let")?;
        let name = self.ident()?;
        let ty = self.attempt(|r| {
            r.lit(":")?;
            r.named_type()
        });
        self.lit("=")?;
        let expr = self.expr()?;
        Some(Let {
            name,
            ty,
            expr,
            span: self.span_from(start),
        })
    }

    /// `table NAME by KEY { columns …  row* otherwise? }`, as the `let` it defines.
    pub(super) fn table(&mut self) -> Option<Let> {
        let start = self.start();
        self.word("table")?;
        let name = self.ident()?;
        self.word("by")?;
        let key = self.op_expr()?;
        self.lit("{")?;
        self.word("columns")?;
        let mut columns = vec![self.ident()?];
        while let Some(c) = self.attempt(|r| {
            r.lit(",")?;
            r.ident()
        }) {
            columns.push(c);
        }
        let mut rows = Vec::new();
        while let Some(row) = self.attempt(|r| r.table_row(false)) {
            rows.push(row);
        }
        if let Some(row) = self.attempt(|r| r.table_row(true)) {
            rows.push(row);
        }
        if self.abort {
            return None;
        }
        self.lit("}")?;
        let span = self.span_from(start);
        let table = Table {
            name: name.clone(),
            key,
            columns,
            rows,
            span,
        };
        Some(Let {
            name,
            ty: None,
            expr: Expr {
                kind: ExprKind::Table(Box::new(table)),
                span,
            },
            span,
        })
    }

    /// `row BAND cite? => cells`, or (`otherwise`) `otherwise cite? => cells`.
    fn table_row(&mut self, otherwise: bool) -> Option<TableRow> {
        let start = self.start();
        let band = if otherwise {
            self.word("otherwise")?;
            None
        } else {
            self.word("row")?;
            Some(self.band()?)
        };
        let source = self.attempt(|r| r.cite());
        self.lit("=>")?;
        let mut cells = vec![self.table_cell()?];
        while let Some(c) = self.attempt(|r| {
            r.lit(",")?;
            r.table_cell()
        }) {
            cells.push(c);
        }
        if self.abort {
            return None;
        }
        Some(TableRow {
            band,
            source,
            cells,
            span: self.span_from(start),
        })
    }

    /// `missing` (a blank cell) or an expression.
    fn table_cell(&mut self) -> Option<Option<Expr>> {
        if self.attempt(|r| r.word("missing")).is_some() {
            return Some(None);
        }
        self.expr().map(Some)
    }

    /// `band_exact | band_lower (and band_upper)? | band_upper`.
    fn band(&mut self) -> Option<Band> {
        let start = self.start();
        let mut band = Band {
            lower: None,
            upper: None,
            exact: false,
            span: Span::new(start, start),
        };
        if self.attempt(|r| r.lit("==")).is_some() {
            let value = self.op_expr()?;
            let bound = Bound {
                value,
                closed: true,
            };
            band.exact = true;
            band.lower = Some(bound.clone());
            band.upper = Some(bound);
        } else if let Some(lower) = self.attempt(|r| r.bound(&[">=", ">"])) {
            band.lower = Some(lower);
            band.upper = self.attempt(|r| {
                r.word("and")?;
                r.bound(&["<=", "<"])
            });
        } else {
            band.upper = Some(self.bound(&["<=", "<"])?);
        }
        if self.abort {
            return None;
        }
        band.span = self.span_from(start);
        Some(band)
    }

    /// One of the operators `ops` (the closed one first), then the bound's value.
    fn bound(&mut self, ops: &[&str]) -> Option<Bound> {
        let closed = if self.attempt(|r| r.lit(ops[0])).is_some() {
            true
        } else {
            self.lit(ops[1])?;
            false
        };
        let value = self.op_expr()?;
        Some(Bound { value, closed })
    }

    /// `source "…"`.
    pub(super) fn cite(&mut self) -> Option<Text> {
        self.word("source")?;
        self.string()
    }

    /// `because "…"`.
    pub(super) fn because(&mut self) -> Option<Text> {
        self.word("because")?;
        self.string()
    }

    /// `when EXPR`: the condition, and the span of the whole clause.
    pub(super) fn when_clause(&mut self) -> Option<(Expr, Span)> {
        let start = self.start();
        self.word("when")?;
        let e = self.expr()?;
        Some((e, self.span_from(start)))
    }

    /// `limit WORD OP VALUE hard|soft (when | because | source)*`.
    fn limit(&mut self) -> Option<Limit> {
        let start = self.start();
        self.word("limit")?;
        let target = self.any_word()?;
        let op = match self.cmp_op()? {
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let value = self.op_expr()?;
        let hard = self.one_of(&["hard", "soft"])?.0 == "hard";
        let mut limit = Limit {
            target,
            op,
            value,
            hard,
            when: None,
            because: None,
            source: None,
            span: Span::new(start, start),
        };
        loop {
            if let Some((e, _)) = self.attempt(|r| r.when_clause()) {
                limit.when = Some(e);
            } else if let Some(t) = self.attempt(|r| r.because()) {
                limit.because = Some(t);
            } else if let Some(t) = self.attempt(|r| r.cite()) {
                limit.source = Some(t);
            } else {
                break;
            }
        }
        if self.abort {
            return None;
        }
        limit.span = self.span_from(start);
        Some(limit)
    }

    /// `cmp_op = @{ "<=" | ">=" | "<" | ">" }`.
    fn cmp_op(&mut self) -> Option<&'static str> {
        ["<=", ">=", "<", ">"]
            .into_iter()
            .find(|&op| self.attempt(|r| r.lit(op)).is_some())
    }

    /// `require EXPR because "…" (source "…")?`.
    fn require(&mut self) -> Option<Require> {
        let start = self.start();
        self.word("require")?;
        let condition = self.expr()?;
        let because = self.because()?;
        let source = self.attempt(|r| r.cite());
        if self.abort {
            return None;
        }
        Some(Require {
            condition,
            because,
            source,
            span: self.span_from(start),
        })
    }
}
