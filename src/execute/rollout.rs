//! Starting replicas and replacing them wave by wave; a replacement that
//! fails puts the previous spec back so that capacity returns.

use std::time::Duration;

use anyhow::{bail, Result};
use futures_util::future::join_all;

use super::apply::spec;
use super::executor::Executor;
use super::replicas::{last_logs, remove_container, start_replica};
use crate::desire::ReplicaSpec;
use crate::engine::Engine;
use crate::reconcile::Step;
use crate::verify::{wait_available, ReplicaHealth, ServingProbe, Versions};

/// A replica that did not become AVAILABLE, and why (with its last logs).
struct Failure {
    name: String,
    reason: String,
}

impl<E: Engine> Executor<'_, E> {
    /// Creates, starts and waits for replicas together; returns those that failed.
    async fn launch(&self, replicas: &[&ReplicaSpec]) -> Vec<Failure> {
        let network = &self.desired.network.name;
        let (engine, reporter, options) = (self.engine, self.reporter, self.options);
        let results = join_all(replicas.iter().map(|replica| async move {
            let key = replica.name.as_str();
            reporter.begin(key, &format!("starting replica {key}"));
            let started = async {
                start_replica(engine, replica, network).await?;
                wait_available(
                    &ServingProbe(engine),
                    replica,
                    network,
                    options.timeout,
                    &options.cancel,
                )
                .await
            }
            .await;
            match started {
                Ok(health) => {
                    reporter.finish(
                        key,
                        &format!("replica {key} is AVAILABLE{}", models_text(&health)),
                    );
                    None
                }
                Err(error) => {
                    reporter.fail(key, &format!("replica {key} failed"));
                    Some(Failure {
                        name: key.to_string(),
                        reason: format!("{error:#}{}", last_logs(engine, key).await),
                    })
                }
            }
        }))
        .await;
        results.into_iter().flatten().collect()
    }

    /// Starts new replicas and serves those that become AVAILABLE.
    pub async fn start_wave(&mut self, replicas: &[&ReplicaSpec]) -> Result<()> {
        if replicas.is_empty() {
            return Ok(());
        }
        self.options.cancel.check()?;
        let failures = self.launch(replicas).await;
        for replica in replicas {
            if !failures.iter().any(|f| f.name == replica.name) {
                self.serving.insert(replica.name.clone());
            }
        }
        self.publish().await?;
        if !failures.is_empty() {
            let reasons: Vec<String> = failures.into_iter().map(|f| f.reason).collect();
            bail!("{}", reasons.join("\n\n"));
        }
        Ok(())
    }

    /// One wave of a rolling replace: out of the upstream, drained, old
    /// stopped (a GPU never holds old and new at once), new started and
    /// waited for, back into the upstream. With `more` (another wave
    /// follows) the new replicas go back in with the next wave's take-out:
    /// one reload instead of two, and every reload closes idle keep-alive
    /// connections, which a client may be sending on just then.
    pub async fn replace_wave(&mut self, steps: &[&Step], more: bool) -> Result<()> {
        if let Err(cancelled) = self.options.cancel.check() {
            // The last wave's replicas serve but may not be in the upstream yet.
            self.publish().await?;
            return Err(cancelled);
        }
        let replicas: Vec<&ReplicaSpec> =
            steps.iter().filter_map(|s| spec(self.desired, s)).collect();
        let names: Vec<String> = replicas.iter().map(|r| r.name.clone()).collect();
        self.take_out(&names).await?;
        self.remove_all(&names, "old replica").await?;
        let failures = self.launch(&replicas).await;
        for replica in &replicas {
            if !failures.iter().any(|f| f.name == replica.name) {
                self.serving.insert(replica.name.clone());
            }
        }
        if failures.is_empty() {
            return if more { Ok(()) } else { self.publish().await };
        }
        let failed: Vec<String> = failures.iter().map(|f| f.name.clone()).collect();
        self.remove_all(&failed, "failed replica").await?;
        let previous: Vec<&ReplicaSpec> = steps
            .iter()
            .filter(|s| failed.contains(&s.resource))
            .filter_map(|s| s.previous.as_ref())
            .collect();
        let restore_failures = self.launch(&previous).await;
        for replica in &previous {
            if !restore_failures.iter().any(|f| f.name == replica.name) {
                self.serving.insert(replica.name.clone());
            }
        }
        self.publish().await?;
        let mut message = String::from("rollout stopped: a new replica did not become AVAILABLE");
        for failure in &failures {
            message.push_str(&format!("\n\n{}", failure.reason));
        }
        let restored: Vec<&str> = previous
            .iter()
            .filter(|r| !restore_failures.iter().any(|f| f.name == r.name))
            .map(|r| r.name.as_str())
            .collect();
        if !restored.is_empty() {
            message.push_str(&format!(
                "\n\nrestored to the previous spec: {}",
                restored.join(", ")
            ));
        }
        for failure in &restore_failures {
            message.push_str(&format!(
                "\n\nrestoring {} failed too: {}",
                failure.name, failure.reason
            ));
        }
        message.push_str("\nreplicas not yet replaced still serve their previous spec");
        bail!("{message}")
    }

    async fn remove_all(&self, names: &[String], what: &str) -> Result<()> {
        let (engine, reporter) = (self.engine, self.reporter);
        join_all(names.iter().map(|name| async move {
            reporter.begin(name, &format!("removing {what} {name}"));
            let result = remove_container(engine, name, Duration::from_secs(10)).await;
            reporter.finish(name, &format!("removed {what} {name}"));
            result
        }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>>>()
        .map(|_| ())
    }
}

fn models_text(health: &ReplicaHealth) -> String {
    let parts: Vec<String> = health
        .models
        .iter()
        .map(|(model, states)| Versions { model, states }.serving())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}
