//! `tfs destroy`'s plan: everything the fleet's labels mark, and nothing else.

use super::operation::{Op, Operation, Removal};
use super::plan::{Action, Kind, Step};
use super::stray::stray_kind;
use crate::desire::labels;
use crate::observe::Observed;

/// The steps and operations that remove a fleet: balancer first (traffic
/// stops cleanly), then the replicas together, then the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Teardown {
    pub steps: Vec<Step>,
    pub operations: Vec<Operation>,
}

pub fn teardown(observed: &Observed) -> Teardown {
    const REASON: &str = "tfs destroy";
    let removal = |kind: Kind, name: &str, slot: Option<String>| Step {
        action: Action::Remove,
        kind,
        resource: name.to_string(),
        slot,
        gpu: None,
        reasons: vec![REASON.to_string()],
        nginx_conf: None,
        previous: None,
    };
    let mut teardown = Teardown {
        steps: Vec::new(),
        operations: Vec::new(),
    };
    if let Some(balancer) = &observed.balancer {
        teardown
            .steps
            .push(removal(Kind::Balancer, &balancer.name, None));
        teardown.operations.push(Operation::new(
            Op::RemoveBalancer,
            &balancer.name,
            None,
            REASON,
        ));
    }
    for replica in &observed.replicas {
        let slot = replica.labels.get(labels::SLOT).cloned();
        teardown
            .steps
            .push(removal(stray_kind(replica), &replica.name, slot));
        teardown.operations.push(Operation::new(
            Op::RemoveReplica {
                removal: Removal::Destroyed,
            },
            &replica.name,
            None,
            REASON,
        ));
    }
    if let Some(network) = &observed.network {
        teardown
            .steps
            .push(removal(Kind::Network, &network.name, None));
        teardown.operations.push(Operation::new(
            Op::RemoveNetwork,
            &network.name,
            None,
            REASON,
        ));
    }
    teardown
}
