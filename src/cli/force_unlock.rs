use std::process::ExitCode;

use anyhow::Result;

use super::FileArgs;
use crate::load::load;
use crate::lock;
use crate::printer::Printer;

pub fn run(args: &FileArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = load(&args.file)?;
    match lock::force_unlock(&fleet.name)? {
        Some(holder) => printer.out(&format!(
            "Removed the lock of fleet \"{}\", held by {holder}.",
            fleet.name
        )),
        None => printer.out(&format!("Fleet \"{}\" is not locked.", fleet.name)),
    }
    Ok(ExitCode::SUCCESS)
}
