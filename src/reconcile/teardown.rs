use super::plan::{Action, Kind, Step};
use crate::desire::labels;
use crate::observe::Observed;

/// The steps that remove everything the fleet owns: balancer, replicas, network.
pub fn teardown(observed: &Observed) -> Vec<Step> {
    let removal = |kind: Kind, name: &str, slot: Option<String>| Step {
        action: Action::Remove,
        kind,
        resource: name.to_string(),
        slot,
        gpu: None,
        reasons: vec!["tfs destroy".to_string()],
        nginx_conf: None,
        previous: None,
    };
    let mut steps = Vec::new();
    if let Some(balancer) = &observed.balancer {
        steps.push(removal(Kind::Balancer, &balancer.name, None));
    }
    for replica in &observed.replicas {
        steps.push(removal(
            Kind::Replica,
            &replica.name,
            replica.labels.get(labels::SLOT).cloned(),
        ));
    }
    if let Some(network) = &observed.network {
        steps.push(removal(Kind::Network, &network.name, None));
    }
    steps
}
