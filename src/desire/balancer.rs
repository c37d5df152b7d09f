//! The desired nginx balancer container.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::hash::content_hash;
use super::labels;
use super::nginx::{self, Member};
use super::nginx_version::NginxVersion;
use super::replica::ReplicaSpec;
use crate::load::{flag_value, rest_api_enabled, Fleet, Strategy};

/// Ports nginx listens on inside the balancer container.
pub const REST_LISTEN_PORT: u16 = 8501;
pub const GRPC_LISTEN_PORT: u16 = 8500;

/// What needs the balancer container recreated when it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancerContainer {
    pub image: String,
    pub rest: SocketAddr,
    pub grpc: Option<SocketAddr>,
}

/// What nginx.conf is made of, besides the replicas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancerSettings {
    pub fleet: String,
    pub strategy: Strategy,
    pub retries: u32,
    pub max_body: String,
    pub grpc: bool,
    /// The replicas' REST port; 0 when `[serving].args` turn REST off, and
    /// nginx.conf then has no REST upstream.
    pub rest_port: u16,
    pub grpc_port: u16,
    /// How long nginx waits to connect to a replica on the fleet network.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How long nginx waits for a replica's answer before trying another.
    #[serde(default = "default_read_timeout_ms")]
    pub read_timeout_ms: u64,
    /// The balancer image's nginx, when known: what nginx.conf may use.
    /// Unknown (a balancer yet to be created, or an image whose nginx did
    /// not say) renders the config every nginx since 1.22 reads.
    #[serde(default)]
    pub nginx_version: Option<NginxVersion>,
    /// `keepalive_min_timeout` where nginx has it (≥ 1.27.4): how long a
    /// reload's old workers keep an idle kept-alive client connection open.
    #[serde(default = "default_keepalive_min_timeout_ms")]
    pub keepalive_min_timeout_ms: u64,
}

/// A replica on the local bridge accepts within a millisecond; one whose
/// container is gone never answers, and every worker that tries it stalls
/// this long before retrying elsewhere (BENCHMARKS.md: a killed replica).
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(200);
/// TF Serving's own `--rest_api_timeout_in_ms` default.
pub const REST_API_TIMEOUT: Duration = Duration::from_secs(30);
/// Added to TF Serving's timeout, so that its own timeout answer reaches
/// the client before nginx gives up on it.
pub const READ_TIMEOUT_MARGIN: Duration = Duration::from_secs(5);

/// A reload's old workers close idle kept-alive client connections at once,
/// racing a request the client is sending on one (BENCHMARKS.md §4: 40 of
/// 101,247 requests of keep-alive clients failed over three rollouts on
/// nginx 1.22). `keepalive_min_timeout` keeps each one open this long after its
/// last request, so the next request is answered (with `Connection: close`)
/// instead; an old worker exits once its connections close, so a drain
/// with idle clients takes this long. Capped by `[rollout] drain_timeout`:
/// replicas removed after a drain must no longer be reachable through an
/// old worker.
pub const KEEPALIVE_MIN_TIMEOUT: Duration = Duration::from_secs(10);

fn default_keepalive_min_timeout_ms() -> u64 {
    KEEPALIVE_MIN_TIMEOUT.as_millis() as u64
}

fn default_connect_timeout_ms() -> u64 {
    CONNECT_TIMEOUT.as_millis() as u64
}

fn default_read_timeout_ms() -> u64 {
    (REST_API_TIMEOUT + READ_TIMEOUT_MARGIN).as_millis() as u64
}

/// The balancer: its container and the settings its nginx.conf is rendered from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalancerSpec {
    pub name: String,
    pub container: BalancerContainer,
    pub settings: BalancerSettings,
    pub config_hash: String,
    pub labels: BTreeMap<String, String>,
    /// Every desired replica, in the fleet's order: the converged upstream.
    pub upstream: Vec<Member>,
    /// nginx.conf of the converged fleet, rendered once from `upstream`.
    pub conf: String,
}

