//! An apply that tfs must refuse leaves nothing behind: no network, no
//! container, half-made or not. Checked for an image that cannot be had, a
//! name held by a container that is not the fleet's, and a balancer
//! address something else already listens on.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, TestFleet, NGINX_IMAGE};

#[track_caller]
fn left_nothing(fleet: &TestFleet, seen: &str) {
    assert_eq!(fleet.containers(), Vec::<String>::new(), "{seen}");
    assert_eq!(fleet.networks(), Vec::<String>::new(), "{seen}");
}

#[test]
fn an_image_that_cannot_be_had_leaves_nothing_behind() {
    let fleet = TestFleet::new("noimage");
    fleet.write(
        &fleet
            .toml()
            .cpu(2)
            .image("tfs-no-such-image:never")
            .pull("never"),
    );
    let output = fleet
        .apply()
        .status(1)
        .stderr_contains("tfs-no-such-image:never")
        .run();
    left_nothing(&fleet, &output.stderr);
}

#[test]
fn a_name_clash_leaves_nothing_behind() {
    let fleet = TestFleet::new("clash");
    fleet.write(&fleet.toml().cpu(2));
    let stranger = format!("{}-cpu1", fleet.name);
    let run = docker(&[
        "create",
        "--name",
        &stranger,
        NGINX_IMAGE,
        "nginx",
        "-g",
        "daemon off;",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let output = fleet
        .apply()
        .status(1)
        .stderr_contains(&format!(
            "container \"{stranger}\" has a name the fleet uses"
        ))
        .run();
    let _ = docker(&["rm", "-f", &stranger]);
    left_nothing(&fleet, &output.stderr);
}

#[test]
fn a_balancer_address_in_use_leaves_nothing_behind() {
    let fleet = TestFleet::new("portused");
    let holder = std::net::TcpListener::bind(("127.0.0.1", fleet.rest_port)).unwrap();
    fleet.write(&fleet.toml().cpu(2));
    let output = fleet
        .apply()
        .status(1)
        .stderr_contains(&format!(
            "127.0.0.1:{} is already in use on this host",
            fleet.rest_port
        ))
        .run();
    drop(holder);
    left_nothing(&fleet, &output.stderr);
    fleet.apply().stdout_contains("Apply complete!").run();
}
