//! The balancer container and its nginx.conf: a new config is tested with
//! `nginx -t` beside the live one and only then moved in and reloaded, so an
//! invalid config never reaches the running nginx.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::checkpoint::{checkpoint, CONF_MOVED, CONF_WRITTEN};
use crate::desire::{BalancerSpec, GRPC_LISTEN_PORT, REST_LISTEN_PORT};
use crate::engine::{ContainerSpec, Engine, PortBinding};
use crate::observe::{LOADED_CONF_PATH, NGINX_CONF_PATH};

const CANDIDATE_PATH: &str = "/etc/nginx/nginx.conf.tfs-next";

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
    engine.write_file(&spec.name, NGINX_CONF_PATH, conf).await?;
    engine.start(&spec.name).await?;
    // nginx fails at start-up, not later: a short look tells whether it runs.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let running = engine
        .inspect(&spec.name)
        .await?
        .is_some_and(|c| c.state.is_running());
    let test = engine.exec(&spec.name, &["nginx", "-t", "-q"]).await;
    match test {
        Ok(output) if running && output.exit_code == 0 => mark_loaded(engine, &spec.name).await,
        Ok(output) => bail!(
            "balancer {} did not start: {}",
            spec.name,
            output.output.trim()
        ),
        Err(error) => Err(error).context(format!("balancer {} did not start", spec.name)),
    }
}

/// Tests `conf` inside the balancer, then moves it in place and reloads nginx.
pub async fn install_conf(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    engine.write_file(balancer, CANDIDATE_PATH, conf).await?;
    checkpoint(CONF_WRITTEN).await;
    let test = engine
        .exec(balancer, &["nginx", "-t", "-q", "-c", CANDIDATE_PATH])
        .await?;
    if test.exit_code != 0 {
        let _ = engine.exec(balancer, &["rm", "-f", CANDIDATE_PATH]).await;
        bail!(
            "nginx rejected the new configuration; the running one is unchanged:\n{}",
            test.output.trim()
        );
    }
    let moved = engine
        .exec(balancer, &["mv", "-f", CANDIDATE_PATH, NGINX_CONF_PATH])
        .await?;
    if moved.exit_code != 0 {
        bail!(
            "cannot move the tested nginx.conf into place: {}",
            moved.output.trim()
        );
    }
    checkpoint(CONF_MOVED).await;
    let reload = engine.exec(balancer, &["nginx", "-s", "reload"]).await?;
    if reload.exit_code != 0 {
        bail!("nginx -s reload failed: {}", reload.output.trim());
    }
    mark_loaded(engine, balancer).await
}

/// Records the config nginx now runs. Plans read this copy, not nginx.conf,
/// so an apply killed between moving a config in and reloading it is seen
/// as not loaded, and the next apply reloads it.
async fn mark_loaded(engine: &impl Engine, balancer: &str) -> Result<()> {
    let copied = engine
        .exec(balancer, &["cp", "-f", NGINX_CONF_PATH, LOADED_CONF_PATH])
        .await?;
    if copied.exit_code != 0 {
        bail!(
            "cannot record the loaded nginx.conf: {}",
            copied.output.trim()
        );
    }
    Ok(())
}

/// Waits until nginx's old workers, which finish the requests they hold
/// after a reload, have exited; at most `limit`.
pub async fn drain(engine: &impl Engine, balancer: &str, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    // A reload is asynchronous: give the master a moment to start new workers.
    tokio::time::sleep(Duration::from_millis(100)).await;
    loop {
        // `[s]` keeps grep and its shell, whose own command lines hold the pattern, from counting.
        let count = engine
            .exec(
                balancer,
                &[
                    "sh",
                    "-c",
                    "grep -l '[s]hutting down' /proc/[0-9]*/cmdline 2>/dev/null | wc -l",
                ],
            )
            .await?;
        let shutting_down: u32 = count.output.trim().parse().unwrap_or(0);
        if shutting_down == 0 || Instant::now() >= deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
