//! schemas/fleet.schema.json is generated from the fleet file's Rust types;
//! this fails when the committed file is stale. `TFS_BLESS=1 cargo test
//! --test schema` rewrites it.

use std::path::Path;

fn committed_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/fleet.schema.json")
}

#[test]
fn committed_schema_matches_the_rust_types() {
    let generated = tfs::load::schema_json();
    let path = committed_path();
    if std::env::var_os("TFS_BLESS").is_some_and(|value| value == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let diff = similar::TextDiff::from_lines(&committed, &generated)
            .unified_diff()
            .header("schemas/fleet.schema.json", "generated")
            .to_string();
        panic!("schemas/fleet.schema.json is stale; TFS_BLESS=1 cargo test --test schema rewrites it\n{diff}");
    }
}

#[test]
fn schema_describes_keys_defaults_and_enums() {
    let schema: serde_json::Value = serde_json::from_str(&tfs::load::schema_json()).unwrap();
    let definitions = &schema["$defs"];
    assert_eq!(schema["required"], serde_json::json!(["fleet", "models"]));
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        definitions["Strategy"]["enum"],
        serde_json::json!(["least_conn", "round_robin", "ip_hash", "random"])
    );
    assert_eq!(
        definitions["PullPolicy"]["enum"],
        serde_json::json!(["always", "missing", "never"])
    );
    let placement = &definitions["PlacementSection"]["properties"];
    assert_eq!(placement["per_gpu"]["default"], 1);
    assert_eq!(placement["per_gpu"]["maximum"], 16);
    assert_eq!(placement["gpus"]["default"], "all");
    assert_eq!(
        definitions["BalancerSection"]["properties"]["retries"]["default"],
        2
    );
    assert_eq!(
        definitions["RolloutSection"]["properties"]["drain_timeout"]["default"],
        "30s"
    );
    // TOML has no null: an optional key is simply left out.
    assert!(
        !tfs::load::schema_json().contains("null"),
        "a schema type allows null"
    );
    // Every key of every table says what it is for.
    for (table, definition) in definitions.as_object().unwrap() {
        assert!(
            definition["description"].is_string(),
            "{table} has no description"
        );
        for (key, property) in definition["properties"].as_object().into_iter().flatten() {
            assert!(
                property["description"].is_string(),
                "{table}.{key} has no description"
            );
        }
    }
}
