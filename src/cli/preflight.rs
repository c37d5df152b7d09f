//! Checks apply runs before it changes anything, so that a refused apply
//! leaves nothing behind: today, that a balancer about to be created can
//! have its host addresses.

use anyhow::{bail, Result};

use crate::engine::host_ports::{busy_hint, in_use, published_here};
use crate::reconcile::{Action, Kind, Plan};

/// Refuses a plan whose new balancer would publish an address something on
/// this host already listens on: Docker would only say so at its start,
/// after the network and the replicas were made.
pub fn preflight(plan: &Plan) -> Result<()> {
    let creates_balancer = plan
        .steps
        .iter()
        .any(|step| step.kind == Kind::Balancer && step.action == Action::Create);
    if !creates_balancer || !published_here() {
        return Ok(());
    }
    let container = &plan.desired.balancer.container;
    for address in std::iter::once(container.rest).chain(container.grpc) {
        if in_use(address) {
            bail!(
                "{address} is already in use on this host, so the balancer could not publish it\nhint: {}",
                busy_hint(address)
            );
        }
    }
    Ok(())
}
