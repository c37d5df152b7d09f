//! A stand-in `libnvidia-ml.so.1` for tfs's tests (stand_in.c, built by
//! build.rs with the machine's C compiler): tfs finds it through
//! `LD_LIBRARY_PATH` and sees the GPUs a test describes.
//!
//! ```text
//! let gpus = [StandInGpu::new("GPU-1111", "NVIDIA H100 80GB HBM3", 81559, 1024)];
//! command
//!     .env("LD_LIBRARY_PATH", tfs_nvml_stand_in::DIRECTORY)
//!     .env(tfs_nvml_stand_in::GPUS, tfs_nvml_stand_in::describe(&gpus));
//! ```

/// The directory holding `libnvidia-ml.so.1`.
pub const DIRECTORY: &str = env!("TFS_NVML_STAND_IN_DIR");

/// The variable the GPUs are read from (see [`describe`]).
pub const GPUS: &str = "TFS_NVML_GPUS";

/// The variable that makes a call fail: [`FAIL_INIT`] or `QUERY:INDEX`
/// (QUERY one of `handle`, `uuid`, `name`, `memory`), which then answers
/// NVML_ERROR_GPU_IS_LOST.
pub const FAIL: &str = "TFS_NVML_FAIL";

/// `nvmlInit_v2` answers NVML_ERROR_LIB_RM_VERSION_MISMATCH, as after a
/// driver upgrade without a reboot.
pub const FAIL_INIT: &str = "init";

/// One GPU of the stand-in; its index is its place in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInGpu {
    pub uuid: String,
    pub name: String,
    pub memory_total_mib: u64,
    pub memory_used_mib: u64,
}

impl StandInGpu {
    pub fn new(uuid: &str, name: &str, memory_total_mib: u64, memory_used_mib: u64) -> Self {
        Self {
            uuid: uuid.to_string(),
            name: name.to_string(),
            memory_total_mib,
            memory_used_mib,
        }
    }
}

/// The value of [`GPUS`] for these GPUs, in index order.
pub fn describe(gpus: &[StandInGpu]) -> String {
    gpus.iter()
        .map(|gpu| {
            assert!(
                !format!("{}{}", gpu.uuid, gpu.name).contains([',', ';']),
                "the stand-in separates fields with , and GPUs with ;"
            );
            format!(
                "{},{},{},{}",
                gpu.uuid, gpu.name, gpu.memory_total_mib, gpu.memory_used_mib
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}
