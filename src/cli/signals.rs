//! SIGINT and SIGTERM during a command that changes the host: the first
//! asks it to stop at the next safe point, a second aborts at once.

use tokio::signal::unix::{signal, SignalKind};

use crate::cancel::{Cancel, Signal};
use crate::lock;
use crate::printer::Printer;

/// Listens for both signals for the rest of the process and cancels `cancel`.
pub fn watch(cancel: Cancel, printer: Printer) {
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        // Without handlers the default applies: the process ends at once, as before.
        return;
    };
    tokio::spawn(async move {
        let mut stopping = false;
        loop {
            let signal = tokio::select! {
                _ = interrupt.recv() => Signal::Interrupt,
                _ = terminate.recv() => Signal::Terminate,
            };
            if stopping {
                // The user insists: no more safe points, but no lock left behind either.
                lock::release_held();
                printer.warn(&format!(
                    "{} again: aborted at once; run `tfs apply` again to converge",
                    signal.name()
                ));
                std::process::exit(i32::from(signal.exit_code()));
            }
            stopping = true;
            printer.warn(&format!(
                "{}: stopping at the next safe point (send it again to abort at once)",
                signal.name()
            ));
            cancel.cancel(signal);
        }
    });
}