pub fn balancer(fleet: &Fleet, replicas: &[ReplicaSpec]) -> BalancerSpec {
    let container = BalancerContainer {
        image: fleet.balancer.image.clone(),
        rest: fleet.balancer.rest,
        grpc: fleet.balancer.grpc,
    };
    let config_hash = content_hash(&container);
    let labels = BTreeMap::from([
        (labels::FLEET.to_string(), fleet.name.clone()),
        (labels::ROLE.to_string(), labels::ROLE_BALANCER.to_string()),
        (labels::CONFIG_HASH.to_string(), config_hash.clone()),
        (
            labels::SPEC.to_string(),
            serde_json::to_string(&container).expect("serializes"),
        ),
    ]);
    let settings = BalancerSettings {
        fleet: fleet.name.clone(),
        strategy: fleet.balancer.strategy,
        retries: fleet.balancer.retries,
        max_body: fleet.balancer.max_body.clone(),
        grpc: fleet.balancer.grpc.is_some(),
        rest_port: if rest_api_enabled(&fleet.serving.args) {
            fleet.serving.rest_port
        } else {
            0
        },
        grpc_port: fleet.serving.grpc_port,
        connect_timeout_ms: fleet
            .balancer
            .connect_timeout
            .unwrap_or(CONNECT_TIMEOUT)
            .as_millis() as u64,
        read_timeout_ms: fleet
            .balancer
            .read_timeout
            .unwrap_or_else(|| read_timeout(fleet))
            .as_millis() as u64,
        nginx_version: None,
        keepalive_min_timeout_ms: KEEPALIVE_MIN_TIMEOUT
            .min(fleet.rollout.drain_timeout)
            .as_millis() as u64,
    };
    let upstream: Vec<Member> = replicas.iter().map(Member::of).collect();
    BalancerSpec {
        name: format!("{}-balancer", fleet.name),
        container,
        conf: nginx::render(&settings, &upstream),
        upstream,
        settings,
        config_hash,
        labels,
    }
}

impl BalancerSpec {
    /// This balancer for an nginx of `version`: its settings and converged config.
    pub fn with_nginx_version(&self, version: Option<NginxVersion>) -> Self {
        let mut spec = self.clone();
        spec.settings.nginx_version = version;
        match version {
            Some(version) => spec
                .labels
                .insert(labels::NGINX_VERSION.to_string(), version.to_string()),
            None => spec.labels.remove(labels::NGINX_VERSION),
        };
        spec.conf = nginx::render(&spec.settings, &spec.upstream);
        spec
    }

    /// This balancer as the running one (the labels of the balancer
    /// container found) would run it: with the nginx version in its labels
    /// when it is this spec's container (same image and ports), unknown
    /// otherwise, since a new container is learned afresh.
    pub fn for_running(&self, running: Option<&BTreeMap<String, String>>) -> Self {
        let version = running
            .filter(|found| found.get(labels::CONFIG_HASH) == Some(&self.config_hash))
            .and_then(|found| found.get(labels::NGINX_VERSION))
            .and_then(|v| NginxVersion::parse(v));
        if version == self.settings.nginx_version {
            return self.clone();
        }
        self.with_nginx_version(version)
    }
}

/// TF Serving cuts a REST request at `--rest_api_timeout_in_ms`; nginx waits
/// a little longer than the slowest replica would, so that a replica that
/// hangs costs its requests one timeout and a retry elsewhere, not minutes.
fn read_timeout(fleet: &Fleet) -> Duration {
    let slowest = std::iter::once(&fleet.serving.args)
        .chain(fleet.overrides.iter().map(|o| &o.args))
        .filter_map(|args| flag_value(args, "rest_api_timeout_in_ms"))
        .filter_map(|value| value.parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .max()
        .map_or(REST_API_TIMEOUT, Duration::from_millis);
    slowest + READ_TIMEOUT_MARGIN
}
