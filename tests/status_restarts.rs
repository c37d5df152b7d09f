//! A crash-looping replica is not healthy: `tfs status` shows its restart
//! count (RESTARTS; `restarts` in --json) and its last exit code, and
//! exits 1, while a fleet that never restarted shows 0 and exits 0.

#[path = "support/fleet.rs"]
mod fleet;

use std::time::{Duration, Instant};

use fleet::{restarts, TestFleet};

#[test]
fn a_replica_that_keeps_crashing_makes_status_fail_with_its_restarts() {
    let fleet = TestFleet::new("loop");
    fleet.write(
        &fleet
            .toml()
            .gpus(&[0, 1])
            .override_gpu(1, "args = [\"--stub_fail_after=1\"]"),
    );
    fleet.apply().run();
    fleet
        .test()
        .args(&["status"])
        .stdout_contains("RESTARTS")
        .run();

    let crashing = format!("{}-gpu1", fleet.name);
    let deadline = Instant::now() + Duration::from_secs(60);
    while restarts(&crashing) < 2 {
        assert!(Instant::now() < deadline, "{crashing} never crashed twice");
        // Each life of the crashing replica answers one predict, then exits.
        let _ = fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#);
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = fleet.test().args(&["status"]).status(1).run();
    let row = status
        .stdout
        .lines()
        .find(|line| line.starts_with(&crashing))
        .unwrap_or_else(|| panic!("no row for {crashing}:\n{}", status.stdout));
    let count: u32 = row.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(count >= 2, "{row}");
    assert!(status.stdout.contains("NOT healthy"), "{}", status.stdout);
    assert!(
        status
            .stdout
            .contains(&format!("{crashing}: Docker restarted it")),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("last exit code 1"),
        "{}",
        status.stdout
    );

    let json = fleet.test().args(&["status", "--json"]).status(1).run();
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["healthy"], false);
    let replicas = document["replicas"].as_array().unwrap();
    let looping = replicas
        .iter()
        .find(|r| r["name"] == crashing.as_str())
        .unwrap();
    assert!(looping["restarts"].as_u64().unwrap() >= 2, "{looping}");
    assert_eq!(looping["last_exit_code"], 1, "{looping}");
    let steady = replicas
        .iter()
        .find(|r| r["name"] != crashing.as_str())
        .unwrap();
    assert_eq!(steady["restarts"], 0, "{steady}");
}
