//! Processes a test runs itself rather than through `cli::Test::run`: to
//! learn tfs's pid (the containers it names after it), or to run it as root
//! without root's right to read anything.
//!
//! Include it with `#[path = "support/spawned.rs"] mod spawned;`.
#![allow(dead_code)]

use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs `command` with its output captured; returns the output and the pid.
#[track_caller]
pub fn output_with_pid(mut command: Command) -> (Output, u32) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let pid = child.id();
    (child.wait_with_output().expect("the command ends"), pid)
}

/// `command` so that permission bits bind it: as root (who reads anything),
/// through util-linux `setpriv` without the capabilities that let it.
pub fn without_root_override(command: &Command) -> Command {
    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(1) == Some("0"));
    let mut again = if root {
        let mut setpriv = Command::new("setpriv");
        setpriv
            .args(["--bounding-set", "-dac_override,-dac_read_search", "--"])
            .arg(command.get_program());
        setpriv
    } else {
        Command::new(command.get_program())
    };
    again.args(command.get_args()).stdin(Stdio::null());
    if let Some(directory) = command.get_current_dir() {
        again.current_dir(directory);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => again.env(key, value),
            None => again.env_remove(key),
        };
    }
    again
}

/// Seconds since the Unix epoch, for `docker events --since`.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
