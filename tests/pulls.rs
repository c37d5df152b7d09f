//! Real pulls from the registries tests/env/setup runs on loopback: the
//! open one at 127.0.0.1:5000 and the one at 127.0.0.1:5001 that wants
//! `tfs` / `tfs-test`. Each test pushes its own tags (with the docker CLI),
//! removes them from the host and lets tfs pull them.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;
#[path = "support/registry.rs"]
mod registry;

use std::process::Command;
use std::time::Duration;

use fleet::{docker, docker_lines, TestFleet, APPLY, NGINX_IMAGE, STUB_IMAGE};
use load::Load;
use registry::{
    build_new_release, build_release_of, docker_as, logged_in, logged_out, push, Cleanup, AUTH,
    OPEN,
};

/// The ids of the fleet's containers, to show nothing was touched.
fn container_ids(fleet: &TestFleet) -> Vec<String> {
    docker_lines(&[
        "ps",
        "-aq",
        "--no-trunc",
        "--filter",
        &format!("label=tfs.fleet={}", fleet.name),
    ])
}

#[test]
fn a_missing_image_is_pulled_with_plain_progress_lines() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-missing");
    let reference = images.add(&format!("{OPEN}/tfs-test/stub:{}", fleet.name));
    push(STUB_IMAGE, &reference, None);
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));
    let applied = fleet
        .apply()
        .env(
            "DOCKER_CONFIG",
            logged_out(fleet.directory.path()).to_str().unwrap(),
        )
        .stderr_contains(&format!("pulling {reference}: "))
        .stderr_contains(&format!("✓ pulled {reference}"))
        .stderr_lacks("█")
        .run();
    assert!(applied.stderr.contains(" layers"), "{}", applied.stderr);
    fleet.detailed_plan().run();
}

#[test]
fn an_unknown_tag_is_refused_before_anything_changes() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-unknown");
    fleet.write(&fleet.toml().cpu(1));
    fleet.apply().run();
    let before = container_ids(&fleet);
    let reference = images.add(&format!("{OPEN}/tfs-test/stub:no-such-tag-{}", fleet.name));
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));
    fleet
        .apply()
        .status(1)
        .stderr_contains(&format!("cannot pull {reference} from {OPEN}"))
        .stderr_contains("manifest unknown")
        .stderr_contains("hint:")
        .run();
    assert_eq!(container_ids(&fleet), before, "a container was touched");
}

#[test]
fn an_unreachable_registry_is_refused_before_anything_changes() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-unreachable");
    let port = fleet::free_port();
    let reference = images.add(&format!("127.0.0.1:{port}/tfs-test/stub:x"));
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));
    fleet
        .apply()
        .status(1)
        .stderr_contains(&format!("cannot pull {reference} from 127.0.0.1:{port}"))
        .stderr_contains("connection refused")
        .run();
    assert!(fleet.containers().is_empty(), "{:?}", fleet.containers());
    assert!(fleet.networks().is_empty());
}

#[test]
fn the_auth_registry_takes_credentials_from_docker_config() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-auth");
    let reference = images.add(&format!("{AUTH}/tfs-test/stub:{}", fleet.name));
    let config = logged_in(fleet.directory.path());
    push(STUB_IMAGE, &reference, Some(&config));
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));

    let refused = fleet
        .apply()
        .env(
            "DOCKER_CONFIG",
            logged_out(fleet.directory.path()).to_str().unwrap(),
        )
        .status(1)
        .stderr_contains(&format!("cannot pull {reference} from {AUTH}"))
        .stderr_contains("no basic auth credentials")
        .stderr_contains(&format!("`docker login {AUTH}` fixes it"))
        .run();
    assert!(fleet.containers().is_empty(), "{}", refused.stderr);
    assert!(fleet.networks().is_empty());

    let wrong = fleet.path("wrong-docker-config");
    std::fs::create_dir_all(&wrong).unwrap();
    // base64("tfs:wrong")
    let config_text = format!(r#"{{"auths":{{"{AUTH}":{{"auth":"dGZzOndyb25n"}}}}}}"#);
    std::fs::write(wrong.join("config.json"), config_text).unwrap();
    let denied = fleet
        .apply()
        .env("DOCKER_CONFIG", wrong.to_str().unwrap())
        .status(1)
        .stderr_contains(&format!("cannot pull {reference} from {AUTH}"))
        .stderr_contains("authentication required")
        .stderr_contains("refused the credentials found for it")
        .run();
    assert!(fleet.containers().is_empty(), "{}", denied.stderr);

    fleet
        .apply()
        .env("DOCKER_CONFIG", config.to_str().unwrap())
        .stderr_contains(&format!("✓ pulled {reference}"))
        .run();
}

