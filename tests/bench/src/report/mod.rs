//! BENCHMARKS.md: the machine, the targets, then each section's numbers.

use std::fmt::Write;

mod balance;
mod grpc;
mod tools;

pub use tools::clients;

use crate::{targets, Results, Settings};

pub fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1e3)
}

pub fn render(r: &Results, s: &Settings) -> String {
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
        "\nEverything runs on this one machine: wrk, both nginx, the stub replicas and dockerd share its {} cores, so the load generator takes CPU from what it measures. Replicas are `tfs-serving-stub` containers modelling GPUs: `--stub_concurrency 1` (one predict at a time, the rest queue) and `--stub_latency_ms L`. The GPUs are simulated (`gpus = [0, 1, 2, 3]` through a stand-in NVIDIA hook).\n",
        m.cpus
    );
    md.push_str(&targets::render(r));
    balance::render(&mut md, r, s);
    tools::overhead(&mut md, r);
    tools::speed(&mut md, r);
    tools::rollouts(&mut md, &r.rollouts);
    grpc::render(&mut md, r);
    md
}
