//! The balancer's nginx.conf on disk: configs named by their content's hash,
//! nginx.conf and tfs-loaded.conf linking to the one nginx runs, nothing
//! else kept; and a config edited by hand inside the balancer still shows
//! in the plan (by its size or its time), though plans no longer download
//! it when it looks right.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker_lines, TestFleet};

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
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    let first = assert_one_config(&fleet);
    fleet.write(&fleet.toml().cpu(3));
    fleet.apply().run();
    let second = assert_one_config(&fleet);
    assert_ne!(
        first, second,
        "a different upstream kept the same file name"
    );
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    assert_eq!(
        assert_one_config(&fleet),
        first,
        "the same config got another name"
    );
}

#[test]
fn a_config_edited_inside_the_balancer_is_planned_and_repaired() {
    let fleet = TestFleet::new("conf-edit");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    let (running, _, _) = layout(&fleet);
    let balancer = format!("{}-balancer", fleet.name);
    let edit = format!("echo '# edited by hand' >> {running}");
    docker_lines(&["exec", &balancer, "sh", "-c", &edit]);
    // The diff shows the edit.
    fleet
        .detailed_plan()
        .status(2)
        .stdout_contains("-# edited by hand")
        .run();
    fleet.apply().run();
    fleet.detailed_plan().run();
    let (repaired, _, _) = layout(&fleet);
    let text = docker_lines(&["exec", &balancer, "cat", &repaired]).join("\n");
    assert!(!text.contains("edited by hand"), "{text}");

    // The same size: only the file's time tells.
    let edit = format!("sed -i 's/worker_connections 4096/worker_connections 4097/' {repaired}");
    docker_lines(&["exec", &balancer, "sh", "-c", &edit]);
    fleet
        .detailed_plan()
        .status(2)
        .context("a same-size edit went unseen")
        .stdout_contains("+    worker_connections 4096;")
        .run();
}