#[test]
fn a_credential_helper_is_asked_for_the_auth_registry() {
    with_a_credential_helper(
        "pull-helper",
        &format!(r#"{{"credHelpers":{{"{AUTH}":"tfstest"}}}}"#),
    );
}

#[test]
fn the_credentials_store_is_asked_for_the_auth_registry() {
    with_a_credential_helper(
        "pull-store",
        r#"{"credsStore":"tfstest","auths":{"127.0.0.1:5001":{}}}"#,
    );
}

/// Pulls from the auth registry with `config` as config.json and a
/// `docker-credential-tfstest` on the PATH that knows the password.
fn with_a_credential_helper(label: &str, config_json: &str) {
    let images = Cleanup::default();
    let mut fleet = TestFleet::new(label);
    let reference = images.add(&format!("{AUTH}/tfs-test/stub:{}", fleet.name));
    push(
        STUB_IMAGE,
        &reference,
        Some(&logged_in(fleet.directory.path())),
    );
    let bin = fleet.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-tfstest");
    std::fs::write(
        &helper,
        "#!/bin/sh\nread server\necho \"$server\" >> \"$(dirname \"$0\")/asked\"\necho '{\"ServerURL\":\"'\"$server\"'\",\"Username\":\"tfs\",\"Secret\":\"tfs-test\"}'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = fleet.path("helper-config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.json"), config_json).unwrap();
    fleet.path_prepend(&bin);
    fleet.set_env("DOCKER_CONFIG", config.to_str().unwrap());
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));
    fleet.apply().run();
    let asked = std::fs::read_to_string(bin.join("asked")).unwrap();
    assert_eq!(asked.trim(), AUTH);
}

#[test]
fn a_moved_tag_is_planned_by_digest_and_rolled_out_under_load() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-moved");
    let reference = images.add(&format!("{OPEN}/tfs-test/stub:{}", fleet.name));
    let balancer = images.add(&format!("{OPEN}/tfs-test/nginx:{}", fleet.name));
    push(STUB_IMAGE, &reference, None);
    push(NGINX_IMAGE, &balancer, None);
    let toml = fleet
        .toml()
        .cpu(2)
        .image(&reference)
        .balancer_image(&balancer)
        .pull("always");
    fleet.write(&toml);
    fleet.apply().run();
    fleet.detailed_plan().stdout_lacks("image changed").run();

    build_new_release(&reference, 64 * 1024, fleet.directory.path());
    docker_as(None, &["push", "-q", &reference]);
    docker_as(None, &["rmi", &reference]);
    let planned = fleet
        .detailed_plan()
        .status(2)
        .stdout_contains(&format!("image changed: {reference} now points to sha256:"))
        .stdout_contains("(running sha256:")
        .stdout_contains("digest")
        .run();
    assert!(
        !planned
            .stdout
            .contains(&format!("balancer {}-balancer", fleet.name)),
        "the balancer's tag did not move:\n{}",
        planned.stdout
    );

    let traffic = Load::start(fleet.rest_port, 4);
    traffic.wait_for(40, Duration::from_secs(20));
    let apply = fleet.apply();
    let applied = apply.output();
    traffic.wait_for(traffic.total() + 40, Duration::from_secs(20));
    let report = traffic.stop();
    apply
        .stderr_contains(&format!("✓ pulled {reference}"))
        .check(applied);
    report.assert_clean(80);
    fleet.detailed_plan().run();
    let release = docker_lines(&[
        "inspect",
        "-f",
        "{{index .Config.Labels \"tfs.test.release\"}}",
        &format!("{}-cpu0", fleet.name),
    ]);
    assert_eq!(release, std::slice::from_ref(&reference));
}

#[test]
fn pull_progress_on_a_terminal_draws_a_bar_per_layer() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-tty");
    let reference = images.add(&format!("{OPEN}/tfs-test/stub:{}", fleet.name));
    build_new_release(&reference, 8 * 1024 * 1024, fleet.directory.path());
    docker_as(None, &["push", "-q", &reference]);
    docker_as(None, &["rmi", &reference]);
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));
    let tfs = env!("CARGO_BIN_EXE_tfs");
    let output = Command::new("script")
        .args([
            "-q",
            "-e",
            "-c",
            &format!("{tfs} {}", APPLY.join(" ")),
            "/dev/null",
        ])
        .current_dir(fleet.directory.path())
        .env("TERM", "xterm")
        .env("DOCKER_CONFIG", logged_out(fleet.directory.path()))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script runs");
    let seen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{seen}");
    assert!(seen.contains("█"), "no bar drawn:\n{seen}");
    // A loopback pull of 8 MiB is quick: the bar may be drawn only before
    // the first megabyte arrived, so any byte unit counts.
    let bytes = ["MiB", "KiB", " B/", " B "];
    assert!(
        bytes.iter().any(|unit| seen.contains(unit)),
        "no bytes shown:\n{seen}"
    );
    assert!(seen.contains("/s"), "no speed shown:\n{seen}");
    assert!(
        !seen.contains(" layers\r"),
        "plain lines on a terminal:\n{seen}"
    );
}

