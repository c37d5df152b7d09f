//! A replica lost under load costs little: a `docker kill`ed replica (its
//! address gone from the fleet network) costs each nginx worker one short
//! connect timeout before it retries elsewhere, so no request takes even a
//! second; a paused replica (it accepts connections and never answers)
//! holds its requests for TF Serving's own REST timeout plus a margin, not
//! nginx's five minutes, and they are retried on the others.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::time::Duration;

use fleet::{docker, TestFleet};
use load::Load;

#[track_caller]
fn docker_ok(args: &[&str]) {
    let output = docker(args);
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_killed_replica_slows_no_request_to_a_second() {
    let fleet = TestFleet::new("killed");
    fleet.write(&fleet.toml().gpus(&[0, 1, 2]));
    fleet.apply().run();
    // Kept-alive clients: the kill is behind nginx, and a fresh connection
    // per request would add the host's own connection churn (ports in
    // TIME_WAIT, docker-proxy) to what is measured.
    let traffic = Load::start_keepalive(fleet.rest_port, 4);
    traffic.wait_for(200, Duration::from_secs(30));
    let killed_at = traffic.elapsed();
    docker_ok(&["kill", &format!("{}-gpu1", fleet.name)]);
    // Long enough for nginx to try the dead address again after fail_timeout.
    std::thread::sleep(Duration::from_secs(12));
    let report = traffic.stop();
    eprintln!(
        "killed replica: {} requests, slowest {:?} (sent at {:.2?}; the kill at {killed_at:.2?})",
        report.total, report.slowest, report.slowest_at
    );
    report.assert_clean(500);
    assert!(
        report.slowest < Duration::from_secs(1),
        "a request took {:?} with one replica killed (sent at {:.2?}; the kill at {killed_at:.2?})",
        report.slowest,
        report.slowest_at
    );
}

#[test]
fn a_paused_replica_holds_requests_for_the_rest_api_timeout_only() {
    let fleet = TestFleet::new("paused");
    // nginx's read timeout follows TF Serving's: 1 s here, plus 5 s of margin.
    fleet.write(
        &fleet
            .toml()
            .gpus(&[0, 1])
            .serving_args(&["--rest_api_timeout_in_ms=1000"]),
    );
    fleet.apply().run();
    let conf = String::from_utf8(
        docker(&[
            "exec",
            &format!("{}-balancer", fleet.name),
            "cat",
            "/etc/nginx/nginx.conf",
        ])
        .stdout,
    )
    .unwrap();
    assert!(conf.contains("proxy_read_timeout 6s;"), "{conf}");
    let traffic = Load::start_keepalive(fleet.rest_port, 4);
    traffic.wait_for(100, Duration::from_secs(30));
    let paused = format!("{}-gpu0", fleet.name);
    docker_ok(&["pause", &paused]);
    std::thread::sleep(Duration::from_secs(15));
    docker_ok(&["unpause", &paused]);
    let report = traffic.stop();
    eprintln!(
        "paused replica: {} requests, slowest {:?}",
        report.total, report.slowest
    );
    report.assert_clean(200);
    assert!(
        report.slowest < Duration::from_secs(8),
        "a request was held {:?} by the paused replica",
        report.slowest
    );
    assert!(
        report.slowest >= Duration::from_secs(5),
        "no request ever waited for the paused replica: {:?}",
        report.slowest
    );
}
