//! Ctrl-C, shared by the executor and the waits it runs: a module of its own
//! so that neither owns the other.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set by Ctrl-C; the executor checks it between steps so that an
/// interrupted apply stops at a boundary, never in the middle of a write.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// An error when cancelled, to stop with `?` between steps.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.is_cancelled() {
            anyhow::bail!("interrupted: stopped between steps; run `tfs apply` again to converge");
        }
        Ok(())
    }
}
