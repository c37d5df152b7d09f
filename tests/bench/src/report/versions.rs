//! §4 of the report, first part: a model version rollout three ways, the
//! rollouts' progress lines (where a wave's time goes), destroy against
//! compose down, and keep-alive clients on two nginx versions.

use std::fmt::Write;

use crate::fleet::PREFIX;
use crate::keepalive::{CONNECTIONS, ROLLOUTS};
use crate::rollout::{Rollout, LOAD};
use crate::versions::LOAD_MS;
use crate::Results;

pub fn versions(md: &mut String, r: &Results, chart: Option<&str>) {
    let Some(v) = &r.versions else { return };
    let _ = writeln!(md, "### Model version rollout in place\n");
    let _ = writeln!(md, "The equal 4-GPU fleet (4 × 10 ms, one request at a time, models loading in {:.0} s, the stub ignoring SIGTERM like TF Serving) behind `tfs-nginx:forky`, under constant load (wrk, {LOAD} keep-alive connections, through the published port). The model's `versions` change from [123] to [124]: **in place** by `tfs apply` (the replicas reload their model config); **replacing**: the same change together with an image change (a new tag of the same image), which makes tfs replace the containers wave by wave; **docker-compose**: the exported project's models.config edited and `docker-compose up -d --force-recreate` (compose does not see a change in a bind-mounted file, so it must be told to recreate), then the wait until every replica serves.\n", LOAD_MS as f64 / 1e3);
    let runs = [&v.in_place, &v.replacing, &v.compose];
    table(md, &runs);
    if let Some(chart) = chart {
        let _ = writeln!(
            md,
            "![requests per second during a model version rollout]({chart})\n"
        );
    }
    timelines(md, &runs);
    let reloads: Vec<String> = v
        .replacing
        .lines
        .iter()
        .filter(|(_, l)| l.contains("reloaded"))
        .take(2)
        .map(|(at, l)| format!("`{}` at {at:.1} s", l.trim()))
        .collect();
    if !reloads.is_empty() {
        let _ = writeln!(
            md,
            "The replacing run's first balancer reloads, from tfs's progress lines: {}.\n",
            reloads.join(", then ")
        );
    }
}

/// The rollouts' numbers: change time, failures, throughput before and during.
pub fn table(md: &mut String, runs: &[&Rollout]) {
    let _ = writeln!(md, "| run | clients | change took | requests | failed | req/s before | mean req/s during | of before | lowest 1 s during |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in runs {
        let s = &r.stats;
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} s | {} | **{}** ({} non-2xx; socket {}/{}/{}/{}) | {:.0} | {:.0} | {:.3} | {} |",
            r.tool,
            super::clients(r),
            r.end - r.start,
            s.requests,
            s.failed(),
            s.non2xx,
            s.connect,
            s.read,
            s.write,
            s.timeout,
            r.baseline(),
            r.during_mean(),
            r.kept(),
            r.during_min()
        );
    }
    md.push('\n');
}

pub fn timelines(md: &mut String, runs: &[&Rollout]) {
    let _ = writeln!(md, "Successful predicts per second over each run:\n");
    for r in runs {
        let line: Vec<String> = r.timeline().iter().map(u64::to_string).collect();
        let _ = writeln!(
            md,
            "- {}, {}: `{}`",
            r.tool,
            super::clients(r),
            line.join(" ")
        );
    }
    md.push('\n');
}

