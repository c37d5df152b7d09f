//! `tfs status` and `tfs logs` against a live fleet.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, TestFleet};

const TWO_CPU: &str = "[serving]\nimage = \"tfs-serving-stub:latest\"\npull = \"never\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[placement]\ngpus = \"none\"\nreplicas = 2\n";

#[test]
fn status_reports_health_and_requests_and_fails_when_a_replica_stops() {
    let fleet = TestFleet::new("status");
    fleet.write(TWO_CPU);
    fleet.apply().ok();
    for _ in 0..6 {
        assert_eq!(
            fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#).0,
            200
        );
    }
    let status = fleet.tfs(&["status", "--json"]).ok();
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

    let text = fleet.tfs(&["status"]).ok();
    assert!(
        text.stdout
            .starts_with(&format!("fleet \"{}\": healthy", fleet.name)),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!(
            "REST  http://127.0.0.1:{}/v1/models/half_plus_two",
            fleet.rest_port
        )),
        "{}",
        text.stdout
    );

    assert!(
        docker(&["stop", "-t", "1", &format!("{}-cpu1", fleet.name)])
            .status
            .success()
    );
    let degraded = fleet.tfs(&["status"]);
    assert_eq!(degraded.code, 1, "{}", degraded.stdout);
    assert!(
        degraded.stdout.contains("NOT healthy"),
        "{}",
        degraded.stdout
    );
    assert!(degraded.stdout.contains("exited"), "{}", degraded.stdout);
}

#[test]
fn status_fails_without_a_balancer() {
    let fleet = TestFleet::new("nobal");
    fleet.write(TWO_CPU);
    fleet.apply().ok();
    assert!(docker(&["rm", "-f", &format!("{}-balancer", fleet.name)])
        .status
        .success());
    let status = fleet.tfs(&["status"]);
    assert_eq!(status.code, 1);
    assert!(
        status.stdout.contains("balancer: none"),
        "{}",
        status.stdout
    );
}

#[test]
fn logs_of_all_replicas_are_prefixed_and_one_replica_is_not() {
    let fleet = TestFleet::new("logs");
    fleet.write(TWO_CPU);
    fleet.apply().ok();
    let all = fleet.tfs(&["logs"]).ok();
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
    let one = fleet.tfs(&["logs", "cpu1", "--tail", "1"]).ok();
    assert_eq!(one.stdout.lines().count(), 1, "{}", one.stdout);
    assert!(!one.stdout.contains(" | "), "{}", one.stdout);
    let missing = fleet.tfs(&["logs", "cpu7"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stderr
            .contains(&format!("choose one of: {}-cpu0", fleet.name)),
        "{}",
        missing.stderr
    );
}
