//! Removing a fleet: the teardown's operations, the replicas together.

use anyhow::{bail, Result};
use futures_util::future::join_all;

use super::event::{Detail, Event, Reporter};
use super::executor::batch_end;
use super::operations::BALANCER_ENDING;
use super::replicas::{remove_container, remove_network, Ending};
use crate::cancel::Cancel;
use crate::engine::Engine;
use crate::reconcile::{Op, Operation};

/// Runs the removals; returns how many resources went. A removal that
/// fails is reported as failed, and destroy stops after its batch; so does
/// a signal (`cancel`), between batches.
pub async fn destroy(
    engine: &impl Engine,
    fleet: &str,
    operations: &[Operation],
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<usize> {
    let mut removed = 0;
    let mut index = 0;
    while index < operations.len() {
        cancel
            .check()
            .map_err(|interrupted| interrupted.resumed_by("tfs destroy"))?;
        let end = batch_end(operations, index);
        let batch = &operations[index..end];
        let results = join_all(batch.iter().map(|operation| async move {
            reporter.event(Event::Began(operation));
            let target = operation.target.as_str();
            match operation.op {
                Op::RemoveBalancer => {
                    remove_container(engine, fleet, target, BALANCER_ENDING).await
                }
                // The balancer went first: no request reaches a replica.
                Op::RemoveReplica { .. } => {
                    remove_container(engine, fleet, target, Ending::Killed).await
                }
                Op::RemoveNetwork => remove_network(engine, fleet, target).await,
                _ => bail!("destroy cannot run {}", operation.op.name()),
            }
        }))
        .await;
        let mut errors = Vec::new();
        for (operation, result) in batch.iter().zip(results) {
            match result {
                Ok(()) => {
                    removed += 1;
                    reporter.event(Event::Done(operation, &Detail::Plain));
                }
                Err(error) => {
                    let reason = format!("{error:#}");
                    reporter.event(Event::Failed(operation, &reason));
                    errors.push(reason);
                }
            }
        }
        if !errors.is_empty() {
            bail!("{}", errors.join("\n\n"));
        }
        index = end;
    }
    Ok(removed)
}
