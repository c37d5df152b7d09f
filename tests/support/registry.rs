//! The loopback registries of tests/env/setup, for the pull tests: pushing
//! test images there, Docker config directories with and without
//! credentials, images that are a new release of another. Include it with
//! `#[path = "support/registry.rs"] mod registry;`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use super::fleet::{docker, STUB_IMAGE};

pub const OPEN: &str = "127.0.0.1:5000";
pub const AUTH: &str = "127.0.0.1:5001";

/// Image references to remove once the test is over, after its fleet
/// (declare it first: it is dropped last).
#[derive(Default)]
pub struct Cleanup(std::cell::RefCell<Vec<String>>);

impl Cleanup {
    pub fn add(&self, reference: &str) -> String {
        self.0.borrow_mut().push(reference.to_string());
        reference.to_string()
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for reference in self.0.borrow().iter() {
            docker(&["rmi", "-f", reference]);
        }
    }
}

/// A Docker config directory with credentials for the auth registry.
pub fn logged_in(directory: &Path) -> std::path::PathBuf {
    let dir = directory.join("docker-config");
    std::fs::create_dir_all(&dir).unwrap();
    // base64("tfs:tfs-test")
    let config = format!(r#"{{"auths":{{"{AUTH}":{{"auth":"dGZzOnRmcy10ZXN0"}}}}}}"#);
    std::fs::write(dir.join("config.json"), config).unwrap();
    dir
}

/// An empty Docker config directory: no credentials at all.
pub fn logged_out(directory: &Path) -> std::path::PathBuf {
    let dir = directory.join("no-docker-config");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `docker` with a config directory (for pushes to the auth registry).
#[track_caller]
pub fn docker_as(config: Option<&Path>, args: &[&str]) {
    let mut command = Command::new("docker");
    command.args(args);
    if let Some(config) = config {
        command.env("DOCKER_CONFIG", config);
    }
    let output = command.output().expect("docker runs");
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Pushes `local` as `reference`, then removes the tag from the host, so
/// that only a pull brings it back.
#[track_caller]
pub fn push(local: &str, reference: &str, config: Option<&Path>) {
    docker_as(None, &["tag", local, reference]);
    docker_as(config, &["push", "-q", reference]);
    docker_as(None, &["rmi", reference]);
}

/// Builds an image FROM the stub with a layer of its own (`bytes` of
/// random data), tagged `reference`: what a new release of an image is.
#[track_caller]
pub fn build_new_release(reference: &str, bytes: usize, directory: &Path) {
    build_release_of(STUB_IMAGE, reference, bytes, directory);
}

#[track_caller]
pub fn build_release_of(base: &str, reference: &str, bytes: usize, directory: &Path) {
    let context = directory.join(format!("build-{}", reference.replace(['/', ':'], "_")));
    std::fs::create_dir_all(&context).unwrap();
    let data: Vec<u8> = (0..bytes)
        .map(|i| (i as u64 * 2_654_435_761 + std::process::id() as u64 + bytes as u64) as u8)
        .collect();
    std::fs::write(context.join("release"), data).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        format!("FROM {base}\nLABEL tfs.test.release={reference}\nCOPY release /release\n"),
    )
    .unwrap();
    let output = Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "--network", "none", "-t", reference])
        .arg(&context)
        .output()
        .expect("docker runs");
    assert!(
        output.status.success(),
        "docker build: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
