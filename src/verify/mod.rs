//! verify: ask the running fleet whether it serves.

mod http;
mod metrics;
mod model_status;
mod readiness;

pub use model_status::VersionState;
pub use readiness::{probe, wait_available, ProbeError, ReplicaHealth};
pub use metrics::requests_served;
pub use http::get;
