//! tfs-stub: a TensorFlow Serving stand-in for tfs's tests. It takes
//! tensorflow_model_server's flags, tracks model versions on disk the same
//! way, and answers the REST and gRPC APIs with half_plus_two for every model.
//!
//! What it implements (see tests/env/README.md for the list with wire forms):
//! model status, metadata and `:predict` over REST and gRPC, each predict
//! naming the version that answered (`X-Stub-Model-Version`, or the
//! response's `model_spec.version`); `version_labels` (REST `/labels/L`,
//! gRPC `version_label`); `ModelService/HandleReloadConfigRequest` with TF
//! Serving's availability-preserving reload; the saved_model.pb check that
//! fails a version's load; a strictly parsed `--batching_parameters_file`;
//! Prometheus metrics; and the `--stub_*` test knobs.

mod app;
mod batching;
mod config;
mod flags;
mod grpc;
mod log;
mod metrics;
mod models;
#[cfg(test)]
mod models_tests;
mod predict;
mod reload;
#[cfg(test)]
mod reload_tests;
mod rest;
#[cfg(test)]
mod rest_tests;
mod route;
mod savedmodel;
mod scan;
mod textproto;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

const USAGE: &str = "usage: tensorflow_model_server [--port=8500] [--rest_api_port=8501] \
                     [--model_name=NAME --model_base_path=PATH | --model_config_file=FILE] ...";

fn main() {
    let flags = match flags::parse(std::env::args().skip(1)) {
        Ok(f) => f,
        Err(e) => {
            log::error(&e);
            eprintln!("{USAGE}");
            std::process::exit(255);
        }
    };
    if flags.version {
        println!("TensorFlow ModelServer: 2.14.1-tfs-stub\nTensorFlow Library: none");
        return;
    }
    let config = match config::load(&flags) {
        Ok(c) => c,
        Err(e) => fail(&e),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&e.to_string()));
    runtime.block_on(serve(flags, config));
}

fn fail(msg: &str) -> ! {
    log::error(&format!("Failed to start server. Error: {msg}"));
    std::process::exit(255);
}

async fn serve(flags: flags::Flags, config: config::ServerConfig) {
    // No SIGTERM/SIGINT handler, as TF Serving installs none
    // (tensorflow/serving#1853): under the image's bash entrypoint, as PID 1's
    // child, a `docker stop` waits out its grace period and kills.
    if let Some(parameters) = &config.batching {
        let list: Vec<String> = parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
        log::info(&format!("Batching parameters: {}", list.join(" ")));
    }
    let registry = models::Registry::with_labels_policy(
        config.models.clone(),
        flags.stub_load_delay_ms,
        flags.stub_never_ready,
        flags.allow_version_labels_for_unavailable_models,
    );
    // As ServerCore's first ReloadConfig: labels are checked before any load.
    if let Err((code, msg)) = registry.assign_labels(&config.models) {
        fail(&format!("{code}: {msg}"));
    }
    tokio::spawn(Arc::clone(&registry).watch(flags.file_system_poll_wait_seconds));
    let app = Arc::new(app::App {
        registry,
        metrics: metrics::Metrics::default(),
        metrics_path: config.metrics_path,
        replica: hostname(),
        gpu: gpu(),
        limiter: (flags.stub_concurrency > 0)
            .then(|| tokio::sync::Semaphore::new(flags.stub_concurrency)),
        latency: Duration::from_millis(flags.stub_latency_ms),
        fail_after: flags.stub_fail_after,
        served: AtomicU64::new(0),
    });

    let mut servers = tokio::task::JoinSet::new();
    if flags.port != 0 {
        let listener = bind(flags.port).await;
        log::info(&format!(
            "Running gRPC ModelServer at 0.0.0.0:{} ...",
            flags.port
        ));
        servers.spawn(grpc::serve(listener, Arc::clone(&app)));
    }
    if flags.rest_api_port != 0 {
        let listener = bind(flags.rest_api_port).await;
        log::info(&format!(
            "Exporting HTTP/REST API at:localhost:{} ...",
            flags.rest_api_port
        ));
        servers.spawn(rest::serve(listener, app));
    }
    // A server that stops ends the process, as a crashed TF Serving would.
    match servers.join_next().await {
        None => std::future::pending::<()>().await,
        Some(Ok(Ok(()))) => fail("a server stopped"),
        Some(Ok(Err(e))) => fail(&e),
        Some(Err(e)) => fail(&e.to_string()),
    }
}

async fn bind(port: u16) -> TcpListener {
    TcpListener::bind(("0.0.0.0", port))
        .await
        .unwrap_or_else(|e| fail(&format!("could not bind port {port}: {e}")))
}

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn gpu() -> String {
    std::env::var("NVIDIA_VISIBLE_DEVICES")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "none".into())
}
