//! load → discover → desire → connect → observe → reconcile: the one way
//! the commands get from a fleet file to the live fleet and a plan.

use std::path::Path;

use anyhow::Result;

use crate::desire::{desire, network_name, BalancerSpec, Desired};
use crate::discover::{discover_host, Inventory};
use crate::engine::docker::Docker;
use crate::load::{load, Fleet, Placement};
use crate::lock;
use crate::observe::{observe, observe_fleet, observe_serving, Observed};
use crate::printer::Printer;
use crate::reconcile::{reconcile, Plan};
use crate::verify::ServingProbe;

/// A plan and the engine it was observed through.
pub struct Planned {
    pub engine: Docker,
    pub plan: Plan,
}

/// The fleet as Docker has it now.
pub struct Live {
    pub engine: Docker,
    pub observed: Observed,
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

/// Connects to Docker and reads the fleet by its labels; with `balancer`,
/// the desired balancer, its config too (see [`observe_fleet`]).
/// Planning (with `balancer`) also asks each running replica what it
/// serves.
pub async fn live(fleet: &str, balancer: Option<&BalancerSpec>) -> Result<Live> {
    let reading = async {
        let engine = Docker::connect().await?;
        let mut observed = match balancer {
            Some(balancer) => observe_fleet(&engine, fleet, balancer).await?,
            None => observe(&engine, fleet, None).await?,
        };
        if balancer.is_some() {
            let network = network_name(fleet);
            observe_serving(&engine, &ServingProbe(&engine), &mut observed, &network).await;
        }
        Ok(Live { engine, observed })
    };
    tokio::pin!(reading);
    tokio::select! {
        live = &mut reading => return live,
        _ = tokio::time::sleep(SLOW_DOCKER) => {}
    }
    // A slow daemon must not look like a hung tfs: say what it waits for.
    if let Some(printer) = PRINTER.get() {
        printer.info(&format!(
            "waiting for the Docker daemon at {} to list fleet \"{fleet}\" (up to {}s a call)...",
            crate::engine::docker::address(),
            crate::engine::docker::timeout().as_secs()
        ));
    }
    reading.await
}

/// How long reading the fleet may take before tfs says it is waiting.
const SLOW_DOCKER: std::time::Duration = std::time::Duration::from_secs(3);

/// Where `live` says that it waits; set once by the CLI.
pub static PRINTER: std::sync::OnceLock<Printer> = std::sync::OnceLock::new();

pub async fn plan(file: &Path) -> Result<Planned> {
    let (_, desired) = desired(file)?;
    plan_desired(&desired).await
}

/// Observes the host and plans towards `desired`.
pub async fn plan_desired(desired: &Desired) -> Result<Planned> {
    let Live {
        engine,
        mut observed,
    } = live(&desired.fleet, Some(&desired.balancer)).await?;
    observe_tags(&engine, &mut observed, desired).await;
    let plan = reconcile(desired, &observed)?;
    Ok(Planned { engine, plan })
}

/// With `pull = "always"`, asks the registry what the fleet's image tags
/// point to now, so that a moved tag is planned like a changed image.
pub async fn observe_tags(engine: &Docker, observed: &mut Observed, desired: &Desired) {
    if desired.pull != crate::load::PullPolicy::Always {
        return;
    }
    let mut images: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |image: &str, container: &str| match images.iter_mut().find(|(i, _)| i == image) {
        Some((_, containers)) => containers.push(container.to_string()),
        None => images.push((image.to_string(), vec![container.to_string()])),
    };
    for replica in &desired.replicas {
        add(&replica.config.image, &replica.name);
    }
    add(&desired.balancer.container.image, &desired.balancer.name);
    crate::observe::observe_images(engine, observed, &images).await;
}

/// Holds the fleet's lock for the rest of the command; `file` is the fleet
/// file, for the hints.
pub fn take_lock(printer: &Printer, fleet: &str, command: &str, file: &Path) -> Result<lock::Lock> {
    let lock = lock::acquire(fleet, command, file)?;
    if let Some(warning) = &lock.warning {
        printer.warn(warning);
    }
    Ok(lock)
}
