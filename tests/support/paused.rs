//! A tfs run paused at a `TFS_PAUSE_AT` checkpoint, for tests that signal
//! or kill it there. Part of `fleet.rs`.

use std::process::Command;
use std::time::Duration;

/// A tfs run paused at a `TFS_PAUSE_AT` checkpoint, and what it printed to
/// stderr so far; dropping it is a `kill -9`.
pub struct Paused(
    pub std::process::Child,
    pub std::sync::Arc<std::sync::Mutex<String>>,
);

impl Paused {
    /// Sends `signal` ("TERM", "INT") to tfs.
    #[track_caller]
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.0.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} failed");
    }

    /// Waits (at most `limit`) for tfs to exit: its exit code and stderr.
    #[track_caller]
    pub fn exit(&mut self, limit: Duration) -> (Option<i32>, String) {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                // The reader thread may still be copying the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return (status.code(), self.1.lock().unwrap().clone());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "tfs still runs {limit:?} after the signal:\n{}",
                self.1.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
