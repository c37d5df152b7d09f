//! The command line: argument parsing and one module per command.

mod apply;
mod arguments;
mod completions;
mod confirm;
mod destroy;
mod doctor;
mod export;
mod export_kubernetes;
mod force_unlock;
mod gpus;
mod init;
mod logs;
mod pipeline;
mod plan;
mod plan_file;
mod plan_secrets;
mod preflight;
mod recheck;
mod signals;
mod status;
mod summary;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cancel::Interrupted;
use crate::printer::{ColorChoice, Printer};
pub use arguments::{
    ApplyArgs, DestroyArgs, ExportArgs, ExportFormat, FileArgs, InitArgs, LogsArgs, PlanArgs,
    StatusArgs, DEFAULT_FLEET_FILE,
};
pub use doctor::DoctorArgs;
pub use gpus::GpusArgs;

/// Serve TensorFlow models across every GPU of a machine, declaratively.
#[derive(Debug, Parser)]
#[command(name = "tfs", version, about, long_about = None, after_help = "Exit codes: 0 ok, 1 error, 2 changes present (plan --detailed-exitcode), 130 interrupted by SIGINT, 143 by SIGTERM.")]
pub struct Cli {
    /// When to colour output.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub color: ColorChoice,
    /// Print only results and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Seconds one Docker API call may take before tfs gives up on it.
    #[arg(long, value_name = "SECS", global = true, env = "TFS_DOCKER_TIMEOUT", default_value_t = crate::engine::docker::DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub docker_timeout: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter fleet.toml for this host.
    #[command(after_help = "Example:\n  tfs init --cpu")]
    Init(InitArgs),
    /// Check fleet.toml without touching Docker.
    #[command(after_help = "Example:\n  tfs validate -f fleets/prod.toml")]
    Validate(FileArgs),
    /// List the GPUs this host has, and where that came from.
    #[command(after_help = "Example:\n  tfs gpus --json | jq -r '.gpus[].uuid'")]
    Gpus(GpusArgs),
    /// Check that this host can run the fleet: Docker, GPUs, device requests, images, ports, models, lock.
    #[command(
        after_help = "Example:\n  tfs doctor -f fleets/prod.toml --json | jq .ready\n\nExit code 0 only when no check failed. Nothing is left behind: the one container it starts is removed."
    )]
    Doctor(DoctorArgs),
    /// Show what apply would change.
    #[command(after_help = "Example:\n  tfs plan -o tfs.plan && tfs apply tfs.plan")]
    Plan(PlanArgs),
    /// Converge the host to fleet.toml.
    #[command(after_help = "Example:\n  tfs apply --auto-approve --timeout 600")]
    Apply(ApplyArgs),
    /// Remove the fleet's containers and network, and nothing else.
    #[command(after_help = "Example:\n  tfs destroy --auto-approve")]
    Destroy(DestroyArgs),
    /// Show each replica's GPU, container, models and requests, and the balancer.
    #[command(
        after_help = "Examples:\n  tfs status\n  tfs status --json | jq .healthy\n\nExit code 0 only when every model of every replica is AVAILABLE and the balancer answers."
    )]
    Status(StatusArgs),
    /// Show the logs of one replica, or of all prefixed by replica name.
    #[command(after_help = "Examples:\n  tfs logs --follow\n  tfs logs gpu2 --tail 50")]
    Logs(LogsArgs),
    /// Write the fleet in another tool's format.
    #[command(subcommand)]
    Export(ExportFormat),
    /// Remove a fleet's lock file, whatever it holds (a lock left by a process that is gone, or a corrupt one).
    #[command(after_help = "Example:\n  tfs force-unlock -f fleet.toml")]
    ForceUnlock(FileArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  tfs completions bash > /etc/bash_completion.d/tfs")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Runs the CLI; errors are printed here, once, with their causes.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // clap exits 2 on usage errors; 2 means "changes present" here.
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let printer = Printer::new(cli.color, cli.quiet);
    crate::engine::docker::set_timeout(std::time::Duration::from_secs(cli.docker_timeout));
    let _ = pipeline::PRINTER.set(printer);
    if std::env::var_os("DOCKER_HOST").is_some_and(|host| host.is_empty()) {
        // bollard would take "" for an address; the docker CLI takes it for
        // unset. Before the runtime starts: no other thread reads it yet.
        std::env::remove_var("DOCKER_HOST");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            printer.error(&anyhow::Error::new(error).context("cannot start the async runtime"));
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Init(args) => init::run(&args, &printer),
            Command::Completions { shell } => completions::run(shell),
            Command::Validate(args) => validate::run(&args, &printer),
            Command::Gpus(args) => gpus::run(&args, &printer),
            Command::Doctor(args) => doctor::run(&args, &printer).await,
            Command::Plan(args) => plan::run(&args, &printer).await,
            Command::Apply(args) => apply::run(&args, &printer).await,
            Command::Destroy(args) => destroy::run(&args, &printer).await,
            Command::Status(args) => status::run(&args, &printer).await,
            Command::Logs(args) => logs::run(&args, &printer).await,
            Command::Export(ExportFormat::Compose(args)) => export::run(&args, &printer),
            Command::Export(ExportFormat::Kubernetes(args)) => {
                export_kubernetes::run(&args, &printer)
            }
            Command::ForceUnlock(args) => force_unlock::run(&args, &printer),
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            printer.error(&error);
            let interrupted = error
                .chain()
                .find_map(|cause| cause.downcast_ref::<Interrupted>());
            ExitCode::from(interrupted.map_or(1, |interrupted| interrupted.signal.exit_code()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply_timeout(value: &str) -> Result<u64, String> {
        match Cli::try_parse_from(["tfs", "apply", "--timeout", value]) {
            Ok(Cli {
                command: Command::Apply(args),
                ..
            }) => Ok(args.timeout),
            Ok(_) => unreachable!("apply parses as apply"),
            Err(error) => Err(error.to_string()),
        }
    }

    #[test]
    fn apply_timeout_must_be_between_a_second_and_a_day() {
        assert_eq!(apply_timeout("1"), Ok(1));
        assert_eq!(apply_timeout("86400"), Ok(86400));
        let zero = apply_timeout("0").unwrap_err();
        assert!(zero.contains("a timeout of 0 seconds"), "{zero}");
        assert!(apply_timeout("86401")
            .unwrap_err()
            .contains("more than a day"));
        assert!(apply_timeout("-5").is_err());
    }
}
