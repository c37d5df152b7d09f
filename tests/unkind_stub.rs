//! The stub is as unkind as tensorflow/serving about `docker stop`: bash is
//! PID 1 (the image's entrypoint runs the server without `exec`) and the
//! server installs no SIGTERM handler, so a stop waits out its whole grace
//! period and kills. tfs therefore kills a replica once it is drained
//! instead of stopping it: Docker's events show each replica ended by
//! SIGKILL alone, never by a SIGTERM waited on, in a rollout and in destroy.

#[path = "support/fleet.rs"]
mod fleet;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fleet::{docker, docker_lines, TestFleet, STUB_IMAGE};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The signals Docker sent to the fleet's replicas between two instants:
/// one `NAME SIGNAL` line per `kill` event (a stop is a kill with the
/// stop signal, then one with 9 if the grace period ran out).
fn replica_kills(fleet: &TestFleet, since: u64) -> Vec<String> {
    let until = now() + 1;
    docker_lines(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &until.to_string(),
        "--filter",
        "event=kill",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
        "--filter",
        "label=tfs.role=replica",
        "--format",
        "{{.Actor.Attributes.name}} {{.Actor.Attributes.signal}}",
    ])
}

fn gpu_names(fleet: &TestFleet) -> Vec<String> {
    (0..4)
        .map(|gpu| format!("{}-gpu{gpu}", fleet.name))
        .collect()
}

#[test]
fn the_stub_runs_under_bash_and_ignores_sigterm() {
    let fleet = TestFleet::new("unkind");
    fleet.write(&fleet.toml().gpus(&[0]));
    fleet.apply().run();
    let replica = format!("{}-gpu0", fleet.name);
    let pid_one = docker_lines(&[
        "exec",
        &replica,
        "sh",
        "-c",
        "tr '\\0' ' ' </proc/1/cmdline",
    ])
    .join("");
    let program = pid_one.split(' ').next().unwrap_or("");
    assert!(program.ends_with("/bash"), "PID 1 is {pid_one:?}");
    assert!(
        pid_one.contains("tf_serving_entrypoint.sh"),
        "PID 1 is {pid_one:?}"
    );
    let server = docker_lines(&["exec", &replica, "sh", "-c", "cat /proc/[0-9]*/comm"]);
    assert!(
        server.iter().any(|c| c == "tensorflow_mode"),
        "no tensorflow_model_server process (comm is cut at 15): {server:?}"
    );
    let started = Instant::now();
    assert!(docker(&["stop", "-t", "3", &replica]).status.success());
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(3), "docker stop took {took:?}");
    let code = docker_lines(&["inspect", "-f", "{{.State.ExitCode}}", &replica]).join("");
    assert_eq!(code, "137", "killed after the grace period");
}

#[test]
fn a_rollout_and_destroy_kill_drained_replicas_without_waiting_for_sigterm() {
    let fleet = TestFleet::new("unkind-roll");
    let tag = format!("tfs-serving-stub:{}", fleet.name);
    assert!(docker(&["tag", STUB_IMAGE, &tag]).status.success());
    let toml = || {
        fleet
            .toml()
            .gpus(&[0, 1, 2, 3])
            .serving_args(&["--stub_load_delay_ms=1000"])
    };
    fleet.write(&toml());
    fleet.apply().run();

    let since = now();
    fleet.write(&toml().image(&tag));
    fleet.apply().stdout_contains("image changed").run();
    let mut kills = replica_kills(&fleet, since);
    kills.sort();
    let expected: Vec<String> = gpu_names(&fleet)
        .iter()
        .map(|name| format!("{name} 9"))
        .collect();
    assert_eq!(kills, expected, "each old replica killed once, no SIGTERM");

    let since = now();
    fleet.test().args(&["destroy", "--auto-approve"]).run();
    let mut kills = replica_kills(&fleet, since);
    kills.sort();
    assert_eq!(kills, expected, "destroy kills each replica, no SIGTERM");
    assert!(fleet.containers().is_empty());
    docker(&["rmi", &tag]);
}
