//! Every examples/*/fleet.toml passes `tfs validate`; the directory is listed,
//! so a new example is covered without touching this file.

use std::path::Path;
use std::process::Command;

/// examples/NAME for every example directory holding a fleet.toml.
fn examples() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("examples/ exists")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            entry
                .path()
                .join("fleet.toml")
                .is_file()
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_example_validates() {
    let examples = examples();
    assert!(
        examples.len() >= 5,
        "only {} examples found: {examples:?}",
        examples.len()
    );
    let mut failures = Vec::new();
    for name in &examples {
        let file = format!("examples/{name}/fleet.toml");
        let output = Command::new(env!("CARGO_BIN_EXE_tfs"))
            .args(["validate", "-f", &file])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .output()
            .expect("tfs runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        if output.status.code() != Some(0) || !stdout.starts_with(&format!("{file} is valid")) {
            failures.push(format!(
                "{file}: exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_example_names_the_committed_schema() {
    for name in examples() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}/fleet.toml")),
        )
        .unwrap();
        assert!(
            text.starts_with("#:schema ../../schemas/fleet.schema.json\n"),
            "examples/{name}/fleet.toml does not start with `#:schema ../../schemas/fleet.schema.json`"
        );
    }
}
