//! When apply does not run to its end: a wave rolled back, or Ctrl-C.

use anyhow::{bail, Result};

use super::executor::{batch_end, Executor};
use crate::cancel::{Interrupted, Signal};
use crate::engine::Engine;
use crate::reconcile::{Op, Operation};
use crate::verify::Probe;

impl<E: Engine, P: Probe> Executor<'_, E, P> {
    /// A wave failed: its failed replicas go, their previous specs come back,
    /// the balancer serves what is AVAILABLE; then apply stops with why.
    pub(super) async fn roll_back(&mut self, wave: Option<u32>) -> Result<()> {
        let failures = std::mem::take(&mut self.failed);
        let rollback: Vec<Operation> = self
            .plan
            .rollback
            .iter()
            .filter(|o| o.wave == wave)
            .filter(|o| failures.contains_key(&o.target) || matches!(o.op, Op::SwitchConfig { .. }))
            .filter(|o| self.balancer_up || !matches!(o.op, Op::SwitchConfig { .. }))
            .cloned()
            .collect();
        let mut index = 0;
        while index < rollback.len() {
            let end = batch_end(&rollback, index);
            self.run_batch(&rollback[index..end]).await?;
            index = end;
        }
        let reasons: Vec<&String> = failures.values().collect();
        let Some(_) = wave else {
            bail!("{}", join(&reasons));
        };
        let reloads = self.plan.operations.iter().any(|o| {
            o.wave == wave && o.op == Op::ReloadModels && failures.contains_key(&o.target)
        });
        let (what, restored_to) = if reloads {
            (
                "a new model version did not load",
                "restored to the models they served before",
            )
        } else {
            (
                "a new replica did not become AVAILABLE",
                "restored to the previous spec",
            )
        };
        let mut message = format!("rollout stopped: {what}\n\n{}", join(&reasons));
        let restored: Vec<&str> = rollback
            .iter()
            .filter(|o| matches!(o.op, Op::RestoreReplica | Op::RestoreModels))
            .map(|o| o.target.as_str())
            .filter(|name| !self.failed.contains_key(*name))
            .collect();
        if !restored.is_empty() {
            message.push_str(&format!("\n\n{restored_to}: {}", restored.join(", ")));
        }
        for (name, reason) in &self.failed {
            message.push_str(&format!("\n\nrestoring {name} failed too: {reason}"));
        }
        message.push_str("\nreplicas not yet replaced still serve their previous spec");
        bail!("{message}")
    }

    /// Ctrl-C or SIGTERM: stop here. Replicas that serve but are not in the upstream
    /// (a wave that came back, not yet switched in) are put back first.
    pub(super) async fn interrupted(&mut self) -> Result<()> {
        if self.balancer_up {
            let all: Vec<String> = self
                .plan
                .desired
                .replicas
                .iter()
                .map(|r| r.name.clone())
                .collect();
            let conf = self.conf_for(&all);
            if self.installed.as_deref() != Some(conf.as_str()) {
                let name = &self.plan.desired.balancer.name;
                super::reload::install_conf(self.engine, name, &conf).await?;
                self.installed = Some(conf);
            }
        }
        let signal = self.options.cancel.signal().unwrap_or(Signal::Interrupt);
        Err(Interrupted::new(signal).into())
    }
}

fn join(reasons: &[&String]) -> String {
    reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}
