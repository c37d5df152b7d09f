//! Golden tests of `tfs validate` on bad fleet files: every
//! tests/golden/NAME.toml must make tfs exit 1 and print exactly
//! tests/golden/NAME.stderr. `TFS_BLESS=1 cargo test --test config_errors`
//! rewrites the .stderr files from what tfs prints now.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/fleet_toml.rs"]
mod fleet_toml;

use std::path::{Path, PathBuf};

use cli::Test;
use fleet_toml::FleetToml;

fn golden_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every case, by listing the directory, so a new .toml is a new case.
fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(golden_directory())
        .expect("tests/golden exists")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// `tfs validate` of the fleet file in a tempdir that holds the model
/// directories the cases refer to, not yet run.
fn case(fleet: &str) -> Test {
    Test::new()
        .file("fleet.toml", fleet)
        .model_dir("models/half_plus_two", &[123])
        // A SavedModel exported without its version directory.
        .model_dir("models/flat", &[])
        .file("models/flat/saved_model.pb", "")
        .file("models/flat/variables/variables.index", "")
        // Versions 1 and 2 exported; 3, the newest, without its saved_model.pb.
        .model_dir("models/classifier", &[1, 2])
        .file("models/classifier/3/variables/variables.index", "")
        .args(&["validate", "-f", "fleet.toml"])
}

#[test]
fn every_bad_fleet_file_reports_its_golden_error() {
    let bless = std::env::var_os("TFS_BLESS").is_some_and(|value| value == "1");
    let mut failures = Vec::new();
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "tests/golden has only {} cases",
        cases.len()
    );
    for name in &cases {
        let fleet =
            std::fs::read_to_string(golden_directory().join(format!("{name}.toml"))).unwrap();
        let golden = golden_directory().join(format!("{name}.stderr"));
        let mut test = case(&fleet).status(1).stdout("");
        if !bless {
            test = test.stderr(&std::fs::read_to_string(&golden).unwrap_or_default());
        }
        let output = test.output();
        match test.verify(&output) {
            Err(mismatch) => failures.push(format!(
                "{name} (golden stderr {}): {mismatch}",
                golden.display()
            )),
            Ok(()) if bless => std::fs::write(&golden, &output.stderr).unwrap(),
            Ok(()) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed (TFS_BLESS=1 rewrites the .stderr files):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_golden_stderr_has_its_fleet_file() {
    let cases = cases();
    for entry in std::fs::read_dir(golden_directory()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(case) = name.strip_suffix(".stderr") {
            assert!(
                cases.iter().any(|known| known == case),
                "{name} has no {case}.toml"
            );
        }
    }
}

#[test]
fn every_error_names_a_location_a_caret_and_a_hint() {
    for name in cases() {
        let fleet =
            std::fs::read_to_string(golden_directory().join(format!("{name}.toml"))).unwrap();
        let stderr = case(&fleet).any_status().run().stderr;
        let errors = stderr.matches("error: fleet.toml:").count();
        assert!(errors >= 1, "{name}: no `fleet.toml:line:col` in\n{stderr}");
        assert_eq!(
            stderr.matches(" = hint: ").count(),
            errors,
            "{name}: a hint per error\n{stderr}"
        );
        assert!(
            stderr
                .lines()
                .filter(|line| line.trim_end().ends_with('^'))
                .count()
                >= errors,
            "{name}: a caret per error\n{stderr}"
        );
    }
}

#[test]
fn validate_defaults_to_fleet_toml_in_the_working_directory() {
    Test::new()
        .file("fleet.toml", &FleetToml::new("demo").to_string())
        .args(&["validate"])
        .status(1)
        .stderr_starts_with("error: fleet.toml:1:1: no [[models]] table\n")
        .run();
}

#[test]
fn a_missing_fleet_file_is_an_error() {
    Test::new()
        .args(&["validate", "-f", "nowhere.toml"])
        .status(1)
        .stderr_contains("cannot read fleet file nowhere.toml")
        .run();
}

/// A fake Docker socket that counts the connections made to it and closes each.
struct DockerProbe {
    host: String,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl DockerProbe {
    fn new(test: &Test) -> Self {
        let path = test.path().join("docker.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                drop(stream);
            }
        });
        Self {
            host: format!("unix://{}", path.display()),
            connections,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A valid CPU fleet of `replicas` replicas; `replicas = N` is on line 10.
fn cpu_fleet(replicas: u32) -> String {
    FleetToml::new("demo")
        .model("half_plus_two")
        .cpu(replicas)
        .to_string()
}

#[test]
fn an_invalid_fleet_file_never_reaches_docker() {
    for command in ["validate", "plan", "apply", "destroy"] {
        let test = Test::new()
            .file("fleet.toml", &cpu_fleet(0))
            .model_dir("models/half_plus_two", &[123]);
        let probe = DockerProbe::new(&test);
        test.env("DOCKER_HOST", &probe.host)
            .args(&[command, "-f", "fleet.toml"])
            .status(1)
            .stderr_starts_with("error: fleet.toml:10:12: `replicas` is 0, out of range\n")
            .run();
        assert_eq!(
            probe.connections(),
            0,
            "tfs {command} connected to Docker with an invalid fleet file"
        );
    }
}

#[test]
fn validate_never_reaches_docker_and_plan_does() {
    let validate = Test::new()
        .file("fleet.toml", &cpu_fleet(2))
        .model_dir("models/half_plus_two", &[123]);
    let probe = DockerProbe::new(&validate);
    validate
        .env("DOCKER_HOST", &probe.host)
        .args(&["validate"])
        .run();
    assert_eq!(probe.connections(), 0, "tfs validate connected to Docker");
    // The probe works: plan, given the same valid file, does connect.
    let plan = Test::new()
        .file("fleet.toml", &cpu_fleet(2))
        .model_dir("models/half_plus_two", &[123]);
    let probe = DockerProbe::new(&plan);
    let output = plan
        .env("DOCKER_HOST", &probe.host)
        .args(&["plan"])
        .status(1)
        .run();
    assert!(
        probe.connections() >= 1,
        "plan never reached the fake Docker socket: {output:?}"
    );
}
