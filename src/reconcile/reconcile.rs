//! desired × observed → plan. Pure: no I/O, no prompts, no printing.

use std::collections::BTreeSet;

use super::differences::{balancer_differences, list_change, replica_differences};
use super::in_place::in_place;
use super::plan::{Action, ConfChange, Kind, Plan, Step};
use super::schedule::{schedule, Schedule};
use super::stray::{stray_kind, stray_reason};
use super::tags::{moved_from, tag_moved, tag_warnings};
use crate::desire::{labels, Desired, ReplicaSpec};
use crate::engine::Container;
use crate::observe::{Observed, Serving};

/// Planning stopped: the host holds something in the fleet's way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReconcileError {
    #[error("container \"{name}\" has a name the fleet uses, but it is not labelled as this fleet's ({owner}); tfs will not touch it\nhint: rename or remove it yourself (docker rm {name}), or choose another fleet name")]
    ForeignContainer { name: String, owner: String },
    #[error("network \"{name}\" has the name of the fleet's network, but it is not labelled as this fleet's; tfs will not touch it\nhint: remove it yourself (docker network rm {name}), or choose another fleet name")]
    ForeignNetwork { name: String },
}

/// Said of a replacement when the fleet has no other replica to serve meanwhile.
pub const ONLY_REPLICA_DOWNTIME: &str =
    "causes downtime: the fleet has one replica, so nothing serves until the new one is AVAILABLE";

/// `desired` with the balancer as the one observed runs it: the nginx
/// version in its labels decides what its config may use.
pub fn as_running(desired: &Desired, observed: &Observed) -> Desired {
    Desired {
        balancer: desired
            .balancer
            .for_running(observed.balancer.as_ref().map(|c| &c.labels)),
        ..desired.clone()
    }
}

pub fn reconcile(desired: &Desired, observed: &Observed) -> Result<Plan, ReconcileError> {
    let desired = &as_running(desired, observed);
    check_foreign(desired, observed)?;
    let mut steps = Vec::new();
    if observed.network.is_none() {
        steps.push(step(
            Action::Create,
            Kind::Network,
            &desired.network.name,
            vec!["network does not exist".to_string()],
        ));
    }
    for replica in &desired.replicas {
        match observed
            .replicas
            .iter()
            .find(|container| container.name == replica.name)
        {
            None => steps.push(replica_step(
                Action::Create,
                replica,
                vec!["no container for this slot".to_string()],
            )),
            Some(container) => {
                if let Some(update) = in_place(replica, container, observed) {
                    steps.push(update);
                    continue;
                }
                let reasons = replica_reasons(replica, container, observed, &desired.network.name);
                if !reasons.is_empty() {
                    let mut replacement = replica_step(Action::Replace, replica, reasons);
                    // Only a serving container with another spec (or another image
                    // under the same tag, pinned by id) is worth putting back
                    // when its replacement fails.
                    let moved_from = moved_from(observed, &replica.config.image, &container.name);
                    if container.state.is_running()
                        && (container.labels.get(labels::CONFIG_HASH) != Some(&replica.config_hash)
                            || moved_from.is_some())
                    {
                        replacement.previous = ReplicaSpec::from_labels(
                            &replica.name,
                            replica.weight,
                            &container.labels,
                        )
                        .map(|mut spec| {
                            if let Some(id) = moved_from {
                                spec.config.image = id;
                            }
                            // What it serves now: a reload in place since its
                            // creation is in its models file, not its labels.
                            if let Some(served) = observed.models.get(&container.name) {
                                spec.models = served.clone();
                            }
                            spec
                        });
                    }
                    steps.push(replacement);
                }
            }
        }
    }
    let wanted: BTreeSet<&str> = desired
        .replicas
        .iter()
        .map(|replica| replica.name.as_str())
        .collect();
    for container in observed
        .replicas
        .iter()
        .filter(|c| !wanted.contains(c.name.as_str()))
    {
        let mut removal = step(
            Action::Remove,
            stray_kind(container),
            &container.name,
            vec![stray_reason(container, desired.host_gpus.as_deref())],
        );
        removal.slot = container.labels.get(labels::SLOT).cloned();
        steps.push(removal);
    }
    if let Some(balancer) = balancer_step(desired, observed) {
        steps.push(balancer);
    }
    if desired.replicas.len() == 1 {
        for step in steps
            .iter_mut()
            .filter(|s| s.kind == Kind::Replica && s.action == Action::Replace)
        {
            step.reasons.push(ONLY_REPLICA_DOWNTIME.to_string());
        }
    }
    let mut warnings = desired.warnings.clone();
    warnings.extend(tag_warnings(observed));
    let Schedule {
        operations,
        rollback,
        balancer_live,
    } = schedule(desired, &steps);
    let loaded_conf = match steps.iter().find(|s| s.kind == Kind::Balancer) {
        Some(step) => step
            .nginx_conf
            .as_ref()
            .filter(|conf| !conf.unloaded)
            .and_then(|conf| conf.running.clone()),
        None => Some(desired.balancer.conf.clone()),
    };
    Ok(Plan {
        fleet: desired.fleet.clone(),
        steps,
        operations,
        rollback,
        loaded_conf,
        balancer_live,
        desired: desired.clone(),
        fingerprint: observed.fingerprint(),
        warnings,
    })
}

