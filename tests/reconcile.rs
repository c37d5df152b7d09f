//! The reconciler as data: literal fleets, inventories and observed
//! containers in, plan text out. No Docker.

#[path = "support/fleet_state.rs"]
mod fleet_state;

use fleet_state::{converged, Case, FOUR_GPUS};
use tfs::desire::labels;
use tfs::engine::{ContainerState, Status};
use tfs::observe::Observed;
use tfs::reconcile::{reconcile, Plan, ReconcileError, ONLY_REPLICA_DOWNTIME};
use tfs::render::plan_text;

fn text(plan: &Plan) -> String {
    plan_text::render(plan, false)
}

#[test]
fn create_all() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let plan = reconcile(&desired, &Observed::default()).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn no_op() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let plan = reconcile(&desired, &converged(&desired)).unwrap();
    assert!(plan.is_empty());
    assert_eq!(text(&plan), "No changes. The fleet matches fleet.toml.\n");
}

#[test]
fn image_change() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let desired = case.desired(&FOUR_GPUS.replace("2.17.0-gpu", "2.18.0-gpu"));
    let plan = reconcile(&desired, &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn args_change() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = FOUR_GPUS.replace(
        "image = \"tensorflow/serving:2.17.0-gpu\"",
        "image = \"tensorflow/serving:2.17.0-gpu\"\nargs = [\"--file_system_poll_wait_seconds=5\"]",
    );
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn gpu_removed() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let desired = case.desired(&FOUR_GPUS.replace("[0, 1, 2, 3]", "[0, 1, 3]"));
    let plan = reconcile(&desired, &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn gpu_added() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let desired = case.desired(&FOUR_GPUS.replace("[0, 1, 2, 3]", "[0, 1, 2, 3, 4]"));
    let plan = reconcile(&desired, &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn replica_exited() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    observed.replicas[2].state = ContainerState {
        status: Status::Exited,
        exit_code: 137,
    };
    let plan = reconcile(&desired, &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn replica_missing() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    observed.replicas.remove(1);
    let plan = reconcile(&desired, &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn foreign_container_with_a_fleet_name() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    let mut stranger = observed.replicas.remove(0);
    stranger.labels.clear();
    observed.foreign_containers.push(stranger);
    let error = reconcile(&desired, &observed).unwrap_err();
    assert_eq!(
        error,
        ReconcileError::ForeignContainer {
            name: "demo-gpu0".to_string(),
            owner: "it has no tfs labels".to_string()
        }
    );
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn foreign_container_with_an_unused_name_is_ignored() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    let mut stranger = observed.replicas[0].clone();
    stranger.name = "demo-gpu7".to_string();
    stranger.labels.clear();
    observed.foreign_containers.push(stranger);
    assert!(reconcile(&desired, &observed).unwrap().is_empty());
}

#[test]
fn balancer_config_change() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = format!("{FOUR_GPUS}\n[balancer]\nstrategy = \"round_robin\"\nretries = 4\n");
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn balancer_address_change_replaces_it() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = format!("{FOUR_GPUS}\n[balancer]\nrest = \"0.0.0.0:9000\"\n");
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn per_gpu_two() {
    let case = Case::new();
    let desired =
        case.desired(&FOUR_GPUS.replace("gpus = [0, 1, 2, 3]", "gpus = [0, 1]\nper_gpu = 2"));
    let plan = reconcile(&desired, &Observed::default()).unwrap();
    insta::assert_snapshot!(text(&plan));
    assert!(desired.replicas[0]
        .config
        .args
        .contains(&"--per_process_gpu_memory_fraction=0.5".to_string()));
}

#[test]
fn cpu_mode() {
    let case = Case::new();
    let cpu = FOUR_GPUS
        .replace("gpus = [0, 1, 2, 3]", "gpus = \"none\"\nreplicas = 3")
        .replace("2.17.0-gpu", "2.17.0");
    let desired = case.desired(&cpu);
    let plan = reconcile(&desired, &Observed::default()).unwrap();
    insta::assert_snapshot!(text(&plan));
    assert!(desired
        .replicas
        .iter()
        .all(|r| r.config.device_id.is_none()));
}

#[test]
fn one_replica_replace_warns_of_downtime() {
    let case = Case::new();
    let one = FOUR_GPUS.replace("[0, 1, 2, 3]", "[0]");
    let observed = converged(&case.desired(&one));
    let plan = reconcile(
        &case.desired(&one.replace("2.17.0-gpu", "2.18.0-gpu")),
        &observed,
    )
    .unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert!(
        plan.steps[0]
            .reasons
            .contains(&ONLY_REPLICA_DOWNTIME.to_string()),
        "{:?}",
        plan.steps[0].reasons
    );
    insta::assert_snapshot!(text(&plan));
}

#[test]
fn replica_of_another_fleet_is_not_ours() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    let mut other = observed.replicas.remove(3);
    other
        .labels
        .insert(labels::FLEET.to_string(), "demo-2".to_string());
    observed.foreign_containers.push(other);
    let error = reconcile(&desired, &observed).unwrap_err();
    assert!(
        error.to_string().contains("it belongs to fleet \"demo-2\""),
        "{error}"
    );
}

#[test]
fn balancer_conf_moved_in_but_not_loaded_is_reloaded() {
    let case = Case::new();
    let desired = case.desired(FOUR_GPUS);
    let mut observed = converged(&desired);
    observed.balancer_conf_unloaded = true;
    let plan = reconcile(&desired, &observed).unwrap();
    assert_eq!(plan.steps.len(), 1);
    let step = &plan.steps[0];
    assert_eq!(
        step.reasons,
        vec!["nginx.conf on disk is not the loaded one (an apply was interrupted)".to_string()]
    );
    assert!(step.nginx_conf.as_ref().unwrap().unloaded);
}
