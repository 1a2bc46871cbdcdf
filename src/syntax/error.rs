//! Turns pest's parse errors into diagnostics that speak of protocol parts ("a unit", "`=>`")
//! rather than grammar rule names.

use pest::error::{ErrorVariant, InputLocation};

use super::build::Rule;
use crate::diagnostics::{Diagnostic, Span};

/// What a grammar rule is called in an error message; `None` hides it from "expected …" lists.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        Rule::ident | Rule::name => "a name",
        Rule::word => "a word",
        Rule::number | Rule::quantity => "a number",
        Rule::bad_number | Rule::bad_quantity => return None,
        Rule::string | Rule::string_inner => "a quoted text",
        Rule::unit | Rule::unit_atom | Rule::named_type => "a unit",
        Rule::kw_protocol => "`protocol`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::colon => "`:`",
        Rule::comma => "`,`",
        Rule::semi => "`;`",
        Rule::arrow => "`=>`",
        Rule::equals => "`=`",
        Rule::header | Rule::header_key => "a header line (title, version, source, drug, route)",
        Rule::inputs => "`inputs`",
        Rule::input_decl | Rule::field_decl => "an input declaration",
        Rule::opt_optional => "`optional`",
        Rule::opt_default => "`default`",
        Rule::opt_range => "`in` and a range",
        Rule::list_type => "`list of`",
        Rule::record_type => "a record type `{ … }`",
        Rule::enum_type => "a list of choices `a | b`",
        Rule::let_item => "`let`",
        Rule::limit_item => "`limit`",
        Rule::cmp_op => "a comparison (`<=`, `>=`, `<`, `>`)",
        Rule::limit_kind => "`hard` or `soft`",
        Rule::when_clause => "`when`",
        Rule::because => "`because`",
        Rule::cite => "`source`",
        Rule::begin_item => "`begin at`",
        Rule::phase => "`phase`",
        Rule::decide => "`decide`",
        Rule::hit_policy => "`first` or `collect`",
        Rule::decision_rule => "a rule (`when …` or `otherwise`)",
        Rule::rule_name => "a rule name",
        Rule::otherwise => "`otherwise`",
        Rule::always => "`always`",
        Rule::actions => "an action",
        Rule::give => "`give`",
        Rule::form => "a form (bolus, infusion, tablet)",
        Rule::route_mod => "`route`",
        Rule::frequency | Rule::times_daily | Rule::every => {
            "a frequency (`3 times daily`, `every 8 h`)"
        }
        Rule::over => "`over`",
        Rule::for_dur => "`for`",
        Rule::schedule => "`schedule`",
        Rule::direction => "`increase` or `decrease`",
        Rule::until => "`until`",
        Rule::starting => "`starting`",
        Rule::then_stop => "`then stop`",
        Rule::hold => "`hold`",
        Rule::stop => "`stop`",
        Rule::refuse => "`refuse`",
        Rule::warn => "`warn`",
        Rule::note => "`note`",
        Rule::critical => "`critical`",
        Rule::message_code => "a message code",
        Rule::observe => "`observe`",
        Rule::wait => "`wait`",
        Rule::goto => "`goto`",
        Rule::next_phase => "`next`",
        Rule::proposal => "`proposal`",
        Rule::refuse_when => "`refuse when`",
        Rule::allow => "`allow`",
        Rule::example => "`example`",
        Rule::given => "`given`",
        Rule::record_value => "a record `{ … }`",
        Rule::field_value => "a field `name: value`",
        Rule::list_value | Rule::list_expr => "a list `[ … ]`",
        Rule::expectation => "`expect`",
        Rule::expect_status
        | Rule::expect_give
        | Rule::expect_schedule
        | Rule::expect_warn
        | Rule::expect_note
        | Rule::expect_stop
        | Rule::expect_proposal
        | Rule::expect_phase
        | Rule::expect_that => {
            "what to expect (status, give, schedule, warn, note, stop, proposal, phase, that)"
        }
        Rule::expr | Rule::op_expr | Rule::operand | Rule::term => "a value",
        Rule::rounding => "`round`",
        Rule::round_mode => "`up` or `down`",
        Rule::op_or
        | Rule::op_and
        | Rule::op_in
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_range
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "an operator",
        Rule::op_not | Rule::op_neg => "`not` or `-`",
        Rule::field_access => "`.field`",
        Rule::is_missing | Rule::is_not_missing | Rule::is_empty | Rule::is_not_empty => {
            "`is missing` / `is empty`"
        }
        Rule::if_expr => "`if`",
        Rule::call => "a function call",
        Rule::paren => "`(`",
        Rule::boolean => "`true` or `false`",
        Rule::keyword => "a keyword",
        Rule::file | Rule::protocol => "a protocol",
        Rule::WHITESPACE | Rule::COMMENT => return None,
        Rule::ident_char
        | Rule::item
        | Rule::input_opt
        | Rule::type_expr
        | Rule::limit_opt
        | Rule::phase_item
        | Rule::action
        | Rule::give_mod
        | Rule::schedule_opt
        | Rule::proposal_rule
        | Rule::value
        | Rule::infix
        | Rule::prefix
        | Rule::postfix
        | Rule::primary => return None,
    })
}

