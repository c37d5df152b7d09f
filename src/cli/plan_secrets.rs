//! A saved plan holds no env values: each is replaced by its digest. The
//! file only has to tell whether a value changed since `tfs plan`; apply
//! runs the plan it computes again, with the real values, never the file's.

use sha2::{Digest, Sha256};

use crate::desire::{labels, Desired, ReplicaSpec};
use crate::reconcile::Plan;

/// `plan` with every env value (in specs and in their `tfs.spec` labels) a digest.
pub fn redacted(plan: &Plan) -> Plan {
    let mut plan = plan.clone();
    plan.desired = redacted_desired(&plan.desired);
    for previous in plan
        .steps
        .iter_mut()
        .filter_map(|step| step.previous.as_mut())
    {
        redact(previous);
    }
    plan
}

/// `desired` with every replica's env values digests.
pub fn redacted_desired(desired: &Desired) -> Desired {
    let mut desired = desired.clone();
    for replica in &mut desired.replicas {
        redact(replica);
    }
    desired
}

/// `sha256:<hex>` of a value.
pub fn digest(value: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(value.as_bytes())))
}

fn redact(replica: &mut ReplicaSpec) {
    for value in replica.config.env.values_mut() {
        *value = digest(value);
    }
    if let Some(spec) = replica.labels.get_mut(labels::SPEC) {
        *spec = redact_spec_label(spec);
    }
}

/// The label is the config as JSON; one that does not parse holds no env
/// tfs could show, and is kept out of the file whole.
fn redact_spec_label(label: &str) -> String {
    let Ok(mut config) = serde_json::from_str::<serde_json::Value>(label) else {
        return digest(label);
    };
    if let Some(env) = config.get_mut("env").and_then(|env| env.as_object_mut()) {
        for value in env.values_mut() {
            let text = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            *value = serde_json::Value::String(digest(&text));
        }
    }
    config.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_label_keeps_everything_but_env_values() {
        let label = r#"{"image":"tf:1","env":{"API_TOKEN":"s3cret"},"args":["--port=1"]}"#;
        let redacted = redact_spec_label(label);
        assert!(!redacted.contains("s3cret"), "{redacted}");
        assert!(redacted.contains(&digest("s3cret")), "{redacted}");
        assert!(redacted.contains(r#""image":"tf:1""#), "{redacted}");
        assert!(redacted.contains("--port=1"), "{redacted}");
    }
}
