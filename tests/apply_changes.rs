//! Changing a live fleet: image tag, GPUs removed and added, drift by hand.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, docker_lines, TestFleet, STUB_IMAGE};

fn container_ids(fleet: &TestFleet) -> Vec<String> {
    docker_lines(&[
        "ps",
        "-q",
        "--no-trunc",
        "--filter",
        "label=tfs.role=replica",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
    ])
}

#[test]
fn image_tag_change_replaces_every_replica() {
    let fleet = TestFleet::new("image");
    let tag = format!("tfs-serving-stub:{}", fleet.name);
    assert!(docker(&["tag", STUB_IMAGE, &tag]).status.success());
    fleet.write(&fleet.toml().gpus(&[0, 1]));
    fleet.apply().run();
    let before = container_ids(&fleet);

    fleet.write(&fleet.toml().image(&tag).gpus(&[0, 1]));
    fleet
        .detailed_plan()
        .status(2)
        .stdout_contains(&format!("image changed: {STUB_IMAGE} -> {tag}"))
        .run();
    fleet
        .apply()
        .stdout_contains("Resources: 2 added, 0 changed, 2 destroyed.")
        .run();
    let after = container_ids(&fleet);
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|id| !before.contains(id)));
    let images = docker_lines(&[
        "ps",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
        "--filter",
        "label=tfs.role=replica",
        "--format",
        "{{.Image}}",
    ]);
    assert_eq!(images, vec![tag.clone(), tag.clone()]);
    fleet.detailed_plan().run();
    docker(&["rmi", &tag]);
}

#[test]
fn gpu_removed_then_added() {
    let fleet = TestFleet::new("regpu");
    fleet.write(&fleet.toml().gpus(&[0, 1, 2]));
    fleet.apply().run();

    fleet.write(&fleet.toml().gpus(&[0, 2]));
    fleet
        .apply()
        .stdout_contains("GPU 1 no longer in placement")
        .stdout_contains("Resources: 0 added, 1 changed, 1 destroyed.")
        .run();
    assert_eq!(
        fleet.containers(),
        vec![
            format!("{}-balancer", fleet.name),
            format!("{}-gpu0", fleet.name),
            format!("{}-gpu2", fleet.name)
        ]
    );
    let conf = docker_lines(&[
        "exec",
        &format!("{}-balancer", fleet.name),
        "cat",
        "/etc/nginx/nginx.conf",
    ]);
    assert!(
        !conf
            .iter()
            .any(|line| line.contains(&format!("{}-gpu1:", fleet.name))),
        "{conf:?}"
    );
    let gpus: std::collections::BTreeSet<String> = (0..20)
        .map(|_| fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#).2)
        .collect();
    assert_eq!(gpus, ["0", "2"].iter().map(|s| s.to_string()).collect());

    fleet.write(&fleet.toml().gpus(&[0, 2, 3]));
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains("Plan: 1 to add, 1 to change, 0 to destroy.")
        .run();
    fleet
        .apply()
        .stdout_contains("Resources: 1 added, 1 changed, 0 destroyed.")
        .run();
    assert_eq!(fleet.containers().len(), 4);
}

#[test]
fn drift_by_hand_is_planned_and_repaired() {
    let fleet = TestFleet::new("drift");
    fleet.write(&fleet.toml().gpus(&[0, 1, 2]));
    fleet.apply().run();
    assert!(
        docker(&["stop", "-t", "1", &format!("{}-gpu0", fleet.name)])
            .status
            .success()
    );
    assert!(docker(&["rm", "-f", &format!("{}-gpu1", fleet.name)])
        .status
        .success());

    fleet
        .detailed_plan()
        .status(2)
        .stdout_contains("container exited")
        .stdout_contains(&format!("+ replica {}-gpu1", fleet.name))
        .run();
    fleet.apply().run();
    fleet.detailed_plan().run();
}
