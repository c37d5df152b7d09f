//! §4: an image change under constant load, by `tfs apply` and by
//! `docker-compose up -d` on the equivalent compose file; each twice, with
//! clients that open a connection per request and with keep-alive clients.

use crate::compose::Compose;
use crate::fleet::{self, Fleet};
use crate::sh::{self, R};
use crate::wrk::{self, Clients, Stats};
use crate::{gpu_fleet, say, Settings};

/// The tag the new image gets (the same image: only the reference changes).
pub const NEW_IMAGE: &str = "tfs-serving-stub:tfsbench-rollout";
/// Connections of the constant load.
pub const LOAD: u32 = 16;

pub struct Rollout {
    pub tool: &'static str,
    pub clients: Clients,
    pub stats: Stats,
    /// Unix times at which the change began and the fleet served again.
    pub start: f64,
    pub end: f64,
    /// tfs apply's progress lines and their times from the change's start.
    pub lines: Vec<(f64, String)>,
}

impl Rollout {
    /// Whole seconds of the run (the partial first and last left out),
    /// with their 200 answers; seconds without any answer count as 0.
    fn seconds(&self) -> Vec<(u64, u64)> {
        let timeline = &self.stats.timeline;
        let (Some(first), Some(last)) = (timeline.keys().next(), timeline.keys().last()) else {
            return Vec::new();
        };
        (first + 1..*last)
            .map(|s| (s, timeline.get(&s).map_or(0, |(ok, _)| *ok)))
            .collect()
    }

    /// Mean 200s per second before the change.
    pub fn baseline(&self) -> f64 {
        mean(
            self.seconds()
                .into_iter()
                .filter(|(s, _)| (*s + 1) as f64 <= self.start),
        )
    }

    /// Seconds overlapping the change.
    fn during(&self) -> Vec<(u64, u64)> {
        let (start, end) = (self.start, self.end);
        self.seconds()
            .into_iter()
            .filter(|(s, _)| (*s + 1) as f64 > start && (*s as f64) < end)
            .collect()
    }

    pub fn during_mean(&self) -> f64 {
        mean(self.during().into_iter())
    }

    /// The lowest one-second throughput while the change ran.
    pub fn during_min(&self) -> u64 {
        self.during().iter().map(|(_, n)| *n).min().unwrap_or(0)
    }

    /// 200s per second over the whole run, for the report.
    pub fn timeline(&self) -> Vec<u64> {
        self.seconds().iter().map(|(_, n)| *n).collect()
    }

    /// (seconds from the change's start, 200s in that second), for charts.
    pub fn points(&self) -> Vec<(f64, f64)> {
        self.seconds()
            .into_iter()
            .map(|(s, n)| (s as f64 + 0.5 - self.start, n as f64))
            .collect()
    }

    /// Mean 200s per second during the change over the mean before.
    pub fn kept(&self) -> f64 {
        self.during_mean() / self.baseline().max(1e-9)
    }
}

fn mean(seconds: impl Iterator<Item = (u64, u64)>) -> f64 {
    let counts: Vec<u64> = seconds.map(|(_, n)| n).collect();
    counts.iter().sum::<u64>() as f64 / counts.len().max(1) as f64
}

/// Runs `change` under constant load on `url`: `settle` seconds before and
/// after; the change returns tfs's progress lines, if any.
pub fn under_load(
    tool: &'static str,
    clients: Clients,
    url: &str,
    settings: &Settings,
    change: impl FnOnce() -> R<Vec<(f64, String)>>,
) -> R<Rollout> {
    let load = wrk::spawn(url, LOAD, 600, clients)?;
    sh::sleep(settings.settle_secs);
    let start = sh::now();
    let changed = change();
    let end = sh::now();
    if changed.is_ok() {
        sh::sleep(settings.settle_secs);
    }
    let stats = load.interrupt()?;
    let lines = changed?;
    say(&format!(
        "rollout by {tool} ({clients:?}): {:.1} s, {} of {} requests failed",
        end - start,
        stats.failed(),
        stats.requests
    ));
    Ok(Rollout {
        tool,
        clients,
        stats,
        start,
        end,
        lines,
    })
}

/// The two image changes: to the new tag, then back.
const CHANGES: [(&str, &str, Clients); 2] = [
    (fleet::STUB, NEW_IMAGE, Clients::Close),
    (NEW_IMAGE, fleet::STUB, Clients::KeepAlive),
];

/// tfs on the running fleet: fleet.toml's image changed, `tfs apply`
/// (which returns once the rollout is done and every replica serves).
pub fn tfs(fleet: &Fleet, settings: &Settings) -> R<Vec<Rollout>> {
    sh::docker(&["tag", fleet::STUB, NEW_IMAGE])?;
    let mut runs = Vec::new();
    for (_, to, clients) in CHANGES {
        let url = fleet.published_url();
        runs.push(under_load("tfs apply", clients, &url, settings, || {
            fleet.write(&gpu_fleet(to, false))?;
            fleet.apply().map(|a| a.lines)
        })?);
    }
    Ok(runs)
}

/// compose, after the tfs fleet is gone: the project up and serving, the
/// image changed in docker-compose.yml, `docker-compose up -d`, then the
/// wait until every new replica is AVAILABLE; last `docker-compose down`
/// with its default stop timeout, timed.
pub fn compose(fleet: &Fleet, settings: &Settings) -> R<(Vec<Rollout>, f64)> {
    sh::docker(&["tag", fleet::STUB, NEW_IMAGE])?;
    fleet.write(&gpu_fleet(fleet::STUB, false))?;
    let project = Compose::export(fleet, "rollout")?;
    let mut runs = Vec::new();
    let mut result = project.up().map(|_| ());
    for (from, to, clients) in CHANGES {
        if result.is_err() {
            break;
        }
        let url = fleet.published_url();
        let run = under_load("docker-compose up -d", clients, &url, settings, || {
            project.set_image(from, to)?;
            project.up().map(|_| Vec::new())
        });
        result = run.map(|r| runs.push(r));
    }
    let down = project.down_timed();
    result?;
    Ok((runs, down?))
}
