//! Turns pest's parse errors into diagnostics that speak of protocol parts ("a unit", "`=>`")
//! rather than grammar rule names.

use pest::error::{ErrorVariant, InputLocation};

use super::build::Rule;
use super::close_match;
use super::kind::SyntaxError;
use super::lex::TokenKind;
use super::words::{ACTIONS, FORMS, KEYWORDS};
use crate::diagnostics::{Diagnostic, Span};
use crate::units::{Quantity, UnitError};

/// What a grammar rule is called in an error message; `None` hides it from "expected …" lists.
// Long on purpose: one arm per grammar rule, a match the compiler keeps complete.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        // A grammar word as a whole word (the lookaheads at the end of the grammar): not
        // named as expected, as the words written in rules are not (pest reports rules only).
        Rule::k_after | Rule::k_allow | Rule::k_at |  Rule::k_begin | Rule::k_by | Rule::k_critical | Rule::k_daily | Rule::k_decide | Rule::k_default | Rule::k_else | Rule::k_empty | Rule::k_every | Rule::k_example | Rule::k_expect | Rule::k_for | Rule::k_from | Rule::k_give | Rule::k_given | Rule::k_goto | Rule::k_hold | Rule::k_if | Rule::k_in | Rule::k_inputs | Rule::k_is | Rule::k_let | Rule::k_limit | Rule::k_list | Rule::k_missing | Rule::k_next | Rule::k_not | Rule::k_note | Rule::k_observe | Rule::k_of | Rule::k_optional | Rule::k_otherwise | Rule::k_over | Rule::k_phase | Rule::k_proposal | Rule::k_refuse | Rule::k_rejected | Rule::k_require | Rule::k_round | Rule::k_route | Rule::k_schedule | Rule::k_show | Rule::k_source | Rule::k_starting | Rule::k_status | Rule::k_stop | Rule::k_then | Rule::k_times | Rule::k_to | Rule::k_until | Rule::k_wait | Rule::k_warn => return None,
        // Except after a rule's text, where `when` or `because` is what a pharmacist left out
        // (`allow 5 mg..20 mg` needs its reason).
        Rule::k_because => "`because`",
        Rule::k_when => "`when`",
        Rule::ident | Rule::name | Rule::call_name => "a name",
        Rule::word => "a word",
        Rule::number | Rule::quantity => "a number",
        Rule::bad_number | Rule::bad_quantity => return None,
        Rule::string | Rule::string_inner => "a quoted text",
        Rule::unit | Rule::unit_atom | Rule::named_type => "a unit",
        Rule::area_power => return None,
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
        Rule::opt_convert | Rule::kw_convert => "`convert`",
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
        Rule::rule_name | Rule::rule_keyword => "a rule name",
        Rule::otherwise => "`otherwise`",
        Rule::always => "`always`",
        Rule::actions => "an action",
        Rule::give => "`give`",
        Rule::form => "a form (bolus, infusion, tablet)",
        Rule::route_mod => "`route`",
        Rule::frequency
        | Rule::times_daily
        | Rule::once_daily
        | Rule::count_word
        | Rule::every => {
            "a frequency (`3 times daily`, `once daily`, `every 8 h`)"
        }
        Rule::over => "`over`",
        Rule::for_dur => "`for`",
        Rule::schedule | Rule::stepped => "`schedule`",
        Rule::choose | Rule::kw_choose => "`choose`",
        Rule::alternative => "an alternative (`name: give …`)",
        Rule::kw_alternative => "`alternative`",
        Rule::alternative_refused => "`refused`",
        Rule::stepped_step | Rule::expect_step => "a step (`300 mg twice daily for 1 day`)",
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
        Rule::show => "`show`",
        Rule::require_item => "`require`",
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
        | Rule::expect_daily
        | Rule::expect_schedule
        | Rule::expect_warn
        | Rule::expect_note
        | Rule::expect_stop
        | Rule::expect_proposal
        | Rule::expect_phase
        | Rule::expect_given_that
        | Rule::expect_that
        | Rule::expect_limit
        | Rule::expect_rejected
        | Rule::expect_alternative => {
            "what to expect (status, give, daily, schedule, warn, note, stop, proposal, phase, given that, limit, rejected)"
        }
        Rule::among => "`among`",
        Rule::proposal_range | Rule::kw_range => "`range`",
        Rule::proposal_input => "a proposal's input",
        Rule::verdict_word => "`allowed` or `refused`",
        Rule::kw_that => "`that`",
        Rule::expr | Rule::op_expr | Rule::operand | Rule::term => "a value",
        Rule::rounding => "`round`",
        Rule::round_mode => "`up` or `down`",
        Rule::round_list | Rule::kw_nearest => "`nearest of [ … ]`",
        Rule::index => "`[index]`",
        Rule::table_item | Rule::kw_table => "`table`",
        Rule::table_columns | Rule::kw_columns => "`columns`",
        Rule::table_row | Rule::kw_row => "`row`",
        Rule::table_otherwise => "`otherwise`",
        Rule::band
        | Rule::band_exact
        | Rule::band_lower
        | Rule::band_upper
        | Rule::band_lower_op
        | Rule::band_upper_op => "a band (`>= 60 mL/min`, `> 30 mL/min and <= 59 mL/min`)",
        Rule::table_cells | Rule::table_cell => "a cell",
        Rule::blank_cell => "`missing`",
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
        | Rule::op_div
        | Rule::op_pow => "an operator",
        Rule::op_not | Rule::op_neg => "`not` or `-`",
        Rule::field_access => "`.field`",
        Rule::is_missing | Rule::is_not_missing | Rule::is_empty | Rule::is_not_empty => {
            "`is missing` / `is empty`"
        }
        Rule::if_expr => "`if`",
        Rule::call => "a function call",
        Rule::value_of | Rule::kw_value => "`value(… in UNIT)`",
        Rule::value_body => "a value",
        Rule::paren => "`(`",
        Rule::boolean => "`true` or `false`",
        Rule::keyword => "a keyword",
        Rule::file | Rule::protocol => "a protocol",
        Rule::line_expr | Rule::line_value => "a value",
        Rule::WHITESPACE | Rule::COMMENT => return None,
        Rule::ident_char
        | Rule::item
        | Rule::input_opt
        | Rule::type_expr
        | Rule::limit_opt
        | Rule::phase_item
        | Rule::action
        | Rule::give_mod
        | Rule::expect_give_mod
        | Rule::schedule_opt
        | Rule::stepped_opt
        | Rule::step_then
        | Rule::proposal_rule
        | Rule::value
        | Rule::infix
        | Rule::value_infix
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
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    // The reader's own guards: too deep for the stack, or too much work (see `parse`).
    if let ErrorVariant::CustomError { message } = &err.variant {
        match message.as_str() {
            "stack limit reached" => return SyntaxError::ReaderTooDeep { span }.into(),
            "call limit reached" => return SyntaxError::ReaderTooComplex { span }.into(),
            _ => {}
        }
    }
    if let Some(d) = comma_in_number(text, span.start) {
        return d;
    }
    if let Some(d) = common_slip(text, span, positives) {
        return d;
    }
    let found = found_text(text, span.start);
    let (message, label) = match &err.variant {
        ErrorVariant::ParsingError { .. } => {
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
    let wants_name = positives
        .iter()
        .any(|r| matches!(r, Rule::ident | Rule::name));
    let help = help_for(text, span.start, wants_name, positives)
        .unwrap_or_else(|| fallback_help(text, span.start, positives));
    SyntaxError::Unexpected {
        message,
        label,
        help,
        span,
    }
    .into()
}

/// Help for a syntax error that matches none of the known slips: every error says what to do.
fn fallback_help(text: &str, pos: usize, positives: &[Rule]) -> String {
    if text.trim().is_empty() {
        return "write the protocol: `protocol NAME { … }` with its header, inputs, phases and \
                examples"
            .into();
    }
    let expected = expected_list(positives);
    if text.get(pos..).is_some_and(|rest| rest.trim().is_empty()) {
        if expected.is_empty() {
            return "the text ends too early: finish what was started".into();
        }
        return format!("the text ends too early: add {expected} to finish what was started");
    }
    if expected.is_empty() {
        "remove or correct the text here".into()
    } else {
        format!("write {expected} here, or remove what is in the way")
    }
}

/// The mistakes that get a message of their own: a `;` or `=>` missing before an action, and
/// a file that ends inside a block.
fn common_slip(text: &str, span: Span, positives: &[Rule]) -> Option<Diagnostic> {
    if let Some(d) = reserved_name(text, span.start, positives) {
        return Some(d);
    }
    let expects = |rule: Rule| positives.contains(&rule);
    let rest = text.get(span.start..).unwrap_or("");
    let single_equals = rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>");
    if single_equals && expects(Rule::op_eq) {
        return Some(SyntaxError::SingleEquals { span }.into());
    }
    if expects(Rule::colon) {
        if let Some(d) = read_as_rule_name(text, span, rest) {
            return Some(d);
        }
    }
    if rest.starts_with('}') && positives == [Rule::EOI] {
        return Some(SyntaxError::ExtraBrace { span }.into());
    }
    let word = found_word(text, span.start);
    if let Some(d) = proposal_outside_phase(text, span, word, positives) {
        return Some(d);
    }
    if let Some(action) = word.filter(|w| ACTIONS.contains(w)) {
        if expects(Rule::semi) {
            return Some(
                SyntaxError::MissingSemicolon {
                    action: action.to_string(),
                    span,
                }
                .into(),
            );
        }
        if expects(Rule::arrow) {
            return Some(
                SyntaxError::MissingArrow {
                    action: action.to_string(),
                    span,
                }
                .into(),
            );
        }
    }
    if span.start >= text.trim_end().len() && expects(Rule::rbrace) {
        return Some(
            SyntaxError::Unclosed {
                span,
                open: unclosed_brace(text),
            }
            .into(),
        );
    }
    None
}

/// A `proposal` block written where a phase's items cannot stand (at the top of the protocol,
/// or inside a `decide`): the generic message listed what could stand there instead.
fn proposal_outside_phase(
    text: &str,
    span: Span,
    word: Option<&str>,
    positives: &[Rule],
) -> Option<Diagnostic> {
    let after_expect = text
        .get(..span.start)
        .is_some_and(|before| before.trim_end().ends_with("expect"));
    if word != Some("proposal") || positives.contains(&Rule::proposal) || after_expect {
        return None;
    }
    Some(
        SyntaxError::Unexpected {
            message: "a `proposal` block stands inside a phase, after the phase's `decide`".into(),
            label: "not directly inside a phase".into(),
            help: "move it into the phase whose doses it judges, after its `decide` block: \
                   `phase NAME { decide first { … } proposal INPUT { … } }` (a protocol without \
                   phases puts its rules in one phase to judge a proposal)"
                .into(),
            span: Span::new(span.start, span.start + "proposal".len()),
        }
        .into(),
    )
}

/// A keyword written where a name is declared: `let daily = …`, `in: mg` among the inputs,
/// `phase every {`, `goto if`. The reader fails at the keyword (a name was expected there) or
/// just after it (`default:` was read as the start of `default VALUE`), so both are looked at.
fn reserved_name(text: &str, pos: usize, positives: &[Rule]) -> Option<Diagnostic> {
    let wants_name = positives
        .iter()
        .any(|r| matches!(r, Rule::ident | Rule::name));
    let declares = |after: &str| {
        after.starts_with([':', '{'])
            || (after.starts_with('=') && !after.starts_with("==") && !after.starts_with("=>"))
    };
    let rest = text.get(pos..)?;
    let at = pos + rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if let Some(word) = found_word(text, pos).filter(|w| wants_name && KEYWORDS.contains(w)) {
        let after = text[at + word.len()..].trim_start();
        let before = text[..pos].trim_end();
        let named_by = ["let", "phase", "goto", "next", "protocol", "show"];
        let word_before = before
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next();
        // A choice's value (`oral | in`) is a name too.
        let choice = before.ends_with('|');
        if declares(after) || choice || word_before.is_some_and(|w| named_by.contains(&w)) {
            let span = Span::new(at, at + word.len());
            return Some(reserved(word, span));
        }
    }
    // `let = …` lacks its name: `let` is not one.
    let after = rest.trim_start();
    if !(after.starts_with(':') || (declares(after) && !after.starts_with('{'))) {
        return None;
    }
    let before = text[..pos].trim_end();
    let start = before
        .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
        .len();
    let word = &before[start..];
    let lead = text[..start].trim_end();
    let opens =
        lead.is_empty() || lead.ends_with(['{', ',']) || text[lead.len()..start].contains('\n');
    (KEYWORDS.contains(&word) && word != "let" && opens)
        .then(|| reserved(word, Span::new(start, before.len())))
}

fn reserved(word: &str, span: Span) -> Diagnostic {
    SyntaxError::ReservedWord {
        word: word.to_string(),
        span,
    }
    .into()
}

/// A word read as the name of a rule (`name: when …`) because nothing else could follow there:
/// a misspelt `otherwise`, a rule name without its `:`, or a Latin abbreviation after a dose.
fn read_as_rule_name(text: &str, span: Span, rest: &str) -> Option<Diagnostic> {
    let before = without_trailing_comments(text[..span.start].trim_end());
    let start = before
        .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
        .len();
    let word = &before[start..];
    if word.is_empty() {
        return None;
    }
    let word_span = Span::new(start, before.len());
    let opens_rule =
        found_word(text, span.start).is_some_and(|f| ["when", "otherwise", "always"].contains(&f));
    if matches!(word, "once" | "twice") && !opens_rule {
        return Some(
            SyntaxError::Unexpected {
                message: format!("`{word}` is a frequency only in `{word} daily`"),
                label: "expected `daily`".to_string(),
                help: "a frequency is written `once daily`, `twice daily`, `3 times daily` or \
                       `every T` (`every 7 days` for once a week)"
                    .to_string(),
                span,
            }
            .into(),
        );
    }
    if let Some(instead) = latin_abbreviation(word) {
        return Some(
            SyntaxError::LatinAbbreviation {
                word: word.to_string(),
                instead,
                span: word_span,
            }
            .into(),
        );
    }
    // Unless what follows on the same line reads as the rest of a rule (`give 5 mg heavy when
    // …`, `give 5 mg otherwse => …`): then the word is a rule's name or a misspelt keyword.
    let same_line = !text[word_span.end..span.start].contains('\n');
    let rule_follows = opens_rule || rest.starts_with("=>");
    if same_line {
        if let Some(d) = count_without_times(text, word, span) {
            return Some(d);
        }
    }
    if !(same_line && rule_follows) {
        if let Some(d) = word_after_action(text, word, word_span) {
            return Some(d);
        }
    }
    let found = found_word(text, span.start);
    if let Some(keyword) = found.filter(|w| ["when", "otherwise", "always"].contains(w)) {
        return Some(
            SyntaxError::RuleNameColon {
                word: word.to_string(),
                keyword: keyword.to_string(),
                span: word_span,
            }
            .into(),
        );
    }
    if rest.starts_with("=>") {
        return Some(
            SyntaxError::RuleStart {
                word: word.to_string(),
                similar: close_match(word, ["when", "otherwise", "always"]).map(|s| s.to_string()),
                span: word_span,
            }
            .into(),
        );
    }
    None
}

/// A word left after an action on its own line (`=> give 10 mg oral`), which the reader could
/// only take for the name of a next rule: said as what it is, a route without `route`, a
/// misspelt form or a word the action does not take, at the word itself rather than at the
/// next rule (whose "missing `:`" would send the pharmacist to the wrong line).
fn word_after_action(text: &str, word: &str, word_span: Span) -> Option<Diagnostic> {
    let line_start = text[..word_span.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..word_span.start];
    // The action is what follows the line's last `=>`, `;` or `{` (a rule's actions, one more
    // action on a line of its own, a `choose` alternative after its `:`); a word at the start
    // of its line is a rule's name.
    let cut = line_code(before).last_cut?;
    let action_text = before[cut..].trim();
    let action = action_text.split_whitespace().next()?;
    if !ACTIONS.contains(&action) {
        return None;
    }
    let gives = action == "give";
    let has_route = action_text.split_whitespace().any(|w| w == "route");
    let (message, label, help) =
        if let Some(route) = route_word(word).filter(|_| gives && !has_route) {
            (
                format!("`{word}` after the dose needs `route` before it"),
                "`route` missing before this".to_string(),
                format!("a route is written after the word `route`: `{action_text} route {route}`"),
            )
        } else if let Some(form) = close_match(word, FORMS.iter().copied()).filter(|_| gives) {
            (
                format!("`{word}` is not a form a dose is given in"),
                "not a form".to_string(),
                format!("did you mean `{form}`? The forms are {}", FORMS.join(", ")),
            )
        } else {
            let takes = if gives {
                "after the dose may come a form (tablet, bolus, infusion…), `route R`, a frequency \
             (`3 times daily`), `over T` or `for T`; "
            } else {
                ""
            };
            let modifiers: &[&str] = match action {
                "give" => &[
                    "route", "over", "for", "every", "once", "twice", "daily", "times",
                ],
                "warn" => &["critical"],
                _ => &[],
            };
            let similar = close_match(word, modifiers.iter().copied())
                .map(|m| format!("did you mean `{m}`? "))
                .unwrap_or_default();
            (
                format!("`{word}` is not part of `{action}`"),
                format!("not understood after `{action}`"),
                format!(
                    "{similar}{takes}another action follows a `;`, and a new rule starts with its \
                 name and `:` (`NAME: when …`) on a line of its own"
                ),
            )
        };
    Some(
        SyntaxError::Unexpected {
            message,
            label,
            help,
            span: word_span,
        }
        .into(),
    )
}

/// A count followed by a slip of `times` on its line (`give dose n tims daily`): the reader took
/// the count for a rule's name; the slip is the word after it.
fn count_without_times(text: &str, count: &str, span: Span) -> Option<Diagnostic> {
    let next = found_word(text, span.start)?;
    let is_slip = next != "times"
        && (close_match(next, ["times"]).is_some()
            || (next.len() >= 2 && "times".starts_with(next)));
    if !is_slip {
        return None;
    }
    let rest = &text[span.start..];
    let at = span.start + rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Some(
        SyntaxError::Unexpected {
            message: format!("`{next}` after the count `{count}` is not `times`"),
            label: "expected `times`".to_string(),
            help: format!(
                "a frequency is written `{count} times daily` (or `once daily`, `twice daily`, \
                 `every 8 h`)"
            ),
            span: Span::new(at, at + next.len()),
        }
        .into(),
    )
}

/// A line's code up to some point, as [`line_code`] reads it past strings and comments.
struct LineCode {
    /// Just past the last `=>`, `;`, `{` or `:` outside a string or comment.
    last_cut: Option<usize>,
    /// Where a `//` comment starts, outside a string.
    comment: Option<usize>,
}

/// Reads `line` (text of one line) past quoted texts, whose `;`, `:` or `//` are the text's,
/// and up to a `//` comment.
fn line_code(line: &str) -> LineCode {
    let bytes = line.as_bytes();
    let mut code = LineCode {
        last_cut: None,
        comment: None,
    };
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match (in_string, bytes[i]) {
            (true, b'\\') => i += 1,
            (_, b'"') => in_string = !in_string,
            (false, b'/') if bytes.get(i + 1) == Some(&b'/') => {
                code.comment = Some(i);
                break;
            }
            (false, b'=') if bytes.get(i + 1) == Some(&b'>') => {
                code.last_cut = Some(i + 2);
                i += 1;
            }
            (false, b';' | b'{' | b':') => code.last_cut = Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    code
}

/// `before` without the `//` comments that end it (a comment on the last line, or lines that
/// are only comments): the word a slip is about is in the code, not in a comment after it.
fn without_trailing_comments(mut before: &str) -> &str {
    loop {
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        match line_code(&before[line_start..]).comment {
            Some(at) => before = before[..line_start + at].trim_end(),
            None => return before,
        }
    }
}

/// The route a word after a dose names (`oral`, `po`, `iv`), as `route` would take it: the
/// abbreviations ISMP lists as error-prone (`SC`, `SQ`, `IN`, `IT`) spelt out.
fn route_word(word: &str) -> Option<&'static str> {
    Some(match word.to_lowercase().as_str() {
        "oral" | "orally" | "po" | "by_mouth" => "oral",
        "iv" | "intravenous" | "intravenously" => "intravenous",
        "im" | "intramuscular" | "intramuscularly" => "intramuscular",
        "sc" | "sq" | "subq" | "subcut" | "subcutaneous" | "subcutaneously" => "subcutaneous",
        "it" | "intrathecal" | "intrathecally" => "intrathecal",
        "sl" | "sublingual" | "sublingually" => "sublingual",
        "pr" | "rectal" | "rectally" => "rectal",
        "in" | "intranasal" | "nasal" => "intranasal",
        "topical" | "topically" => "topical",
        "transdermal" => "transdermal",
        "inhaled" | "inhalation" => "inhaled",
        "buccal" => "buccal",
        "epidural" => "epidural",
        _ => return None,
    })
}

/// The safe wording of a Latin dosing abbreviation (`tid` → `3 times daily`).
fn latin_abbreviation(word: &str) -> Option<&'static str> {
    Some(match word.to_lowercase().as_str() {
        "od" | "qd" => "every 24 h",
        "bd" | "bid" => "2 times daily",
        "tds" | "tid" => "3 times daily",
        "qds" | "qid" => "4 times daily",
        "qh" => "every 1 h",
        "q4h" => "every 4 h",
        "q6h" => "every 6 h",
        "q8h" => "every 8 h",
        "q12h" => "every 12 h",
        "q24h" => "every 24 h",
        _ => return None,
    })
}

