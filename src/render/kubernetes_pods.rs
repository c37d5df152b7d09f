//! Pieces of pod specs that serving and balancer pods share.

use serde_json::{json, Value};

use crate::load::{Kubernetes, PullPolicy, TolerationOperator};

/// How long after a pod is marked terminating nginx may still pick it: the
/// endpoint's removal reaches the cluster DNS (whose answers live 5s), and
/// nginx asks again after its own `valid=5s`. The preStop pause is this plus
/// `[rollout] drain_timeout`, for the requests already sent to it.
pub const SERVING_DRAIN_LAG_SECONDS: u64 = 10;

/// How long a balancer pod keeps taking connections after it is marked
/// terminating, while its Service's endpoints are updated.
pub const BALANCER_DRAIN_LAG_SECONDS: u64 = 5;

/// `[serving] pull` as Kubernetes writes it.
pub fn image_pull_policy(pull: PullPolicy) -> &'static str {
    match pull {
        PullPolicy::Always => "Always",
        PullPolicy::Missing => "IfNotPresent",
        PullPolicy::Never => "Never",
    }
}

/// A preStop hook running `command`.
pub fn pre_stop(command: Vec<String>) -> Value {
    json!({"exec": {"command": command}})
}

/// `[kubernetes]`'s node selector and tolerations, into a serving pod spec.
pub fn scheduling(pod: &mut Value, settings: &Kubernetes) {
    if !settings.node_selector.is_empty() {
        pod["nodeSelector"] = json!(settings.node_selector);
    }
    let tolerations: Vec<Value> = settings
        .tolerations
        .iter()
        .map(|toleration| {
            let mut item = json!({"operator": toleration.operator});
            if !toleration.key.is_empty() {
                item["key"] = json!(toleration.key);
            }
            if toleration.operator == TolerationOperator::Equal {
                item["value"] = json!(toleration.value);
            }
            if let Some(effect) = toleration.effect {
                item["effect"] = json!(effect);
            }
            item
        })
        .collect();
    if !tolerations.is_empty() {
        pod["tolerations"] = json!(tolerations);
    }
}
