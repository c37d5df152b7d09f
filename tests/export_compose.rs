//! `tfs export compose`: Debian's docker-compose brings the exported fleet
//! up, and predict through its nginx answers from every replica.

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
    assert!(yaml.contains("device_ids: [\"1\"]"), "{yaml}");
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
