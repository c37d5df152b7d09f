//! Smoke test of the test environment: the `tfs-serving-stub:latest` image
//! built by tests/env/setup runs under the real Docker daemon with a GPU
//! device request, loads a model like TF Serving and answers predict; a
//! reload over gRPC (HandleReloadConfigRequest) assigns a label that REST
//! predicts then use. Needs docker: it fails (never skips) when the daemon
//! is unreachable.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tfs_proto::client::{channel, reload_config, reload_request, ReloadModel, Status};

const IMAGE: &str = "tfs-serving-stub:latest";

/// Runs the docker CLI; Err carries its stderr.
fn docker(args: &[&str]) -> Result<String, String> {
    let out = Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run the docker CLI: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Removes the container when the test ends, passed or panicked.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", "-v", &self.0]);
    }
}

impl Container {
    fn logs(&self) -> String {
        let out = Command::new("docker").args(["logs", &self.0]).output();
        out.map(|o| {
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
        })
        .unwrap_or_default()
    }
}

fn require_docker() {
    if let Err(e) = docker(&["version", "--format", "{{.Server.Version}}"]) {
        panic!(
            "Docker is not usable: {e}\nThis test needs the real daemon and the test images: \
             run `tests/env/setup` as root first (it installs and starts docker)."
        );
    }
    if docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE]).is_err() {
        panic!("image {IMAGE} is missing: run `tests/env/setup` as root first");
    }
}

/// Writes version `dir` of a model with an empty saved_model.pb (loadable).
fn version(models: &Path, dir: &str) {
    std::fs::create_dir(models.join(dir)).unwrap();
    std::fs::write(models.join(dir).join("saved_model.pb"), b"").unwrap();
}

/// The host address Docker bound for the container's `port`.
fn host_port(container: &Container, port: &str) -> String {
    let out = docker(&["port", &container.0, port]).expect("docker port");
    out.lines()
        .find(|l| l.starts_with("127.0.0.1:"))
        .unwrap_or_else(|| panic!("no 127.0.0.1 binding in `docker port`: {out}"))
        .to_string()
}

fn start_stub(models: &Path) -> (Container, String) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("tfs-stub-smoke-{}-{nanos}", std::process::id());
    let mount = format!("{}:/models/half_plus_two:ro", models.display());
    let id = docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--gpus",
        "\"device=2\"",
        "-v",
        &mount,
        "-e",
        "MODEL_NAME=half_plus_two",
        "-p",
        "127.0.0.1::8501",
        "-p",
        "127.0.0.1::8500",
        IMAGE,
    ]);
    let container = Container(name);
    if let Err(e) = id {
        panic!("docker run {IMAGE} failed: {e}");
    }
    // Docker picked a free host port: ask which.
    let addr = host_port(&container, "8501/tcp");
    (container, format!("http://{addr}"))
}

fn wait_available(c: &Container, base: &str) {
    let url = format!("{base}/v1/models/half_plus_two");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    while Instant::now() < deadline {
        match ureq::get(&url).call() {
            Ok(resp) => {
                let body: Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
                if body["model_version_status"][0]["state"] == "AVAILABLE" {
                    assert_eq!(body["model_version_status"][0]["version"], "123");
                    assert_eq!(
                        body["model_version_status"][0]["status"]["error_code"],
                        "OK"
                    );
                    return;
                }
                last = body.to_string();
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "model half_plus_two not AVAILABLE within 30s; last answer: {last}\nlogs:\n{}",
        c.logs()
    );
}

#[test]
fn stub_image_serves_half_plus_two_on_the_requested_gpu() {
    require_docker();
    let models = tempfile::tempdir().unwrap();
    version(models.path(), "00000123");
    let (container, base) = start_stub(models.path());
    wait_available(&container, &base);

    let resp = ureq::post(&format!("{base}/v1/models/half_plus_two:predict"))
        .set("Content-Type", "application/json")
        .send_string(r#"{"instances": [1.0, 2.0, 5.0]}"#)
        .unwrap_or_else(|e| panic!("predict failed: {e}\nlogs:\n{}", container.logs()));
    assert_eq!(resp.header("X-Stub-Gpu"), Some("2"));
    assert!(resp.header("X-Stub-Replica").is_some_and(|h| !h.is_empty()));
    let body: Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
    assert_eq!(body, json!({"predictions": [2.5, 3.0, 4.5]}));

    let err = ureq::get(&format!("{base}/v1/models/nope/metadata")).call();
    match err {
        Err(ureq::Error::Status(404, r)) => {
            let body: Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
            assert_eq!(
                body["error"],
                "Servable not found for request: Latest(nope)"
            );
        }
        other => panic!("expected a 404 for an unknown model, got {other:?}"),
    }
}

/// HandleReloadConfigRequest on the container's gRPC port.
fn reload(grpc: &str, models: &[ReloadModel]) -> Result<(), Status> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let channel = channel(grpc.parse().unwrap()).await.expect("gRPC connects");
        reload_config(channel, reload_request(models))
            .await
            .map(|_| ())
    })
}

#[test]
fn stub_image_reloads_over_grpc_and_serves_a_label_over_rest() {
    require_docker();
    let models = tempfile::tempdir().unwrap();
    version(models.path(), "00000123");
    let (container, base) = start_stub(models.path());
    wait_available(&container, &base);
    let grpc = host_port(&container, "8500/tcp");
    let model = |versions: &[i64], labels: &[(&str, i64)]| ReloadModel {
        name: "half_plus_two".into(),
        base_path: "/models/half_plus_two".into(),
        versions: versions.to_vec(),
        labels: labels.iter().map(|(l, v)| (l.to_string(), *v)).collect(),
    };
    reload(&grpc, &[model(&[123], &[("stable", 123)])])
        .unwrap_or_else(|e| panic!("reload failed: {e:?}\nlogs:\n{}", container.logs()));

    let predict = |path: &str| {
        ureq::post(&format!("{base}/v1/models/half_plus_two{path}:predict"))
            .set("Content-Type", "application/json")
            .send_string(r#"{"instances": [1.0]}"#)
            .map_err(Box::new)
    };
    let resp = predict("/labels/stable")
        .unwrap_or_else(|e| panic!("labelled predict failed: {e}\nlogs:\n{}", container.logs()));
    assert_eq!(resp.header("X-Stub-Model-Version"), Some("123"));
    assert_eq!(resp.into_string().unwrap(), r#"{"predictions":[2.5]}"#);
    match predict("/labels/nope").map_err(|e| *e) {
        Err(ureq::Error::Status(404, r)) => assert_eq!(
            r.into_string().unwrap(),
            r#"{"error":"Unrecognized servable version label: nope"}"#
        ),
        other => panic!("expected a 404 for an unknown label, got {other:?}"),
    }

    // A version whose saved_model.pb does not parse: the reload's answer,
    // while 123 keeps serving.
    std::fs::create_dir(models.path().join("124")).unwrap();
    std::fs::write(models.path().join("124/saved_model.pb"), "not a model").unwrap();
    let failed = reload(&grpc, &[model(&[123, 124], &[])]).unwrap_err();
    assert_eq!(failed.code(), tfs_proto::client::Status::unknown("").code());
    assert!(
        failed
            .message()
            .contains("{name: half_plus_two version: 124} due to error: DATA_LOSS"),
        "{failed:?}"
    );
    let resp = predict("").expect("123 still serves");
    assert_eq!(resp.header("X-Stub-Model-Version"), Some("123"));
}
