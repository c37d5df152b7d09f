//! Fleets of stub replicas deployed with tfs, each in its own directory with
//! fleet.toml and a model, and what the benchmark needs to know about them.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::sh::{self, R};

/// What tests/env/setup builds; the run uses it under its own tag, STUB.
pub const SETUP_STUB: &str = "tfs-serving-stub:latest";
pub const STUB: &str = "tfs-serving-stub:tfsbench";
pub const NGINX: &str = "tfs-nginx:bookworm";
/// The current nginx (1.30, with `keepalive_min_timeout`).
pub const FORKY: &str = "tfs-nginx:forky";
/// The model's version directories; fleets serve the first unless told.
pub const VERSIONS: [u32; 2] = [123, 124];
/// Every fleet, compose project and proxy of the benchmark starts with this.
pub const PREFIX: &str = "tfsbench";

/// The tfs binary and the directory the fleets live in.
#[derive(Clone)]
pub struct Tools {
    pub tfs: PathBuf,
    pub work: PathBuf,
}

pub struct Fleet {
    pub name: String,
    pub dir: PathBuf,
    pub port: u16,
    /// The balancer's published gRPC port, when `[balancer].grpc` is set.
    pub grpc_port: Option<u16>,
    /// The balancer's image.
    pub nginx: &'static str,
    /// `versions` of the model, when fleet.toml lists them.
    pub versions: std::cell::Cell<Option<u32>>,
    tfs: PathBuf,
}

/// One `tfs apply`: its wall time and peak RSS.
pub struct Applied {
    pub seconds: f64,
    pub peak_rss_kib: u64,
    /// Seconds until the last "is AVAILABLE" progress line.
    pub replicas_s: Option<f64>,
    /// Seconds until "started balancer", when it was created.
    pub balancer_s: Option<f64>,
    /// Each progress line and when it came, in seconds from the start.
    pub lines: Vec<(f64, String)>,
}

/// `[serving]` for stub replicas with these flags, on `gpus` simulated GPUs.
pub fn stub_fleet(image: &str, args: &[&str], gpus: usize) -> String {
    let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
    let gpus: Vec<String> = (0..gpus).map(|g| g.to_string()).collect();
    format!(
        "[serving]\nimage = \"{image}\"\nargs = [{}]\n\n[placement]\ngpus = [{}]\n",
        args.join(", "),
        gpus.join(", ")
    )
}

impl Fleet {
    /// A fleet directory named `PREFIX-label` with fleet.toml made of `body`.
    pub fn new(tools: &Tools, label: &str, body: &str) -> R<Self> {
        let name = format!("{PREFIX}-{label}");
        let dir = tools.work.join(&name);
        for v in VERSIONS {
            let version = dir.join(format!("models/half_plus_two/{v}"));
            std::fs::create_dir_all(&version).map_err(|e| format!("{version:?}: {e}"))?;
            std::fs::write(version.join("saved_model.pb"), b"").map_err(|e| e.to_string())?;
        }
        let fleet = Fleet {
            name,
            dir,
            port: sh::free_port()?,
            grpc_port: None,
            nginx: NGINX,
            versions: std::cell::Cell::new(Some(VERSIONS[0])),
            tfs: tools.tfs.clone(),
        };
        fleet.write(body)?;
        Ok(fleet)
    }

    /// The same fleet with a gRPC listener on the balancer.
    pub fn with_grpc(mut self, body: &str) -> R<Self> {
        self.grpc_port = Some(sh::free_port()?);
        self.write(body)?;
        Ok(self)
    }

    /// The same fleet behind another nginx image.
    pub fn with_nginx(mut self, nginx: &'static str, body: &str) -> R<Self> {
        self.nginx = nginx;
        self.write(body)?;
        Ok(self)
    }

    /// Rewrites fleet.toml with another body (same name, model and ports).
    pub fn write(&self, body: &str) -> R<()> {
        let versions = self
            .versions
            .get()
            .map_or(String::new(), |v| format!("versions = [{v}]\n"));
        let mut text = format!(
            "[fleet]\nname = \"{}\"\n\n{body}\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n{versions}\n[balancer]\nimage = \"{}\"\nrest = \"127.0.0.1:{}\"\n",
            self.name, self.nginx, self.port
        );
        if let Some(grpc) = self.grpc_port {
            text.push_str(&format!("grpc = \"127.0.0.1:{grpc}\"\n"));
        }
        std::fs::write(self.file(), text).map_err(|e| e.to_string())
    }

    pub fn file(&self) -> PathBuf {
        self.dir.join("fleet.toml")
    }

    /// The balancer's published address, as clients on this host reach it
    /// (through docker-proxy, Docker's userland proxy for loopback).
    pub fn published_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The balancer container's own address on the fleet network: nginx
    /// without docker-proxy in front, as the hand-made nginx is reached too.
    pub fn url(&self) -> R<String> {
        Ok(format!("http://{}:8501", self.balancer_ip()?))
    }

