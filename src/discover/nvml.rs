use anyhow::{anyhow, Context};
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::Nvml;

use super::gpu::{Gpu, GpuInventory};

/// GPU discovery through NVML (libnvidia-ml, loaded at run time).
pub struct NvmlInventory;

impl GpuInventory for NvmlInventory {
    fn source(&self) -> &'static str {
        "NVML"
    }

    fn list(&self) -> anyhow::Result<Vec<Gpu>> {
        let nvml = Nvml::init().map_err(|error| match error {
            // The library's own message says what is missing; nvml-wrapper's wrapper adds nothing.
            NvmlError::LibloadingError(cause) => {
                anyhow!("cannot load libnvidia-ml.so.1 (is the NVIDIA driver installed?): {cause}")
            }
            other => anyhow::Error::new(other).context("NVML could not start"),
        })?;
        let count = nvml.device_count().context("NVML could not count GPUs")?;
        (0..count)
            .map(|index| {
                let device = nvml
                    .device_by_index(index)
                    .with_context(|| format!("NVML could not open GPU {index}"))?;
                Ok(Gpu {
                    index,
                    uuid: device.uuid()?,
                    name: device.name()?,
                    memory_total_mib: device.memory_info()?.total / (1024 * 1024),
                })
            })
            .collect()
    }
}
