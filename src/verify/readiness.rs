//! Waiting until a replica's models are AVAILABLE, asked over the fleet
//! network at the container's own address: no backend port is published.
//! TF Serving is asked over REST, or over gRPC when the replica's args turn
//! REST off (`--rest_api_port=0`).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

use super::grpc_status;
use super::model_state::{is_available, ModelState, VersionState, Versions};
use super::model_status::model_status;
use super::reload_config::reload_config;
use crate::cancel::Cancel;
use crate::desire::{rest_api_enabled, ReplicaSpec, ServedModel};
use crate::engine::Engine;

/// What one replica reports for each of its models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaHealth {
    pub name: String,
    pub container_state: crate::engine::Status,
    pub models: Vec<(String, Vec<VersionState>)>,
    pub available: bool,
}

impl ReplicaHealth {
    /// Every model's versions the one way tfs writes them: `m:123 n:4 LOADING`.
    pub fn compact(&self) -> String {
        self.models
            .iter()
            .map(|(model, states)| Versions { model, states }.compact())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why a probe got no health report.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The container is not running: waiting will not help.
    #[error("{0}")]
    Stopped(String),
    /// The server did not answer (yet).
    #[error("{0:#}")]
    NoAnswer(anyhow::Error),
}

/// A replica's TF Serving, as tfs talks to it: asked once what its models'
/// states are, or told what to serve. The executor and status go through
/// this trait, so that tests can answer from memory.
#[allow(async_fn_in_trait)]
pub trait Probe {
    async fn probe(
        &self,
        replica: &ReplicaSpec,
        network: &str,
    ) -> Result<ReplicaHealth, ProbeError>;

    /// Replaces the replica's model config with `models` (without their
    /// version labels when `labels` is false).
    async fn reload(
        &self,
        replica: &ReplicaSpec,
        network: &str,
        models: &[ServedModel],
        labels: bool,
    ) -> Result<()>;
}

/// TF Serving itself, asked at the container's address on the fleet network.
pub struct ServingProbe<'a, E: Engine>(pub &'a E);

impl<E: Engine> Probe for ServingProbe<'_, E> {
    async fn probe(
        &self,
        replica: &ReplicaSpec,
        network: &str,
    ) -> Result<ReplicaHealth, ProbeError> {
        probe(self.0, replica, network).await
    }

    async fn reload(
        &self,
        replica: &ReplicaSpec,
        network: &str,
        models: &[ServedModel],
        labels: bool,
    ) -> Result<()> {
        let ip = address(self.0, replica, network)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        let address = SocketAddr::new(ip, replica.config.grpc_port);
        reload_config(address, models, labels).await
    }
}

/// The replica's address on the fleet network, if its container runs there.
async fn address(
    engine: &impl Engine,
    replica: &ReplicaSpec,
    network: &str,
) -> Result<IpAddr, ProbeError> {
    let container = match engine.inspect(&replica.name).await {
        Ok(Some(container)) => container,
        Ok(None) => {
            return Err(ProbeError::Stopped(format!(
                "container {} does not exist",
                replica.name
            )))
        }
        Err(error) => return Err(ProbeError::NoAnswer(error)),
    };
    if !container.state.is_running() {
        return Err(ProbeError::Stopped(format!(
            "{}: {}",
            replica.name,
            container.state.describe()
        )));
    }
    container
        .networks
        .get(network)
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .ok_or_else(|| {
            ProbeError::Stopped(format!(
                "{} has no address on network {network}",
                replica.name
            ))
        })
}

/// Asks once: the container's state and address from the engine, then TF Serving.
async fn probe(
    engine: &impl Engine,
    replica: &ReplicaSpec,
    network: &str,
) -> Result<ReplicaHealth, ProbeError> {
    let ip = address(engine, replica, network).await?;
    let rest = rest_api_enabled(&replica.config.args);
    let port = if rest {
        replica.config.rest_port
    } else {
        replica.config.grpc_port
    };
    let address = SocketAddr::new(ip, port);
    let mut health = ReplicaHealth {
        name: replica.name.clone(),
        // `address` answers only for a running container.
        container_state: crate::engine::Status::Running,
        models: Vec::new(),
        available: true,
    };
    for model in &replica.models {
        let states = if rest {
            model_status(address, &model.name).await
        } else {
            grpc_status::model_status(address, &model.name).await
        }
        .map_err(ProbeError::NoAnswer)?;
        health.available &= is_available(&states, &model.versions);
        health.models.push((model.name.clone(), states));
    }
    Ok(health)
}

/// Why a version the replica should serve will not become AVAILABLE: it
/// ended (failed to load), with TF Serving's error when it gave one.
fn failed(health: &ReplicaHealth, replica: &ReplicaSpec) -> Option<String> {
    replica.models.iter().find_map(|model| {
        let (_, states) = health.models.iter().find(|(name, _)| *name == model.name)?;
        states
            .iter()
            .filter(|state| state.state == ModelState::End)
            .filter(|state| {
                model.versions.is_empty() && state.error.is_some()
                    || model
                        .versions
                        .iter()
                        .any(|v| v.to_string() == state.version)
            })
            .map(|state| {
                let why = state
                    .error
                    .as_deref()
                    .unwrap_or("it ended without an error message");
                format!(
                    "model {} version {} did not load on {}: {why}",
                    model.name, state.version, replica.name
                )
            })
            .next()
    })
}

/// How often a loading replica is asked: half an interval is added, on
/// average, to every apply. Often at first (a probe is a container inspect
/// and one local HTTP request); models still loading after `QUICK_FOR` are
/// big ones, where a second makes no difference but dockerd's load would.
const QUICK_POLL: Duration = Duration::from_millis(50);
const QUICK_FOR: Duration = Duration::from_secs(10);
const SLOW_POLL: Duration = Duration::from_millis(250);

/// Asks until every model is AVAILABLE, the container stops, time runs out, or the user interrupts.
pub async fn wait_available(
    probe: &impl Probe,
    replica: &ReplicaSpec,
    network: &str,
    timeout: Duration,
    cancel: &Cancel,
) -> Result<ReplicaHealth> {
    let started = Instant::now();
    let deadline = started + timeout;
    let mut last;
    loop {
        cancel.check()?;
        match probe.probe(replica, network).await {
            Ok(health) if health.available => return Ok(health),
            // A wanted version that ended will not load: TF Serving says why.
            Ok(health) if failed(&health, replica).is_some() => {
                bail!("{}", failed(&health, replica).unwrap_or_default())
            }
            Ok(health) => last = health.compact(),
            // A container that stopped will not become AVAILABLE: fail now, not at the deadline.
            Err(ProbeError::Stopped(reason)) => bail!("{reason}"),
            Err(ProbeError::NoAnswer(error)) => last = format!("{error:#}"),
        }
        if Instant::now() >= deadline {
            bail!(
                "{} was not AVAILABLE after {}s (last: {last})",
                replica.name,
                timeout.as_secs()
            );
        }
        let interval = if started.elapsed() < QUICK_FOR {
            QUICK_POLL
        } else {
            SLOW_POLL
        };
        tokio::time::sleep(interval).await;
    }
}
