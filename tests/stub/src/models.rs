//! The models being served and their versions' states, as TF Serving's
//! manager tracks them: START -> LOADING -> AVAILABLE, and UNLOADING -> END
//! when a version leaves the base path or the policy.

use crate::config::{ModelSpec, Policy};
use crate::log;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Start,
    Loading,
    Available,
    Unloading,
    End,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Start => "START",
            State::Loading => "LOADING",
            State::Available => "AVAILABLE",
            State::Unloading => "UNLOADING",
            State::End => "END",
        }
    }
}

/// One version's state, with its error (code, message) when it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionStatus {
    pub state: State,
    pub error: Option<(&'static str, String)>,
}

/// A lookup failure: the HTTP status and TF Serving's message.
pub type NotFound = (u16, String);

pub struct Registry {
    specs: Vec<ModelSpec>,
    versions: Mutex<HashMap<String, BTreeMap<i64, VersionStatus>>>,
    last_scan_error: Mutex<HashMap<String, String>>,
    load_delay: Duration,
    never_ready: bool,
}

impl Registry {
    pub fn new(specs: Vec<ModelSpec>, load_delay_ms: u64, never_ready: bool) -> Arc<Self> {
        Arc::new(Registry {
            specs,
            versions: Mutex::new(HashMap::new()),
            last_scan_error: Mutex::new(HashMap::new()),
            load_delay: Duration::from_millis(load_delay_ms),
            never_ready,
        })
    }

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

    /// Compares each model's base path with what is loaded, and loads or unloads.
    pub fn scan(self: &Arc<Self>) {
        for spec in &self.specs {
            let found = match version_dirs(&spec.base_path) {
                Ok(v) => v,
                Err(e) => {
                    self.scan_error(&spec.name, e);
                    continue;
                }
            };
            let wanted: Vec<i64> = match &spec.policy {
                Policy::Latest(n) => found.iter().rev().take(*n).copied().collect(),
                Policy::All => found.clone(),
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
            for &v in &wanted {
                if found.contains(&v) {
                    self.ensure_loaded(&spec.name, v);
                } else {
                    self.mark_missing(spec, v);
                }
            }
            self.unload_others(&spec.name, &wanted);
        }
    }

    fn scan_error(&self, model: &str, msg: String) {
        let mut last = self.last_scan_error.lock().unwrap();
        if last.get(model) != Some(&msg) {
            log::error(&msg);
            last.insert(model.to_string(), msg);
        }
    }

    fn set(&self, model: &str, v: i64, state: State, error: Option<(&'static str, String)>) {
        let mut all = self.versions.lock().unwrap();
        all.entry(model.to_string())
            .or_default()
            .insert(v, VersionStatus { state, error });
    }

    fn state_of(&self, model: &str, v: i64) -> Option<State> {
        let all = self.versions.lock().unwrap();
        all.get(model).and_then(|m| m.get(&v)).map(|s| s.state)
    }

    fn ensure_loaded(self: &Arc<Self>, model: &str, v: i64) {
        let live = matches!(
            self.state_of(model, v),
            Some(State::Start | State::Loading | State::Available)
        );
        if live {
            return;
        }
        let id = format!("{{name: {model} version: {v}}}");
        self.set(model, v, State::Start, None);
        log::info(&format!("Approving load for servable version {id}"));
        let this = Arc::clone(self);
        let model = model.to_string();
        tokio::spawn(async move {
            this.set(&model, v, State::Loading, None);
            log::info(&format!("Loading servable version {id}"));
            if this.never_ready {
                return;
            }
            tokio::time::sleep(this.load_delay).await;
            if this.state_of(&model, v) == Some(State::Loading) {
                this.set(&model, v, State::Available, None);
                log::info(&format!("Successfully loaded servable version {id}"));
            }
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

    fn unload_others(&self, model: &str, wanted: &[i64]) {
        let live: Vec<i64> = {
            let all = self.versions.lock().unwrap();
            let Some(m) = all.get(model) else { return };
            m.iter()
                .filter(|(v, s)| !wanted.contains(v) && s.state != State::End)
                .map(|(v, _)| *v)
                .collect()
        };
        for v in live {
            let id = format!("{{name: {model} version: {v}}}");
            self.set(model, v, State::Unloading, None);
            log::info(&format!("Unloading servable version {id}"));
            self.set(model, v, State::End, None);
            log::info(&format!("Done unloading servable version {id}"));
        }
    }

    /// Versions for GET /v1/models/{m}[/versions/{v}], newest first.
    pub fn status(
        &self,
        model: &str,
        version: Option<i64>,
    ) -> Result<Vec<(i64, VersionStatus)>, NotFound> {
        let all = self.versions.lock().unwrap();
        let versions = all.get(model).filter(|m| !m.is_empty());
        let Some(versions) = versions else {
            return Err((404, format!("Could not find any versions of model {model}")));
        };
        match version {
            Some(v) => versions
                .get(&v)
                .map(|s| vec![(v, s.clone())])
                .ok_or_else(|| (404, format!("Could not find version {v} of model {model}"))),
            None => Ok(versions
                .iter()
                .rev()
                .map(|(v, s)| (*v, s.clone()))
                .collect()),
        }
    }

    /// The AVAILABLE version a predict or metadata request goes to.
    pub fn resolve(&self, model: &str, version: Option<i64>) -> Result<i64, NotFound> {
        let all = self.versions.lock().unwrap();
        let available = |v: &i64| {
            all.get(model)
                .and_then(|m| m.get(v))
                .is_some_and(|s| s.state == State::Available)
        };
        let found = match version {
            Some(v) => Some(v).filter(available),
            None => all
                .get(model)
                .and_then(|m| m.keys().rev().find(|v| available(v)).copied()),
        };
        found.ok_or_else(|| {
            let req = match version {
                Some(v) => format!("Specific({model}, {v})"),
                None => format!("Latest({model})"),
            };
            (404, format!("Servable not found for request: {req}"))
        })
    }
}

/// The numeric subdirectories of a base path, ascending.
fn version_dirs(base: &str) -> Result<Vec<i64>, String> {
    let entries = std::fs::read_dir(base).map_err(|e| {
        format!("File system storage path source: Could not find base path {base}: {e}")
    })?;
    let mut versions: Vec<i64> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .filter(|v: &i64| *v >= 0)
        .collect();
    versions.sort_unstable();
    Ok(versions)
}
