//! A new nginx.conf for a running balancer: written beside the live one and
//! tested with `nginx -t`; only then does nginx.conf point at it and nginx
//! reload, so an invalid config never reaches the running nginx.

use anyhow::{bail, Result};

use super::checkpoint::{checkpoint, CONF_MOVED, CONF_WRITTEN};
use crate::engine::Engine;
use crate::observe::{conf_file, CONF_DIR, LOADED_CONF_PATH, NGINX_CONF_PATH};

/// Names the paths of `observe::balancer_conf` for the scripts below, which
/// all take the config file they act on as `$1`.
fn script(parts: &[&str]) -> String {
    format!(
        "conf={NGINX_CONF_PATH} loaded={LOADED_CONF_PATH} dir={CONF_DIR}\n{}",
        parts.join("\n")
    )
}

/// Tests `$1` with `nginx -t`; when rejected, removes it unless a link
/// names it, and exits 3.
const TEST: &str = r#"nginx -t -q -c "$1" || {
  [ "$(readlink "$conf")" = "$1" ] || [ "$(readlink "$loaded")" = "$1" ] || rm -f "$1"
  exit 3
}"#;

/// Points nginx.conf at `$1` by renaming a new link over the old, so nginx
/// never sees a half-written nginx.conf (exit 6 when it cannot).
const SWITCH: &str =
    r#"{ ln -sfn "$1" "$conf.tfs-next" && mv -f "$conf.tfs-next" "$conf"; } || exit 6"#;

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

/// Records `$1` as loaded (see `LOADED_CONF_PATH`; exit 7 when it cannot)
/// and removes the configs no link names any more.
const RECORD: &str = r#"{ ln -sfn "$1" "$loaded.tfs-next" && mv -f "$loaded.tfs-next" "$loaded"; } || exit 7
for old in "$dir"/*.conf; do [ "$old" = "$1" ] || rm -f "$old"; done"#;

/// For a balancer just started with `$1`: its config test, then the record.
pub fn first_load_script() -> String {
    script(&["nginx -t -q || exit 3", RECORD])
}

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
