//! Image rollouts in a row under keep-alive clients (each sends request
//! after request on one connection): with an nginx that has
//! `keepalive_min_timeout` (≥ 1.27.4, `tfs-nginx:forky`) no request fails,
//! since a reload's old workers no longer close a kept-alive connection the
//! moment a request is on its way. Behind bookworm's 1.22 tfs renders
//! today's config (no such directive) and the rollouts still converge; a
//! few keep-alive requests fail there, which that test prints as a
//! measurement (BENCHMARKS.md) without asserting it.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/load.rs"]
mod load;

use std::time::Duration;

use fleet::{docker, docker_lines, TestFleet, STUB_IMAGE};
use load::{Load, Report};

const FORKY_NGINX: &str = "tfs-nginx:forky";
const BOOKWORM_NGINX: &str = "tfs-nginx:bookworm";
const CLIENTS: usize = 8;
const ROLLOUTS: usize = 3;
const GPUS: [u32; 4] = [0, 1, 2, 3];

/// A fleet behind `nginx`, then `ROLLOUTS` image changes in a row under
/// `CLIENTS` keep-alive clients; what they saw, and the fleet.
fn rollouts_under_keepalive(label: &str, nginx: &str) -> (Report, TestFleet) {
    let fleet = TestFleet::new(label);
    let tags: Vec<String> = (0..2)
        .map(|i| format!("tfs-serving-stub:{}-{i}", fleet.name))
        .collect();
    for tag in &tags {
        assert!(docker(&["tag", STUB_IMAGE, tag]).status.success());
    }
    let toml = || fleet.toml().balancer_image(nginx).gpus(&GPUS);
    fleet.write(&toml());
    fleet.apply().run();

    let traffic = Load::start_keepalive(fleet.rest_port, CLIENTS);
    traffic.wait_for(100, Duration::from_secs(20));
    for round in 0..ROLLOUTS {
        fleet.write(&toml().image(&tags[round % 2]));
        fleet.apply().run();
        traffic.wait_for(traffic.total() + 100, Duration::from_secs(20));
    }
    let report = traffic.stop();
    for tag in &tags {
        docker(&["rmi", tag]);
    }
    (report, fleet)
}

/// The balancer's labels and loaded config.
fn balancer_version_and_conf(fleet: &TestFleet) -> (String, String) {
    let balancer = format!("{}-balancer", fleet.name);
    let format = "{{index .Config.Labels \"tfs.nginx-version\"}}";
    let version = docker_lines(&["inspect", "-f", format, &balancer]).join("");
    let conf = docker_lines(&["exec", &balancer, "cat", "/etc/nginx/tfs-loaded.conf"]).join("\n");
    (version, conf)
}

#[test]
fn image_rollouts_behind_a_current_nginx_lose_no_keepalive_request() {
    let (report, fleet) = rollouts_under_keepalive("ka-forky", FORKY_NGINX);
    eprintln!(
        "{FORKY_NGINX}: {} of {} keep-alive requests failed over {ROLLOUTS} rollouts in {:?}",
        report.failed, report.total, report.elapsed
    );
    report.assert_clean(500);
    assert_eq!(report.gpus_seen(), ["0", "1", "2", "3"], "{report:?}");
    let (version, conf) = balancer_version_and_conf(&fleet);
    assert!(
        version.starts_with("1."),
        "no nginx version label: {version:?}"
    );
    assert!(conf.contains("keepalive_min_timeout 10s;"), "{conf}");
    // The version learned at creation is the one planning renders for.
    fleet.detailed_plan().run();
}

/// Behind nginx 1.22 the version is learned and the directive left out;
/// the rollouts converge. How many keep-alive requests fail there is
/// printed (`--nocapture`), a measurement for BENCHMARKS.md, not a check.
#[test]
fn behind_bookworm_nginx_the_directive_is_left_out_and_rollouts_converge() {
    let (report, fleet) = rollouts_under_keepalive("ka-bookworm", BOOKWORM_NGINX);
    eprintln!(
        "{BOOKWORM_NGINX}: {} of {} keep-alive requests failed over {ROLLOUTS} rollouts in {:?}; first failures:\n{}",
        report.failed,
        report.total,
        report.elapsed,
        report.samples.join("\n")
    );
    let (version, conf) = balancer_version_and_conf(&fleet);
    assert!(version.starts_with("1.22"), "{version:?}");
    assert!(!conf.contains("keepalive_min_timeout"), "{conf}");
    fleet.detailed_plan().run();
}
