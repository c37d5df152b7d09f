//! Containers and networks as Docker reports them: the engine's vocabulary,
//! which observe sorts into a fleet.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A container as Docker reports it: only the facts tfs compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub image: String,
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub state: ContainerState,
    /// Network name → the container's address on it.
    pub networks: BTreeMap<String, String>,
    pub device_ids: Vec<String>,
    /// When the container last started (RFC 3339), for uptime.
    #[serde(default)]
    pub started_at: Option<String>,
    /// How often Docker restarted it (its restart policy), since it was created.
    #[serde(default)]
    pub restart_count: u64,
}

/// Docker's `State.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    /// A status this tfs does not know (a newer Docker's).
    #[serde(other)]
    Unknown,
}

impl Status {
    /// Docker's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Removing => "removing",
            Status::Exited => "exited",
            Status::Dead => "dead",
            Status::Unknown => "unknown",
        }
    }

    /// Docker's word read back; anything else is [`Status::Unknown`].
    pub fn parse(word: &str) -> Status {
        [
            Status::Created,
            Status::Running,
            Status::Paused,
            Status::Restarting,
            Status::Removing,
            Status::Exited,
            Status::Dead,
        ]
        .into_iter()
        .find(|status| status.as_str() == word)
        .unwrap_or(Status::Unknown)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Docker's `State.Status` and exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    pub status: Status,
    pub exit_code: i64,
}

impl ContainerState {
    pub fn running() -> Self {
        Self {
            status: Status::Running,
            exit_code: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }

    /// Why a container that should run does not, in words.
    pub fn describe(&self) -> String {
        match self.status {
            Status::Exited => format!("container exited (code {})", self.exit_code),
            Status::Created => "container was created but never started".to_string(),
            Status::Restarting => format!(
                "container is restarting (last exit code {})",
                self.exit_code
            ),
            other => format!("container is {other}"),
        }
    }
}

/// A Docker network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
}
