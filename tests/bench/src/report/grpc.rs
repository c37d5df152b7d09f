//! §5 of the report: gRPC through the balancer against direct.

use std::fmt::Write;

use crate::grpc::{Stats, DIRECT_CLIENTS};
use crate::report::ms;
use crate::Results;

pub fn render(md: &mut String, r: &Results) {
    let Some(g) = &r.grpc else { return };
    let _ = writeln!(md, "## 5. gRPC through the balancer\n");
    let _ = writeln!(md, "The equal fleet of §1 (4 × 10 ms) with `[balancer].grpc`. Load: `tfs_proto::load`, tonic clients that each hold one HTTP/2 channel with one `PredictionService/Predict` in flight (as TF Serving clients hold one channel), every answer checked (status OK, half_plus_two's values); Debian packages no gRPC load generator. The balancer is reached at its address on the fleet network, like §1's REST runs.\n");
    let _ = writeln!(
        md,
        "Each replica directly ({} clients): {}; sum (a) = **{:.1}/s**.\n",
        DIRECT_CLIENTS,
        g.capacity
            .iter()
            .map(|(n, c)| format!("{n} {c:.1}/s"))
            .collect::<Vec<_>>()
            .join(", "),
        g.ideal()
    );
    let _ = writeln!(md, "| clients | through the balancer | of (a) | p50 | p99 | calls | failed |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for s in &g.points {
        let _ = writeln!(
            md,
            "| {} | **{:.1}/s** | {:.3} | {} | {} | {} | {} |",
            s.clients,
            s.rps,
            s.rps / g.ideal(),
            ms(s.p50_us),
            ms(s.p99_us),
            s.total,
            s.failed
        );
    }
    let _ = writeln!(md, "\nOne client, replicas with 10 ms latency: straight to a replica {} (p50 {} µs, p99 {} µs), through the balancer {} (p50 {} µs, p99 {} µs): **+{} µs** at p50.\n", rate(&g.direct_one), g.direct_one.p50_us, g.direct_one.p99_us, rate(&g.balancer_one), g.balancer_one.p50_us, g.balancer_one.p99_us, g.balancer_one.p50_us as i64 - g.direct_one.p50_us as i64);
    let failures: Vec<&String> = g
        .points
        .iter()
        .chain([&g.direct_one, &g.balancer_one])
        .flat_map(|s| &s.samples)
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(md, "First failures:\n");
        for f in failures.iter().take(8) {
            let _ = writeln!(md, "- `{f}`");
        }
        md.push('\n');
    }
}

fn rate(s: &Stats) -> String {
    format!("{:.1}/s", s.rps)
}
