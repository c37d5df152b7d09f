use std::collections::BTreeMap;

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
}

/// Docker's `State.Status` and exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    /// created, running, paused, restarting, removing, exited or dead.
    pub status: String,
    pub exit_code: i64,
}

impl ContainerState {
    pub fn running() -> Self {
        Self {
            status: "running".to_string(),
            exit_code: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.status == "running"
    }

    /// Why a container that should run does not, in words.
    pub fn describe(&self) -> String {
        match self.status.as_str() {
            "exited" => format!("container exited (code {})", self.exit_code),
            "created" => "container was created but never started".to_string(),
            "restarting" => format!(
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
