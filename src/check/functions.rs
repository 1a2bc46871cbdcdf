//! The built-in functions, in one table. The checker looks names up here and takes each
//! function's arity and usage from it; the REPL completes from it; a test holds the README's list
//! of functions against it. Adding a function is a row here, a variant of [`Func`], its type rule
//! in `check/expr.rs` and its meaning in `eval/expr.rs` — the last two are exhaustive matches on
//! [`Func`], so the compiler points at both.

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// Smallest of the arguments (or of one list).
    Min,
    /// Largest of the arguments (or of one list).
    Max,
    /// `clamp(x, low, high)`
    Clamp,
    /// First item of a list (missing when empty).
    First,
    /// Last item of a list (missing when empty).
    Last,
    /// Number of items (optionally those matching a condition).
    Count,
    /// Sum of a list of numbers.
    Sum,
    /// Any item matches the condition.
    Any,
    /// Every item matches the condition.
    All,
    /// The items that match the condition.
    Filter,
    /// Absolute value.
    Abs,
    /// Round down to a whole number in the value's unit.
    Floor,
    /// Round up to a whole number in the value's unit.
    Ceil,
    /// The low end of a range.
    Lower,
    /// The high end of a range.
    Upper,
    /// Each item of a list of numbers or dates is above the one before.
    Ascending,
    /// The square root of a plain number or of a unit squared: exact, or rounded where taken.
    Sqrt,
    /// `value(x in UNIT)`: the plain number of UNIT in the quantity `x` (held as a call with
    /// `1 UNIT` as its second value).
    Value,
}

/// What the language knows of one built-in function.
#[derive(Clone, Copy, Debug)]
pub struct FunctionInfo {
    /// The name a protocol calls it by.
    pub name: &'static str,
    /// What the checker and the evaluator match on.
    pub func: Func,
    /// How many values it takes (`min` and `max` also take one list, outside this count, so
    /// that an arity error names the form a reader most likely meant).
    pub arity: &'static [usize],
    /// How to write a call, shown when the arity is wrong.
    pub usage: &'static str,
    /// One line on what it computes.
    pub help: &'static str,
}

const fn row(
    name: &'static str,
    func: Func,
    arity: &'static [usize],
    usage: &'static str,
    help: &'static str,
) -> FunctionInfo {
    FunctionInfo {
        name,
        func,
        arity,
        usage,
        help,
    }
}

#[rustfmt::skip] // one row a line reads as a table
/// Every built-in function, in the order "the functions are: …" lists them.
pub const FUNCTIONS: &[FunctionInfo] = &[
    row("min", Func::Min, &[2, 3, 4, 5, 6, 7, 8], "min(a, b)", "the smallest of the values, or of one list"),
    row("max", Func::Max, &[2, 3, 4, 5, 6, 7, 8], "max(a, b)", "the largest of the values, or of one list"),
    row("clamp", Func::Clamp, &[3], "clamp(value, low, high)", "the value, held within low..high"),
    row("first", Func::First, &[1], "first(list)", "the first item of a list (missing when empty)"),
    row("last", Func::Last, &[1], "last(list)", "the last item of a list (missing when empty)"),
    row("count", Func::Count, &[1, 2], "count(list, condition)", "how many items (that match the condition)"),
    row("sum", Func::Sum, &[1], "sum(list)", "the sum of a list of numbers"),
    row("any", Func::Any, &[1, 2], "any(list, condition)", "whether any item matches the condition"),
    row("all", Func::All, &[1, 2], "all(list, condition)", "whether every item matches the condition"),
    row("filter", Func::Filter, &[2], "filter(list, condition)", "the items that match the condition"),
    row("abs", Func::Abs, &[1], "abs(value)", "the absolute value"),
    row("floor", Func::Floor, &[1], "floor(value)", "rounded down to a whole number in its unit"),
    row("ceil", Func::Ceil, &[1], "ceil(value)", "rounded up to a whole number in its unit"),
    row("lower", Func::Lower, &[1], "lower(range)", "the low end of a range"),
    row("upper", Func::Upper, &[1], "upper(range)", "the high end of a range"),
    row("ascending", Func::Ascending, &[1], "ascending(list)", "whether each item of a list of numbers or dates is above the one before"),
    row("sqrt", Func::Sqrt, &[1], "sqrt(value) round to 0.01", "the square root of a plain number or of an area, rounded where it is taken unless exact"),
    row("value", Func::Value, &[2], "value(quantity in unit)", "the plain number of a unit in a quantity of its kind: value(scr in mg/dL)"),
];

/// The function called `name`, if there is one.
#[must_use]
pub fn function(name: &str) -> Option<&'static FunctionInfo> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The table of one function.
#[must_use]
pub fn info(func: Func) -> &'static FunctionInfo {
    FUNCTIONS
        .iter()
        .find(|f| f.func == func)
        .expect("every function has a row in FUNCTIONS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_has_one_row() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert_eq!(info(f.func).name, f.name, "{} is listed twice", f.name);
            assert!(
                FUNCTIONS[i + 1..].iter().all(|g| g.name != f.name),
                "{} is named twice",
                f.name
            );
            assert!(f.usage.starts_with(&format!("{}(", f.name)), "{}", f.usage);
        }
    }

    /// The README's table of constructs lists every function, and no other.
    #[test]
    fn readme_lists_every_function() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let row = readme
            .lines()
            .find(|l| l.starts_with("| functions |"))
            .expect("the README has a `functions` row");
        let listed = row
            .split('`')
            .nth(1)
            .expect("the functions are listed in backquotes");
        let mut listed: Vec<&str> = listed.split_whitespace().collect();
        let mut known: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
        listed.sort_unstable();
        known.sort_unstable();
        assert_eq!(listed, known, "README.md's `functions` row");
    }
}
