//! tfs-bench: measures what tfs is for and writes BENCHMARKS.md.
//!
//! 1. load-balancing efficiency on fleets of stub replicas that model GPUs
//!    (one request at a time, fixed latency), against each replica's own
//!    capacity and against the hand-made round-robin nginx;
//! 2. the balancer's added latency;
//! 3. `tfs plan` and `tfs apply` against `docker ps` and docker-compose;
//! 4. an image rollout under load, tfs against docker-compose;
//! 5. gRPC through the balancer against the replicas directly;
//! 6. a replica killed under load, against the hand-made nginx;
//!
//! and how cost grows with the fleet (scale), model version rollouts in
//! place, keep-alive clients across rollouts on two nginx versions, with
//! SVG charts beside the report.
//!
//! Run: `cargo run --release -p tfs-bench` (after tests/env/setup), as root.

mod balance;
mod chart;
mod compose;
mod fleet;
mod grpc;
mod keepalive;
mod lost;
mod machine;
mod proxy;
mod report;
mod rollout;
mod scale;
mod sh;
mod speed;
mod targets;
mod versions;
mod wrk;

use std::path::PathBuf;
use std::process::ExitCode;

use fleet::{Tools, PREFIX, STUB};
use sh::R;

const USAGE: &str =
    "usage: tfs-bench [--out FILE] [--quick] [--wait-quiet MINUTES] [--only balance,speed,scale,versions,rollout,keepalive,grpc,lost]";

/// How long each measurement runs.
pub struct Settings {
    pub point_secs: u32,
    pub capacity_secs: u32,
    pub warmup_secs: u32,
    pub concurrencies: Vec<u32>,
    pub variant_concurrencies: Vec<u32>,
    pub plan_runs: usize,
    pub apply_runs: usize,
    pub settle_secs: f64,
    pub scale_sizes: Vec<usize>,
    pub scale_plan_runs: usize,
    pub lost_secs: u32,
    pub quick: bool,
}

