//! §2 and §3: the balancer's added latency, `tfs plan` beside `docker ps`,
//! `tfs apply` beside `docker-compose up -d`, and tfs's peak RSS.

use std::time::Instant;

use crate::compose::{Compose, Up};
use crate::fleet::{self, Applied, Fleet, Tools, STUB};
use crate::proxy;
use crate::sh::{self, R};
use crate::wrk::{self, Stats};
use crate::{say, Settings};

pub struct Plan {
    pub replicas: usize,
    pub plan_ms: Vec<f64>,
    pub ps_ms: Vec<f64>,
    /// Docker's `HEAD /containers/{balancer}/archive` of nginx.conf's link,
    /// as `tfs plan` looks at what the balancer runs: median of 10, by curl.
    pub head_ms: f64,
    /// The same endpoint's `GET` (a download) of the file it links to.
    pub download_ms: f64,
}

pub struct Apply {
    pub tfs: Vec<Applied>,
    pub compose: Vec<Up>,
}

/// Concurrency 1 on a fleet whose replicas answer at once.
pub struct Overhead {
    pub direct: Stats,
    pub tfs: Stats,
    pub published: Stats,
    pub handmade: Stats,
}

/// Whole-process times of `tfs plan` (no changes) and `docker ps`, interleaved.
pub fn plan(tools: &Tools, settings: &Settings) -> R<Plan> {
    let replicas = 8;
    let fleet = Fleet::new(tools, "plan8", &fleet::stub_fleet(STUB, &[], replicas))?;
    say("plan: applying an 8-replica fleet");
    fleet.apply()?;
    let (mut plan_ms, mut ps_ms) = (Vec::new(), Vec::new());
    for run in 0..settings.plan_runs + 2 {
        let started = Instant::now();
        let out = fleet.tfs(&["plan", "--detailed-exitcode", "-q"])?;
        let plan = started.elapsed().as_secs_f64() * 1e3;
        if out.status.code() != Some(0) {
            return Err(format!(
                "tfs plan on the live fleet is not empty: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let started = Instant::now();
        sh::docker(&["ps"])?;
        let ps = started.elapsed().as_secs_f64() * 1e3;
        if run >= 2 {
            plan_ms.push(plan);
            ps_ms.push(ps);
        }
    }
    say(&format!(
        "plan: median {:.1} ms, docker ps {:.1} ms",
        sh::median(&plan_ms),
        sh::median(&ps_ms)
    ));
    let balancer = format!("{}-balancer", fleet.name);
    let head_ms = archive_ms(&balancer, "/etc/nginx/nginx.conf", true)?;
    let linked = sh::docker(&["exec", &balancer, "readlink", "/etc/nginx/nginx.conf"])?;
    let download_ms = archive_ms(&balancer, linked.trim(), false)?;
    fleet.destroy()?;
    Ok(Plan {
        replicas,
        plan_ms,
        ps_ms,
        head_ms,
        download_ms,
    })
}

/// The Docker API's time to describe (`head`) or hand out one file of a
/// container (its archive endpoint), measured by curl on the daemon's socket.
pub fn archive_ms(container: &str, path: &str, head: bool) -> R<f64> {
    let url = format!("http://docker/containers/{container}/archive?path={path}");
    let socket = "/var/run/docker.sock";
    let times: Vec<f64> = (0..10)
        .map(|_| {
            let mut args = vec![
                "-sf",
                "-o",
                "/dev/null",
                "-w",
                "%{time_total}",
                "--unix-socket",
                socket,
                &url,
            ];
            if head {
                args.push("--head");
            }
            sh::ok("curl", &args).map(|t| t.parse::<f64>().unwrap_or(f64::NAN) * 1e3)
        })
        .collect::<R<_>>()?;
    Ok(sh::median(&times))
}

/// `[serving]` of the apply fleet: 4 replicas, 2 s model load, no latency.
pub fn apply_fleet_body() -> String {
    fleet::stub_fleet(STUB, &["--stub_load_delay_ms=2000"], 4)
}

/// Alternately: compose up (and down), tfs apply from nothing (and destroy,
/// but the last), so both see the same host. Leaves the tfs fleet running.
pub fn apply(tools: &Tools, settings: &Settings) -> R<(Fleet, Apply)> {
    let fleet = Fleet::new(tools, "speed", &apply_fleet_body())?;
    let project = Compose::export(&fleet, "speed")?;
    let mut result = Apply {
        tfs: Vec::new(),
        compose: Vec::new(),
    };
    for run in 0..settings.apply_runs {
        let up = project.up();
        project.down()?;
        let up = up?;
        let applied = fleet.apply()?;
        say(&format!(
            "apply: tfs {:.2} s ({} MiB peak), compose up {:.2} s + wait = {:.2} s",
            applied.seconds,
            applied.peak_rss_kib / 1024,
            up.up_seconds,
            up.total_seconds
        ));
        result.compose.push(up);
        result.tfs.push(applied);
        if run + 1 < settings.apply_runs {
            fleet.destroy()?;
        }
    }
    Ok((fleet, result))
}

/// Latency at concurrency 1: straight to a replica, through tfs's balancer
/// (its own address, then its published port), through the hand-made nginx.
pub fn overhead(fleet: &Fleet, settings: &Settings) -> R<Overhead> {
    let (_, ip) = fleet.replicas()?.into_iter().next().ok_or("no replica")?;
    let handmade = proxy::handmade(fleet, "handmade")?;
    let measure = || -> R<Overhead> {
        let urls = [
            format!("http://{ip}:8501"),
            fleet.url()?,
            fleet.published_url(),
            handmade.url(),
        ];
        for url in &urls {
            wrk::run(url, 1, settings.warmup_secs)?;
        }
        let mut stats = urls.iter().map(|url| wrk::run(url, 1, settings.point_secs));
        let mut next = || stats.next().unwrap_or_else(|| Err("no url".into()));
        Ok(Overhead {
            direct: next()?,
            tfs: next()?,
            published: next()?,
            handmade: next()?,
        })
    };
    let result = measure();
    handmade.remove();
    let result = result?;
    say(&format!(
        "overhead: p50 direct {} µs, tfs {} µs ({} µs published), hand-made {} µs",
        result.direct.p50_us, result.tfs.p50_us, result.published.p50_us, result.handmade.p50_us
    ));
    Ok(result)
}
