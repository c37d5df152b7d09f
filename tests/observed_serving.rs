//! What the replicas really serve is observed state: a model directory
//! removed and put back under a running fleet leaves every replica's bind
//! mount on the deleted directory, so TF Serving unloads the model and
//! answers 404 while the containers run. Plan shows it, status fails, apply
//! repairs it; and status, logs and destroy still work while the model
//! directory is missing.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::time::{Duration, Instant};

use fleet::TestFleet;
use load::Load;

/// Removes models/half_plus_two and writes a fresh copy at the same path.
fn remove_and_restore(fleet: &TestFleet) {
    std::fs::remove_dir_all(fleet.path("models/half_plus_two")).unwrap();
    fleet.model("half_plus_two", &[123]);
}

/// Waits until every replica has unloaded the model (each polls its model
/// directory once a second, on its own clock).
fn wait_until_unserved(fleet: &TestFleet) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = fleet.test().args(&["status", "--json"]).any_status().run();
        let document: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
        let replicas = document["replicas"].as_array().unwrap();
        if replicas.iter().all(|replica| replica["available"] == false) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replicas kept serving a deleted model directory:\n{}",
            status.stdout
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_model_directory_removed_and_restored_is_planned_and_repaired() {
    let fleet = TestFleet::new("remount");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    fleet.detailed_plan().run();

    let traffic = Load::start(fleet.rest_port, 2);
    remove_and_restore(&fleet);
    wait_until_unserved(&fleet);

    fleet
        .test()
        .args(&["status"])
        .status(1)
        .stdout_contains("NOT healthy")
        .stdout_contains("half_plus_two:123 END")
        .run();
    fleet
        .test()
        .args(&["plan", "--detailed-exitcode"])
        .status(2)
        .stdout_contains(&format!("-/+ replica {}-cpu0", fleet.name))
        .stdout_contains(&format!("-/+ replica {}-cpu1", fleet.name))
        .stdout_contains("models not AVAILABLE: half_plus_two:123 END")
        .run();
    fleet
        .apply()
        .stdout_contains("Apply complete! Resources: 2 added, 0 changed, 2 destroyed.")
        .run();
    // From here on every request must be served again.
    let broken = traffic.stop();
    assert!(
        broken.failed > 0,
        "the broken mount never showed: {broken:?}"
    );
    let traffic = Load::start(fleet.rest_port, 2);
    traffic.wait_for(100, Duration::from_secs(30));
    traffic.stop().assert_clean(100);
    fleet.detailed_plan().run();
    fleet
        .test()
        .args(&["status"])
        .stdout_contains("healthy")
        .run();
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
