//! Operations: what apply does to the host, one Docker- or replica-level
//! action each, in the order it does them.

use serde::{Deserialize, Serialize};

/// One action on one target; `wave` is the rollout wave it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    #[serde(flatten)]
    pub op: Op,
    /// A container, network or image name.
    pub target: String,
    pub wave: Option<u32>,
    /// Why, in words.
    pub reason: String,
}

/// What an operation does. Upstreams name the replicas the balancer should
/// list; execute lists only those of them that answered AVAILABLE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Creates the fleet's network.
    CreateNetwork,
    /// Makes an image present, as the pull policy says.
    PullImage,
    /// Asks a running replica once whether it serves: only those that do
    /// stay in the upstream while apply works.
    CheckAvailable,
    /// Creates, configures and starts the balancer with this first upstream.
    StartBalancer { upstream: Vec<String> },
    /// Writes the config for this upstream into the balancer and tests it
    /// (`nginx -t`) without loading it, so that switching to it later is one reload.
    StageConfig { upstream: Vec<String> },
    /// Points nginx at the config for this upstream and reloads it; nothing
    /// happens when that is the config it runs.
    SwitchConfig { upstream: Vec<String> },
    /// Waits until nginx's old workers finished the requests they hold
    /// (at most `drain_timeout`); only after a switch that reloaded.
    Drain,
    /// Stops (with a grace period) and removes a replica container.
    RemoveReplica { removal: Removal },
    /// Creates and starts a replica from its desired spec.
    StartReplica,
    /// Creates and starts a replica from the spec its replaced container
    /// was created from (its `tfs.spec` label): a rollback.
    RestoreReplica,
    /// Waits until every model of a replica is AVAILABLE.
    WaitAvailable,
    /// Changes what a running replica serves, in place: TF Serving loads
    /// the new versions beside the old ones, the labels move once they are
    /// AVAILABLE, and the replica stays in the upstream throughout.
    ReloadModels,
    /// Reloads the models a replica served before a reload that failed: a rollback.
    RestoreModels,
    /// Stops and removes the balancer container.
    RemoveBalancer,
    /// Removes the fleet's network.
    RemoveNetwork,
}

/// Which container a replica removal takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    /// A slot no longer in the placement.
    Unplaced,
    /// The running container of a slot being replaced.
    Replaced,
    /// A new container that did not become AVAILABLE.
    Failed,
    /// Everything goes: `tfs destroy`.
    Destroyed,
}

impl Op {
    /// Its name in plans and JSON: `start_replica`.
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateNetwork => "create_network",
            Op::PullImage => "pull_image",
            Op::CheckAvailable => "check_available",
            Op::StartBalancer { .. } => "start_balancer",
            Op::StageConfig { .. } => "stage_config",
            Op::SwitchConfig { .. } => "switch_config",
            Op::Drain => "drain",
            Op::RemoveReplica { .. } => "remove_replica",
            Op::StartReplica => "start_replica",
            Op::RestoreReplica => "restore_replica",
            Op::WaitAvailable => "wait_available",
            Op::ReloadModels => "reload_models",
            Op::RestoreModels => "restore_models",
            Op::RemoveBalancer => "remove_balancer",
            Op::RemoveNetwork => "remove_network",
        }
    }

    /// Operations that may run together with their neighbours of the same
    /// kind and wave: one per replica, each on its own container.
    pub fn runs_alongside(&self, other: &Op) -> bool {
        let per_replica = matches!(
            self,
            Op::CheckAvailable
                | Op::RemoveReplica { .. }
                | Op::StartReplica
                | Op::RestoreReplica
                | Op::WaitAvailable
                | Op::ReloadModels
                | Op::RestoreModels
        );
        // Pulls of different images run in parallel too.
        (per_replica || matches!(self, Op::PullImage))
            && std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// Whether a failure only marks the replica failed (its wave is then
    /// rolled back) instead of stopping apply at once.
    pub fn fails_softly(&self) -> bool {
        matches!(
            self,
            Op::StartReplica
                | Op::RestoreReplica
                | Op::WaitAvailable
                | Op::ReloadModels
                | Op::RestoreModels
        )
    }
}

impl Operation {
    pub fn new(op: Op, target: &str, wave: Option<u32>, reason: impl Into<String>) -> Self {
        Self {
            op,
            target: target.to_string(),
            wave,
            reason: reason.into(),
        }
    }
}
