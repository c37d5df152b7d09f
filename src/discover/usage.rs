//! Live GPU memory use, for `tfs status`. NVML only: nvidia-smi's answer
//! would need a process per call, and status is refreshed with --watch.

use std::collections::BTreeMap;

use nvml_wrapper::Nvml;
use serde::Serialize;

/// One GPU's name and memory in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GpuUsage {
    pub name: String,
    pub memory_used_mib: u64,
    pub memory_total_mib: u64,
}

/// Usage by GPU index; empty when NVML cannot be loaded.
pub fn gpu_usage() -> BTreeMap<u32, GpuUsage> {
    let Ok(nvml) = Nvml::init() else {
        return BTreeMap::new();
    };
    let count = nvml.device_count().unwrap_or(0);
    (0..count)
        .filter_map(|index| {
            let device = nvml.device_by_index(index).ok()?;
            let memory = device.memory_info().ok()?;
            Some((
                index,
                GpuUsage {
                    name: device.name().ok()?,
                    memory_used_mib: memory.used / (1024 * 1024),
                    memory_total_mib: memory.total / (1024 * 1024),
                },
            ))
        })
        .collect()
}
