//! Why an existing container differs from its spec, in words.

use std::collections::BTreeMap;

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
    reasons.extend(env_differences(&previous.env, &desired.env));
    if previous.mounts != desired.mounts {
        reasons.push("model directories mounted changed".to_string());
    }
    reasons.extend(file_differences(&previous.files, &desired.files));
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

/// Which generated files changed, by what they configure; each is read by
/// TF Serving at start only.
fn file_differences(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let paths: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| match path.as_str() {
            crate::desire::BATCHING_CONFIG_PATH => {
                "batching changed (needs a restart: TF Serving reads it at start)".to_string()
            }
            crate::desire::MONITORING_CONFIG_PATH => "monitoring changed".to_string(),
            other => format!("{other} changed"),
        })
        .collect()
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

/// Which variables were added, removed or changed, by name only: values
/// are often secrets, and plans are printed, saved and pasted.
pub fn env_differences(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let added: Vec<&str> = after
        .keys()
        .filter(|key| !before.contains_key(*key))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = before
        .keys()
        .filter(|key| !after.contains_key(*key))
        .map(String::as_str)
        .collect();
    let changed: Vec<String> = after
        .iter()
        .filter(|(key, value)| before.get(*key).is_some_and(|old| old != *value))
        .map(|(key, _)| format!("{key} (value changed)"))
        .collect();
    let mut reasons = Vec::new();
    if !added.is_empty() {
        reasons.push(format!("env added: {}", added.join(", ")));
    }
    if !removed.is_empty() {
        reasons.push(format!("env removed: {}", removed.join(", ")));
    }
    if !changed.is_empty() {
        reasons.push(format!("env changed: {}", changed.join(", ")));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn env_reasons_name_variables_and_never_values() {
        let before = env(&[("API_TOKEN", "s3cret-old"), ("GONE", "hidden-1")]);
        let after = env(&[("API_TOKEN", "s3cret-new"), ("NEW", "hidden-2")]);
        let reasons = env_differences(&before, &after);
        assert_eq!(
            reasons,
            [
                "env added: NEW",
                "env removed: GONE",
                "env changed: API_TOKEN (value changed)"
            ]
        );
    }
}
