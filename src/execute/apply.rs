//! Carrying out a plan: network, images, replicas (rolled through the
//! balancer when it serves traffic), then the balancer's final upstream.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{bail, Result};
use futures_util::future::join_all;

use super::balancer::{drain, install_conf, start_balancer};
use super::images::ensure_images;
use super::replicas::{last_logs, remove_container, start_replica};
use super::Cancel;
use crate::desire::{Desired, ReplicaSpec};
use crate::engine::Engine;
use crate::progress::Reporter;
use crate::reconcile::{Action, Kind, Plan, Step, Summary};
use crate::render::nginx::{self, Member};
use crate::verify::{probe, wait_available, ReplicaHealth};

/// How apply runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a replica may take to become AVAILABLE.
    pub timeout: Duration,
    pub cancel: Cancel,
}

/// What apply did, for the closing summary.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub summary: Summary,
    pub health: Vec<ReplicaHealth>,
}

struct Executor<'a, E: Engine> {
    engine: &'a E,
    desired: &'a Desired,
    reporter: &'a dyn Reporter,
    options: &'a Options,
    /// Replicas the upstream should list now.
    serving: BTreeSet<String>,
    /// The nginx.conf the balancer runs, as far as tfs knows.
    installed: Option<String>,
    /// Whether a balancer runs throughout, so that changes must keep it fed.
    balancer_live: bool,
}

pub async fn apply(
    engine: &impl Engine,
    plan: &Plan,
    reporter: &dyn Reporter,
    options: &Options,
) -> Result<Outcome> {
    let desired = &plan.desired;
    let network = &desired.network.name;
    let of = |kind: Kind, action: Action| {
        plan.steps
            .iter()
            .filter(move |s| s.kind == kind && s.action == action)
    };
    if of(Kind::Network, Action::Create).next().is_some() {
        reporter.begin("network", &format!("creating network {network}"));
        engine
            .create_network(network, &desired.network.labels)
            .await?;
        reporter.finish("network", &format!("created network {network}"));
    }
    options.cancel.check()?;
    let balancer_step = plan.steps.iter().find(|s| s.kind == Kind::Balancer);
    let mut images = Vec::new();
    if plan
        .steps
        .iter()
        .any(|s| s.kind == Kind::Replica && s.action != Action::Remove)
    {
        images.extend(desired.replicas.first().map(|r| r.config.image.clone()));
    }
    if balancer_step.is_some_and(|s| matches!(s.action, Action::Create | Action::Replace)) {
        images.push(desired.balancer.container.image.clone());
    }
    images.dedup();
    ensure_images(engine, &images, desired.pull, reporter).await?;
    options.cancel.check()?;

    let changing: BTreeSet<&str> = plan
        .steps
        .iter()
        .filter(|s| s.kind == Kind::Replica)
        .map(|s| s.resource.as_str())
        .collect();
    let mut executor = Executor {
        engine,
        desired,
        reporter,
        options,
        serving: desired
            .replicas
            .iter()
            .map(|r| r.name.clone())
            .filter(|n| !changing.contains(n.as_str()))
            .collect(),
        installed: match balancer_step {
            Some(step) => step.nginx_conf.as_ref().and_then(|c| c.running.clone()),
            None => Some(nginx::render(
                &desired.balancer.settings,
                &members(
                    desired,
                    desired.replicas.iter().map(|r| r.name.clone()).collect(),
                ),
            )),
        },
        balancer_live: !balancer_step
            .is_some_and(|s| matches!(s.action, Action::Create | Action::Replace)),
    };
    executor.serving.extend(
        of(Kind::Replica, Action::Replace)
            .chain(of(Kind::Replica, Action::Remove))
            .map(|s| s.resource.clone()),
    );

    for step in of(Kind::Replica, Action::Remove) {
        executor.remove(step).await?;
    }
    let creates: Vec<&ReplicaSpec> = of(Kind::Replica, Action::Create)
        .filter_map(|s| spec(desired, s))
        .collect();
    executor.start_wave(&creates).await?;
    let replaces: Vec<&ReplicaSpec> = of(Kind::Replica, Action::Replace)
        .filter_map(|s| spec(desired, s))
        .collect();
    let wave = if executor.balancer_live {
        desired.rollout.max_unavailable.max(1) as usize
    } else {
        replaces.len().max(1)
    };
    for chunk in replaces.chunks(wave) {
        executor.replace_wave(chunk).await?;
    }
    if let Some(step) =
        balancer_step.filter(|s| matches!(s.action, Action::Create | Action::Replace))
    {
        executor.recreate_balancer(step).await?;
    }
    executor.finish(plan).await
}

fn spec<'a>(desired: &'a Desired, step: &Step) -> Option<&'a ReplicaSpec> {
    desired.replicas.iter().find(|r| r.name == step.resource)
}

fn members(desired: &Desired, serving: BTreeSet<String>) -> Vec<Member> {
    desired
        .replicas
        .iter()
        .filter(|r| serving.contains(&r.name))
        .map(|r| Member {
            name: r.name.clone(),
            weight: r.weight,
        })
        .collect()
}

