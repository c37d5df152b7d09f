//! The interpreter: runs a plan's operations in order, neighbours of one
//! kind together, and rolls a wave back when one of its replicas failed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{bail, Result};
use futures_util::future::join_all;

use super::event::{Detail, Event, Reporter};
use crate::cancel::Cancel;
use crate::desire::nginx::{self, Member};
use crate::desire::{BalancerSettings, NginxVersion};
use crate::engine::Engine;
use crate::reconcile::{Op, Operation, Plan, Summary};
use crate::verify::{Probe, ReplicaHealth};

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
    /// Each desired replica's last report, in the fleet's order.
    pub health: Vec<ReplicaHealth>,
}

/// What an operation changed in what the executor knows.
pub enum Effect {
    Nothing,
    /// The image was on the host, the config ran already, nothing drained.
    Unchanged,
    Available(ReplicaHealth),
    NotAvailable,
    Removed,
    /// nginx runs this config, listing these replicas; `reloaded` when it
    /// was not running it before.
    Installed {
        conf: String,
        members: Vec<String>,
        reloaded: bool,
    },
    Staged(String),
    BalancerStarted {
        conf: String,
        members: Vec<String>,
        /// What the new balancer's image said it runs.
        nginx_version: Option<NginxVersion>,
    },
    BalancerRemoved,
}

/// The state apply carries from one operation to the next.
pub struct Executor<'a, E: Engine, P: Probe> {
    pub engine: &'a E,
    pub probe: &'a P,
    pub plan: &'a Plan,
    pub reporter: &'a dyn Reporter,
    pub options: &'a Options,
    /// Replicas that answered AVAILABLE and still run: the only ones an upstream may list.
    pub available: BTreeSet<String>,
    /// Replicas of the current wave that failed, with the reason.
    pub failed: BTreeMap<String, String>,
    /// The config nginx runs, as far as tfs knows.
    pub installed: Option<String>,
    /// A config written and tested, not loaded.
    pub staged: Option<String>,
    /// Whether the last switch reloaded nginx, so that a drain has workers to wait for.
    pub reloaded: bool,
    /// Whether a balancer runs that switches can act on.
    pub balancer_up: bool,
    pub health: BTreeMap<String, ReplicaHealth>,
    /// Replicas put back to their previous spec by a rollback.
    pub restored: BTreeSet<String>,
    /// The balancer's nginx: the observed one's, until one is started.
    pub nginx_version: Option<NginxVersion>,
}

/// Carries out a plan.
pub async fn apply(
    engine: &impl Engine,
    probe: &impl Probe,
    plan: &Plan,
    reporter: &dyn Reporter,
    options: &Options,
) -> Result<Outcome> {
    let mut executor = Executor {
        engine,
        probe,
        plan,
        reporter,
        options,
        available: BTreeSet::new(),
        failed: BTreeMap::new(),
        installed: plan.loaded_conf.clone(),
        staged: None,
        reloaded: false,
        balancer_up: plan.balancer_live,
        health: BTreeMap::new(),
        restored: BTreeSet::new(),
        nginx_version: plan.desired.balancer.settings.nginx_version,
    };
    executor.run().await?;
    let mut health = executor.health;
    Ok(Outcome {
        summary: plan.summary(),
        health: plan
            .desired
            .replicas
            .iter()
            .filter_map(|replica| health.remove(&replica.name))
            .collect(),
    })
}

/// Where the batch that starts at `start` ends: neighbours that run alongside it.
pub fn batch_end(operations: &[Operation], start: usize) -> usize {
    let first = &operations[start];
    let mut end = start + 1;
    while operations
        .get(end)
        .is_some_and(|next| next.wave == first.wave && first.op.runs_alongside(&next.op))
    {
        end += 1;
    }
    end
}

