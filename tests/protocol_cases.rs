//! The protocol CI suite: every protocol under `protocols/` runs on every patient case beside
//! it (`protocols/<name>/cases/*.json|yaml|toml`), and the JSON decision with its trace is
//! snapshotted. Adding a protocol or a case is adding files; review changes with
//! `cargo insta review`.

use std::path::Path;

use posology::diagnostics::{render_all, RenderStyle};
use posology::input::Format;
use posology::{report, Options, Protocol};

/// The protocol a case belongs to: `protocols/x/cases/c.json` → `protocols/x.dose`.
fn protocol_of(case: &Path) -> std::path::PathBuf {
    let dir = case
        .parent()
        .and_then(Path::parent)
        .expect("case is under <protocol>/cases/");
    dir.with_extension("dose")
}

fn decide(case: &Path) -> String {
    let protocol_path = protocol_of(case);
    let text = std::fs::read_to_string(&protocol_path).expect("protocol beside the cases");
    let protocol = Protocol::load(protocol_path.display().to_string(), &text)
        .unwrap_or_else(|diags| panic!("{}", render_all(&diags, RenderStyle::Plain)));
    let patient = std::fs::read_to_string(case).expect("case is readable");
    let format = Format::from_path(case).expect("case is .json, .yaml or .toml");
    let case_name = format!(
        "cases/{}",
        case.file_name().unwrap_or_default().to_string_lossy()
    );
    let patient = match protocol.read_patient(case_name, &patient, format, &[]) {
        Ok(p) => p,
        Err(diags) => {
            return format!(
                "input rejected\n\n{}",
                render_all(&diags, RenderStyle::Plain)
            )
        }
    };
    match protocol.evaluate(&patient, Options { trace: true }) {
        Ok(decision) => {
            let json = report::json::decision(protocol.program(), &decision, true);
            serde_json::to_string_pretty(&json).expect("decision serialises")
        }
        Err(d) => format!(
            "evaluation error\n\n{}",
            render_all(&[d], RenderStyle::Plain)
        ),
    }
}

#[test]
fn every_case_of_every_protocol() {
    insta::glob!("../protocols", "**/cases/*.{json,yaml,yml,toml}", |path| {
        // Name each snapshot `<protocol>-<case>` so that cases of different protocols never
        // collide and adding a protocol renames nothing.
        let protocol = protocol_of(path);
        let stem = protocol
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let case = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(format!("{stem}-{case}"));
        settings.bind(|| insta::assert_snapshot!(decide(path)));
    });
}
