//! execute: carry out a plan against the engine, reporting progress.

mod apply;
mod balancer;
pub mod checkpoint;
mod destroy;
mod executor;
mod images;
mod reload;
mod replicas;
mod rollout;
pub mod scripts;

pub use apply::{apply, Options, Outcome};
pub use destroy::destroy;
