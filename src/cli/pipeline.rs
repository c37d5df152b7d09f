//! load → discover → desire → observe → reconcile, shared by the commands.

use std::path::Path;

use anyhow::Result;

use crate::desire::{desire, Desired};
use crate::discover::{discover_host, Inventory};
use crate::engine::docker::Docker;
use crate::load::{load, Fleet, Placement};
use crate::observe::observe;
use crate::reconcile::{reconcile, Plan};

/// A plan and everything it came from.
pub struct Planned {
    pub engine: Docker,
    pub plan: Plan,
}

/// Loads and checks the fleet file; nothing touches Docker before this passes.
pub fn desired(file: &Path) -> Result<(Fleet, Desired)> {
    let fleet = load(file)?;
    let inventory = match fleet.placement {
        // CPU mode never asks for GPUs.
        Placement::Cpu { .. } => Inventory::Unavailable {
            attempts: Vec::new(),
        },
        Placement::Gpu(_) => discover_host(),
    };
    let desired = desire(&fleet, &inventory)?;
    Ok((fleet, desired))
}

pub async fn plan(file: &Path) -> Result<Planned> {
    let (_, desired) = desired(file)?;
    plan_desired(&desired).await
}

/// Observes the host and plans towards `desired`.
pub async fn plan_desired(desired: &Desired) -> Result<Planned> {
    let engine = Docker::connect().await?;
    let observed = observe(&engine, &desired.fleet, Some(&desired.balancer.conf)).await?;
    let plan = reconcile(desired, &observed)?;
    Ok(Planned { engine, plan })
}
