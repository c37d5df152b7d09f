//! `tfs doctor`: one line per check of the host (and the fleet), ✓ or ✗,
//! with what to do for each ✗. Exit 0 only when none failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use console::Style;
use serde::Serialize;

use super::DEFAULT_FLEET_FILE;
use crate::doctor::{examine, ready, Check, Verdict};
use crate::printer::Printer;

/// `tfs doctor`'s arguments.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The fleet file [default: fleet.toml when it exists; else the host alone].
    #[arg(short, long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print one JSON document: `{"ready": ..., "checks": [...]}`.
    #[arg(long)]
    pub json: bool,
}

/// `tfs doctor --json`.
#[derive(Serialize)]
struct Report<'a> {
    ready: bool,
    /// The fleet file checked; null for the host alone.
    fleet_file: Option<&'a Path>,
    checks: &'a [Check],
}

pub async fn run(args: &DoctorArgs, printer: &Printer) -> Result<ExitCode> {
    // Without -f, ./fleet.toml when there is one; else the host alone.
    let file: Option<PathBuf> = args.file.clone().or_else(|| {
        let default = PathBuf::from(DEFAULT_FLEET_FILE);
        default.exists().then_some(default)
    });
    let checks = examine(file.as_deref()).await;
    let ready = ready(&checks);
    if args.json {
        let report = Report {
            ready,
            fleet_file: file.as_deref(),
            checks: &checks,
        };
        printer.out(&serde_json::to_string_pretty(&report)?);
    } else {
        printer.out(&text(&checks, file.as_deref(), printer));
    }
    Ok(if ready {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn text(checks: &[Check], file: Option<&Path>, printer: &Printer) -> String {
    let mut lines = Vec::new();
    for check in checks {
        let mark = match check.verdict {
            Verdict::Pass => printer.paint(Style::new().green().bold(), "✓"),
            Verdict::Fail => printer.paint(Style::new().red().bold(), "✗"),
            Verdict::Skip => printer.paint(Style::new().dim(), "-"),
        };
        lines.push(format!(
            "{mark} {}: {}",
            check.subject.title(),
            check.detail
        ));
        if let Some(fix) = &check.fix {
            lines.push(format!("  fix: {fix}"));
        }
    }
    let failed = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
    let scope = match file {
        Some(file) => format!("this host for {}", file.display()),
        None => "this host (no fleet file: pass one with -f to check it too)".to_string(),
    };
    lines.push(String::new());
    lines.push(match failed {
        0 => format!("Ready: {scope} passed every check."),
        1 => format!("Not ready: 1 check of {scope} failed."),
        n => format!("Not ready: {n} checks of {scope} failed."),
    });
    lines.join("\n")
}
