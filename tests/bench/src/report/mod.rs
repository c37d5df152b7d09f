//! BENCHMARKS.md: the machine, the targets, then each section's numbers.

use std::fmt::Write;

mod balance;
mod charts;
mod grpc;
mod scale;
mod tools;
mod versions;

pub use tools::clients;

use crate::sh::R;
use crate::{targets, Results, Settings};

pub fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1e3)
}

/// The report's Markdown; its charts are written beside `out`.
pub fn render(r: &Results, s: &Settings, out: &std::path::Path) -> R<String> {
    let rollout_chart = charts::rollout(r, out)?;
    let mixed_chart = charts::mixed(r, out)?;
    let scale_chart = charts::scale(r, out)?;
    let mut md = String::new();
    let m = &r.machine;
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `cargo run --release -p tfs-bench` ([tests/bench](tests/bench)) on {}, commit {}; the run took {:.1} minutes.{}\n",
        m.date,
        m.commit,
        r.minutes,
        if s.quick { " **Quick run (short measurements): not for comparison.**" } else { "" }
    );
    let _ = writeln!(md, "| machine | |\n| --- | --- |");
    let rows = [
        ("CPU", format!("{} × {}", m.cpus, m.cpu_model)),
        ("memory", m.memory.clone()),
        ("kernel", m.kernel.clone()),
        ("Docker", m.docker.clone()),
        ("nginx (tfs-nginx:bookworm)", m.nginx.clone()),
        ("nginx (tfs-nginx:forky)", m.nginx_forky.clone()),
        (
            "load generator",
            m.wrk
                .split(" Copyright")
                .next()
                .unwrap_or_default()
                .to_string(),
        ),
        ("docker-compose", m.compose.clone()),
        (
            "load average (1/5/15 min)",
            format!("{} at the start, {} at the end", m.load_start, r.load_end),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(md, "| {k} | {v} |");
    }
    let _ = writeln!(
        md,
        "\nEverything runs on this one machine: wrk, both nginx, the stub replicas and dockerd share its {} cores, so the load generator takes CPU from what it measures. Replicas are `tfs-serving-stub` containers modelling GPUs: `--stub_concurrency 1` (one predict at a time, the rest queue) and `--stub_latency_ms L`. The GPUs are simulated (`gpus = [0, 1, 2, 3]` through a stand-in NVIDIA hook). The stub's image starts it as TF Serving's does: bash as PID 1 without `exec`, so a SIGTERM is ignored and `docker stop` waits out its grace period. The balancer is `tfs-nginx:bookworm` (1.22) in §1 to §3 and §5 to §6, `tfs-nginx:forky` (1.30) in §4 unless a table says otherwise.\n",
        m.cpus
    );
    if !r.errors.is_empty() {
        let _ = writeln!(
            md,
            "**Sections that failed in this run** (their numbers are missing below):\n"
        );
        for (section, e) in &r.errors {
            let _ = writeln!(
                md,
                "- {section}: `{}`",
                e.replace('`', "'").lines().next().unwrap_or_default()
            );
        }
        md.push('\n');
    }
    md.push_str(&targets::render(r));
    balance::render(&mut md, r, s);
    if let Some(chart) = &mixed_chart {
        let _ = writeln!(
            md,
            "![mixed fleet: throughput and p99, tfs against the hand-made round robin]({chart})\n"
        );
    }
    tools::overhead(&mut md, r);
    tools::speed(&mut md, r);
    scale::scale(&mut md, r, scale_chart.as_deref());
    if r.versions.is_some() || !r.rollouts.is_empty() || !r.keepalive.is_empty() {
        let _ = writeln!(md, "## 4. Rollouts under load\n");
    }
    versions::versions(&mut md, r, rollout_chart.as_deref());
    tools::rollouts(&mut md, &r.rollouts);
    versions::host(&mut md, r);
    versions::keepalive(&mut md, r);
    grpc::render(&mut md, r);
    scale::lost(&mut md, r);
    Ok(md)
}
