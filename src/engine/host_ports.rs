//! Whether an address the daemon would publish is free. Only answerable
//! from here when the daemon runs on this very host (its local socket):
//! a bind here then meets what a bind there would.

use std::net::{SocketAddr, TcpListener};

/// Whether the daemon publishes ports on this host.
pub fn published_here() -> bool {
    super::docker::address().starts_with("unix://")
}

/// Whether something on this host listens on `address` now.
pub fn in_use(address: SocketAddr) -> bool {
    matches!(TcpListener::bind(address), Err(error) if error.kind() == std::io::ErrorKind::AddrInUse)
}

/// What to do about a balancer address something else listens on.
pub fn busy_hint(address: SocketAddr) -> String {
    format!(
        "stop what listens there (ss -ltnp 'sport = :{}'), or choose another address in [balancer]",
        address.port()
    )
}
