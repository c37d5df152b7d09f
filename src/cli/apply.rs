use std::process::ExitCode;
use std::time::Duration;

use std::path::Path;

use anyhow::Result;

use super::confirm::confirm;
use super::preflight::preflight;
use super::recheck::recheck;
use super::{pipeline, signals, summary, ApplyArgs, DEFAULT_FLEET_FILE};
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
            let rechecked = recheck(path, args.file.as_deref(), printer).await?;
            (rechecked.engine, rechecked.plan, rechecked.lock)
        }
        None => {
            let file = args
                .file
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_FLEET_FILE));
            let (_, desired) = pipeline::desired(file)?;
            let lock = pipeline::take_lock(printer, &desired.fleet, "tfs apply", file)?;
            let planned = pipeline::plan_desired(&desired).await?;
            (planned.engine, planned.plan, lock)
        }
    };
    show(printer, &plan);
    if plan.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    preflight(&plan)?;
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
