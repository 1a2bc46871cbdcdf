//! Lists in the REPL: the same item limit as patient files ([`MAX_LIST_ITEMS`]), `+=` that adds
//! an item without copying the list each time, and long lists echoed in brief.

use crate::check::Program;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Span};
use crate::display;
use crate::input::MAX_LIST_ITEMS;
use crate::value::{Shown, Value};

/// A value's text, shortened and made safe for a terminal, as the REPL shows values.
fn shown(v: &Value, program: &Program) -> String {
    display::shown(&Shown(v, program).to_string())
}

/// The most items of a list echoed after `=` or `+=`; the rest are counted.
const ECHOED_ITEMS: usize = 20;

/// Items added with `+=` to the list input in `slot`, not yet built into its value: lines of
/// `+=` to one list push here, and the value is built once, before any other line reads it.
/// Building it for every line would copy the whole list each time (quadratic in its length).
#[derive(Debug)]
pub(crate) struct Appending {
    /// The input's slot.
    pub slot: usize,
    /// Every item of the list, the ones added last included.
    pub items: Vec<Value>,
}

/// The most items any list in `v` has (lists inside records counted too).
pub(super) fn longest_list(v: &Value) -> usize {
    match v {
        Value::List(items) => items
            .iter()
            .map(longest_list)
            .max()
            .unwrap_or(0)
            .max(items.len()),
        Value::Record(_, fields) => fields.iter().map(longest_list).max().unwrap_or(0),
        _ => 0,
    }
}

/// The error for a list input that would hold `count` items (more than [`MAX_LIST_ITEMS`]);
/// `span` is the value written in the line.
pub(super) fn too_many_items(name: &str, count: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InputTooManyItems,
        format!("`{name}` would have {count} items; at most {MAX_LIST_ITEMS} are accepted"),
    )
    .with_label(span, "one item too many")
    .with_help(format!(
        "a list holds at most {MAX_LIST_ITEMS} items, in the REPL as in a patient file; the \
         list is left as it was (`:unset {name}` empties it)"
    ))
}

/// A value as echoed after `name =`: whole, or for a long list its first items and how many
/// more there are.
pub(super) fn echo(program: &Program, v: &Value) -> String {
    let Value::List(items) = v else {
        return shown(v, program);
    };
    if items.len() <= ECHOED_ITEMS {
        return shown(v, program);
    }
    let first = Value::List(items[..ECHOED_ITEMS].to_vec().into());
    let first = Shown(&first, program).to_string();
    format!(
        "{}, … {} more items]",
        display::shown(first.strip_suffix(']').unwrap_or(&first)),
        items.len() - ECHOED_ITEMS
    )
}

/// A list just added to, as echoed after `+=`: whole when short, else the number of items
/// before the last, and the last (what was just added). Never the whole of a long list: echoing
/// it after every `+=` would write out a number of items that grows with the square of its
/// length.
pub(super) fn echo_items(program: &Program, items: &[Value]) -> String {
    if items.len() <= ECHOED_ITEMS {
        return shown(&Value::List(items.to_vec().into()), program);
    }
    let last = items.last().map(|v| shown(v, program)).unwrap_or_default();
    format!("[… {} items, {last}]", items.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_list_is_found_inside_records() {
        let inner = Value::List(vec![Value::Bool(true); 3].into());
        let record = Value::Record(0, vec![inner, Value::Missing].into());
        let outer = Value::List(vec![record.clone(), record].into());
        assert_eq!(longest_list(&outer), 3);
        assert_eq!(longest_list(&Value::Bool(true)), 0);
    }
}
