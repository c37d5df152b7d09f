//! Tests of reload.rs and the load semantics in scan.rs: availability is
//! kept across a reload, failed loads answer the reload and end in END,
//! labels are refused on versions not AVAILABLE.

use crate::config::{ModelSpec, Policy};
use crate::models::{Registry, State, Want};
use crate::models_tests::{settle, states, TempDir};
use std::sync::Arc;
use std::time::Duration;

fn spec(dir: &TempDir, versions: &[i64], labels: &[(&str, i64)]) -> ModelSpec {
    ModelSpec {
        name: "m".into(),
        base_path: dir.0.to_string_lossy().into_owned(),
        policy: Policy::Specific(versions.to_vec()),
        labels: labels.iter().map(|(l, v)| (l.to_string(), *v)).collect(),
    }
}

fn registry(specs: Vec<ModelSpec>, delay_ms: u64, allow: bool) -> Arc<Registry> {
    let r = Registry::with_labels_policy(specs, delay_ms, false, allow);
    r.scan();
    r
}

#[tokio::test]
async fn old_version_serves_until_the_new_one_is_available() {
    let dir = TempDir::new("reload-keep", &["1", "2"]);
    let r = registry(vec![spec(&dir, &[1], &[])], 0, false);
    settle().await;
    assert_eq!(r.resolve("m", Want::Latest), Ok(1));

    let slow = Registry::with_labels_policy(vec![spec(&dir, &[1], &[])], 300, false, false);
    slow.scan();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let reloading = {
        let slow = Arc::clone(&slow);
        tokio::spawn(async move { slow.reload(vec![spec(&dir, &[2], &[])]).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Mid-load: 2 LOADING, 1 still AVAILABLE and answering.
    assert_eq!(states(&slow), [(2, State::Loading), (1, State::Available)]);
    assert_eq!(slow.resolve("m", Want::Latest), Ok(1));
    assert!(!reloading.is_finished(), "the answer waits for the load");
    assert_eq!(reloading.await.unwrap(), Ok(()));
    assert_eq!(states(&slow), [(2, State::Available), (1, State::End)]);
    assert_eq!(slow.resolve("m", Want::Latest), Ok(2));
}

#[tokio::test]
async fn a_failed_load_is_the_answer_and_the_old_version_keeps_serving() {
    let dir = TempDir::new("reload-fail", &["1", "2", "3"]);
    std::fs::write(dir.0.join("2/saved_model.pb"), "not a model").unwrap();
    std::fs::remove_file(dir.0.join("3/saved_model.pb")).unwrap();
    let r = registry(vec![spec(&dir, &[1], &[])], 0, false);
    settle().await;
    let (code, msg) = r.reload(vec![spec(&dir, &[2], &[])]).await.unwrap_err();
    assert_eq!(code, "UNKNOWN");
    assert!(
        msg.starts_with("1 model(s) did not become available: {{{name: m version: 2} due to error: DATA_LOSS: Can't parse "),
        "{msg}"
    );
    let status = r.status("m", Want::Specific(2)).unwrap();
    assert_eq!(status[0].1.state, State::End);
    assert_eq!(status[0].1.error.as_ref().unwrap().0, "DATA_LOSS");
    assert_eq!(
        r.resolve("m", Want::Latest),
        Ok(1),
        "1 is kept: nothing aspired serves"
    );

    let (_, msg) = r.reload(vec![spec(&dir, &[3], &[])]).await.unwrap_err();
    assert!(
        msg.contains("NOT_FOUND: Could not find SavedModel .pb or .pbtxt"),
        "{msg}"
    );
    // Back to a loadable list: fine again, and removing the model unloads it.
    assert_eq!(r.reload(vec![spec(&dir, &[1], &[])]).await, Ok(()));
    assert_eq!(r.reload(vec![]).await, Ok(()));
    assert!(
        states(&r).iter().all(|(_, s)| *s == State::End),
        "{:?}",
        states(&r)
    );
}

#[tokio::test]
async fn a_bad_saved_model_fails_at_start() {
    let dir = TempDir::new("start-fail", &["7"]);
    std::fs::write(dir.0.join("7/saved_model.pb"), "not a model").unwrap();
    let r = registry(vec![spec(&dir, &[7], &[])], 0, false);
    settle().await;
    let s = &r.status("m", Want::Latest).unwrap()[0].1;
    assert_eq!(s.state, State::End);
    assert!(s.error.as_ref().unwrap().1.contains("as binary proto"));
}

#[tokio::test]
async fn labels_need_available_versions_unless_allowed() {
    let dir = TempDir::new("labels", &["1", "2"]);
    let r = registry(vec![spec(&dir, &[1], &[])], 0, false);
    settle().await;
    // 2 is not loaded yet: refused, and nothing changes.
    let (code, msg) = r
        .reload(vec![spec(&dir, &[1, 2], &[("canary", 2)])])
        .await
        .unwrap_err();
    assert_eq!(code, "FAILED_PRECONDITION");
    assert_eq!(
        msg,
        "Request to assign label to version 2 of model m, which is not currently available \
         for inference"
    );
    assert_eq!(states(&r), [(1, State::Available)]);
    // Load 2 first, then label it: TF Serving's two steps.
    assert_eq!(r.reload(vec![spec(&dir, &[1, 2], &[])]).await, Ok(()));
    let labelled = vec![spec(&dir, &[1, 2], &[("stable", 1), ("canary", 2)])];
    assert_eq!(r.reload(labelled).await, Ok(()));
    assert_eq!(r.resolve("m", Want::Label("stable")), Ok(1));
    assert_eq!(r.resolve("m", Want::Label("canary")), Ok(2));
    assert_eq!(
        r.resolve("m", Want::Label("nope")),
        Err((404, "Unrecognized servable version label: nope".into()))
    );

    // With the flag: a new label may name a version not loaded (yet), at
    // start too; moving an existing label to one is still refused.
    let allowed = registry(vec![spec(&dir, &[1], &[("next", 2)])], 0, true);
    assert_eq!(
        allowed.assign_labels(&[spec(&dir, &[1], &[("next", 2)])]),
        Ok(())
    );
    settle().await;
    assert_eq!(
        allowed.resolve("m", Want::Label("next")),
        Err((404, "Servable not found for request: Specific(m, 2)".into()))
    );
    let r2 = registry(vec![spec(&dir, &[1], &[])], 0, true);
    settle().await;
    assert_eq!(r2.reload(vec![spec(&dir, &[1], &[("l", 1)])]).await, Ok(()));
    let moved = r2.reload(vec![spec(&dir, &[1], &[("l", 2)])]).await;
    assert_eq!(moved.unwrap_err().0, "FAILED_PRECONDITION");
    // Without the flag, labels at start fail (nothing is AVAILABLE yet).
    let strict = Registry::with_labels_policy(vec![], 0, false, false);
    assert!(strict
        .assign_labels(&[spec(&dir, &[1], &[("s", 1)])])
        .is_err());
}
