//! tfs: serve TensorFlow models across every GPU of a machine, declaratively.
//!
//! The pipeline, one module each: load → discover → desire → observe →
//! reconcile → render → execute → verify.

pub mod cancel;
pub mod cli;
pub mod desire;
pub mod discover;
pub mod doctor;
pub mod engine;
pub mod error_chain;
pub mod execute;
pub mod load;
pub mod lock;
pub mod observe;
pub mod printer;
pub mod progress;
pub mod reconcile;
pub mod render;
pub mod status;
pub mod verify;
