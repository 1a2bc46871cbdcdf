fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    match posology::syntax::parse(&text) {
        Ok(p) => println!("ok: {} phases, {} inputs", p.phases.len(), p.inputs.len()),
        Err(d) => {
            let d = d.with_source(&posology::diagnostics::Source::new(path, text));
            eprintln!(
                "{}",
                posology::diagnostics::render(&d, posology::diagnostics::RenderStyle::Plain)
            )
        }
    }
}
