//! wrk (Debian's) POSTing half_plus_two predicts: throughput, latency
//! percentiles, failures, and good/bad answers per wall-clock second.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use crate::sh::{self, R};

pub const PREDICT: &str = "/v1/models/half_plus_two:predict";

/// wrk's Lua side: the POST, per-second counts by answer, and a summary
/// in lines starting with `BENCH` that `parse` reads.
const SCRIPT: &str = r#"wrk.method = "POST"
wrk.body = '{"instances": [1.0, 2.0, 5.0]}'
wrk.headers["Content-Type"] = "application/json"
CONNECTION

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) good = {} bad = {} end
function response(status, headers, body)
  local s = os.time()
  if status == 200 then good[s] = (good[s] or 0) + 1 else bad[s] = (bad[s] or 0) + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH summary %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, e.status, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("BENCH latency %d %d %d %d\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("good")) do io.write(string.format("BENCH good %d %d\n", s, n)) end
    for s, n in pairs(t:get("bad")) do io.write(string.format("BENCH bad %d %d\n", s, n)) end
  end
end
"#;

/// What one wrk run saw.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub connections: u32,
    pub requests: u64,
    pub seconds: f64,
    /// Answers other than 2xx/3xx.
    pub non2xx: u64,
    /// connect, read, write and timeout errors together.
    pub socket_errors: u64,
    /// The same, apart.
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    pub timeout: u64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// Unix second -> (200 answers, other answers).
    pub timeline: BTreeMap<u64, (u64, u64)>,
}

impl Stats {
    /// Successful predicts per second in the steady state: over the whole
    /// seconds after the first two (queues fill then) when the run has at
    /// least four of them, else over the whole run.
    pub fn rps(&self) -> f64 {
        let counts: Vec<u64> = self.timeline.values().map(|(ok, _)| *ok).collect();
        // The first and the last second are partial.
        match counts.get(3..counts.len().saturating_sub(1)) {
            Some(steady) if steady.len() >= 4 => {
                steady.iter().sum::<u64>() as f64 / steady.len() as f64
            }
            _ => self.requests.saturating_sub(self.non2xx) as f64 / self.seconds.max(1e-9),
        }
    }

    pub fn failed(&self) -> u64 {
        self.non2xx + self.socket_errors
    }
}

/// A wrk run in progress.
pub struct Running {
    child: Child,
    connections: u32,
}

/// Whether wrk keeps connections open between requests (as wrk does) or
/// asks for one connection per request (`Connection: close`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clients {
    KeepAlive,
    Close,
}

/// Starts wrk against `url` (`http://host:port`) with `connections` for at most `seconds`.
pub fn spawn(url: &str, connections: u32, seconds: u32, clients: Clients) -> R<Running> {
    let (name, header) = match clients {
        Clients::KeepAlive => ("keepalive", ""),
        Clients::Close => ("close", "wrk.headers[\"Connection\"] = \"close\""),
    };
    let script = std::env::temp_dir().join(format!("tfs-bench-predict-{name}.lua"));
    std::fs::write(&script, SCRIPT.replace("CONNECTION", header))
        .map_err(|e| format!("cannot write {script:?}: {e}"))?;
    let threads = connections.min(2).to_string();
    let child = Command::new("wrk")
        .args(["-t", &threads, "-c", &connections.to_string()])
        .args([
            "-d",
            &format!("{seconds}s"),
            "--timeout",
            "10s",
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(format!("{url}{PREDICT}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run wrk: {e} (tests/env/setup installs it)"))?;
    Ok(Running { child, connections })
}

/// Runs wrk for `seconds` and returns what it saw.
pub fn run(url: &str, connections: u32, seconds: u32) -> R<Stats> {
    spawn(url, connections, seconds, Clients::KeepAlive)?.finish()
}

impl Running {
    /// Waits for wrk to end by itself.
    pub fn finish(self) -> R<Stats> {
        let connections = self.connections;
        let out = self.child.wait_with_output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout);
        parse(&text, connections).ok_or_else(|| {
            format!(
                "wrk gave no summary ({}): {}{}",
                out.status,
                text.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })
    }

    /// Stops wrk now (SIGINT: it still reports) and returns what it saw.
    pub fn interrupt(self) -> R<Stats> {
        sh::ok("kill", &["-INT", &self.child.id().to_string()])?;
        self.finish()
    }
}

fn parse(text: &str, connections: u32) -> Option<Stats> {
    let mut stats = Stats {
        connections,
        ..Stats::default()
    };
    let mut seen = false;
    for line in text.lines().filter_map(|l| l.strip_prefix("BENCH ")) {
        let mut words = line.split_whitespace();
        let kind = words.next()?;
        let n: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
        match (kind, n.as_slice()) {
            ("summary", [req, dur, status, errors @ ..]) => {
                seen = true;
                stats.requests = *req;
                stats.seconds = *dur as f64 / 1e6;
                stats.non2xx = *status;
                stats.socket_errors = errors.iter().sum();
                if let [connect, read, write, timeout] = errors {
                    (stats.connect, stats.read) = (*connect, *read);
                    (stats.write, stats.timeout) = (*write, *timeout);
                }
            }
            ("latency", [p50, p90, p99, max]) => {
                (stats.p50_us, stats.p90_us, stats.p99_us) = (*p50, *p90, *p99);
                stats.max_us = *max;
            }
            ("good", [second, count]) => stats.timeline.entry(*second).or_default().0 += count,
            ("bad", [second, count]) => stats.timeline.entry(*second).or_default().1 += count,
            _ => {}
        }
    }
    seen.then_some(stats)
}
