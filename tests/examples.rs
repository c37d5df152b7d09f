//! Every examples/*/fleet.toml passes `tfs validate`; the directory is listed,
//! so a new example is covered without touching this file.

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use cli::Test;

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
        let test = Test::in_directory(env!("CARGO_MANIFEST_DIR"))
            .args(&["validate", "-f", &file])
            .stdout_starts_with(&format!("{file} is valid"));
        if let Err(mismatch) = test.verify(&test.output()) {
            failures.push(mismatch);
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
