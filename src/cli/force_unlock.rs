use std::process::ExitCode;

use anyhow::Result;

use super::FileArgs;
use crate::load::fleet_name;
use crate::lock;
use crate::printer::Printer;

pub fn run(args: &FileArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = fleet_name(&args.file)?;
    match lock::force_unlock(&fleet)? {
        Some(holder) => printer.out(&format!(
            "Removed the lock of fleet \"{}\", held by {holder}.",
            fleet
        )),
        None => printer.out(&format!("Fleet \"{}\" is not locked.", fleet)),
    }
    Ok(ExitCode::SUCCESS)
}