impl<E: Engine> Executor<'_, E> {
    /// Points the balancer at the replicas in `serving`, when that changes its config.
    async fn publish(&mut self) -> Result<()> {
        if !self.balancer_live {
            return Ok(());
        }
        let conf = nginx::render(
            &self.desired.balancer.settings,
            &members(self.desired, self.serving.clone()),
        );
        if self.installed.as_deref() == Some(conf.as_str()) {
            return Ok(());
        }
        self.options.cancel.check()?;
        let name = &self.desired.balancer.name;
        self.reporter
            .begin("balancer", &format!("reloading {name}"));
        install_conf(self.engine, name, &conf).await?;
        self.installed = Some(conf);
        self.reporter.finish(
            "balancer",
            &format!("reloaded {name}: upstream {}", self.upstream_text()),
        );
        Ok(())
    }

    fn upstream_text(&self) -> String {
        if self.serving.is_empty() {
            return "(empty)".to_string();
        }
        self.serving.iter().cloned().collect::<Vec<_>>().join(" ")
    }

    /// Takes containers out of the upstream and lets their in-flight requests finish.
    async fn take_out(&mut self, names: &[String]) -> Result<()> {
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

    async fn remove(&mut self, step: &Step) -> Result<()> {
        self.take_out(std::slice::from_ref(&step.resource)).await?;
        self.options.cancel.check()?;
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

    /// Creates and starts replicas together, waits for them together, then serves them.
    async fn start_wave(&mut self, replicas: &[&ReplicaSpec]) -> Result<()> {
        if replicas.is_empty() {
            return Ok(());
        }
        self.options.cancel.check()?;
        let network = &self.desired.network.name;
        let (engine, reporter, options) = (self.engine, self.reporter, self.options);
        let results = join_all(replicas.iter().map(|replica| async move {
            let key = replica.name.as_str();
            reporter.begin(key, &format!("starting replica {key}"));
            let started = async {
                start_replica(engine, replica, network).await?;
                wait_available(engine, replica, network, options.timeout, &options.cancel).await
            }
            .await;
            match started {
                Ok(health) => {
                    reporter.finish(
                        key,
                        &format!("replica {key} is AVAILABLE{}", models_text(&health)),
                    );
                    Ok(key.to_string())
                }
                Err(error) => {
                    reporter.fail(key, &format!("replica {key} failed"));
                    Err(format!("{error:#}{}", last_logs(engine, key).await))
                }
            }
        }))
        .await;
        let mut failures = Vec::new();
        for result in results {
            match result {
                Ok(name) => {
                    self.serving.insert(name);
                }
                Err(failure) => failures.push(failure),
            }
        }
        self.publish().await?;
        if !failures.is_empty() {
            bail!("{}", failures.join("\n\n"));
        }
        Ok(())
    }

    async fn replace_wave(&mut self, replicas: &[&ReplicaSpec]) -> Result<()> {
        let names: Vec<String> = replicas.iter().map(|r| r.name.clone()).collect();
        self.take_out(&names).await?;
        self.options.cancel.check()?;
        let (engine, reporter) = (self.engine, self.reporter);
        join_all(names.iter().map(|name| async move {
            reporter.begin(name, &format!("stopping old replica {name}"));
            let result = remove_container(engine, name, Duration::from_secs(10)).await;
            reporter.finish(name, &format!("stopped old replica {name}"));
            result
        }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
        self.start_wave(replicas).await
    }

    async fn recreate_balancer(&mut self, step: &Step) -> Result<()> {
        self.options.cancel.check()?;
        let spec = &self.desired.balancer;
        if step.action == Action::Replace {
            remove_container(self.engine, &spec.name, Duration::from_secs(5)).await?;
        }
        self.reporter
            .begin("balancer", &format!("starting balancer {}", spec.name));
        let conf = nginx::render(&spec.settings, &members(self.desired, self.serving.clone()));
        if let Err(error) =
            start_balancer(self.engine, spec, &self.desired.network.name, &conf).await
        {
            self.reporter
                .fail("balancer", &format!("balancer {} failed", spec.name));
            return Err(anyhow::anyhow!(
                "{error:#}{}",
                last_logs(self.engine, &spec.name).await
            ));
        }
        self.reporter.finish(
            "balancer",
            &format!(
                "started balancer {}: upstream {}",
                spec.name,
                self.upstream_text()
            ),
        );
        self.balancer_live = true;
        self.installed = Some(conf);
        Ok(())
    }

    /// Probes every replica, serves exactly the AVAILABLE ones, and reports.
    async fn finish(mut self, plan: &Plan) -> Result<Outcome> {
        let network = &self.desired.network.name;
        let probes = join_all(
            self.desired
                .replicas
                .iter()
                .map(|replica| probe(self.engine, replica, network)),
        )
        .await;
        let mut health = Vec::new();
        self.serving.clear();
        for (replica, result) in self.desired.replicas.iter().zip(probes) {
            let report = result.unwrap_or_else(|error| ReplicaHealth {
                name: replica.name.clone(),
                container_state: error.to_string(),
                models: Vec::new(),
                available: false,
            });
            if report.available {
                self.serving.insert(replica.name.clone());
            }
            health.push(report);
        }
        self.publish().await?;
        Ok(Outcome {
            summary: plan.summary(),
            health,
        })
    }
}

fn models_text(health: &ReplicaHealth) -> String {
    let parts: Vec<String> = health
        .models
        .iter()
        .map(|(model, states)| {
            let versions: Vec<&str> = states
                .iter()
                .filter(|s| s.state == "AVAILABLE")
                .map(|s| s.version.as_str())
                .collect();
            format!("{model} v{}", versions.join(","))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}
