//! reconcile: desired and observed state in, a [`Plan`] out.

mod differences;
mod plan;
#[allow(clippy::module_inception)]
mod reconcile;
mod teardown;

pub use plan::{Action, ConfChange, Kind, Plan, Step, Summary};
pub use reconcile::{reconcile, ReconcileError, ONLY_REPLICA_DOWNTIME};
pub use teardown::teardown;
