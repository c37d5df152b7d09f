//! SIGTERM (systemd, CI) and SIGINT (Ctrl-C) during apply, at several
//! points of a first apply and of a rollout: tfs stops at the next safe
//! point, says `interrupted`, leaves no container in the Created state,
//! releases the lock and exits 143 or 130; the next apply converges. A
//! second signal aborts at once, lock released all the same.

#[path = "support/fleet.rs"]
mod fleet;

use std::time::Duration;

use fleet::{docker_lines, TestFleet};

/// Containers of the fleet Docker has in the Created state.
fn created(fleet: &TestFleet) -> Vec<String> {
    docker_lines(&[
        "ps",
        "-a",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
        "--filter",
        "status=created",
        "--format",
        "{{.Names}}",
    ])
}

fn lock_files(fleet: &TestFleet) -> Vec<String> {
    match std::fs::read_dir(fleet.path("locks")) {
        Ok(entries) => entries
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Applies with tfs paused at `point`, sends `signal` there, and checks how tfs stopped.
#[track_caller]
fn signal_at(fleet: &TestFleet, point: &str, signal: &str, code: i32) {
    let mut paused = fleet.spawn_paused(&["apply", "--auto-approve"], point);
    paused.signal(signal);
    let (status, stderr) = paused.exit(Duration::from_secs(60));
    assert_eq!(status, Some(code), "{signal} at {point}:\n{stderr}");
    assert!(
        stderr.contains(&format!("interrupted (SIG{signal})")),
        "{signal} at {point}:\n{stderr}"
    );
    assert!(
        !stderr.contains(" failed"),
        "{signal} at {point} reads as a failure:\n{stderr}"
    );
    assert_eq!(created(fleet), Vec::<String>::new(), "{signal} at {point}");
    assert_eq!(
        lock_files(fleet),
        Vec::<String>::new(),
        "{signal} at {point}"
    );
    let next = fleet.apply().stdout_contains("Apply complete!").run();
    fleet
        .detailed_plan()
        .context(&format!(
            "after {signal} at {point}, the next apply:\n{}",
            next.stderr
        ))
        .run();
}

#[test]
fn sigterm_and_sigint_during_a_first_apply() {
    for (point, signal, code) in [
        ("network-created", "INT", 130),
        ("replica-created", "TERM", 143),
        ("replica-started", "INT", 130),
    ] {
        let fleet = TestFleet::with_own_locks("first");
        fleet.write(&fleet.toml().gpus(&[0, 1]));
        signal_at(&fleet, point, signal, code);
    }
}

#[test]
fn sigterm_and_sigint_during_a_rollout() {
    let fleet = TestFleet::with_own_locks("rollout");
    fleet.write(&fleet.toml().gpus(&[0, 1, 2]));
    fleet.apply().run();
    for (index, (point, signal, code)) in [
        ("replica-created", "TERM", 143),
        ("conf-written", "INT", 130),
        ("replica-started", "TERM", 143),
    ]
    .into_iter()
    .enumerate()
    {
        let generation = index.to_string();
        fleet.write(
            &fleet
                .toml()
                .gpus(&[0, 1, 2])
                .serving_env("GENERATION", &generation),
        );
        signal_at(&fleet, point, signal, code);
    }
}

#[test]
fn a_second_signal_aborts_at_once_and_releases_the_lock() {
    let mut fleet = TestFleet::with_own_locks("abort");
    // The pause outlasts the first signal, as a slow step would.
    fleet.set_env("TFS_PAUSE_HOLD", "1");
    fleet.write(&fleet.toml().gpus(&[0]));
    let mut paused = fleet.spawn_paused(&["apply", "--auto-approve"], "replica-started");
    paused.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    paused.signal("TERM");
    let (status, stderr) = paused.exit(Duration::from_secs(5));
    assert_eq!(status, Some(143), "{stderr}");
    assert!(stderr.contains("aborted at once"), "{stderr}");
    assert_eq!(lock_files(&fleet), Vec::<String>::new());
    fleet.apply().stdout_contains("Apply complete!").run();
    fleet.detailed_plan().run();
}
