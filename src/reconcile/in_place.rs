//! Replicas updated in place: the container matches its spec, the models
//! it was told to serve do not.

use super::model_differences::model_differences;
use super::plan::{Action, Step};
use super::reconcile::replica_step;
use crate::desire::{labels, ReplicaSpec};
use crate::engine::Container;
use crate::observe::Observed;

/// A running replica whose container matches its spec, but whose models
/// (as the replica was last told them) do not: updated in place by a
/// reload. Its `previous` carries what it serves now, for a rollback.
pub(super) fn in_place(
    replica: &ReplicaSpec,
    container: &Container,
    observed: &Observed,
) -> Option<Step> {
    // Without a models file to read, what it was created serving.
    let created = || {
        ReplicaSpec::from_labels(&container.name, replica.weight, &container.labels)
            .map(|spec| spec.models)
    };
    let served = observed
        .models
        .get(&container.name)
        .cloned()
        .or_else(created)?;
    let served = &served;
    let matches = container.state.is_running()
        && container.labels.get(labels::CONFIG_HASH) == Some(&replica.config_hash);
    if !matches {
        return None;
    }
    let reasons = model_differences(served, &replica.models);
    if reasons.is_empty() {
        return None;
    }
    let mut update = replica_step(Action::Update, replica, reasons);
    update.previous = Some(ReplicaSpec {
        models: served.clone(),
        ..replica.clone()
    });
    Some(update)
}