impl<E: Engine, P: Probe> Executor<'_, E, P> {
    async fn run(&mut self) -> Result<()> {
        let operations = &self.plan.operations;
        let mut index = 0;
        while index < operations.len() {
            if self.options.cancel.is_cancelled() {
                return self.interrupted().await;
            }
            let end = batch_end(operations, index);
            self.run_batch(&operations[index..end]).await?;
            if self.options.cancel.is_cancelled() {
                return self.interrupted().await;
            }
            let wave = operations[index].wave;
            index = end;
            let wave_over = operations.get(index).is_none_or(|next| next.wave != wave);
            if wave_over && !self.failed.is_empty() {
                return self.roll_back(wave).await;
            }
        }
        Ok(())
    }

    /// Runs operations together; soft failures mark their replica failed,
    /// any other failure stops apply once the batch has ended.
    pub(super) async fn run_batch(&mut self, batch: &[Operation]) -> Result<()> {
        let todo: Vec<&Operation> = batch
            .iter()
            .filter(|operation| !self.failed.contains_key(&operation.target))
            .collect();
        let this = &*self;
        let results = join_all(todo.iter().map(|operation| async move {
            this.reporter.event(Event::Began(operation));
            this.perform(operation).await
        }))
        .await;
        let mut errors = Vec::new();
        for (operation, result) in todo.into_iter().zip(results) {
            match result {
                Ok(effect) => {
                    let detail = self.absorb(operation, effect);
                    self.reporter.event(Event::Done(operation, &detail));
                }
                Err(_) if self.options.cancel.is_cancelled() => {
                    self.reporter.event(Event::Interrupted(operation));
                }
                Err(error) => {
                    let reason = format!("{error:#}");
                    self.reporter.event(Event::Failed(operation, &reason));
                    if operation.op.fails_softly() {
                        let logs = super::replicas::last_logs(self.engine, &operation.target).await;
                        self.failed
                            .insert(operation.target.clone(), format!("{reason}{logs}"));
                    } else {
                        errors.push(error);
                    }
                }
            }
        }
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => {
                let reasons: Vec<String> = errors.iter().map(|e| format!("{e:#}")).collect();
                bail!("{}", reasons.join("\n\n"))
            }
        }
    }

    /// Records what an operation changed; returns what the event says of it.
    fn absorb(&mut self, operation: &Operation, effect: Effect) -> Detail {
        let target = &operation.target;
        match effect {
            Effect::Nothing if matches!(operation.op, Op::RestoreReplica) => {
                self.restored.insert(target.clone());
                Detail::Plain
            }
            Effect::Nothing | Effect::NotAvailable => Detail::Plain,
            Effect::Unchanged => Detail::Unchanged,
            Effect::Available(health) => {
                self.available.insert(target.clone());
                self.health.insert(target.clone(), health.clone());
                Detail::Health(health)
            }
            Effect::Removed => {
                self.available.remove(target);
                Detail::Plain
            }
            Effect::Installed {
                conf,
                members,
                reloaded,
            } => {
                self.installed = Some(conf);
                self.reloaded = reloaded;
                if reloaded {
                    Detail::Upstream(members)
                } else {
                    Detail::Unchanged
                }
            }
            Effect::Staged(conf) => {
                self.staged = Some(conf);
                Detail::Plain
            }
            Effect::BalancerStarted {
                conf,
                members,
                nginx_version,
            } => {
                self.installed = Some(conf);
                self.nginx_version = nginx_version;
                self.balancer_up = true;
                Detail::Upstream(members)
            }
            Effect::BalancerRemoved => {
                self.installed = None;
                self.balancer_up = false;
                Detail::Plain
            }
        }
    }

    /// The members of `upstream` that may be listed now: those AVAILABLE.
    pub fn members(&self, upstream: &[String]) -> Vec<Member> {
        self.plan
            .desired
            .replicas
            .iter()
            .filter(|r| upstream.contains(&r.name) && self.available.contains(&r.name))
            .map(Member::of)
            .collect()
    }

    /// nginx.conf for the members of `upstream` that may be listed now.
    pub fn conf_for(&self, upstream: &[String]) -> String {
        nginx::render(&self.balancer_settings(), &self.members(upstream))
    }

    /// What the balancer's configs are rendered from, for the nginx it runs.
    pub fn balancer_settings(&self) -> BalancerSettings {
        BalancerSettings {
            nginx_version: self.nginx_version,
            ..self.plan.desired.balancer.settings.clone()
        }
    }
}
