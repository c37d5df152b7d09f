//! `tfs completions <shell>`: shell completion scripts from the clap definition.

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use super::Cli;

pub fn run(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "tfs", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
