//! A bounded load loop against a fleet's balancer: a few client threads POST
//! half_plus_two predicts until stopped (or a hard time limit), each at most
//! one per `TEST_PACE`, counting every answer that is not a 200 with the
//! right predictions.
//!
//! Each request opens its own connection (no client-side pool): a POST sent
//! on a kept-alive connection that nginx closes at the same moment fails on
//! the client, whatever the server side does, and HTTP clients may not
//! retry a POST. Fresh connections measure what the fleet does.
//!
//! [`Load::start_keepalive`] is the other mode: each client keeps one
//! connection and sends request after request on it, as most HTTP clients
//! do; that race with a reload is what `keepalive_min_timeout` closes.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use tfs_proto::clients::{Client, Clients, Tally, TEST_PACE};

pub const BODY: &str = r#"{"instances": [1.0, 2.0, 5.0]}"#;
pub const EXPECTED: &str = r#"{"predictions":[2.5,3.0,4.5]}"#;
const SAMPLES: usize = 8;

/// What the clients saw.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub total: u64,
    pub failed: u64,
    /// The first few failures: status, body or error.
    pub samples: Vec<String>,
    /// Failed answers by HTTP status (transport errors are not answers).
    pub statuses: BTreeMap<u16, u64>,
    /// X-Stub-Replica values of good answers.
    pub replicas: BTreeSet<String>,
    /// X-Stub-Gpu values of good answers.
    pub gpus: BTreeSet<String>,
    /// X-Stub-Model-Version values of good answers, in the order first seen.
    pub versions: Vec<String>,
    pub elapsed: Duration,
    /// The longest any one request took, answered or not.
    pub slowest: Duration,
    /// When that request was sent, counted from the start of the load.
    pub slowest_at: Duration,
}

impl Report {
    /// Asserts no request failed and at least `min_total` were made.
    pub fn assert_clean(&self, min_total: u64) {
        assert_eq!(
            self.failed,
            0,
            "{} of {} requests failed; first failures:\n{}",
            self.failed,
            self.total,
            self.samples.join("\n")
        );
        assert!(
            self.total >= min_total,
            "only {} requests in {:?} (wanted at least {min_total})",
            self.total,
            self.elapsed
        );
    }

    pub fn gpus_seen(&self) -> Vec<&str> {
        self.gpus.iter().map(String::as_str).collect()
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

/// A running load loop; stopped by `stop` or when dropped.
pub struct Load(Clients<Report>);

impl Load {
    /// Starts `clients` threads POSTing to the balancer on 127.0.0.1:`port`.
    pub fn start(port: u16, clients: usize) -> Self {
        let url = format!("http://127.0.0.1:{port}/v1/models/half_plus_two:predict");
        Self(Clients::spawn_paced(
            clients,
            Some(TEST_PACE),
            move |client| run(&url, &client, false),
        ))
    }

    /// Starts `clients` threads that each keep one connection to the
    /// balancer alive and send every request on it (a new one only when
    /// the server closed it).
    pub fn start_keepalive(port: u16, clients: usize) -> Self {
        let url = format!("http://127.0.0.1:{port}/v1/models/half_plus_two:predict");
        Self(Clients::spawn_paced(
            clients,
            Some(TEST_PACE),
            move |client| run(&url, &client, true),
        ))
    }

    /// Time since the load started.
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }

    /// Requests made so far.
    pub fn total(&self) -> u64 {
        self.0.total()
    }

    /// Waits until at least `count` requests were made (at most `limit`).
    pub fn wait_for(&self, count: u64, limit: Duration) {
        self.0.wait_for(count, limit)
    }

    /// Stops the clients and returns what they saw.
    pub fn stop(self) -> Report {
        self.0.stop()
    }
}

fn run(url: &str, client: &Client<Report>, keep_alive: bool) {
    let (report, started) = (&*client.tally, client.started);
    let idle = usize::from(keep_alive);
    let agent = ureq::AgentBuilder::new()
        // Longer than nginx's read timeout (35 s by default): a hung replica
        // then shows as nginx's 504, which its log explains.
        .timeout(Duration::from_secs(60))
        .max_idle_connections(idle)
        .max_idle_connections_per_host(idle)
        .build();
    while client.running() {
        let asked = std::time::Instant::now();
        let outcome = match agent
            .post(url)
            .set("Content-Type", "application/json")
            .send_string(BODY)
        {
            Ok(response) | Err(ureq::Error::Status(_, response)) => {
                let status = response.status();
                let replica = response.header("X-Stub-Replica").unwrap_or("").to_string();
                let gpu = response.header("X-Stub-Gpu").unwrap_or("").to_string();
                let version = response
                    .header("X-Stub-Model-Version")
                    .unwrap_or("")
                    .to_string();
                let body = response
                    .into_string()
                    .unwrap_or_else(|e| format!("(body unreadable: {e})"));
                if status == 200 && body.trim() == EXPECTED {
                    Ok((replica, gpu, version))
                } else {
                    *report.lock().unwrap().statuses.entry(status).or_default() += 1;
                    let body: Vec<&str> = body.split_whitespace().collect();
                    Err(format!(
                        "HTTP {status} from {replica:?}: {}",
                        body.join(" ")
                    ))
                }
            }
            Err(error) => Err(format!("transport error: {error}")),
        };
        let mut report = report.lock().unwrap();
        report.total += 1;
        let took = asked.elapsed();
        if took > report.slowest {
            report.slowest = took;
            report.slowest_at = asked.duration_since(started);
        }
        match outcome {
            Ok((replica, gpu, version)) => {
                report.replicas.insert(replica);
                report.gpus.insert(gpu);
                if report.versions.last() != Some(&version) {
                    report.versions.push(version);
                }
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
}
