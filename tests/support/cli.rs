//! One run of the `tfs` binary, built up and checked the way casey/just's
//! tests are: the test declares what tfs must print and how it must exit,
//! and `run()` checks all of it.
//!
//! ```ignore
//! Test::new()
//!     .file("fleet.toml", "[fleet]\nname = \"demo\"\n")
//!     .args(&["validate"])
//!     .status(1)
//!     .stderr_starts_with("error: fleet.toml:1:1: no [[models]] table\n")
//!     .run();
//! ```
//!
//! The expected exit status is 0 unless declared (`.status(1)`,
//! `.failure()`, `.any_status()`); stdout and stderr are checked only as far
//! as declared. A mismatch panics at the caller's line with every
//! expectation that failed and the whole stdout and stderr.
//!
//! Include it with `#[path = "support/cli.rs"] mod cli;`.
#![allow(dead_code)]

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// The exit code; -1 when a signal ended the process.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The exit status a test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Code(i32),
    /// Anything but 0, an end by signal included.
    Failure,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }

    fn of(self, output: &Output) -> &str {
        match self {
            Stream::Stdout => &output.stdout,
            Stream::Stderr => &output.stderr,
        }
    }
}

/// One declared expectation on stdout or stderr.
#[derive(Debug, Clone)]
enum Check {
    Is(String),
    Contains(String),
    Lacks(String),
    StartsWith(String),
}

/// Where the command runs: its own tempdir, or a directory someone else owns.
enum Directory {
    Temp(tempfile::TempDir),
    At(PathBuf),
}

/// A tfs command to run, and what it must print and how it must exit.
pub struct Test {
    directory: Directory,
    args: Vec<String>,
    env: Vec<(String, String)>,
    path_prepend: Vec<PathBuf>,
    status: Status,
    checks: Vec<(Stream, Check)>,
    context: Vec<String>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// An empty tempdir, no arguments, exit status 0 expected.
    #[track_caller]
    pub fn new() -> Self {
        Self::with_directory(Directory::Temp(tempfile::tempdir().expect("a tempdir")))
    }

    /// Runs in `directory`, which the caller owns (a `TestFleet`'s tempdir).
    pub fn in_directory(directory: impl Into<PathBuf>) -> Self {
        Self::with_directory(Directory::At(directory.into()))
    }

    fn with_directory(directory: Directory) -> Self {
        Self {
            directory,
            args: Vec::new(),
            env: Vec::new(),
            path_prepend: Vec::new(),
            status: Status::Code(0),
            checks: Vec::new(),
            context: Vec::new(),
        }
    }

    /// The directory the command runs in.
    pub fn path(&self) -> &Path {
        match &self.directory {
            Directory::Temp(directory) => directory.path(),
            Directory::At(path) => path,
        }
    }

    /// Writes a file, relative to the directory, creating its directories.
    #[track_caller]
    pub fn file(self, name: &str, content: &str) -> Self {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Writes an executable script, e.g. a fake `bin/nvidia-smi`.
    #[track_caller]
    pub fn executable(self, name: &str, content: &str) -> Self {
        let test = self.file(name, content);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = test.path().join(name);
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        test
    }

    /// A model directory with numeric version directories, each holding an
    /// empty saved_model.pb.
    #[track_caller]
    pub fn model_dir(self, path: &str, versions: &[u64]) -> Self {
        let root = self.path().join(path);
        std::fs::create_dir_all(&root).unwrap();
        for version in versions {
            let directory = root.join(version.to_string());
            std::fs::create_dir_all(&directory).unwrap();
            std::fs::write(directory.join("saved_model.pb"), b"").unwrap();
        }
        self
    }

    /// The command line after `tfs`.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|arg| arg.to_string()));
        self
    }

    /// An environment variable; a `PATH` set here is what `path_prepend` prepends to.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Puts a directory first on PATH; a relative one is taken inside the directory.
    pub fn path_prepend(mut self, directory: impl AsRef<Path>) -> Self {
        self.path_prepend.push(self.path().join(directory));
        self
    }

    /// The exit code tfs must end with (0 unless declared).
    pub fn status(mut self, code: i32) -> Self {
        self.status = Status::Code(code);
        self
    }

    /// tfs must fail: any exit code but 0, or an end by signal.
    pub fn failure(mut self) -> Self {
        self.status = Status::Failure;
        self
    }

    /// The exit status is not checked (the test looks at it itself, or does
    /// not care).
    pub fn any_status(mut self) -> Self {
        self.status = Status::Any;
        self
    }

    /// stdout must be exactly this.
    pub fn stdout(self, text: &str) -> Self {
        self.expect(Stream::Stdout, Check::Is(text.to_string()))
    }

    /// stderr must be exactly this.
    pub fn stderr(self, text: &str) -> Self {
        self.expect(Stream::Stderr, Check::Is(text.to_string()))
    }

