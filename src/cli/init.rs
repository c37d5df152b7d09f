//! `tfs init`: a commented starter fleet.toml for this host.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::InitArgs;
use crate::discover::{discover_host, Inventory};
use crate::load::schema_json;
use crate::printer::Printer;
use crate::render::starter::{self, SCHEMA_PATH};

pub fn run(args: &InitArgs, printer: &Printer) -> Result<ExitCode> {
    let file = &args.file;
    if file.exists() && !args.force {
        bail!(
            "{} already exists\nhint: pass --force to overwrite it",
            file.display()
        );
    }
    let gpus = if args.cpu {
        Vec::new()
    } else {
        let inventory = discover_host();
        if let Some(warning) = inventory.fallback_warning() {
            printer.warn(&warning);
        }
        match inventory {
            Inventory::Found { gpus, .. } => gpus,
            Inventory::Unavailable { .. } => {
                printer.warn(
                    "no GPU found (NVML and nvidia-smi did not answer): writing a CPU-mode fleet",
                );
                Vec::new()
            }
        }
    };
    let directory = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let name = fleet_name(&directory);
    std::fs::write(file, starter::render(&name, &gpus))
        .with_context(|| format!("cannot write {}", file.display()))?;
    let schema = directory.join(SCHEMA_PATH);
    if !schema.exists() || args.force {
        std::fs::create_dir_all(schema.parent().expect("schema path has a parent"))?;
        std::fs::write(&schema, schema_json())
            .with_context(|| format!("cannot write {}", schema.display()))?;
    }
    let mode = if gpus.is_empty() {
        "CPU mode".to_string()
    } else {
        format!("{} GPUs", gpus.len())
    };
    printer.out(&format!(
        "Wrote {} (fleet \"{name}\", {mode}) and {}.\nNext: put a model's version dirs under models/my_model, then `tfs validate` and `tfs plan`.",
        file.display(),
        schema.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The directory's name made into a valid fleet name, or "fleet".
fn fleet_name(directory: &Path) -> String {
    let base = directory
        .canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().to_lowercase())
        })
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed: String = cleaned.trim_matches('-').chars().take(40).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "fleet".to_string()
    } else {
        trimmed
    }
}
