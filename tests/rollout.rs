//! Rolling replaces under traffic: waves of `max_unavailable` slots, each
//! out of the upstream before its old container goes and back only once the
//! new one is AVAILABLE; balancer-only changes reload nginx, never restart.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::collections::BTreeSet;
use std::time::Duration;

use fleet::{docker, docker_lines, TestFleet, NGINX_IMAGE, STUB_IMAGE};
use load::Load;

/// `docker inspect -f FORMAT` of each of the fleet's containers, by name.
fn inspect(fleet: &TestFleet, format: &str) -> Vec<(String, String)> {
    fleet
        .containers()
        .into_iter()
        .map(|name| {
            let value = docker_lines(&["inspect", "-f", format, &name]).join("\n");
            (name, value)
        })
        .collect()
}

/// Replays apply's progress (stderr) and checks the rolling protocol: a
/// replica is out of the upstream before its old container is removed, at
/// most `max_unavailable` are out at once, and every reload lists only
/// AVAILABLE replicas. Returns the largest number out at once.
fn check_rollout(stderr: &str, replicas: &[String], max_unavailable: usize) -> usize {
    let all: BTreeSet<String> = replicas.iter().cloned().collect();
    let mut upstream = all.clone();
    let mut available = all.clone();
    let (mut replaced, mut widest) = (BTreeSet::new(), 0);
    for line in stderr.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("✓ reloaded ") {
            let (_, members) = rest.split_once(": upstream ").expect("upstream list");
            upstream = members.split_whitespace().map(str::to_string).collect();
            let unready: Vec<_> = upstream.difference(&available).collect();
            assert!(unready.is_empty(), "upstream lists {unready:?}:\n{stderr}");
            let out = all.difference(&upstream).count();
            assert!(out <= max_unavailable, "{out} slots out at once:\n{stderr}");
            widest = widest.max(out);
        } else if let Some(rest) = line.strip_prefix("removing old replica ") {
            let name = rest.trim_end_matches('.').to_string();
            assert!(
                !upstream.contains(&name),
                "{name} removed while served:\n{stderr}"
            );
            available.remove(&name);
            replaced.insert(name);
        } else if let Some(rest) = line.strip_prefix("✓ replica ") {
            let name = rest.split_whitespace().next().unwrap().to_string();
            if line.contains(" is AVAILABLE") {
                available.insert(name);
            }
        }
    }
    assert_eq!(replaced, all, "not every replica was replaced:\n{stderr}");
    assert_eq!(
        upstream, all,
        "the last upstream is not the whole fleet:\n{stderr}"
    );
    widest
}

fn replica_names(fleet: &TestFleet, gpus: &[u32]) -> Vec<String> {
    gpus.iter()
        .map(|g| format!("{}-gpu{g}", fleet.name))
        .collect()
}

#[test]
fn image_change_on_four_gpus_rolls_with_no_failed_request() {
    let fleet = TestFleet::new("roll-image");
    let tag = format!("tfs-serving-stub:{}", fleet.name);
    assert!(docker(&["tag", STUB_IMAGE, &tag]).status.success());
    fleet.write(&fleet.toml().gpus(&[0, 1, 2, 3]));
    fleet.apply().run();
    let before = inspect(&fleet, "{{.Id}} {{.State.StartedAt}}");

    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(40, Duration::from_secs(20));
    fleet.write(&fleet.toml().image(&tag).gpus(&[0, 1, 2, 3]));
    let apply = fleet.apply();
    let applied = apply.output();
    traffic.wait_for(traffic.total() + 40, Duration::from_secs(20));
    let report = traffic.stop();
    docker(&["rmi", &tag]);
    let apply = apply.check(applied);
    report.assert_clean(200);
    assert_eq!(report.gpus_seen(), ["0", "1", "2", "3"], "{report:?}");
    let names = replica_names(&fleet, &[0, 1, 2, 3]);
    assert_eq!(check_rollout(&apply.stderr, &names, 1), 1);

    let after = inspect(&fleet, "{{.Id}} {{.State.StartedAt}}");
    let balancer = format!("{}-balancer", fleet.name);
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        if *name == balancer {
            assert_eq!(old, new, "the balancer was restarted");
        } else {
            assert_ne!(old, new, "{name} was not replaced");
        }
    }
    let images = inspect(&fleet, "{{.Config.Image}}");
    assert!(images
        .iter()
        .filter(|(n, _)| *n != balancer)
        .all(|(_, i)| *i == tag));
    fleet.detailed_plan().run();
}

#[test]
fn waves_of_max_unavailable_slots() {
    let fleet = TestFleet::new("roll-waves");
    let toml = fleet
        .toml()
        .gpus(&[0, 1, 2, 3])
        .rollout("max_unavailable = 2\ndrain_timeout = \"10s\"");
    fleet.write(&toml);
    fleet.apply().run();

    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(40, Duration::from_secs(20));
    fleet.write(&toml.serving_args(&["--stub_latency_ms=2"]));
    let apply = fleet.apply();
    let applied = apply.output();
    let report = traffic.stop();
    let apply = apply.check(applied);
    report.assert_clean(100);
    let names = replica_names(&fleet, &[0, 1, 2, 3]);
    assert_eq!(
        check_rollout(&apply.stderr, &names, 2),
        2,
        "{}",
        apply.stderr
    );
    fleet.detailed_plan().run();
}

