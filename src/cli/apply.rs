use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};

use super::confirm::confirm;
use super::{pipeline, plan_file, signals, summary, ApplyArgs};
use crate::cancel::Cancel;
use crate::execute::{self, Options};
use crate::printer::Printer;
use crate::progress::TerminalReporter;
use crate::reconcile::Plan;
use crate::render::plan_text;
use crate::verify::ServingProbe;

pub async fn run(args: &ApplyArgs, printer: &Printer) -> Result<ExitCode> {
    let (engine, plan, _lock) = match &args.planfile {
        Some(path) => {
            let plan = plan_file::read(path)?;
            let lock = pipeline::take_lock(printer, &plan.fleet, "tfs apply")?;
            let pipeline::Live { engine, observed } =
                pipeline::live(&plan.fleet, Some(&plan.desired.balancer.conf)).await?;
            if observed.fingerprint() != plan.fingerprint {
                bail!("saved plan is stale: the fleet changed since it was planned\nhint: run `tfs plan -o {}` again", path.display());
            }
            (engine, plan, lock)
        }
        None => {
            let (_, desired) = pipeline::desired(&args.file.file)?;
            let lock = pipeline::take_lock(printer, &desired.fleet, "tfs apply")?;
            let planned = pipeline::plan_desired(&desired).await?;
            (planned.engine, planned.plan, lock)
        }
    };
    show(printer, &plan);
    if plan.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    // A saved plan was reviewed when it was made: like Terraform, apply it without asking.
    if args.planfile.is_none() {
        confirm(printer, args.auto_approve, "apply")?;
    }
    let cancel = Cancel::default();
    signals::watch(cancel.clone(), *printer);
    let reporter = TerminalReporter::new(*printer);
    let options = Options {
        timeout: Duration::from_secs(args.timeout),
        cancel,
    };
    printer.info("");
    let probe = ServingProbe(&engine);
    let outcome = execute::apply(&engine, &probe, &plan, &reporter, &options).await?;
    let counts = outcome.summary;
    printer.out(&format!(
        "\nApply complete! Resources: {} added, {} changed, {} destroyed.\n\n{}\n\n{}",
        counts.add,
        counts.change,
        counts.destroy,
        summary::endpoints(&plan.desired),
        summary::table(&plan.desired, &outcome)
    ));
    Ok(ExitCode::SUCCESS)
}

fn show(printer: &Printer, plan: &Plan) {
    for warning in &plan.warnings {
        printer.warn(warning);
    }
    printer.out(plan_text::render(plan, printer.color()).trim_end());
}
