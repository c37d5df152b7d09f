//! Finding versions on disk and loading them, as TF Serving's file system
//! source and its availability-preserving manager policy do: the versions in
//! the policy are aspired and load (each taking `--stub_load_delay_ms`, then
//! passing the saved_model check); a version no longer aspired unloads once
//! an aspired version of its model is AVAILABLE, or at once when none is
//! aspired (a model gone from the config, or no versions left on disk).

use crate::config::{ModelSpec, Policy};
use crate::log;
use crate::models::{Registry, State};
use crate::savedmodel;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

impl Registry {
    /// Scans once, then every `poll_secs` seconds when that is positive.
    pub async fn watch(self: Arc<Self>, poll_secs: i64) {
        loop {
            self.scan();
            if poll_secs <= 0 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(poll_secs as u64)).await;
        }
    }

    /// Compares each model's base path with what is loaded, and loads or
    /// unloads. Returns the versions each configured model's policy wants.
    pub fn scan(self: &Arc<Self>) -> Vec<(String, i64)> {
        let specs = self.specs.lock().unwrap().clone();
        let names: HashSet<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        let known: Vec<String> = self.versions.lock().unwrap().keys().cloned().collect();
        for gone in known.iter().filter(|m| !names.contains(m.as_str())) {
            self.aspired
                .lock()
                .unwrap()
                .insert(gone.clone(), Vec::new());
            self.rebalance(gone);
        }
        let mut wanted = Vec::new();
        for spec in &specs {
            for v in self.scan_model(spec) {
                wanted.push((spec.name.clone(), v));
            }
        }
        wanted
    }

    fn scan_model(self: &Arc<Self>, spec: &ModelSpec) -> Vec<i64> {
        let found = match version_dirs(&spec.base_path) {
            Ok(v) => v,
            Err(e) => {
                self.scan_error(&spec.name, e);
                return Vec::new();
            }
        };
        let wanted: Vec<i64> = match &spec.policy {
            Policy::Latest(n) => found.keys().rev().take(*n).copied().collect(),
            Policy::All => found.keys().copied().collect(),
            Policy::Specific(vs) => vs.clone(),
        };
        if found.is_empty() {
            self.scan_error(
                &spec.name,
                format!(
                    "No versions of servable {} found under base path {}. Did you forget \
                     to name your leaf directory as a number (eg. '/1/')?",
                    spec.name, spec.base_path
                ),
            );
        } else {
            self.last_scan_error.lock().unwrap().remove(&spec.name);
        }
        let aspired: Vec<i64> = wanted
            .iter()
            .filter(|v| found.contains_key(v))
            .copied()
            .collect();
        let before = self
            .aspired
            .lock()
            .unwrap()
            .insert(spec.name.clone(), aspired)
            .unwrap_or_default();
        for &v in &wanted {
            match found.get(&v) {
                Some(dir) => self.ensure_loaded(&spec.name, v, dir.clone(), before.contains(&v)),
                None => self.mark_missing(spec, v),
            }
        }
        self.rebalance(&spec.name);
        wanted
    }

    fn scan_error(&self, model: &str, msg: String) {
        let mut last = self.last_scan_error.lock().unwrap();
        if last.get(model) != Some(&msg) {
            log::error(&msg);
            last.insert(model.to_string(), msg);
        }
    }

    /// Starts loading `v` unless it is live, or failed while aspired (TF
    /// Serving does not retry a failed version until it is aspired anew).
    fn ensure_loaded(self: &Arc<Self>, model: &str, v: i64, dir: PathBuf, was_aspired: bool) {
        match self.version_status(model, v) {
            Some(s) if matches!(s.state, State::Start | State::Loading | State::Available) => {
                return
            }
            Some(s) if s.state == State::End && s.error.is_some() && was_aspired => return,
            _ => {}
        }
        let id = format!("{{name: {model} version: {v}}}");
        self.set(model, v, State::Start, None);
        log::info(&format!("Approving load for servable version {id}"));
        let this = Arc::clone(self);
        let model = model.to_string();
        tokio::spawn(async move {
            if !this.transition(&model, v, State::Start, State::Loading, None) {
                return;
            }
            log::info(&format!("Loading servable version {id}"));
            if this.never_ready {
                return;
            }
            tokio::time::sleep(this.load_delay).await;
            match savedmodel::check(&dir) {
                Ok(()) => {
                    if this.transition(&model, v, State::Loading, State::Available, None) {
                        log::info(&format!("Successfully loaded servable version {id}"));
                    }
                }
                Err((code, msg)) => {
                    let error = Some((code, msg.clone()));
                    if this.transition(&model, v, State::Loading, State::End, error) {
                        log::error(&format!("Loading servable: {id} failed: {code}: {msg}"));
                    }
                }
            }
            this.rebalance(&model);
        });
    }

    fn mark_missing(&self, spec: &ModelSpec, v: i64) {
        let msg = format!(
            "Could not find version {v} of servable {} under base path {}",
            spec.name, spec.base_path
        );
        let was = self.state_of(&spec.name, v);
        if was != Some(State::End) {
            log::error(&msg);
        }
        self.set(&spec.name, v, State::End, Some(("NOT_FOUND", msg)));
    }

    /// TF Serving's AvailabilityPreservingPolicy: a version no longer aspired
    /// that is still loading stops; one that serves unloads (lowest first)
    /// when no version is aspired, when an aspired one is AVAILABLE, or when
    /// more than one such version serves.
    pub(crate) fn rebalance(&self, model: &str) {
        let aspired = self.aspired.lock().unwrap().get(model).cloned();
        let aspired = aspired.unwrap_or_default();
        loop {
            let (cancel, unload) = {
                let all = self.versions.lock().unwrap();
                let Some(m) = all.get(model) else { return };
                let unaspired = |v: &i64| !aspired.contains(v);
                let cancel: Vec<i64> = m
                    .iter()
                    .filter(|(v, s)| {
                        unaspired(v) && matches!(s.state, State::Start | State::Loading)
                    })
                    .map(|(v, _)| *v)
                    .collect();
                let serving: Vec<i64> = m
                    .iter()
                    .filter(|(v, s)| unaspired(v) && s.state == State::Available)
                    .map(|(v, _)| *v)
                    .collect();
                let aspired_serving = aspired
                    .iter()
                    .any(|v| m.get(v).is_some_and(|s| s.state == State::Available));
                let may_unload = aspired.is_empty() || aspired_serving || serving.len() > 1;
                (cancel, serving.first().copied().filter(|_| may_unload))
            };
            for v in cancel {
                self.set(model, v, State::End, None);
                log::info(&format!(
                    "Cancelled load of servable version {{name: {model} version: {v}}}"
                ));
            }
            let Some(v) = unload else { return };
            let id = format!("{{name: {model} version: {v}}}");
            self.set(model, v, State::Unloading, None);
            log::info(&format!("Unloading servable version {id}"));
            self.set(model, v, State::End, None);
            log::info(&format!("Done unloading servable version {id}"));
        }
    }
}

/// The numeric subdirectories of a base path, by version.
fn version_dirs(base: &str) -> Result<BTreeMap<i64, PathBuf>, String> {
    let entries = std::fs::read_dir(base).map_err(|e| {
        format!("File system storage path source: Could not find base path {base}: {e}")
    })?;
    Ok(entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let v: i64 = e.file_name().to_str()?.parse().ok()?;
            (v >= 0).then(|| (v, e.path()))
        })
        .collect())
}
