//! `tfs apply PLANFILE`: a saved plan is a promise, checked again before it
//! is kept. tfs plans again from the same fleet file and the live host, and
//! runs that plan, with the real env values, only when it is the one saved.

use std::path::Path;

use anyhow::{bail, Result};

use super::pipeline;
use super::plan_file;
use super::plan_secrets::{redacted, redacted_desired};
use crate::engine::docker::Docker;
use crate::lock::Lock;
use crate::printer::Printer;
use crate::reconcile::{as_running, reconcile, Plan};

/// The plan to run, the engine it was observed through, and the fleet's lock.
pub struct Rechecked {
    pub engine: Docker,
    pub plan: Plan,
    pub lock: Lock,
}

/// Plans again and compares; `file` is `-f`, else the plan's own fleet file.
pub async fn recheck(path: &Path, file: Option<&Path>, printer: &Printer) -> Result<Rechecked> {
    let saved = plan_file::read(path)?;
    let fleet_file = file.unwrap_or(&saved.fleet_file);
    let (_, desired) = pipeline::desired(fleet_file)?;
    let planned_for = &saved.plan.fleet;
    if desired.fleet != *planned_for {
        let named_by = if file.is_some() {
            "-f"
        } else {
            "its fleet file"
        };
        bail!(
            "saved plan was made for fleet \"{planned_for}\", {named_by} names fleet \"{}\" ({})\nhint: apply a plan with the fleet file it was made from, or run `tfs plan -f {} -o {}`",
            desired.fleet,
            fleet_file.display(),
            fleet_file.display(),
            path.display()
        );
    }
    let again = format!(
        "\nhint: run `tfs plan -f {} -o {}` again",
        fleet_file.display(),
        path.display()
    );
    let lock = pipeline::take_lock(printer, &desired.fleet, "tfs apply", fleet_file)?;
    let pipeline::Live {
        engine,
        mut observed,
    } = pipeline::live(&desired.fleet, Some(&desired.balancer)).await?;
    pipeline::observe_tags(&engine, &mut observed, &desired).await;
    if redacted_desired(&as_running(&desired, &observed)) != saved.plan.desired {
        bail!(
            "saved plan is stale: {} changed since the plan was made (the file, its model directories or the GPUs){again}",
            fleet_file.display()
        );
    }
    if observed.fingerprint() != saved.plan.fingerprint {
        bail!("saved plan is stale: the fleet changed since it was planned{again}");
    }
    let plan = reconcile(&desired, &observed)?;
    if redacted(&plan) != saved.plan {
        bail!(
            "saved plan {} differs from the plan tfs makes now from the same fleet file and host{again}",
            path.display()
        );
    }
    Ok(Rechecked { engine, plan, lock })
}
