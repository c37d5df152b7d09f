//! The validated fleet: what every later stage works from.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use super::gpu_selection::GpuReference;
use super::source::Source;

pub use super::fleet_file::{PullPolicy, Strategy};
pub use super::kubernetes_section::{ServiceType, TolerationEffect, TolerationOperator};

/// A fleet.toml that passed every check.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub name: String,
    pub source: Source,
    pub serving: Serving,
    pub models: Vec<Model>,
    pub placement: Placement,
    pub overrides: Vec<Override>,
    pub balancer: Balancer,
    pub rollout: Rollout,
    /// `[batching]`: None leaves TF Serving's batching off.
    pub batching: Option<Batching>,
    /// `[kubernetes]`, defaults filled in: used by `tfs export kubernetes` only.
    pub kubernetes: Kubernetes,
}

/// The TF Serving settings shared by every replica.
#[derive(Debug, Clone)]
pub struct Serving {
    pub image: String,
    pub pull: PullPolicy,
    pub rest_port: u16,
    pub grpc_port: u16,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// Whether replicas export Prometheus metrics.
    pub monitoring: bool,
}

/// A model, with its host directory made absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    pub host_path: PathBuf,
    /// Empty: serve the newest version found.
    pub versions: Vec<u64>,
    /// TF Serving's `version_labels`: label → version, each version one
    /// that `versions` lists (or, without it, one on disk). Fleet-wide: a
    /// slot whose override does not serve a label's version omits the label.
    pub labels: BTreeMap<String, u64>,
}

/// Where replicas run.
#[derive(Debug, Clone)]
pub enum Placement {
    Gpu(GpuPlacement),
    Cpu { replicas: u32 },
}

/// GPU mode: which GPUs, and how many replicas share each.
#[derive(Debug, Clone)]
pub struct GpuPlacement {
    pub selection: GpuChoice,
    /// Where `gpus` is written, for errors found once the inventory is known.
    pub span: Range<usize>,
    pub per_gpu: u32,
    pub memory_fraction: Option<f64>,
}

/// `gpus` in GPU mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuChoice {
    All,
    First(u32),
    List(Vec<GpuReference>),
}

/// Per-slot settings from `[[override]]`.
#[derive(Debug, Clone)]
pub struct Override {
    pub selector: Selector,
    /// Where the selector is written.
    pub span: Range<usize>,
    pub weight: Option<u32>,
    pub env: BTreeMap<String, String>,
    pub args: Vec<String>,
    /// Model name → the versions this slot serves instead of the model's
    /// `versions`; models not named keep the fleet's.
    pub versions: BTreeMap<String, Vec<u64>>,
}

/// What an override applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Gpu(GpuReference),
    Replica(u32),
}

/// The nginx balancer.
#[derive(Debug, Clone)]
pub struct Balancer {
    pub image: String,
    pub rest: SocketAddr,
    pub grpc: Option<SocketAddr>,
    pub strategy: Strategy,
    pub retries: u32,
    pub max_body: String,
    /// nginx's connect timeout to a replica; None: the tool's default.
    pub connect_timeout: Option<Duration>,
    /// nginx's read timeout from a replica; None: derived from TF Serving's
    /// `--rest_api_timeout_in_ms`.
    pub read_timeout: Option<Duration>,
}

/// TF Serving's BatchingParameters, from `[batching]`; None keeps TF Serving's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batching {
    /// The most requests (summed over their 0th dimension) one batch holds.
    pub max_batch_size: Option<u64>,
    /// How long, in microseconds, the first request of a batch waits for
    /// the batch to fill before a smaller batch is run.
    pub batch_timeout_micros: Option<u64>,
    /// How many batches may wait for a thread; requests beyond are refused.
    pub max_enqueued_batches: Option<u64>,
    /// Threads that process batches, i.e. batches run at once.
    pub num_batch_threads: Option<u64>,
    /// Sizes a batch is padded up to, increasing and ending at
    /// `max_batch_size`; empty: any size.
    pub allowed_batch_sizes: Vec<u64>,
    /// Whether inputs whose non-batch dimensions differ are padded to the
    /// largest in the batch rather than refused.
    pub pad_variable_length_inputs: Option<bool>,
}

/// How replacements are rolled out.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub max_unavailable: u32,
    pub drain_timeout: Duration,
}

/// What a cluster needs that a host does not, from `[kubernetes]`.
#[derive(Debug, Clone)]
pub struct Kubernetes {
    pub namespace: String,
    pub cluster_domain: String,
    /// The DNS server nginx asks; None: the cluster DNS Service's name.
    pub resolver: Option<String>,
    pub models: ModelVolume,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<Toleration>,
    pub balancer_replicas: u32,
    pub service_type: ServiceType,
    /// What hosts take but Kubernetes refuses (a fleet name starting with a
    /// digit or ending with `-`, an env name like `1X`): reported by the export only.
    pub problems: Vec<super::diagnostic::Diagnostic>,
}

/// Where the serving pods find the models: one directory per model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelVolume {
    /// The PersistentVolumeClaim `<fleet>-models`, created by the export with this size.
    NewClaim { storage: String },
    /// An existing PersistentVolumeClaim.
    Claim(String),
    /// A directory on every node.
    HostPath(String),
}

/// A taint the serving pods tolerate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    /// Empty with `Exists`: every taint.
    pub key: String,
    pub operator: TolerationOperator,
    pub value: String,
    /// None: every effect.
    pub effect: Option<TolerationEffect>,
}

pub const DEFAULT_GPU_IMAGE: &str = "tensorflow/serving:latest-gpu";
pub const DEFAULT_CPU_IMAGE: &str = "tensorflow/serving:latest";
pub const DEFAULT_BALANCER_IMAGE: &str = "nginx:1.30";
pub const DEFAULT_REST_ADDRESS: &str = "127.0.0.1:8501";

impl std::fmt::Display for GpuChoice {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GpuChoice::All => formatter.write_str("\"all\""),
            GpuChoice::First(count) => write!(formatter, "{count}"),
            GpuChoice::List(list) => {
                let items: Vec<String> = list
                    .iter()
                    .map(|item| match item {
                        GpuReference::Index(index) => index.to_string(),
                        GpuReference::Uuid(uuid) => format!("\"{uuid}\""),
                    })
                    .collect();
                write!(formatter, "[{}]", items.join(", "))
            }
        }
    }
}
