//! The desired spec of one TF Serving replica.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

use super::hash::content_hash;
use super::labels;
use super::served_models::{container_path, model_mount_sources, served_models, ServedModel};
use super::slots::{GpuBinding, Slot};
use super::tf_serving::{
    base_args, batching_parameters, monitoring_config, BATCHING_CONFIG_PATH, MONITORING_CONFIG_PATH,
};
use crate::load::{outside_placement, Fleet, KnownSlots, Placement, SelectableSlot, Selector};

/// Everything that, when it changes, needs the container recreated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaConfig {
    pub image: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub mounts: Vec<Mount>,
    /// Files written into the container before it starts (path → content).
    pub files: BTreeMap<String, String>,
    pub device_id: Option<String>,
    pub rest_port: u16,
    pub grpc_port: u16,
}

/// A read-only bind mount of a model directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub host: String,
    pub container: String,
}

/// One TF Serving container of the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaSpec {
    pub name: String,
    pub slot: String,
    pub gpu: Option<GpuBinding>,
    pub weight: u32,
    pub config: ReplicaConfig,
    /// What it serves: changed by a reload in place, not in `config`.
    pub models: Vec<ServedModel>,
    pub config_hash: String,
    pub labels: BTreeMap<String, String>,
}

pub fn replica(fleet: &Fleet, slot: &Slot) -> ReplicaSpec {
    let overrides: Vec<_> = fleet
        .overrides
        .iter()
        .filter(|o| selects(&o.selector, slot))
        .collect();
    let memory_fraction = match &fleet.placement {
        Placement::Gpu(placement) => placement
            .memory_fraction
            .or((placement.per_gpu > 1).then(|| 1.0 / f64::from(placement.per_gpu))),
        Placement::Cpu { .. } => None,
    };
    let mut args = base_args(fleet, memory_fraction);
    args.extend(fleet.serving.args.iter().cloned());
    let mut env = fleet.serving.env.clone();
    let mut weight = 1;
    for item in &overrides {
        args.extend(item.args.iter().cloned());
        env.extend(item.env.clone());
        weight = item.weight.unwrap_or(weight);
    }
    let mounts = model_mount_sources(fleet)
        .into_iter()
        .map(|host| Mount {
            host: host.display().to_string(),
            container: container_path(host),
        })
        .collect();
    let mut files = BTreeMap::new();
    if fleet.serving.monitoring {
        files.insert(MONITORING_CONFIG_PATH.to_string(), monitoring_config());
    }
    if let Some(batching) = &fleet.batching {
        files.insert(
            BATCHING_CONFIG_PATH.to_string(),
            batching_parameters(batching),
        );
    }
    let models = served_models(fleet, &overrides);
    let config = ReplicaConfig {
        image: fleet.serving.image.clone(),
        args,
        env,
        mounts,
        files,
        device_id: slot.gpu.as_ref().map(|gpu| gpu.device_id.clone()),
        rest_port: fleet.serving.rest_port,
        grpc_port: fleet.serving.grpc_port,
    };
    let config_hash = content_hash(&config);
    let name = format!("{}-{}", fleet.name, slot.id);
    let mut labels = BTreeMap::from([
        (labels::FLEET.to_string(), fleet.name.clone()),
        (labels::ROLE.to_string(), labels::ROLE_REPLICA.to_string()),
        (labels::SLOT.to_string(), slot.id.clone()),
        (labels::CONFIG_HASH.to_string(), config_hash.clone()),
        (
            labels::SPEC.to_string(),
            serde_json::to_string(&config).expect("config serializes"),
        ),
        (
            labels::MODELS.to_string(),
            serde_json::to_string(&models).expect("models serialize"),
        ),
    ]);
    if let Some(gpu) = &slot.gpu {
        labels.insert(
            labels::GPU.to_string(),
            gpu.index
                .map_or_else(|| gpu.device_id.clone(), |index| index.to_string()),
        );
    }
    ReplicaSpec {
        name,
        slot: slot.id.clone(),
        gpu: slot.gpu.clone(),
        weight,
        config,
        models,
        config_hash,
        labels,
    }
}

impl ReplicaSpec {
    /// The spec a running container was created from, read back from its
    /// labels; what a failed rollout restores. None for containers whose
    /// labels tfs cannot read.
    pub fn from_labels(
        name: &str,
        weight: u32,
        container_labels: &BTreeMap<String, String>,
    ) -> Option<ReplicaSpec> {
        let config: ReplicaConfig =
            serde_json::from_str(container_labels.get(labels::SPEC)?).ok()?;
        let gpu = config.device_id.as_ref().map(|device_id| GpuBinding {
            index: container_labels
                .get(labels::GPU)
                .and_then(|index| index.parse().ok()),
            uuid: device_id.starts_with("GPU-").then(|| device_id.clone()),
            device_id: device_id.clone(),
        });
        // What it was created serving; a reload since is only in the container's files.
        let models = container_labels
            .get(labels::MODELS)
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        Some(ReplicaSpec {
            name: name.to_string(),
            slot: container_labels.get(labels::SLOT)?.clone(),
            gpu,
            weight,
            models,
            config_hash: container_labels.get(labels::CONFIG_HASH)?.clone(),
            config,
            labels: container_labels.clone(),
        })
    }
}

fn selects(selector: &Selector, slot: &Slot) -> bool {
    selector.selects(&selectable(slot))
}

/// The slot as an `[[override]]` names it: by its GPU, or by its CPU replica number.
fn selectable(slot: &Slot) -> SelectableSlot<'_> {
    match (&slot.gpu, slot.replica) {
        (Some(gpu), _) => SelectableSlot::Gpu {
            index: gpu.index.map(i64::from),
            uuid: gpu.uuid.as_deref(),
        },
        (None, Some(replica)) => SelectableSlot::Replica(replica),
        // resolve gives every slot one or the other; a slot with neither is one no selector names.
        (None, None) => SelectableSlot::Gpu {
            index: None,
            uuid: None,
        },
    }
}

/// Every override must select at least one slot; load words the rule for
/// both stages.
pub fn check_overrides(fleet: &Fleet, slots: &[Slot]) -> Result<()> {
    let resolved: Vec<_> = slots
        .iter()
        .map(|slot| (slot.id.as_str(), selectable(slot)))
        .collect();
    let known = KnownSlots::Resolved(&resolved);
    for item in &fleet.overrides {
        if let Some(diagnostic) =
            outside_placement(&fleet.source, &item.selector, item.span.clone(), known)
        {
            bail!("{diagnostic}");
        }
    }
    Ok(())
}
