//! A plan: the steps that take the host from what it has to what fleet.toml says.

use serde::{Deserialize, Serialize};

use super::operation::Operation;
use crate::desire::{Desired, GpuBinding, ReplicaSpec};

/// What a step does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    /// Changed in place: the balancer's nginx.conf, validated and reloaded.
    Update,
    /// Destroyed and created again.
    Replace,
    Remove,
}

/// What kind of thing a step acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Network,
    Replica,
    Balancer,
    /// Labelled as the fleet's, but no replica of a slot nor its balancer.
    Container,
}

/// One change, with the reasons for it in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub action: Action,
    pub kind: Kind,
    pub resource: String,
    pub slot: Option<String>,
    pub gpu: Option<GpuBinding>,
    pub reasons: Vec<String>,
    /// For a replaced replica: the spec its running container was created
    /// from, so a failed rollout can put it back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<ReplicaSpec>,
    /// For the balancer: nginx.conf as it runs (None when there is none) and as it will be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nginx_conf: Option<ConfChange>,
}

/// The running and the desired nginx.conf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfChange {
    pub running: Option<String>,
    pub desired: String,
    /// The replicas the desired upstream lists.
    pub upstream: Vec<String>,
    /// nginx.conf on disk differs from `running`, the config nginx loaded:
    /// the desired one must be written and reloaded even when it equals `running`.
    #[serde(default)]
    pub unloaded: bool,
}

/// The steps for one fleet (for people), the operations that carry them
/// out (for execute), and what they were computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub fleet: String,
    pub steps: Vec<Step>,
    /// What apply does, in order.
    pub operations: Vec<Operation>,
    /// What undoes a failed wave: see [`super::Schedule::rollback`].
    pub rollback: Vec<Operation>,
    /// The nginx.conf the balancer has loaded, when tfs can trust it (not an
    /// interrupted switch): a switch to the same config needs no reload.
    pub loaded_conf: Option<String>,
    /// Whether a balancer serves traffic from the start of apply (and must be kept fed).
    pub balancer_live: bool,
    pub desired: Desired,
    /// Of the observed state; a saved plan whose fingerprint no longer matches is stale.
    pub fingerprint: String,
    pub warnings: Vec<String>,
}

/// How many resources a plan adds, changes and destroys, Terraform's way:
/// a replacement counts as one added and one destroyed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn summary(&self) -> Summary {
        Summary::of(&self.steps)
    }
}

impl Summary {
    pub fn of(steps: &[Step]) -> Summary {
        let mut summary = Summary::default();
        for step in steps {
            match step.action {
                Action::Create => summary.add += 1,
                Action::Update => summary.change += 1,
                Action::Replace => {
                    summary.add += 1;
                    summary.destroy += 1;
                }
                Action::Remove => summary.destroy += 1,
            }
        }
        summary
    }
}
