//! observe: what Docker has of a fleet right now. Docker is the state.

mod balancer_conf;
mod images;
mod observed;
mod serving;

use anyhow::Result;

pub use balancer_conf::{
    conf_file, upstream_members, BalancerConf, CONF_DIR, LOADED_CONF_PATH, NGINX_CONF_PATH,
};
pub use images::{observe_images, TagState};
pub use observed::Observed;
pub use serving::{observe_serving, Serving};

use crate::desire::{labels, BalancerSpec};
use crate::engine::{Container, Engine};
use balancer_conf::read_balancer_conf;

/// Reads the fleet's containers and network by labels; also collects unowned
/// things named in the fleet's name space. With `expected_conf`, the
/// nginx.conf the fleet should run (what planning compares against), it
/// reads the balancer's config too, downloading it only when it is not that
/// one; without, it leaves the config unread.
pub async fn observe(
    engine: &impl Engine,
    fleet: &str,
    expected_conf: Option<&str>,
) -> Result<Observed> {
    let expected = expected_conf.map(str::to_string);
    observe_expecting(engine, fleet, expected.is_some(), |_| expected).await
}

/// [`observe`], expecting the config `balancer` has for the balancer found
/// (with the nginx version in its labels, see [`BalancerSpec::for_running`]).
pub async fn observe_fleet(
    engine: &impl Engine,
    fleet: &str,
    balancer: &BalancerSpec,
) -> Result<Observed> {
    observe_expecting(engine, fleet, true, |found| {
        Some(balancer.for_running(Some(&found.labels)).conf)
    })
    .await
}

async fn observe_expecting(
    engine: &impl Engine,
    fleet: &str,
    read_conf: bool,
    expected_for: impl FnOnce(&Container) -> Option<String>,
) -> Result<Observed> {
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
    let running = observed.balancer.as_ref().filter(|b| b.state.is_running());
    let expected = running.filter(|_| read_conf).and_then(expected_for);
    if let (Some(balancer), Some(expected)) = (running, expected) {
        let conf = read_balancer_conf(engine, &balancer.name, &expected).await?;
        observed.balancer_upstream = conf.loaded.as_deref().map(upstream_members);
        observed.balancer_conf = conf.loaded;
        observed.balancer_conf_unloaded = conf.unloaded;
    }
    Ok(observed)
}
