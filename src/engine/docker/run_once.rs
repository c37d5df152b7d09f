//! A command run once in a throwaway container of an image.

use anyhow::{Context, Result};
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
    WaitContainerOptionsBuilder,
};
use futures_util::StreamExt;

use super::convert::gpu_request;
use super::{connect, wrap, Docker};
use crate::lock::hostname;

/// The label of every throwaway container, so that one a killed tfs left
/// behind is found and removed by the next run, and nothing else is.
const THROWAWAY: &str = "tfs.throwaway";

impl Docker {
    /// Like [`crate::engine::Engine::run_once`], with a device request for
    /// the GPU `device_id` (a UUID or an index): whether the daemon can hand
    /// a container a GPU, which `tfs doctor` asks before any replica needs it.
    pub async fn run_once_on_gpu(
        &self,
        image: &str,
        command: &[&str],
        device_id: &str,
    ) -> Result<String> {
        self.run_in_image(image, command, Some(device_id)).await
    }

    /// Creates a container of `image` with `command` as its entrypoint and no
    /// network (and the GPU `device_id`, if any), starts it, waits for it to
    /// exit and returns its output; the container is removed whatever happens.
    pub(super) async fn run_in_image(
        &self,
        image: &str,
        command: &[&str],
        device_id: Option<&str>,
    ) -> Result<String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("tfs-run-once-{}-{nanos}", std::process::id());
        self.remove_stopped_throwaways().await;
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            labels: Some(throwaway_labels()),
            entrypoint: Some(command.iter().map(|part| part.to_string()).collect()),
            cmd: Some(Vec::new()),
            host_config: Some(HostConfig {
                network_mode: Some("none".to_string()),
                device_requests: device_id.map(|id| vec![gpu_request(vec![id.to_string()])]),
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
        // Bounded, so that a command that never exits cannot skip the removal below.
        let output =
            match tokio::time::timeout(connect::timeout(), self.start_wait_logs(&name)).await {
                Ok(output) => output,
                Err(_) => Err(connect::timed_out().into()),
            }
            .with_context(context);
        let remove = RemoveContainerOptionsBuilder::new().force(true).build();
        let _ = self.client.remove_container(&name, Some(remove)).await;
        output
    }

    /// Removes throwaway containers that a tfs killed between creating and
    /// removing one left behind: not running, made on this host by a
    /// process that is gone. Another tfs's run in progress (created, or just
    /// exited) is left alone, and so is anything not labelled. Best effort.
    async fn remove_stopped_throwaways(&self) {
        let filters = [
            ("label", vec![format!("{THROWAWAY}.host={}", hostname())]),
            ("status", vec!["created".to_string(), "exited".to_string()]),
        ];
        let options = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters.into_iter().collect())
            .build();
        let Ok(found) = self.client.list_containers(Some(options)).await else {
            return;
        };
        let left = found.into_iter().filter(|summary| {
            let pid = summary
                .labels
                .as_ref()
                .and_then(|l| l.get(&format!("{THROWAWAY}.pid")));
            pid.is_some_and(|pid| !std::path::Path::new("/proc").join(pid).exists())
        });
        for id in left.filter_map(|summary| summary.id) {
            let remove = RemoveContainerOptionsBuilder::new().force(true).build();
            let _ = self.client.remove_container(&id, Some(remove)).await;
        }
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

/// Who made a throwaway container: this host and process, so that only one
/// whose maker is gone is ever swept.
fn throwaway_labels() -> std::collections::HashMap<String, String> {
    [
        (THROWAWAY.to_string(), "run-once".to_string()),
        (format!("{THROWAWAY}.host"), hostname()),
        (format!("{THROWAWAY}.pid"), std::process::id().to_string()),
    ]
    .into()
}
