//! Removing everything labelled with the fleet, and nothing else.

use std::time::Duration;

use anyhow::Result;
use futures_util::future::join_all;

use super::replicas::remove_container;
use crate::engine::Engine;
use crate::observe::Observed;
use crate::progress::Reporter;

/// Balancer first (traffic stops cleanly), then replicas, then the network.
pub async fn destroy(
    engine: &impl Engine,
    observed: &Observed,
    reporter: &dyn Reporter,
) -> Result<usize> {
    let mut count = 0;
    if let Some(balancer) = &observed.balancer {
        reporter.begin(
            &balancer.name,
            &format!("removing balancer {}", balancer.name),
        );
        remove_container(engine, &balancer.name, Duration::from_secs(5)).await?;
        reporter.finish(
            &balancer.name,
            &format!("removed balancer {}", balancer.name),
        );
        count += 1;
    }
    let results = join_all(observed.replicas.iter().map(|replica| async move {
        reporter.begin(&replica.name, &format!("removing replica {}", replica.name));
        let result = remove_container(engine, &replica.id, Duration::from_secs(10)).await;
        reporter.finish(&replica.name, &format!("removed replica {}", replica.name));
        result
    }))
    .await;
    for result in results {
        result?;
        count += 1;
    }
    if let Some(network) = &observed.network {
        reporter.begin(&network.name, &format!("removing network {}", network.name));
        engine.remove_network(&network.id).await?;
        reporter.finish(&network.name, &format!("removed network {}", network.name));
        count += 1;
    }
    Ok(count)
}
