//! Ctrl-C and SIGTERM, shared by the executor and the waits it runs: a
//! module of its own so that neither owns the other.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// The signal that asked tfs to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: systemd, CI runners, `kill`.
    Terminate,
}

impl Signal {
    /// The shell's convention: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    /// Its usual name.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    fn code(self) -> u8 {
        match self {
            Signal::Interrupt => 1,
            Signal::Terminate => 2,
        }
    }

    fn from_code(code: u8) -> Option<Signal> {
        match code {
            1 => Some(Signal::Interrupt),
            2 => Some(Signal::Terminate),
            _ => None,
        }
    }
}

/// The error an interrupted command stops with; the CLI turns it into exit
/// code 130 or 143.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted ({}): stopped between steps; run `{}` again to converge", .signal.name(), .command)]
pub struct Interrupted {
    pub signal: Signal,
    /// The command that picks up where this one stopped.
    pub command: &'static str,
}

impl Interrupted {
    /// Interrupted by `signal`; `tfs apply` resumes.
    pub fn new(signal: Signal) -> Self {
        Self {
            signal,
            command: "tfs apply",
        }
    }

    /// The same, resumed by `command` instead.
    pub fn resumed_by(self, command: &'static str) -> Self {
        Self { command, ..self }
    }
}

/// Any signal seen by this process, for test pauses that have no [`Cancel`] at hand.
static SIGNALLED: AtomicU8 = AtomicU8::new(0);

/// Set by a signal; the executor checks it between steps so that an
/// interrupted apply stops at a boundary, never in the middle of a write.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicU8>);

impl Cancel {
    /// Stops at the next safe point, for `signal`; the first signal is the one reported.
    pub fn cancel(&self, signal: Signal) {
        let _ = self
            .0
            .compare_exchange(0, signal.code(), Ordering::SeqCst, Ordering::SeqCst);
        let _ = SIGNALLED.compare_exchange(0, signal.code(), Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The signal that cancelled, if one did.
    pub fn signal(&self) -> Option<Signal> {
        Signal::from_code(self.0.load(Ordering::SeqCst))
    }

    pub fn is_cancelled(&self) -> bool {
        self.signal().is_some()
    }

    /// Resolves once cancelled: raced against a wait that is safe to drop
    /// (a pull, a drain), so that a signal does not wait for it.
    pub async fn cancelled(&self) -> Interrupted {
        loop {
            if let Some(signal) = self.signal() {
                return Interrupted::new(signal);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// An [`Interrupted`] error when cancelled, to stop with `?` between steps.
    pub fn check(&self) -> Result<(), Interrupted> {
        match self.signal() {
            Some(signal) => Err(Interrupted::new(signal)),
            None => Ok(()),
        }
    }
}

/// Whether this process was signalled at all.
pub fn signalled() -> bool {
    SIGNALLED.load(Ordering::SeqCst) != 0
}
