//! A replica that crashes under traffic (the stub's `--stub_fail_after`):
//! nginx retries its requests, POST predict included, on the replicas that
//! still answer, and Docker restarts it; no request fails.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::time::{Duration, Instant};

use fleet::{restarts, TestFleet};
use load::Load;

#[test]
fn a_replica_crashing_under_traffic_costs_no_request() {
    let fleet = TestFleet::new("crash");
    fleet.write(
        &fleet
            .toml()
            .gpus(&[0, 1, 2])
            .override_gpu(2, "args = [\"--stub_fail_after=50\"]"),
    );
    fleet.apply().run();
    let crashing = format!("{}-gpu2", fleet.name);
    assert_eq!(restarts(&crashing), 0);

    let traffic = Load::start(fleet.rest_port, 4);
    // Each life of the crashing replica serves 50 predicts; wait for a few lives.
    let deadline = Instant::now() + Duration::from_secs(60);
    while restarts(&crashing) < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    traffic.wait_for(traffic.total() + 100, Duration::from_secs(20));
    let report = traffic.stop();
    let crashes = restarts(&crashing);
    assert!(crashes >= 3, "{crashing} restarted only {crashes} times");
    report.assert_clean(300);
    assert_eq!(report.gpus_seen(), ["0", "1", "2"], "{report:?}");
    let logs = fleet::docker(&["logs", &crashing]);
    let logs =
        String::from_utf8_lossy(&logs.stderr).to_string() + &String::from_utf8_lossy(&logs.stdout);
    assert!(logs.contains("--stub_fail_after=50 reached"), "{logs}");
}
