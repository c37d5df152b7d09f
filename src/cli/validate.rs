use std::process::ExitCode;

use anyhow::Result;

use super::FileArgs;
use crate::load::{load, Placement};
use crate::printer::Printer;

pub fn run(args: &FileArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = load(&args.file)?;
    let placement = match &fleet.placement {
        Placement::Cpu { replicas } => format!("{replicas} CPU replicas"),
        Placement::Gpu(gpu) => format!("GPUs {}, {} per GPU", gpu.selection, gpu.per_gpu),
    };
    let models: Vec<&str> = fleet.models.iter().map(|m| m.name.as_str()).collect();
    printer.out(&format!(
        "{} is valid: fleet \"{}\", models {}, {placement}, balancer on {}",
        args.file.display(),
        fleet.name,
        models.join(", "),
        fleet.balancer.rest
    ));
    Ok(ExitCode::SUCCESS)
}
