//! CPU mode: replicas without GPUs.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;

use fleet::TestFleet;

#[test]
fn three_cpu_replicas_serve() {
    let fleet = TestFleet::new("cpu");
    fleet.write(
        "[serving]\nimage = \"tfs-serving-stub:latest\"\npull = \"never\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[placement]\ngpus = \"none\"\nreplicas = 3\n",
    );
    let apply = fleet.apply().ok();
    assert!(
        apply.stdout.contains("Resources: 5 added"),
        "{}",
        apply.stdout
    );
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
