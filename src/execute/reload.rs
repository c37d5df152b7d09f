//! A new nginx.conf for a running balancer: written beside the live one and
//! tested with `nginx -t`; only then does nginx.conf point at it and nginx
//! reload, so an invalid config never reaches the running nginx.

use anyhow::{bail, Result};

use super::checkpoint::{checkpoint, CONF_MOVED, CONF_WRITTEN};
use crate::engine::Engine;
use crate::observe::conf_file;

/// Tests `$1` with `nginx -t`; when rejected, removes it unless a link
/// names it, and exits 3.
const TEST: &str = r#"nginx -t -q -c "$1" || {
  [ "$(readlink /etc/nginx/nginx.conf)" = "$1" ] || [ "$(readlink /etc/nginx/tfs-loaded.conf)" = "$1" ] || rm -f "$1"
  exit 3
}"#;

/// Points nginx.conf at `$1` by renaming a new link over the old, so nginx
/// never sees a half-written nginx.conf.
const SWITCH: &str =
    r#"ln -sfn "$1" /etc/nginx/.tfs-next && mv -f /etc/nginx/.tfs-next /etc/nginx/nginx.conf"#;

/// Records `$1` as loaded (see `LOADED_CONF_PATH`) and removes the configs
/// no link names any more.
pub const RECORD: &str = r#"ln -sfn "$1" /etc/nginx/.tfs-loaded && mv -f /etc/nginx/.tfs-loaded /etc/nginx/tfs-loaded.conf && for old in /etc/nginx/tfs/*.conf; do [ "$old" = "$1" ] || rm -f "$old"; done"#;

/// Reloads nginx and returns once every worker of the old configuration
/// has stopped taking new connections (exit 4 when the signal fails, 5 when
/// they have not after 1000 × 10 ms). `nginx -s reload` only sends a signal,
/// and nginx's master waits 100 ms before it retires the old workers:
/// without the wait a request sent just after apply can still meet the old
/// upstream. The brackets keep this script's own command line from
/// matching the patterns.
const RELOAD: &str = r#"serving() { for f in "$@"; do grep -q '^nginx: [w]orker process' "$f" 2>/dev/null && ! grep -q '[s]hutting down' "$f" 2>/dev/null && echo "$f"; done; }
old=$(serving /proc/[0-9]*/cmdline)
nginx -s reload || exit 4
tries=0
while [ -n "$(serving $old)" ]; do
  tries=$((tries + 1)); [ "$tries" -ge 1000 ] && exit 5
  sleep 0.01
done"#;

/// Tests `conf` inside the balancer, then switches nginx.conf to it and reloads nginx.
pub async fn install_conf(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    let file = write(engine, balancer, conf).await?;
    run(engine, balancer, &format!("{TEST}\n{SWITCH}"), &file).await?;
    checkpoint(CONF_MOVED).await;
    reload(engine, balancer, "", &file).await
}

/// Writes and tests `conf` without loading it, so that a later
/// [`install_staged`] only switches and reloads.
pub async fn stage_conf(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    let file = write(engine, balancer, conf).await?;
    run(engine, balancer, TEST, &file).await
}

/// Switches nginx.conf to a config [`stage_conf`] wrote, and reloads nginx:
/// one exec, as each costs tens of milliseconds and this one ends every
/// first apply. It runs to its end inside the balancer even if tfs dies.
pub async fn install_staged(engine: &impl Engine, balancer: &str, conf: &str) -> Result<()> {
    let file = conf_file(conf);
    reload(engine, balancer, &format!("{SWITCH} || exit 6\n"), &file).await
}

async fn write(engine: &impl Engine, balancer: &str, conf: &str) -> Result<String> {
    let file = conf_file(conf);
    engine.write_file(balancer, &file, conf).await?;
    checkpoint(CONF_WRITTEN).await;
    Ok(file)
}

/// Runs a test and/or switch script on `file`.
async fn run(engine: &impl Engine, balancer: &str, script: &str, file: &str) -> Result<()> {
    let output = engine
        .exec(balancer, &["sh", "-c", script, "sh", file])
        .await?;
    match output.exit_code {
        0 => Ok(()),
        3 => bail!(
            "nginx rejected the new configuration; the running one is unchanged:\n{}",
            output.output.trim()
        ),
        _ => bail!(
            "cannot switch nginx.conf to the tested configuration: {}",
            output.output.trim()
        ),
    }
}

/// Runs `before`, then reloads and records `file` as loaded. One exec: the
/// record follows the reload even when tfs is killed meanwhile.
async fn reload(engine: &impl Engine, balancer: &str, before: &str, file: &str) -> Result<()> {
    let script = format!("{before}{RELOAD}\n{RECORD}");
    let reload = engine
        .exec(balancer, &["sh", "-c", &script, "sh", file])
        .await?;
    match reload.exit_code {
        0 => Ok(()),
        4 => bail!("nginx -s reload failed: {}", reload.output.trim()),
        6 => bail!(
            "cannot switch nginx.conf to the tested configuration: {}",
            reload.output.trim()
        ),
        5 => bail!(
            "nginx did not switch to the new configuration within 10s; it may still run the old one\nhint: see `docker logs {balancer}`"
        ),
        _ => bail!(
            "cannot record the loaded nginx.conf: {}",
            reload.output.trim()
        ),
    }
}
