//! Ctrl-C during apply stops between steps, leaves no half-written config
//! and no unready replica in the balancer's upstream, and the next apply
//! converges.

#[path = "support/fleet.rs"]
mod fleet;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fleet::TestFleet;

#[test]
fn ctrl_c_while_a_replica_loads_stops_the_apply_and_the_next_converges() {
    let fleet = TestFleet::new("ctrlc");
    fleet.write(
        &fleet
            .toml()
            .serving_args(&["--stub_load_delay_ms=8000"])
            .gpus(&[0, 1]),
    );
    let mut child = fleet
        .apply()
        .command()
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.starts_with("starting replica") {
            break;
        }
        line.clear();
    }
    assert!(seen.contains("starting replica"), "{seen}");
    let started = Instant::now();
    let signal = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}{rest}");
    assert!(
        rest.contains("interrupted (SIGINT): stopped between steps"),
        "{rest}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "Ctrl-C did not stop the wait for AVAILABLE"
    );
    // The balancer starts beside the replicas, but with an empty upstream
    // until they serve: whatever it runs now names no replica.
    assert_eq!(
        fleet.upstream_replicas(),
        Vec::<String>::new(),
        "the balancer lists a replica that never served"
    );

    fleet.apply().stdout_contains("Apply complete!").run();
    fleet.detailed_plan().run();
    assert_eq!(fleet.containers().len(), 3);
}
