//! desire: the fleet and the GPU inventory in, the containers and network
//! the host should have out. Pure: no Docker, no printing.

mod balancer;
mod hash;
pub mod labels;
pub mod nginx;
mod nginx_version;
mod replica;
mod served_models;
mod slots;
mod tf_serving;

use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};

pub use balancer::{
    BalancerContainer, BalancerSettings, BalancerSpec, GRPC_LISTEN_PORT, REST_LISTEN_PORT,
};
pub use hash::content_hash;
pub use nginx_version::NginxVersion;
pub use replica::{Mount, ReplicaConfig, ReplicaSpec};
pub use served_models::{
    model_config, served_models_json, ServedModel, MODELS_ROOT, MODEL_CONFIG_PATH,
    SERVED_MODELS_PATH,
};
pub use slots::GpuBinding;
pub use tf_serving::{
    batching_parameters, BATCHING_CONFIG_PATH, METRICS_PATH, MONITORING_CONFIG_PATH,
};
// Parsed in load, which also checks them; re-exported for readiness.
pub use crate::load::{flag_value, rest_api_enabled};

use crate::discover::Inventory;
use crate::load::{Fleet, PullPolicy};

/// The fleet's private network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSpec {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

/// How replacements roll out (see `[rollout]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutSpec {
    pub max_unavailable: u32,
    pub drain_timeout_ms: u64,
}

/// Everything the host should run for one fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    pub fleet: String,
    pub network: NetworkSpec,
    pub replicas: Vec<ReplicaSpec>,
    pub balancer: BalancerSpec,
    pub pull: PullPolicy,
    pub rollout: RolloutSpec,
    /// Warnings met on the way, e.g. GPUs trusted without an inventory.
    pub warnings: Vec<String>,
    /// The UUIDs of the GPUs the inventory listed; None when none was asked
    /// (CPU mode) or none answered. A replica on a GPU not among them is on
    /// a GPU that is gone, which its removal should say.
    #[serde(default)]
    pub host_gpus: Option<Vec<String>>,
}

pub fn desire(fleet: &Fleet, inventory: &Inventory) -> Result<Desired> {
    let resolved = slots::resolve(fleet, inventory)?;
    replica::check_overrides(fleet, &resolved.slots)?;
    let replicas: Vec<ReplicaSpec> = resolved
        .slots
        .iter()
        .map(|slot| replica::replica(fleet, slot))
        .collect();
    Ok(Desired {
        fleet: fleet.name.clone(),
        network: NetworkSpec {
            name: network_name(&fleet.name),
            labels: BTreeMap::from([
                (labels::FLEET.to_string(), fleet.name.clone()),
                (labels::ROLE.to_string(), labels::ROLE_NETWORK.to_string()),
            ]),
        },
        balancer: balancer::balancer(fleet, &replicas),
        replicas,
        pull: fleet.serving.pull,
        rollout: RolloutSpec {
            max_unavailable: fleet.rollout.max_unavailable,
            drain_timeout_ms: fleet.rollout.drain_timeout.as_millis() as u64,
        },
        warnings: resolved.warnings,
        host_gpus: inventory
            .gpus()
            .map(|gpus| gpus.iter().map(|gpu| gpu.uuid.clone()).collect()),
    })
}

/// The fleet's network name: `<fleet>-net`.
pub fn network_name(fleet: &str) -> String {
    format!("{fleet}-net")
}
