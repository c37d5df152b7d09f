//! §1 of the report: efficiency tables and the nginx.conf variants.

use std::fmt::Write;

use super::ms;
use crate::balance::FleetRun;
use crate::wrk::Stats;
use crate::{Results, Settings};

pub fn render(md: &mut String, r: &Results, s: &Settings) {
    if r.balance.is_empty() {
        return;
    }
    let _ = writeln!(md, "## 1. Load-balancing efficiency\n");
    let _ = writeln!(md, "(a) each replica alone, wrk straight to its address on the fleet network (4 connections, {} s); the sum is the ideal. (b) through the tfs balancer. (c) through the hand-made nginx: the image's stock nginx.conf (`worker_processes auto`) with a conf.d file holding `upstream {{ server gpuN:8501; ... }}` and `proxy_pass` — round robin, no upstream keepalive, default `proxy_next_upstream`; access log off, as in tfs's config, so that only balancing differs. Same replicas, same moment. wrk POSTs `{{\"instances\": [1.0, 2.0, 5.0]}}` to `:predict`, {} s per point after a warm-up; 2 threads. Throughput counts the whole seconds after the first two (while queues fill), percentiles the whole run. b/a can pass 1 by about 1 %: the stub's 10 ms wait ends on the next tick of its 1 ms timer, so a replica's pace shifts slightly with how requests arrive.\n", s.capacity_secs, s.point_secs);
    for run in &r.balance {
        fleet_table(md, run);
    }
    variants(md, &r.balance, s);
}

fn fleet_table(md: &mut String, run: &FleetRun) {
    let _ = writeln!(md, "### {} fleet ({})\n", run.label, run.description);
    let caps: Vec<String> = run
        .capacity
        .iter()
        .map(|(n, c)| format!("{} {c:.1}/s", n.rsplit('-').next().unwrap_or(n)))
        .collect();
    let _ = writeln!(
        md,
        "Replica capacity (a): {}; ideal **{:.1}/s**.\n",
        caps.join(", "),
        run.ideal()
    );
    let _ = writeln!(md, "| connections | tfs (b) req/s | b/a | p50 | p99 | hand-made (c) req/s | p50 | p99 | b/c | p99 b/c |");
    let _ = writeln!(
        md,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for p in &run.points {
        let (b, c) = (&p.tfs, &p.handmade);
        let _ = writeln!(
            md,
            "| {} | {:.1} | **{:.3}** | {} | {} | {:.1} | {} | {} | **{:.2}** | {:.2} |",
            b.connections,
            b.rps(),
            b.rps() / run.ideal(),
            ms(b.p50_us),
            ms(b.p99_us),
            c.rps(),
            ms(c.p50_us),
            ms(c.p99_us),
            b.rps() / c.rps(),
            b.p99_us as f64 / c.p99_us.max(1) as f64
        );
        failures(md, &[("tfs", b), ("hand-made", c)]);
    }
    md.push('\n');
}

fn failures(md: &mut String, stats: &[(&str, &Stats)]) {
    for (name, s) in stats {
        if s.failed() > 0 {
            let _ = writeln!(
                md,
                "| | {name}: {} failed ({} non-2xx, {} socket errors) | | | | | | | | |",
                s.failed(),
                s.non2xx,
                s.socket_errors
            );
        }
    }
}

fn variants(md: &mut String, runs: &[FleetRun], s: &Settings) {
    let Some(first) = runs.first().filter(|r| !r.variants.is_empty()) else {
        return;
    };
    let _ = writeln!(md, "### Variants of the generated nginx.conf\n");
    let _ = writeln!(md, "Each row changes one thing in the nginx.conf tfs generated (fetched from the running balancer) and runs it in a second nginx beside the balancer, in front of the same replicas; b/a and p99 at {} connections. The first row is the generated config itself, from the tables above.\n", s.variant_concurrencies.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" and "));
    let mut head = String::from("| nginx.conf |");
    let mut rule = String::from("| --- |");
    for run in runs {
        for c in &s.variant_concurrencies {
            let _ = write!(head, " {} c={c} |", run.label);
            rule.push_str(" ---: |");
        }
    }
    let _ = writeln!(md, "{head}\n{rule}");
    let mut row = String::from("| generated (tfs default) |");
    for run in runs {
        for c in &s.variant_concurrencies {
            match run.points.iter().find(|p| p.tfs.connections == *c) {
                Some(p) => cell(&mut row, &p.tfs, run.ideal()),
                None => row.push_str(" |"),
            }
        }
    }
    let _ = writeln!(md, "{row}");
    for (i, v) in first.variants.iter().enumerate() {
        let mut row = format!("| {} |", v.name);
        for run in runs {
            for stats in run
                .variants
                .get(i)
                .map(|v| &v.stats[..])
                .unwrap_or_default()
            {
                cell(&mut row, stats, run.ideal());
            }
        }
        let _ = writeln!(md, "{row}");
    }
    md.push('\n');
}

fn cell(row: &mut String, s: &Stats, ideal: f64) {
    let failed = if s.failed() > 0 {
        format!(", {} failed", s.failed())
    } else {
        String::new()
    };
    let _ = write!(row, " {:.3} ({}{failed}) |", s.rps() / ideal, ms(s.p99_us));
}
