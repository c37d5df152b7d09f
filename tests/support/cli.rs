//! One run of the `tfs` binary in a fresh tempdir, built up the way
//! casey/just's tests are: `Test::new().file(..).args(..).run()`.
//!
//! Include it with `#[path = "support/cli.rs"] mod cli;`.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// The exit code; -1 when a signal ended the process.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A tfs command to run in its own tempdir.
pub struct Test {
    directory: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    path_prepend: Vec<PathBuf>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// An empty tempdir and no arguments.
    pub fn new() -> Self {
        Self {
            directory: tempfile::tempdir().expect("a tempdir"),
            args: Vec::new(),
            env: Vec::new(),
            path_prepend: Vec::new(),
        }
    }

    /// The tempdir the command runs in.
    pub fn path(&self) -> &Path {
        self.directory.path()
    }

    /// Writes a file, relative to the tempdir, creating its directories.
    pub fn file(self, name: &str, content: &str) -> Self {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Writes an executable script, e.g. a fake `bin/nvidia-smi`.
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

    /// Puts a directory first on PATH; a relative one is taken inside the tempdir.
    pub fn path_prepend(mut self, directory: impl AsRef<Path>) -> Self {
        self.path_prepend.push(self.path().join(directory));
        self
    }

    /// Runs tfs in the tempdir with `NO_COLOR=1`, and waits for it.
    pub fn run(&self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tfs"));
        command
            .args(&self.args)
            .current_dir(self.path())
            .env("NO_COLOR", "1");
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
        let output = command.output().expect("tfs runs");
        Output {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
