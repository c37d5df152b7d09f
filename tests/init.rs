//! `tfs init`: a starter fleet.toml that validates once a model is in place.

#[path = "support/cli.rs"]
mod cli;

use cli::Test;

const FAKE_NVIDIA_SMI: &str = "#!/bin/sh\necho '0, GPU-aaaaaaaa-0000, NVIDIA L4, 23034'\necho '1, GPU-bbbbbbbb-1111, NVIDIA L4, 23034'\n";

#[test]
fn cpu_starter_validates_once_a_model_is_there() {
    let test = Test::new().args(&["init", "--cpu"]);
    let output = test.run();
    assert_eq!(output.status, 0, "{output:?}");
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
    let validate = Test::new()
        .file("fleet.toml", &text)
        .model_dir("models/my_model", &[1])
        .args(&["validate"])
        .run();
    assert_eq!(validate.status, 0, "{validate:?}");
}

#[test]
fn gpu_starter_lists_the_gpus_found() {
    let test = Test::new()
        .executable("bin/nvidia-smi", FAKE_NVIDIA_SMI)
        .path_prepend("bin")
        .args(&["init"]);
    let output = test.run();
    assert_eq!(output.status, 0, "{output:?}");
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
        .args(&["init", "--cpu"]);
    let output = test.run();
    assert_eq!(output.status, 1);
    assert!(
        output.stderr.contains("fleet.toml already exists"),
        "{}",
        output.stderr
    );
    assert_eq!(
        std::fs::read_to_string(test.path().join("fleet.toml")).unwrap(),
        "# mine\n"
    );
    let forced = Test::new()
        .file("fleet.toml", "# mine\n")
        .args(&["init", "--cpu", "--force"]);
    assert_eq!(forced.run().status, 0);
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
        assert_eq!(output.status, 0, "{output:?}");
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
    let version = Test::new().args(&["--version"]).run();
    assert_eq!(
        version.stdout,
        format!("tfs {}\n", env!("CARGO_PKG_VERSION"))
    );
    for command in [
        "init",
        "validate",
        "gpus",
        "plan",
        "apply",
        "destroy",
        "force-unlock",
        "completions",
    ] {
        let help = Test::new().args(&[command, "--help"]).run();
        assert_eq!(help.status, 0);
        assert!(
            help.stdout.contains("Example:\n  tfs "),
            "{command} --help has an example:\n{}",
            help.stdout
        );
    }
}

#[test]
fn usage_errors_exit_1_not_2() {
    let output = Test::new().args(&["plan", "--no-such-flag"]).run();
    assert_eq!(
        output.status, 1,
        "2 is reserved for `plan --detailed-exitcode`"
    );
    assert!(
        output.stderr.contains("unexpected argument"),
        "{}",
        output.stderr
    );
}
