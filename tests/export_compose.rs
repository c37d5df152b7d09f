//! `tfs export compose`: Debian's docker-compose brings the exported fleet
//! up, and predict through its nginx answers from every replica; hostile
//! values run exactly as `tfs apply` runs them.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use fleet::TestFleet;

/// Takes the compose project down even when the test panics.
struct Project {
    name: String,
    file: std::path::PathBuf,
}

impl Project {
    fn compose(&self, args: &[&str]) -> std::process::Output {
        Command::new("docker-compose")
            .arg("-p")
            .arg(&self.name)
            .arg("-f")
            .arg(&self.file)
            .args(args)
            .output()
            .expect("docker-compose runs (tests/env/setup installs it)")
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        self.compose(&["down", "--remove-orphans", "-t", "1"]);
    }
}

#[test]
fn exported_compose_project_serves_from_every_gpu() {
    let fleet = TestFleet::new("compose");
    fleet.model("second", &[7]);
    fleet.write(&fleet.toml().model("second").gpus(&[0, 1]));
    fleet
        .test()
        .args(&["export", "compose", "--out", "out"])
        .stdout_contains("docker-compose.yml, nginx.conf, models.config, monitoring.config")
        .run();
    let yaml = std::fs::read_to_string(fleet.path("out/docker-compose.yml")).unwrap();
    let parsed: serde_norway::Value = serde_norway::from_str(&yaml).unwrap();
    let devices = &parsed["services"][format!("{}-gpu1", fleet.name).as_str()]["deploy"]
        ["resources"]["reservations"]["devices"][0]["device_ids"];
    assert_eq!(devices, &serde_norway::Value::from(vec!["1"]), "{yaml}");
    assert!(
        fleet.containers().is_empty(),
        "export must not touch Docker"
    );

    let project = Project {
        name: fleet.name.replace('-', ""),
        file: fleet.path("out/docker-compose.yml"),
    };
    let up = project.compose(&["up", "-d"]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut gpus = BTreeSet::new();
    while gpus.len() < 2 && Instant::now() < deadline {
        for model in ["half_plus_two", "second"] {
            let (status, body, gpu, _) = fleet.predict(model, r#"{"instances": [1.0, 2.0, 5.0]}"#);
            if status == 200 {
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(&body).unwrap(),
                    serde_json::json!({"predictions": [2.5, 3.0, 4.5]})
                );
                gpus.insert(gpu);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(gpus, BTreeSet::from(["0".to_string(), "1".to_string()]));
}

/// Config.Cmd and the sorted Config.Env of a container.
fn command_and_env(container: &str) -> (serde_json::Value, Vec<String>) {
    let shown = fleet::docker(&["inspect", "-f", "{{json .Config}}", container]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let config: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let mut env: Vec<String> = serde_json::from_value(config["Env"].clone()).unwrap();
    env.sort();
    (config["Cmd"].clone(), env)
}

#[test]
fn hostile_values_run_in_compose_exactly_as_apply_runs_them() {
    let fleet = TestFleet::new("hostile");
    // The argument must reach the container unchanged: `docker inspect`'s Cmd is compared below.
    let name = "$HOME ${X:-y} $$ 'single' \"double\" # no comment: &anchor *ref {} [a] | > ? -";
    std::fs::write(fleet.path("models/half_plus_two").join(name), "").unwrap();
    let arg = format!("--platform_config_file=/models/half_plus_two/{name}");
    let mut toml = fleet.toml().cpu(1).serving_args(&[&arg]);
    let values = [
        ("API_TOKEN", "s3cret-$HOME-${PATH}-$$"),
        ("QUOTES", "it's \"quoted\""),
        ("MAPPING", "key: value"),
        ("SPACES", "  leading and trailing  "),
        ("COMMENT", "# not a comment"),
        ("ANCHOR", "&anchor *ref {} [x, y] !tag"),
        // TOML's `\n` escape, put in after the builder quoted the value.
        (
            "SERVICES",
            "x@NL@services:@NL@  evil:@NL@    image: busybox",
        ),
    ];
    for (key, value) in values {
        toml = toml.serving_env(key, value);
    }
    fleet.write_raw(&toml.to_string().replace("@NL@", "\\n"));
    fleet.apply().run();
    let replica = format!("{}-cpu0", fleet.name);
    let applied = command_and_env(&replica);
    assert!(
        applied
            .1
            .iter()
            .any(|pair| pair == "API_TOKEN=s3cret-$HOME-${PATH}-$$"),
        "{applied:?}"
    );
    fleet.test().args(&["destroy", "--auto-approve"]).run();

    fleet
        .test()
        .args(&["export", "compose", "--out", "out"])
        .run();
    let yaml = std::fs::read_to_string(fleet.path("out/docker-compose.yml")).unwrap();
    let parsed: serde_norway::Value = serde_norway::from_str(&yaml).unwrap();
    let keys = |value: &serde_norway::Value| -> BTreeSet<String> {
        let mapping = value.as_mapping().expect("a mapping");
        mapping
            .keys()
            .map(|key| key.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        keys(&parsed),
        BTreeSet::from(["services".into(), "networks".into()]),
        "{yaml}"
    );
    let balancer = format!("{}-balancer", fleet.name);
    assert_eq!(
        keys(&parsed["services"]),
        BTreeSet::from([replica.clone(), balancer]),
        "{yaml}"
    );
    assert_eq!(
        keys(&parsed["networks"]),
        BTreeSet::from(["fleet".to_string()]),
        "{yaml}"
    );
    let conf = std::fs::read_to_string(fleet.path("out/nginx.conf")).unwrap();
    assert_eq!(conf.matches("server {").count(), 1, "{conf}");

    let project = Project {
        name: fleet.name.replace('-', ""),
        file: fleet.path("out/docker-compose.yml"),
    };
    let up = project.compose(&["up", "-d"]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let ids = project.compose(&["ps", "-q", &replica]);
    let id = String::from_utf8_lossy(&ids.stdout).trim().to_string();
    assert!(!id.is_empty(), "{}", String::from_utf8_lossy(&ids.stderr));
    assert_eq!(command_and_env(&id), applied);
    let services = project.compose(&["config", "--services"]);
    let services = String::from_utf8_lossy(&services.stdout);
    assert_eq!(services.lines().count(), 2, "{services}");
}

#[test]
fn exported_nginx_conf_uses_what_the_balancer_tag_names() {
    let fleet = TestFleet::new("compose-tag");
    let conf = |image: &str| {
        fleet.write(&fleet.toml().balancer_image(image).gpus(&[0]));
        fleet
            .test()
            .args(&["export", "compose", "--out", "out"])
            .run();
        std::fs::read_to_string(fleet.path("out/nginx.conf")).unwrap()
    };
    assert!(conf("nginx:1.30").contains("keepalive_min_timeout"));
    assert!(conf("127.0.0.1:5000/nginx:1.27.4-alpine").contains("keepalive_min_timeout"));
    // An older tag, or one that names no version, gets what every nginx reads.
    assert!(!conf("nginx:1.26").contains("keepalive_min_timeout"));
    assert!(!conf("nginx:stable").contains("keepalive_min_timeout"));
    assert!(!conf("example.com/balancer:2.0").contains("keepalive_min_timeout"));
}