/// The `{` that is most likely left open: the first whose matching `}` (by counting) is not
/// lined up with the line that opened it, or else the innermost one never closed.
fn unclosed_brace(text: &str) -> Option<usize> {
    let indent_at = |pos: usize| {
        let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..];
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        (line_start + indent, indent)
    };
    let mut open: Vec<(usize, usize)> = Vec::new();
    for token in super::lex::lex(text) {
        let i = token.span.start;
        match token.kind {
            TokenKind::Open('{') => open.push((i, indent_at(i).1)),
            TokenKind::Close('}') => {
                let (first, indent) = indent_at(i);
                match open.pop() {
                    Some((at, opened)) if first == i && indent != opened => return Some(at),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    open.last().map(|(at, _)| *at)
}

/// A number written with a comma (`1,000 mcg/day`, `2,5 mg`): refused as unsafe notation,
/// with both readings when the comma could be a thousands separator or a decimal comma.
fn comma_in_number(text: &str, pos: usize) -> Option<Diagnostic> {
    let rest = text.get(pos..)?;
    let before = text.get(..pos)?;
    let is_number_char = |c: char| c.is_ascii_digit() || c == ',' || c == '.';
    if !rest.starts_with(',')
        || !before.ends_with(|c: char| c.is_ascii_digit())
        || !rest[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let start = before.trim_end_matches(is_number_char).len();
    let number_end = pos + rest.len() - rest.trim_start_matches(is_number_char).len();
    let after = &text[number_end..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    let unit_len = after[spaces..]
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '/' || *c == '%')
        .map(char::len_utf8)
        .sum::<usize>();
    let end = if unit_len > 0 {
        number_end + spaces + unit_len
    } else {
        number_end
    };
    match Quantity::parse(&text[start..end]) {
        Err(e @ UnitError::Notation { .. }) => Some(e.to_diagnostic(Span::new(start, end))),
        _ => None,
    }
}
/// "a, b or c" from the rules pest expected, de-duplicated, in a stable order. What would only
/// continue the text before the error (an operator, `.field`, a unit, a `give` modifier) is
/// left out: after `when age < 12 years`, a pharmacist who wrote `warn` needs to hear about
/// `=>`, not about `+` or `is missing`. Empty when nothing else was possible.
fn expected_list(positives: &[Rule]) -> String {
    let fresh: Vec<Rule> = positives
        .iter()
        .copied()
        .filter(|r| !continues(*r) && describe(*r).is_some())
        .collect();
    let mut names: Vec<&str> = Vec::new();
    for name in fresh.iter().filter_map(|r| describe(*r)) {
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

/// Rules that could only extend what is already written before the error.
fn continues(r: Rule) -> bool {
    matches!(
        r,
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
            | Rule::op_div
            | Rule::op_pow
            | Rule::field_access
            | Rule::index
            | Rule::is_missing
            | Rule::is_not_missing
            | Rule::is_empty
            | Rule::is_not_empty
            | Rule::rounding
            | Rule::lparen
            | Rule::unit
            | Rule::unit_atom
            | Rule::form
            | Rule::route_mod
            | Rule::frequency
            | Rule::times_daily
            | Rule::once_daily
            | Rule::count_word
            | Rule::every
            | Rule::over
            | Rule::for_dur
            | Rule::until
            | Rule::starting
            | Rule::then_stop
            | Rule::cite
    )
}

/// The words a rule starts with (or is), for "did you mean" after a misspelt keyword.
// Long on purpose: one arm per grammar rule that starts with a word.
pub(super) fn words_of(r: Rule) -> &'static [&'static str] {
    match r {
        Rule::limit_kind => &["hard", "soft"],
        Rule::hit_policy => &["first", "collect", "unique", "any"],
        Rule::decision_rule | Rule::when_clause | Rule::otherwise | Rule::always => {
            &["when", "otherwise", "always"]
        }
        Rule::actions
        | Rule::give
        | Rule::schedule
        | Rule::stepped
        | Rule::choose
        | Rule::hold
        | Rule::stop
        | Rule::refuse
        | Rule::warn
        | Rule::note
        | Rule::observe
        | Rule::wait
        | Rule::goto
        | Rule::next_phase
        | Rule::show => ACTIONS,
        Rule::require_item => &["require"],
        Rule::header | Rule::header_key => &["title", "version", "source", "drug", "route"],
        Rule::inputs => &["inputs"],
        Rule::let_item => &["let"],
        Rule::limit_item => &["limit"],
        Rule::begin_item => &["begin"],
        Rule::decide => &["decide"],
        Rule::phase => &["phase"],
        Rule::example => &["example"],
        Rule::direction => &["increase", "decrease"],
        Rule::round_mode => &["up", "down"],
        Rule::form => FORMS,
        Rule::expectation => &["expect"],
        Rule::expect_status
        | Rule::expect_give
        | Rule::expect_daily
        | Rule::expect_schedule
        | Rule::expect_warn
        | Rule::expect_note
        | Rule::expect_stop
        | Rule::expect_proposal
        | Rule::expect_phase
        | Rule::expect_given_that
        | Rule::expect_that
        | Rule::expect_limit
        | Rule::expect_rejected
        | Rule::expect_alternative => &[
            "status",
            "give",
            "daily",
            "schedule",
            "warn",
            "note",
            "stop",
            "proposal",
            "phase",
            "given",
            "limit",
            "rejected",
            "alternative",
        ],
        Rule::among => &["among"],
        Rule::proposal_range | Rule::kw_range => &["range"],
        Rule::proposal_input => &[],
        Rule::verdict_word => &["allowed", "refused"],
        Rule::opt_convert | Rule::kw_convert => &["convert"],
        Rule::kw_that => &["that"],
        Rule::proposal => &["proposal"],
        Rule::refuse_when => &["refuse"],
        Rule::allow => &["allow"],
        Rule::opt_optional => &["optional"],
        Rule::opt_default => &["default"],
        Rule::because => &["because"],
        Rule::cite => &["source"],
        Rule::over => &["over"],
        Rule::for_dur => &["for"],
        Rule::route_mod => &["route"],
        Rule::until => &["until"],
        Rule::starting => &["starting"],
        Rule::then_stop => &["then"],
        Rule::given => &["given"],
        Rule::kw_protocol => &["protocol"],
        Rule::frequency | Rule::every => &["every"],
        Rule::boolean => &["true", "false"],
        Rule::table_item | Rule::kw_table => &["table"],
        Rule::table_columns | Rule::kw_columns => &["columns"],
        Rule::table_row | Rule::kw_row => &["row"],
        Rule::round_list | Rule::kw_nearest => &["nearest"],
        _ => &[],
    }
}

/// The word at `pos`, if a word starts there.
fn found_word(text: &str, pos: usize) -> Option<&str> {
    let rest = text.get(pos..)?.trim_start_matches([' ', '\t']);
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (len > 0 && rest.starts_with(|c: char| c.is_alphabetic())).then(|| &rest[..len])
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
            format!("`{}`", crate::display::quoted(&word))
        }
        // A control character (an escape from a pasted terminal session) is named, not sent.
        Some(c) => format!("`{}`", crate::display::escape(c.encode_utf8(&mut [0; 4]))),
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

/// `give dose / 2 n times daily`: a number followed by a name reads the name as the number's
/// unit (`2 n`), so `times` has no count before it.
fn count_read_as_unit(before: &str) -> Option<String> {
    let tokens: Vec<_> = super::lex::lex(before)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    match tokens.as_slice() {
        [.., number, name] if number.kind == TokenKind::Number && name.kind == TokenKind::Word => {
            let (number, name) = (number.text(before), name.text(before));
            Some(format!(
                "`{number} {name}` reads `{name}` as the unit of {number}: to give the dose `{name}` \
                 times a day, write `{number} ({name}) times daily`"
            ))
        }
        _ => None,
    }
}

/// Help for the mistakes pharmacists make most, judged from the text at the error.
fn help_for(text: &str, pos: usize, wants_name: bool, positives: &[Rule]) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    let before = text.get(..pos).unwrap_or("").trim_end();
    if rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>") {
        if positives.contains(&Rule::cmp_op) {
            return Some(
                "a limit is an upper or lower bound: write e.g. `limit dose <= 20 mg hard`".into(),
            );
        }
        return Some("to compare two values write `==`; `=` only names a `let` value".into());
    }
    if positives.contains(&Rule::k_because) && !positives.contains(&Rule::k_source) {
        return Some(
            "this rule needs its reason: add `because \"…\"` (the label's words), and \
             `source \"…\"` naming the label section if you can"
                .into(),
        );
    }
    if rest.starts_with("&&") {
        return Some("to combine two conditions write `and`".into());
    }
    if rest.starts_with("||") {
        return Some("to accept either of two conditions write `or`".into());
    }
    if rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return Some("write a leading zero: `0.5`, never `.5` (safe medication notation)".into());
    }
    let word = found_word(text, pos);
    if let Some(word) = word.filter(|w| wants_name && KEYWORDS.contains(w)) {
        if !before.ends_with("=>") {
            return Some(format!(
                "`{word}` is a keyword of the language and cannot be used as a name: choose another name"
            ));
        }
    }
    if let Some(help) = word
        .filter(|w| *w == "times")
        .and_then(|_| count_read_as_unit(before))
    {
        return Some(help);
    }
    if word == Some("daily") && !before.ends_with("times") {
        return Some("a frequency is written `3 times daily`, `once daily` or `every 8 h`".into());
    }
    if word == Some("is") {
        return Some(
            "the tests are `is missing`, `is not missing`, `is empty` and `is not empty`".into(),
        );
    }
    if let Some(instead) = word.and_then(latin_abbreviation) {
        return Some(format!(
            "write `{instead}`: Latin abbreviations such as `{}` are error-prone (ISMP)",
            word.unwrap_or_default()
        ));
    }
    if let Some(word) = word.filter(|w| !KEYWORDS.contains(w)) {
        let candidates: Vec<&str> = positives
            .iter()
            .flat_map(|r| words_of(*r))
            .copied()
            .collect();
        if let Some(s) = close_match(word, candidates.iter().copied()) {
            return Some(format!("did you mean `{s}`?"));
        }
    }
    None
}
