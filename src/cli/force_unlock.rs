use std::process::ExitCode;

use anyhow::Result;

use super::FileArgs;
use crate::load::fleet_name;
use crate::lock::{self, State};
use crate::printer::Printer;

pub fn run(args: &FileArgs, printer: &Printer) -> Result<ExitCode> {
    let name = &fleet_name(&args.file)?;
    printer.out(&match lock::force_unlock(name)? {
        State::Held(holder) => format!("Removed the lock of fleet \"{name}\", held by {holder}."),
        State::Corrupt(path) => format!(
            "Removed the lock of fleet \"{name}\" (the lock file {} was corrupt).",
            path.display()
        ),
        State::Free => format!("Fleet \"{name}\" is not locked."),
    });
    Ok(ExitCode::SUCCESS)
}
