//! The balancer container: started with its first nginx.conf, and drained
//! after a reload. Paths and links are laid out in `observe::balancer_conf`.

use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::scripts::{first_load_script, WAIT_DRAINED};
use crate::desire::{BalancerSpec, GRPC_LISTEN_PORT, REST_LISTEN_PORT};
use crate::engine::{ContainerSpec, Engine, PortBinding};
use crate::observe::{conf_file, NGINX_CONF_PATH};

/// Creates the balancer container, writes `conf` into it, then starts it.
///
/// The config goes in before the first start (not through a reload of the
/// image's own config): nginx deletes the old pid file when a reload changes
/// the pid path, which would break every later reload.
pub async fn start_balancer(
    engine: &impl Engine,
    spec: &BalancerSpec,
    network: &str,
    conf: &str,
) -> Result<()> {
    let mut ports = vec![PortBinding {
        host: spec.container.rest,
        container_port: REST_LISTEN_PORT,
    }];
    if let Some(grpc) = spec.container.grpc {
        ports.push(PortBinding {
            host: grpc,
            container_port: GRPC_LISTEN_PORT,
        });
    }
    let container = ContainerSpec {
        name: spec.name.clone(),
        image: spec.container.image.clone(),
        args: Vec::new(),
        env: Default::default(),
        labels: spec.labels.clone(),
        mounts: Vec::new(),
        device_ids: Vec::new(),
        network: network.to_string(),
        ports,
    };
    engine.create_container(&container).await?;
    let file = conf_file(conf);
    if let Err(error) = fill_and_start(engine, &spec.name, &file, conf).await {
        // A port already taken fails here: leave no Created container behind.
        let _ = engine.remove_container(&spec.name).await;
        return Err(error);
    }
    // nginx fails at start-up, not later: a config test and a look tell whether it runs.
    let test = engine
        .exec(&spec.name, &["sh", "-c", &first_load_script(), "sh", &file])
        .await;
    let running = engine
        .inspect(&spec.name)
        .await?
        .is_some_and(|c| c.state.is_running());
    match test {
        Ok(output) if running && output.exit_code == 0 => Ok(()),
        Ok(output) => bail!(
            "balancer {} did not start: {}",
            spec.name,
            output.output.trim()
        ),
        Err(error) => Err(error).context(format!("balancer {} did not start", spec.name)),
    }
}

/// Waits until nginx's old workers, which finish the requests they hold
/// after a reload, have exited; at most `limit`. A count that cannot be
/// read is no proof that they have: waiting on is safe, a replica removed
/// under a request in flight is not.
pub async fn drain(engine: &impl Engine, balancer: &str, limit: Duration) -> Result<()> {
    // The script's own bound, a little past `limit`: it stops by itself
    // when tfs stopped waiting for it.
    let tries = (limit.as_millis() / 100 + 10).to_string();
    let wait = async {
        loop {
            let waited = engine
                .exec(balancer, &["sh", "-c", WAIT_DRAINED, "sh", &tries])
                .await?;
            if waited.exit_code == 0 && waited.output.trim() == "0" {
                return Ok(());
            }
            // No proof (an exec Docker could not run, a count unreadable): ask again.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    match tokio::time::timeout(limit, wait).await {
        Ok(drained) => drained,
        Err(_) => Ok(()),
    }
}

async fn fill_and_start(engine: &impl Engine, name: &str, file: &str, conf: &str) -> Result<()> {
    engine.write_file(name, file, conf).await?;
    engine.write_link(name, NGINX_CONF_PATH, file).await?;
    engine.start(name).await
}
