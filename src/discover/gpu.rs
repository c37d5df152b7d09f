use serde::{Deserialize, Serialize};

/// One GPU as the inventory reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gpu {
    pub index: u32,
    /// `GPU-<uuid>`; Docker accepts it as a device id.
    pub uuid: String,
    pub name: String,
    pub memory_total_mib: u64,
    /// Memory in use when the GPU was listed; only NVML says (nvidia-smi's
    /// query is the one the check script compares, and asks no usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_used_mib: Option<u64>,
}

/// A source that is not installed on this host, as opposed to one that
/// failed: falling back from it is no news, so no warning.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotInstalled(pub String);

/// A source of GPU facts: NVML, nvidia-smi, or a literal list in tests.
pub trait GpuInventory {
    /// A short name for messages: "NVML", "nvidia-smi".
    fn source(&self) -> &'static str;
    /// Every GPU, ordered by index.
    fn list(&self) -> anyhow::Result<Vec<Gpu>>;
}

/// What discovery found, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inventory {
    Found {
        source: &'static str,
        gpus: Vec<Gpu>,
        /// The sources that failed before this one (not those absent), each
        /// with why: a host whose NVML is broken should hear so even when
        /// nvidia-smi answers.
        skipped: Vec<String>,
    },
    /// No source worked; each entry says what was tried and why it failed.
    Unavailable { attempts: Vec<String> },
}

impl Inventory {
    /// The GPUs found, or None when no source answered.
    pub fn gpus(&self) -> Option<&[Gpu]> {
        match self {
            Inventory::Found { gpus, .. } => Some(gpus),
            Inventory::Unavailable { .. } => None,
        }
    }

    /// What to warn about when a later source answered for a failed one:
    /// "GPUs from nvidia-smi; tried NVML: ...".
    pub fn fallback_warning(&self) -> Option<String> {
        match self {
            Inventory::Found {
                source, skipped, ..
            } if !skipped.is_empty() => Some(format!(
                "GPUs from {source}; tried {}",
                skipped.join("; tried ")
            )),
            _ => None,
        }
    }
}

/// Tries each source in turn and keeps the first that answers.
pub fn discover(sources: &[&dyn GpuInventory]) -> Inventory {
    let mut attempts = Vec::new();
    let mut skipped = Vec::new();
    for source in sources {
        match source.list() {
            Ok(mut gpus) => {
                gpus.sort_by_key(|gpu| gpu.index);
                return Inventory::Found {
                    source: source.source(),
                    gpus,
                    skipped,
                };
            }
            Err(error) => {
                let attempt = format!(
                    "{}: {}",
                    source.source(),
                    crate::error_chain::one_line(&error)
                );
                if error.downcast_ref::<NotInstalled>().is_none() {
                    skipped.push(attempt.clone());
                }
                attempts.push(attempt);
            }
        }
    }
    Inventory::Unavailable { attempts }
}