/// Everything measured; a section is None when it was not run.
pub struct Results {
    pub machine: machine::Machine,
    pub balance: Vec<balance::FleetRun>,
    pub plan: Option<speed::Plan>,
    pub apply: Option<speed::Apply>,
    pub overhead: Option<speed::Overhead>,
    pub rollouts: Vec<rollout::Rollout>,
    /// `tfs destroy` of the rollout fleet and `docker-compose down` of its
    /// project, in seconds.
    pub destroys: Option<(f64, f64)>,
    pub versions: Option<versions::VersionRollouts>,
    pub keepalive: Vec<keepalive::KeepAliveRun>,
    pub scale: Option<scale::Scale>,
    pub lost: Option<lost::Lost>,
    pub grpc: Option<grpc::GrpcRun>,
    /// Sections that failed: their name and the error, said in the report.
    pub errors: Vec<(&'static str, String)>,
    pub load_end: String,
    pub minutes: f64,
}

pub fn say(message: &str) {
    eprintln!("bench: {message}");
}

/// `[serving]` and `[placement]` of the fleets of §1 and §4: GPUs modelled
/// as one predict at a time taking 10 ms, models loading in 2 s.
pub fn gpu_fleet(image: &str, mixed: bool) -> String {
    let args = [
        "--stub_concurrency=1",
        "--stub_latency_ms=10",
        "--stub_load_delay_ms=2000",
    ];
    let mut body = fleet::stub_fleet(image, &args, 4);
    if mixed {
        body.push_str("\n[[override]]\ngpu = 3\nargs = [\"--stub_latency_ms=20\"]\n");
    }
    body
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let mut out = root.join("BENCHMARKS.md");
    let (mut quick, mut wait_quiet, mut only) = (false, 0.0, None::<String>);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned();
        match (args[i].as_str(), value) {
            ("--quick", _) => quick = true,
            ("--out", Some(v)) => out = PathBuf::from(v),
            ("--wait-quiet", Some(v)) => wait_quiet = v.parse().unwrap_or(0.0),
            ("--only", Some(v)) => only = Some(v),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
        i += if args[i] == "--quick" { 1 } else { 2 };
    }
    let settings = Settings {
        point_secs: if quick { 3 } else { 10 },
        capacity_secs: if quick { 2 } else { 5 },
        warmup_secs: if quick { 1 } else { 2 },
        concurrencies: vec![4, 16, 64],
        variant_concurrencies: vec![4, 64],
        plan_runs: if quick { 5 } else { 20 },
        apply_runs: if quick { 1 } else { 3 },
        settle_secs: if quick { 3.0 } else { 5.0 },
        scale_sizes: if quick {
            vec![8, 32]
        } else {
            vec![8, 32, 64, 128]
        },
        scale_plan_runs: if quick { 3 } else { 10 },
        lost_secs: if quick { 10 } else { 20 },
        quick,
    };
    let wants = |s: &str| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == s));
    cleanup();
    let result = run(&root, &settings, wait_quiet, &wants);
    cleanup();
    match result.and_then(|r| {
        let text = report::render(&r, &settings, &out)?;
        std::fs::write(&out, text).map_err(|e| format!("cannot write {out:?}: {e}"))
    }) {
        Ok(()) => {
            say(&format!("wrote {}", out.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tfs-bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    root: &std::path::Path,
    settings: &Settings,
    wait_quiet: f64,
    wants: &dyn Fn(&str) -> bool,
) -> R<Results> {
    prerequisites()?;
    say("building tfs (release)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root_s = root.to_string_lossy();
    sh::ok(
        &cargo,
        &[
            "build",
            "--release",
            "--quiet",
            "--manifest-path",
            &format!("{root_s}/Cargo.toml"),
            "-p",
            "tfs",
            "--bin",
            "tfs",
        ],
    )?;
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root.join("target"), PathBuf::from);
    let tools = Tools {
        tfs: target.join("release/tfs"),
        work: std::env::temp_dir().join("tfs-bench"),
    };
    let deadline =
        std::time::Instant::now() + std::time::Duration::from_secs_f64(wait_quiet * 60.0);
    while machine::load1() >= 0.7 && std::time::Instant::now() < deadline {
        say(&format!(
            "waiting for a quiet machine (load {})",
            machine::load()
        ));
        sh::sleep(15.0);
    }
    let started = std::time::Instant::now();
    let mut results = Results {
        machine: machine::Machine::read(root),
        balance: Vec::new(),
        plan: None,
        apply: None,
        overhead: None,
        rollouts: Vec::new(),
        destroys: None,
        versions: None,
        keepalive: Vec::new(),
        scale: None,
        lost: None,
        grpc: None,
        errors: Vec::new(),
        load_end: String::new(),
        minutes: 0.0,
    };
    // One section's failure is reported and the others still run.
    let failed = |section: &'static str, result: R<()>, results: &mut Results| {
        if let Err(e) = result {
            say(&format!("{section} failed: {e}"));
            results.errors.push((section, e));
            cleanup();
        }
    };
    if wants("balance") {
        let r = balance_section(&tools, settings, &mut results);
        failed("balance", r, &mut results);
    }
    if wants("speed") {
        let r = speed_section(&tools, settings, &mut results);
        failed("speed", r, &mut results);
    }
    if wants("scale") {
        let r = scale::measure(&tools, settings).map(|s| results.scale = Some(s));
        failed("scale", r, &mut results);
    }
    if wants("versions") {
        let r = versions::measure(&tools, settings).map(|v| results.versions = Some(v));
        failed("versions", r, &mut results);
    }
    if wants("rollout") {
        let r = rollout_section(&tools, settings, &mut results);
        failed("rollout", r, &mut results);
    }
    if wants("keepalive") {
        let r = keepalive::measure(&tools, settings).map(|k| results.keepalive = k);
        failed("keepalive", r, &mut results);
    }
    if wants("grpc") {
        let r = grpc::measure(&tools, settings).map(|g| results.grpc = Some(g));
        failed("grpc", r, &mut results);
    }
    if wants("lost") {
        let r = lost::measure(&tools, settings).map(|l| results.lost = Some(l));
        failed("lost", r, &mut results);
    }
    results.load_end = machine::load();
    results.minutes = started.elapsed().as_secs_f64() / 60.0;
    Ok(results)
}

fn balance_section(tools: &Tools, settings: &Settings, results: &mut Results) -> R<()> {
    let equal_spec = ("equal", "4 × 10 ms", gpu_fleet(STUB, false));
    let (fleet, run) = balance::measure(tools, settings, equal_spec)?;
    results.balance.push(run);
    fleet.destroy()?;
    let mixed_spec = ("mixed", "3 × 10 ms + 1 × 20 ms", gpu_fleet(STUB, true));
    let (fleet, run) = balance::measure(tools, settings, mixed_spec)?;
    results.balance.push(run);
    fleet.destroy()
}

fn speed_section(tools: &Tools, settings: &Settings, results: &mut Results) -> R<()> {
    results.plan = Some(speed::plan(tools, settings)?);
    let (fleet, apply) = speed::apply(tools, settings)?;
    results.apply = Some(apply);
    results.overhead = Some(speed::overhead(&fleet, settings)?);
    fleet.destroy()
}

fn rollout_section(tools: &Tools, settings: &Settings, results: &mut Results) -> R<()> {
    let body = gpu_fleet(STUB, false);
    let fleet = fleet::Fleet::new(tools, "equal", &body)?.with_nginx(fleet::FORKY, &body)?;
    fleet.apply()?;
    results.rollouts.extend(rollout::tfs(&fleet, settings)?);
    let destroy = fleet.destroy_timed()?;
    let (runs, down) = rollout::compose(&fleet, settings)?;
    results.rollouts.extend(runs);
    results.destroys = Some((destroy, down));
    Ok(())
}

fn prerequisites() -> R<()> {
    let setup = "run tests/env/setup first (as root)";
    sh::docker(&["info", "--format", "{{.ServerVersion}}"]).map_err(|e| format!("{e}\n{setup}"))?;
    for image in [fleet::SETUP_STUB, fleet::NGINX, fleet::FORKY] {
        sh::docker(&["image", "inspect", image])
            .map_err(|_| format!("image {image} is missing; {setup}"))?;
    }
    // One stub image for the whole run, even if a setup elsewhere rebuilds
    // tfs-serving-stub:latest meanwhile.
    sh::docker(&["tag", fleet::SETUP_STUB, STUB])?;
    for tool in ["wrk", "docker-compose", "/usr/bin/time", "curl"] {
        sh::ok("sh", &["-c", &format!("command -v {tool}")])
            .map_err(|_| format!("{tool} is missing; {setup}"))?;
    }
    Ok(())
}

/// Removes whatever an earlier or this run left: containers of the
/// benchmark's fleets, compose projects and proxies, their networks, the tag.
fn cleanup() {
    let format = "{{.ID}} {{.Label \"tfs.fleet\"}}|{{.Label \"tfs-bench\"}}|{{.Label \"com.docker.compose.project\"}}";
    let listed = sh::docker(&["ps", "-a", "--format", format]).unwrap_or_default();
    let ids: Vec<String> = sh::lines(&listed)
        .into_iter()
        .filter_map(|l| {
            let (id, labels) = l.split_once(' ')?;
            let mut labels = labels.split('|');
            let (fleet, bench) = (labels.next()?, labels.next()?);
            let project = labels.next().unwrap_or_default();
            let mine = fleet.starts_with(PREFIX) || bench == "1" || project.starts_with(PREFIX);
            mine.then(|| id.to_string())
        })
        .collect();
    if !ids.is_empty() {
        let mut args = vec!["rm", "-f"];
        args.extend(ids.iter().map(String::as_str));
        let _ = sh::docker(&args);
    }
    let networks = sh::docker(&["network", "ls", "--format", "{{.Name}}"]).unwrap_or_default();
    for network in sh::lines(&networks)
        .iter()
        .filter(|n| n.starts_with(PREFIX))
    {
        let _ = sh::docker(&["network", "rm", network]);
    }
    let _ = sh::docker(&["rmi", rollout::NEW_IMAGE]);
    let _ = sh::docker(&["rmi", STUB]);
}
