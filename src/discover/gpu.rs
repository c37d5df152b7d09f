use serde::{Deserialize, Serialize};

/// One GPU as the inventory reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gpu {
    pub index: u32,
    /// `GPU-<uuid>`; Docker accepts it as a device id.
    pub uuid: String,
    pub name: String,
    pub memory_total_mib: u64,
}

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
}

/// Tries each source in turn and keeps the first that answers.
pub fn discover(sources: &[&dyn GpuInventory]) -> Inventory {
    let mut attempts = Vec::new();
    for source in sources {
        match source.list() {
            Ok(mut gpus) => {
                gpus.sort_by_key(|gpu| gpu.index);
                return Inventory::Found {
                    source: source.source(),
                    gpus,
                };
            }
            Err(error) => attempts.push(format!(
                "{}: {}",
                source.source(),
                crate::error_chain::one_line(&error)
            )),
        }
    }
    Inventory::Unavailable { attempts }
}
