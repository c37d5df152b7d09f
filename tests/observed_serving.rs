//! What the replicas really serve is observed state, asked of each
//! replica: one that runs but serves nothing (told so behind tfs's back,
//! here over its own gRPC API) shows in the plan with its reason, and apply
//! repairs it. Model directories are mounted by their parent, so a model
//! directory removed and put back is seen afresh, and status, logs and
//! destroy still work while the model directory is missing.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fleet::{docker, docker_lines, TestFleet};
use load::Load;

/// Waits until `tfs status --json` says `replica` is not available.
fn wait_until_unserved(fleet: &TestFleet, replica: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = fleet.test().args(&["status", "--json"]).any_status().run();
        let document: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
        let replicas = document["replicas"].as_array().unwrap();
        if replicas
            .iter()
            .any(|r| r["name"] == replica && r["available"] == false)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{replica} kept serving:\n{}",
            status.stdout
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Tells `replica`'s TF Serving, over gRPC at its fleet-network address,
/// to serve no model at all.
fn serve_nothing(fleet: &TestFleet, replica: &str) {
    let network = format!("{}-net", fleet.name);
    let ip = docker_lines(&[
        "inspect",
        "-f",
        &format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}"),
        replica,
    ])
    .join("");
    let address: SocketAddr = format!("{ip}:8500").parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let channel = tfs_proto::client::channel(address).await.unwrap();
        let request = tfs_proto::client::reload_request(&[]);
        tfs_proto::client::reload_config(channel, request)
            .await
            .unwrap();
    });
}

#[test]
fn a_replica_that_serves_nothing_is_planned_and_repaired() {
    let fleet = TestFleet::new("nothing");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    fleet.detailed_plan().run();
    let broken = format!("{}-cpu0", fleet.name);
    serve_nothing(&fleet, &broken);
    wait_until_unserved(&fleet, &broken);
    fleet
        .test()
        .args(&["status"])
        .status(1)
        .stdout_contains("NOT healthy")
        .run();
    fleet
        .test()
        .args(&["plan", "--detailed-exitcode"])
        .status(2)
        .stdout_contains(&format!("-/+ replica {broken}"))
        .stdout_contains("models not AVAILABLE: half_plus_two:123 END")
        .run();
    fleet
        .apply()
        .stdout_contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.")
        .run();
    let traffic = Load::start(fleet.rest_port, 2);
    traffic.wait_for(100, Duration::from_secs(30));
    let report = traffic.stop();
    report.assert_clean(100);
    assert_eq!(report.replicas.len(), 2, "{:?}", report.replicas);
    fleet.detailed_plan().run();
}

#[test]
fn a_model_directory_removed_and_put_back_is_seen_afresh() {
    let fleet = TestFleet::new("remount");
    fleet.write(&fleet.toml().cpu(1));
    fleet.apply().run();
    std::fs::remove_dir_all(fleet.path("models/half_plus_two")).unwrap();
    fleet.model("half_plus_two", &[124]);
    // The mount is of models/: the replica sees the new directory, and loads 124 by itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = fleet.test().args(&["status"]).any_status().run();
        if status.stdout.contains("half_plus_two:124") {
            break;
        }
        assert!(Instant::now() < deadline, "{}", status.stdout);
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(fleet.predict("half_plus_two", load::BODY).0, 200);
    let restart = docker(&["restart", "-t", "1", &format!("{}-cpu0", fleet.name)]);
    assert!(restart.status.success());
    fleet.apply().run();
    fleet.detailed_plan().run();
}

#[test]
fn status_logs_and_destroy_work_without_the_model_directory() {
    let fleet = TestFleet::new("nomodels");
    fleet.write(&fleet.toml().cpu(1));
    fleet.apply().run();
    std::fs::remove_dir_all(fleet.path("models")).unwrap();
    // What needs desire refuses, and says why.
    fleet
        .test()
        .args(&["plan"])
        .status(1)
        .stderr_contains("models/half_plus_two")
        .run();
    // The replica may or may not have unloaded the model yet: exit 0 or 1,
    // but status reads the live fleet either way.
    fleet
        .test()
        .args(&["status", "--json"])
        .any_status()
        .stdout_contains(&format!("\"name\": \"{}-cpu0\"", fleet.name))
        .stdout_contains("\"restarts\": 0")
        .run();
    fleet
        .test()
        .args(&["logs", "cpu0", "--tail", "100"])
        .stdout_contains("Successfully loaded servable version")
        .run();
    fleet
        .test()
        .args(&["destroy", "--auto-approve"])
        .stdout_contains("Destroy complete! Resources: 3 destroyed.")
        .run();
    assert!(fleet.containers().is_empty(), "{:?}", fleet.containers());
    assert!(fleet.networks().is_empty(), "{:?}", fleet.networks());
}
