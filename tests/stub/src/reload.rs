//! ServerCore::ReloadConfig: a new model list replaces the old one. Labels
//! are checked first, against the versions AVAILABLE now (as TF Serving's
//! UpdateModelVersionLabelMap does, before it loads anything); then the new
//! list is scanned, its new versions load while the versions still serving
//! keep serving, and the answer comes once every version the new policies
//! want is AVAILABLE or failed (WaitUntilModelsAvailable's error then).

use crate::config::ModelSpec;
use crate::log;
use crate::models::{Registry, State};
use crate::savedmodel::LoadError;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

impl Registry {
    /// Applies `specs`; Err is TF Serving's (code, message) of a failed reload.
    pub async fn reload(self: &Arc<Self>, specs: Vec<ModelSpec>) -> Result<(), LoadError> {
        let _one_at_a_time = self.reloading.lock().await;
        self.assign_labels(&specs)?;
        log::info("Adding/updating models.");
        *self.specs.lock().unwrap() = specs;
        let wanted = self.scan();
        let failed = self.wait_loaded(wanted).await;
        if failed.is_empty() {
            log::info("Finished adding/updating models");
            return Ok(());
        }
        let mut message = format!("{} model(s) did not become available: {{", failed.len());
        for (model, v, (code, msg)) in &failed {
            message.push_str(&format!(
                "{{{{name: {model} version: {v}}} due to error: {code}: {msg}}}, "
            ));
        }
        message.push('}');
        Err(("UNKNOWN", message))
    }

    /// Waits until each wanted version is AVAILABLE or END; the failed ones.
    async fn wait_loaded(&self, wanted: Vec<(String, i64)>) -> Vec<(String, i64, LoadError)> {
        loop {
            let mut failed = Vec::new();
            let mut pending = false;
            for (model, v) in &wanted {
                match self.version_status(model, *v) {
                    Some(s) if s.state == State::Available => {}
                    Some(s) if s.state == State::End => {
                        let error = s.error.unwrap_or(("CANCELLED", "unloaded".into()));
                        failed.push((model.clone(), *v, error));
                    }
                    _ => pending = true,
                }
            }
            if !pending {
                return failed;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Replaces the label map with `specs`' labels. Each must name a version
    /// AVAILABLE now, unless `--allow_version_labels_for_unavailable_models`
    /// is set and the label is new or keeps its version.
    pub fn assign_labels(&self, specs: &[ModelSpec]) -> Result<(), LoadError> {
        let current = self.labels.lock().unwrap().clone();
        let mut next: HashMap<String, BTreeMap<String, i64>> = HashMap::new();
        for spec in specs {
            for (label, &v) in &spec.labels {
                let moved = current
                    .get(&spec.name)
                    .and_then(|m| m.get(label))
                    .is_some_and(|&old| old != v);
                let allowed = self.allow_unavailable_labels && !moved;
                if !allowed && self.state_of(&spec.name, v) != Some(State::Available) {
                    return Err((
                        "FAILED_PRECONDITION",
                        format!(
                            "Request to assign label to version {v} of model {}, which is not \
                             currently available for inference",
                            spec.name
                        ),
                    ));
                }
                next.entry(spec.name.clone())
                    .or_default()
                    .insert(label.clone(), v);
            }
        }
        *self.labels.lock().unwrap() = next;
        Ok(())
    }
}
