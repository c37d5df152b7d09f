//! The command line: argument parsing and one module per command.

mod apply;
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

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::cancel::Interrupted;
use crate::printer::{ColorChoice, Printer};
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

#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// docker-compose.yml, nginx.conf and config files equivalent to the fleet.
    #[command(
        after_help = "Example:\n  tfs export compose --out compose/ && docker-compose -f compose/docker-compose.yml up -d"
    )]
    Compose(ExportArgs),
    /// Kubernetes manifests: serving Deployments, nginx in front, probes, disruption budgets.
    #[command(
        after_help = "Examples:\n  tfs export kubernetes | kubectl apply -f -\n  tfs export kubernetes --out k8s/ && kubectl apply -k k8s/"
    )]
    Kubernetes(export_kubernetes::KubernetesArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The directory to write into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Refresh every 2 seconds until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// A replica (`demo-gpu0` or `gpu0`), or `balancer`; all replicas when absent.
    pub replica: Option<String>,
    #[command(flatten)]
    pub file: FileArgs,
    /// Keep streaming new output.
    #[arg(long)]
    pub follow: bool,
    /// Only the last N lines of each.
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The file to write.
    #[arg(short, long, default_value = "fleet.toml")]
    pub file: PathBuf,
    /// Write a CPU-mode fleet even when GPUs are found.
    #[arg(long)]
    pub cpu: bool,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Where commands look for the fleet without `-f`.
pub const DEFAULT_FLEET_FILE: &str = "fleet.toml";

#[derive(Debug, Args)]
pub struct FileArgs {
    /// The fleet file.
    #[arg(short, long, default_value = DEFAULT_FLEET_FILE)]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// Exit 0 with no changes, 2 with changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Print the plan as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Save the plan, for `tfs apply PLANFILE`.
    #[arg(short = 'o', long = "out", value_name = "PLANFILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The fleet file [default: fleet.toml; with PLANFILE, the one the plan was made from].
    #[arg(short, long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Seconds a replica may take to become AVAILABLE (1 to 86400).
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = parse_timeout)]
    pub timeout: u64,
    /// A plan saved with `tfs plan -o`: applied only if planning again gives the same plan.
    pub planfile: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
}

/// `--timeout`: zero would fail every replica before it could start, and a
/// deadline past a day is a typo that would outlive any terminal.
fn parse_timeout(text: &str) -> Result<u64, String> {
    let seconds: u64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a whole number of seconds"))?;
    match seconds {
        0 => Err(
            "a timeout of 0 seconds gives no replica time to start; give at least 1".to_string(),
        ),
        1..=86_400 => Ok(seconds),
        _ => Err(format!(
            "{seconds} seconds is more than a day (86400); give at most 86400"
        )),
    }
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
