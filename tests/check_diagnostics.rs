//! Every invalid protocol under `tests/check/` renders its diagnostics (plain, fixed width).
//! Adding a case is adding a `.dose` file.

use posology::check::parse_and_check;
use posology::diagnostics::{render_all, RenderStyle, Source};

#[test]
fn diagnostics_of_invalid_protocols() {
    insta::glob!("check/*.dose", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let name = format!(
            "tests/check/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let source = Source::new(name, text.as_str());
        let (program, diags) = parse_and_check(&text, &source);
        assert!(
            !diags.is_empty(),
            "{} is a fixture for a diagnostic but none was reported",
            path.display()
        );
        let every_diag_has_code_and_span = diags
            .iter()
            .all(|d| d.code.starts_with("posology::") && !d.labels.is_empty());
        assert!(
            every_diag_has_code_and_span,
            "a diagnostic lacks a code or a span"
        );
        let verdict = if program.is_some() {
            "checks (warnings only)"
        } else {
            "rejected"
        };
        insta::assert_snapshot!(format!(
            "{verdict}\n\n{}",
            render_all(&diags, RenderStyle::Plain)
        ));
    });
}
