//! The fleet.toml file as written, before cross-field validation.
//!
//! These types are the source of `schemas/fleet.schema.json`; every field
//! that a later check may need to point at is kept `Spanned`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::gpu_selection::{GpuReference, GpuSelection};
use super::kubernetes_section::KubernetesSection;

/// A whole fleet.toml.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "tfs fleet",
    description = "A TensorFlow Serving fleet for tfs"
)]
pub struct FleetFile {
    /// The fleet's identity.
    pub fleet: FleetSection,
    /// The TensorFlow Serving containers.
    #[serde(default)]
    pub serving: ServingSection,
    /// The models every replica serves; at least one.
    #[schemars(with = "Vec<ModelSection>", length(min = 1))]
    pub models: Spanned<Vec<ModelSection>>,
    /// How replicas map onto GPUs, or CPU replicas.
    #[serde(default)]
    pub placement: PlacementSection,
    /// Per-slot settings, for mixed hardware.
    #[serde(default, rename = "override")]
    #[schemars(with = "Vec<OverrideSection>")]
    pub overrides: Vec<Spanned<OverrideSection>>,
    /// The nginx container in front of the replicas.
    #[serde(default)]
    pub balancer: BalancerSection,
    /// How replicas are replaced.
    #[serde(default)]
    pub rollout: RolloutSection,
    /// TF Serving's request batching; present (even empty) turns it on.
    #[serde(default)]
    #[schemars(with = "BatchingSection")]
    pub batching: Option<BatchingSection>,
    /// What `tfs export kubernetes` needs from a cluster.
    #[serde(default)]
    pub kubernetes: KubernetesSection,
}

/// `[fleet]`: the fleet's identity.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FleetSection {
    /// Prefixes every container and network; `[a-z0-9-]`, 1 to 40 characters, starting with a letter or digit.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub name: Spanned<String>,
}

/// `[serving]`: the TensorFlow Serving containers.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServingSection {
    /// Image; default `tensorflow/serving:latest-gpu`, or `tensorflow/serving:latest` in CPU mode.
    #[serde(default)]
    #[schemars(with = "String")]
    pub image: Option<Spanned<String>>,
    /// When to pull the images.
    #[serde(default)]
    pub pull: PullPolicy,
    /// REST port inside each container (default 8501).
    #[serde(default)]
    #[schemars(with = "u16", range(min = 1, max = 65535), extend("default" = 8501))]
    pub rest_port: Option<Spanned<i64>>,
    /// gRPC port inside each container (default 8500).
    #[serde(default)]
    #[schemars(with = "u16", range(min = 1, max = 65535), extend("default" = 8500))]
    pub grpc_port: Option<Spanned<i64>>,
    /// Extra tensorflow_model_server flags, appended.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub args: Vec<Spanned<String>>,
    /// Extra environment variables.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub env: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Prometheus metrics at /monitoring/prometheus/metrics on the REST port,
    /// which `tfs status` reads for request counts (default true).
    #[serde(default)]
    #[schemars(with = "bool", extend("default" = true))]
    pub monitoring: Option<bool>,
}

/// `pull`: when images are pulled: `always`, `missing` (only images not on the host; the default) or `never`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PullPolicy {
    Always,
    #[default]
    Missing,
    Never,
}

/// `[[models]]`: one model served by every replica.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    /// The model's name in TF Serving URLs.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Host directory holding numeric version directories; relative to fleet.toml; mounted read-only.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Serve exactly these versions (model_version_policy specific).
    #[serde(default)]
    #[schemars(with = "Vec<u64>", length(min = 1), extend("uniqueItems" = true))]
    pub versions: Option<Spanned<Vec<Spanned<i64>>>>,
    /// TF Serving version labels, label → version, e.g. `{ stable = 1, canary = 2 }`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, u64>", extend("propertyNames" = { "pattern": LABEL_PATTERN, "maxLength": 64 }))]
    pub labels: BTreeMap<Spanned<String>, Spanned<i64>>,
}

/// What a version label may be called; see `labels.rs` for why.
pub const LABEL_PATTERN: &str = "^[A-Za-z][A-Za-z0-9_-]*$";

/// `[placement]`: how replicas map onto GPUs or CPU replicas.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementSection {
    /// `"all"`, a count N (first N), a list of indices, a list of UUIDs, or `"none"` (CPU mode).
    #[serde(default)]
    #[schemars(with = "GpuSelection", extend("default" = "all"))]
    pub gpus: Option<Spanned<GpuSelection>>,
    /// Containers per GPU (default 1).
    #[serde(default)]
    #[schemars(with = "u32", range(min = 1, max = 16), extend("default" = 1))]
    pub per_gpu: Option<Spanned<i64>>,
    /// Number of replicas; CPU mode only, required there.
    #[serde(default)]
    #[schemars(with = "u32", range(min = 1, max = 256))]
    pub replicas: Option<Spanned<i64>>,
    /// --per_process_gpu_memory_fraction; defaults to 1/per_gpu when per_gpu > 1.
    #[serde(default)]
    #[schemars(with = "f64", range(max = 1.0), extend("exclusiveMinimum" = 0.0))]
    pub memory_fraction: Option<Spanned<f64>>,
}

