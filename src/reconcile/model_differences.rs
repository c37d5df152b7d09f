//! What changes in what a replica serves, in words: these are reloads in
//! place, one reason per change.

use crate::desire::ServedModel;

/// Reasons to reload `observed` into `desired`; empty when they match.
pub fn model_differences(observed: &[ServedModel], desired: &[ServedModel]) -> Vec<String> {
    let mut reasons = Vec::new();
    for model in desired {
        let Some(before) = observed.iter().find(|m| m.name == model.name) else {
            reasons.push(format!("model {} added", model.name));
            continue;
        };
        let name = &model.name;
        if before.base_path != model.base_path {
            reasons.push(format!(
                "{name}: path {} -> {}",
                before.base_path, model.base_path
            ));
        }
        if before.versions != model.versions {
            reasons.push(format!(
                "{name}: versions {} -> {}",
                versions(&before.versions),
                versions(&model.versions)
            ));
        }
        for (label, version) in &model.labels {
            match before.labels.get(label) {
                None => reasons.push(format!("{name}: label {label} added ({version})")),
                Some(old) if old != version => {
                    reasons.push(format!("{name}: label {label} {old} -> {version}"))
                }
                Some(_) => {}
            }
        }
        for (label, old) in &before.labels {
            if !model.labels.contains_key(label) {
                reasons.push(format!("{name}: label {label} removed (was {old})"));
            }
        }
    }
    for model in observed {
        if !desired.iter().any(|m| m.name == model.name) {
            reasons.push(format!("model {} removed", model.name));
        }
    }
    reasons
}

/// `[123, 124]`, or `newest` for the default policy.
fn versions(versions: &[u64]) -> String {
    if versions.is_empty() {
        return "newest".to_string();
    }
    let listed: Vec<String> = versions.iter().map(u64::to_string).collect();
    format!("[{}]", listed.join(", "))
}
