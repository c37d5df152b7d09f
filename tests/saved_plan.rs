//! `tfs plan -o` and `tfs apply PLANFILE`, and the refusal of a stale plan.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, TestFleet};

#[test]
fn saved_plan_applies_while_fresh() {
    let fleet = TestFleet::new("saved");
    fleet.write(&fleet.toml().cpu(2));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .stdout_contains("Apply complete! Resources: 4 added")
        .run();
    fleet.detailed_plan().run();
}

#[test]
fn saved_plan_is_refused_when_the_fleet_changed() {
    let fleet = TestFleet::new("stale");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    fleet.write(&fleet.toml().cpu(3));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    assert!(
        docker(&["stop", "-t", "1", &format!("{}-cpu0", fleet.name)])
            .status
            .success()
    );
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .status(1)
        .stderr_contains("saved plan is stale: the fleet changed since it was planned")
        .run();
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
    fleet.write(&fleet.toml().cpu(2));
    fleet
        .test()
        .args(&["apply"])
        .status(1)
        .stderr_contains("--auto-approve")
        .run();
    assert!(fleet.containers().is_empty());
}
