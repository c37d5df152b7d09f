//! A bounded gRPC load loop: a few clients, each with its own long-lived
//! channel (one HTTP/2 connection, as TF Serving clients hold) and one call
//! in flight, send half_plus_two Predicts until stopped or a hard time
//! limit, and count every answer that is not OK with the right values.
//! Used by the rollout tests and by the benchmark (no gRPC load generator
//! is packaged in Debian): `Report::per_second` is the throughput,
//! `Report::percentile` the latency.
//!
//! Like grpc-core, grpc-java and grpc-go clients, a call the server provably
//! never saw (its stream refused by a GOAWAY, as nginx sends on reload) is
//! sent again at once; such retries are counted apart, every other error
//! is a failure.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{channel, predict, predict_request, Answer, Encoding, Status};
use crate::clients::{Client, Clients, Tally};
use crate::retry::never_processed;

const INPUT: [f32; 3] = [1.0, 2.0, 5.0];
const EXPECTED: [f32; 3] = [2.5, 3.0, 4.5];
const SAMPLES: usize = 8;
/// Transparent retries of one call, at most (gRPC's clients allow a few too).
const RETRIES: u32 = 3;

/// What the clients saw.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub total: u64,
    pub failed: u64,
    /// Calls sent again because the server never saw them (`tfs_proto::retry`).
    pub retried: u64,
    /// The first few failures: status code and message, or the connect error.
    pub samples: Vec<String>,
    /// `x-stub-replica` of good answers.
    pub replicas: BTreeSet<String>,
    /// `x-stub-gpu` of good answers.
    pub gpus: BTreeSet<String>,
    /// Microseconds each good answer took, retries included.
    pub latencies_us: Vec<u64>,
    pub elapsed: Duration,
}

impl Report {
    /// Asserts no request failed and at least `min_total` were made.
    pub fn assert_clean(&self, min_total: u64) {
        assert_eq!(
            self.failed,
            0,
            "{} of {} gRPC requests failed; first failures:\n{}",
            self.failed,
            self.total,
            self.samples.join("\n")
        );
        assert!(
            self.total >= min_total,
            "only {} gRPC requests in {:?} (wanted at least {min_total})",
            self.total,
            self.elapsed
        );
    }

    /// The `p`-th percentile (0 to 100) of good answers' latency, in microseconds.
    pub fn percentile(&self, p: f64) -> u64 {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
        sorted
            .get(rank.clamp(1, sorted.len().max(1)) - 1)
            .copied()
            .unwrap_or(0)
    }

    /// Good answers per second.
    pub fn per_second(&self) -> f64 {
        (self.total - self.failed) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl Tally for Report {
    fn total(&self) -> u64 {
        self.total
    }

    fn set_elapsed(&mut self, elapsed: Duration) {
        self.elapsed = elapsed;
    }
}

/// A running gRPC load loop; stopped by `stop` or when dropped.
pub type Load = Clients<Report>;

impl Load {
    /// Starts `clients` clients sending Predicts for `model` to `address`
    /// as fast as they are answered (the benchmark's load).
    pub fn start(address: SocketAddr, model: &str, clients: usize) -> Self {
        Self::start_paced(address, model, clients, None)
    }

    /// Like `start`; with `pace`, each client sends at most one Predict per `pace`.
    pub fn start_paced(
        address: SocketAddr,
        model: &str,
        clients: usize,
        pace: Option<Duration>,
    ) -> Self {
        let model = model.to_string();
        Clients::spawn_paced(clients, pace, move |client| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(run(address, &model, &client));
        })
    }
}

async fn run(address: SocketAddr, model: &str, client: &Client<Report>) {
    let (report, started) = (&*client.tally, client.started);
    let channel = match channel(address).await {
        Ok(channel) => channel,
        Err(error) => return record(report, started, Err(format!("connect: {error:?}"))),
    };
    while client.running() {
        let sent = Instant::now();
        let (result, retries) = call(&channel, model).await;
        let took = sent.elapsed().as_micros() as u64;
        report.lock().unwrap().retried += u64::from(retries);
        let outcome = match result {
            Ok(answer) if answer.values == EXPECTED => Ok((answer.replica, answer.gpu, took)),
            Ok(answer) => Err(format!(
                "wrong values {:?} from {}",
                answer.values, answer.replica
            )),
            Err(status) => Err(format!(
                "{:?}: {} {:?}",
                status.code(),
                status.message(),
                status
            )),
        };
        record(report, started, outcome);
    }
}

/// One Predict, sent again while the server never saw it; and how many times it was.
async fn call(channel: &tonic::transport::Channel, model: &str) -> (Result<Answer, Status>, u32) {
    let mut retries = 0;
    loop {
        let request = predict_request(model, &INPUT, Encoding::FloatVal);
        match predict(channel.clone(), request).await {
            Err(status) if retries < RETRIES && never_processed(&status) => retries += 1,
            result => return (result, retries),
        }
    }
}

fn record(
    report: &Mutex<Report>,
    started: Instant,
    outcome: Result<(String, String, u64), String>,
) {
    let mut report = report.lock().unwrap();
    report.total += 1;
    match outcome {
        Ok((replica, gpu, took)) => {
            report.latencies_us.push(took);
            report.replicas.insert(replica);
            report.gpus.insert(gpu);
        }
        Err(failure) => {
            report.failed += 1;
            if report.samples.len() < SAMPLES {
                let at = started.elapsed();
                report.samples.push(format!("at {at:.2?}: {failure}"));
            }
        }
    }
}
