//! The operations a plan schedules, as data: literal fleets and host states
//! in, the ordered operation list (and its rollback) out, snapshotted like
//! docker compose's reconcile tests. No Docker.

#[path = "support/fleet_state.rs"]
mod fleet_state;

use fleet_state::{converged, Case, FOUR_GPUS};
use tfs::observe::Observed;
use tfs::reconcile::{reconcile, Op, Operation, Plan};

/// One line per operation: wave, op, target and the upstream it names.
fn lines(operations: &[Operation]) -> String {
    operations
        .iter()
        .map(|operation| {
            let wave = operation.wave.map_or("-".to_string(), |w| w.to_string());
            let upstream = match &operation.op {
                Op::StartBalancer { upstream }
                | Op::StageConfig { upstream }
                | Op::SwitchConfig { upstream } => format!(" [{}]", upstream.join(" ")),
                _ => String::new(),
            };
            format!(
                "{wave} {} {}{upstream}",
                operation.op.name(),
                operation.target
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn schedule(plan: &Plan) -> String {
    format!(
        "{}\n\nrollback:\n{}",
        lines(&plan.operations),
        lines(&plan.rollback)
    )
}

#[test]
fn first_apply_starts_the_balancer_beside_the_replicas() {
    let case = Case::new();
    let desired = case.desired(&FOUR_GPUS.replace("[0, 1, 2, 3]", "[0, 1]"));
    let plan = reconcile(&desired, &Observed::default()).unwrap();
    insta::assert_snapshot!(schedule(&plan));
}

#[test]
fn image_change_rolls_four_waves_with_one_reload_each() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = FOUR_GPUS.replace("2.17.0", "2.18.0");
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    let reloads = plan
        .operations
        .iter()
        .filter(|o| matches!(o.op, Op::SwitchConfig { .. }))
        .count();
    assert_eq!(reloads, 5);
    insta::assert_snapshot!(schedule(&plan));
}

#[test]
fn max_unavailable_two_makes_waves_of_two() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = format!(
        "{}\n[rollout]\nmax_unavailable = 2\n",
        FOUR_GPUS.replace("2.17.0", "2.18.0")
    );
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    let waves: Vec<Option<u32>> = plan
        .operations
        .iter()
        .filter(|o| matches!(o.op, Op::StartReplica))
        .map(|o| o.wave)
        .collect();
    assert_eq!(waves, [Some(1), Some(1), Some(2), Some(2)]);
    insta::assert_snapshot!(schedule(&plan));
}

#[test]
fn removed_gpu_leaves_the_upstream_before_its_container_goes() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let desired = case.desired(&FOUR_GPUS.replace("[0, 1, 2, 3]", "[0, 1, 3]"));
    let plan = reconcile(&desired, &observed).unwrap();
    let position = |name: &str| {
        plan.operations
            .iter()
            .position(|o| o.op.name() == name)
            .unwrap()
    };
    assert!(position("switch_config") < position("drain"));
    assert!(position("drain") < position("remove_replica"));
    insta::assert_snapshot!(schedule(&plan));
}

#[test]
fn balancer_only_change_is_one_switch() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = format!("{FOUR_GPUS}\n[balancer]\nstrategy = \"round_robin\"\n");
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    assert!(!plan
        .operations
        .iter()
        .any(|o| o.op.name().contains("replica") || o.op.name().contains("balancer")));
    insta::assert_snapshot!(schedule(&plan));
}

#[test]
fn operations_serialize_with_op_target_and_wave() {
    let case = Case::new();
    let observed = converged(&case.desired(FOUR_GPUS));
    let changed = FOUR_GPUS.replace("2.17.0", "2.18.0");
    let plan = reconcile(&case.desired(&changed), &observed).unwrap();
    let json = serde_json::to_value(&plan.operations).unwrap();
    let first_start = json
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == "start_replica")
        .unwrap();
    assert_eq!(first_start["target"], "demo-gpu0");
    assert_eq!(first_start["wave"], 1);
    let back: Vec<Operation> = serde_json::from_value(json).unwrap();
    assert_eq!(back, plan.operations);
}
