//! Creating and removing replica containers.

use std::time::Duration;

use anyhow::{Context, Result};

use super::checkpoint::{checkpoint, REPLICA_CREATED, REPLICA_STARTED};
use super::models::recorded_files;
use super::ownership::{owned_container, owned_network};
use crate::desire::ReplicaSpec;
use crate::engine::{ContainerSpec, Engine};

/// Creates the container, writes its generated files, starts it.
pub async fn start_replica(
    engine: &impl Engine,
    replica: &ReplicaSpec,
    network: &str,
) -> Result<()> {
    let spec = ContainerSpec {
        name: replica.name.clone(),
        image: replica.config.image.clone(),
        args: replica.config.args.clone(),
        env: replica.config.env.clone(),
        labels: replica.labels.clone(),
        mounts: replica.config.mounts.clone(),
        device_ids: replica.config.device_id.iter().cloned().collect(),
        network: network.to_string(),
        ports: Vec::new(),
    };
    engine.create_container(&spec).await?;
    checkpoint(REPLICA_CREATED).await;
    if let Err(error) = fill_and_start(engine, replica).await {
        // Never leave a container in the Created state: it would hold the
        // slot's name without serving, and mislead the next plan.
        let _ = engine.remove_container(&replica.name).await;
        return Err(error);
    }
    checkpoint(REPLICA_STARTED).await;
    Ok(())
}

/// Its generated files and the record of its models in one write, then the start.
async fn fill_and_start(engine: &impl Engine, replica: &ReplicaSpec) -> Result<()> {
    let recorded = recorded_files(&replica.models);
    let files: Vec<(&str, &str)> = replica
        .config
        .files
        .iter()
        .map(|(path, content)| (path.as_str(), content.as_str()))
        .chain(
            recorded
                .iter()
                .map(|(path, content)| (*path, content.as_str())),
        )
        .collect();
    engine
        .write_files(&replica.name, &files)
        .await
        .with_context(|| format!("writing the files of {}", replica.name))?;
    engine.start(&replica.name).await
}

/// How a container of the fleet ends before it is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Its stop signal, then SIGKILL after the grace period: nginx handles
    /// SIGQUIT/SIGTERM and finishes its requests.
    Graceful(Duration),
    /// SIGKILL at once. TF Serving installs no SIGTERM handler and the
    /// image's entrypoint is a shell that does not pass one on, so a stop
    /// would wait out its whole grace period; a replica is removed only once
    /// it left the upstream and was drained, with nothing in flight.
    Killed,
}

/// Ends and removes a container of `fleet`; refuses one that is not the
/// fleet's.
pub async fn remove_container(
    engine: &impl Engine,
    fleet: &str,
    name: &str,
    ending: Ending,
) -> Result<()> {
    // By id: the container checked is the one removed, even if the name moves.
    let Some(id) = owned_container(engine, fleet, name).await? else {
        return Ok(());
    };
    match ending {
        Ending::Graceful(grace) => engine.stop(&id, grace).await?,
        Ending::Killed => engine.kill(&id).await?,
    }
    engine.remove_container(&id).await
}

/// Removes a network of `fleet`; refuses one that is not the fleet's.
pub async fn remove_network(engine: &impl Engine, fleet: &str, name: &str) -> Result<()> {
    match owned_network(engine, fleet, name).await? {
        Some(id) => engine.remove_network(&id).await,
        None => Ok(()),
    }
}

/// The last lines a failing container printed, for the error message.
pub async fn last_logs(engine: &impl Engine, name: &str) -> String {
    match engine.logs_tail(name, 20).await {
        Ok(logs) if !logs.trim().is_empty() => {
            format!("\nlast log lines of {name}:\n{}", indent(&logs))
        }
        _ => String::new(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  | {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
