//! Placement resolved against the GPU inventory: the list of slots.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::discover::{Gpu, Inventory};
use crate::load::{Diagnostic, Fleet, GpuChoice, GpuPlacement, GpuReference, Placement};

/// The GPU a replica is bound to, through a Docker device request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuBinding {
    /// None when a UUID was trusted without an inventory to look it up in.
    pub index: Option<u32>,
    pub uuid: Option<String>,
    /// What the device request names: the UUID when known, else the index.
    pub device_id: String,
}

/// One place a replica runs: a GPU (and a share of it), or a CPU replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// `gpu0`, `gpu0-1`, `cpu2`: the replica name's suffix and its label.
    pub id: String,
    pub gpu: Option<GpuBinding>,
    /// CPU replica number, for `replica =` overrides.
    pub replica: Option<u32>,
}

/// Slots plus the warnings met while resolving them.
pub struct Resolved {
    pub slots: Vec<Slot>,
    pub warnings: Vec<String>,
}

pub fn resolve(fleet: &Fleet, inventory: &Inventory) -> Result<Resolved> {
    match &fleet.placement {
        Placement::Cpu { replicas } => Ok(Resolved {
            slots: (0..*replicas)
                .map(|replica| Slot {
                    id: format!("cpu{replica}"),
                    gpu: None,
                    replica: Some(replica),
                })
                .collect(),
            warnings: Vec::new(),
        }),
        Placement::Gpu(placement) => {
            let (bindings, mut warnings) = bindings(fleet, placement, inventory)?;
            warnings.extend(inventory.fallback_warning());
            let mut slots = Vec::new();
            for binding in bindings {
                for share in 0..placement.per_gpu {
                    let gpu = binding
                        .index
                        .map_or_else(|| binding.device_id.clone(), |index| index.to_string());
                    let id = if placement.per_gpu > 1 {
                        format!("gpu{gpu}-{share}")
                    } else {
                        format!("gpu{gpu}")
                    };
                    slots.push(Slot {
                        id,
                        gpu: Some(binding.clone()),
                        replica: None,
                    });
                }
            }
            Ok(Resolved { slots, warnings })
        }
    }
}

fn bind(gpu: &Gpu) -> GpuBinding {
    GpuBinding {
        index: Some(gpu.index),
        uuid: Some(gpu.uuid.clone()),
        device_id: gpu.uuid.clone(),
    }
}

fn bindings(
    fleet: &Fleet,
    placement: &GpuPlacement,
    inventory: &Inventory,
) -> Result<(Vec<GpuBinding>, Vec<String>)> {
    let gpus = match inventory {
        Inventory::Found { gpus, .. } => gpus,
        Inventory::Unavailable { attempts } => {
            let tried: String = attempts
                .iter()
                .map(|attempt| format!("\n  tried {attempt}"))
                .collect();
            return match &placement.selection {
                GpuChoice::List(list) => {
                    let bindings = list.iter().map(|reference| match reference {
                        GpuReference::Index(index) => GpuBinding { index: Some(*index as u32), uuid: None, device_id: index.to_string() },
                        GpuReference::Uuid(uuid) => GpuBinding { index: None, uuid: Some(uuid.clone()), device_id: uuid.clone() },
                    });
                    let warning = format!("no GPU inventory; trusting the GPUs listed in fleet.toml as written{tried}");
                    Ok((bindings.collect(), vec![warning]))
                }
                _ => Err(located(
                    fleet,
                    placement,
                    format!("cannot discover GPUs for `gpus = {}`{tried}", placement.selection),
                    "list GPUs explicitly, e.g. `gpus = [0, 1]`, or use `gpus = \"none\"` with `replicas = N` for CPU mode".to_string(),
                )),
            };
        }
    };
    let found = || {
        gpus.iter()
            .map(|gpu| format!("\n      {}  {}  {}", gpu.index, gpu.uuid, gpu.name))
            .collect::<String>()
    };
    match &placement.selection {
        GpuChoice::All if gpus.is_empty() => Err(located(
            fleet,
            placement,
            "`gpus = \"all\"` but no GPU was found".to_string(),
            "use `gpus = \"none\"` with `replicas = N` for CPU mode".to_string(),
        )),
        GpuChoice::All => Ok((gpus.iter().map(bind).collect(), Vec::new())),
        GpuChoice::First(count) if *count as usize > gpus.len() => {
            let message = format!("`gpus = {count}` but this host has {} GPUs", gpus.len());
            Err(located(
                fleet,
                placement,
                message,
                format!("GPUs found:{}", found()),
            ))
        }
        GpuChoice::First(count) => Ok((
            gpus.iter().take(*count as usize).map(bind).collect(),
            Vec::new(),
        )),
        GpuChoice::List(list) => {
            let mut bindings = Vec::new();
            for reference in list {
                let gpu = gpus.iter().find(|gpu| match reference {
                    GpuReference::Index(index) => i64::from(gpu.index) == *index,
                    GpuReference::Uuid(uuid) => &gpu.uuid == uuid,
                });
                match gpu {
                    Some(gpu) => bindings.push(bind(gpu)),
                    None => {
                        let message = format!("GPU {reference} is not on this host");
                        return Err(located(
                            fleet,
                            placement,
                            message,
                            format!("GPUs found:{}", found()),
                        ));
                    }
                }
            }
            Ok((bindings, Vec::new()))
        }
    }
}

/// An error at `gpus` in fleet.toml when it is written there; `gpus` left
/// out (the default "all") has no place to point at.
fn located(
    fleet: &Fleet,
    placement: &GpuPlacement,
    message: String,
    hint: String,
) -> anyhow::Error {
    if placement.span.is_empty() {
        anyhow::anyhow!("{message}\nhint: {hint}")
    } else {
        anyhow::anyhow!(
            "{}",
            Diagnostic::at(&fleet.source, placement.span.clone(), message).with_hint(hint)
        )
    }
}
