//! render: text made from data — nginx.conf, and plans for people and machines.

pub mod compose;
pub mod nginx;
pub mod plan_json;
pub mod plan_text;
pub mod starter;