    /// stdout must contain this; may be declared many times.
    pub fn stdout_contains(self, text: &str) -> Self {
        self.expect(Stream::Stdout, Check::Contains(text.to_string()))
    }

    /// stderr must contain this; may be declared many times.
    pub fn stderr_contains(self, text: &str) -> Self {
        self.expect(Stream::Stderr, Check::Contains(text.to_string()))
    }

    /// stdout must not contain this.
    pub fn stdout_lacks(self, text: &str) -> Self {
        self.expect(Stream::Stdout, Check::Lacks(text.to_string()))
    }

    /// stderr must not contain this.
    pub fn stderr_lacks(self, text: &str) -> Self {
        self.expect(Stream::Stderr, Check::Lacks(text.to_string()))
    }

    /// stdout must start with this.
    pub fn stdout_starts_with(self, text: &str) -> Self {
        self.expect(Stream::Stdout, Check::StartsWith(text.to_string()))
    }

    /// stderr must start with this.
    pub fn stderr_starts_with(self, text: &str) -> Self {
        self.expect(Stream::Stderr, Check::StartsWith(text.to_string()))
    }

    /// More to print when an expectation fails (e.g. an earlier run's stderr).
    pub fn context(mut self, text: &str) -> Self {
        self.context.push(text.to_string());
        self
    }

    fn expect(mut self, stream: Stream, check: Check) -> Self {
        self.checks.push((stream, check));
        self
    }

    /// tfs with the arguments, in the directory, with the environment,
    /// `NO_COLOR=1`, the PATH and stdin from /dev/null; not yet run.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tfs"));
        command
            .args(&self.args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        let mut path = std::env::var_os("PATH").unwrap_or_default();
        for (key, value) in &self.env {
            if key == "PATH" {
                path = OsString::from(value);
            } else {
                command.env(key, value);
            }
        }
        let mut directories: Vec<PathBuf> = self.path_prepend.iter().rev().cloned().collect();
        directories
            .extend(std::env::split_paths(&path).filter(|entry| !entry.as_os_str().is_empty()));
        command.env(
            "PATH",
            std::env::join_paths(directories).expect("a valid PATH"),
        );
        command
    }

    /// Runs tfs and waits for it, checking nothing.
    #[track_caller]
    pub fn output(&self) -> Output {
        let output = self.command().output().expect("tfs runs");
        Output {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Every declared expectation that `output` misses, with the whole
    /// stdout and stderr; Ok when it meets them all.
    pub fn verify(&self, output: &Output) -> Result<(), String> {
        let mut failures = Vec::new();
        match self.status {
            Status::Code(code) if output.status != code => {
                failures.push(format!("exit status {}, expected {code}", output.status));
            }
            Status::Failure if output.status == 0 => {
                failures.push("exit status 0, expected a failure".to_string());
            }
            _ => {}
        }
        for (stream, check) in &self.checks {
            let actual = stream.of(output);
            let name = stream.name();
            match check {
                Check::Is(expected) if actual != expected => {
                    let diff = similar::TextDiff::from_lines(expected, actual)
                        .unified_diff()
                        .header("expected", "actual")
                        .to_string();
                    failures.push(format!("{name} is not as expected:\n{diff}"));
                }
                Check::Contains(text) if !actual.contains(text.as_str()) => {
                    failures.push(format!("{name} does not contain {text:?}"));
                }
                Check::Lacks(text) if actual.contains(text.as_str()) => {
                    failures.push(format!("{name} contains {text:?}"));
                }
                Check::StartsWith(text) if !actual.starts_with(text.as_str()) => {
                    failures.push(format!("{name} does not start with {text:?}"));
                }
                _ => {}
            }
        }
        if failures.is_empty() {
            return Ok(());
        }
        let mut message = format!(
            "tfs {} (in {}):\n",
            self.args.join(" "),
            self.path().display()
        );
        for failure in &failures {
            let _ = writeln!(message, "  {}", failure.trim_end().replace('\n', "\n  "));
        }
        for context in &self.context {
            let _ = write!(message, "--- context\n{context}\n");
        }
        let _ = write!(
            message,
            "--- stdout\n{}\n--- stderr\n{}\n--- end",
            output.stdout, output.stderr
        );
        Err(message)
    }

    /// Panics, at the caller's line, unless `output` meets every declared
    /// expectation; returns it for further checks.
    #[track_caller]
    pub fn check(&self, output: Output) -> Output {
        if let Err(message) = self.verify(&output) {
            panic!("{message}");
        }
        output
    }

    /// Runs tfs, checks every declared expectation, returns the output for
    /// further checks.
    #[track_caller]
    pub fn run(&self) -> Output {
        self.check(self.output())
    }
}
