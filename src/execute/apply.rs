//! Carrying out a plan: network, images, replicas (rolled through the
//! balancer when it serves traffic), then the balancer's final upstream.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{bail, Result};
use futures_util::future::join_all;

use super::checkpoint::{checkpoint, NETWORK_CREATED};
use super::executor::{launch_balancer, Executor};
use super::images::ensure_images;
use super::reload::stage_conf;
use crate::cancel::Cancel;
use crate::desire::{Desired, ReplicaSpec};
use crate::engine::Engine;
use crate::progress::Reporter;
use crate::reconcile::{Action, Kind, Plan, Step, Summary};
use crate::verify::{Probe, ReplicaHealth, ServingProbe};

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

pub async fn apply(
    engine: &impl Engine,
    plan: &Plan,
    reporter: &dyn Reporter,
    options: &Options,
) -> Result<Outcome> {
    let desired = &plan.desired;
    let of = |kind: Kind, action: Action| {
        plan.steps
            .iter()
            .filter(move |s| s.kind == kind && s.action == action)
    };
    if of(Kind::Network, Action::Create).next().is_some() {
        let network = &desired.network.name;
        reporter.begin("network", &format!("creating network {network}"));
        engine
            .create_network(network, &desired.network.labels)
            .await?;
        reporter.finish("network", &format!("created network {network}"));
        checkpoint(NETWORK_CREATED).await;
    }
    options.cancel.check()?;
    let balancer_step = plan.steps.iter().find(|s| s.kind == Kind::Balancer);
    let balancer_recreated =
        balancer_step.is_some_and(|s| matches!(s.action, Action::Create | Action::Replace));
    ensure_images(
        engine,
        &images(plan, balancer_recreated),
        desired.pull,
        reporter,
    )
    .await?;
    options.cancel.check()?;

    // A balancer that runs now and is not being recreated carries traffic
    // throughout; one being replaced carries it until it is swapped at the end.
    let balancer_live = match balancer_step {
        None => true,
        Some(step) => match step.action {
            Action::Create => false,
            Action::Replace => step
                .nginx_conf
                .as_ref()
                .is_some_and(|c| c.running.is_some()),
            _ => true,
        },
    };
    let serving = if balancer_live {
        serving_now(engine, plan).await
    } else {
        BTreeSet::new()
    };
    let installed = match balancer_step {
        Some(step) => step
            .nginx_conf
            .as_ref()
            .filter(|c| !c.unloaded)
            .and_then(|c| c.running.clone()),
        None => Some(desired.balancer.conf.clone()),
    };
    let mut executor = Executor {
        engine,
        desired,
        reporter,
        options,
        serving,
        installed,
        balancer_live,
        staged: None,
    };

    for step in of(Kind::Replica, Action::Remove) {
        executor.remove(step).await?;
    }
    let creates: Vec<&ReplicaSpec> = of(Kind::Replica, Action::Create)
        .filter_map(|s| spec(desired, s))
        .collect();
    let replaces: Vec<&Step> = of(Kind::Replica, Action::Replace).collect();
    // With no live balancer there is no traffic to protect: replace everything at once.
    let wave = if executor.balancer_live {
        desired.rollout.max_unavailable.max(1) as usize
    } else {
        replaces.len().max(1)
    };
    let new_balancer = balancer_step.is_some_and(|s| s.action == Action::Create);
    if new_balancer {
        // Nothing to protect yet: the balancer starts alongside the replicas,
        // its upstream empty, and `finish` fills it once they serve. Starting
        // it after them would add its start-up to every first apply.
        let full = desired.balancer.conf.clone();
        let balancer = async {
            let conf = launch_balancer(engine, desired, reporter, &[]).await?;
            // While the replicas load, the config that serves them all is
            // written and tested, so filling the upstream is only a reload.
            // Not yet possible (a name nginx cannot resolve yet): written later.
            let staged = stage_conf(engine, &desired.balancer.name, &full)
                .await
                .is_ok();
            anyhow::Ok((conf, staged))
        };
        let (launched, started) = futures_util::join!(balancer, executor.start_wave(&creates));
        executor.installed = Some(match (started, launched) {
            (Ok(()), Ok((conf, staged))) => {
                executor.staged = staged.then_some(full);
                conf
            }
            (Ok(()), Err(error)) => return Err(error),
            (Err(error), Ok(_)) => return Err(error),
            (Err(error), Err(balancer)) => bail!("{error:#}\n\n{balancer:#}"),
        });
        executor.balancer_live = true;
    } else {
        executor.start_wave(&creates).await?;
    }
    let waves: Vec<&[&Step]> = replaces.chunks(wave).collect();
    for (index, chunk) in waves.iter().enumerate() {
        executor
            .replace_wave(chunk, index + 1 < waves.len())
            .await?;
    }
    if let Some(step) = balancer_step.filter(|_| balancer_recreated && !new_balancer) {
        executor.recreate_balancer(step).await?;
    }
    executor.finish(plan).await
}

/// The replicas that may stay in the upstream while apply works: those that
/// keep running (unchanged, or until their replacement's turn) and answer
/// AVAILABLE now. Anything else is left out from the first reload on.
async fn serving_now(engine: &impl Engine, plan: &Plan) -> BTreeSet<String> {
    let desired = &plan.desired;
    let network = &desired.network.name;
    let changing: BTreeSet<&str> = plan
        .steps
        .iter()
        .filter(|s| s.kind == Kind::Replica)
        .map(|s| s.resource.as_str())
        .collect();
    let unchanged = desired
        .replicas
        .iter()
        .filter(|r| !changing.contains(r.name.as_str()));
    let replaced = plan
        .steps
        .iter()
        .filter(|s| s.kind == Kind::Replica && s.action == Action::Replace)
        .filter_map(|s| s.previous.as_ref());
    let candidates: Vec<&ReplicaSpec> = unchanged.chain(replaced).collect();
    let probes = join_all(
        candidates
            .iter()
            .map(|replica| async move { ServingProbe(engine).probe(replica, network).await }),
    )
    .await;
    candidates
        .iter()
        .zip(probes)
        .filter(|(_, health)| health.as_ref().is_ok_and(|h| h.available))
        .map(|(replica, _)| replica.name.clone())
        .collect()
}

/// The images the plan's creations need.
fn images(plan: &Plan, balancer_recreated: bool) -> Vec<String> {
    let desired = &plan.desired;
    let mut images = Vec::new();
    if plan
        .steps
        .iter()
        .any(|s| s.kind == Kind::Replica && s.action != Action::Remove)
    {
        images.extend(desired.replicas.first().map(|r| r.config.image.clone()));
    }
    if balancer_recreated {
        images.push(desired.balancer.container.image.clone());
    }
    images.dedup();
    images
}

pub fn spec<'a>(desired: &'a Desired, step: &Step) -> Option<&'a ReplicaSpec> {
    desired.replicas.iter().find(|r| r.name == step.resource)
}
