//! One function per operation. Each returns what it changed as an
//! [`Effect`]; the executor records it and reports the event.

use std::time::Duration;

use anyhow::{Context, Result};

use super::balancer::{drain, start_balancer};
use super::checkpoint::{checkpoint, NETWORK_CREATED};
use super::executor::{Effect, Executor};
use super::images::ensure_image;
use super::nginx_version::learn_nginx_version;
use super::reload::{install_conf, install_staged, stage_conf};
use super::replicas::{remove_container, remove_network, start_replica, Ending};
use crate::desire::ReplicaSpec;
use crate::engine::Engine;
use crate::reconcile::{Op, Operation};
use crate::verify::{wait_available, Probe};

/// How the balancer ends: nginx finishes the requests it forwards within
/// 5 s of its stop signal. Replicas are killed (see [`Ending::Killed`]).
pub const BALANCER_ENDING: Ending = Ending::Graceful(Duration::from_secs(5));

impl<E: Engine, P: Probe> Executor<'_, E, P> {
    pub async fn perform(&self, operation: &Operation) -> Result<Effect> {
        let target = operation.target.as_str();
        match &operation.op {
            Op::CreateNetwork => self.create_network().await,
            Op::PullImage => self.pull_image(target).await,
            Op::CheckAvailable => self.check_available(target).await,
            Op::StartBalancer { upstream } => self.start_balancer(upstream).await,
            Op::StageConfig { upstream } => self.stage_config(upstream).await,
            Op::SwitchConfig { upstream } => self.switch_config(upstream).await,
            Op::Drain => self.drain().await,
            Op::RemoveReplica { .. } => self.remove_replica(target).await,
            Op::StartReplica => self.start_replica(self.desired_spec(target)?).await,
            Op::RestoreReplica => self.start_replica(self.previous_spec(target)?).await,
            Op::WaitAvailable => self.wait_available(target).await,
            Op::ReloadModels => self.reload_models(target).await,
            Op::RestoreModels => self.restore_models(target).await,
            Op::RemoveBalancer => self.remove_balancer(target).await,
            Op::RemoveNetwork => self.remove_network(target).await,
        }
    }

    async fn create_network(&self) -> Result<Effect> {
        let network = &self.plan.desired.network;
        self.engine
            .create_network(&network.name, &network.labels)
            .await?;
        checkpoint(NETWORK_CREATED).await;
        Ok(Effect::Nothing)
    }

    async fn pull_image(&self, image: &str) -> Result<Effect> {
        // Nothing is half-made by a pull cut short: a signal need not wait for it.
        let pulled = tokio::select! {
            pulled = ensure_image(self.engine, image, self.plan.desired.pull, self.reporter) => pulled?,
            interrupted = self.options.cancel.cancelled() => return Err(interrupted.into()),
        };
        Ok(if pulled {
            Effect::Nothing
        } else {
            Effect::Unchanged
        })
    }

    async fn check_available(&self, name: &str) -> Result<Effect> {
        let spec = self.desired_or_previous(name)?;
        let network = &self.plan.desired.network.name;
        Ok(match self.probe.probe(spec, network).await {
            Ok(health) if health.available => Effect::Available(health),
            _ => Effect::NotAvailable,
        })
    }

    /// Learns the image's nginx version first: the container's labels
    /// record it, and its first config uses what that nginx supports.
    async fn start_balancer(&self, upstream: &[String]) -> Result<Effect> {
        let desired = &self.plan.desired;
        let version = learn_nginx_version(self.engine, &desired.balancer.container.image).await;
        let spec = desired.balancer.with_nginx_version(version);
        let conf = crate::desire::nginx::render(&spec.settings, &self.members(upstream));
        start_balancer(self.engine, &spec, &desired.network.name, &conf).await?;
        Ok(Effect::BalancerStarted {
            conf,
            members: self.listed(upstream),
            nginx_version: version,
        })
    }

    /// Not yet possible (a name nginx cannot resolve yet) is no failure:
    /// the switch writes and tests the config itself then.
    async fn stage_config(&self, upstream: &[String]) -> Result<Effect> {
        let conf = nginx_conf_all(self, upstream);
        let balancer = &self.plan.desired.balancer.name;
        Ok(match stage_conf(self.engine, balancer, &conf).await {
            Ok(()) => Effect::Staged(conf),
            Err(_) => Effect::Unchanged,
        })
    }

    async fn switch_config(&self, upstream: &[String]) -> Result<Effect> {
        let conf = self.conf_for(upstream);
        let members = self.listed(upstream);
        if self.installed.as_deref() == Some(conf.as_str()) {
            return Ok(Effect::Installed {
                conf,
                members,
                reloaded: false,
            });
        }
        let balancer = &self.plan.desired.balancer.name;
        if self.staged.as_deref() == Some(conf.as_str()) {
            install_staged(self.engine, balancer, &conf).await?;
        } else {
            install_conf(self.engine, balancer, &conf).await?;
        }
        Ok(Effect::Installed {
            conf,
            members,
            reloaded: true,
        })
    }

    async fn drain(&self) -> Result<Effect> {
        if !self.reloaded {
            return Ok(Effect::Unchanged);
        }
        let desired = &self.plan.desired;
        let limit = Duration::from_millis(desired.rollout.drain_timeout_ms);
        // Interrupted while draining, apply stops before removing anything.
        tokio::select! {
            drained = drain(self.engine, &desired.balancer.name, limit) => drained?,
            interrupted = self.options.cancel.cancelled() => return Err(interrupted.into()),
        }
        Ok(Effect::Nothing)
    }

    async fn start_replica(&self, spec: &ReplicaSpec) -> Result<Effect> {
        start_replica(self.engine, spec, &self.plan.desired.network.name).await?;
        Ok(Effect::Nothing)
    }

    async fn wait_available(&self, name: &str) -> Result<Effect> {
        let spec = if self.restored.contains(name) {
            self.previous_spec(name)?
        } else {
            self.desired_spec(name)?
        };
        let network = &self.plan.desired.network.name;
        let (timeout, cancel) = (self.options.timeout, &self.options.cancel);
        let health = wait_available(self.probe, spec, network, timeout, cancel).await?;
        Ok(Effect::Available(health))
    }

    pub(super) fn desired_spec(&self, name: &str) -> Result<&ReplicaSpec> {
        self.plan
            .desired
            .replicas
            .iter()
            .find(|r| r.name == name)
            .with_context(|| format!("the plan has no spec for replica {name}"))
    }

    pub(super) fn previous_spec(&self, name: &str) -> Result<&ReplicaSpec> {
        self.plan
            .steps
            .iter()
            .filter(|s| s.resource == name)
            .find_map(|s| s.previous.as_ref())
            .with_context(|| format!("the plan has no previous spec for replica {name}"))
    }

    /// The spec a container of this name runs before apply replaces it:
    /// the previous one of a replacement, else the desired one.
    fn desired_or_previous(&self, name: &str) -> Result<&ReplicaSpec> {
        self.previous_spec(name)
            .or_else(|_| self.desired_spec(name))
    }

    /// The members of `upstream` that a config rendered now lists.
    fn listed(&self, upstream: &[String]) -> Vec<String> {
        self.members(upstream).into_iter().map(|m| m.name).collect()
    }
}

/// The config a stage prepares: every replica of `upstream`, since staging
/// happens before they serve and is only used once all of them do.
fn nginx_conf_all<E: Engine, P: Probe>(
    executor: &Executor<'_, E, P>,
    upstream: &[String],
) -> String {
    let desired = &executor.plan.desired;
    let members: Vec<_> = desired
        .replicas
        .iter()
        .filter(|r| upstream.contains(&r.name))
        .map(crate::desire::nginx::Member::of)
        .collect();
    crate::desire::nginx::render(&executor.balancer_settings(), &members)
}

impl<E: Engine, P: Probe> Executor<'_, E, P> {
    async fn remove_replica(&self, name: &str) -> Result<Effect> {
        remove_container(self.engine, &self.plan.fleet, name, Ending::Killed).await?;
        Ok(Effect::Removed)
    }

    async fn remove_balancer(&self, name: &str) -> Result<Effect> {
        remove_container(self.engine, &self.plan.fleet, name, BALANCER_ENDING).await?;
        Ok(Effect::BalancerRemoved)
    }

    async fn remove_network(&self, name: &str) -> Result<Effect> {
        remove_network(self.engine, &self.plan.fleet, name).await?;
        Ok(Effect::Nothing)
    }
}
