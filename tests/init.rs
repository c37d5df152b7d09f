//! `tfs init`: a starter fleet.toml that validates once a model is in place.

#[path = "support/cli.rs"]
mod cli;

use cli::Test;

const FAKE_NVIDIA_SMI: &str = "#!/bin/sh\necho '0, GPU-aaaaaaaa-0000, NVIDIA L4, 23034'\necho '1, GPU-bbbbbbbb-1111, NVIDIA L4, 23034'\n";

#[test]
fn cpu_starter_validates_once_a_model_is_there() {
    let test = Test::new().args(&["init", "--cpu"]);
    test.run();
    let text = std::fs::read_to_string(test.path().join("fleet.toml")).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("#:schema ./schemas/fleet.schema.json")
    );
    assert!(text.contains("gpus = \"none\""), "{text}");
    assert_eq!(
        std::fs::read_to_string(test.path().join("schemas/fleet.schema.json")).unwrap(),
        tfs::load::schema_json()
    );
    Test::new()
        .file("fleet.toml", &text)
        .model_dir("models/my_model", &[1])
        .args(&["validate"])
        .run();
}

#[test]
fn gpu_starter_lists_the_gpus_found() {
    let test = Test::new()
        .executable("bin/nvidia-smi", FAKE_NVIDIA_SMI)
        .path_prepend("bin")
        .args(&["init"]);
    test.run();
    let text = std::fs::read_to_string(test.path().join("fleet.toml")).unwrap();
    if nvml_wrapper::Nvml::init().is_err() {
        assert!(text.contains("gpus = \"all\""), "{text}");
        assert!(
            text.contains("#   1  GPU-bbbbbbbb-1111  NVIDIA L4  23034 MiB"),
            "{text}"
        );
    }
    assert!(
        text.contains("image = \"tensorflow/serving:latest-gpu\""),
        "{text}"
    );
}

#[test]
fn refuses_to_overwrite_without_force() {
    let test = Test::new()
        .file("fleet.toml", "# mine\n")
        .args(&["init", "--cpu"])
        .status(1)
        .stderr_contains("fleet.toml already exists");
    test.run();
    assert_eq!(
        std::fs::read_to_string(test.path().join("fleet.toml")).unwrap(),
        "# mine\n"
    );
    let forced = Test::new()
        .file("fleet.toml", "# mine\n")
        .args(&["init", "--cpu", "--force"]);
    forced.run();
    assert!(std::fs::read_to_string(forced.path().join("fleet.toml"))
        .unwrap()
        .starts_with("#:schema"));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_tfs()"),
        ("zsh", "#compdef tfs"),
        ("fish", "complete -c tfs"),
    ] {
        let output = Test::new().args(&["completions", shell]).run();
        assert!(
            output.stdout.contains(marker),
            "{shell}: {}",
            &output.stdout[..200.min(output.stdout.len())]
        );
        assert!(
            output.stdout.contains("force-unlock"),
            "{shell} completes subcommands"
        );
    }
}

#[test]
fn version_and_help_examples() {
    Test::new()
        .args(&["--version"])
        .any_status()
        .stdout(&format!("tfs {}\n", env!("CARGO_PKG_VERSION")))
        .run();
    for command in [
        "init",
        "validate",
        "gpus",
        "doctor",
        "plan",
        "apply",
        "destroy",
        "force-unlock",
        "completions",
    ] {
        // Every command's --help has an example.
        Test::new()
            .args(&[command, "--help"])
            .stdout_contains("Example:\n  tfs ")
            .run();
    }
}

#[test]
fn usage_errors_exit_1_not_2() {
    // Not 2: that is reserved for `plan --detailed-exitcode`.
    Test::new()
        .args(&["plan", "--no-such-flag"])
        .status(1)
        .stderr_contains("unexpected argument")
        .run();
}