#[test]
fn a_moved_balancer_tag_replaces_the_balancer() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-moved-lb");
    let reference = images.add(&format!("{OPEN}/tfs-test/stub:{}", fleet.name));
    let balancer = images.add(&format!("{OPEN}/tfs-test/nginx:{}", fleet.name));
    push(STUB_IMAGE, &reference, None);
    push(NGINX_IMAGE, &balancer, None);
    let toml = fleet
        .toml()
        .cpu(1)
        .image(&reference)
        .balancer_image(&balancer)
        .pull("always");
    fleet.write(&toml);
    fleet.apply().run();
    build_release_of(NGINX_IMAGE, &balancer, 1024, fleet.directory.path());
    docker_as(None, &["push", "-q", &balancer]);
    docker_as(None, &["rmi", &balancer]);
    let planned = fleet
        .detailed_plan()
        .status(2)
        .stdout_contains(&format!("image changed: {balancer} now points to sha256:"))
        .run();
    assert!(
        !planned
            .stdout
            .contains(&format!("replica {}-cpu0", fleet.name)),
        "the replica's tag did not move:\n{}",
        planned.stdout
    );
    fleet
        .apply()
        .stderr_contains(&format!("✓ pulled {balancer}"))
        .run();
    fleet.detailed_plan().run();
    let release = docker_lines(&[
        "inspect",
        "-f",
        "{{index .Config.Labels \"tfs.test.release\"}}",
        &format!("{}-balancer", fleet.name),
    ]);
    assert_eq!(release, std::slice::from_ref(&balancer));
}

#[test]
fn a_registry_that_cannot_be_asked_warns_and_compares_the_local_image() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-noask");
    let port = fleet::free_port();
    let reference = images.add(&format!("127.0.0.1:{port}/tfs-test/stub:{}", fleet.name));
    docker_as(None, &["tag", STUB_IMAGE, &reference]);
    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("missing"));
    fleet.apply().run();

    fleet.write(&fleet.toml().cpu(1).image(&reference).pull("always"));
    fleet
        .detailed_plan()
        .stderr_contains(&format!(
            "warning: cannot ask the registry what {reference} points to"
        ))
        .stderr_contains("comparing the image on this host instead")
        .run();

    // The tag moves on this host: the plan sees it without the registry.
    build_new_release(&reference, 1024, fleet.directory.path());
    fleet
        .detailed_plan()
        .status(2)
        .stdout_contains(&format!("image changed: {reference} is image sha256:"))
        .run();
}

/// A reference by digest cannot move: with `pull = "always"` it is pulled
/// once, the registry is asked, and later plans change nothing.
#[test]
fn an_image_by_digest_with_pull_always_is_pulled_once_and_stays() {
    let images = Cleanup::default();
    let fleet = TestFleet::new("pull-digest");
    // A repository of its own: removing a reference by digest touches
    // every reference of that repository to the same image.
    let tag = format!("{OPEN}/tfs-test/by-digest:{}", fleet.name);
    let balancer = images.add(&format!("{OPEN}/tfs-test/nginx:{}", fleet.name));
    push(STUB_IMAGE, &tag, None);
    push(NGINX_IMAGE, &balancer, None);
    docker_as(None, &["pull", "-q", &tag]);
    let format = "{{index .RepoDigests 0}}";
    let by_digest = docker_lines(&["image", "inspect", "-f", format, &tag]).join("");
    assert!(by_digest.contains("@sha256:"), "{by_digest}");
    images.add(&by_digest);
    docker_as(None, &["rmi", &tag]);
    docker(&["rmi", &by_digest]);

    fleet.write(
        &fleet
            .toml()
            .cpu(1)
            .image(&by_digest)
            .balancer_image(&balancer)
            .pull("always"),
    );
    let logged_out = logged_out(fleet.directory.path());
    let logged_out = logged_out.to_str().unwrap();
    fleet
        .apply()
        .env("DOCKER_CONFIG", logged_out)
        .stderr_contains(&format!("✓ pulled {by_digest}"))
        .run();
    let ids = container_ids(&fleet);
    fleet.detailed_plan().env("DOCKER_CONFIG", logged_out).run();
    fleet
        .apply()
        .env("DOCKER_CONFIG", logged_out)
        .stdout_contains("No changes")
        .run();
    assert_eq!(container_ids(&fleet), ids);
}
