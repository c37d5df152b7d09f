//! GPU discovery through NVML, with the stand-in libnvidia-ml.so.1
//! (tests/nvml_stand_in) first on `LD_LIBRARY_PATH`: `tfs gpus`, `tfs
//! init`, a `gpus = "all"` fleet bound by UUID through real device requests,
//! `tfs status` with each GPU's memory in use, the nvidia-smi fallback when
//! NVML fails, and a GPU that leaves the inventory.
//!
//! The stand-in comes before any real NVML on the loader's path, so these
//! run the same on a host with GPUs.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;

use fleet::{docker_lines, Test, TestFleet};
use tfs_nvml_stand_in::{describe, StandInGpu, DIRECTORY, FAIL, FAIL_INIT, GPUS};

const UUID_0: &str = "GPU-0c9ae5a1-1f4e-4a5b-9f44-2d1b6c3a0e01";
const UUID_1: &str = "GPU-7d3f1b2c-8e9a-4c6d-b5e2-9a0f4d8c1b02";
const H100: &str = "NVIDIA H100 80GB HBM3";

fn two_gpus() -> Vec<StandInGpu> {
    vec![
        StandInGpu::new(UUID_0, H100, 81559, 1024),
        StandInGpu::new(UUID_1, H100, 81559, 40960),
    ]
}

/// The stand-in on tfs's loader path with `gpus`; PATH is `bin` alone, so
/// no nvidia-smi answers unless the test writes one there.
fn with_nvml(test: Test, gpus: &[StandInGpu]) -> Test {
    test.file("bin/.keep", "")
        .env("PATH", "")
        .path_prepend("bin")
        .env("LD_LIBRARY_PATH", DIRECTORY)
        .env(GPUS, &describe(gpus))
}

/// A fake nvidia-smi answering tfs's query with one GPU.
const FAKE_NVIDIA_SMI: &str =
    "#!/bin/sh\necho '0, GPU-5e5e5e5e-0000-1111-2222-333333333333, Tesla T4, 15360'\n";

#[test]
fn gpus_come_from_nvml() {
    let expected = format!(
        "source: NVML\n\
         INDEX  UUID                                       NAME                             MEMORY\n\
         0      {UUID_0}   {H100}         81559 MiB\n\
         1      {UUID_1}   {H100}         81559 MiB\n"
    );
    with_nvml(Test::new(), &two_gpus())
        .args(&["gpus"])
        .stdout(&expected)
        .stderr("")
        .run();
}

#[test]
fn gpus_json_from_nvml_has_memory_in_use() {
    let output = with_nvml(Test::new(), &two_gpus())
        .args(&["gpus", "--json"])
        .stderr("")
        .run();
    let document: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        document,
        serde_json::json!({
            "source": "NVML",
            "gpus": [
                {"index": 0, "uuid": UUID_0, "name": H100, "memory_total_mib": 81559, "memory_used_mib": 1024},
                {"index": 1, "uuid": UUID_1, "name": H100, "memory_total_mib": 81559, "memory_used_mib": 40960},
            ]
        })
    );
}

