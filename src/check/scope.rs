//! Checking one more expression or value against an already checked protocol: what a REPL
//! line needs. Slots, enum ids and record ids are assigned exactly as in [`check`](super::check),
//! so what this returns runs against the same [`Program`](super::Program).

use super::{CExpr, CheckError, Checker, Type};
use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::ast;
use crate::value::Value;

/// A protocol's names and types, ready to check a line against.
pub struct Scope<'a> {
    checker: Checker<'a>,
}

impl<'a> Scope<'a> {
    /// Declares the protocol's inputs, phases and `let`s (the protocol must already check).
    /// A `let` is checked when a line names it, not before: a REPL line builds a scope, and
    /// checking every `let` of a large protocol for each line would make each line cost as
    /// much as checking the protocol.
    pub fn new(protocol: &'a ast::Protocol, source: &Source) -> Self {
        let mut checker = Checker::new(protocol, source);
        checker.declare_header();
        checker.declare_inputs();
        checker.declare_phases();
        checker.declare_lets();
        checker.diags.clear();
        checker.unshown = Default::default();
        checker.record_cells = 0;
        Scope { checker }
    }

    fn take_errors(&mut self) -> Result<(), Vec<Diagnostic>> {
        let mut diags = std::mem::take(&mut self.checker.diags);
        diags.extend(self.checker.unshown_diagnostic());
        self.checker.unshown = Default::default();
        // Each line's values are counted on their own.
        self.checker.record_cells = 0;
        if diags.iter().any(Diagnostic::is_error) {
            Err(diags)
        } else {
            Ok(())
        }
    }

    /// Checks an expression in the protocol's top-level scope.
    pub fn expr(&mut self, e: &ast::Expr) -> Result<CExpr, Vec<Diagnostic>> {
        let c = self.checker.expr(e, None);
        self.take_errors()?;
        Ok(c)
    }

    /// Converts a written value for an input (by slot), in its declared unit, validated.
    pub fn input_value(&mut self, slot: usize, v: &ast::Value) -> Result<Value, Vec<Diagnostic>> {
        let spec = self.checker.program.inputs[slot].clone();
        let value = self.checker.const_value(v, &spec);
        self.take_errors()?;
        value.ok_or_else(Vec::new)
    }

    /// Converts a written value for one more item of a list input (by slot). The front end
    /// says when the input is no list (`+=` is its notation); this is the checker's refusal.
    pub fn list_item_value(
        &mut self,
        slot: usize,
        v: &ast::Value,
    ) -> Result<Value, Vec<Diagnostic>> {
        let mut spec = self.checker.program.inputs[slot].clone();
        let Type::List(inner) = spec.ty.clone() else {
            // A check code, not the REPL's: the REPL refuses `+=` on a non-list itself, before
            // it gets here; another front end would get the checker's own wording.
            return Err(vec![CheckError::NotAList {
                name: spec.name.clone(),
                span: v.span,
            }
            .into()]);
        };
        spec.unit = match &*inner {
            Type::Num(u) => Some(u.clone()),
            _ => None,
        };
        spec.ty = *inner;
        spec.range = None;
        spec.whole = false;
        let value = self.checker.const_value(v, &spec);
        self.take_errors()?;
        value.ok_or_else(Vec::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    const TEXT: &str = "protocol s {\n version \"1\"\n source \"x\"\n inputs { w: kg in 1 kg..300 kg\n xs: list of mg default [] }\n limit dose <= 10 mg hard\n decide first { otherwise => give 1 mg }\n}\n";

    fn scope_value(slot: usize, text: &str, item: bool) -> Result<Value, Vec<Diagnostic>> {
        let ast = syntax::parse(TEXT).expect("parses");
        let source = Source::new("s.dose", TEXT);
        let mut scope = Scope::new(&ast, &source);
        let v = syntax::parse_value(text).expect("a value");
        if item {
            scope.list_item_value(slot, &v)
        } else {
            scope.input_value(slot, &v)
        }
    }

    #[test]
    fn an_item_of_a_list_is_converted_to_the_list_unit() {
        let v = scope_value(1, "0.5 g", true).expect("an item in mg");
        let Value::Num(q) = v else {
            panic!("a number: {v:?}")
        };
        assert_eq!(q.to_string(), "500 mg");
    }

    #[test]
    fn an_item_for_an_input_that_is_no_list_is_a_type_error_of_the_checker() {
        let diags = scope_value(0, "70 kg", true).expect_err("not a list");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "posology::type::mismatch");
        assert!(
            diags[0].message.contains("`w` is not a list"),
            "{:?}",
            diags[0]
        );
    }

    #[test]
    fn a_value_outside_the_declared_range_is_refused() {
        let diags = scope_value(0, "400 kg", false).expect_err("out of range");
        assert!(
            diags
                .iter()
                .any(|d| d.code == "posology::input::out_of_range"),
            "{diags:?}"
        );
    }
}
