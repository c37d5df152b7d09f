//! status: the live fleet in one picture — each replica's GPU, container,
//! models and traffic, and whether the balancer answers.

mod gather;
mod text;

use serde::Serialize;

pub use gather::gather;
pub use text::render;

use crate::discover::GpuUsage;
use crate::verify::VersionState;

/// The whole fleet as it runs now.
#[derive(Debug, Clone, Serialize)]
pub struct FleetStatus {
    pub fleet: String,
    /// Every model of every replica AVAILABLE, and the balancer answers.
    pub healthy: bool,
    pub replicas: Vec<ReplicaStatus>,
    pub balancer: Option<BalancerStatus>,
}

/// One replica.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicaStatus {
    pub name: String,
    pub slot: String,
    pub gpu: Option<GpuStatus>,
    /// Docker's state: running, exited, ...
    pub container_state: crate::engine::Status,
    pub uptime_seconds: Option<u64>,
    pub models: Vec<ModelStatus>,
    /// From TF Serving's Prometheus metrics, when monitoring is on.
    pub requests: Option<u64>,
    pub available: bool,
    /// How often Docker restarted the container since tfs created it.
    pub restarts: u64,
    /// The exit code of its last crash, when it restarted recently.
    pub last_exit_code: Option<i64>,
    /// Why the replica could not be asked, or is not healthy, if so.
    pub problem: Option<String>,
}

/// The GPU a replica is bound to; usage when NVML is available.
#[derive(Debug, Clone, Serialize)]
pub struct GpuStatus {
    pub index: Option<u32>,
    pub device_id: String,
    pub usage: Option<GpuUsage>,
}

/// One model's versions and their TF Serving states.
#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    pub name: String,
    pub versions: Vec<VersionState>,
    /// Its version labels, as the replica was told them: label → version.
    pub labels: std::collections::BTreeMap<String, u64>,
}

/// The balancer container and whether nginx answers at its REST address.
#[derive(Debug, Clone, Serialize)]
pub struct BalancerStatus {
    pub name: String,
    pub container_state: crate::engine::Status,
    pub answers: bool,
    pub rest: String,
    pub grpc: Option<String>,
    pub models: Vec<String>,
}
