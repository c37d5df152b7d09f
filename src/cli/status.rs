//! `tfs status`: the live fleet; exit 0 only when it all serves.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use super::StatusArgs;
use crate::engine::docker::Docker;
use crate::load::fleet_name;
use crate::observe::observe;
use crate::printer::Printer;
use crate::status::{gather, render, FleetStatus};

pub async fn run(args: &StatusArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = fleet_name(&args.file.file)?;
    let engine = Docker::connect().await?;
    loop {
        let observed = observe(&engine, &fleet, None).await?;
        let status = gather(&engine, &fleet, &observed).await;
        if args.watch {
            printer.clear_screen();
        }
        show(printer, &status, args.json);
        if !args.watch {
            return Ok(exit_code(&status));
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(exit_code(&status)),
        }
    }
}

fn show(printer: &Printer, status: &FleetStatus, json: bool) {
    if json {
        printer.out(&serde_json::to_string_pretty(status).expect("status serializes"));
    } else {
        printer.out(render(status).trim_end());
    }
}

fn exit_code(status: &FleetStatus) -> ExitCode {
    if status.healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
