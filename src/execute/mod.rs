//! execute: carry out a plan's operations against the engine, reporting
//! typed events. The order and the rollbacks are the plan's; this module
//! only interprets them.

mod balancer;
pub mod checkpoint;
mod destroy;
mod event;
mod executor;
mod images;
mod models;
mod nginx_version;
mod operations;
mod ownership;
mod reload;
mod replicas;
mod rollback;
pub mod scripts;

pub use destroy::destroy;
pub use event::{Detail, Event, Reporter};
pub use executor::{apply, Options, Outcome};
