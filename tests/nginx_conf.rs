//! Snapshots of the rendered nginx.conf.

use tfs::desire::nginx::{render, Member};
use tfs::desire::{BalancerSettings, NginxVersion};
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
        nginx_version: None,
        keepalive_min_timeout_ms: 10_000,
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

/// nginx ≥ 1.27.4 keeps kept-alive client connections through a reload for
/// keepalive_min_timeout; older ones (and an unknown one) get today's config.
#[test]
fn keepalive_min_timeout_only_where_nginx_has_it() {
    let with = |version| BalancerSettings {
        nginx_version: version,
        ..settings(Strategy::LeastConn, true)
    };
    let current = render(&with(NginxVersion::parse("1.30.6")), &members(&[1]));
    assert!(
        current.contains("    keepalive_min_timeout 10s;\n"),
        "{current}"
    );
    let first = render(&with(NginxVersion::parse("1.27.4")), &members(&[1]));
    assert!(first.contains("keepalive_min_timeout 10s;"), "{first}");
    let unknown = render(&with(None), &members(&[1]));
    for old in ["1.22.1", "1.27.3"] {
        let conf = render(&with(NginxVersion::parse(old)), &members(&[1]));
        assert!(!conf.contains("keepalive_min_timeout"), "{old}: {conf}");
        assert_eq!(conf, unknown, "{old}");
    }
}