    pub fn balancer_ip(&self) -> R<String> {
        let balancer = format!("{}-balancer", self.name);
        let found = addresses(&[balancer], &self.network())?;
        let (_, ip) = found
            .into_iter()
            .next()
            .ok_or("the balancer has no address")?;
        Ok(ip)
    }

    pub fn network(&self) -> String {
        format!("{}-net", self.name)
    }

    /// Runs tfs with `-f fleet.toml` appended; the raw output.
    pub fn tfs(&self, args: &[&str]) -> R<std::process::Output> {
        let file = self.file();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-f", file.to_str().unwrap_or_default()]);
        sh::output(self.tfs.to_str().unwrap_or("tfs"), &all)
    }

    /// `tfs apply --auto-approve` under /usr/bin/time: wall time, peak
    /// RSS, and when its progress lines said the replicas served and the
    /// balancer started.
    pub fn apply(&self) -> R<Applied> {
        use std::io::BufRead;
        let rss = self.dir.join("apply.rss");
        let started = Instant::now();
        let mut child = Command::new("/usr/bin/time")
            .args(["-f", "%M", "-o"])
            .arg(&rss)
            .arg(&self.tfs)
            .args(["apply", "--auto-approve", "-f"])
            .arg(self.file())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run tfs apply: {e}"))?;
        let (mut log, mut replicas_s, mut balancer_s) = (String::new(), None, None);
        let mut lines = Vec::new();
        let stderr = std::io::BufReader::new(child.stderr.take().ok_or("no stderr")?);
        for line in stderr.lines().map_while(Result::ok) {
            let at = Some(started.elapsed().as_secs_f64());
            replicas_s = if line.contains(" is AVAILABLE") {
                at
            } else {
                replicas_s
            };
            balancer_s = if line.contains("started balancer") {
                at
            } else {
                balancer_s
            };
            log.push_str(&line);
            log.push('\n');
            lines.push((started.elapsed().as_secs_f64(), line));
        }
        let status = child.wait().map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("tfs apply of {} failed: {log}", self.name));
        }
        let text = std::fs::read_to_string(&rss).map_err(|e| e.to_string())?;
        let peak_rss_kib = text
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .next_back();
        Ok(Applied {
            seconds,
            peak_rss_kib: peak_rss_kib.unwrap_or(0),
            replicas_s,
            balancer_s,
            lines,
        })
    }

    pub fn destroy(&self) -> R<()> {
        self.destroy_timed().map(|_| ())
    }

    /// `tfs destroy`, and how long it took in seconds.
    pub fn destroy_timed(&self) -> R<f64> {
        let started = Instant::now();
        let out = self.tfs(&["destroy", "--auto-approve", "-q"])?;
        let seconds = started.elapsed().as_secs_f64();
        match out.status.success() {
            true => Ok(seconds),
            false => Err(format!(
                "tfs destroy of {}: {}",
                self.name,
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// The replicas' container names and addresses on the fleet network, by name.
    pub fn replicas(&self) -> R<Vec<(String, String)>> {
        let filter = |l: &str| format!("label={l}");
        let names = sh::lines(&sh::docker(&[
            "ps",
            "--filter",
            &filter(&format!("tfs.fleet={}", self.name)),
            "--filter",
            &filter("tfs.role=replica"),
            "--format",
            "{{.Names}}",
        ])?);
        let mut replicas = addresses(&names, &self.network())?;
        replicas.sort();
        Ok(replicas)
    }
}

/// Each container's address on `network`.
pub fn addresses(containers: &[String], network: &str) -> R<Vec<(String, String)>> {
    let format =
        format!("{{{{.Name}}}} {{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}");
    let mut args = vec!["inspect", "-f", &format];
    args.extend(containers.iter().map(String::as_str));
    let text = sh::docker(&args)?;
    Ok(sh::lines(&text)
        .iter()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, ip)| (n.trim_start_matches('/').to_string(), ip.to_string()))
        .collect())
}

/// Whether TF Serving (or a proxy in front) at `addr` (`ip:port`) says
/// half_plus_two is AVAILABLE.
pub fn available(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        return false;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let request = "GET /v1/models/half_plus_two HTTP/1.0\r\nHost: bench\r\n\r\n";
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.contains("\"AVAILABLE\"")
}

/// Polls every 20 ms until each `ip:port` serves the model; false on timeout.
pub fn wait_available(addrs: &[String], timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<&String> = addrs.iter().collect();
    while !pending.is_empty() && Instant::now() < deadline {
        pending.retain(|addr| !available(addr));
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    pending.is_empty()
}

pub fn path_str(path: &Path) -> String {
    path.to_string_lossy().to_string()
}
