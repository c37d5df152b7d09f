//! `tfs gpus`: the GPUs this host has, and which source said so.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;

use crate::discover::{discover_host, Gpu, Inventory};
use crate::printer::Printer;

/// `tfs gpus`'s arguments.
#[derive(Debug, Args)]
pub struct GpusArgs {
    /// Print one JSON document: `{"source": ..., "gpus": [...]}`.
    #[arg(long)]
    pub json: bool,
}

/// `tfs gpus --json`: `{"source": "NVML", "gpus": [...]}`.
#[derive(Serialize)]
struct Listing<'a> {
    source: &'a str,
    gpus: &'a [Gpu],
}

/// Prints the inventory; an error naming every source tried when none answered.
pub fn run(args: &GpusArgs, printer: &Printer) -> Result<ExitCode> {
    let inventory = discover_host();
    if let Some(warning) = inventory.fallback_warning() {
        printer.warn(&warning);
    }
    match &inventory {
        Inventory::Found { source, gpus, .. } if args.json => {
            let listing = Listing { source, gpus };
            printer.out(&serde_json::to_string_pretty(&listing)?);
            Ok(ExitCode::SUCCESS)
        }
        Inventory::Found { source, gpus, .. } => {
            printer.out(&table(source, gpus));
            Ok(ExitCode::SUCCESS)
        }
        Inventory::Unavailable { attempts } => {
            let tried: Vec<String> = attempts
                .iter()
                .map(|attempt| format!("\n  tried {attempt}"))
                .collect();
            bail!(
                "no GPU inventory{}\nhint: install the NVIDIA driver (NVML, nvidia-smi); fleets can still name GPUs explicitly (`gpus = [0, 1]`) or run on CPU (`gpus = \"none\"` with `replicas = N`)",
                tried.concat()
            )
        }
    }
}

/// `source: nvidia-smi` and one row per GPU.
fn table(source: &str, gpus: &[Gpu]) -> String {
    let mut text = format!(
        "source: {source}\n{:<6} {:<42} {:<28} {:>10}",
        "INDEX", "UUID", "NAME", "MEMORY"
    );
    for gpu in gpus {
        text.push_str(&format!(
            "\n{:<6} {:<42} {:<28} {:>6} MiB",
            gpu.index, gpu.uuid, gpu.name, gpu.memory_total_mib
        ));
    }
    if gpus.is_empty() {
        text.push_str("\n(no GPUs)");
    }
    text
}
