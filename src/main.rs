fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let src = posology::diagnostics::Source::new(path, text.clone());
    let (p, diags) = posology::check::parse_and_check(&text, &src);
    eprint!(
        "{}",
        posology::diagnostics::render_all(&diags, posology::diagnostics::RenderStyle::Plain)
    );
    if let Some(p) = p {
        println!(
            "ok: {} rules, {} examples",
            p.rule_ids().len(),
            p.examples.len()
        );
    }
}
