//! One apply or destroy per fleet at a time: the second is refused with the
//! holder's pid, host and command; a dead holder's lock is taken over with a
//! warning; a corrupt lock file is refused; `tfs force-unlock` removes any;
//! `plan` takes no lock.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker_lines, TestFleet};

/// A fleet with its own lock directory, applied on GPU 0, then asked for GPU 1 too.
#[track_caller]
fn fleet(label: &str) -> TestFleet {
    let fleet = TestFleet::with_own_locks(label);
    fleet.write(&fleet.toml().gpus(&[0]));
    fleet.apply().run();
    fleet.write(&fleet.toml().gpus(&[0, 1]));
    fleet
}

/// Everything of the fleet's on the host: containers with id and state, networks.
fn snapshot(fleet: &TestFleet) -> Vec<String> {
    let filter = format!("label=tfs.fleet={}", fleet.name);
    let format = "{{.ID}} {{.Names}} {{.State}}";
    let mut state = docker_lines(&[
        "ps",
        "-a",
        "--no-trunc",
        "--filter",
        &filter,
        "--format",
        format,
    ]);
    state.extend(fleet.networks());
    state
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_second_apply_or_destroy_is_refused_and_changes_nothing() {
    let fleet = fleet("lock");
    let first = fleet.spawn_paused(&["apply", "--auto-approve"], "replica-started");
    let pid = first.0.id();
    let before = snapshot(&fleet);
    assert!(
        before.iter().any(|c| c.contains("-gpu1 running")),
        "{before:?}"
    );

    let holder = format!(
        "fleet \"{}\" is locked by {pid}@{} since ",
        fleet.name,
        hostname()
    );
    for args in [
        &["apply", "--auto-approve"][..],
        &["destroy", "--auto-approve"][..],
    ] {
        fleet
            .test()
            .args(args)
            .status(1)
            .stderr_contains(&holder)
            .stderr_contains("(tfs apply)")
            .run();
        assert_eq!(snapshot(&fleet), before, "tfs {args:?} changed the fleet");
    }
    // plan takes no lock; applying the plan it saves does.
    fleet
        .detailed_plan()
        .args(&["-o", "fleet.plan"])
        .status(2)
        .stderr_lacks("locked")
        .run();
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .status(1)
        .stderr_contains(&holder)
        .run();
    assert_eq!(snapshot(&fleet), before);

    drop(first); // kill -9
    fleet
        .apply()
        .stderr_contains(&format!(
            "took over the lock of fleet \"{}\" left by dead process {pid}@",
            fleet.name
        ))
        .run();
    fleet.detailed_plan().run();
    // The lock goes with the apply that held it.
    let left: Vec<_> = std::fs::read_dir(fleet.path("locks")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn force_unlock_removes_a_lock() {
    let fleet = fleet("unlock");
    let file = fleet.path("fleet.toml");
    let file = file.to_str().unwrap();
    let first = fleet.spawn_paused(&["apply", "--auto-approve"], "replica-started");
    let pid = first.0.id();
    drop(first);

    let removed = format!(
        "Removed the lock of fleet \"{}\", held by {pid}@",
        fleet.name
    );
    fleet
        .test()
        .args(&["force-unlock", "-f", file])
        .stdout_contains(&removed)
        .run();
    fleet
        .test()
        .args(&["force-unlock"])
        .stdout_contains("is not locked")
        .run();

    fleet.apply().stderr_lacks("took over").run();
    fleet.detailed_plan().run();
}

#[test]
fn a_lock_held_from_another_host_is_not_taken_over() {
    let fleet = fleet("lock-remote");
    std::fs::create_dir_all(fleet.path("locks")).unwrap();
    let holder =
        r#"{"pid":1,"host":"elsewhere","since":"2030-01-01T00:00:00Z","command":"tfs destroy"}"#;
    std::fs::write(fleet.path(&format!("locks/{}.lock", fleet.name)), holder).unwrap();
    let before = snapshot(&fleet);
    let message = format!(
        "fleet \"{}\" is locked by 1@elsewhere since 2030-01-01T00:00:00Z (tfs destroy)",
        fleet.name
    );
    fleet.apply().status(1).stderr_contains(&message).run();
    assert_eq!(snapshot(&fleet), before);
}

#[test]
fn a_corrupt_lock_file_is_refused_until_force_unlock_removes_it() {
    let fleet = fleet("lock-corrupt");
    std::fs::create_dir_all(fleet.path("locks")).unwrap();
    let lock = fleet.path(&format!("locks/{}.lock", fleet.name));
    std::fs::write(&lock, "{\"pid\": 12, garbage").unwrap();
    let before = snapshot(&fleet);
    let corrupt = format!("lock file {} is corrupt", lock.display());
    for args in [
        &["apply", "--auto-approve"][..],
        &["destroy", "--auto-approve"][..],
    ] {
        fleet
            .test()
            .args(args)
            .status(1)
            .stderr_contains(&corrupt)
            .stderr_contains("run `tfs force-unlock -f fleet.toml`")
            .stderr_lacks("took over")
            .run();
        assert_eq!(snapshot(&fleet), before, "tfs {args:?} changed the fleet");
    }
    assert!(lock.exists());
    fleet
        .test()
        .args(&["force-unlock"])
        .stdout_contains(&format!(
            "Removed the lock of fleet \"{}\" (the lock file {} was corrupt).",
            fleet.name,
            lock.display()
        ))
        .run();
    assert!(!lock.exists());
    fleet.apply().stderr_lacks("took over").run();
    fleet.detailed_plan().run();
}
