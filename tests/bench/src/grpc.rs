//! §5: gRPC through the balancer against the replicas reached directly.
//! Load comes from `tfs_proto::load`: clients that each hold one HTTP/2
//! channel with one Predict in flight, as TF Serving clients do, checking
//! every answer. Debian packages no gRPC load generator, so this is the one
//! load loop of the benchmark written for the purpose.

use std::net::SocketAddr;
use std::time::Duration;

use tfs_proto::load::Load;

use crate::fleet::{Fleet, Tools};
use crate::sh::R;
use crate::{gpu_fleet, say, Settings};

/// Where the replicas and the balancer listen for gRPC inside the fleet network.
const GRPC_PORT: u16 = 8500;
/// Clients per replica for its direct capacity: one waits while one is served.
pub const DIRECT_CLIENTS: usize = 2;

/// One load run: clients (one call in flight each), answers per second, latency.
pub struct Stats {
    pub clients: usize,
    pub rps: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub total: u64,
    pub failed: u64,
    /// The first failures, for the report.
    pub samples: Vec<String>,
}

pub struct GrpcRun {
    /// Each replica's container name and predicts per second, directly.
    pub capacity: Vec<(String, f64)>,
    /// Through the balancer, at each concurrency.
    pub points: Vec<Stats>,
    /// One client: straight to a replica, then through the balancer.
    pub direct_one: Stats,
    pub balancer_one: Stats,
}

impl GrpcRun {
    pub fn ideal(&self) -> f64 {
        self.capacity.iter().map(|(_, c)| c).sum()
    }
}

/// Applies the equal fleet of §1 with `[balancer].grpc`, measures, destroys it.
pub fn measure(tools: &Tools, settings: &Settings) -> R<GrpcRun> {
    let body = gpu_fleet(crate::fleet::STUB, false);
    let fleet = Fleet::new(tools, "grpc", &body)?.with_grpc(&body)?;
    say("grpc fleet: applying");
    fleet.apply()?;
    let result = runs(&fleet, settings);
    fleet.destroy()?;
    result
}

fn runs(fleet: &Fleet, settings: &Settings) -> R<GrpcRun> {
    let balancer = address(&fleet.balancer_ip()?)?;
    let mut capacity = Vec::new();
    for (name, ip) in fleet.replicas()? {
        let stats = run(
            address(&ip)?,
            DIRECT_CLIENTS,
            settings.capacity_secs,
            settings,
        )?;
        say(&format!("grpc: {name} alone serves {:.1}/s", stats.rps));
        capacity.push((name, stats.rps));
    }
    let mut points = Vec::new();
    for &c in &settings.concurrencies {
        let stats = run(balancer, c as usize, settings.point_secs, settings)?;
        say(&format!(
            "grpc: c={c} balancer {:.1}/s p99 {:.1} ms",
            stats.rps,
            stats.p99_us as f64 / 1e3
        ));
        points.push(stats);
    }
    let (_, ip) = fleet.replicas()?.into_iter().next().ok_or("no replica")?;
    let direct_one = run(address(&ip)?, 1, settings.point_secs, settings)?;
    let balancer_one = run(balancer, 1, settings.point_secs, settings)?;
    Ok(GrpcRun {
        capacity,
        points,
        direct_one,
        balancer_one,
    })
}

fn address(ip: &str) -> R<SocketAddr> {
    format!("{ip}:{GRPC_PORT}")
        .parse()
        .map_err(|e| format!("{ip}: {e}"))
}

/// `clients` clients for a warm-up, then `seconds` measured.
fn run(to: SocketAddr, clients: usize, seconds: u32, settings: &Settings) -> R<Stats> {
    let mut load = Load::start(to, "half_plus_two", clients);
    std::thread::sleep(Duration::from_secs(settings.warmup_secs.into()));
    load.restart_count();
    std::thread::sleep(Duration::from_secs(seconds.into()));
    let report = load.stop();
    if report.total == 0 {
        return Err(format!("no gRPC answer from {to}: {:?}", report.samples));
    }
    Ok(Stats {
        clients,
        rps: report.per_second(),
        p50_us: report.percentile(50.0),
        p99_us: report.percentile(99.0),
        total: report.total,
        failed: report.failed,
        samples: report.samples,
    })
}
