//! §2 to §4 of the report: overhead, tool speed, rollouts.

use std::fmt::Write;

use crate::rollout::{Rollout, LOAD};
use crate::sh::median;
use crate::wrk::Clients;
use crate::Results;

pub fn overhead(md: &mut String, r: &Results) {
    let Some(o) = &r.overhead else { return };
    let _ = writeln!(md, "## 2. Balancer overhead\n");
    let _ = writeln!(
        md,
        "One connection (`wrk -t1 -c1`), replicas that answer at once (no simulated latency), {:.0} s per path. \"Published port\" is how a client on this host reaches the balancer: 127.0.0.1 through docker-proxy, Docker's userland TCP proxy for loopback (clients on other hosts go through iptables DNAT instead); the other rows use container addresses on the fleet network.\n",
        o.direct.seconds
    );
    let _ = writeln!(md, "| path | req/s | p50 | p90 | p99 | added p50 | added p99 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let rows = [
        ("straight to a replica", &o.direct),
        ("tfs balancer", &o.tfs),
        ("tfs balancer, published port", &o.published),
        ("hand-made nginx", &o.handmade),
    ];
    for (name, s) in rows {
        let _ = writeln!(
            md,
            "| {name} | {:.0} | {} µs | {} µs | {} µs | {} µs | {} µs |",
            s.rps(),
            s.p50_us,
            s.p90_us,
            s.p99_us,
            s.p50_us as i64 - o.direct.p50_us as i64,
            s.p99_us as i64 - o.direct.p99_us as i64
        );
    }
    md.push('\n');
}

pub fn speed(md: &mut String, r: &Results) {
    if let Some(p) = &r.plan {
        let _ = writeln!(md, "## 3. Tool speed\n");
        let _ = writeln!(md, "`tfs plan --detailed-exitcode` on a live {}-replica fleet with no changes (exit 0 checked), and `docker ps`, alternately, {} runs each after 2 warm-ups; whole-process wall time.\n", p.replicas, p.plan_ms.len());
        let _ = writeln!(
            md,
            "| command | median | min | max |\n| --- | ---: | ---: | ---: |"
        );
        for (name, v) in [("tfs plan", &p.plan_ms), ("docker ps", &p.ps_ms)] {
            let (min, max) = (
                v.iter().cloned().fold(f64::MAX, f64::min),
                v.iter().cloned().fold(0.0, f64::max),
            );
            let _ = writeln!(
                md,
                "| {name} | **{:.1} ms** | {min:.1} ms | {max:.1} ms |",
                median(v)
            );
        }
        let _ = writeln!(md, "\nHow a plan sees what the balancer runs: nginx.conf and tfs-loaded.conf are links to configs named by their content's hash, so `HEAD /containers/<balancer>/archive` (the link's target, no content) tells whether the desired config is loaded: median **{:.1} ms** by curl on the Docker socket. A plan makes three of them, together. Only when the loaded config is not the desired one does it download it for the diff, with the same endpoint's `GET`: median {:.1} ms.", p.head_ms, p.download_ms);
        md.push('\n');
    }
    if let Some(a) = &r.apply {
        let _ = writeln!(md, "From nothing to every model AVAILABLE: 4 replicas whose model takes 2 s to load (`--stub_load_delay_ms 2000`), local images. tfs: `tfs apply --auto-approve` (it returns once every replica serves and the balancer runs; the times of its progress lines are noted). compose: `docker-compose up -d` on `tfs export compose` of the same fleet, then polling each replica's model status every 20 ms. Alternated, {} runs each.\n", a.tfs.len());
        let _ = writeln!(md, "| run | tfs apply | last replica AVAILABLE | balancer started | peak RSS of tfs | docker-compose up -d | + wait for AVAILABLE |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        let at = |t: Option<f64>| t.map_or("-".to_string(), |t| format!("{t:.2} s"));
        for (i, (t, c)) in a.tfs.iter().zip(&a.compose).enumerate() {
            let _ = writeln!(
                md,
                "| {} | **{:.2} s** | {} | {} | {:.1} MiB | {:.2} s | **{:.2} s** |",
                i + 1,
                t.seconds,
                at(t.replicas_s),
                at(t.balancer_s),
                t.peak_rss_kib as f64 / 1024.0,
                c.up_seconds,
                c.total_seconds
            );
        }
        md.push('\n');
    }
}

pub fn rollouts(md: &mut String, rollouts: &[Rollout]) {
    if rollouts.is_empty() {
        return;
    }
    let _ = writeln!(md, "### Image rollouts\n");
    let _ = writeln!(md, "The equal fleet (4 × 10 ms, models loading in 2 s) behind `tfs-nginx:forky`, under constant load (wrk, {LOAD} connections, through the published port); after a few seconds the image changes to a new tag of the same image, and later back. tfs: fleet.toml edited, `tfs apply` (waves of one replica, the defaults). compose: docker-compose.yml edited, `docker-compose up -d`, then the wait until every new replica serves. Clients: `close` sends `Connection: close` (a connection per request), `keep-alive` is wrk's default. Failed = non-2xx answers plus socket errors (connect/read/write/timeout), over the whole run.\n");
    let runs: Vec<&Rollout> = rollouts.iter().collect();
    super::versions::table(md, &runs);
    super::versions::timelines(md, &runs);
}

pub fn clients(r: &Rollout) -> &'static str {
    match r.clients {
        Clients::Close => "close",
        Clients::KeepAlive => "keep-alive",
    }
}
