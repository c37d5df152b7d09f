//! The Docker Engine API through bollard: the only module that knows it.

mod archive;
mod connect;

pub use connect::{address, set_timeout, timeout, DEFAULT_TIMEOUT};
mod convert;
mod credentials;
mod distribution;
mod ending;
mod files;
mod images;
mod process;
mod pull_errors;
mod run_once;
mod version;

pub use version::{DaemonVersion, MINIMUM_API};

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{Context, Result};
use bollard::models::NetworkCreateRequest;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
};
use futures_util::future::join_all;
use futures_util::stream::BoxStream;

use super::{ContainerSpec, Engine, ExecOutput, PathStat, PullProgress};
use crate::engine::{Container, Network};
use files::path_in_archive;

/// A connected Docker daemon.
pub struct Docker {
    client: bollard::Docker,
}

impl Docker {
    /// Connects and checks that the daemon answers.
    pub async fn connect() -> Result<Self> {
        let client = bollard::Docker::connect_with_defaults()
            .map_err(|error| connect::unreachable(&error))?
            // bollard's own limit, per request: streams (pulls, logs) are bounded only until they answer.
            .with_timeout(connect::timeout());
        // Unreachable errors name the daemon already; a timeout also says which call.
        let timed = |call: &'static str| {
            move |error: bollard::errors::Error| match error {
                bollard::errors::Error::RequestTimeoutError => wrap(error).context(call),
                other => wrap(other),
            }
        };
        client
            .ping()
            .await
            .map_err(timed("pinging the Docker daemon"))?;
        let client = client
            .negotiate_version()
            .await
            .map_err(timed("negotiating the Docker API version"))?;
        Ok(Self { client })
    }
}

/// Wraps bollard errors: transport failures get the daemon's address and a
/// hint, a call with no answer in time says how long it waited.
fn wrap(error: bollard::errors::Error) -> anyhow::Error {
    if matches!(error, bollard::errors::Error::RequestTimeoutError) {
        connect::timed_out().into()
    } else if connect::is_transport(&error) {
        connect::unreachable(&error).into()
    } else if let Some(not_docker) = connect::not_docker(&error) {
        not_docker.into()
    } else {
        anyhow::Error::new(error)
    }
}

