//! Tests of version discovery and state changes in models.rs.

use crate::config::{ModelSpec, Policy};
use crate::models::{Registry, State, Want};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str, versions: &[&str]) -> TempDir {
        let dir = std::env::temp_dir().join(format!("tfs-stub-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for v in versions {
            std::fs::create_dir_all(dir.join(v)).unwrap();
            std::fs::write(dir.join(v).join("saved_model.pb"), b"").unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn registry(dir: &TempDir, policy: Policy, never_ready: bool) -> Arc<Registry> {
    let spec = ModelSpec {
        name: "m".into(),
        base_path: dir.0.to_string_lossy().into_owned(),
        policy,
        ..ModelSpec::default()
    };
    Registry::new(vec![spec], 0, never_ready)
}

pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

pub fn states(r: &Registry) -> Vec<(i64, State)> {
    r.status("m", Want::Latest)
        .unwrap()
        .into_iter()
        .map(|(v, s)| (v, s.state))
        .collect()
}

#[tokio::test]
async fn newest_version_becomes_available_and_old_one_unloads() {
    let dir = TempDir::new("latest", &["1", "00000123", "notanumber"]);
    let r = registry(&dir, Policy::Latest(1), false);
    r.scan();
    settle().await;
    assert_eq!(states(&r), [(123, State::Available)]);
    assert_eq!(r.resolve("m", Want::Latest), Ok(123));
    assert!(r
        .resolve("m", Want::Specific(1))
        .unwrap_err()
        .1
        .contains("Specific(m, 1)"));
    assert_eq!(
        r.resolve("x", Want::Latest).unwrap_err(),
        (404, "Servable not found for request: Latest(x)".into())
    );

    std::fs::create_dir(dir.0.join("200")).unwrap();
    std::fs::write(dir.0.join("200/saved_model.pb"), b"").unwrap();
    r.scan();
    settle().await;
    assert_eq!(states(&r), [(200, State::Available), (123, State::End)]);
    assert_eq!(r.resolve("m", Want::Latest), Ok(200));
}

#[tokio::test]
async fn specific_versions_report_missing_ones() {
    let dir = TempDir::new("specific", &["123"]);
    let r = registry(&dir, Policy::Specific(vec![123, 124]), false);
    r.scan();
    settle().await;
    let status = r.status("m", Want::Latest).unwrap();
    assert_eq!(status[0].0, 124);
    assert_eq!(status[0].1.state, State::End);
    assert_eq!(status[0].1.error.as_ref().unwrap().0, "NOT_FOUND");
    assert_eq!(status[1].1.state, State::Available);
    assert!(r
        .status("m", Want::Specific(5))
        .unwrap_err()
        .1
        .contains("Could not find version 5"));
}

#[tokio::test]
async fn never_ready_stays_loading_and_empty_base_path_has_no_versions() {
    let dir = TempDir::new("never", &["7"]);
    let r = registry(&dir, Policy::All, true);
    r.scan();
    settle().await;
    assert_eq!(states(&r), [(7, State::Loading)]);
    assert!(r.resolve("m", Want::Latest).is_err());

    let empty = TempDir::new("empty", &[]);
    let r = registry(&empty, Policy::Latest(1), false);
    r.scan();
    assert_eq!(
        r.status("m", Want::Latest).unwrap_err(),
        (404, "Could not find any versions of model m".into())
    );
}
