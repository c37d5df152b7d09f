/// Docker failures that need words of their own.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot reach the Docker daemon at {address}: {cause}\nhint: {hint}")]
    Unreachable {
        address: String,
        cause: String,
        hint: String,
    },
    #[error("the Docker daemon at {address} did not answer within {}s\nhint: dockerd is busy or hung: check it (systemctl status docker, docker info); to wait longer, set --docker-timeout or TFS_DOCKER_TIMEOUT (seconds)", .after.as_secs())]
    Timeout {
        address: String,
        after: std::time::Duration,
    },
}
