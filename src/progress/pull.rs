//! Image pulls as progress: one bar per layer (bytes and speed) on a
//! terminal, `pulling REF: N/M layers` lines otherwise.

use std::collections::BTreeMap;

use indicatif::{ProgressBar, ProgressStyle};

use super::TerminalReporter;
use crate::engine::PullProgress;

/// The layers of one image being pulled, and which are done.
#[derive(Default)]
pub(super) struct Layers {
    done: BTreeMap<String, bool>,
    /// Layers done when the last plain line was written.
    said: Option<usize>,
    /// Docker lists every layer first: lines wait until downloads begin.
    listed: bool,
}

/// Statuses Docker gives a layer (other events name the tag or the digest).
fn layer_state(status: &str) -> Option<bool> {
    const PENDING: &[&str] = &[
        "Pulling fs layer",
        "Waiting",
        "Downloading",
        "Verifying Checksum",
        "Download complete",
        "Extracting",
        "Retrying",
    ];
    if status.starts_with("Pull complete") || status.starts_with("Already exists") {
        Some(true)
    } else if PENDING.iter().any(|p| status.starts_with(p)) {
        Some(false)
    } else {
        None
    }
}

impl Layers {
    /// `pulling REF: N/M layers`, when N moved since the last one.
    fn line_for(&mut self, image: &str) -> Option<String> {
        let finished = self.done.values().filter(|d| **d).count();
        if self.said == Some(finished) {
            return None;
        }
        self.said = Some(finished);
        Some(format!(
            "pulling {image}: {finished}/{} layers",
            self.done.len()
        ))
    }
}

impl TerminalReporter {
    /// Records a layer's state; the plain line to write, if any.
    fn count(&self, image: &str, layer: &str, status: &str, done: bool) -> Option<String> {
        let mut pulls = self.pulls.lock().expect("progress lock");
        let layers = pulls.entry(image.to_string()).or_default();
        let was = layers.done.entry(layer.to_string()).or_insert(false);
        *was |= done;
        let listing = ["Pulling fs layer", "Already exists", "Waiting"]
            .iter()
            .any(|s| status.starts_with(s));
        layers.listed |= !listing;
        if layers.listed {
            layers.line_for(image)
        } else {
            None
        }
    }

    /// A pull ended: its bars go; after a pull that went well, a plain last
    /// line says where it got.
    pub(super) fn pull_ended(&self, image: &str, pulled: bool) {
        let prefix = format!("layer:{image}:");
        let mut bars = self.bars.lock().expect("progress lock");
        bars.retain(|key, bar| {
            let ours = key.starts_with(&prefix);
            if ours {
                bar.finish_and_clear();
            }
            !ours
        });
        drop(bars);
        let layers = self.pulls.lock().expect("progress lock").remove(image);
        let line = match layers.filter(|_| pulled) {
            Some(layers) if layers.done.is_empty() => {
                Some(format!("pulling {image}: no layers to download"))
            }
            Some(mut layers) => layers.line_for(image),
            None => None,
        };
        if let Some(line) = line {
            self.printer.info(&line);
        }
    }

    fn bar(&self, image: &str, layer: &str, status: &str, current: u64, total: u64) {
        let key = format!("layer:{image}:{layer}");
        let mut bars = self.bars.lock().expect("progress lock");
        let bar = bars.entry(key).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(total.max(1)));
            bar.set_style(
                ProgressStyle::with_template(
                    "  {prefix} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
                )
                .expect("valid template"),
            );
            bar.set_prefix(format!("{image} {layer}"));
            bar
        });
        if total > 0 {
            bar.set_length(total);
            bar.set_position(current);
        } else if status.starts_with("Already exists") {
            bar.set_style(
                ProgressStyle::with_template("  {prefix} {msg}").expect("valid template"),
            );
        }
        bar.set_message(status.to_string());
        if layer_state(status) == Some(true) {
            bar.finish();
        }
    }
}

impl PullProgress for TerminalReporter {
    fn layer(&self, image: &str, layer: &str, status: &str, current: u64, total: u64) {
        if !self.interactive {
            // The pull is on record even when no layer needs downloading.
            let mut pulls = self.pulls.lock().expect("progress lock");
            pulls.entry(image.to_string()).or_default();
        }
        let Some(done) = layer_state(status).filter(|_| !layer.is_empty()) else {
            return;
        };
        if self.interactive {
            self.bar(image, layer, status, current, total);
        } else if let Some(line) = self.count(image, layer, status, done) {
            self.printer.info(&line);
        }
    }
}
