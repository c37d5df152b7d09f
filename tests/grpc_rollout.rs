//! gRPC under change, each under gRPC load through the balancer (long-lived
//! HTTP/2 channels, as TF Serving clients hold): a rolling image change
//! loses no request; a replica that is down costs none either (nginx
//! retries the connection on another); a replica that crashes costs only
//! the calls it had in flight, as UNAVAILABLE: nginx streams gRPC request
//! bodies to the replica unbuffered, so it cannot replay a call it already
//! sent (REST's buffered bodies can be).

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/grpc.rs"]
mod grpc;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fleet::{docker, docker_lines, restarts, TestFleet, STUB_IMAGE};
use tfs_proto::clients::TEST_PACE;
use tfs_proto::load::Load;

fn balancer(fleet: &TestFleet) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], fleet.grpc_port.unwrap()))
}

/// `clients` paced gRPC clients of the fleet's balancer.
fn grpc_load(fleet: &TestFleet, clients: usize) -> Load {
    Load::start_paced(balancer(fleet), "half_plus_two", clients, Some(TEST_PACE))
}

fn replica_ids(fleet: &TestFleet) -> Vec<String> {
    docker_lines(&[
        "ps",
        "-q",
        "--no-trunc",
        "--filter",
        "label=tfs.role=replica",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
    ])
}

/// Removes the extra image tag when the test ends, passed or not.
struct Tag(String);

impl Drop for Tag {
    fn drop(&mut self) {
        docker(&["rmi", &self.0]);
    }
}

#[test]
fn rolling_image_change_under_grpc_load_loses_no_request() {
    let fleet = TestFleet::with_grpc("grpc-roll");
    let tag = Tag(format!("tfs-serving-stub:{}", fleet.name));
    assert!(docker(&["tag", STUB_IMAGE, &tag.0]).status.success());
    fleet.write(&fleet.toml().gpus(&[0, 1, 2, 3]));
    fleet.apply().run();
    let before = replica_ids(&fleet);

    let traffic = grpc_load(&fleet, 4);
    traffic.wait_for(40, Duration::from_secs(20));
    fleet.write(&fleet.toml().image(&tag.0).gpus(&[0, 1, 2, 3]));
    let apply = fleet
        .apply()
        .stdout_contains("Resources: 4 added, 0 changed, 4 destroyed.");
    let applying = Instant::now();
    let applied = apply.output();
    let apply_took = applying.elapsed();
    traffic.wait_for(traffic.total() + 40, Duration::from_secs(20));
    let report = traffic.stop();
    apply.check(applied);

    let after = replica_ids(&fleet);
    assert_eq!(after.len(), 4);
    assert!(
        after.iter().all(|id| !before.contains(id)),
        "not all replaced"
    );
    report.assert_clean(200);
    let gpus: Vec<&str> = report.gpus.iter().map(String::as_str).collect();
    assert_eq!(gpus, ["0", "1", "2", "3"], "{report:?}");
    // Old and new containers of every slot answered.
    assert_eq!(report.replicas.len(), 4, "{report:?}");
    eprintln!(
        "gRPC rollout: apply {apply_took:.1?}; {} requests in {:.1?} ({:.0}/s), {} sent again unseen after a reload's GOAWAY",
        report.total,
        report.elapsed,
        report.per_second(),
        report.retried
    );
}

#[test]
fn a_replica_down_in_the_upstream_costs_no_grpc_request() {
    let fleet = TestFleet::with_grpc("grpc-down");
    fleet.write(&fleet.toml().gpus(&[0, 1, 2]));
    fleet.apply().run();
    // Warm nginx's keepalive connections to every replica first.
    let warm = grpc_load(&fleet, 4);
    warm.wait_for(100, Duration::from_secs(20));
    warm.stop().assert_clean(100);
    // Down, but still in the upstream: nginx only learns it by failing to reach it.
    docker(&["stop", "-t", "1", &format!("{}-gpu2", fleet.name)]);

    let traffic = grpc_load(&fleet, 4);
    traffic.wait_for(300, Duration::from_secs(30));
    let report = traffic.stop();
    report.assert_clean(300);
    let gpus: Vec<&str> = report.gpus.iter().map(String::as_str).collect();
    assert_eq!(gpus, ["0", "1"], "{report:?}");
}

#[test]
fn a_replica_crashing_under_grpc_load_costs_only_its_calls_in_flight() {
    const CLIENTS: u64 = 4;
    let fleet = TestFleet::with_grpc("grpc-crash");
    fleet.write(
        &fleet
            .toml()
            .gpus(&[0, 1, 2])
            .override_gpu(2, "args = [\"--stub_fail_after=50\"]"),
    );
    fleet.apply().run();
    let crashing = format!("{}-gpu2", fleet.name);

    let traffic = grpc_load(&fleet, CLIENTS as usize);
    // Each life of the crashing replica serves 50 predicts; wait for a few lives.
    let deadline = Instant::now() + Duration::from_secs(60);
    while restarts(&crashing) < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    traffic.wait_for(traffic.total() + 100, Duration::from_secs(20));
    let report = traffic.stop();
    let crashes = u64::from(restarts(&crashing));
    assert!(crashes >= 3, "{crashing} restarted only {crashes} times");
    assert!(report.total >= 300, "{report:?}");
    // Each client has one call outstanding: a crash can fail at most one per client.
    assert!(
        report.failed <= CLIENTS * crashes,
        "{} failed in {crashes} crashes:\n{}",
        report.failed,
        report.samples.join("\n")
    );
    for sample in &report.samples {
        assert!(
            sample.contains("Unavailable: no replica of the fleet answered"),
            "{sample}"
        );
    }
    let gpus: Vec<&str> = report.gpus.iter().map(String::as_str).collect();
    assert_eq!(gpus, ["0", "1", "2"], "{report:?}");
    eprintln!(
        "gRPC crash: {} of {} calls failed in {crashes} crashes",
        report.failed, report.total
    );
}
