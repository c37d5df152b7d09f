//! The balancer's nginx.conf on disk: configs named by their content's hash,
//! nginx.conf and tfs-loaded.conf linking to the one nginx runs, nothing
//! else kept; and a config edited by hand inside the balancer still shows
//! in the plan (by its size or its time), though plans no longer download
//! it when it looks right.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker_lines, TestFleet};

fn body(replicas: u32) -> String {
    format!("[serving]\nimage = \"tfs-serving-stub:latest\"\npull = \"never\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[placement]\ngpus = \"none\"\nreplicas = {replicas}\n")
}

/// The targets of nginx.conf and tfs-loaded.conf, and the configs kept.
fn layout(fleet: &TestFleet) -> (String, String, Vec<String>) {
    let balancer = format!("{}-balancer", fleet.name);
    let link = |path: &str| docker_lines(&["exec", &balancer, "readlink", path]).join("");
    let kept = docker_lines(&["exec", &balancer, "ls", "/etc/nginx/tfs"]);
    (
        link("/etc/nginx/nginx.conf"),
        link("/etc/nginx/tfs-loaded.conf"),
        kept,
    )
}

fn assert_one_config(fleet: &TestFleet) -> String {
    let (running, loaded, kept) = layout(fleet);
    assert_eq!(running, loaded, "nginx.conf is not the loaded config");
    assert_eq!(
        vec![running.trim_start_matches("/etc/nginx/tfs/").to_string()],
        kept,
        "configs other than the running one were kept"
    );
    let name = kept[0].trim_end_matches(".conf");
    assert!(
        name.len() == 16 && name.chars().all(|c| c.is_ascii_hexdigit()),
        "{name} is not a content hash"
    );
    running
}

#[test]
fn configs_are_named_by_content_and_only_the_running_one_is_kept() {
    let fleet = TestFleet::new("conf-files");
    fleet.write(&body(2));
    fleet.apply().ok();
    let first = assert_one_config(&fleet);
    fleet.write(&body(3));
    fleet.apply().ok();
    let second = assert_one_config(&fleet);
    assert_ne!(
        first, second,
        "a different upstream kept the same file name"
    );
    fleet.write(&body(2));
    fleet.apply().ok();
    assert_eq!(
        assert_one_config(&fleet),
        first,
        "the same config got another name"
    );
}

#[test]
fn a_config_edited_inside_the_balancer_is_planned_and_repaired() {
    let fleet = TestFleet::new("conf-edit");
    fleet.write(&body(2));
    fleet.apply().ok();
    let (running, _, _) = layout(&fleet);
    let balancer = format!("{}-balancer", fleet.name);
    let edit = format!("echo '# edited by hand' >> {running}");
    docker_lines(&["exec", &balancer, "sh", "-c", &edit]);
    let plan = fleet.tfs(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.stdout);
    assert!(
        plan.stdout.contains("-# edited by hand"),
        "the diff does not show the edit:\n{}",
        plan.stdout
    );
    fleet.apply().ok();
    assert_eq!(fleet.tfs(&["plan", "--detailed-exitcode"]).code, 0);
    let (repaired, _, _) = layout(&fleet);
    let text = docker_lines(&["exec", &balancer, "cat", &repaired]).join("\n");
    assert!(!text.contains("edited by hand"), "{text}");

    // The same size: only the file's time tells.
    let edit = format!("sed -i 's/worker_connections 4096/worker_connections 4097/' {repaired}");
    docker_lines(&["exec", &balancer, "sh", "-c", &edit]);
    let plan = fleet.tfs(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        plan.code, 2,
        "a same-size edit went unseen:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("+    worker_connections 4096;"),
        "{}",
        plan.stdout
    );
}