fn is_not_found(error: &bollard::errors::Error) -> bool {
    matches!(
        error,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl Engine for Docker {
    fn address(&self) -> String {
        connect::address()
    }

    async fn containers(&self, prefix: &str, label: (&str, &str)) -> Result<Vec<Container>> {
        let options = ListContainersOptionsBuilder::new().all(true).build();
        let summaries = self
            .client
            .list_containers(Some(options))
            .await
            .map_err(wrap)
            .context("listing containers")?;
        let ids = summaries.into_iter().filter_map(|summary| {
            let named = summary
                .names
                .iter()
                .flatten()
                .any(|name| name.trim_start_matches('/').starts_with(prefix));
            let labelled = summary
                .labels
                .as_ref()
                .and_then(|labels| labels.get(label.0))
                .is_some_and(|value| value == label.1);
            summary.id.filter(|_| named || labelled)
        });
        // Together, not one after another: a plan's time is mostly these round trips.
        let inspections = join_all(
            ids.map(|id| async move { (self.client.inspect_container(&id, None).await, id) }),
        )
        .await;
        let mut containers = Vec::new();
        for (inspection, id) in inspections {
            match inspection {
                Ok(inspect) => containers.push(convert::container(inspect)),
                // Removed between the list and the inspect: it is gone, which is what we would see.
                Err(error) if is_not_found(&error) => {}
                Err(error) => {
                    return Err(wrap(error)).with_context(|| format!("inspecting container {id}"))
                }
            }
        }
        containers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(containers)
    }

    async fn inspect(&self, container: &str) -> Result<Option<Container>> {
        match self.client.inspect_container(container, None).await {
            Ok(inspect) => Ok(Some(convert::container(inspect))),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => {
                Err(wrap(error)).with_context(|| format!("inspecting container {container}"))
            }
        }
    }

    async fn networks(&self, prefix: &str, label: (&str, &str)) -> Result<Vec<Network>> {
        let networks = self
            .client
            .list_networks(None)
            .await
            .map_err(wrap)
            .context("listing networks")?;
        Ok(networks
            .into_iter()
            .filter_map(|network| {
                let name = network.name?;
                let labels: BTreeMap<String, String> =
                    network.labels.unwrap_or_default().into_iter().collect();
                let wanted = name.starts_with(prefix)
                    || labels.get(label.0).is_some_and(|value| value == label.1);
                wanted.then(|| Network {
                    id: network.id.unwrap_or_default(),
                    name,
                    labels,
                })
            })
            .collect())
    }

    async fn read_file(&self, container: &str, path: &str) -> Result<Option<String>> {
        self.download_file(container, path).await
    }

    async fn stat(&self, container: &str, path: &str) -> Result<Option<PathStat>> {
        self.stat_path(container, path).await
    }

    async fn write_file(&self, container: &str, path: &str, content: &str) -> Result<()> {
        self.write_files(container, &[(path, content)]).await
    }

    async fn write_files(&self, container: &str, files: &[(&str, &str)]) -> Result<()> {
        self.upload_files(container, files).await
    }

    async fn write_link(&self, container: &str, path: &str, target: &str) -> Result<()> {
        self.upload(
            container,
            path,
            archive::pack_link(path_in_archive(path)?, target)?,
        )
        .await
    }

    async fn create_network(&self, name: &str, labels: &BTreeMap<String, String>) -> Result<()> {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("bridge".to_string()),
            labels: Some(labels.clone().into_iter().collect::<HashMap<_, _>>()),
            ..Default::default()
        };
        self.client
            .create_network(request)
            .await
            .map_err(wrap)
            .with_context(|| format!("creating network {name}"))?;
        Ok(())
    }

    async fn remove_network(&self, name: &str) -> Result<()> {
        match self.client.remove_network(name).await {
            Err(error) if is_not_found(&error) => Ok(()),
            result => result
                .map_err(wrap)
                .with_context(|| format!("removing network {name}")),
        }
    }

    async fn image_present(&self, image: &str) -> Result<bool> {
        self.has_image(image).await
    }

    async fn pull(&self, image: &str, progress: &dyn PullProgress) -> Result<()> {
        self.pull_image(image, progress).await
    }

    async fn registry_digest(&self, image: &str) -> Result<String> {
        self.ask_registry(image).await
    }
    async fn image_identity(&self, image: &str) -> Result<Option<super::ImageIdentity>> {
        self.identify_image(image).await
    }
    async fn container_image(&self, container: &str) -> Result<Option<String>> {
        self.container_image_id(container).await
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String> {
        let options = CreateContainerOptionsBuilder::new()
            .name(&spec.name)
            .build();
        let response = self
            .client
            .create_container(Some(options), convert::create_body(spec))
            .await
            .map_err(wrap)
            .with_context(|| format!("creating container {}", spec.name))?;
        Ok(response.id)
    }

    async fn start(&self, container: &str) -> Result<()> {
        self.client
            .start_container(container, None)
            .await
            .map_err(wrap)
            .with_context(|| format!("starting {container}"))
    }

    async fn stop(&self, container: &str, grace: Duration) -> Result<()> {
        self.stop_within(container, grace).await
    }

    async fn kill(&self, container: &str) -> Result<()> {
        self.kill_now(container).await
    }

    async fn remove_container(&self, container: &str) -> Result<()> {
        let options = RemoveContainerOptionsBuilder::new().force(true).build();
        match self.client.remove_container(container, Some(options)).await {
            Err(error) if is_not_found(&error) => Ok(()),
            result => result
                .map_err(wrap)
                .with_context(|| format!("removing {container}")),
        }
    }

    async fn exec(&self, container: &str, command: &[&str]) -> Result<ExecOutput> {
        self.run_exec(container, command).await
    }

    async fn logs_tail(&self, container: &str, lines: usize) -> Result<String> {
        self.tail_logs(container, lines).await
    }

    async fn run_once(&self, image: &str, command: &[&str]) -> Result<String> {
        self.run_in_image(image, command, None).await
    }

    async fn last_exit_code(&self, container: &str, within: Duration) -> Result<Option<i64>> {
        self.last_death(container, within).await
    }

    fn logs(
        &self,
        container: &str,
        follow: bool,
        tail: Option<usize>,
    ) -> BoxStream<'_, Result<String>> {
        self.stream_logs(container, follow, tail)
    }
}
