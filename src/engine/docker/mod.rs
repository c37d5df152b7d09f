//! The Docker Engine API through bollard: the only module that knows it.

mod archive;
mod connect;
mod convert;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{Context, Result};
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::NetworkCreateRequest;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, DownloadFromContainerOptionsBuilder,
    ListContainersOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    StopContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};

use super::{ContainerSpec, Engine, ExecOutput, PullProgress};
use crate::observe::{Container, Network};

/// A connected Docker daemon.
pub struct Docker {
    client: bollard::Docker,
}

impl Docker {
    /// Connects and checks that the daemon answers.
    pub async fn connect() -> Result<Self> {
        let client = bollard::Docker::connect_with_defaults()
            .map_err(|error| connect::unreachable(&error))?;
        client
            .ping()
            .await
            .map_err(|error| connect::unreachable(&error))?;
        let client = client
            .negotiate_version()
            .await
            .map_err(|error| connect::unreachable(&error))?;
        Ok(Self { client })
    }
}

/// Wraps bollard errors: transport failures get the daemon's address and a hint.
fn wrap(error: bollard::errors::Error) -> anyhow::Error {
    if connect::is_transport(&error) {
        connect::unreachable(&error).into()
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
        let mut containers = Vec::new();
        for summary in summaries {
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
            if !(named || labelled) {
                continue;
            }
            let Some(id) = summary.id else { continue };
            match self.client.inspect_container(&id, None).await {
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
        let options = DownloadFromContainerOptionsBuilder::new()
            .path(path)
            .build();
        let stream = self
            .client
            .download_from_container(container, Some(options));
        match stream.map_ok(|bytes| bytes.to_vec()).try_concat().await {
            Ok(bytes) => archive::unpack(&bytes).map(Some),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => {
                Err(wrap(error)).with_context(|| format!("reading {path} from {container}"))
            }
        }
    }

    async fn write_file(&self, container: &str, path: &str, content: &str) -> Result<()> {
        // Uploaded at the root with the whole path in the archive: Docker makes
        // missing parent directories, which a direct upload into them would not.
        let relative = path
            .strip_prefix('/')
            .context("file path must be absolute")?;
        let tar = archive::pack(relative, content)?;
        let options = UploadToContainerOptionsBuilder::new().path("/").build();
        self.client
            .upload_to_container(container, Some(options), bollard::body_full(tar.into()))
            .await
            .map_err(wrap)
            .with_context(|| format!("writing {path} into {container}"))
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
        match self.client.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(error) if is_not_found(&error) => Ok(false),
            Err(error) => Err(wrap(error)).with_context(|| format!("inspecting image {image}")),
        }
    }

    async fn pull(&self, image: &str, progress: &dyn PullProgress) -> Result<()> {
        let options = CreateImageOptionsBuilder::new().from_image(image).build();
        let mut stream = self.client.create_image(Some(options), None, None);
        while let Some(item) = stream.next().await {
            let info = item
                .map_err(wrap)
                .with_context(|| format!("pulling {image}"))?;
            if let Some(detail) = info.error_detail {
                anyhow::bail!("pulling {image}: {}", detail.message.unwrap_or_default());
            }
            let (current, total) = info
                .progress_detail
                .map(|detail| {
                    (
                        detail.current.unwrap_or(0).max(0) as u64,
                        detail.total.unwrap_or(0).max(0) as u64,
                    )
                })
                .unwrap_or((0, 0));
            progress.layer(
                info.id.as_deref().unwrap_or(""),
                info.status.as_deref().unwrap_or(""),
                current,
                total,
            );
        }
        Ok(())
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
        let options = StopContainerOptionsBuilder::new()
            .t(grace.as_secs() as i32)
            .build();
        match self.client.stop_container(container, Some(options)).await {
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
        let options = CreateExecOptions {
            cmd: Some(command.iter().map(|part| part.to_string()).collect()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let context = || format!("running `{}` in {container}", command.join(" "));
        let created = self
            .client
            .create_exec(container, options)
            .await
            .map_err(wrap)
            .with_context(context)?;
        let mut output = String::new();
        if let StartExecResults::Attached {
            output: mut stream, ..
        } = self
            .client
            .start_exec(&created.id, None)
            .await
            .map_err(wrap)
            .with_context(context)?
        {
            while let Some(chunk) = stream.next().await {
                output.push_str(&chunk.map_err(wrap).with_context(context)?.to_string());
            }
        }
        let inspect = self
            .client
            .inspect_exec(&created.id)
            .await
            .map_err(wrap)
            .with_context(context)?;
        Ok(ExecOutput {
            exit_code: inspect.exit_code.unwrap_or(-1),
            output,
        })
    }

    async fn logs_tail(&self, container: &str, lines: usize) -> Result<String> {
        let tail = lines.to_string();
        let options = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&tail)
            .build();
        let mut stream = self.client.logs(container, Some(options));
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => text.push_str(&chunk.to_string()),
                Err(error) if is_not_found(&error) => break,
                Err(error) => {
                    return Err(wrap(error)).with_context(|| format!("reading logs of {container}"))
                }
            }
        }
        Ok(text)
    }

    fn logs(&self, container: &str, follow: bool, tail: Option<usize>) -> BoxStream<'_, Result<String>> {
        let tail = tail.map_or_else(|| "all".to_string(), |lines| lines.to_string());
        let options = LogsOptionsBuilder::new().stdout(true).stderr(true).follow(follow).tail(&tail).build();
        let name = container.to_string();
        self.client
            .logs(container, Some(options))
            .map(move |chunk| chunk.map(|chunk| chunk.to_string()).map_err(wrap).with_context(|| format!("reading logs of {name}")))
            .boxed()
    }
}
