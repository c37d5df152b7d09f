//! New model versions roll out in place, under the rollout tests' load
//! loop: TF Serving reloads its model config (HandleReloadConfigRequest),
//! the containers stay (same IDs), no request fails; version labels reach
//! their versions over REST and gRPC; a version that does not load is
//! rolled back; a canary override serves its versions on one GPU only; a
//! `kill -9` in the middle of a reload is finished by the next apply.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/grpc.rs"]
mod grpc;
#[path = "support/load.rs"]
mod load;

use std::collections::BTreeSet;
use std::time::Duration;

use fleet::{docker_lines, FleetToml, TestFleet};
use grpc::GrpcClient;
use load::Load;

const GPUS: [u32; 4] = [0, 1, 2, 3];

/// A 4-GPU fleet whose versions load for a second, serving `versions`
/// (TOML, e.g. `[123]`) of half_plus_two, with `extra` lines in its model.
fn fleet_toml(fleet: &TestFleet, versions: &str, extra: &str) -> FleetToml {
    fleet
        .toml()
        .gpus(&GPUS)
        .serving_args(&["--stub_load_delay_ms=1000"])
        .model_lines("half_plus_two", &[&format!("versions = {versions}"), extra])
}

/// Container IDs by name.
fn ids(fleet: &TestFleet) -> Vec<String> {
    docker_lines(&[
        "ps",
        "-a",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
        "--format",
        "{{.Names}} {{.ID}}",
    ])
    .into_iter()
    .collect::<BTreeSet<_>>()
    .into_iter()
    .collect()
}

/// The version (and GPU) that answers a REST predict on `path` (after /v1/models/).
fn answer(fleet: &TestFleet, path: &str) -> (u16, String, String) {
    let url = format!(
        "http://127.0.0.1:{}/v1/models/{path}:predict",
        fleet.rest_port
    );
    match ureq::post(&url).send_string(load::BODY) {
        Ok(response) | Err(ureq::Error::Status(_, response)) => (
            response.status(),
            response
                .header("X-Stub-Model-Version")
                .unwrap_or("")
                .to_string(),
            response.header("X-Stub-Gpu").unwrap_or("").to_string(),
        ),
        Err(error) => (0, error.to_string(), String::new()),
    }
}

#[test]
fn a_new_version_rolls_out_in_place_with_no_request_lost() {
    let fleet = TestFleet::new("inplace");
    fleet.model("half_plus_two", &[123, 124]);
    fleet.write(&fleet_toml(&fleet, "[123]", ""));
    fleet.apply().run();
    let before = ids(&fleet);

    fleet.write(&fleet_toml(&fleet, "[124]", ""));
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains(&format!("~ replica {}-gpu0", fleet.name))
        .stdout_contains("half_plus_two: versions [123] -> [124]")
        .stdout_contains("Reload in place: 4 waves of 1")
        .stdout_contains("Plan: 0 to add, 4 to change, 0 to destroy.")
        .run();
    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(30));
    fleet
        .apply()
        .stdout_contains("Apply complete! Resources: 0 added, 4 changed, 0 destroyed.")
        .run();
    let report = traffic.stop();
    report.assert_clean(200);
    assert_eq!(ids(&fleet), before, "a container was recreated");
    fleet.detailed_plan().run();
    for _ in 0..20 {
        assert_eq!(answer(&fleet, "half_plus_two").1, "124");
    }
}

#[test]
fn labels_reach_their_versions_over_rest_and_grpc() {
    let fleet = TestFleet::with_grpc("labels");
    fleet.model("half_plus_two", &[123, 124, 125]);
    fleet.write(&fleet_toml(
        &fleet,
        "[123, 124]",
        "labels = { stable = 123, canary = 124 }",
    ));
    fleet.apply().run();
    let client = GrpcClient::connect(fleet.grpc_port.unwrap());
    let check = |stable: &str, canary: &str| {
        for (label, version) in [("stable", stable), ("canary", canary)] {
            let rest = answer(&fleet, &format!("half_plus_two/labels/{label}"));
            assert_eq!(
                (rest.0, rest.1.as_str()),
                (200, version),
                "REST label {label}"
            );
            let grpc = client
                .predict_label("half_plus_two", label, &[1.0])
                .unwrap();
            assert_eq!(
                grpc.version.map(|v| v.to_string()).as_deref(),
                Some(version)
            );
        }
    };
    check("123", "124");
    assert_eq!(answer(&fleet, "half_plus_two/labels/nope").0, 404);
    let before = ids(&fleet);
    // Moving both labels forward is a reload, never a restart, and no request is lost.
    fleet.write(&fleet_toml(
        &fleet,
        "[124, 125]",
        "labels = { stable = 124, canary = 125 }",
    ));
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains("half_plus_two: label canary 124 -> 125")
        .stdout_contains("half_plus_two: label stable 123 -> 124")
        .run();
    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(30));
    fleet.apply().run();
    traffic.stop().assert_clean(200);
    assert_eq!(ids(&fleet), before);
    check("124", "125");
    fleet
        .test()
        .args(&["status"])
        .stdout_contains("(canary=125 stable=124)")
        .run();
}

