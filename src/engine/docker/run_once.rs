//! A command run once in a throwaway container of an image.

use anyhow::{Context, Result};
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, WaitContainerOptionsBuilder,
};
use futures_util::StreamExt;

use super::{wrap, Docker};

impl Docker {
    /// Creates a container of `image` with `command` as its entrypoint and no
    /// network, starts it, waits for it to exit and returns its output; the
    /// container is removed whatever happens.
    pub(super) async fn run_in_image(&self, image: &str, command: &[&str]) -> Result<String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("tfs-run-once-{}-{nanos}", std::process::id());
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            entrypoint: Some(command.iter().map(|part| part.to_string()).collect()),
            cmd: Some(Vec::new()),
            host_config: Some(HostConfig {
                network_mode: Some("none".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let context = || format!("running `{}` in image {image}", command.join(" "));
        let options = CreateContainerOptionsBuilder::new().name(&name).build();
        self.client
            .create_container(Some(options), body)
            .await
            .map_err(wrap)
            .with_context(context)?;
        let output = self.start_wait_logs(&name).await.with_context(context);
        let remove = RemoveContainerOptionsBuilder::new().force(true).build();
        let _ = self.client.remove_container(&name, Some(remove)).await;
        output
    }

    async fn start_wait_logs(&self, name: &str) -> Result<String> {
        self.client
            .start_container(name, None)
            .await
            .map_err(wrap)?;
        let wait = WaitContainerOptionsBuilder::new()
            .condition("not-running")
            .build();
        let mut exits = self.client.wait_container(name, Some(wait));
        // A non-zero exit arrives as an error; the output says what happened.
        while exits.next().await.is_some() {}
        self.tail_logs(name, 100).await
    }
}
