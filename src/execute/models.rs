//! Reloading what a running replica serves, in place: the container and its
//! place in the upstream stay; only TF Serving's model config changes.

use anyhow::{Context, Result};

use super::checkpoint::{checkpoint, MODELS_RELOADING};
use super::executor::{Effect, Executor};
use crate::desire::{
    model_config, served_models_json, ReplicaSpec, ServedModel, MODEL_CONFIG_PATH,
    SERVED_MODELS_PATH,
};
use crate::engine::Engine;
use crate::verify::{wait_available, Probe};

impl<E: Engine, P: Probe> Executor<'_, E, P> {
    /// From what the replica serves now to its desired models, without a
    /// request lost: first the old and new versions together under the old
    /// labels (TF Serving refuses a label on a version that is not loaded),
    /// then, once the new versions are AVAILABLE, exactly the new models
    /// with their labels. The files in the container follow last, so that
    /// they always name what the replica was fully told to serve.
    pub(super) async fn reload_models(&self, name: &str) -> Result<Effect> {
        let desired = self.desired_spec(name)?;
        let before = self
            .previous_spec(name)
            .map(|spec| spec.models.clone())
            .unwrap_or_default();
        let both = together(&before, &desired.models);
        self.tell(desired, &both, true).await?;
        checkpoint(MODELS_RELOADING).await;
        let network = &self.plan.desired.network.name;
        let (timeout, cancel) = (self.options.timeout, &self.options.cancel);
        wait_available(self.probe, desired, network, timeout, cancel).await?;
        self.tell(desired, &desired.models, true).await?;
        let health = wait_available(self.probe, desired, network, timeout, cancel).await?;
        record(self.engine, desired, &desired.models).await?;
        Ok(Effect::Available(health))
    }

    /// A reload that failed: the replica goes back to what it served, and is
    /// checked serving it.
    pub(super) async fn restore_models(&self, name: &str) -> Result<Effect> {
        let previous = self.previous_spec(name)?;
        self.tell(previous, &previous.models, true).await?;
        let network = &self.plan.desired.network.name;
        let (timeout, cancel) = (self.options.timeout, &self.options.cancel);
        let health = wait_available(self.probe, previous, network, timeout, cancel).await?;
        record(self.engine, previous, &previous.models).await?;
        Ok(Effect::Available(health))
    }

    async fn tell(
        &self,
        replica: &ReplicaSpec,
        models: &[ServedModel],
        labels: bool,
    ) -> Result<()> {
        let network = &self.plan.desired.network.name;
        self.probe
            .reload(replica, network, models, labels)
            .await
            .with_context(|| format!("reloading the models of {}", replica.name))
    }
}

/// The new models, each also keeping the versions it served before and
/// the labels those carry, so that nothing a client asks for goes away
/// before its replacement is AVAILABLE.
fn together(before: &[ServedModel], after: &[ServedModel]) -> Vec<ServedModel> {
    after
        .iter()
        .map(|model| {
            let Some(old) = before.iter().find(|m| m.name == model.name) else {
                return ServedModel {
                    labels: Default::default(),
                    ..model.clone()
                };
            };
            // "Newest" on either side: TF Serving's own policy already keeps
            // the old version until the new one is AVAILABLE.
            if old.versions.is_empty() || model.versions.is_empty() {
                return ServedModel {
                    labels: kept_labels(old, &model.versions),
                    ..model.clone()
                };
            }
            let mut versions = old.versions.clone();
            versions.extend(model.versions.iter().filter(|v| !old.versions.contains(v)));
            versions.sort_unstable();
            ServedModel {
                versions,
                labels: old.labels.clone(),
                ..model.clone()
            }
        })
        .collect()
}

/// The old labels whose versions are still served.
fn kept_labels(old: &ServedModel, versions: &[u64]) -> std::collections::BTreeMap<String, u64> {
    old.labels
        .iter()
        .filter(|(_, version)| versions.is_empty() || versions.contains(version))
        .map(|(label, version)| (label.clone(), *version))
        .collect()
}

/// Writes the model config TF Serving reads when Docker restarts it, and
/// the JSON observe reads back.
pub async fn record(
    engine: &impl Engine,
    replica: &ReplicaSpec,
    models: &[ServedModel],
) -> Result<()> {
    let files = recorded_files(models);
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    engine
        .write_files(&replica.name, &files)
        .await
        .with_context(|| format!("recording the models of {}", replica.name))
}

/// What [`record`] writes: paths and contents.
pub fn recorded_files(models: &[ServedModel]) -> [(&'static str, String); 2] {
    [
        (MODEL_CONFIG_PATH, model_config(models, true)),
        (SERVED_MODELS_PATH, served_models_json(models)),
    ]
}
