//! A four-GPU fleet through the real daemon, with the stand-in NVIDIA hook:
//! apply, predict through the balancer on every GPU, idempotent plan, destroy.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;

use fleet::{docker, docker_lines, TestFleet, STUB_IMAGE};

/// A container that is not the fleet's but is named like it.
struct Decoy(String);

impl Drop for Decoy {
    fn drop(&mut self) {
        docker(&["rm", "-f", &self.0]);
    }
}

#[test]
fn four_gpus_serve_behind_the_balancer_and_destroy_spares_a_decoy() {
    let fleet = TestFleet::new("gpus");
    fleet.write(&fleet.toml().gpus(&[0, 1, 2, 3]));
    let decoy = Decoy(format!("{}-gpu9", fleet.name));
    let created = docker(&[
        "run",
        "-d",
        "--name",
        &decoy.0,
        "--entrypoint",
        "sleep",
        STUB_IMAGE,
        "300",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    fleet
        .apply()
        .stdout_contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.")
        .stdout_contains(&format!("http://127.0.0.1:{}", fleet.rest_port))
        .run();

    let mut gpus = BTreeSet::new();
    for _ in 0..40 {
        let (status, body, gpu, _) =
            fleet.predict("half_plus_two", r#"{"instances": [1.0, 2.0, 5.0]}"#);
        assert_eq!(status, 200, "{body}");
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value, serde_json::json!({"predictions": [2.5, 3.0, 4.5]}));
        gpus.insert(gpu);
    }
    assert_eq!(gpus, BTreeSet::from(["0", "1", "2", "3"].map(String::from)));

    fleet
        .detailed_plan()
        .stdout_contains("No changes. The fleet matches fleet.toml.")
        .run();

    fleet
        .test()
        .args(&["destroy", "--auto-approve"])
        .stdout_contains("Destroy complete! Resources: 6 destroyed.")
        .run();
    assert!(fleet.containers().is_empty(), "{:?}", fleet.containers());
    assert!(fleet.networks().is_empty());
    let survivors = docker_lines(&[
        "ps",
        "--filter",
        &format!("name=^{}$", decoy.0),
        "--format",
        "{{.Names}}",
    ]);
    assert_eq!(survivors, vec![decoy.0.clone()]);
}

#[test]
fn replicas_publish_no_host_ports_and_never_run_privileged() {
    let fleet = TestFleet::new("ports");
    fleet.write(&fleet.toml().gpus(&[1]));
    fleet.apply().run();
    let replica = format!("{}-gpu1", fleet.name);
    let inspect = docker_lines(&["inspect", "--format", "{{json .HostConfig.PortBindings}} {{.HostConfig.Privileged}} {{json .HostConfig.DeviceRequests}} {{json .Mounts}}", &replica]);
    let line = &inspect[0];
    assert!(
        line.starts_with("{} false ") || line.starts_with("null false "),
        "{line}"
    );
    assert!(
        line.contains(r#""Driver":"nvidia""#) && line.contains(r#""DeviceIDs":["1"]"#),
        "{line}"
    );
    assert!(
        line.contains(r#""RW":false"#),
        "model mount must be read-only: {line}"
    );
    // The daemon's nvidia driver sets NVIDIA_VISIBLE_DEVICES for the server process; the stub echoes it.
    let (status, _, gpu, answered_by) = fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#);
    assert_eq!(
        (status, gpu.as_str(), answered_by.as_str()),
        (200, "1", replica.as_str())
    );
}
