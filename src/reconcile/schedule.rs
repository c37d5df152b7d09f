//! The order of a plan's operations: images first, the network, then strays out, new
//! slots in, replacements wave by wave through the balancer, and a last
//! switch to the converged upstream. Pure, like the rest of reconcile.

use super::operation::{Op, Operation, Removal};
use super::plan::{Action, Kind, Step};
use super::schedule_parts::{
    all, closing, converge, in_fleet_order, pull_reason, reload_waves, rollback_wave, switch,
};
use crate::desire::Desired;

/// A plan's operations, and what undoes a wave that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub operations: Vec<Operation>,
    /// Per wave (`wave` None: new slots and the final wait), run for the
    /// replicas of the wave that failed, then its closing switch.
    pub rollback: Vec<Operation>,
    /// Whether a balancer serves from the start, so that every change must keep it fed.
    pub balancer_live: bool,
}

/// Orders the steps into operations.
pub fn schedule(desired: &Desired, steps: &[Step]) -> Schedule {
    let mut schedule = Schedule::default();
    if steps.is_empty() {
        return schedule;
    }
    let of = |kind: Kind, action: Action| -> Vec<&Step> {
        steps
            .iter()
            .filter(|s| s.kind == kind && s.action == action)
            .collect()
    };
    let balancer = steps.iter().find(|s| s.kind == Kind::Balancer);
    let balancer_action = balancer.map(|s| s.action);
    // A balancer that runs now and is not recreated carries traffic
    // throughout; one being replaced carries it until it is swapped at the
    // end, if it serves at all.
    let live = match balancer {
        None => true,
        Some(step) => match step.action {
            Action::Create => false,
            Action::Replace => step
                .nginx_conf
                .as_ref()
                .is_some_and(|c| c.running.is_some()),
            _ => true,
        },
    };
    schedule.balancer_live = live;
    let new_balancer = balancer_action == Some(Action::Create);
    // Whether switch operations have a balancer to act on during the rollout.
    let fed = live || new_balancer;
    let ops = &mut schedule.operations;
    let balancer_name = desired.balancer.name.as_str();
    let name = |step: &Step| step.resource.clone();

    let mut images = Vec::new();
    if steps
        .iter()
        .any(|s| s.kind == Kind::Replica && matches!(s.action, Action::Create | Action::Replace))
    {
        images.extend(desired.replicas.first().map(|r| r.config.image.clone()));
    }
    if matches!(balancer_action, Some(Action::Create | Action::Replace)) {
        images.push(desired.balancer.container.image.clone());
    }
    images.dedup();
    for image in &images {
        ops.push(Operation::new(
            Op::PullImage,
            image,
            None,
            pull_reason(desired.pull),
        ));
    }

    // After the images: an apply refused for an image that cannot be had
    // leaves nothing behind, not even a network.
    if !of(Kind::Network, Action::Create).is_empty() {
        let network = &desired.network.name;
        ops.push(Operation::new(
            Op::CreateNetwork,
            network,
            None,
            "network does not exist",
        ));
    }

    // A replica updated in place serves throughout, like an unchanged one.
    let changing: Vec<&str> = steps
        .iter()
        .filter(|s| s.kind == Kind::Replica && s.action != Action::Update)
        .map(|s| s.resource.as_str())
        .collect();
    let replaces = of(Kind::Replica, Action::Replace);
    // The upstream as it should be at each point, in the fleet's order.
    let mut upstream: Vec<String> = Vec::new();
    if live {
        for replica in &desired.replicas {
            let unchanged = !changing.contains(&replica.name.as_str());
            let serving_old = replaces
                .iter()
                .any(|s| s.resource == replica.name && s.previous.is_some());
            if unchanged || serving_old {
                ops.push(Operation::new(
                    Op::CheckAvailable,
                    &replica.name,
                    None,
                    "only replicas that serve stay in the upstream",
                ));
                upstream.push(replica.name.clone());
            }
        }
    }

    let mut removes = of(Kind::Replica, Action::Remove);
    removes.extend(of(Kind::Container, Action::Remove));
    if !removes.is_empty() {
        if live {
            switch(
                ops,
                balancer_name,
                &upstream,
                None,
                "take unplaced replicas out",
            );
            ops.push(Operation::new(
                Op::Drain,
                balancer_name,
                None,
                "let their requests finish",
            ));
        }
        for step in &removes {
            let reason = step.reasons.join("; ");
            ops.push(Operation::new(
                Op::RemoveReplica {
                    removal: Removal::Unplaced,
                },
                &step.resource,
                None,
                reason,
            ));
        }
    }

    let creates = of(Kind::Replica, Action::Create);
    for step in &creates {
        ops.push(Operation::new(
            Op::StartReplica,
            &step.resource,
            None,
            "new slot",
        ));
    }
    if new_balancer {
        // Nothing to protect yet: the balancer starts beside the replicas,
        // its upstream empty, and the final switch fills it once they serve.
        ops.push(Operation::new(
            Op::StartBalancer {
                upstream: Vec::new(),
            },
            balancer_name,
            None,
            "balancer does not exist; it starts while the replicas load",
        ));
        ops.push(Operation::new(
            Op::StageConfig {
                upstream: all(desired),
            },
            balancer_name,
            None,
            "written and tested while the replicas load",
        ));
    }
    for step in &creates {
        ops.push(Operation::new(
            Op::WaitAvailable,
            &step.resource,
            None,
            "new slot",
        ));
    }
    let created: Vec<String> = creates.iter().map(|s| name(s)).collect();
    upstream = in_fleet_order(desired, |n| upstream.contains(n) || created.contains(n));
    schedule.rollback.extend(closing(
        balancer_name,
        &all(desired),
        None,
        "serve the replicas that are AVAILABLE",
    ));

    // With no live balancer there is no traffic to protect: replace everything at once.
    let size = if live {
        desired.rollout.max_unavailable.max(1) as usize
    } else {
        replaces.len().max(1)
    };
    for (index, wave) in replaces.chunks(size).enumerate() {
        let number = Some(index as u32 + 1);
        let names: Vec<String> = wave.iter().map(|s| name(s)).collect();
        upstream.retain(|n| !names.contains(n));
        if fed {
            switch(
                ops,
                balancer_name,
                &upstream,
                number,
                "take this wave out (and the last one back in)",
            );
            ops.push(Operation::new(
                Op::Drain,
                balancer_name,
                number,
                "let its requests finish",
            ));
        }
        let remove = Op::RemoveReplica {
            removal: Removal::Replaced,
        };
        for step in wave {
            ops.push(Operation::new(
                remove.clone(),
                &step.resource,
                number,
                step.reasons.join("; "),
            ));
        }
        for step in wave {
            ops.push(Operation::new(
                Op::StartReplica,
                &step.resource,
                number,
                "replacement",
            ));
        }
        for step in wave {
            ops.push(Operation::new(
                Op::WaitAvailable,
                &step.resource,
                number,
                "replacement",
            ));
        }
        rollback_wave(&mut schedule.rollback, wave, number);
        let restored = in_fleet_order(desired, |n| upstream.contains(n) || names.contains(n));
        if fed {
            schedule.rollback.extend(closing(
                balancer_name,
                &restored,
                number,
                "serve what is AVAILABLE again",
            ));
        }
        upstream = restored;
    }

    let replace_waves = replaces.len().div_ceil(size) as u32;
    reload_waves(
        &mut schedule,
        &of(Kind::Replica, Action::Update),
        replace_waves,
        size,
    );
    let ops = &mut schedule.operations;

    if balancer_action == Some(Action::Replace) {
        ops.push(Operation::new(
            Op::RemoveBalancer,
            balancer_name,
            None,
            balancer.map(|s| s.reasons.join("; ")).unwrap_or_default(),
        ));
        ops.push(Operation::new(
            Op::StartBalancer {
                upstream: all(desired),
            },
            balancer_name,
            None,
            "replacement",
        ));
    }
    converge(ops, desired, &changing);
    schedule
}
