//! Progress of long operations: bars and spinners on a terminal, one plain
//! line per step otherwise. The executor reports typed events; this is the
//! one place that turns them into words.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

mod pull;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::execute::{Detail, Event, Reporter};
use crate::printer::Printer;
use crate::reconcile::{Op, Operation, Removal};
use crate::verify::Versions;

/// The CLI's reporter over indicatif.
pub struct TerminalReporter {
    printer: Printer,
    interactive: bool,
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    /// Each image being pulled: its layers, and whether each is done.
    pulls: Mutex<HashMap<String, pull::Layers>>,
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
            pulls: Mutex::new(HashMap::new()),
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

impl TerminalReporter {
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

    /// Ends a spinner; with a text, says how it ended.
    fn end(&self, key: &str, mark: Option<(console::Style, &str)>, text: &str) {
        if let Some(bar) = self.take(key) {
            bar.finish_and_clear();
        }
        if let Some((style, symbol)) = mark {
            self.line(&format!("{} {text}", self.printer.paint(style, symbol)));
        }
    }
}

/// A replica's spinner runs from its start to its AVAILABLE, across two operations.
fn key(operation: &Operation) -> String {
    match operation.op {
        Op::StartReplica | Op::RestoreReplica | Op::WaitAvailable => operation.target.clone(),
        _ => format!("{}:{}", operation.op.name(), operation.target),
    }
}

/// What the user reads when an operation begins; None for those that
/// are quick or internal.
fn began(operation: &Operation) -> Option<String> {
    let target = &operation.target;
    Some(match &operation.op {
        Op::CreateNetwork => format!("creating network {target}"),
        Op::StartBalancer { .. } => format!("starting balancer {target}"),
        Op::SwitchConfig { .. } => format!("reloading {target}"),
        Op::RemoveReplica { removal } => format!("removing {}{target}", removal_word(*removal)),
        Op::StartReplica => format!("starting replica {target}"),
        Op::RestoreReplica => format!("restoring replica {target} to its previous spec"),
        Op::ReloadModels => format!("reloading the models of {target} in place"),
        Op::RestoreModels => format!("restoring the models {target} served before"),
        Op::RemoveBalancer => format!("removing balancer {target}"),
        Op::RemoveNetwork => format!("removing network {target}"),
        Op::PullImage
        | Op::CheckAvailable
        | Op::StageConfig { .. }
        | Op::Drain
        | Op::WaitAvailable => return None,
    })
}

/// What the user reads when it ended well; None when it ends silently (a
/// started replica is only news once it serves).
fn done(operation: &Operation, detail: &Detail) -> Option<String> {
    let target = &operation.target;
    if *detail == Detail::Unchanged {
        return None;
    }
    Some(match (&operation.op, detail) {
        (Op::CreateNetwork, _) => format!("created network {target}"),
        (Op::PullImage, _) => format!("pulled {target}"),
        (Op::StartBalancer { .. }, Detail::Upstream(members)) => {
            format!(
                "started balancer {target}: upstream {}",
                upstream_text(members)
            )
        }
        (Op::SwitchConfig { .. }, Detail::Upstream(members)) => {
            format!("reloaded {target}: upstream {}", upstream_text(members))
        }
        (Op::RemoveReplica { removal }, _) => format!("removed {}{target}", removal_word(*removal)),
        (Op::ReloadModels | Op::RestoreModels, Detail::Health(health)) => {
            format!("replica {target} serves{}", serving_text(health))
        }
        (Op::WaitAvailable, Detail::Health(health)) => {
            format!("replica {target} is AVAILABLE{}", serving_text(health))
        }
        (Op::RemoveBalancer, _) => format!("removed balancer {target}"),
        (Op::RemoveNetwork, _) => format!("removed network {target}"),
        _ => return None,
    })
}

fn failed(operation: &Operation) -> String {
    let target = &operation.target;
    match &operation.op {
        Op::StartReplica | Op::RestoreReplica | Op::WaitAvailable => {
            format!("replica {target} failed")
        }
        Op::ReloadModels => format!("reloading the models of {target} failed"),
        Op::RestoreModels => format!("restoring the models of {target} failed"),
        Op::StartBalancer { .. } => format!("balancer {target} failed"),
        Op::PullImage => format!("pulling {target} failed"),
        op => format!("{} {target} failed", op.name()),
    }
}

/// ` (half_plus_two v124)`: what a replica serves, for a progress line.
fn serving_text(health: &crate::verify::ReplicaHealth) -> String {
    let models: Vec<String> = health
        .models
        .iter()
        .map(|(model, states)| Versions { model, states }.serving())
        .collect();
    if models.is_empty() {
        String::new()
    } else {
        format!(" ({})", models.join(", "))
    }
}

fn removal_word(removal: Removal) -> &'static str {
    match removal {
        Removal::Unplaced | Removal::Destroyed => "replica ",
        Removal::Replaced => "old replica ",
        Removal::Failed => "failed replica ",
    }
}

/// The upstream's members in words.
fn upstream_text(members: &[String]) -> String {
    if members.is_empty() {
        "(empty)".to_string()
    } else {
        members.join(" ")
    }
}

impl Reporter for TerminalReporter {
    fn event(&self, event: Event<'_>) {
        if let Event::Done(operation, _)
        | Event::Failed(operation, _)
        | Event::Interrupted(operation) = &event
        {
            if operation.op == Op::PullImage {
                self.pull_ended(&operation.target, matches!(event, Event::Done(..)));
            }
        }
        match event {
            Event::Began(operation) => {
                if let Some(text) = began(operation) {
                    self.begin(&key(operation), &text);
                }
            }
            Event::Done(operation, detail) => {
                if let Some(text) = done(operation, detail) {
                    self.end(
                        &key(operation),
                        Some((console::Style::new().green(), "✓")),
                        &text,
                    );
                }
            }
            Event::Failed(operation, _) => {
                let text = failed(operation);
                self.end(
                    &key(operation),
                    Some((console::Style::new().red(), "✗")),
                    &text,
                );
            }
            Event::Interrupted(operation) => self.end(&key(operation), None, ""),
        }
    }
}
