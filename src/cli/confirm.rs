use anyhow::{bail, Result};

use crate::printer::Printer;

/// Terraform's rule: ask on a terminal, refuse without one unless approved.
pub fn confirm(printer: &Printer, auto_approve: bool, what: &str) -> Result<()> {
    if auto_approve {
        return Ok(());
    }
    if !printer.stdin_is_terminal() {
        bail!("refusing to {what} without confirmation: standard input is not a terminal\nhint: pass --auto-approve to {what} non-interactively");
    }
    let answer =
        printer.ask("\nDo you want to perform these actions? Only 'yes' will be accepted:");
    if answer != "yes" {
        bail!("{what} cancelled: the answer was not 'yes'");
    }
    Ok(())
}
