//! A replica lost under load: a CPU fleet of three stubs, wrk through a
//! balancer, one replica `docker kill`ed a few seconds in. Through tfs's
//! balancer, then through the hand-made nginx in front of a fresh fleet.

use crate::fleet::{Fleet, Tools};
use crate::proxy;
use crate::sh::{self, R};
use crate::wrk::{self, Clients, Stats};
use crate::{say, Settings};

/// Connections of the load.
pub const CONNECTIONS: u32 = 4;
/// Seconds into the load when the replica is killed.
pub const KILL_AT: f64 = 3.0;

pub struct Lost {
    pub tfs: Stats,
    pub handmade: Stats,
    pub seconds: u32,
}

fn body() -> String {
    crate::scale::body(3)
}

pub fn measure(tools: &Tools, settings: &Settings) -> R<Lost> {
    let fleet = Fleet::new(tools, "lost", &body())?;
    fleet.apply()?;
    let tfs = killed_under_load(&fleet, &fleet.url()?, settings);
    fleet.destroy()?;
    let fleet = Fleet::new(tools, "lost2", &body())?;
    fleet.apply()?;
    let handmade = proxy::handmade(&fleet, "handmade").and_then(|p| {
        let stats = killed_under_load(&fleet, &p.url(), settings);
        p.remove();
        stats
    });
    fleet.destroy()?;
    let (tfs, handmade) = (tfs?, handmade?);
    for (name, s) in [("tfs", &tfs), ("hand-made", &handmade)] {
        say(&format!(
            "lost replica, {name}: {} of {} failed, slowest {:.0} ms",
            s.failed(),
            s.requests,
            s.max_us as f64 / 1e3
        ));
    }
    Ok(Lost {
        tfs,
        handmade,
        seconds: settings.lost_secs,
    })
}

fn killed_under_load(fleet: &Fleet, url: &str, settings: &Settings) -> R<Stats> {
    let load = wrk::spawn(url, CONNECTIONS, settings.lost_secs, Clients::KeepAlive)?;
    sh::sleep(KILL_AT);
    let killed = sh::docker(&["kill", &format!("{}-cpu1", fleet.name)]);
    let stats = load.finish()?;
    killed?;
    Ok(stats)
}
