//! The operators of the language, as a neutral vocabulary: the parser builds them, the checker
//! types them and the interpreter applies them. They live here, not in the syntax tree, so that
//! the layers above the syntax (check, eval) name an operator without depending on the AST.

/// A comparison operator in a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// The hit policy of a decision block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPolicy {
    /// The first rule whose condition holds fires; the rest are skipped.
    First,
    /// Every rule whose condition holds fires.
    Collect,
    /// Exactly one rule holds for every patient (DMN `unique`): proved by `check` (no two
    /// rules overlap, no patient is left out), so at run time it is evaluated as `first`.
    Unique,
    /// Rules that hold together give the same actions (DMN `any`): proved by `check`, and
    /// evaluated as `first`.
    Any,
}

impl HitPolicy {
    /// As written after `decide`.
    pub fn word(self) -> &'static str {
        match self {
            HitPolicy::First => "first",
            HitPolicy::Collect => "collect",
            HitPolicy::Unique => "unique",
            HitPolicy::Any => "any",
        }
    }

    /// True when evaluation stops at the first rule that holds (every policy but `collect`).
    pub fn stops_at_first(self) -> bool {
        self != HitPolicy::Collect
    }
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `not`
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in` (membership in a range or list)
    In,
    /// `..` (a range)
    Range,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^` (a whole-number power: `height ^ 2`)
    Pow,
}

impl BinaryOp {
    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Range => "..",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Pow => "^",
        }
    }
}

/// The postfix tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsTest {
    /// `is missing`
    Missing,
    /// `is not missing`
    NotMissing,
    /// `is empty`
    Empty,
    /// `is not empty`
    NotEmpty,
}

/// Rounding direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundMode {
    /// `round to` (nearest)
    Nearest,
    /// `round up to`
    Up,
    /// `round down to`
    Down,
}
