//! A new nginx.conf for a running balancer: written beside the live one and
//! tested with `nginx -t`; only then does nginx.conf point at it and nginx
//! reload, so an invalid config never reaches the running nginx.

use anyhow::{bail, Result};

use super::checkpoint::{checkpoint, CONF_MOVED, CONF_WRITTEN};
use super::scripts::{script, RECORD, RELOAD, SWITCH, TEST};
use crate::engine::Engine;
use crate::observe::conf_file;

/// Tests `conf` inside the balancer, then switches nginx.conf to it and reloads nginx.
pub async fn install_conf(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    let file = write(engine, balancer, conf).await?;
    run(engine, balancer, &script(&[TEST, SWITCH]), &file).await?;
    checkpoint(CONF_MOVED).await;
    // One exec: the record follows the reload even when tfs is killed meanwhile.
    run(engine, balancer, &script(&[RELOAD, RECORD]), &file).await
}

/// Writes and tests `conf` without loading it, so that a later
/// [`install_staged`] only switches and reloads.
pub async fn stage_conf(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    let file = write(engine, balancer, conf).await?;
    run(engine, balancer, &script(&[TEST]), &file).await
}

/// Switches nginx.conf to a config [`stage_conf`] wrote, and reloads nginx:
/// one exec, as each costs tens of milliseconds and this one ends every
/// first apply. It runs to its end inside the balancer even if tfs dies.
pub async fn install_staged(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    let script = script(&[SWITCH, RELOAD, RECORD]);
    run(engine, balancer, &script, &conf_file(conf)).await
}

async fn write(engine: &impl Engine, balancer: &str, conf: &str) -> Result<String> {
    let file = conf_file(conf);
    engine.write_file(balancer, &file, conf).await?;
    checkpoint(CONF_WRITTEN).await;
    Ok(file)
}

/// Runs one of the scripts above on `file`, its exit status in words.
async fn run(engine: &impl Engine, balancer: &str, script: &str, file: &str) -> Result<()> {
    let result = engine
        .exec(balancer, &["sh", "-c", script, "sh", file])
        .await?;
    let output = result.output.trim();
    match result.exit_code {
        0 => Ok(()),
        3 => bail!(
            "nginx rejected the new configuration; the running one is unchanged:\n{output}"
        ),
        4 => bail!("nginx -s reload failed: {output}"),
        5 => bail!(
            "nginx did not switch to the new configuration within 10s; it may still run the old one\nhint: see `docker logs {balancer}`"
        ),
        6 => bail!("cannot switch nginx.conf to the tested configuration: {output}"),
        7 => bail!("cannot record the loaded nginx.conf: {output}"),
        code => bail!("a script in {balancer} exited with {code}: {output}"),
    }
}
