//! The REST API end to end on a loopback port: label paths and the
//! `X-Stub-Model-Version` header of predict answers.

use crate::app::App;
use crate::config::{ModelSpec, Policy};
use crate::metrics::Metrics;
use crate::models::Registry;
use crate::models_tests::{settle, TempDir};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 exchange: (status, lowercased headers, body).
async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_lowercase(), body.to_string())
}

#[tokio::test]
async fn labels_resolve_and_predicts_name_their_version() {
    let dir = TempDir::new("rest", &["1", "2"]);
    let spec = ModelSpec {
        name: "m".into(),
        base_path: dir.0.to_string_lossy().into_owned(),
        policy: Policy::All,
        ..ModelSpec::default()
    };
    let registry = Registry::new(vec![spec.clone()], 0, false);
    registry.scan();
    settle().await;
    let mut labelled = spec.clone();
    labelled.labels = [("stable".to_string(), 1)].into();
    registry.reload(vec![labelled]).await.unwrap();
    let app = Arc::new(App {
        registry,
        metrics: Metrics::default(),
        metrics_path: None,
        replica: "r".into(),
        gpu: "none".into(),
        limiter: None,
        latency: Duration::ZERO,
        fail_after: None,
        served: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(crate::rest::serve(listener, app));

    let body = r#"{"instances": [1.0]}"#;
    let (code, head, out) = http(addr, "POST", "/v1/models/m:predict", body).await;
    assert_eq!((code, out.as_str()), (200, r#"{"predictions":[2.5]}"#));
    assert!(head.contains("\r\nx-stub-model-version: 2\r\n"), "{head}");
    let (code, head, _) = http(addr, "POST", "/v1/models/m/labels/stable:predict", body).await;
    assert_eq!(code, 200);
    assert!(head.contains("\r\nx-stub-model-version: 1\r\n"), "{head}");
    let (_, head, _) = http(addr, "POST", "/v1/models/m/versions/1:regress", body).await;
    assert!(head.contains("\r\nx-stub-model-version: 1\r\n"), "{head}");
    let (code, _, out) = http(addr, "GET", "/v1/models/m/labels/stable/metadata", "").await;
    assert_eq!(code, 200);
    assert!(out.contains(r#""version":"1""#), "{out}");
    let (code, _, out) = http(addr, "GET", "/v1/models/m/labels/stable", "").await;
    assert_eq!(code, 200);
    assert!(
        out.contains(r#""version":"1""#) && !out.contains(r#""version":"2""#),
        "{out}"
    );
    let (code, head, out) = http(addr, "POST", "/v1/models/m/labels/nope:predict", body).await;
    assert_eq!(code, 404);
    assert_eq!(
        out,
        r#"{"error":"Unrecognized servable version label: nope"}"#
    );
    assert!(!head.contains("x-stub-model-version"));
}
