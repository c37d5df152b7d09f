//! Connecting to the daemon, and turning transport failures into words.

use crate::engine::EngineError;

use std::sync::OnceLock;
use std::time::Duration;

/// How long one Docker API call may take unless the user says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

static TIMEOUT: OnceLock<Duration> = OnceLock::new();

/// Sets how long each Docker API call may take (`--docker-timeout`); once, before connecting.
pub fn set_timeout(timeout: Duration) {
    let _ = TIMEOUT.set(timeout);
}

/// How long each Docker API call may take.
pub fn timeout() -> Duration {
    TIMEOUT.get().copied().unwrap_or(DEFAULT_TIMEOUT)
}

/// The address bollard will use: `DOCKER_HOST`, or the local socket. An
/// empty `DOCKER_HOST` counts as unset, as the docker CLI counts it.
pub fn address() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string())
}

/// True when an error means the daemon could not be talked to at all.
pub fn is_transport(error: &bollard::errors::Error) -> bool {
    use bollard::errors::Error::*;
    matches!(
        error,
        HyperLegacyError { .. } | SocketNotFoundError(_) | IOError { .. }
    )
}

/// A call that got no answer in time: which daemon, and how long it waited.
pub fn timed_out() -> EngineError {
    EngineError::Timeout {
        address: address(),
        after: timeout(),
    }
}

/// A server that answers HTTP but is not dockerd: its error page is no cause to show.
pub fn not_docker(error: &bollard::errors::Error) -> Option<EngineError> {
    let bollard::errors::Error::DockerResponseServerError {
        status_code,
        message,
    } = error
    else {
        return None;
    };
    let lower = message.to_lowercase();
    let page = lower.contains("<html") || lower.contains("<!doctype") || lower.contains("<body");
    page.then(|| EngineError::Unreachable {
        address: address(),
        cause: format!("it answered HTTP {status_code} with a web page, not the Docker API"),
        hint: "DOCKER_HOST points at a server that is not dockerd: set it to the daemon's socket or address".to_string(),
    })
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