#[test]
fn init_writes_all_gpus_and_lists_them() {
    let test = with_nvml(Test::new(), &two_gpus())
        .args(&["init"])
        .stdout_contains("(fleet \"")
        .stdout_contains(", 2 GPUs) and ")
        .stderr("");
    test.run();
    let text = std::fs::read_to_string(test.path().join("fleet.toml")).unwrap();
    assert!(text.contains("gpus = \"all\""), "{text}");
    assert!(
        text.contains(&format!("#   0  {UUID_0}  {H100}  81559 MiB\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("#   1  {UUID_1}  {H100}  81559 MiB\n")),
        "{text}"
    );
}

#[test]
fn failed_init_falls_back_to_nvidia_smi_and_says_why() {
    with_nvml(Test::new(), &two_gpus())
        .env(FAIL, FAIL_INIT)
        .executable("bin/nvidia-smi", FAKE_NVIDIA_SMI)
        .args(&["gpus"])
        .stdout_starts_with("source: nvidia-smi\n")
        .stdout_contains("Tesla T4")
        .stderr(
            "warning: GPUs from nvidia-smi; tried NVML: NVML could not start (reboot after a driver upgrade, or reinstall the driver): RM detects a driver/library version mismatch\n",
        )
        .run();
}

#[test]
fn failed_init_without_nvidia_smi_gives_both_reasons() {
    let test = with_nvml(Test::new(), &two_gpus())
        .env(FAIL, FAIL_INIT)
        .args(&["gpus", "--json"])
        .status(1)
        .stdout("");
    let output = test.run();
    let lines: Vec<&str> = output.stderr.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "error: no GPU inventory",
            "  tried NVML: NVML could not start (reboot after a driver upgrade, or reinstall the driver): RM detects a driver/library version mismatch",
            "  tried nvidia-smi: nvidia-smi is not on PATH",
        ],
        "{}",
        output.stderr
    );

    // Planning `gpus = "all"` stops before Docker, with the same two reasons.
    let fleet = fleet::FleetToml::new("nvmlbroken")
        .model("half_plus_two")
        .gpus_all();
    with_nvml(Test::new(), &two_gpus())
        .env(FAIL, FAIL_INIT)
        .file("fleet.toml", &fleet.to_string())
        .model_dir("models/half_plus_two", &[1])
        .args(&["plan"])
        .status(1)
        .stderr_contains("cannot discover GPUs for `gpus = \"all\"`")
        .stderr_contains("tried NVML: NVML could not start (reboot after a driver upgrade, or reinstall the driver): RM detects a driver/library version mismatch")
        .stderr_contains("tried nvidia-smi: nvidia-smi is not on PATH")
        .run();
}

#[test]
fn a_failing_device_query_names_the_gpu() {
    with_nvml(Test::new(), &two_gpus())
        .env(FAIL, "memory:1")
        .args(&["gpus"])
        .status(1)
        .stderr_contains("  tried NVML: NVML could not read GPU 1's memory: device fell off the bus or has otherwise become inacessible\n")
        .run();
}

#[test]
fn all_gpus_bind_by_uuid_show_memory_in_status_and_a_gone_gpu_is_removed() {
    let mut fleet = TestFleet::new("nvml");
    fleet.set_env("LD_LIBRARY_PATH", DIRECTORY);
    fleet.set_env(GPUS, &describe(&two_gpus()));
    fleet.write(&fleet.toml().gpus_all());
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains(&format!("GPU 0, {UUID_0}"))
        .stdout_contains(&format!("GPU 1, {UUID_1}"))
        .run();
    fleet.apply().run();

    let devices = docker_lines(&[
        "inspect",
        "--format",
        "{{json .HostConfig.DeviceRequests}}",
        &format!("{}-gpu0", fleet.name),
        &format!("{}-gpu1", fleet.name),
    ]);
    for uuid in [UUID_0, UUID_1] {
        let wanted = format!(r#""DeviceIDs":["{uuid}"]"#);
        assert!(devices.iter().any(|d| d.contains(&wanted)), "{devices:?}");
    }
    // The stand-in hook hands the device request to the container as NVIDIA_VISIBLE_DEVICES.
    let served: BTreeSet<String> = (0..20)
        .map(|_| fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#).2)
        .collect();
    assert_eq!(served, BTreeSet::from([UUID_0, UUID_1].map(String::from)));

    fleet
        .test()
        .args(&["status"])
        .stdout_contains(&format!("0 {H100} 1024/81559 MiB"))
        .stdout_contains(&format!("1 {H100} 40960/81559 MiB"))
        .run();

    // GPU 1 leaves the inventory (fell off the bus, or was taken out).
    fleet.set_env(GPUS, &describe(&two_gpus()[..1]));
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains(&format!(
            "GPU 1 ({UUID_1}) is gone: the host's GPU inventory no longer lists it"
        ))
        .stdout_lacks("no longer in placement")
        .run();
    fleet
        .apply()
        .stdout_contains("0 added, 1 changed, 1 destroyed.")
        .run();
    assert_eq!(
        fleet.containers(),
        vec![
            format!("{}-balancer", fleet.name),
            format!("{}-gpu0", fleet.name)
        ]
    );
}
