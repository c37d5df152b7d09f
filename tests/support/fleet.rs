//! A fleet under test against the real Docker daemon: a unique fleet name,
//! free host ports, a tempdir with fleet.toml and model dirs, and cleanup of
//! everything labelled with the fleet when the test ends, even by panic.
//! tfs runs through `cli::Test` (`fleet.test()`, `fleet.apply()`), its
//! fleet.toml is a `FleetToml` (`fleet.toml()`).
//!
//! Include it with `#[path = "support/fleet.rs"] mod fleet;`.
#![allow(dead_code)]

#[path = "cli.rs"]
mod cli;
#[path = "docker.rs"]
mod docker_cli;
#[path = "fleet_toml.rs"]
mod fleet_toml;
#[path = "paused.rs"]
mod paused;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[allow(unused_imports)]
pub use cli::{Output, Test};
#[allow(unused_imports)]
pub use docker_cli::{docker, docker_lines, restarts};
pub use fleet_toml::FleetToml;
pub use paused::Paused;

pub const STUB_IMAGE: &str = "tfs-serving-stub:latest";
pub const NGINX_IMAGE: &str = "tfs-nginx:bookworm";

/// Fails (never skips) when the daemon or the test images are missing.
#[track_caller]
pub fn require_docker() {
    docker_cli::require_images(&[STUB_IMAGE, NGINX_IMAGE]);
}

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tfs apply` as the tests run it: no prompt, three minutes for readiness
/// (a CI machine under load can take over a minute to start a replica).
pub const APPLY: &[&str] = &["apply", "--auto-approve", "--timeout", "180"];

pub struct TestFleet {
    pub name: String,
    pub rest_port: u16,
    /// The balancer's gRPC port on 127.0.0.1, when `with_grpc` made the fleet.
    pub grpc_port: Option<u16>,
    pub directory: tempfile::TempDir,
    path_prepend: Option<PathBuf>,
    /// Extra environment for every tfs run (`set_env`).
    env: Vec<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestFleet {
    /// `label` goes into the fleet name to tell tests apart in `docker ps`.
    #[track_caller]
    pub fn new(label: &str) -> Self {
        require_docker();
        let name = format!(
            "t{}-{}-{label}",
            std::process::id() % 100_000,
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let directory = tempfile::tempdir().unwrap();
        let fleet = Self {
            name,
            rest_port: free_port(),
            grpc_port: None,
            directory,
            path_prepend: None,
            env: Vec::new(),
        };
        fleet.model("half_plus_two", &[123]);
        fleet
    }

    /// Like `new`, with a lock directory of its own (`TFS_LOCK_DIR=locks`),
    /// for tests that look at lock files.
    #[track_caller]
    pub fn with_own_locks(label: &str) -> Self {
        let mut fleet = Self::new(label);
        let locks = fleet.path("locks");
        fleet.set_env("TFS_LOCK_DIR", locks.to_str().unwrap());
        fleet
    }

    /// Like `new`, and `toml` also gives the balancer a gRPC listener
    /// (`grpc = "127.0.0.1:<free port>"`).
    #[track_caller]
    pub fn with_grpc(label: &str) -> Self {
        let mut fleet = Self::new(label);
        fleet.grpc_port = Some(free_port());
        fleet
    }

    /// A model dir with numeric version dirs under models/NAME.
    #[track_caller]
    pub fn model(&self, name: &str, versions: &[u64]) {
        for version in versions {
            let dir = self
                .directory
                .path()
                .join("models")
                .join(name)
                .join(version.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("saved_model.pb"), b"").unwrap();
        }
    }

    /// This fleet's fleet.toml, to build on: its name, the stub image never
    /// pulled, the half_plus_two model, the local nginx on the fleet's
    /// port(s). No `[placement]` yet.
    pub fn toml(&self) -> FleetToml {
        let toml = FleetToml::new(&self.name)
            .image(STUB_IMAGE)
            .pull("never")
            .model("half_plus_two")
            .balancer_image(NGINX_IMAGE)
            .rest(&format!("127.0.0.1:{}", self.rest_port));
        match self.grpc_port {
            Some(port) => toml.grpc(&format!("127.0.0.1:{port}")),
            None => toml,
        }
    }

    /// Writes fleet.toml.
    #[track_caller]
    pub fn write(&self, toml: &FleetToml) {
        self.write_raw(&toml.to_string());
    }

    /// Writes fleet.toml exactly as given.
    #[track_caller]
    pub fn write_raw(&self, text: &str) {
        std::fs::write(self.path("fleet.toml"), text).unwrap();
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.directory.path().join(relative)
    }

    /// Puts a directory first on tfs's PATH (for a fake nvidia-smi).
    pub fn path_prepend(&mut self, directory: &Path) {
        self.path_prepend = Some(directory.to_path_buf());
    }

    /// Sets an environment variable for every later tfs run (e.g. TFS_LOCK_DIR).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    /// A tfs run in this fleet's directory, with its environment and PATH;
    /// declare the arguments and expectations, then `run()`.
    pub fn test(&self) -> Test {
        // A daemon starved by the tests' own load can take over a minute
        // for one call; these tests are not about Docker's speed.
        let mut test = Test::in_directory(self.directory.path()).env("TFS_DOCKER_TIMEOUT", "300");
        for (key, value) in &self.env {
            test = test.env(key, value);
        }
        match &self.path_prepend {
            Some(directory) => test.path_prepend(directory),
            None => test,
        }
    }

    /// `tfs apply --auto-approve --timeout 180`, expected to succeed unless declared otherwise.
    pub fn apply(&self) -> Test {
        self.test().args(APPLY)
    }

    /// `tfs plan --detailed-exitcode`: status 0 (declared by default) is no
    /// changes, 2 is changes.
    pub fn detailed_plan(&self) -> Test {
        self.test().args(&["plan", "--detailed-exitcode"])
    }

    /// Spawns tfs with `TFS_PAUSE_AT=point`; returns once it is paused there.
    #[track_caller]
    pub fn spawn_paused(&self, args: &[&str], point: &str) -> Paused {
        use std::{io::BufRead, process::Stdio};
        let mut command = self.test().args(args).env("TFS_PAUSE_AT", point).command();
        command.stdout(Stdio::null());
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (sender, receiver) = std::sync::mpsc::channel();
        let marker = format!("tfs: paused at {point}");
        let collected = std::sync::Arc::clone(&seen);
        // Reads on after the marker (echoed to the test's output), so tfs never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("[paused tfs] {line}");
                let mut seen = collected.lock().unwrap();
                seen.push_str(&line);
                seen.push('\n');
                let _ = (line == marker).then(|| sender.send(()));
            }
        });
        let paused_there = receiver.recv().is_ok();
        assert!(paused_there, "tfs ended without pausing at {point}");
        Paused(child, seen)
    }

    /// POSTs a predict through the balancer: (status, body, X-Stub-Gpu, X-Stub-Replica).
    pub fn predict(&self, model: &str, body: &str) -> (u16, String, String, String) {
        let url = format!(
            "http://127.0.0.1:{}/v1/models/{model}:predict",
            self.rest_port
        );
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(10))
            .build();
        match agent
            .post(&url)
            .set("Content-Type", "application/json")
            .send_string(body)
        {
            Ok(response) | Err(ureq::Error::Status(_, response)) => {
                let status = response.status();
                let gpu = response.header("X-Stub-Gpu").unwrap_or("").to_string();
                let replica = response.header("X-Stub-Replica").unwrap_or("").to_string();
                (
                    status,
                    response.into_string().unwrap_or_default(),
                    gpu,
                    replica,
                )
            }
            Err(error) => (0, error.to_string(), String::new(), String::new()),
        }
    }

    /// Names of the containers labelled with this fleet, running or not.
    pub fn containers(&self) -> Vec<String> {
        docker_lines(&[
            "ps",
            "-a",
            "--filter",
            &format!("label=tfs.fleet={}", self.name),
            "--format",
            "{{.Names}}",
        ])
    }

    /// Replicas named in the configs the balancer runs or will load
    /// (nginx.conf and tfs-loaded.conf); none when it does not run.
    pub fn upstream_replicas(&self) -> Vec<String> {
        let balancer = format!("{}-balancer", self.name);
        let server = format!("server {}-", self.name);
        ["/etc/nginx/nginx.conf", "/etc/nginx/tfs-loaded.conf"]
            .iter()
            .map(|conf| docker(&["exec", &balancer, "cat", conf]))
            .flat_map(|shown| {
                let text = String::from_utf8_lossy(&shown.stdout).into_owned();
                text.lines().map(str::to_string).collect::<Vec<_>>()
            })
            .filter_map(|line| {
                let rest = line.trim().strip_prefix(&server)?;
                Some(format!("{}-{}", self.name, rest.split(':').next()?))
            })
            .collect()
    }

    pub fn networks(&self) -> Vec<String> {
        docker_lines(&[
            "network",
            "ls",
            "--filter",
            &format!("label=tfs.fleet={}", self.name),
            "--format",
            "{{.Name}}",
        ])
    }
}

impl Drop for TestFleet {
    fn drop(&mut self) {
        if std::thread::panicking() {
            docker_cli::print_containers(&self.name);
            docker_cli::print_balancer_log(&self.name);
        }
        let ids = docker_lines(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=tfs.fleet={}", self.name),
        ]);
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f"];
            args.extend(ids.iter().map(String::as_str));
            docker(&args);
        }
        for network in self.networks() {
            docker(&["network", "rm", &network]);
        }
    }
}
