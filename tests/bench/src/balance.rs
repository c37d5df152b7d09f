//! §1: load-balancing efficiency. Each replica's capacity measured directly,
//! then the tfs balancer and the hand-made round-robin nginx in front of the
//! same replicas at several concurrencies, then variants of the generated
//! nginx.conf (the numbers behind its defaults).

use crate::fleet::{Fleet, Tools};
use crate::proxy;
use crate::sh::R;
use crate::wrk::{self, Stats};
use crate::{say, Settings};

/// Both balancers at one concurrency.
pub struct Point {
    pub tfs: Stats,
    pub handmade: Stats,
}

/// A variant of the generated nginx.conf, at the variant concurrencies.
pub struct VariantRun {
    pub name: &'static str,
    pub stats: Vec<Stats>,
}

pub struct FleetRun {
    pub label: &'static str,
    pub description: &'static str,
    /// Each replica's container name and predicts per second, measured directly.
    pub capacity: Vec<(String, f64)>,
    pub points: Vec<Point>,
    pub variants: Vec<VariantRun>,
}

impl FleetRun {
    /// The sum of the replicas' capacities: what a perfect balancer reaches.
    pub fn ideal(&self) -> f64 {
        self.capacity.iter().map(|(_, c)| c).sum()
    }
}

type Edit = fn(&str) -> Option<String>;

/// Variants of the generated config: name and edit (None when it does not apply).
pub const VARIANTS: &[(&str, Edit)] = &[
    ("worker_processes 1", |c| {
        set_line(c, "worker_processes ", Some("worker_processes 1;"))
    }),
    ("worker_processes auto", |c| {
        set_line(c, "worker_processes ", Some("worker_processes auto;"))
    }),
    ("no shared zone", |c| set_line(c, "zone ", None)),
    ("shared zone (zone tfs_rest 1m)", |c| {
        let with = set_line(
            c,
            "upstream tfs_rest {",
            Some("upstream tfs_rest {\n        zone tfs_rest 1m;"),
        )?;
        (!c.contains("zone tfs_rest")).then_some(with)
    }),
    ("random two least_conn", |c| {
        set_line(c, "least_conn;", Some("random two least_conn;"))
    }),
    ("round robin (keepalive kept)", |c| {
        set_line(c, "least_conn;", None)
    }),
    ("no upstream keepalive", |c| set_line(c, "keepalive ", None)),
    ("proxy_buffering off", |c| {
        set_line(
            c,
            "proxy_pass http://tfs_rest;",
            Some("proxy_pass http://tfs_rest;\n            proxy_buffering off;"),
        )
    }),
];

/// Replaces (or with None removes) the first line starting with `prefix`
/// after its indentation; None when there is none or nothing changes.
pub fn set_line(conf: &str, prefix: &str, new: Option<&str>) -> Option<String> {
    let mut done = false;
    let mut out = String::new();
    for line in conf.lines() {
        let body = line.trim_start();
        if !done && body.starts_with(prefix) {
            done = true;
            if let Some(new) = new {
                out.push_str(&line[..line.len() - body.len()]);
                out.push_str(new);
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    (done && out.trim_end() != conf.trim_end()).then_some(out)
}

/// Applies the fleet, measures it, and leaves it running.
pub fn measure(
    tools: &Tools,
    settings: &Settings,
    (label, description, body): (&'static str, &'static str, String),
) -> R<(Fleet, FleetRun)> {
    let fleet = Fleet::new(tools, label, &body)?;
    say(&format!("{label} fleet: applying"));
    fleet.apply()?;
    let mut run = FleetRun {
        label,
        description,
        capacity: Vec::new(),
        points: Vec::new(),
        variants: Vec::new(),
    };
    for (name, ip) in fleet.replicas()? {
        let direct = wrk::run(&format!("http://{ip}:8501"), 4, settings.capacity_secs)?;
        say(&format!(
            "{label}: {name} alone serves {:.1}/s",
            direct.rps()
        ));
        run.capacity.push((name, direct.rps()));
    }
    let handmade = proxy::handmade(&fleet, "handmade")?;
    let result = points(&fleet, &handmade, settings, &mut run);
    handmade.remove();
    result?;
    let generated = proxy::generated_conf(&fleet)?;
    for &(name, edit) in VARIANTS {
        let Some(conf) = edit(&generated) else {
            continue; // the default already is this variant
        };
        let proxy = proxy::variant(&fleet, "variant", &conf)?;
        let result = series(&proxy.url(), &settings.variant_concurrencies, settings);
        proxy.remove();
        say(&format!("{label}: variant {name} measured"));
        run.variants.push(VariantRun {
            name,
            stats: result?,
        });
    }
    Ok((fleet, run))
}

fn points(
    fleet: &Fleet,
    handmade: &proxy::Proxy,
    settings: &Settings,
    run: &mut FleetRun,
) -> R<()> {
    let url = fleet.url()?;
    wrk::run(&url, 16, settings.warmup_secs)?;
    wrk::run(&handmade.url(), 16, settings.warmup_secs)?;
    for &c in &settings.concurrencies {
        let tfs = wrk::run(&url, c, settings.point_secs)?;
        let hand = wrk::run(&handmade.url(), c, settings.point_secs)?;
        say(&format!(
            "{}: c={c} tfs {:.1}/s p99 {:.1} ms, hand-made {:.1}/s p99 {:.1} ms",
            run.label,
            tfs.rps(),
            tfs.p99_us as f64 / 1e3,
            hand.rps(),
            hand.p99_us as f64 / 1e3
        ));
        run.points.push(Point {
            tfs,
            handmade: hand,
        });
    }
    Ok(())
}

/// One wrk run per concurrency after a warm-up, against `url`.
fn series(url: &str, concurrencies: &[u32], settings: &Settings) -> R<Vec<Stats>> {
    wrk::run(url, 16, settings.warmup_secs)?;
    concurrencies
        .iter()
        .map(|&c| wrk::run(url, c, settings.point_secs))
        .collect()
}