fn check_foreign(desired: &Desired, observed: &Observed) -> Result<(), ReconcileError> {
    let names: BTreeSet<&str> = desired
        .replicas
        .iter()
        .map(|replica| replica.name.as_str())
        .chain([desired.balancer.name.as_str()])
        .collect();
    if let Some(container) = observed
        .foreign_containers
        .iter()
        .find(|c| names.contains(c.name.as_str()))
    {
        let owner = match container.labels.get(labels::FLEET) {
            Some(other) => format!("it belongs to fleet \"{other}\""),
            None => "it has no tfs labels".to_string(),
        };
        return Err(ReconcileError::ForeignContainer {
            name: container.name.clone(),
            owner,
        });
    }
    if let Some(network) = observed
        .foreign_networks
        .iter()
        .find(|n| n.name == desired.network.name)
    {
        return Err(ReconcileError::ForeignNetwork {
            name: network.name.clone(),
        });
    }
    Ok(())
}

fn replica_reasons(
    replica: &ReplicaSpec,
    container: &Container,
    observed: &Observed,
    network: &str,
) -> Vec<String> {
    let mut reasons = replica_differences(&replica.config, &replica.config_hash, container);
    if reasons.is_empty() {
        let image = &replica.config.image;
        if let Some(tag) = observed.images.get(image) {
            reasons.extend(tag_moved(image, tag, &container.name));
        }
    }
    if !container.state.is_running() {
        reasons.insert(0, container.state.describe());
    } else if let Some(Serving::Unavailable(why)) = observed.serving.get(&container.name) {
        // Runs, but serves nothing: only a new container mounts the model directory afresh.
        reasons.insert(0, why.clone());
    }
    if !container.networks.contains_key(network) {
        reasons.push(format!("not attached to network {network}"));
    }
    reasons
}

fn balancer_step(desired: &Desired, observed: &Observed) -> Option<Step> {
    let spec = &desired.balancer;
    let conf = spec.conf.clone();
    let upstream: Vec<String> = desired.replicas.iter().map(|r| r.name.clone()).collect();
    let change = |running: Option<&String>| {
        Some(ConfChange {
            running: running.cloned(),
            desired: conf.clone(),
            upstream: upstream.clone(),
            unloaded: observed.balancer_conf_unloaded,
        })
    };
    let Some(container) = &observed.balancer else {
        let mut creation = step(
            Action::Create,
            Kind::Balancer,
            &spec.name,
            vec!["balancer does not exist".to_string()],
        );
        creation.nginx_conf = change(None);
        return Some(creation);
    };
    let mut reasons = balancer_differences(&spec.container, &spec.config_hash, container);
    if reasons.is_empty() {
        let image = &spec.container.image;
        if let Some(tag) = observed.images.get(image) {
            reasons.extend(tag_moved(image, tag, &container.name));
        }
    }
    if !container.state.is_running() {
        reasons.insert(0, container.state.describe());
    }
    if !reasons.is_empty() {
        let mut replacement = step(Action::Replace, Kind::Balancer, &spec.name, reasons);
        replacement.nginx_conf = change(observed.balancer_conf.as_ref());
        return Some(replacement);
    }
    if observed.balancer_conf.as_deref() == Some(conf.as_str()) && !observed.balancer_conf_unloaded
    {
        return None;
    }
    let reason = match &observed.balancer_conf {
        _ if observed.balancer_conf_unloaded => {
            "nginx.conf on disk is not the loaded one (an apply was interrupted)".to_string()
        }
        None => "nginx.conf is missing".to_string(),
        Some(_) => {
            let mut wanted: Vec<String> = upstream.clone();
            wanted.sort();
            match &observed.balancer_upstream {
                Some(running) if *running != wanted => {
                    format!("upstream changed: {}", list_change(running, &wanted))
                }
                _ => "nginx.conf changed".to_string(),
            }
        }
    };
    let mut update = step(Action::Update, Kind::Balancer, &spec.name, vec![reason]);
    update.nginx_conf = change(observed.balancer_conf.as_ref());
    Some(update)
}

fn step(action: Action, kind: Kind, resource: &str, reasons: Vec<String>) -> Step {
    Step {
        action,
        kind,
        resource: resource.to_string(),
        slot: None,
        gpu: None,
        reasons,
        nginx_conf: None,
        previous: None,
    }
}

pub(super) fn replica_step(action: Action, replica: &ReplicaSpec, reasons: Vec<String>) -> Step {
    Step {
        slot: Some(replica.slot.clone()),
        gpu: replica.gpu.clone(),
        ..step(action, Kind::Replica, &replica.name, reasons)
    }
}
