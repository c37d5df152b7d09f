//! What the running replicas serve. Docker labels cannot change on a
//! running container, so this is read from each replica itself: the models
//! tfs last told it to serve (the JSON beside its model config file), and
//! its model status, asked of TF Serving. A container can run with every
//! model gone, and only the replica's own status tells.

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use super::observed::Observed;
use crate::desire::{ReplicaSpec, ServedModel, SERVED_MODELS_PATH};
use crate::engine::Engine;
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

/// Reads what every running replica was told to serve and asks each, all
/// together, whether it does; records both in `observed`. Replicas that do
/// not run are left out: their container state already says what is wrong.
pub async fn observe_serving(
    engine: &impl Engine,
    probe: &impl Probe,
    observed: &mut Observed,
    network: &str,
) {
    let running: Vec<ReplicaSpec> = observed
        .replicas
        .iter()
        .filter(|container| container.state.is_running())
        .filter_map(|container| ReplicaSpec::from_labels(&container.name, 1, &container.labels))
        .collect();
    let told = join_all(running.iter().map(|spec| served_models(engine, &spec.name))).await;
    let mut asked = Vec::new();
    for (mut spec, models) in running.into_iter().zip(told) {
        if let Some(models) = models {
            observed.models.insert(spec.name.clone(), models.clone());
            spec.models = models;
        }
        asked.push(spec);
    }
    let answers = join_all(asked.iter().map(|spec| probe.probe(spec, network))).await;
    for (spec, answer) in asked.iter().zip(answers) {
        let serving = match answer {
            Ok(health) if health.available => Serving::Available,
            Ok(health) => {
                Serving::Unavailable(format!("models not AVAILABLE: {}", health.compact()))
            }
            // It stopped between the listing and the question: its state says so next time.
            Err(ProbeError::Stopped(_)) => continue,
            Err(ProbeError::NoAnswer(error)) => {
                Serving::Unavailable(format!("TF Serving does not serve its models: {error:#}"))
            }
        };
        observed.serving.insert(spec.name.clone(), serving);
    }
}

/// The models file of a replica; None when it has none tfs can read (a
/// container made by an older tfs, or a file edited by hand).
async fn served_models(engine: &impl Engine, container: &str) -> Option<Vec<ServedModel>> {
    let text = engine
        .read_file(container, SERVED_MODELS_PATH)
        .await
        .ok()??;
    serde_json::from_str(&text).ok()
}
