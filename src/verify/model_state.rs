//! A model version's state as TF Serving reports it, and the one way tfs
//! writes a model's versions for people.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `ModelVersionStatus.State`, named as TF Serving's REST API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModelState {
    Start,
    Loading,
    Available,
    Unloading,
    End,
    #[serde(other)]
    Unknown,
}

impl ModelState {
    /// TF Serving's name for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelState::Start => "START",
            ModelState::Loading => "LOADING",
            ModelState::Available => "AVAILABLE",
            ModelState::Unloading => "UNLOADING",
            ModelState::End => "END",
            ModelState::Unknown => "UNKNOWN",
        }
    }

    /// The gRPC enum's number (get_model_status.proto).
    pub fn from_number(number: i32) -> ModelState {
        match number {
            10 => ModelState::Start,
            20 => ModelState::Loading,
            30 => ModelState::Available,
            40 => ModelState::Unloading,
            50 => ModelState::End,
            _ => ModelState::Unknown,
        }
    }
}

impl fmt::Display for ModelState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One version of one model and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionState {
    pub version: String,
    pub state: ModelState,
    /// TF Serving's error for a version that failed to load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One model's versions, written the ways tfs shows them.
pub struct Versions<'a> {
    pub model: &'a str,
    pub states: &'a [VersionState],
}

impl Versions<'_> {
    /// `half_plus_two:123,124 LOADING`: available versions bare, the others
    /// with their state; `half_plus_two:none` when it reports no version.
    pub fn compact(&self) -> String {
        let versions: Vec<String> = self
            .states
            .iter()
            .map(|s| match s.state {
                ModelState::Available => s.version.clone(),
                state => format!("{} {state}", s.version),
            })
            .collect();
        let versions = if versions.is_empty() {
            "none".to_string()
        } else {
            versions.join(",")
        };
        format!("{}:{versions}", self.model)
    }

    /// `half_plus_two v123`: only what serves, for progress lines.
    pub fn serving(&self) -> String {
        let versions: Vec<&str> = self
            .states
            .iter()
            .filter(|s| s.state == ModelState::Available)
            .map(|s| s.version.as_str())
            .collect();
        format!("{} v{}", self.model, versions.join(","))
    }
}

/// True when every wanted version (or, with none listed, some version) is AVAILABLE.
pub fn is_available(states: &[VersionState], wanted: &[u64]) -> bool {
    let available = |state: &&VersionState| state.state == ModelState::Available;
    if wanted.is_empty() {
        return states.iter().any(|state| available(&state));
    }
    wanted.iter().all(|version| {
        states
            .iter()
            .filter(available)
            .any(|state| state.version == version.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states() -> Vec<VersionState> {
        vec![
            VersionState {
                version: "123".into(),
                state: ModelState::Available,
                error: None,
            },
            VersionState {
                version: "124".into(),
                state: ModelState::Loading,
                error: None,
            },
        ]
    }

    #[test]
    fn compact_shows_states_of_versions_that_do_not_serve() {
        let states = states();
        let versions = Versions {
            model: "m",
            states: &states,
        };
        assert_eq!(versions.compact(), "m:123,124 LOADING");
        assert_eq!(versions.serving(), "m v123");
    }

    #[test]
    fn wanted_versions_must_all_be_available() {
        assert!(is_available(&states(), &[123]));
        assert!(!is_available(&states(), &[123, 124]));
        assert!(is_available(&states(), &[]));
        assert!(!is_available(&[], &[]));
    }

    #[test]
    fn rest_names_parse_and_unknown_ones_do_not_fail() {
        let state: ModelState = serde_json::from_str("\"AVAILABLE\"").unwrap();
        assert_eq!(state, ModelState::Available);
        let state: ModelState = serde_json::from_str("\"SOMETHING_NEW\"").unwrap();
        assert_eq!(state, ModelState::Unknown);
    }
}
