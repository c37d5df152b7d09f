use std::process::ExitCode;

use anyhow::Result;

use super::confirm::confirm;
use super::{pipeline, signals, DestroyArgs};
use crate::cancel::Cancel;
use crate::execute;
use crate::load::fleet_name;
use crate::printer::Printer;
use crate::progress::TerminalReporter;
use crate::reconcile::teardown;
use crate::render::plan_text;

pub async fn run(args: &DestroyArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = fleet_name(&args.file.file)?;
    let _lock = pipeline::take_lock(printer, &fleet, "tfs destroy", &args.file.file)?;
    let pipeline::Live { engine, observed } = pipeline::live(&fleet, None).await?;
    let teardown = teardown(&observed);
    if teardown.steps.is_empty() {
        printer.out(&format!(
            "No changes. Nothing of fleet \"{}\" exists.",
            fleet
        ));
        return Ok(ExitCode::SUCCESS);
    }
    printer.out(plan_text::render_steps(&fleet, &teardown.steps, printer.color()).trim_end());
    confirm(printer, args.auto_approve, "destroy")?;
    let reporter = TerminalReporter::new(*printer);
    printer.info("");
    let cancel = Cancel::default();
    signals::watch(cancel.clone(), *printer);
    let count = execute::destroy(&engine, &fleet, &teardown.operations, &reporter, &cancel).await?;
    printer.out(&format!(
        "\nDestroy complete! Resources: {count} destroyed."
    ));
    Ok(ExitCode::SUCCESS)
}
