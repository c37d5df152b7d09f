//! `tfs plan -o` and `tfs apply PLANFILE`, and the refusal of a stale plan.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, TestFleet};

const BODY: &str = "[serving]\nimage = \"tfs-serving-stub:latest\"\npull = \"never\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[placement]\ngpus = \"none\"\nreplicas = 2\n";

#[test]
fn saved_plan_applies_while_fresh() {
    let fleet = TestFleet::new("saved");
    fleet.write(BODY);
    fleet.tfs(&["plan", "-o", "fleet.plan"]).ok();
    let apply = fleet.tfs(&["apply", "fleet.plan"]).ok();
    assert!(
        apply.stdout.contains("Apply complete! Resources: 4 added"),
        "{}",
        apply.stdout
    );
    assert_eq!(fleet.tfs(&["plan", "--detailed-exitcode"]).code, 0);
}

#[test]
fn saved_plan_is_refused_when_the_fleet_changed() {
    let fleet = TestFleet::new("stale");
    fleet.write(BODY);
    fleet.apply().ok();
    fleet.write(&BODY.replace("replicas = 2", "replicas = 3"));
    fleet.tfs(&["plan", "-o", "fleet.plan"]).ok();
    assert!(
        docker(&["stop", "-t", "1", &format!("{}-cpu0", fleet.name)])
            .status
            .success()
    );
    let apply = fleet.tfs(&["apply", "fleet.plan"]);
    assert_eq!(apply.code, 1);
    assert!(
        apply
            .stderr
            .contains("saved plan is stale: the fleet changed since it was planned"),
        "{}",
        apply.stderr
    );
    assert_eq!(
        fleet.containers().len(),
        3,
        "nothing was created: {:?}",
        fleet.containers()
    );
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let fleet = TestFleet::new("approve");
    fleet.write(BODY);
    let apply = fleet.tfs(&["apply"]);
    assert_eq!(apply.code, 1);
    assert!(apply.stderr.contains("--auto-approve"), "{}", apply.stderr);
    assert!(fleet.containers().is_empty());
}
