//! Checks apply runs before it changes anything, so that a refused apply
//! leaves nothing behind: today, that a balancer about to be created can
//! have its host addresses.

use std::net::TcpListener;

use anyhow::{bail, Result};

use crate::reconcile::{Action, Kind, Plan};

/// Refuses a plan whose new balancer would publish an address something on
/// this host already listens on: Docker would only say so at its start,
/// after the network and the replicas were made.
pub fn preflight(plan: &Plan) -> Result<()> {
    let creates_balancer = plan
        .steps
        .iter()
        .any(|step| step.kind == Kind::Balancer && step.action == Action::Create);
    if !creates_balancer || !local_daemon() {
        return Ok(());
    }
    let container = &plan.desired.balancer.container;
    for address in std::iter::once(container.rest).chain(container.grpc) {
        if let Err(error) = TcpListener::bind(address) {
            if error.kind() == std::io::ErrorKind::AddrInUse {
                bail!(
                    "{address} is already in use on this host, so the balancer could not publish it\nhint: stop what listens there (ss -ltnp 'sport = :{}'), or choose another address in [balancer]",
                    address.port()
                );
            }
        }
    }
    Ok(())
}

/// Whether the daemon publishes ports on this very host (its local socket),
/// where a bind here tells what a bind there would meet.
fn local_daemon() -> bool {
    crate::engine::docker::address().starts_with("unix://")
}
