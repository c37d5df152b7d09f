//! CPU mode: replicas without GPUs.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;

use fleet::TestFleet;

#[test]
fn three_cpu_replicas_serve() {
    let fleet = TestFleet::new("cpu");
    fleet.write(&fleet.toml().cpu(3));
    fleet.apply().stdout_contains("Resources: 5 added").run();
    let mut replicas = BTreeSet::new();
    for _ in 0..30 {
        let (status, body, gpu, replica) =
            fleet.predict("half_plus_two", r#"{"instances": [2.0]}"#);
        assert_eq!((status, gpu.as_str()), (200, "none"), "{body}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({"predictions": [3.0]})
        );
        replicas.insert(replica);
    }
    let expected: BTreeSet<String> = (0..3).map(|i| format!("{}-cpu{i}", fleet.name)).collect();
    assert_eq!(replicas, expected);
}
