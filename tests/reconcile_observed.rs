//! What observe learns beyond the containers, as data: a running replica
//! that serves nothing, and labelled containers that are no slot's replica.
//! No Docker.

#[path = "support/fleet_state.rs"]
mod fleet_state;

use fleet_state::{converged, Case, FOUR_GPUS};
use tfs::desire::labels;
use tfs::engine::Container;
use tfs::observe::Serving;
use tfs::reconcile::{reconcile, Action, Kind, Plan};
use tfs::render::plan_text;

fn text(plan: &Plan) -> String {
    plan_text::render(plan, false)
}

#[test]
fn a_running_replica_that_serves_nothing_is_replaced_with_its_reason() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    observed.serving.insert(
        "demo-gpu2".to_string(),
        Serving::Unavailable("models not AVAILABLE: half_plus_two:123 END".to_string()),
    );
    for other in ["demo-gpu0", "demo-gpu1", "demo-gpu3"] {
        observed
            .serving
            .insert(other.to_string(), Serving::Available);
    }
    let plan = reconcile(&desired, &observed).unwrap();
    let replaced: Vec<(&str, &Vec<String>)> = plan
        .steps
        .iter()
        .map(|step| (step.resource.as_str(), &step.reasons))
        .collect();
    assert_eq!(
        replaced,
        [(
            "demo-gpu2",
            &vec!["models not AVAILABLE: half_plus_two:123 END".to_string()]
        )]
    );
    assert_eq!(plan.steps[0].action, Action::Replace);
}

#[test]
fn stray_labelled_containers_get_reasons_true_of_them() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    let template = observed.replicas[0].clone();
    let stray = |name: &str, labels: &[(&str, &str)]| Container {
        id: format!("id-{name}"),
        name: name.to_string(),
        labels: labels
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect(),
        ..template.clone()
    };
    observed
        .replicas
        .push(stray("demo-handmade", &[(labels::FLEET, "demo")]));
    observed.replicas.push(stray(
        "demo-balancer2",
        &[
            (labels::FLEET, "demo"),
            (labels::ROLE, labels::ROLE_BALANCER),
        ],
    ));
    observed.replicas.push(stray(
        "demo-gpu7",
        &[
            (labels::FLEET, "demo"),
            (labels::ROLE, labels::ROLE_REPLICA),
            (labels::SLOT, "gpu7"),
        ],
    ));
    let plan = reconcile(&desired, &observed).unwrap();
    let removals: Vec<(Kind, &str, &str)> = plan
        .steps
        .iter()
        .filter(|step| step.action == Action::Remove)
        .map(|step| (step.kind, step.resource.as_str(), step.reasons[0].as_str()))
        .collect();
    assert_eq!(
        removals,
        [
            (
                Kind::Container,
                "demo-handmade",
                "labelled tfs.fleet=demo but not made by tfs (it has no tfs.role label)"
            ),
            (
                Kind::Container,
                "demo-balancer2",
                "a second balancer of this fleet: the fleet runs one"
            ),
            (Kind::Replica, "demo-gpu7", "GPU 7 no longer in placement"),
        ]
    );
    let text = text(&plan);
    assert!(text.contains("- container demo-handmade"), "{text}");
    assert!(!text.contains("replica demo-balancer2"), "{text}");
}

#[test]
fn a_replica_told_other_versions_is_reloaded_in_place() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    let told = observed.models.get_mut("demo-gpu1").unwrap();
    told[0].versions = vec![999];
    let plan = reconcile(&desired, &observed).unwrap();
    let steps: Vec<(&str, Action, &Vec<String>)> = plan
        .steps
        .iter()
        .map(|step| (step.resource.as_str(), step.action, &step.reasons))
        .collect();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!((steps[0].0, steps[0].1), ("demo-gpu1", Action::Update));
    assert!(
        steps[0].2[0].starts_with("half_plus_two: versions [999] -> "),
        "{steps:?}"
    );
    // What it serves now is what a failed reload goes back to.
    let previous = plan.steps[0].previous.as_ref().unwrap();
    assert_eq!(previous.models[0].versions, [999]);
    let ops: Vec<(&str, &str, Option<u32>)> = plan
        .operations
        .iter()
        .filter(|o| o.target == "demo-gpu1")
        .map(|o| (o.op.name(), o.target.as_str(), o.wave))
        .collect();
    assert!(
        ops.contains(&("reload_models", "demo-gpu1", Some(1))),
        "{ops:?}"
    );
    assert!(
        !ops.iter().any(|(op, _, _)| *op == "remove_replica"),
        "an in-place update removes nothing: {ops:?}"
    );
    let rollback: Vec<(&str, Option<u32>)> = plan
        .rollback
        .iter()
        .filter(|o| o.target == "demo-gpu1")
        .map(|o| (o.op.name(), o.wave))
        .collect();
    assert_eq!(rollback, [("restore_models", Some(1))]);
    assert!(
        text(&plan).contains("~ replica demo-gpu1"),
        "{}",
        text(&plan)
    );
}

/// After a reload in place, the container's labels still say what it was
/// created serving; a replacement must count it by what it serves now, or
/// the check that keeps it in the upstream asks for versions it unloaded.
#[test]
fn a_replica_reloaded_in_place_then_replaced_is_counted_by_what_it_serves() {
    let case = Case::new();
    let old = case.desired(FOUR_GPUS);
    let mut observed = converged(&old);
    for told in observed.models.values_mut() {
        told[0].versions = vec![124];
    }
    let desired = case.desired(&FOUR_GPUS.replace("2.17.0", "2.18.0"));
    let plan = reconcile(&desired, &observed).unwrap();
    let replaced: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| step.action == Action::Replace)
        .map(|step| step.resource.as_str())
        .collect();
    assert_eq!(replaced.len(), 4, "{}", text(&plan));
    for step in plan.steps.iter().filter(|s| s.action == Action::Replace) {
        let previous = step.previous.as_ref().expect("a serving replica's spec");
        assert_eq!(previous.models[0].versions, [124], "{}", step.resource);
    }
    // Every old replica is checked, so the first switch keeps three.
    let checked = plan
        .operations
        .iter()
        .filter(|o| o.op.name() == "check_available")
        .count();
    assert_eq!(checked, 4);
}
