//! The balancer on both nginx releases the test environment builds:
//! Debian bookworm's 1.22 and testing's 1.30 (`tfs-nginx:bookworm`,
//! `tfs-nginx:forky`). On each, tfs learns the version, renders what it
//! supports, serves REST and gRPC from every replica, rolls an image and a
//! balancer change out under load without a failed request, and destroys
//! the fleet.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/grpc.rs"]
mod grpc;
#[path = "support/load.rs"]
mod load;

use std::collections::BTreeSet;
use std::time::Duration;

use fleet::{docker, docker_lines, TestFleet, STUB_IMAGE};
use grpc::{Encoding, GrpcClient};
use load::Load;

/// One fleet's life behind `nginx`, whose `nginx -v` starts with `version`.
fn fleet_life(label: &str, nginx: &str, version: &str, min_timeout: bool) {
    let fleet = TestFleet::with_grpc(label);
    let tag = format!("tfs-serving-stub:{}", fleet.name);
    assert!(docker(&["tag", STUB_IMAGE, &tag]).status.success());
    let toml = || fleet.toml().balancer_image(nginx).gpus(&[0, 1]);
    fleet.write(&toml());
    fleet.apply().run();

    let balancer = format!("{}-balancer", fleet.name);
    let format = "{{index .Config.Labels \"tfs.nginx-version\"}}";
    let learned = docker_lines(&["inspect", "-f", format, &balancer]).join("");
    assert!(learned.starts_with(version), "{nginx}: label {learned:?}");
    let conf = docker_lines(&["exec", &balancer, "cat", "/etc/nginx/nginx.conf"]).join("\n");
    assert_eq!(
        conf.contains("keepalive_min_timeout"),
        min_timeout,
        "{conf}"
    );

    let client = GrpcClient::connect(fleet.grpc_port.unwrap());
    let mut replicas = BTreeSet::new();
    for _ in 0..20 {
        let answer = client
            .predict("half_plus_two", &[1.0, 2.0, 5.0], Encoding::FloatVal)
            .unwrap();
        assert_eq!(answer.values, [2.5, 3.0, 4.5]);
        replicas.insert(answer.replica);
    }
    assert_eq!(replicas.len(), 2, "gRPC answered from {replicas:?}");

    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(20));
    fleet.write(&toml().image(&tag));
    fleet.apply().stdout_contains("image changed").run();
    traffic.wait_for(traffic.total() + 100, Duration::from_secs(20));
    fleet.write(&toml().image(&tag).strategy("round_robin"));
    fleet.apply().run();
    traffic.wait_for(traffic.total() + 100, Duration::from_secs(20));
    let report = traffic.stop();
    eprintln!(
        "{nginx}: {} of {} requests failed over an image and a balancer change",
        report.failed, report.total
    );
    report.assert_clean(300);
    assert_eq!(report.gpus_seen(), ["0", "1"], "{report:?}");
    fleet.detailed_plan().run();

    fleet.test().args(&["destroy", "--auto-approve"]).run();
    assert!(fleet.containers().is_empty(), "{:?}", fleet.containers());
    docker(&["rmi", &tag]);
}

#[test]
fn a_fleet_behind_bookworm_nginx_1_22_lives_and_goes() {
    fleet_life("nginx-1-22", "tfs-nginx:bookworm", "1.22", false);
}

#[test]
fn a_fleet_behind_forky_nginx_1_30_lives_and_goes() {
    fleet_life("nginx-1-30", "tfs-nginx:forky", "1.30", true);
}
