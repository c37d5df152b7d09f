//! The last check before tfs removes anything: that it carries this fleet's
//! label. A plan names its targets, but a saved plan is a file anyone could
//! edit, and a container may have been swapped for a stranger's of the same
//! name since it was planned; neither may make tfs remove what it does not own.

use anyhow::{bail, Result};

use crate::desire::labels;
use crate::engine::Engine;

/// The id of container `name` when it belongs to `fleet`; None when it is gone.
pub async fn owned_container(
    engine: &impl Engine,
    fleet: &str,
    name: &str,
) -> Result<Option<String>> {
    let Some(container) = engine.inspect(name).await? else {
        return Ok(None);
    };
    if container.labels.get(labels::FLEET).map(String::as_str) != Some(fleet) {
        bail!(refusal("container", name, fleet));
    }
    Ok(Some(container.id))
}

/// The id of network `name` when it belongs to `fleet`; None when it is gone.
pub async fn owned_network(
    engine: &impl Engine,
    fleet: &str,
    name: &str,
) -> Result<Option<String>> {
    let networks = engine.networks(name, (labels::FLEET, fleet)).await?;
    let Some(network) = networks.into_iter().find(|network| network.name == name) else {
        return Ok(None);
    };
    if network.labels.get(labels::FLEET).map(String::as_str) != Some(fleet) {
        bail!(refusal("network", name, fleet));
    }
    Ok(Some(network.id))
}

fn refusal(what: &str, name: &str, fleet: &str) -> String {
    format!(
        "refusing to remove {what} {name}: it is not labelled {}={fleet}, so fleet \"{fleet}\" does not own it\nhint: remove or rename it yourself if it should go, then run `tfs plan` again",
        labels::FLEET
    )
}
