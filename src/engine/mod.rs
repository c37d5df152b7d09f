//! engine: the small surface of Docker that tfs uses. Only `docker` knows bollard.

mod container;
mod container_spec;
pub mod docker;
mod errors;
pub mod host_ports;

use std::time::Duration;

use anyhow::Result;
use futures_util::stream::BoxStream;

pub use container::{Container, ContainerState, Network, Status};
pub use container_spec::{ContainerSpec, PortBinding};
pub use errors::EngineError;

/// Output of a command run inside a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub output: String,
}

/// What a path in a container is, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStat {
    /// Bytes; for a symbolic link, those of the link itself.
    pub size: u64,
    /// Where a symbolic link points, as an absolute path inside the container.
    pub link_target: Option<String>,
    /// Modified at the Unix epoch: as [`Engine::write_file`] leaves a file,
    /// so anything else (an edit by hand) shows.
    pub epoch_mtime: bool,
}

/// An image on the host: its id and the `REPO@sha256:…` digests it is known by.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageIdentity {
    pub id: String,
    pub repo_digests: Vec<String>,
}

/// Progress of an image pull, one layer at a time.
pub trait PullProgress {
    /// A layer of `image` changed: its status (`Downloading`, `Pull
    /// complete`...) and bytes so far of `total` (0 when unknown).
    fn layer(&self, image: &str, layer: &str, status: &str, current: u64, total: u64);
}

/// Docker, as tfs needs it. Implemented over bollard by [`docker::Docker`].
#[allow(async_fn_in_trait)]
pub trait Engine {
    /// Where the engine is, for messages.
    fn address(&self) -> String;
    /// Every container, running or not, whose name starts with `prefix`
    /// or that carries `label=value`.
    async fn containers(&self, prefix: &str, label: (&str, &str)) -> Result<Vec<Container>>;
    /// One container by name or id; None when there is none.
    async fn inspect(&self, container: &str) -> Result<Option<Container>>;
    /// Networks whose name starts with `prefix` or that carry `label=value`.
    async fn networks(&self, prefix: &str, label: (&str, &str)) -> Result<Vec<Network>>;
    /// A file's text inside a container; None when it does not exist.
    async fn read_file(&self, container: &str, path: &str) -> Result<Option<String>>;
    /// A path's size and link target, without reading it; None when it does not exist.
    async fn stat(&self, container: &str, path: &str) -> Result<Option<PathStat>>;
    /// Writes a file, making missing parent directories; replaces what was
    /// at `path`. The file's mtime is the Unix epoch.
    async fn write_file(&self, container: &str, path: &str, content: &str) -> Result<()>;
    /// Writes several files (path, content) as `write_file` does: Docker
    /// does it in one upload, as each costs it a process of its own.
    async fn write_files(&self, container: &str, files: &[(&str, &str)]) -> Result<()> {
        for (path, content) in files {
            self.write_file(container, path, content).await?;
        }
        Ok(())
    }
    /// Makes `path` a symbolic link to `target`; replaces what was at `path`.
    async fn write_link(&self, container: &str, path: &str, target: &str) -> Result<()>;
    async fn create_network(
        &self,
        name: &str,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> Result<()>;
    async fn remove_network(&self, name: &str) -> Result<()>;
    async fn image_present(&self, image: &str) -> Result<bool>;
    async fn pull(&self, image: &str, progress: &dyn PullProgress) -> Result<()>;
    /// The digest `image`'s tag points to in its registry now; an error
    /// when the registry cannot be asked. Engines without registries say so.
    async fn registry_digest(&self, image: &str) -> Result<String> {
        anyhow::bail!("{} has no registry to ask for {image}", self.address())
    }
    /// An image on the host by reference or id; None when it is absent.
    async fn image_identity(&self, image: &str) -> Result<Option<ImageIdentity>> {
        let _ = image;
        Ok(None)
    }
    /// The id of the image a container runs; None when unknown.
    async fn container_image(&self, container: &str) -> Result<Option<String>> {
        let _ = container;
        Ok(None)
    }
    /// Creates (does not start) a container; returns its id.
    async fn create_container(&self, spec: &ContainerSpec) -> Result<String>;
    async fn start(&self, container: &str) -> Result<()>;
    /// Stops a container with its stop signal, then SIGKILL after `grace`.
    async fn stop(&self, container: &str, grace: Duration) -> Result<()>;
    /// Ends a container with SIGKILL at once; one already gone or stopped
    /// is fine.
    async fn kill(&self, container: &str) -> Result<()>;
    async fn remove_container(&self, container: &str) -> Result<()>;
    async fn exec(&self, container: &str, command: &[&str]) -> Result<ExecOutput>;
    async fn logs_tail(&self, container: &str, lines: usize) -> Result<String>;
    /// The output (stdout and stderr) of `command` run once as the
    /// entrypoint of a new container of `image`, without a network; the
    /// container is gone afterwards. Engines that cannot run one say so.
    async fn run_once(&self, image: &str, command: &[&str]) -> Result<String> {
        let _ = command;
        anyhow::bail!("this engine cannot run a container of {image} once")
    }
    /// The exit code of the container's last death within `within`, from the
    /// engine's events: a running container's own state forgets it on restart.
    async fn last_exit_code(&self, container: &str, within: Duration) -> Result<Option<i64>> {
        let _ = (container, within);
        Ok(None)
    }
    /// Log output of a container, chunk by chunk: the last `tail` lines (all
    /// when None), then, with `follow`, new output until the container stops.
    fn logs(
        &self,
        container: &str,
        follow: bool,
        tail: Option<usize>,
    ) -> BoxStream<'_, Result<String>>;
}