#[test]
fn a_version_that_does_not_load_is_rolled_back_with_no_request_lost() {
    let fleet = TestFleet::new("broken");
    fleet.model("half_plus_two", &[123, 124]);
    fleet.write(&fleet_toml(&fleet, "[123]", ""));
    fleet.apply().run();
    let before = ids(&fleet);
    std::fs::write(
        fleet.path("models/half_plus_two/124/saved_model.pb"),
        "not a SavedModel",
    )
    .unwrap();
    fleet.write(&fleet_toml(&fleet, "[124]", ""));
    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(30));
    fleet
        .apply()
        .status(1)
        .stderr_contains("rollout stopped: a new model version did not load")
        .stderr_contains("half_plus_two version: 124")
        .stderr_contains("Can't parse")
        .stderr_contains("restored to the models they served before")
        .run();
    let report = traffic.stop();
    report.assert_clean(200);
    assert_eq!(ids(&fleet), before, "a container was recreated");
    for _ in 0..20 {
        assert_eq!(answer(&fleet, "half_plus_two").1, "123");
    }
}

#[test]
fn a_canary_override_serves_its_version_on_that_gpu_only() {
    let fleet = TestFleet::new("canary");
    fleet.model("half_plus_two", &[123, 124]);
    fleet.write(&fleet_toml(&fleet, "[123]", ""));
    fleet.apply().run();
    let canary =
        fleet_toml(&fleet, "[123]", "").override_gpu(2, "versions = { half_plus_two = [124] }");
    fleet.write(&canary);
    fleet
        .apply()
        .stdout_contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.")
        .run();
    let mut seen = BTreeSet::new();
    for _ in 0..40 {
        let (status, version, gpu) = answer(&fleet, "half_plus_two");
        assert_eq!(status, 200);
        seen.insert((gpu, version));
    }
    let expected: BTreeSet<(String, String)> = GPUS
        .iter()
        .map(|gpu| {
            let version = if *gpu == 2 { "124" } else { "123" };
            (gpu.to_string(), version.to_string())
        })
        .collect();
    assert_eq!(seen, expected);
    // Without the override the slot goes back, in place.
    fleet.write(&fleet_toml(&fleet, "[123]", ""));
    fleet
        .apply()
        .stdout_contains("0 added, 1 changed, 0 destroyed")
        .run();
    fleet.detailed_plan().run();
}

#[test]
fn a_kill_in_the_middle_of_a_reload_is_finished_by_the_next_apply() {
    let fleet = TestFleet::with_own_locks("reloadkill");
    fleet.model("half_plus_two", &[123, 124]);
    fleet.write(&fleet_toml(&fleet, "[123]", ""));
    fleet.apply().run();
    let before = ids(&fleet);
    fleet.write(&fleet_toml(&fleet, "[124]", ""));
    let paused = fleet.spawn_paused(&["apply", "--auto-approve"], "models-reloading");
    drop(paused);
    fleet
        .test()
        .args(&["plan", "--detailed-exitcode"])
        .status(2)
        .stdout_contains("half_plus_two: versions [123] -> [124]")
        .run();
    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(30));
    fleet.apply().run();
    traffic.stop().assert_clean(200);
    fleet.detailed_plan().run();
    assert_eq!(ids(&fleet), before);
    for _ in 0..20 {
        assert_eq!(answer(&fleet, "half_plus_two").1, "124");
    }
}

/// After a reload in place, the replicas' labels still name the versions
/// they were created with; a later change that replaces them (a new image
/// with new versions) must keep the ones not yet replaced in the upstream.
#[test]
fn a_replacement_after_a_reload_in_place_loses_no_request() {
    let fleet = TestFleet::new("inplace-then-new");
    fleet.model("half_plus_two", &[123, 124, 125]);
    let tag = format!("tfs-serving-stub:{}", fleet.name);
    assert!(fleet::docker(&["tag", fleet::STUB_IMAGE, &tag])
        .status
        .success());
    fleet.write(&fleet_toml(&fleet, "[123]", ""));
    fleet.apply().run();
    fleet.write(&fleet_toml(&fleet, "[124]", ""));
    fleet.apply().run();

    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(30));
    fleet.write(&fleet_toml(&fleet, "[125]", "").image(&tag));
    fleet
        .apply()
        .stdout_contains("Apply complete! Resources: 4 added, 0 changed, 4 destroyed.")
        .stderr_lacks("upstream (empty)")
        .run();
    let report = traffic.stop();
    fleet::docker(&["rmi", &tag]);
    report.assert_clean(200);
    assert_eq!(report.gpus_seen(), ["0", "1", "2", "3"], "{report:?}");
    for _ in 0..20 {
        assert_eq!(answer(&fleet, "half_plus_two").1, "125");
    }
}
