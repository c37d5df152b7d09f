//! Connecting to the daemon, and turning transport failures into words.

use crate::engine::EngineError;

/// The address bollard will use: `DOCKER_HOST`, or the local socket.
pub fn address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

/// True when an error means the daemon could not be talked to at all.
pub fn is_transport(error: &bollard::errors::Error) -> bool {
    use bollard::errors::Error::*;
    matches!(
        error,
        HyperLegacyError { .. } | SocketNotFoundError(_) | IOError { .. } | RequestTimeoutError
    )
}

/// Explains a transport failure: the innermost cause, and what to do about it.
pub fn unreachable(error: &bollard::errors::Error) -> EngineError {
    let address = address();
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let text = cause.to_string();
    let lower = text.to_lowercase();
    let hint = if lower.contains("permission denied") {
        "run tfs as root or as a member of the docker group".to_string()
    } else if lower.contains("no such file")
        || lower.contains("not found")
        || lower.contains("connection refused")
    {
        "is dockerd running? start it (systemctl start docker), or set DOCKER_HOST to where it listens".to_string()
    } else {
        "check that dockerd is running and that DOCKER_HOST points at it".to_string()
    };
    let cause = if matches!(error, bollard::errors::Error::SocketNotFoundError(_)) {
        "the socket does not exist".to_string()
    } else {
        text
    };
    EngineError::Unreachable {
        address,
        cause,
        hint,
    }
}
