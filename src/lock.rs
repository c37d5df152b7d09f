//! One apply or destroy per fleet at a time, across processes on this host.
//!
//! The lock is a file created exclusively, holding who took it. A lock whose
//! holder died on this host is taken over with a warning; a lock file that
//! names no holder is refused as corrupt; `tfs force-unlock` removes any.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Who holds a fleet's lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub since: String,
    pub command: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{}@{} since {} ({})",
            self.pid, self.host, self.since, self.command
        )
    }
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    pid: u32,
    /// Set when the lock was taken over from a dead holder.
    pub warning: Option<String>,
}

/// Where lock files live: `TFS_LOCK_DIR`, else /run/lock/tfs, else the temp dir.
pub fn directory() -> PathBuf {
    if let Some(directory) = std::env::var_os("TFS_LOCK_DIR") {
        return PathBuf::from(directory);
    }
    let run_lock = PathBuf::from("/run/lock");
    if run_lock.is_dir() {
        return run_lock.join("tfs");
    }
    std::env::temp_dir().join("tfs-locks")
}

fn path(fleet: &str) -> PathBuf {
    directory().join(format!("{fleet}.lock"))
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// True when `pid` is a live tfs process on this host.
fn alive(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains("tfs"))
}

/// Whether `holder` was a process on this host that is gone: its lock is
/// taken over (with a warning) rather than refused.
pub fn is_stale(holder: &Holder) -> bool {
    holder.host == hostname() && !alive(holder.pid)
}

/// What a fleet's lock file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Free,
    Held(Holder),
    /// A lock file tfs cannot read a holder from: it never writes one (see
    /// [`acquire`]), so someone else did, and only a person may clear it.
    Corrupt(PathBuf),
}

/// Takes the fleet's lock for `command` ("tfs apply"); `fleet_file` is
/// what the hints tell `tfs force-unlock` to read.
pub fn acquire(fleet: &str, command: &str, fleet_file: &Path) -> Result<Lock> {
    let path = path(fleet);
    std::fs::create_dir_all(directory())
        .with_context(|| format!("cannot create lock directory {}", directory().display()))?;
    let holder = Holder {
        pid: std::process::id(),
        host: hostname(),
        since: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        command: command.to_string(),
    };
    let unlock = format!("tfs force-unlock -f {}", fleet_file.display());
    let mut warning = None;
    // Twice at most: once more after taking over a dead holder's lock.
    for _ in 0..2 {
        if create(&path, &holder)? {
            held().push(path.clone());
            return Ok(Lock {
                path,
                pid: holder.pid,
                warning,
            });
        }
        match read(fleet)? {
            State::Held(other) if !is_stale(&other) => {
                bail!("fleet \"{fleet}\" is locked by {other}\nhint: wait for it to finish; if that process is gone, run `{unlock}`")
            }
            State::Held(other) => {
                warning = Some(format!(
                    "took over the lock of fleet \"{fleet}\" left by dead process {other}"
                ));
                let _ = std::fs::remove_file(&path);
            }
            State::Corrupt(path) => {
                bail!(
                    "lock file {} is corrupt\nhint: if no tfs apply or destroy of fleet \"{fleet}\" runs, run `{unlock}`",
                    path.display()
                )
            }
            // Released just now: try again.
            State::Free => {}
        }
    }
    bail!("fleet \"{fleet}\" is locked by another process that took the lock just now")
}

/// Creates the lock file holding `holder`, whole or not at all: written
/// aside, then linked into place (a link never replaces a file). False
/// when the lock exists.
fn create(path: &Path, holder: &Holder) -> Result<bool> {
    let aside = path.with_extension(format!("lock.{}", holder.pid));
    std::fs::write(&aside, serde_json::to_string(holder)?)
        .with_context(|| format!("cannot write lock {}", aside.display()))?;
    let linked = std::fs::hard_link(&aside, path);
    let _ = std::fs::remove_file(&aside);
    match linked {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(error).with_context(|| format!("cannot create lock {}", path.display())),
    }
}

/// What the fleet's lock file says now.
pub fn read(fleet: &str) -> Result<State> {
    let path = path(fleet);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(serde_json::from_str(&text).map_or(State::Corrupt(path), State::Held)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(State::Free),
        Err(error) => Err(error).with_context(|| format!("cannot read lock of fleet \"{fleet}\"")),
    }
}

/// Removes the fleet's lock file whatever it holds; returns what it held.
pub fn force_unlock(fleet: &str) -> Result<State> {
    let state = read(fleet)?;
    match std::fs::remove_file(path(fleet)) {
        Ok(()) => Ok(state),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(State::Free),
        Err(error) => {
            Err(error).with_context(|| format!("cannot remove lock of fleet \"{fleet}\""))
        }
    }
}

/// The locks this process holds, for [`release_held`].
fn held() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    static HELD: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every lock this process holds, for an exit that skips destructors
/// (a second Ctrl-C).
pub fn release_held() {
    for path in held().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        held().retain(|path| *path != self.path);
        // Only our own lock: after a force-unlock another process may hold it.
        let ours = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| serde_json::from_str::<Holder>(&text).ok())
            .is_some_and(|holder| holder.pid == self.pid);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
