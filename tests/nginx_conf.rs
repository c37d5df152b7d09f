//! Snapshots of the rendered nginx.conf.

use tfs::desire::nginx::{render, Member};
use tfs::desire::BalancerSettings;
use tfs::load::Strategy;

fn settings(strategy: Strategy, grpc: bool) -> BalancerSettings {
    BalancerSettings {
        fleet: "demo".to_string(),
        strategy,
        retries: 2,
        max_body: "64m".to_string(),
        grpc,
        rest_port: 8501,
        grpc_port: 8500,
        connect_timeout_ms: 200,
        read_timeout_ms: 35_000,
    }
}

fn members(weights: &[u32]) -> Vec<Member> {
    weights
        .iter()
        .enumerate()
        .map(|(index, weight)| Member {
            name: format!("demo-gpu{index}"),
            weight: *weight,
        })
        .collect()
}

#[test]
fn least_conn_with_grpc() {
    insta::assert_snapshot!(render(
        &settings(Strategy::LeastConn, true),
        &members(&[1, 1, 1, 1])
    ));
}

#[test]
fn round_robin_with_weights() {
    insta::assert_snapshot!(render(
        &settings(Strategy::RoundRobin, false),
        &members(&[2, 2, 2, 1])
    ));
}

#[test]
fn empty_upstream_is_still_valid() {
    let conf = render(&settings(Strategy::IpHash, false), &[]);
    assert!(conf.contains("server 127.0.0.1:9 down;"), "{conf}");
    assert!(conf.contains("ip_hash;"));
}

#[test]
fn retries_become_next_upstream_tries() {
    let mut settings = settings(Strategy::Random, true);
    settings.retries = 5;
    let conf = render(&settings, &members(&[1]));
    assert!(conf.contains("proxy_next_upstream_tries 6;"));
    assert!(conf.contains("grpc_next_upstream_tries 6;"));
    assert!(conf.contains("proxy_next_upstream error timeout http_502 http_503 non_idempotent;"));
}
