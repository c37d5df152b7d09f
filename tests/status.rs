//! `tfs status` and `tfs logs` against a live fleet.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, TestFleet};

#[test]
fn status_reports_health_and_requests_and_fails_when_a_replica_stops() {
    let fleet = TestFleet::new("status");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    for _ in 0..6 {
        assert_eq!(
            fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#).0,
            200
        );
    }
    let status = fleet.test().args(&["status", "--json"]).run();
    let document: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(document["healthy"], true);
    assert_eq!(document["balancer"]["answers"], true);
    let replicas = document["replicas"].as_array().unwrap();
    assert_eq!(replicas.len(), 2);
    let served: u64 = replicas
        .iter()
        .map(|r| r["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(served, 6, "{}", status.stdout);
    assert_eq!(
        replicas[0]["models"][0]["versions"][0]["state"],
        "AVAILABLE"
    );

    fleet
        .test()
        .args(&["status"])
        .stdout_starts_with(&format!("fleet \"{}\": healthy", fleet.name))
        .stdout_contains(&format!(
            "REST  http://127.0.0.1:{}/v1/models/half_plus_two",
            fleet.rest_port
        ))
        .run();

    assert!(
        docker(&["stop", "-t", "1", &format!("{}-cpu1", fleet.name)])
            .status
            .success()
    );
    fleet
        .test()
        .args(&["status"])
        .status(1)
        .stdout_contains("NOT healthy")
        .stdout_contains("exited")
        .run();
}

#[test]
fn status_fails_without_a_balancer() {
    let fleet = TestFleet::new("nobal");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    assert!(docker(&["rm", "-f", &format!("{}-balancer", fleet.name)])
        .status
        .success());
    fleet
        .test()
        .args(&["status"])
        .status(1)
        .stdout_contains("balancer: none")
        .run();
}

#[test]
fn logs_of_all_replicas_are_prefixed_and_one_replica_is_not() {
    let fleet = TestFleet::new("logs");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    let all = fleet.test().args(&["logs"]).run();
    for replica in ["cpu0", "cpu1"] {
        let prefix = format!("{}-{replica} | ", fleet.name);
        assert!(
            all.stdout
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains("Successfully loaded servable")),
            "{}",
            all.stdout
        );
    }
    let one = fleet
        .test()
        .args(&["logs", "cpu1", "--tail", "1"])
        .stdout_lacks(" | ")
        .run();
    assert_eq!(one.stdout.lines().count(), 1, "{}", one.stdout);
    fleet
        .test()
        .args(&["logs", "cpu7"])
        .status(1)
        .stderr_contains(&format!("choose one of: {}-cpu0", fleet.name))
        .run();
}
