//! Ending a container: `docker stop` within a grace period, `docker kill`.

use std::time::Duration;

use anyhow::{Context, Result};
use bollard::query_parameters::{KillContainerOptionsBuilder, StopContainerOptionsBuilder};

use super::{connect, is_not_found, wrap, Docker};

impl Docker {
    pub(super) async fn stop_within(&self, container: &str, grace: Duration) -> Result<()> {
        let options = StopContainerOptionsBuilder::new()
            .t(grace.as_secs() as i32)
            .build();
        // The daemon answers a stop once the grace period is over: wait that long too.
        let client = self.client.clone().with_timeout(connect::timeout() + grace);
        match client.stop_container(container, Some(options)).await {
            Err(error) if is_not_found(&error) => Ok(()),
            // 304: already stopped.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            result => result
                .map_err(wrap)
                .with_context(|| format!("stopping {container}")),
        }
    }

    pub(super) async fn kill_now(&self, container: &str) -> Result<()> {
        let options = KillContainerOptionsBuilder::new().signal("SIGKILL").build();
        match self.client.kill_container(container, Some(options)).await {
            Err(error) if is_not_found(&error) => Ok(()),
            // 409: not running.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409, ..
            }) => Ok(()),
            result => result
                .map_err(wrap)
                .with_context(|| format!("killing {container}")),
        }
    }
}
