use std::process::ExitCode;

use anyhow::Result;

use super::{pipeline, plan_file, PlanArgs};
use crate::printer::Printer;
use crate::render::{plan_json, plan_text};

pub async fn run(args: &PlanArgs, printer: &Printer) -> Result<ExitCode> {
    let planned = pipeline::plan(&args.file.file).await?;
    let plan = &planned.plan;
    if args.json {
        printer.out(&plan_json::render(plan));
    } else {
        for warning in &plan.warnings {
            printer.warn(warning);
        }
        printer.out(plan_text::render(plan, printer.color()).trim_end());
    }
    if let Some(path) = &args.out {
        plan_file::write(path, &args.file.file, plan)?;
        printer.info(&format!(
            "\nSaved the plan to {}. To perform exactly these actions, run: tfs apply {}",
            path.display(),
            path.display()
        ));
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
