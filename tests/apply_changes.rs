//! Changing a live fleet: image tag, GPUs removed and added, drift by hand.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, docker_lines, TestFleet, STUB_IMAGE};

fn body(image: &str, gpus: &str) -> String {
    format!(
        "[serving]\nimage = \"{image}\"\npull = \"never\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[placement]\ngpus = {gpus}\n"
    )
}

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
    fleet.write(&body(STUB_IMAGE, "[0, 1]"));
    fleet.apply().ok();
    let before = container_ids(&fleet);

    fleet.write(&body(&tag, "[0, 1]"));
    let plan = fleet.tfs(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout
            .contains(&format!("image changed: {STUB_IMAGE} -> {tag}")),
        "{}",
        plan.stdout
    );
    let apply = fleet.apply().ok();
    assert!(
        apply
            .stdout
            .contains("Resources: 2 added, 0 changed, 2 destroyed."),
        "{}",
        apply.stdout
    );
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
    assert_eq!(fleet.tfs(&["plan", "--detailed-exitcode"]).code, 0);
    docker(&["rmi", &tag]);
}

#[test]
fn gpu_removed_then_added() {
    let fleet = TestFleet::new("regpu");
    fleet.write(&body(STUB_IMAGE, "[0, 1, 2]"));
    fleet.apply().ok();

    fleet.write(&body(STUB_IMAGE, "[0, 2]"));
    let apply = fleet.apply().ok();
    assert!(
        apply.stdout.contains("GPU 1 no longer in placement"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("Resources: 0 added, 1 changed, 1 destroyed."),
        "{}",
        apply.stdout
    );
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

    fleet.write(&body(STUB_IMAGE, "[0, 2, 3]"));
    let plan = fleet.tfs(&["plan"]).ok();
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let apply = fleet.apply().ok();
    assert!(
        apply
            .stdout
            .contains("Resources: 1 added, 1 changed, 0 destroyed."),
        "{}",
        apply.stdout
    );
    assert_eq!(fleet.containers().len(), 4);
}

#[test]
fn drift_by_hand_is_planned_and_repaired() {
    let fleet = TestFleet::new("drift");
    fleet.write(&body(STUB_IMAGE, "[0, 1, 2]"));
    fleet.apply().ok();
    assert!(
        docker(&["stop", "-t", "1", &format!("{}-gpu0", fleet.name)])
            .status
            .success()
    );
    assert!(docker(&["rm", "-f", &format!("{}-gpu1", fleet.name)])
        .status
        .success());

    let plan = fleet.tfs(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2);
    assert!(plan.stdout.contains("container exited"), "{}", plan.stdout);
    assert!(
        plan.stdout
            .contains(&format!("+ replica {}-gpu1", fleet.name)),
        "{}",
        plan.stdout
    );
    fleet.apply().ok();
    assert_eq!(fleet.tfs(&["plan", "--detailed-exitcode"]).code, 0);
}
