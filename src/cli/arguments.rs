//! The arguments of the subcommands that share them or need checking.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::export_kubernetes;

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
