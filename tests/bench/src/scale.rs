//! How tfs's cost grows with the fleet: `tfs plan` with no changes beside
//! `docker ps -a`, `tfs apply` from nothing and `tfs destroy` beside
//! docker-compose on the exported project, on CPU-mode fleets of N stubs.

use std::time::Instant;

use crate::compose::{Compose, Up};
use crate::fleet::{Applied, Fleet, Tools, STUB};
use crate::sh::{self, R};
use crate::{say, Settings};

/// Fleet sizes: plan at each, compose beside apply and destroy up to this.
pub const COMPOSE_UP_TO: usize = 64;

pub struct Point {
    pub replicas: usize,
    pub plan_ms: Vec<f64>,
    pub ps_ms: Vec<f64>,
    pub apply: Applied,
    pub destroy_s: f64,
    /// `docker-compose up -d` + the wait, and `docker-compose down` (s).
    pub compose: Option<(Up, f64)>,
    /// One `docker inspect` of every replica, in ms.
    pub inspect_ms: f64,
    /// Docker's archive `GET` of one replica's /etc/tfs/models.json (what
    /// a plan reads from each replica), median of 10, in ms.
    pub read_ms: f64,
}

pub struct Scale {
    pub points: Vec<Point>,
    /// The size that could not be measured, and why; the larger were not tried.
    pub failed: Option<(usize, String)>,
}

/// CPU mode: `replicas` stubs that answer at once and load at once.
pub fn body(replicas: usize) -> String {
    format!(
        "[serving]\nimage = \"{STUB}\"\n\n[placement]\ngpus = \"none\"\nreplicas = {replicas}\n"
    )
}

pub fn measure(tools: &Tools, settings: &Settings) -> R<Scale> {
    let mut points = Vec::new();
    for &replicas in &settings.scale_sizes {
        let fleet = Fleet::new(tools, &format!("scale{replicas}"), &body(replicas))?;
        match point(&fleet, replicas, settings) {
            Ok(p) => points.push(p),
            Err(e) => {
                say(&format!("scale {replicas}: {e}"));
                let _ = fleet.destroy();
                return Ok(Scale {
                    points,
                    failed: Some((replicas, e)),
                });
            }
        }
    }
    Ok(Scale {
        points,
        failed: None,
    })
}

/// One size: compose (up to COMPOSE_UP_TO), then tfs, on `fleet`.
fn point(fleet: &Fleet, replicas: usize, settings: &Settings) -> R<Point> {
    {
        let compose = if replicas <= COMPOSE_UP_TO {
            let project = Compose::export(fleet, &format!("scale{replicas}"))?;
            let up = project.up();
            let down = project.down_timed();
            Some((up?, down?))
        } else {
            None
        };
        let apply = fleet.apply()?;
        let measured = plans(fleet, settings);
        let destroy_s = fleet.destroy_timed()?;
        let (plan_ms, ps_ms, inspect_ms, read_ms) = measured?;
        say(&format!(
            "scale {replicas}: apply {:.1} s, plan {:.0} ms (docker ps -a {:.0} ms), destroy {destroy_s:.1} s{}",
            apply.seconds,
            sh::median(&plan_ms),
            sh::median(&ps_ms),
            compose.as_ref().map_or(String::new(), |(up, down)| format!(
                "; compose up + wait {:.1} s, down {down:.1} s",
                up.total_seconds
            ))
        ));
        Ok(Point {
            replicas,
            plan_ms,
            ps_ms,
            apply,
            destroy_s,
            compose,
            inspect_ms,
            read_ms,
        })
    }
}

type Plans = (Vec<f64>, Vec<f64>, f64, f64);

/// `tfs plan` (which must find nothing to do) and `docker ps -a`,
/// alternately, after one warm-up each; then the inspect of every replica.
fn plans(fleet: &Fleet, settings: &Settings) -> R<Plans> {
    let (mut plan_ms, mut ps_ms) = (Vec::new(), Vec::new());
    for run in 0..=settings.scale_plan_runs {
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
        sh::docker(&["ps", "-a"])?;
        let ps = started.elapsed().as_secs_f64() * 1e3;
        if run > 0 {
            plan_ms.push(plan);
            ps_ms.push(ps);
        }
    }
    let names: Vec<String> = fleet.replicas()?.into_iter().map(|(n, _)| n).collect();
    let mut args = vec!["inspect"];
    args.extend(names.iter().map(String::as_str));
    let times: Vec<f64> = (0..3)
        .map(|_| {
            let started = Instant::now();
            sh::docker(&args).map(|_| started.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<R<_>>()?;
    let first = names.first().ok_or("no replica")?;
    let read_ms = crate::speed::archive_ms(first, "/etc/tfs/models.json", false)?;
    Ok((plan_ms, ps_ms, sh::median(&times), read_ms))
}
