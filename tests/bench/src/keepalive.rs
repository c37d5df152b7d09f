//! Keep-alive clients across image rollouts, behind the current nginx
//! (`tfs-nginx:forky`, whose config gets `keepalive_min_timeout`) and
//! behind Debian 12's 1.22: enough requests to see a rate of 1 in 10,000.

use crate::fleet::{self, Fleet, Tools, FORKY, NGINX, STUB};
use crate::rollout::NEW_IMAGE;
use crate::sh::{self, R};
use crate::wrk::{self, Clients, Stats};
use crate::{say, Settings};

/// Kept-alive connections of the load.
pub const CONNECTIONS: u32 = 8;
/// Image rollouts in a row under one load.
pub const ROLLOUTS: usize = 3;

pub struct KeepAliveRun {
    pub image: &'static str,
    /// `nginx -v` of that image.
    pub version: String,
    pub stats: Stats,
    /// From the first rollout's start to the last one's end.
    pub seconds: f64,
}

/// Four replicas that answer at once, models loading in 1 s.
fn body(image: &str) -> String {
    fleet::stub_fleet(image, &["--stub_load_delay_ms=1000"], 4)
}

pub fn measure(tools: &Tools, settings: &Settings) -> R<Vec<KeepAliveRun>> {
    sh::docker(&["tag", STUB, NEW_IMAGE])?;
    let mut runs = Vec::new();
    for (label, nginx) in [("ka-forky", FORKY), ("ka-bookworm", NGINX)] {
        let fleet = Fleet::new(tools, label, &body(STUB))?.with_nginx(nginx, &body(STUB))?;
        fleet.apply()?;
        let result = rollouts(&fleet, settings);
        fleet.destroy()?;
        let (stats, seconds) = result?;
        say(&format!(
            "keep-alive behind {nginx}: {} of {} requests failed over {ROLLOUTS} rollouts ({seconds:.1} s)",
            stats.failed(),
            stats.requests
        ));
        runs.push(KeepAliveRun {
            image: nginx,
            version: crate::machine::nginx_version(nginx),
            stats,
            seconds,
        });
    }
    Ok(runs)
}

fn rollouts(fleet: &Fleet, settings: &Settings) -> R<(Stats, f64)> {
    let load = wrk::spawn(&fleet.url()?, CONNECTIONS, 600, Clients::KeepAlive)?;
    sh::sleep(settings.settle_secs);
    let start = sh::now();
    let mut changed = Ok(());
    for i in 0..ROLLOUTS {
        let image = if i % 2 == 0 { NEW_IMAGE } else { STUB };
        changed = fleet
            .write(&body(image))
            .and_then(|_| fleet.apply().map(|_| ()));
        if changed.is_err() {
            break;
        }
    }
    let seconds = sh::now() - start;
    sh::sleep(settings.settle_secs);
    let stats = load.interrupt()?;
    changed?;
    Ok((stats, seconds))
}
