//! tfs: serve TensorFlow models across every GPU of a machine, declaratively.
//!
//! The pipeline, one module each: load → discover → desire → observe →
//! reconcile → render → execute → verify.

pub mod desire;
pub mod discover;
pub mod engine;
pub mod load;
pub mod observe;
pub mod printer;
pub mod reconcile;
pub mod render;
