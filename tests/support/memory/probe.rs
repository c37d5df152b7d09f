//! TF Serving's readiness, answered from memory.

use std::net::IpAddr;

use tfs::desire::{ReplicaSpec, ServedModel};
use tfs::engine::Status;
use tfs::verify::{is_available, ModelState, Probe, ProbeError, ReplicaHealth, VersionState};

use super::Memory;

impl Probe for Memory {
    /// Like `ServingProbe`: Stopped for a container that is missing, not
    /// running or without an address; else every model's versions.
    async fn probe(
        &self,
        replica: &ReplicaSpec,
        network: &str,
    ) -> Result<ReplicaHealth, ProbeError> {
        let mut state = self.call().await;
        let name = replica.name.as_str();
        state
            .fault("probe", &[name])
            .map_err(ProbeError::NoAnswer)?;
        let Some(index) = state.find(name) else {
            return Err(ProbeError::Stopped(format!(
                "container {name} does not exist"
            )));
        };
        let entry = &mut state.containers[index];
        if !entry.container.state.is_running() {
            let why = entry.container.state.describe();
            return Err(ProbeError::Stopped(format!("{name}: {why}")));
        }
        let address = entry.container.networks.get(network);
        if address.and_then(|ip| ip.parse::<IpAddr>().ok()).is_none() {
            return Err(ProbeError::Stopped(format!(
                "{name} has no address on network {network}"
            )));
        }
        let ready = match entry.loading {
            Some(0) => true,
            Some(left) => {
                entry.loading = Some(left - 1);
                false
            }
            None => false,
        };
        let state = if ready {
            ModelState::Available
        } else {
            ModelState::Loading
        };
        let mut health = ReplicaHealth {
            name: name.to_string(),
            container_state: Status::Running,
            models: Vec::new(),
            available: true,
        };
        for model in &replica.models {
            let versions = if model.versions.is_empty() {
                vec![1]
            } else {
                model.versions.clone()
            };
            let states: Vec<VersionState> = versions
                .iter()
                .map(|version| VersionState {
                    version: version.to_string(),
                    state,
                    error: None,
                })
                .collect();
            health.available &= is_available(&states, &model.versions);
            health.models.push((model.name.clone(), states));
        }
        Ok(health)
    }

    /// A reload is answered as a running TF Serving would take it; the
    /// versions it names are what `probe` reports from then on, since
    /// `probe` answers for the spec it is given.
    async fn reload(
        &self,
        replica: &ReplicaSpec,
        _network: &str,
        _models: &[ServedModel],
        _labels: bool,
    ) -> anyhow::Result<()> {
        let mut state = self.call().await;
        state.fault("reload", &[replica.name.as_str()])?;
        match state.find(&replica.name) {
            Some(index) if state.containers[index].container.state.is_running() => Ok(()),
            _ => anyhow::bail!("container {} does not run", replica.name),
        }
    }
}
