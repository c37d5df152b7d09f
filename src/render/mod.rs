//! render: text made from data — plans for people and machines, exported files.

pub mod compose;
pub mod kubernetes;
mod kubernetes_balancer;
mod kubernetes_groups;
mod kubernetes_pods;
mod kubernetes_probes;
mod kubernetes_serving;
pub mod plan_json;
pub mod plan_text;
pub mod starter;
