//! Golden tests of `tfs validate` on bad fleet files: every
//! tests/golden/NAME.toml must make tfs exit 1 and print exactly
//! tests/golden/NAME.stderr. `TFS_BLESS=1 cargo test --test config_errors`
//! rewrites the .stderr files from what tfs prints now.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};

use cli::Test;

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

/// The fleet file in a tempdir that holds the model directories the cases refer to.
fn run_case(fleet: &str) -> cli::Output {
    Test::new()
        .file("fleet.toml", fleet)
        .model_dir("models/half_plus_two", &[123])
        // A SavedModel exported without its version directory.
        .model_dir("models/flat", &[])
        .file("models/flat/saved_model.pb", "")
        .file("models/flat/variables/variables.index", "")
        .args(&["validate", "-f", "fleet.toml"])
        .run()
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
        let output = run_case(&fleet);
        if output.status != 1 || !output.stdout.is_empty() {
            failures.push(format!(
                "{name}: expected exit 1 and no stdout, got exit {}\nstdout:\n{}\nstderr:\n{}",
                output.status, output.stdout, output.stderr
            ));
            continue;
        }
        let golden = golden_directory().join(format!("{name}.stderr"));
        if bless {
            std::fs::write(&golden, &output.stderr).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != output.stderr {
            let diff = similar::TextDiff::from_lines(&expected, &output.stderr)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            failures.push(format!(
                "{name}: stderr differs from {}\n{diff}",
                golden.display()
            ));
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
        let stderr = run_case(&fleet).stderr;
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
    let output = Test::new()
        .file("fleet.toml", "[fleet]\nname = \"demo\"\n")
        .args(&["validate"])
        .run();
    assert_eq!(output.status, 1, "{output:?}");
    assert!(
        output
            .stderr
            .starts_with("error: fleet.toml:1:1: no [[models]] table\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_missing_fleet_file_is_an_error() {
    let output = Test::new().args(&["validate", "-f", "nowhere.toml"]).run();
    assert_eq!(output.status, 1, "{output:?}");
    assert!(
        output
            .stderr
            .contains("cannot read fleet file nowhere.toml"),
        "{}",
        output.stderr
    );
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

const CPU_FLEET: &str = "[fleet]\nname = \"demo\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[placement]\ngpus = \"none\"\nreplicas = 2\n";

#[test]
fn an_invalid_fleet_file_never_reaches_docker() {
    for command in ["validate", "plan", "apply", "destroy"] {
        let test = Test::new()
            .file(
                "fleet.toml",
                &CPU_FLEET.replace("replicas = 2", "replicas = 0"),
            )
            .model_dir("models/half_plus_two", &[123]);
        let probe = DockerProbe::new(&test);
        let output = test
            .env("DOCKER_HOST", &probe.host)
            .args(&[command, "-f", "fleet.toml"])
            .run();
        assert_eq!(output.status, 1, "{command}: {output:?}");
        assert!(
            output
                .stderr
                .starts_with("error: fleet.toml:10:12: `replicas` is 0, out of range\n"),
            "{command}: {}",
            output.stderr
        );
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
        .file("fleet.toml", CPU_FLEET)
        .model_dir("models/half_plus_two", &[123]);
    let probe = DockerProbe::new(&validate);
    let output = validate
        .env("DOCKER_HOST", &probe.host)
        .args(&["validate"])
        .run();
    assert_eq!(output.status, 0, "{output:?}");
    assert_eq!(probe.connections(), 0, "tfs validate connected to Docker");
    // The probe works: plan, given the same valid file, does connect.
    let plan = Test::new()
        .file("fleet.toml", CPU_FLEET)
        .model_dir("models/half_plus_two", &[123]);
    let probe = DockerProbe::new(&plan);
    let output = plan.env("DOCKER_HOST", &probe.host).args(&["plan"]).run();
    assert_eq!(output.status, 1, "{output:?}");
    assert!(
        probe.connections() >= 1,
        "plan never reached the fake Docker socket: {output:?}"
    );
}
