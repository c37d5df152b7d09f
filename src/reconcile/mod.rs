//! reconcile: desired and observed state in, a [`Plan`] out: steps with
//! reasons for people, operations in order for execute. Pure.

mod differences;
mod in_place;
mod model_differences;
mod operation;
mod plan;
#[allow(clippy::module_inception)]
mod reconcile;
mod schedule;
mod schedule_parts;
mod stray;
mod tags;
mod teardown;

pub use operation::{Op, Operation, Removal};
pub use plan::{Action, ConfChange, Kind, Plan, Step, Summary};
pub use reconcile::{as_running, reconcile, ReconcileError, ONLY_REPLICA_DOWNTIME};
pub use schedule::{schedule, Schedule};
pub use teardown::{teardown, Teardown};
