//! Progress of long operations: bars and spinners on a terminal, one plain
//! line per step otherwise. The core reports through [`Reporter`] and never prints.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::PullProgress;
use crate::printer::Printer;

/// What the executor tells the user while it works.
pub trait Reporter: PullProgress {
    /// A step began: "creating replica demo-gpu0".
    fn begin(&self, key: &str, text: &str);
    /// A step ended well.
    fn finish(&self, key: &str, text: &str);
    /// A step failed.
    fn fail(&self, key: &str, text: &str);
    /// A line that is not a step.
    fn note(&self, text: &str);
}

/// The CLI's reporter over indicatif.
pub struct TerminalReporter {
    printer: Printer,
    interactive: bool,
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl TerminalReporter {
    pub fn new(printer: Printer) -> Self {
        let interactive = printer.stderr_is_terminal() && !printer.is_quiet();
        let target = if interactive {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            printer,
            interactive,
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn line(&self, text: &str) {
        if self.interactive {
            self.multi.suspend(|| self.printer.info(text));
        } else {
            self.printer.info(text);
        }
    }

    fn take(&self, key: &str) -> Option<ProgressBar> {
        self.bars.lock().expect("progress lock").remove(key)
    }
}

impl Reporter for TerminalReporter {
    fn begin(&self, key: &str, text: &str) {
        if !self.interactive {
            self.printer.info(&format!("{text}..."));
            return;
        }
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed:.dim}").expect("valid template"),
        );
        bar.set_message(text.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        self.bars
            .lock()
            .expect("progress lock")
            .insert(key.to_string(), bar);
    }

    fn finish(&self, key: &str, text: &str) {
        if let Some(bar) = self.take(key) {
            bar.finish_and_clear();
        }
        self.line(&format!(
            "{} {text}",
            self.printer.paint(console::Style::new().green(), "✓")
        ));
    }

    fn fail(&self, key: &str, text: &str) {
        if let Some(bar) = self.take(key) {
            bar.finish_and_clear();
        }
        self.line(&format!(
            "{} {text}",
            self.printer.paint(console::Style::new().red(), "✗")
        ));
    }

    fn note(&self, text: &str) {
        self.line(text);
    }
}

impl PullProgress for TerminalReporter {
    fn layer(&self, layer: &str, status: &str, current: u64, total: u64) {
        if !self.interactive {
            // One plain line per layer state change keeps logs readable.
            if !layer.is_empty()
                && !status.starts_with("Downloading")
                && !status.starts_with("Extracting")
            {
                self.printer.info(&format!("  {layer}: {status}"));
            }
            return;
        }
        let key = format!("layer:{layer}");
        let mut bars = self.bars.lock().expect("progress lock");
        let bar = bars.entry(key).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(total.max(1)));
            bar.set_style(
                ProgressStyle::with_template("  {prefix} {bar:30} {bytes}/{total_bytes} {msg}")
                    .expect("valid template"),
            );
            bar.set_prefix(layer.to_string());
            bar
        });
        if total > 0 {
            bar.set_length(total);
            bar.set_position(current);
        }
        bar.set_message(status.to_string());
        if status.starts_with("Pull complete") || status.starts_with("Already exists") {
            bar.finish();
        }
    }
}
