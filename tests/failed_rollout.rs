//! Rollouts that fail: a new replica that never becomes AVAILABLE, or that
//! exits. The rollout stops, the failed slot gets its previous spec back,
//! the untouched slots keep serving, and no request fails meanwhile.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use fleet::{docker_lines, FleetToml, TestFleet};
use load::Load;

/// Per replica: id, image, args, config-hash label and state.
fn replicas(fleet: &TestFleet) -> Vec<(String, [String; 5])> {
    let format = r#"{{.Id}}|{{.Config.Image}}|{{json .Args}}|{{index .Config.Labels "tfs.config-hash"}}|{{.State.Status}}"#;
    fleet
        .containers()
        .into_iter()
        .filter(|name| !name.ends_with("-balancer"))
        .map(|name| {
            let line = docker_lines(&["inspect", "-f", format, &name]).join("");
            let parts: Vec<String> = line.split('|').map(str::to_string).collect();
            (name, parts.try_into().expect("five fields"))
        })
        .collect()
}

/// Every reload in apply's progress lists only replicas that are AVAILABLE.
fn upstream_only_available(stderr: &str, names: &[String]) {
    let mut available: BTreeSet<String> = names.iter().cloned().collect();
    for line in stderr.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("removing ") {
            available.remove(
                rest.split_whitespace()
                    .last()
                    .unwrap()
                    .trim_end_matches('.'),
            );
        } else if let Some(rest) = line.strip_prefix("✓ replica ") {
            if rest.contains(" is AVAILABLE") {
                available.insert(rest.split_whitespace().next().unwrap().to_string());
            }
        } else if let Some((_, members)) = line.split_once(": upstream ") {
            for member in members.split_whitespace() {
                assert!(
                    available.contains(member),
                    "{member} not AVAILABLE:\n{stderr}"
                );
            }
        }
    }
}

/// GPUs that answer predicts through the balancer now.
fn gpus_answering(fleet: &TestFleet) -> BTreeSet<String> {
    (0..40)
        .map(|_| fleet.predict("half_plus_two", load::BODY))
        .inspect(|(status, body, _, _)| assert_eq!(*status, 200, "{body}"))
        .map(|(_, _, gpu, _)| gpu)
        .collect()
}

/// What a failed rollout is asked and expected to do.
struct Case<'a> {
    label: &'a str,
    gpus: &'a [u32],
    /// What the failing fleet.toml changes.
    change: fn(FleetToml) -> FleetToml,
    timeout: &'a str,
    /// Slots that must be back on their previous spec.
    restored: &'a [u32],
    /// Slots that must run the new spec (replaced before the failure).
    replaced: &'a [u32],
}

/// Rolls the case out to a fleet under load; checks that it fails, that the
/// slots are restored, replaced or untouched as expected, returns apply's stderr.
#[track_caller]
fn failed_rollout(case: &Case) -> String {
    let fleet = TestFleet::new(case.label);
    fleet.write(&fleet.toml().gpus(case.gpus));
    fleet.apply().run();
    let before = replicas(&fleet);

    let traffic = Load::start(fleet.rest_port, 3);
    traffic.wait_for(40, Duration::from_secs(20));
    fleet.write(&(case.change)(fleet.toml().gpus(case.gpus)));
    let apply = fleet
        .test()
        .args(&["apply", "--auto-approve", "--timeout", case.timeout])
        .failure();
    let started = Instant::now();
    let output = apply.output();
    let took = started.elapsed();
    traffic.wait_for(traffic.total() + 40, Duration::from_secs(20));
    let report = traffic.stop();

    let apply = apply.check(output);
    assert!(took < Duration::from_secs(50), "apply took {took:?}");
    report.assert_clean(200);
    let after = replicas(&fleet);
    let slot =
        |name: &str, set: &[u32]| set.iter().any(|g| name == format!("{}-gpu{g}", fleet.name));
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        assert_eq!(new[4], "running", "{name}");
        if slot(name, case.restored) {
            assert_ne!(old[0], new[0], "{name} was not replaced");
            assert_eq!(
                old[1..],
                new[1..],
                "{name} is not back to its previous spec"
            );
        } else if slot(name, case.replaced) {
            assert_ne!(old[3], new[3], "{name} does not run the new spec");
        } else {
            assert_eq!(old, new, "{name} was touched");
        }
        if !slot(name, case.restored) {
            assert!(
                !apply.stderr.contains(&format!("{name} failed")),
                "{}",
                apply.stderr
            );
        }
    }
    let expected: BTreeSet<String> = case.gpus.iter().map(u32::to_string).collect();
    assert_eq!(gpus_answering(&fleet), expected);
    let names: Vec<String> = before.iter().map(|(n, _)| n.clone()).collect();
    upstream_only_available(&apply.stderr, &names);
    // The failed spec is still what fleet.toml asks for.
    fleet.detailed_plan().status(2).run();
    for gpu in case.restored {
        let name = format!("{}-gpu{gpu}", fleet.name);
        assert!(
            apply.stderr.contains(&format!("replica {name} failed")),
            "{}",
            apply.stderr
        );
    }
    apply.stderr
}

#[test]
fn a_replica_that_never_becomes_available_is_rolled_back() {
    let stderr = failed_rollout(&Case {
        label: "never-ready",
        gpus: &[0, 1, 2, 3],
        change: |toml| toml.serving_args(&["--stub_never_ready"]),
        timeout: "15",
        restored: &[0],
        replaced: &[],
    });
    assert!(stderr.contains("was not AVAILABLE after 15s"), "{stderr}");
    // The failing container's last log lines.
    assert!(stderr.contains("Loading servable version"), "{stderr}");
}

#[test]
fn a_replica_that_exits_is_rolled_back_without_waiting_for_the_timeout() {
    let stderr = failed_rollout(&Case {
        label: "exits",
        gpus: &[0, 1, 2],
        change: |toml| toml.serving_args(&["--no_such_flag"]),
        timeout: "100",
        restored: &[0],
        replaced: &[],
    });
    let log_line = "Unknown command line flag 'no_such_flag'";
    assert!(stderr.contains(log_line), "{stderr}");
}

/// GPU 0 takes the new spec, GPU 1 fails it: the rollout stops there and
/// GPU 2 keeps the old spec.
#[test]
fn the_rollout_stops_at_the_failing_slot() {
    failed_rollout(&Case {
        label: "stops",
        gpus: &[0, 1, 2],
        change: |toml| {
            toml.override_gpu(0, "env = { WAVE = \"2\" }")
                .override_gpu(1, "env = { WAVE = \"2\" }\nargs = [\"--stub_never_ready\"]")
                .override_gpu(2, "env = { WAVE = \"2\" }")
        },
        timeout: "10",
        restored: &[1],
        replaced: &[0],
    });
}

#[test]
fn a_failed_wave_of_two_restores_both() {
    failed_rollout(&Case {
        label: "wave-two",
        gpus: &[0, 1, 2, 3],
        change: |toml| {
            toml.serving_args(&["--stub_never_ready"])
                .rollout("max_unavailable = 2")
        },
        timeout: "10",
        restored: &[0, 1],
        replaced: &[],
    });
}
