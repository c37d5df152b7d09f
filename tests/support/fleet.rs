//! A fleet under test against the real Docker daemon: a unique fleet name,
//! free host ports, a tempdir with fleet.toml and model dirs, and cleanup of
//! everything labelled with the fleet when the test ends, even by panic.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const STUB_IMAGE: &str = "tfs-serving-stub:latest";
pub const NGINX_IMAGE: &str = "tfs-nginx:bookworm";

/// Fails (never skips) when the daemon or the test images are missing.
pub fn require_docker() {
    let info = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    match info {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!(
            "Docker daemon unreachable: {}\nrun tests/env/setup first",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => panic!("docker CLI not found ({error}); run tests/env/setup first"),
    }
    for image in [STUB_IMAGE, NGINX_IMAGE] {
        let status = Command::new("docker")
            .args(["image", "inspect", image])
            .output()
            .expect("docker runs");
        assert!(
            status.status.success(),
            "image {image} is missing; run tests/env/setup first"
        );
    }
}

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Output of a tfs run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }

    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "tfs failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

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

    /// Like `new`, and `write` also gives the balancer a gRPC listener
    /// (`grpc = "127.0.0.1:<free port>"`).
    pub fn with_grpc(label: &str) -> Self {
        let mut fleet = Self::new(label);
        fleet.grpc_port = Some(free_port());
        fleet
    }

    /// A model dir with numeric version dirs under models/NAME.
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

    /// Writes fleet.toml: `[fleet]`, the stub image, the local nginx and the fleet's port(s) are filled in.
    pub fn write(&self, body: &str) {
        let mut text = format!(
            "[fleet]\nname = \"{}\"\n\n{body}\n\n[balancer]\nimage = \"{NGINX_IMAGE}\"\nrest = \"127.0.0.1:{}\"\n",
            self.name, self.rest_port
        );
        if let Some(port) = self.grpc_port {
            text.push_str(&format!("grpc = \"127.0.0.1:{port}\"\n"));
        }
        std::fs::write(self.path("fleet.toml"), text).unwrap();
    }

    /// Writes fleet.toml exactly as given.
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

    /// tfs with this fleet's directory, environment and PATH, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tfs"));
        command
            .args(args)
            .current_dir(self.directory.path())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        if let Some(directory) = &self.path_prepend {
            let path = std::env::var("PATH").unwrap_or_default();
            command.env("PATH", format!("{}:{path}", directory.display()));
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Sets an environment variable for every later tfs run (e.g. TFS_LOCK_DIR).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn tfs(&self, args: &[&str]) -> Run {
        let mut command = self.command(args);
        Run::from(command.output().expect("tfs runs"))
    }

    /// Spawns tfs with `TFS_PAUSE_AT=point`; returns once it is paused there.
    pub fn spawn_paused(&self, args: &[&str], point: &str) -> Paused {
        use std::{io::BufRead, process::Stdio};
        let mut command = self.command(args);
        command.env("TFS_PAUSE_AT", point).stdout(Stdio::null());
        let mut paused = Paused(command.stderr(Stdio::piped()).spawn().unwrap());
        let stderr = std::io::BufReader::new(paused.0.stderr.take().unwrap());
        let (sender, receiver) = std::sync::mpsc::channel();
        let marker = format!("tfs: paused at {point}");
        // Reads on after the marker (echoed to the test's output), so tfs never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("[paused tfs] {line}");
                let _ = (line == marker).then(|| sender.send(()));
            }
        });
        let paused_there = receiver.recv().is_ok();
        assert!(paused_there, "tfs ended without pausing at {point}");
        paused
    }

    pub fn apply(&self) -> Run {
        self.tfs(&["apply", "--auto-approve", "--timeout", "60"])
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

/// A tfs run paused at a `TFS_PAUSE_AT` checkpoint; dropping it is a `kill -9`.
pub struct Paused(pub std::process::Child);

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs")
}

pub fn docker_lines(args: &[&str]) -> Vec<String> {
    let output = docker(args);
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    lines
}

impl Drop for TestFleet {
    fn drop(&mut self) {
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
