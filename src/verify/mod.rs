//! verify: ask the running fleet whether it serves.

mod http;
mod model_status;
mod readiness;

pub use model_status::VersionState;
pub use readiness::{probe, wait_available, ProbeError, ReplicaHealth};
