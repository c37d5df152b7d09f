//! What the running replicas serve, asked of TF Serving itself: a container
//! can run with every model gone (its model directory was removed and put
//! back, so the bind mount points at the deleted one), and only the
//! replica's own model status tells.

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use super::observed::Observed;
use crate::desire::ReplicaSpec;
use crate::verify::{Probe, ProbeError};

/// A running replica's models, as it reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum Serving {
    /// Every model it should serve is AVAILABLE.
    Available,
    /// Some model is not, or the server does not answer; why, in words.
    Unavailable(String),
}

/// Asks every running replica once, all together, and records the answers
/// in `observed.serving`. Replicas that do not run are left out: their
/// container state already says what is wrong.
pub async fn observe_serving(probe: &impl Probe, observed: &mut Observed, network: &str) {
    let running: Vec<ReplicaSpec> = observed
        .replicas
        .iter()
        .filter(|container| container.state.is_running())
        .filter_map(|container| ReplicaSpec::from_labels(&container.name, 1, &container.labels))
        .collect();
    let answers = join_all(running.iter().map(|spec| probe.probe(spec, network))).await;
    for (spec, answer) in running.iter().zip(answers) {
        let serving = match answer {
            Ok(health) if health.available => Serving::Available,
            Ok(health) => {
                Serving::Unavailable(format!("models not AVAILABLE: {}", health.compact()))
            }
            // It stopped between the listing and the question: its state says so next time.
            Err(ProbeError::Stopped(_)) => continue,
            Err(ProbeError::NoAnswer(error)) => {
                Serving::Unavailable(format!("TF Serving does not answer: {error:#}"))
            }
        };
        observed.serving.insert(spec.name.clone(), serving);
    }
}
