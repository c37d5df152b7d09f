//! The models being served and their versions' states, as TF Serving's
//! manager tracks them: START -> LOADING -> AVAILABLE, and UNLOADING -> END
//! when a version leaves the base path or the policy (END with an error when
//! its load failed), plus the version labels. scan.rs finds and loads
//! versions; reload.rs applies a new model list (HandleReloadConfigRequest).

use crate::config::ModelSpec;
use crate::savedmodel::LoadError;
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
    pub error: Option<LoadError>,
}

/// A lookup failure: the HTTP status (400: INVALID_ARGUMENT, 404:
/// NOT_FOUND) and TF Serving's message.
pub type NotFound = (u16, String);

/// Which version a request asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Want<'a> {
    Latest,
    Specific(i64),
    Label(&'a str),
}

pub struct Registry {
    pub(crate) specs: Mutex<Vec<ModelSpec>>,
    pub(crate) versions: Mutex<HashMap<String, BTreeMap<i64, VersionStatus>>>,
    /// The versions each model's source asks for (found on disk and in the policy).
    pub(crate) aspired: Mutex<HashMap<String, Vec<i64>>>,
    /// model -> label -> version.
    pub(crate) labels: Mutex<HashMap<String, BTreeMap<String, i64>>>,
    pub(crate) last_scan_error: Mutex<HashMap<String, String>>,
    /// One reload at a time, as ServerCore's config mutex.
    pub(crate) reloading: tokio::sync::Mutex<()>,
    pub(crate) load_delay: Duration,
    pub(crate) never_ready: bool,
    pub(crate) allow_unavailable_labels: bool,
}

impl Registry {
    #[cfg(test)]
    pub fn new(specs: Vec<ModelSpec>, load_delay_ms: u64, never_ready: bool) -> Arc<Self> {
        Self::with_labels_policy(specs, load_delay_ms, never_ready, false)
    }

    /// `allow_unavailable_labels`: `--allow_version_labels_for_unavailable_models`.
    pub fn with_labels_policy(
        specs: Vec<ModelSpec>,
        load_delay_ms: u64,
        never_ready: bool,
        allow_unavailable_labels: bool,
    ) -> Arc<Self> {
        Arc::new(Registry {
            specs: Mutex::new(specs),
            versions: Mutex::new(HashMap::new()),
            aspired: Mutex::new(HashMap::new()),
            labels: Mutex::new(HashMap::new()),
            last_scan_error: Mutex::new(HashMap::new()),
            reloading: tokio::sync::Mutex::new(()),
            load_delay: Duration::from_millis(load_delay_ms),
            never_ready,
            allow_unavailable_labels,
        })
    }

    pub(crate) fn set(&self, model: &str, v: i64, state: State, error: Option<LoadError>) {
        let mut all = self.versions.lock().unwrap();
        all.entry(model.to_string())
            .or_default()
            .insert(v, VersionStatus { state, error });
    }

    /// Moves `v` to `to` only if it is in `from`; whether it moved.
    pub(crate) fn transition(
        &self,
        model: &str,
        v: i64,
        from: State,
        to: State,
        error: Option<LoadError>,
    ) -> bool {
        let mut all = self.versions.lock().unwrap();
        match all.get_mut(model).and_then(|m| m.get_mut(&v)) {
            Some(s) if s.state == from => {
                *s = VersionStatus { state: to, error };
                true
            }
            _ => false,
        }
    }

    pub(crate) fn version_status(&self, model: &str, v: i64) -> Option<VersionStatus> {
        let all = self.versions.lock().unwrap();
        all.get(model).and_then(|m| m.get(&v)).cloned()
    }

    pub(crate) fn state_of(&self, model: &str, v: i64) -> Option<State> {
        self.version_status(model, v).map(|s| s.state)
    }

    /// The version `label` names for `model`, or NOT_FOUND (HTTP 404): what
    /// issue #14 specifies for an unknown label. (TF Serving's
    /// GetModelVersionForLabel says InvalidArgument; clients see either as a
    /// request for something that is not served.)
    pub fn label_version(&self, model: &str, label: &str) -> Result<i64, NotFound> {
        let labels = self.labels.lock().unwrap();
        labels
            .get(model)
            .and_then(|m| m.get(label))
            .copied()
            .ok_or_else(|| (404, format!("Unrecognized servable version label: {label}")))
    }

    /// Versions for GET /v1/models/{m}[/versions/{v} | /labels/{l}], newest first.
    pub fn status(&self, model: &str, want: Want) -> Result<Vec<(i64, VersionStatus)>, NotFound> {
        let version = match want {
            Want::Latest => None,
            Want::Specific(v) => Some(v),
            Want::Label(l) => Some(self.label_version(model, l)?),
        };
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
    pub fn resolve(&self, model: &str, want: Want) -> Result<i64, NotFound> {
        let version = match want {
            Want::Latest => None,
            Want::Specific(v) => Some(v),
            Want::Label(l) => Some(self.label_version(model, l)?),
        };
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
