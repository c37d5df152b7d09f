//! `[kubernetes]` as written: what `tfs export kubernetes` needs from a
//! cluster that a host does not. Checked in `kubernetes.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// `[kubernetes]`: settings for `tfs export kubernetes`; every key is optional.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KubernetesSection {
    /// Namespace of every object (default `default`); a DNS-1123 label. `--namespace` overrides it.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"), extend("default" = "default"))]
    pub namespace: Option<Spanned<String>>,
    /// The cluster's DNS domain, in the names nginx resolves (default `cluster.local`).
    #[serde(default)]
    #[schemars(with = "String", extend("default" = "cluster.local"))]
    pub cluster_domain: Option<Spanned<String>>,
    /// The DNS server nginx asks for the serving pods' addresses: an IP address or a
    /// name (default `kube-dns.kube-system.svc.<cluster_domain>`, the cluster DNS Service).
    #[serde(default)]
    #[schemars(with = "String")]
    pub resolver: Option<Spanned<String>>,
    /// An existing PersistentVolumeClaim holding one directory per model, mounted
    /// read-only; default: the export creates one named `<fleet>-models`.
    #[serde(default)]
    #[schemars(
        with = "String",
        regex(pattern = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    )]
    pub claim: Option<Spanned<String>>,
    /// Instead of a claim: an absolute directory on every node holding one directory per model.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^/"))]
    pub host_path: Option<Spanned<String>>,
    /// The size of the `<fleet>-models` claim the export creates (default `10Gi`).
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"), extend("default" = "10Gi"))]
    pub storage: Option<Spanned<String>>,
    /// Node labels the serving pods must be scheduled on, e.g. `{ "nvidia.com/gpu.present" = "true" }`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub node_selector: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Taints the serving pods tolerate, e.g. the GPU nodes' `nvidia.com/gpu`.
    #[serde(default)]
    #[schemars(with = "Vec<TolerationSection>")]
    pub tolerations: Vec<Spanned<TolerationSection>>,
    /// Pods of the nginx balancer (default 2).
    #[serde(default)]
    #[schemars(with = "u32", range(min = 1, max = 100), extend("default" = 2))]
    pub balancer_replicas: Option<Spanned<i64>>,
    /// How the balancer's Service is exposed.
    #[serde(default)]
    pub service_type: ServiceType,
}

/// A toleration of the serving pods, spelled as in a Pod spec.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TolerationSection {
    /// The taint's key; empty with `operator = "Exists"` tolerates every taint.
    #[serde(default)]
    #[schemars(with = "String")]
    pub key: Option<Spanned<String>>,
    /// How `value` is compared.
    #[serde(default)]
    pub operator: TolerationOperator,
    /// The taint's value; only with `operator = "Equal"`.
    #[serde(default)]
    #[schemars(with = "String")]
    pub value: Option<Spanned<String>>,
    /// The taint effect tolerated; absent: every effect.
    #[serde(default)]
    #[schemars(with = "TolerationEffect")]
    pub effect: Option<TolerationEffect>,
}

/// `operator`: `Equal` (the default) or `Exists`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TolerationOperator {
    #[default]
    Equal,
    Exists,
}

/// `effect`: `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TolerationEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

/// `service_type`: `ClusterIP` (the default), `NodePort` or `LoadBalancer`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ServiceType {
    #[default]
    ClusterIP,
    NodePort,
    LoadBalancer,
}
