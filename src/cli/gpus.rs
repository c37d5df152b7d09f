use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::discover::{discover_host, Inventory};
use crate::printer::Printer;

pub fn run(printer: &Printer) -> Result<ExitCode> {
    match discover_host() {
        Inventory::Found { source, gpus } => {
            let mut text = format!("source: {source}\n{:<6} {:<42} {:<28} {:>10}", "INDEX", "UUID", "NAME", "MEMORY");
            for gpu in &gpus {
                text.push_str(&format!("\n{:<6} {:<42} {:<28} {:>6} MiB", gpu.index, gpu.uuid, gpu.name, gpu.memory_total_mib));
            }
            if gpus.is_empty() {
                text.push_str("\n(no GPUs)");
            }
            printer.out(&text);
            Ok(ExitCode::SUCCESS)
        }
        Inventory::Unavailable { attempts } => bail!(
            "no GPU inventory: tried {}\nhint: install the NVIDIA driver (NVML, nvidia-smi); fleets can still name GPUs explicitly (`gpus = [0, 1]`) or run on CPU (`gpus = \"none\"`)",
            attempts.join("; ")
        ),
    }
}