/// An image rollout's progress lines with their times, and the destroys.
pub fn host(md: &mut String, r: &Results) {
    let Some(run) = r.rollouts.iter().find(|x| !x.lines.is_empty()) else {
        return;
    };
    let _ = writeln!(
        md,
        "### What a real host will see: a server that ignores SIGTERM\n"
    );
    let _ = writeln!(md, "The stub above is as unkind as `tensorflow/serving` (bash as PID 1 without `exec`, no SIGTERM handler), so a `docker stop` waits out its whole grace period. tfs kills a replica once it left the upstream and was drained; docker-compose stops with its default 10 s. tfs's progress lines during the first image rollout above ({}, {:.1} s), seconds from the start of `tfs apply`:\n", super::clients(run), run.end - run.start);
    let _ = writeln!(md, "```");
    // tfs's own lines: the warnings about the stand-in GPUs are left out.
    for (at, line) in run.lines.iter().filter(|(_, l)| l.contains(PREFIX)) {
        let _ = writeln!(md, "{at:6.2} s  {}", line.trim());
    }
    let _ = writeln!(md, "```\n");
    let waves = phase(run, "reloaded", "reloaded");
    if !waves.is_empty() {
        let list: Vec<String> = waves.iter().map(|w| format!("{w:.1} s")).collect();
        let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let _ = writeln!(md, "Each wave, from one balancer reload to the next: {}. On average a wave spent {:.2} s removing the old replica (after the drain: a kill, not a stop), {:.2} s from the new replica's start until it was AVAILABLE (its model loads in 2 s), and {:.2} s in the balancer's reload.\n",
            list.join(", "),
            mean(phase(run, "removing old replica", "removed old replica")),
            mean(phase(run, "starting replica", " is AVAILABLE")),
            mean(phase(run, "reloading", "reloaded")));
    }
    let compose: Vec<String> = r
        .rollouts
        .iter()
        .filter(|x| x.lines.is_empty())
        .map(|x| format!("{:.1} s ({})", x.end - x.start, super::clients(x)))
        .collect();
    if !compose.is_empty() {
        let _ = writeln!(md, "docker-compose's `up -d` with the new image (all replicas at once, each stop waiting out the 10 s): {}.\n", compose.join(", "));
    }
    if let Some((destroy, down)) = r.destroys {
        let _ = writeln!(md, "| removal of the 4-GPU fleet | time |\n| --- | ---: |\n| `tfs destroy` (balancer stopped, replicas killed) | **{destroy:.1} s** |\n| `docker-compose down` (default stop timeout, 10 s) | **{down:.1} s** |\n");
    }
}

/// Seconds from each line containing `begin` to the next containing `end`.
fn phase(run: &Rollout, begin: &str, end: &str) -> Vec<f64> {
    let mut since = None;
    let mut spans = Vec::new();
    for (at, line) in &run.lines {
        if let (true, Some(start)) = (line.contains(end), since) {
            spans.push(at - start);
            since = None;
        }
        if line.contains(begin) {
            since = Some(*at);
        }
    }
    spans
}

pub fn keepalive(md: &mut String, r: &Results) {
    if r.keepalive.is_empty() {
        return;
    }
    let _ = writeln!(md, "### Keep-alive clients and nginx's version\n");
    let _ = writeln!(md, "Four stub replicas that answer at once (models loading in 1 s) behind `tfs-nginx:forky` or `tfs-nginx:bookworm`, {CONNECTIONS} keep-alive connections (wrk, request after request on each, to the balancer's address on the fleet network) while {ROLLOUTS} image changes are applied in a row with the defaults (waves of one replica). tfs writes `keepalive_min_timeout 10s` only for nginx ≥ 1.27.4.\n");
    let _ = writeln!(md, "| balancer nginx | requests | failed | rate | rollouts took |\n| --- | ---: | ---: | ---: | ---: |");
    for k in &r.keepalive {
        let s = &k.stats;
        let _ = writeln!(
            md,
            "| {} (`{}`) | {} | **{}** ({} non-2xx; socket {}/{}/{}/{}) | {:.1} in 10,000 | {:.1} s |",
            k.version.trim_start_matches("nginx version: "),
            k.image,
            s.requests,
            s.failed(),
            s.non2xx,
            s.connect,
            s.read,
            s.write,
            s.timeout,
            s.failed() as f64 * 1e4 / s.requests.max(1) as f64,
            k.seconds
        );
    }
    let _ = writeln!(md, "\nA read error is a kept-alive connection closed by an old nginx worker, after a reload, just as a request was sent on it; HTTP lets no one retry a POST there. nginx 1.27.4's `keepalive_min_timeout` keeps an old worker's idle connections open until the client sent one more request or they were idle that long.\n");
}
