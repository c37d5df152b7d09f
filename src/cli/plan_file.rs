//! Saved plans: the plan (env values as digests), the fleet file it was
//! made from, and a digest of all of it, so that an edited file is refused.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::plan_secrets::{digest, redacted};
use crate::reconcile::Plan;

const FORMAT: &str = "tfs-plan/2";
const DIGEST: &str = "digest";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    format: String,
    tfs_version: String,
    /// Absolute, so that `tfs apply PLANFILE` finds it from anywhere.
    fleet_file: PathBuf,
    plan: Plan,
}

/// A plan as `tfs plan -o` saved it.
pub struct Saved {
    pub fleet_file: PathBuf,
    /// With env values as digests: compare it with [`redacted`], never run it.
    pub plan: Plan,
}

/// Writes `plan` (made from `fleet_file`) to `path`, readable by its owner only.
pub fn write(path: &Path, fleet_file: &Path, plan: &Plan) -> Result<()> {
    let fleet_file = std::path::absolute(fleet_file)
        .with_context(|| format!("cannot resolve {}", fleet_file.display()))?;
    let file = PlanFile {
        format: FORMAT.to_string(),
        tfs_version: env!("CARGO_PKG_VERSION").to_string(),
        fleet_file,
        plan: redacted(plan),
    };
    let mut document = serde_json::to_value(&file)?;
    let sum = digest(&document.to_string());
    document[DIGEST] = Value::String(sum);
    let json = serde_json::to_string_pretty(&document)?;
    // Written aside and renamed, so an interrupted write never leaves half a plan.
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    out.write_all(json.as_bytes())
        .and_then(|()| out.sync_all())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Reads a saved plan; refuses a file that is not one, or was edited.
pub fn read(path: &Path) -> Result<Saved> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read plan file {}", path.display()))?;
    let mut document: Value = match serde_json::from_str(&text) {
        Ok(document) => document,
        Err(_) if is_fleet_file(path, &text) => {
            bail!(
                "{} is a fleet file, not a saved plan\nhint: run `tfs apply -f {}`",
                path.display(),
                path.display()
            )
        }
        Err(error) => {
            return Err(error).with_context(|| format!("{} is not a tfs plan file", path.display()))
        }
    };
    let format = document.get("format").and_then(Value::as_str).unwrap_or("");
    if format != FORMAT {
        bail!(
            "{} has plan format {format:?}, this tfs reads {FORMAT}\nhint: run `tfs plan -o {}` again",
            path.display(),
            path.display()
        );
    }
    let recorded = document
        .as_object_mut()
        .and_then(|fields| fields.remove(DIGEST));
    if recorded.as_ref().and_then(Value::as_str) != Some(digest(&document.to_string()).as_str()) {
        bail!(
            "{} was modified after `tfs plan` wrote it\nhint: run `tfs plan -o {}` again",
            path.display(),
            path.display()
        );
    }
    let file: PlanFile = serde_json::from_value(document)
        .with_context(|| format!("{} is not a tfs plan file", path.display()))?;
    Ok(Saved {
        fleet_file: file.fleet_file,
        plan: file.plan,
    })
}

/// A fleet.toml given where a plan goes: `tfs apply fleet.toml`.
fn is_fleet_file(path: &Path, text: &str) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "toml")
        || text
            .parse::<toml::Table>()
            .is_ok_and(|table| table.contains_key("fleet"))
}
