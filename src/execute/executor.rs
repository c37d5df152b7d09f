//! The state apply carries between steps: who serves, and what nginx runs.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use futures_util::future::join_all;

use super::balancer::{drain, start_balancer};
use super::reload::{install_conf, install_staged};
use super::replicas::{last_logs, remove_container};
use super::{Options, Outcome};
use crate::desire::nginx::{self, Member};
use crate::desire::Desired;
use crate::engine::Engine;
use crate::progress::Reporter;
use crate::reconcile::{Action, Plan, Step};
use crate::verify::{wait_available, ServingProbe};

pub struct Executor<'a, E: Engine> {
    pub engine: &'a E,
    pub desired: &'a Desired,
    pub reporter: &'a dyn Reporter,
    pub options: &'a Options,
    /// Replicas the upstream should list now.
    pub serving: BTreeSet<String>,
    /// The nginx.conf the balancer runs, as far as tfs knows.
    pub installed: Option<String>,
    /// Whether a balancer runs throughout, so that changes must keep it fed.
    pub balancer_live: bool,
    /// A config already written into the balancer and tested, not loaded.
    pub staged: Option<String>,
}

/// Upstream members for the serving replicas, in the fleet's order.
pub fn members(desired: &Desired, serving: &BTreeSet<String>) -> Vec<Member> {
    desired
        .replicas
        .iter()
        .filter(|r| serving.contains(&r.name))
        .map(Member::of)
        .collect()
}

/// Starts the balancer with `serving` in its upstream; returns its nginx.conf.
pub async fn launch_balancer(
    engine: &impl Engine,
    desired: &Desired,
    reporter: &dyn Reporter,
    serving: &[Member],
) -> Result<String> {
    let spec = &desired.balancer;
    reporter.begin("balancer", &format!("starting balancer {}", spec.name));
    let conf = nginx::render(&spec.settings, serving);
    if let Err(error) = start_balancer(engine, spec, &desired.network.name, &conf).await {
        reporter.fail("balancer", &format!("balancer {} failed", spec.name));
        return Err(anyhow!("{error:#}{}", last_logs(engine, &spec.name).await));
    }
    reporter.finish(
        "balancer",
        &format!(
            "started balancer {}: upstream {}",
            spec.name,
            upstream_text(serving)
        ),
    );
    Ok(conf)
}

/// The upstream's members in words, for progress lines.
fn upstream_text(serving: &[Member]) -> String {
    if serving.is_empty() {
        return "(empty)".to_string();
    }
    let names: Vec<&str> = serving.iter().map(|m| m.name.as_str()).collect();
    names.join(" ")
}

impl<E: Engine> Executor<'_, E> {
    /// Points the balancer at the replicas in `serving`, when that changes its config.
    pub async fn publish(&mut self) -> Result<()> {
        if !self.balancer_live {
            return Ok(());
        }
        let conf = nginx::render(
            &self.desired.balancer.settings,
            &members(self.desired, &self.serving),
        );
        if self.installed.as_deref() == Some(conf.as_str()) {
            return Ok(());
        }
        let name = &self.desired.balancer.name;
        self.reporter
            .begin("balancer", &format!("reloading {name}"));
        if self.staged.as_deref() == Some(conf.as_str()) {
            install_staged(self.engine, name, &conf).await?;
        } else {
            install_conf(self.engine, name, &conf).await?;
        }
        self.installed = Some(conf);
        self.reporter.finish(
            "balancer",
            &format!("reloaded {name}: upstream {}", self.upstream_text()),
        );
        Ok(())
    }

    pub fn upstream_text(&self) -> String {
        upstream_text(&members(self.desired, &self.serving))
    }

    /// Takes containers out of the upstream and lets their in-flight requests finish.
    pub async fn take_out(&mut self, names: &[String]) -> Result<()> {
        for name in names {
            self.serving.remove(name);
        }
        let before = self.installed.clone();
        self.publish().await?;
        if self.balancer_live && before != self.installed {
            let limit = Duration::from_millis(self.desired.rollout.drain_timeout_ms);
            drain(self.engine, &self.desired.balancer.name, limit).await?;
        }
        Ok(())
    }

    pub async fn remove(&mut self, step: &Step) -> Result<()> {
        self.options.cancel.check()?;
        self.take_out(std::slice::from_ref(&step.resource)).await?;
        self.reporter.begin(
            &step.resource,
            &format!("removing replica {}", step.resource),
        );
        remove_container(self.engine, &step.resource, Duration::from_secs(10)).await?;
        self.reporter.finish(
            &step.resource,
            &format!("removed replica {}", step.resource),
        );
        Ok(())
    }

    pub async fn recreate_balancer(&mut self, step: &Step) -> Result<()> {
        self.options.cancel.check()?;
        let spec = &self.desired.balancer;
        if step.action == Action::Replace {
            remove_container(self.engine, &spec.name, Duration::from_secs(5)).await?;
        }
        let serving = members(self.desired, &self.serving);
        let conf = launch_balancer(self.engine, self.desired, self.reporter, &serving).await?;
        self.balancer_live = true;
        self.installed = Some(conf);
        Ok(())
    }

    /// Waits for every replica to be AVAILABLE (an unchanged one may still be
    /// loading, after an interrupted apply), serves exactly those that are,
    /// and fails naming the others.
    pub async fn finish(mut self, plan: &Plan) -> Result<Outcome> {
        let network = &self.desired.network.name;
        let (engine, options) = (self.engine, self.options);
        let waits = join_all(self.desired.replicas.iter().map(|replica| async move {
            match wait_available(
                &ServingProbe(engine),
                replica,
                network,
                options.timeout,
                &options.cancel,
            )
            .await
            {
                Ok(health) => Ok(health),
                Err(error) => Err(format!(
                    "{error:#}{}",
                    last_logs(engine, &replica.name).await
                )),
            }
        }))
        .await;
        let mut health = Vec::new();
        let mut failures = Vec::new();
        self.serving.clear();
        for (replica, result) in self.desired.replicas.iter().zip(waits) {
            match result {
                Ok(report) => {
                    self.serving.insert(replica.name.clone());
                    health.push(report);
                }
                Err(failure) => failures.push(failure),
            }
        }
        self.publish().await?;
        if !failures.is_empty() {
            bail!("{}", failures.join("\n\n"));
        }
        Ok(Outcome {
            summary: plan.summary(),
            health,
        })
    }
}
