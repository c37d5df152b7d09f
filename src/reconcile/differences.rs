//! Why an existing container differs from its spec, in words.

use crate::desire::{BalancerContainer, ReplicaConfig};
use crate::engine::Container;

/// Reasons a replica must be recreated; empty when it matches.
pub fn replica_differences(
    desired: &ReplicaConfig,
    desired_hash: &str,
    observed: &Container,
) -> Vec<String> {
    use crate::desire::labels;
    let mut reasons = Vec::new();
    if observed.labels.get(labels::CONFIG_HASH).map(String::as_str) == Some(desired_hash) {
        // The label says it was created from this spec; check it was not changed by hand since.
        if observed.image != desired.image || observed.args != desired.args {
            reasons.push(
                "container differs from the spec it was created with (changed outside tfs)"
                    .to_string(),
            );
        }
        return reasons;
    }
    let Some(previous) = observed
        .labels
        .get(labels::SPEC)
        .and_then(|spec| serde_json::from_str::<ReplicaConfig>(spec).ok())
    else {
        return vec!["configuration changed (no readable tfs.spec label)".to_string()];
    };
    if previous.image != desired.image {
        reasons.push(format!(
            "image changed: {} -> {}",
            previous.image, desired.image
        ));
    }
    if previous.args != desired.args {
        reasons.push(format!(
            "args changed: {}",
            list_change(&previous.args, &desired.args)
        ));
    }
    if previous.env != desired.env {
        let before: Vec<String> = previous
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let after: Vec<String> = desired
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        reasons.push(format!("env changed: {}", list_change(&before, &after)));
    }
    if previous.mounts != desired.mounts
        || previous.files != desired.files
        || previous.models != desired.models
    {
        reasons.push("models changed".to_string());
    }
    if previous.device_id != desired.device_id {
        let show = |id: &Option<String>| id.clone().unwrap_or_else(|| "none".to_string());
        reasons.push(format!(
            "GPU device changed: {} -> {}",
            show(&previous.device_id),
            show(&desired.device_id)
        ));
    }
    if previous.rest_port != desired.rest_port || previous.grpc_port != desired.grpc_port {
        reasons.push(format!(
            "ports changed: rest {} grpc {} -> rest {} grpc {}",
            previous.rest_port, previous.grpc_port, desired.rest_port, desired.grpc_port
        ));
    }
    if reasons.is_empty() {
        reasons.push("configuration hash changed".to_string());
    }
    reasons
}

/// Reasons the balancer container must be recreated; empty when it matches.
pub fn balancer_differences(
    desired: &BalancerContainer,
    desired_hash: &str,
    observed: &Container,
) -> Vec<String> {
    use crate::desire::labels;
    if observed.labels.get(labels::CONFIG_HASH).map(String::as_str) == Some(desired_hash) {
        return Vec::new();
    }
    let Some(previous) = observed
        .labels
        .get(labels::SPEC)
        .and_then(|spec| serde_json::from_str::<BalancerContainer>(spec).ok())
    else {
        return vec!["configuration changed (no readable tfs.spec label)".to_string()];
    };
    let mut reasons = Vec::new();
    if previous.image != desired.image {
        reasons.push(format!(
            "image changed: {} -> {}",
            previous.image, desired.image
        ));
    }
    if previous.rest != desired.rest {
        reasons.push(format!(
            "REST address changed: {} -> {}",
            previous.rest, desired.rest
        ));
    }
    if previous.grpc != desired.grpc {
        let show = |address: Option<std::net::SocketAddr>| {
            address.map_or("none".to_string(), |a| a.to_string())
        };
        reasons.push(format!(
            "gRPC address changed: {} -> {}",
            show(previous.grpc),
            show(desired.grpc)
        ));
    }
    if reasons.is_empty() {
        reasons.push("configuration hash changed".to_string());
    }
    reasons
}

/// `+added -removed` between two lists, keeping order.
pub fn list_change(before: &[String], after: &[String]) -> String {
    let added = after
        .iter()
        .filter(|item| !before.contains(item))
        .map(|item| format!("+{item}"));
    let removed = before
        .iter()
        .filter(|item| !after.contains(item))
        .map(|item| format!("-{item}"));
    let parts: Vec<String> = added.chain(removed).collect();
    if parts.is_empty() {
        "order changed".to_string()
    } else {
        parts.join(" ")
    }
}