/// `[[override]]`: settings for one slot, for mixed hardware.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideSection {
    /// The GPU (index or UUID) whose replicas this applies to.
    #[serde(default)]
    #[schemars(with = "GpuReference")]
    pub gpu: Option<Spanned<GpuReference>>,
    /// The CPU replica (0-based) this applies to; CPU mode only.
    #[serde(default)]
    #[schemars(with = "u32", range(max = 255))]
    pub replica: Option<Spanned<i64>>,
    /// nginx upstream weight (default 1).
    #[serde(default)]
    #[schemars(with = "u32", range(min = 1, max = 1000), extend("default" = 1))]
    pub weight: Option<Spanned<i64>>,
    /// Merged over `[serving].env`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub env: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Appended after `[serving].args`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub args: Vec<Spanned<String>>,
    /// Versions this slot serves instead of the model's, model name → versions.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<u64>>")]
    pub versions: BTreeMap<Spanned<String>, Spanned<Vec<Spanned<i64>>>>,
}

/// `[balancer]`: the nginx container in front of the replicas.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BalancerSection {
    /// nginx image (default `nginx:1.30`).
    #[serde(default)]
    #[schemars(with = "String", extend("default" = "nginx:1.30"))]
    pub image: Option<Spanned<String>>,
    /// Host `address:port` of the REST endpoint (default `127.0.0.1:8501`).
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r":[0-9]{1,5}$"), extend("default" = "127.0.0.1:8501"))]
    pub rest: Option<Spanned<String>>,
    /// Host `address:port` of the gRPC endpoint; absent means no gRPC listener.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r":[0-9]{1,5}$"))]
    pub grpc: Option<Spanned<String>>,
    /// Load-balancing method.
    #[serde(default)]
    pub strategy: Strategy,
    /// Extra tries on another replica for error, timeout, 502 and 503 (default 2).
    #[serde(default)]
    #[schemars(with = "u32", range(min = 0, max = 10), extend("default" = 2))]
    pub retries: Option<Spanned<i64>>,
    /// client_max_body_size, e.g. `64m` (default).
    #[serde(default)]
    #[schemars(
        with = "String",
        regex(pattern = r"^[0-9]+[kKmMgG]?$"),
        extend("default" = "64m")
    )]
    pub max_body: Option<Spanned<String>>,
    /// How long nginx waits to connect to a replica (proxy_connect_timeout,
    /// grpc_connect_timeout), 1ms to 60s, e.g. "250ms"; absent: tfs's default.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^[0-9]+(ms|s|m)$"))]
    pub connect_timeout: Option<Spanned<String>>,
    /// How long nginx waits for a replica's answer (proxy_read_timeout,
    /// grpc_read_timeout), 1s to 3600s, e.g. "60s"; absent: derived from
    /// TF Serving's `--rest_api_timeout_in_ms`.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^[0-9]+(ms|s|m)$"))]
    pub read_timeout: Option<Spanned<String>>,
}

/// `strategy`: how nginx picks a replica: `least_conn` (the default), `round_robin`, `ip_hash` or `random`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    #[default]
    LeastConn,
    RoundRobin,
    IpHash,
    Random,
}

/// `[rollout]`: how replicas are replaced.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutSection {
    /// Slots replaced at once (default 1).
    #[serde(default)]
    #[schemars(with = "u32", range(min = 1, max = 1024), extend("default" = 1))]
    pub max_unavailable: Option<Spanned<i64>>,
    /// How long in-flight requests may finish on a slot taken out of the upstream (default "30s").
    #[serde(default)]
    #[schemars(
        with = "String",
        regex(pattern = r"^[0-9]+(ms|s|m)$"),
        extend("default" = "30s")
    )]
    pub drain_timeout: Option<Spanned<String>>,
}

/// `[batching]`: TF Serving's BatchingParameters; an absent key keeps TF Serving's default.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchingSection {
    /// The most requests (in the 0th dimension) one batch holds.
    #[serde(default)]
    #[schemars(with = "u64", range(min = 1, max = 1_000_000))]
    pub max_batch_size: Option<Spanned<i64>>,
    /// Microseconds a request waits for a batch to fill before a smaller one runs.
    #[serde(default)]
    #[schemars(with = "u64", range(min = 0, max = 60_000_000))]
    pub batch_timeout_micros: Option<Spanned<i64>>,
    /// How many batches may queue; past it requests are refused.
    #[serde(default)]
    #[schemars(with = "u64", range(min = 1, max = 1_000_000))]
    pub max_enqueued_batches: Option<Spanned<i64>>,
    /// Threads that run batches.
    #[serde(default)]
    #[schemars(with = "u64", range(min = 1, max = 1024))]
    pub num_batch_threads: Option<Spanned<i64>>,
    /// Batch sizes a batch is padded up to; increasing, the last equal to `max_batch_size`.
    #[serde(default)]
    #[schemars(with = "Vec<u64>", length(min = 1), extend("uniqueItems" = true))]
    pub allowed_batch_sizes: Option<Spanned<Vec<Spanned<i64>>>>,
    /// Pad inputs whose non-batch dimensions differ to the longest in the batch (default false).
    #[serde(default)]
    #[schemars(with = "bool", extend("default" = false))]
    pub pad_variable_length_inputs: Option<bool>,
}
