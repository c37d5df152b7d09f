//! §3 of the report, second part: time against the fleet's size, and the
//! lost replica (§6).

use std::fmt::Write;

use crate::lost::{CONNECTIONS, KILL_AT};
use crate::sh::median;
use crate::Results;

pub fn scale(md: &mut String, r: &Results, chart: Option<&str>) {
    let Some(s) = &r.scale else { return };
    let _ = writeln!(md, "### Scale\n");
    let _ = writeln!(md, "CPU-mode fleets of N stub replicas (`gpus = \"none\"`, `replicas = N`; models load at once). For each N: `docker-compose up -d` on `tfs export compose` of the fleet plus the wait until every replica serves, and `docker-compose down` (its default 10 s stop timeout: the stub ignores SIGTERM); then `tfs apply --auto-approve` from nothing (it returns once every replica is AVAILABLE), `tfs plan --detailed-exitcode` with no changes alternating with `docker ps -a` (medians), and `tfs destroy`. One run of each per N. compose was run up to {} replicas.\n", crate::scale::COMPOSE_UP_TO);
    let _ = writeln!(md, "| replicas | tfs plan | docker ps -a | plan / ps | tfs apply | compose up + wait | tfs destroy | compose down | peak RSS of tfs apply |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for p in &s.points {
        let (plan, ps) = (median(&p.plan_ms), median(&p.ps_ms));
        let (up, down) = p
            .compose
            .as_ref()
            .map_or(("-".to_string(), "-".to_string()), |(u, d)| {
                (format!("{:.1} s", u.total_seconds), format!("{d:.1} s"))
            });
        let _ = writeln!(
            md,
            "| {} | **{plan:.0} ms** | {ps:.0} ms | {:.2} | **{:.1} s** | {up} | **{:.1} s** | {down} | {:.1} MiB |",
            p.replicas,
            plan / ps,
            p.apply.seconds,
            p.destroy_s,
            p.apply.peak_rss_kib as f64 / 1024.0
        );
    }
    md.push('\n');
    if let Some(chart) = chart {
        let _ = writeln!(
            md,
            "![time against replicas: plan, apply, destroy]({chart})\n"
        );
    }
    let Some(p) = s.points.iter().max_by_key(|p| p.replicas) else {
        return;
    };
    let at = |f: &dyn Fn(&str) -> bool| {
        p.apply
            .lines
            .iter()
            .filter(|(_, l)| f(l))
            .map(|(t, _)| *t)
            .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.max(t))))
    };
    let first_available = p
        .apply
        .lines
        .iter()
        .find(|(_, l)| l.contains(" is AVAILABLE"))
        .map(|(t, _)| *t);
    let fmt = |t: Option<f64>| t.map_or("-".to_string(), |t| format!("{t:.1} s"));
    let last_start = at(&|l| l.contains("starting replica"));
    let _ = writeln!(md, "Where the time goes at {} replicas. `tfs apply` ({:.1} s, {} progress lines): the last replica's start began at {}, the first replica was reported AVAILABLE at {} and the last at {}, the balancer started at {}. Until the first AVAILABLE, the time is Docker's: creating and starting the containers (with their config files); readiness polls and the balancer's reload to the full upstream are what follows. docker-compose creates and starts its containers in parallel. `tfs plan` ({:.0} ms against {:.0} ms for `docker ps -a`): it lists and inspects the containers (one `docker inspect` of all {} replicas by the CLI takes {:.0} ms here), reads from each running replica the models tfs told it to serve (/etc/tfs/models.json through Docker's archive endpoint: {:.0} ms for one, by curl) and asks each for its model status, all together, and reads the balancer's config links; nothing is reloaded.\n",
        p.replicas,
        p.apply.seconds,
        p.apply.lines.len(),
        fmt(last_start),
        fmt(first_available),
        fmt(at(&|l| l.contains(" is AVAILABLE"))),
        fmt(p.apply.balancer_s),
        median(&p.plan_ms),
        median(&p.ps_ms),
        p.replicas,
        p.inspect_ms,
        p.read_ms
    );
}

pub fn lost(md: &mut String, r: &Results) {
    let Some(l) = &r.lost else { return };
    let _ = writeln!(md, "## 6. A lost replica under load\n");
    let _ = writeln!(md, "A CPU fleet of 3 stub replicas that answer at once; wrk, {CONNECTIONS} keep-alive connections for {} s, `--timeout 10s`, POSTing predict to a balancer's address on the fleet network; {KILL_AT:.0} s in, one replica is `docker kill`ed (Docker does not restart it). tfs: its balancer (`proxy_connect_timeout` 200 ms, `max_fails=1 fail_timeout=5s`). Hand-made: the §1 config (nginx's defaults: 60 s connect timeout) in front of a fresh fleet of the same three.\n", l.seconds);
    let _ = writeln!(md, "| balancer | requests | failed | p50 | p99 | slowest |\n| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, s) in [("tfs", &l.tfs), ("hand-made nginx", &l.handmade)] {
        let _ = writeln!(
            md,
            "| {name} | {} | **{}** ({} non-2xx; socket {}/{}/{}/{}) | {} | {} | **{}** |",
            s.requests,
            s.failed(),
            s.non2xx,
            s.connect,
            s.read,
            s.write,
            s.timeout,
            super::ms(s.p50_us),
            super::ms(s.p99_us),
            super::ms(s.max_us)
        );
    }
    md.push('\n');
}
