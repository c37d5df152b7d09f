//! `kill -9` of tfs at named points of an apply (`TFS_PAUSE_AT`): the next
//! apply converges, the plan after it is empty, every slot has exactly one
//! container, the balancer's config passes `nginx -t`, and traffic running
//! throughout sees no failed request.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::collections::BTreeSet;
use std::time::Duration;

use fleet::{docker, docker_lines, FleetToml, TestFleet, APPLY};
use load::Load;

fn balancer(fleet: &TestFleet) -> String {
    format!("{}-balancer", fleet.name)
}

fn nginx_test(fleet: &TestFleet) {
    let test = docker(&["exec", &balancer(fleet), "nginx", "-t"]);
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );
}

/// The next apply converges: empty plan after it, one running container per
/// slot plus the balancer, a valid nginx config, every GPU answering.
#[track_caller]
fn converges(fleet: &TestFleet, gpus: &[u32]) {
    let apply = fleet.apply().run();
    fleet
        .detailed_plan()
        .context(&format!("the apply before:\n{}", apply.stderr))
        .run();
    let filter = format!("label=tfs.fleet={}", fleet.name);
    let format = r#"{{.Label "tfs.role"}} {{.Label "tfs.slot"}} {{.State}}"#;
    let found = docker_lines(&["ps", "-a", "--filter", &filter, "--format", format]);
    let mut wanted: Vec<String> = gpus
        .iter()
        .map(|gpu| format!("replica gpu{gpu} running"))
        .collect();
    wanted.push("balancer  running".to_string());
    wanted.sort();
    assert_eq!(found, wanted, "{}", apply.stderr);
    assert_eq!(fleet.networks(), [format!("{}-net", fleet.name)]);
    nginx_test(fleet);
    let answering: BTreeSet<String> = (0..10 * gpus.len())
        .map(|_| fleet.predict("half_plus_two", load::BODY))
        .inspect(|(status, body, _, _)| assert_eq!(*status, 200, "{body}"))
        .map(|(_, _, gpu, _)| gpu)
        .collect();
    assert_eq!(answering, gpus.iter().map(u32::to_string).collect());
}

#[test]
fn killed_after_creating_the_network() {
    let fleet = TestFleet::with_own_locks("kill-net");
    fleet.write(&fleet.toml().gpus(&[0, 1]));
    drop(fleet.spawn_paused(APPLY, "network-created"));
    assert_eq!(fleet.networks().len(), 1);
    assert!(fleet.containers().is_empty(), "{:?}", fleet.containers());
    converges(&fleet, &[0, 1]);
}

#[test]
fn killed_after_the_first_replica_started() {
    let fleet = TestFleet::with_own_locks("kill-first");
    fleet.write(&fleet.toml().gpus(&[0, 1]));
    drop(fleet.spawn_paused(APPLY, "replica-started"));
    let containers = fleet.containers();
    assert!(!containers.is_empty(), "no replica was started");
    // The balancer may have started beside the replicas, its upstream empty.
    assert_eq!(fleet.upstream_replicas(), Vec::<String>::new());
    converges(&fleet, &[0, 1]);
}

/// Runs `point` of the apply from `from` to `to` under traffic, kills tfs
/// there, then converges.
#[track_caller]
fn killed_under_traffic(
    fleet: &TestFleet,
    from: &FleetToml,
    to: &FleetToml,
    point: &str,
    gpus: &[u32],
) {
    fleet.write(from);
    fleet.apply().run();
    let traffic = Load::start(fleet.rest_port, 3);
    traffic.wait_for(30, Duration::from_secs(20));
    fleet.write(to);
    drop(fleet.spawn_paused(APPLY, point));
    nginx_test(fleet);
    traffic.wait_for(traffic.total() + 30, Duration::from_secs(20));
    converges(fleet, gpus);
    traffic.wait_for(traffic.total() + 30, Duration::from_secs(20));
    traffic.stop().assert_clean(90);
}

#[test]
fn killed_in_a_rollout_after_the_new_replica_started() {
    let fleet = TestFleet::with_own_locks("kill-roll");
    let from = fleet.toml().gpus(&[0, 1, 2]);
    let to = from.clone().serving_args(&["--stub_latency_ms=1"]);
    killed_under_traffic(&fleet, &from, &to, "replica-started", &[0, 1, 2]);
}

