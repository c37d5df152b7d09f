//! Saved plans: the plan plus the fingerprint of the state it was computed from.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::reconcile::Plan;

const FORMAT: &str = "tfs-plan/1";

#[derive(Serialize, Deserialize)]
struct PlanFile {
    format: String,
    tfs_version: String,
    plan: Plan,
}

pub fn write(path: &Path, plan: &Plan) -> Result<()> {
    let file = PlanFile {
        format: FORMAT.to_string(),
        tfs_version: env!("CARGO_PKG_VERSION").to_string(),
        plan: plan.clone(),
    };
    let json = serde_json::to_string_pretty(&file)?;
    // Written aside and renamed, so an interrupted write never leaves half a plan.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, json)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

pub fn read(path: &Path) -> Result<Plan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read plan file {}", path.display()))?;
    let file: PlanFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a tfs plan file", path.display()))?;
    if file.format != FORMAT {
        bail!(
            "{} has plan format {}, this tfs reads {FORMAT}",
            path.display(),
            file.format
        );
    }
    Ok(file.plan)
}
