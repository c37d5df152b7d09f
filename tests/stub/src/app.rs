//! What the REST and gRPC servers share: the models, the counters, who
//! this replica is, and the test knobs that shape every predict (latency,
//! concurrency, crash after N), so both protocols behave as one server.

use crate::log;
use crate::metrics::Metrics;
use crate::models::Registry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

pub struct App {
    pub registry: Arc<Registry>,
    pub metrics: Metrics,
    pub metrics_path: Option<String>,
    /// The container's hostname: answered as `x-stub-replica`.
    pub replica: String,
    /// NVIDIA_VISIBLE_DEVICES: answered as `x-stub-gpu`.
    pub gpu: String,
    /// Predict requests served at once, when limited.
    pub limiter: Option<Semaphore>,
    pub latency: Duration,
    pub fail_after: Option<u64>,
    /// Predicts served over both protocols, for `--stub_fail_after`.
    pub served: AtomicU64,
}

impl App {
    /// Runs one predict's `compute` under the test knobs: waits for a
    /// concurrency slot, sleeps the latency, and counts it towards
    /// `--stub_fail_after` (exiting like a crashed server once past it).
    pub async fn predict<T>(&self, compute: impl FnOnce() -> T) -> T {
        let limit = self.fail_after;
        if limit.is_some_and(|n| self.served.load(Ordering::SeqCst) >= n) {
            // Already past --stub_fail_after: behave like a crashed server.
            std::process::exit(1);
        }
        let _permit = match &self.limiter {
            Some(s) => Some(s.acquire().await.expect("semaphore never closes")),
            None => None,
        };
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let result = compute();
        let served = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        if limit == Some(served) {
            log::error(&format!(
                "--stub_fail_after={served} reached: exiting with code 1"
            ));
            tokio::spawn(async {
                // Let this last response reach its client first.
                tokio::time::sleep(Duration::from_millis(100)).await;
                std::process::exit(1);
            });
        }
        result
    }
}