/// With no retries and slow predicts, only draining keeps the requests that a
/// slot holds when it is taken out from failing.
#[test]
fn in_flight_requests_finish_before_the_old_replica_goes() {
    let fleet = TestFleet::new("roll-drain");
    let toml = fleet
        .toml()
        .serving_args(&["--stub_latency_ms=800"])
        .gpus(&[0, 1])
        .retries(0);
    fleet.write(&toml);
    fleet.apply().run();

    let traffic = Load::start(fleet.rest_port, 6);
    traffic.wait_for(12, Duration::from_secs(20));
    fleet.write(&toml.serving_env("ROLLOUT", "2"));
    let apply = fleet.apply();
    let applied = apply.output();
    let report = traffic.stop();
    apply.check(applied);
    report.assert_clean(20);
}

#[test]
fn a_one_replica_fleet_is_told_the_replace_causes_downtime() {
    let fleet = TestFleet::new("roll-one");
    fleet.write(&fleet.toml().gpus(&[0]));
    fleet.apply().run();
    let changed = fleet.toml().serving_args(&["--stub_latency_ms=1"]);
    fleet.write(&changed.clone().gpus(&[0]));
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains("causes downtime")
        .run();

    fleet.write(&changed.gpus(&[0, 1]));
    fleet
        .test()
        .args(&["plan"])
        .stdout_lacks("causes downtime")
        .run();
}

#[test]
fn balancer_only_changes_reload_and_restart_nothing() {
    let fleet = TestFleet::new("roll-lb");
    let toml = fleet.toml().gpus(&[0, 1]);
    fleet.write(&toml);
    fleet.apply().run();
    let before = inspect(&fleet, "{{.Id}} {{.State.StartedAt}} {{.RestartCount}}");
    let balancer = format!("{}-balancer", fleet.name);
    let pid = || docker_lines(&["exec", &balancer, "cat", "/var/run/nginx.pid"]);
    let master = pid();

    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(40, Duration::from_secs(20));
    fleet.write(
        &toml
            .override_gpu(1, "weight = 3")
            .strategy("round_robin")
            .retries(4),
    );
    fleet
        .test()
        .args(&["plan"])
        .stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.")
        .run();
    let apply = fleet.apply().stderr_contains("reloaded");
    let applied = apply.output();
    let report = traffic.stop();
    apply.check(applied);
    report.assert_clean(40);

    assert_eq!(
        inspect(&fleet, "{{.Id}} {{.State.StartedAt}} {{.RestartCount}}"),
        before
    );
    assert_eq!(pid(), master, "nginx's master process changed");
    let conf = docker_lines(&["exec", &balancer, "cat", "/etc/nginx/nginx.conf"]).join("\n");
    assert!(!conf.contains("least_conn"), "{conf}");
    assert!(conf.contains("proxy_next_upstream_tries 5;"), "{conf}");
    assert!(
        conf.contains(&format!("{}-gpu1:8501 weight=3", fleet.name)),
        "{conf}"
    );
    fleet.detailed_plan().run();
}

/// The old balancer serves until it is swapped at the end: the replicas
/// behind it must still roll slot by slot, so that the only failures are the
/// refused connections of the swap itself, never an answer from nginx with
/// no replica left to serve.
#[test]
fn replicas_roll_in_waves_while_a_replaced_balancer_still_serves() {
    let fleet = TestFleet::new("roll-swap");
    let nginx = format!("tfs-nginx:{}", fleet.name);
    assert!(docker(&["tag", NGINX_IMAGE, &nginx]).status.success());
    fleet.write(&fleet.toml().gpus(&[0, 1, 2]));
    fleet.apply().run();

    let traffic = Load::start(fleet.rest_port, 3);
    traffic.wait_for(30, Duration::from_secs(20));
    fleet.write(
        &fleet
            .toml()
            .serving_args(&["--stub_load_delay_ms=2000"])
            .gpus(&[0, 1, 2])
            .balancer_image(&nginx),
    );
    let apply = fleet.apply();
    let applied = apply.output();
    traffic.wait_for(traffic.total() + 30, Duration::from_secs(20));
    let report = traffic.stop();
    docker(&["rmi", &nginx]);
    let apply = apply.check(applied);
    assert!(
        report.statuses.is_empty(),
        "answers with an error status {:?} (of {} requests); first failures:\n{}\n{}",
        report.statuses,
        report.total,
        report.samples.join("\n"),
        apply.stderr
    );
    fleet.detailed_plan().run();
}

/// Requests longer than `drain_timeout` do not hold the rollout up.
#[test]
fn drain_timeout_bounds_the_wait_for_in_flight_requests() {
    let fleet = TestFleet::new("roll-drain-limit");
    let toml = fleet
        .toml()
        .serving_args(&["--stub_latency_ms=10000"])
        .gpus(&[0, 1])
        .rollout("drain_timeout = \"1s\"");
    fleet.write(&toml);
    fleet.apply().run();
    let traffic = Load::start(fleet.rest_port, 4);
    std::thread::sleep(Duration::from_secs(1));
    fleet.write(&toml.serving_env("ROLLOUT", "2"));
    let apply = fleet.apply();
    let started = std::time::Instant::now();
    let applied = apply.output();
    let took = started.elapsed();
    drop(traffic);
    apply.check(applied);
    // Waiting out the 10 s requests would take at least 2 × 10 s (two waves);
    // the bound leaves room for a loaded machine.
    assert!(took < Duration::from_secs(18), "apply took {took:?}");
}
