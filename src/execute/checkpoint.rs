//! Named points in an apply where a test can stop tfs dead.
//!
//! With `TFS_PAUSE_AT=<point>` set, tfs prints `tfs: paused at <point>` to
//! stderr when it gets there and waits (until a signal), so a test can
//! signal or SIGKILL it at exactly that point and check that the next apply
//! converges.

/// After the fleet's network was created.
pub const NETWORK_CREATED: &str = "network-created";
/// After a replica container was created, before it is started.
pub const REPLICA_CREATED: &str = "replica-created";
/// After a replica container was started (before it is AVAILABLE).
pub const REPLICA_STARTED: &str = "replica-started";
/// After a replica was told to load its new model versions, before they are AVAILABLE.
pub const MODELS_RELOADING: &str = "models-reloading";
/// After a candidate nginx.conf was written into the balancer, before `nginx -t`.
pub const CONF_WRITTEN: &str = "conf-written";
/// After the tested nginx.conf was moved in place, before `nginx -s reload`.
pub const CONF_MOVED: &str = "conf-moved";

pub async fn checkpoint(point: &str) {
    if std::env::var("TFS_PAUSE_AT").is_ok_and(|wanted| wanted == point) {
        // The one print outside the printer: a test hook, never seen in normal use.
        eprintln!("tfs: paused at {point}");
        // Until a signal comes, so that a test can also see what tfs does
        // with one here; with TFS_PAUSE_HOLD set, signals do not end it (a
        // test of the second signal).
        let hold = std::env::var_os("TFS_PAUSE_HOLD").is_some();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(600);
        while (hold || !crate::cancel::signalled()) && std::time::Instant::now() < until {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
