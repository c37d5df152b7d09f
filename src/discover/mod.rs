//! discover: what GPUs the host has (NVML, then nvidia-smi).

mod gpu;
mod nvidia_smi;
mod nvml;
mod usage;

pub use gpu::{discover, Gpu, GpuInventory, Inventory};
pub use nvidia_smi::NvidiaSmiInventory;
pub use nvml::NvmlInventory;
pub use usage::{gpu_usage, GpuUsage};

/// Discovery as the CLI does it: NVML first, nvidia-smi when NVML cannot load.
pub fn discover_host() -> Inventory {
    discover(&[&NvmlInventory, &NvidiaSmiInventory])
}