/// Converts a pest error into a diagnostic with the exact byte span.
pub(super) fn from_pest(err: pest::error::Error<Rule>, text: &str) -> Diagnostic {
    let span = match err.location {
        InputLocation::Pos(p) => Span::new(p, next_token_end(text, p)),
        InputLocation::Span((s, e)) => Span::new(s, e),
    };
    let found = found_text(text, span.start);
    let (message, label) = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let expected = expected_list(positives);
            if expected.is_empty() {
                (
                    format!("unexpected {found}"),
                    "not expected here".to_string(),
                )
            } else {
                (
                    format!("expected {expected}, found {found}"),
                    format!("expected {expected}"),
                )
            }
        }
        ErrorVariant::CustomError { message } => (message.clone(), message.clone()),
    };
    let wants_name = matches!(&err.variant, ErrorVariant::ParsingError { positives, .. }
        if positives.iter().any(|r| matches!(r, Rule::ident | Rule::name)));
    let help = help_for(text, span.start, wants_name);
    let mut d = Diagnostic::error("posology::syntax::unexpected", message).with_label(span, label);
    if let Some(help) = help {
        d = d.with_help(help);
    }
    d
}

/// "a, b or c" from the rules pest expected, de-duplicated, in a stable order.
fn expected_list(positives: &[Rule]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for name in positives.iter().filter_map(|r| describe(*r)) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// Describes what stands at `pos`: a word, a symbol, or the end of the file.
fn found_text(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t']);
    match rest.chars().next() {
        None => "the end of the file".to_string(),
        Some('\n') | Some('\r') => "the end of the line".to_string(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            format!("`{word}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

/// The end of the token starting at `pos` (for a label under the whole word).
fn next_token_end(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    let len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        pos + rest.chars().next().map_or(0, char::len_utf8)
    } else {
        pos + len
    }
}

/// Help for the mistakes pharmacists make most, judged from the text at the error.
fn help_for(text: &str, pos: usize, wants_name: bool) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    let before = text.get(..pos).unwrap_or("").trim_end();
    if rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>") {
        return Some("to compare two values write `==`; `=` only names a `let` value".into());
    }
    if rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return Some("write a leading zero: `0.5`, never `.5` (safe medication notation)".into());
    }
    if !wants_name || before.ends_with("=>") {
        return None;
    }
    if let Some(word) = rest
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
    {
        if KEYWORDS.contains(&word) && !word.is_empty() {
            return Some(format!(
                "`{word}` is a keyword of the language and cannot be used as a name here"
            ));
        }
    }
    None
}

/// Words reserved by the language (kept in step with `keyword` in the grammar).
pub const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "is",
    "missing",
    "empty",
    "true",
    "false",
    "in",
    "times",
    "daily",
    "every",
    "over",
    "for",
    "round",
    "hard",
    "soft",
    "because",
    "source",
    "optional",
    "default",
    "when",
    "otherwise",
    "give",
    "hold",
    "stop",
    "refuse",
    "warn",
    "note",
    "observe",
    "wait",
    "goto",
    "let",
    "limit",
    "decide",
    "example",
    "given",
    "expect",
    "inputs",
    "protocol",
    "schedule",
    "increase",
    "decrease",
    "until",
    "starting",
    "route",
    "bolus",
    "infusion",
    "proposal",
    "allow",
    "critical",
    "next",
    "after",
    "always",
];
