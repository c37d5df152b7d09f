//! `tfs gpus` through the nvidia-smi fallback, with a fake nvidia-smi first
//! on PATH; and `tfs validate`, which needs neither GPUs nor Docker.
//!
//! Discovery tries NVML first. Where NVML loads (a host with the NVIDIA
//! driver), the fake can never be reached, so these tests check the NVML
//! answer instead of pretending.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/fleet_toml.rs"]
mod fleet_toml;

use cli::Test;
use fleet_toml::FleetToml;

const UUID_0: &str = "GPU-11111111-2222-3333-4444-555555555555";
const UUID_1: &str = "GPU-66666666-7777-8888-9999-000000000000";

/// A fake nvidia-smi that answers only the query tfs makes, the way the real one does.
fn fake_nvidia_smi() -> String {
    format!(
        r#"#!/bin/sh
if [ "$#" -ne 2 ] || [ "$1" != "--query-gpu=index,uuid,name,memory.total" ] || [ "$2" != "--format=csv,noheader,nounits" ]; then
    echo "fake nvidia-smi: unexpected arguments: $*" >&2
    exit 64
fi
echo "0, {UUID_0}, NVIDIA H100 80GB HBM3, 81559"
echo "1, {UUID_1}, NVIDIA H100 80GB HBM3, 81559"
"#
    )
}

fn nvml_loads() -> bool {
    nvml_wrapper::Nvml::init().is_ok()
}

#[test]
fn gpus_lists_what_nvidia_smi_reports() {
    let test = Test::new()
        .executable("bin/nvidia-smi", &fake_nvidia_smi())
        .path_prepend("bin")
        .args(&["gpus"]);
    if nvml_loads() {
        test.stdout_starts_with("source: NVML\n").run();
        return;
    }
    let expected = format!(
        "source: nvidia-smi\n\
         INDEX  UUID                                       NAME                             MEMORY\n\
         0      {UUID_0}   NVIDIA H100 80GB HBM3         81559 MiB\n\
         1      {UUID_1}   NVIDIA H100 80GB HBM3         81559 MiB\n"
    );
    test.stdout(&expected).stderr("").run();
}

#[test]
fn gpus_without_any_source_says_what_it_tried() {
    let test = Test::new()
        .file("empty/.keep", "")
        .env("PATH", "")
        .path_prepend("empty")
        .args(&["gpus"]);
    if nvml_loads() {
        test.run();
        return;
    }
    let output = test.status(1).stdout("").run();
    let lines: Vec<&str> = output.stderr.lines().collect();
    assert_eq!(lines[0], "error: no GPU inventory", "{}", output.stderr);
    assert!(
        lines[1].starts_with("  tried NVML: cannot load libnvidia-ml.so.1"),
        "{}",
        output.stderr
    );
    assert_eq!(lines[2], "  tried nvidia-smi: nvidia-smi is not on PATH");
    assert!(
        lines[3].starts_with("hint: ") && lines[3].contains("`gpus = [0, 1]`"),
        "{}",
        output.stderr
    );
    assert_eq!(lines.len(), 4, "{}", output.stderr);
}

#[test]
fn gpus_reports_a_failing_nvidia_smi_with_its_message() {
    let test = Test::new()
        .executable(
            "bin/nvidia-smi",
            "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"\nexit 9\n",
        )
        .path_prepend("bin")
        .args(&["gpus"]);
    if nvml_loads() {
        test.any_status().run();
        return;
    }
    test.status(1)
        .stderr_contains(
            "  tried nvidia-smi: nvidia-smi failed (exit status: 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
        )
        .run();
}

#[test]
fn validate_needs_no_gpu_inventory() {
    // gpus = "all" is resolved at plan time; validate must not ask for GPUs.
    let test = Test::new()
        .file(
            "fleet.toml",
            &FleetToml::new("demo")
                .model("half_plus_two")
                .gpus_all()
                .per_gpu(2)
                .to_string(),
        )
        .model_dir("models/half_plus_two", &[123])
        .executable("bin/nvidia-smi", "#!/bin/sh\necho called >> \"$(dirname \"$0\")/calls\"\nexit 1\n")
        .path_prepend("bin")
        .args(&["validate"])
        .stdout("fleet.toml is valid: fleet \"demo\", models half_plus_two, GPUs \"all\", 2 per GPU, balancer on 127.0.0.1:8501\n");
    test.run();
    assert!(
        !test.path().join("bin/calls").exists(),
        "validate ran nvidia-smi"
    );
}
