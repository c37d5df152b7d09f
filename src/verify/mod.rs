//! verify: ask the running fleet whether it serves.

mod grpc_client;
mod grpc_status;
mod http;
mod metrics;
mod model_state;
mod model_status;
mod readiness;
mod reload_config;

pub use http::get;
pub use metrics::requests_served;
pub use model_state::{is_available, ModelState, VersionState, Versions};
pub use readiness::{wait_available, Probe, ProbeError, ReplicaHealth, ServingProbe};
