//! Containers that carry the fleet's label but are not one of its slots:
//! what to call them and why they go, in words that are true of them.

use super::plan::Kind;
use crate::desire::{labels, ReplicaConfig};
use crate::engine::Container;

/// A replica made by tfs (it has its role and slot) is a replica; any other
/// labelled container, a hand-made one or a second balancer, is a container.
pub fn stray_kind(container: &Container) -> Kind {
    let role = container.labels.get(labels::ROLE).map(String::as_str);
    let slotted = container.labels.contains_key(labels::SLOT);
    match role {
        Some(labels::ROLE_REPLICA) if slotted => Kind::Replica,
        _ => Kind::Container,
    }
}

/// Why a labelled container that no slot wants is removed; `host_gpus`,
/// the UUIDs the inventory listed, tells a GPU that is gone from a
/// placement that changed.
pub fn stray_reason(container: &Container, host_gpus: Option<&[String]>) -> String {
    let fleet = container
        .labels
        .get(labels::FLEET)
        .map_or("", String::as_str);
    let role = container.labels.get(labels::ROLE).map(String::as_str);
    let slot = container.labels.get(labels::SLOT).map(String::as_str);
    match (role, slot) {
        (Some(labels::ROLE_REPLICA), Some(slot)) => {
            gone_gpu(container, slot, host_gpus).unwrap_or_else(|| unplaced(slot))
        }
        (Some(labels::ROLE_REPLICA), None) => {
            "labelled as a replica of this fleet, but with no slot".to_string()
        }
        (Some(labels::ROLE_BALANCER), _) => {
            "a second balancer of this fleet: the fleet runs one".to_string()
        }
        (Some(role), _) => format!(
            "labelled {}={fleet} with a role tfs does not know ({}={role})",
            labels::FLEET,
            labels::ROLE
        ),
        (None, _) => format!(
            "labelled {}={fleet} but not made by tfs (it has no {} label)",
            labels::FLEET,
            labels::ROLE
        ),
    }
}

fn unplaced(slot: &str) -> String {
    if let Some(rest) = slot.strip_prefix("gpu") {
        let (gpu, share) = rest
            .split_once('-')
            .map_or((rest, None), |(gpu, share)| (gpu, Some(share)));
        match share {
            Some(share) => format!("GPU {gpu} share {share} no longer in placement"),
            None => format!("GPU {gpu} no longer in placement"),
        }
    } else if let Some(replica) = slot.strip_prefix("cpu") {
        format!("replica {replica} no longer in placement")
    } else {
        format!("slot {slot} no longer in placement")
    }
}

/// "GPU 1 (GPU-…) is gone": the replica's GPU, by the UUID its device
/// request names, is not in the host's inventory any more.
fn gone_gpu(container: &Container, slot: &str, host_gpus: Option<&[String]>) -> Option<String> {
    let config: ReplicaConfig = serde_json::from_str(container.labels.get(labels::SPEC)?).ok()?;
    let uuid = config.device_id.filter(|id| id.starts_with("GPU-"))?;
    if host_gpus?.contains(&uuid) {
        return None;
    }
    let gpu = container
        .labels
        .get(labels::GPU)
        .map_or(slot, String::as_str);
    Some(format!(
        "GPU {gpu} ({uuid}) is gone: the host's GPU inventory no longer lists it"
    ))
}
