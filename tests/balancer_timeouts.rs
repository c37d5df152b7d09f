//! nginx's timeouts towards the replicas: a short connect timeout by
//! default, a read timeout that follows TF Serving's own
//! `--rest_api_timeout_in_ms` (the slowest replica's, plus 5 s), and both
//! settable in `[balancer]`. Read from the nginx.conf `tfs export compose`
//! writes, which is the one `tfs apply` runs.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/fleet_toml.rs"]
mod fleet_toml;

use cli::Test;
use fleet_toml::FleetToml;

/// The nginx.conf exported for `fleet`.
fn nginx_conf(fleet: &FleetToml) -> String {
    let test = Test::new()
        .file("fleet.toml", &fleet.to_string())
        .model_dir("models/m", &[1])
        .args(&["export", "compose", "--out", "out"]);
    let directory = test.path().to_path_buf();
    test.run();
    std::fs::read_to_string(directory.join("out/nginx.conf")).unwrap()
}

fn fleet() -> FleetToml {
    FleetToml::new("demo").model("m").cpu(2)
}

#[track_caller]
fn assert_timeouts(conf: &str, connect: &str, read: &str) {
    for directive in ["proxy", "grpc"] {
        if directive == "grpc" && !conf.contains("grpc_pass") {
            continue;
        }
        assert!(
            conf.contains(&format!("{directive}_connect_timeout {connect};")),
            "{conf}"
        );
        assert!(
            conf.contains(&format!("{directive}_read_timeout {read};")),
            "{conf}"
        );
    }
}

#[test]
fn defaults_are_a_short_connect_and_tf_servings_timeout_plus_a_margin() {
    assert_timeouts(&nginx_conf(&fleet()), "200ms", "35s");
}

#[test]
fn the_read_timeout_follows_the_slowest_replicas_rest_api_timeout() {
    let fleet = fleet()
        .serving_args(&["--rest_api_timeout_in_ms=60000"])
        .section("[[override]]\nreplica = 1\nargs = [\"--rest_api_timeout_in_ms\", \"90500\"]");
    assert_timeouts(&nginx_conf(&fleet), "200ms", "95500ms");
}

#[test]
fn balancer_keys_set_both_timeouts() {
    let fleet = fleet()
        .grpc("127.0.0.1:8500")
        .serving_args(&["--rest_api_timeout_in_ms=60000"])
        .balancer_line("connect_timeout = \"50ms\"")
        .balancer_line("read_timeout = \"2m\"");
    assert_timeouts(&nginx_conf(&fleet), "50ms", "120s");
}