#[test]
fn killed_in_a_rollout_between_moving_and_loading_the_conf() {
    let fleet = TestFleet::with_own_locks("kill-roll-moved");
    let from = fleet.toml().gpus(&[0, 1]);
    let to = from.clone().serving_args(&["--stub_latency_ms=1"]);
    killed_under_traffic(&fleet, &from, &to, "conf-moved", &[0, 1]);
}

#[test]
fn killed_in_a_balancer_reload_after_writing_the_candidate_conf() {
    let fleet = TestFleet::with_own_locks("kill-written");
    let from = fleet.toml().gpus(&[0, 1]).strategy("least_conn");
    let to = from.clone().strategy("round_robin");
    killed_under_traffic(&fleet, &from, &to, "conf-written", &[0, 1]);
    let conf = docker_lines(&["exec", &balancer(&fleet), "cat", "/etc/nginx/nginx.conf"]);
    assert!(!conf.iter().any(|l| l.contains("least_conn")), "{conf:?}");
}

#[test]
fn killed_in_a_balancer_reload_after_moving_the_conf_in() {
    let fleet = TestFleet::with_own_locks("kill-moved");
    let from = fleet.toml().gpus(&[0, 1]);
    let to = from.clone().gpus(&[0, 1, 2]);
    killed_under_traffic(&fleet, &from, &to, "conf-moved", &[0, 1, 2]);
}

/// GPUs answering predicts after a restart of the balancer container, which
/// makes nginx load the nginx.conf on disk.
fn gpus_after_balancer_restart(fleet: &TestFleet, predicts: usize) -> BTreeSet<String> {
    assert!(docker(&["restart", &balancer(fleet)]).status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while fleet.predict("half_plus_two", load::BODY).0 != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "no answer after restart"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (0..predicts)
        .map(|_| fleet.predict("half_plus_two", load::BODY).2)
        .collect()
}

/// Applies GPUs 0 and 1, kills the apply towards (`gpus`, `args`) once its
/// config is moved in but not loaded, then goes back: the next apply must
/// leave nginx.conf what nginx serves, valid, and whole after a restart.
#[track_caller]
fn killed_at_conf_moved_then_reverted(label: &str, gpus: &[u32], args: &[&str]) {
    let fleet = TestFleet::with_own_locks(label);
    let from = fleet.toml().gpus(&[0, 1]);
    fleet.write(&from);
    fleet.apply().run();
    fleet.write(&from.clone().serving_args(args).gpus(gpus));
    drop(fleet.spawn_paused(APPLY, "conf-moved"));
    fleet.write(&from);
    converges(&fleet, &[0, 1]);
    let answering = gpus_after_balancer_restart(&fleet, 20);
    assert_eq!(
        answering,
        ["0", "1"].map(String::from).into(),
        "after a restart the balancer serves a stale nginx.conf, though plan says no changes"
    );
}

/// Killed while a rollout's first take-out config is moved in, then reverted.
#[test]
fn killed_between_moving_and_loading_a_take_out_then_fleet_toml_reverted() {
    killed_at_conf_moved_then_reverted("kill-revert", &[0, 1], &["--stub_latency_ms=1"]);
}

/// Killed while the config with a new GPU 2 is moved in, then reverted to
/// GPUs 0 and 1: the config on disk must not name the removed replica.
#[test]
fn killed_between_moving_and_loading_an_added_replica_then_fleet_toml_reverted() {
    killed_at_conf_moved_then_reverted("kill-revert-add", &[0, 1, 2], &[]);
}

/// Killed right after a slow-loading new replica started: the next apply
/// must not put it back in the upstream before its models are AVAILABLE.
#[test]
fn killed_while_the_new_replica_loads() {
    let fleet = TestFleet::with_own_locks("kill-loading");
    let from = fleet.toml().gpus(&[0, 1, 2]);
    fleet.write(&from);
    fleet.apply().run();
    let traffic = Load::start(fleet.rest_port, 3);
    traffic.wait_for(30, Duration::from_secs(20));
    fleet.write(&from.serving_args(&["--stub_load_delay_ms=5000"]));
    drop(fleet.spawn_paused(APPLY, "replica-started"));
    converges(&fleet, &[0, 1, 2]);
    traffic.stop().assert_clean(60);
}
