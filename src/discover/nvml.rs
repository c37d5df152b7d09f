use anyhow::Context;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::Nvml;

use super::gpu::{Gpu, GpuInventory, NotInstalled};

/// GPU discovery through NVML (libnvidia-ml, loaded at run time).
pub struct NvmlInventory;

impl GpuInventory for NvmlInventory {
    fn source(&self) -> &'static str {
        "NVML"
    }

    fn list(&self) -> anyhow::Result<Vec<Gpu>> {
        let nvml = Nvml::init().map_err(|error| match error {
            // The library's own message says what is missing; nvml-wrapper's wrapper adds nothing.
            NvmlError::LibloadingError(cause) => anyhow::Error::new(NotInstalled(format!(
                "cannot load libnvidia-ml.so.1 (is the NVIDIA driver installed?): {cause}"
            ))),
            // What a driver upgrade without a reboot leaves: the loaded kernel module is the old one.
            NvmlError::LibRmVersionMismatch => anyhow::Error::new(error).context(
                "NVML could not start (reboot after a driver upgrade, or reinstall the driver)",
            ),
            other => anyhow::Error::new(other).context("NVML could not start"),
        })?;
        let count = nvml.device_count().context("NVML could not count GPUs")?;
        (0..count)
            .map(|index| {
                let device = nvml
                    .device_by_index(index)
                    .with_context(|| format!("NVML could not open GPU {index}"))?;
                let read = |what: &str| format!("NVML could not read GPU {index}'s {what}");
                let memory = device.memory_info().with_context(|| read("memory"))?;
                Ok(Gpu {
                    index,
                    uuid: device.uuid().with_context(|| read("UUID"))?,
                    name: device.name().with_context(|| read("name"))?,
                    memory_total_mib: memory.total / MIB,
                    memory_used_mib: Some(memory.used / MIB),
                })
            })
            .collect()
    }
}

const MIB: u64 = 1024 * 1024;
