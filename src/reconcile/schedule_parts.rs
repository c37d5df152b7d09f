//! The pieces the schedule is built from: switches, a wave's rollback, and
//! the upstream in the fleet's order.

use super::operation::{Op, Operation, Removal};
use super::plan::Step;
use super::schedule::Schedule;
use crate::desire::Desired;
use crate::load::PullPolicy;

/// For each replica of a failed wave: the failed container goes, the
/// previous spec comes back (when there was one) and is waited for.
pub fn rollback_wave(rollback: &mut Vec<Operation>, wave: &[&Step], number: Option<u32>) {
    for step in wave {
        rollback.push(Operation::new(
            Op::RemoveReplica {
                removal: Removal::Failed,
            },
            &step.resource,
            number,
            "did not become AVAILABLE",
        ));
        if step.previous.is_some() {
            rollback.push(Operation::new(
                Op::RestoreReplica,
                &step.resource,
                number,
                "put the previous spec back",
            ));
            rollback.push(Operation::new(
                Op::WaitAvailable,
                &step.resource,
                number,
                "previous spec",
            ));
        }
    }
}

pub fn closing(
    balancer: &str,
    upstream: &[String],
    wave: Option<u32>,
    reason: &str,
) -> Vec<Operation> {
    let mut ops = Vec::new();
    switch(&mut ops, balancer, upstream, wave, reason);
    ops
}

pub fn switch(
    ops: &mut Vec<Operation>,
    balancer: &str,
    upstream: &[String],
    wave: Option<u32>,
    reason: &str,
) {
    ops.push(Operation::new(
        Op::SwitchConfig {
            upstream: upstream.to_vec(),
        },
        balancer,
        wave,
        reason,
    ));
}

pub fn all(desired: &Desired) -> Vec<String> {
    desired.replicas.iter().map(|r| r.name.clone()).collect()
}

pub fn in_fleet_order(desired: &Desired, keep: impl Fn(&String) -> bool) -> Vec<String> {
    desired
        .replicas
        .iter()
        .map(|r| r.name.clone())
        .filter(|n| keep(n))
        .collect()
}

pub fn pull_reason(policy: PullPolicy) -> &'static str {
    match policy {
        PullPolicy::Always => "pull = \"always\"",
        PullPolicy::Missing => "pull = \"missing\": pulled only when not on the host",
        PullPolicy::Never => "pull = \"never\": must be on the host",
    }
}

/// Replicas updated in place, in waves of `size` after the `after` waves
/// of replacements: each reloads its models and stays in the upstream; a
/// wave that fails reloads what its failed replicas served before.
pub fn reload_waves(schedule: &mut Schedule, updates: &[&Step], after: u32, size: usize) {
    for (index, wave) in updates.chunks(size).enumerate() {
        let number = Some(after + index as u32 + 1);
        for step in wave {
            schedule.operations.push(Operation::new(
                Op::ReloadModels,
                &step.resource,
                number,
                step.reasons.join("; "),
            ));
            schedule.rollback.push(Operation::new(
                Op::RestoreModels,
                &step.resource,
                number,
                "serve the models it served before",
            ));
        }
    }
}

/// The end of every apply: replicas not replaced must serve too (one may
/// still be loading after an interrupted apply), then the balancer switches
/// to the converged upstream.
pub fn converge(ops: &mut Vec<Operation>, desired: &Desired, changing: &[&str]) {
    for replica in desired
        .replicas
        .iter()
        .filter(|r| !changing.contains(&r.name.as_str()))
    {
        ops.push(Operation::new(
            Op::WaitAvailable,
            &replica.name,
            None,
            "unchanged; must serve too",
        ));
    }
    switch(
        ops,
        &desired.balancer.name,
        &all(desired),
        None,
        "the converged upstream",
    );
}
