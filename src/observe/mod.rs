//! observe: what Docker has of a fleet right now. Docker is the state.

mod container;
mod observed;

use anyhow::Result;

pub use container::{Container, ContainerState, Network};
pub use observed::Observed;

use crate::desire::labels;
use crate::engine::Engine;

/// Where the balancer keeps the nginx.conf that tfs writes.
pub const NGINX_CONF_PATH: &str = "/etc/nginx/nginx.conf";
/// A copy of the nginx.conf that nginx has loaded, written after each reload.
pub const LOADED_CONF_PATH: &str = "/etc/nginx/tfs-loaded.conf";

/// Reads the fleet's containers and network by labels, and the balancer's
/// nginx.conf; also collects unowned things named in the fleet's name space.
pub async fn observe(engine: &impl Engine, fleet: &str) -> Result<Observed> {
    let prefix = format!("{fleet}-");
    let owned = |labels: &std::collections::BTreeMap<String, String>| {
        labels.get(labels::FLEET).map(String::as_str) == Some(fleet)
    };
    let mut observed = Observed::default();
    for container in engine.containers(&prefix, (labels::FLEET, fleet)).await? {
        if !owned(&container.labels) {
            observed.foreign_containers.push(container);
            continue;
        }
        match container.labels.get(labels::ROLE).map(String::as_str) {
            Some(labels::ROLE_BALANCER) if observed.balancer.is_none() => {
                observed.balancer = Some(container)
            }
            _ => observed.replicas.push(container),
        }
    }
    for network in engine.networks(&prefix, (labels::FLEET, fleet)).await? {
        if owned(&network.labels) && observed.network.is_none() {
            observed.network = Some(network);
        } else if !owned(&network.labels) {
            observed.foreign_networks.push(network);
        }
    }
    if let Some(balancer) = &observed.balancer {
        if balancer.state.is_running() {
            observed.balancer_conf = engine.read_file(&balancer.name, LOADED_CONF_PATH).await?;
            let on_disk = engine.read_file(&balancer.name, NGINX_CONF_PATH).await?;
            observed.balancer_conf_unloaded = on_disk != observed.balancer_conf;
        }
    }
    Ok(observed)
}
