//! The Engine trait over the state, and files and logs in containers as the
//! adapter reads them through Docker's archive and logs endpoints.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Result};
use futures_util::stream::{self, BoxStream, StreamExt};
use tfs::engine::{Container, ContainerSpec, Engine, ExecOutput, Network, PathStat, PullProgress};

use super::docker::docker;
use super::{image_ref, Entry, Memory, Node, State};

fn absolute(path: &str) -> Result<()> {
    if !path.starts_with('/') {
        bail!("file path must be absolute");
    }
    Ok(())
}

impl State {
    fn write(&mut self, op: &str, key: &str, path: &str, node: Node) -> Result<()> {
        self.checked(op, key)?;
        let index = self.existing(key, format!("writing {path} into {key}"))?;
        absolute(path)?;
        self.containers[index].files.insert(path.to_string(), node);
        Ok(())
    }

    fn stat(&self, index: usize, path: &str) -> Option<PathStat> {
        let entry = &self.containers[index];
        match entry.files.get(path) {
            Some(Node::File { content, epoch }) => Some(PathStat {
                size: content.len() as u64,
                link_target: None,
                epoch_mtime: *epoch,
            }),
            // Docker resolves the whole chain, and sizes the link itself.
            Some(Node::Link { target, epoch }) => Some(PathStat {
                size: target.len() as u64,
                link_target: Some(entry.resolve(path)),
                epoch_mtime: *epoch,
            }),
            None => is_dir(entry, path).then_some(PathStat {
                size: 4096,
                link_target: None,
                epoch_mtime: false,
            }),
        }
    }

    /// Docker's archive of `path`, unpacked as the adapter does: the first
    /// regular file, so a link (archived as a link) holds none.
    fn read_file(&self, index: usize, path: &str) -> Result<Option<String>> {
        let entry = &self.containers[index];
        match entry.files.get(path) {
            Some(Node::File { content, .. }) => Ok(Some(content.clone())),
            Some(Node::Link { .. }) => bail!("the archive holds no file"),
            // A directory's archive: its first file, in tar's (lexical) order.
            None => {
                let inside = format!("{}/", path.trim_end_matches('/'));
                Ok(entry.files.iter().find_map(|(p, node)| match node {
                    Node::File { content, .. } if p.starts_with(&inside) => Some(content.clone()),
                    _ => None,
                }))
            }
        }
    }

    fn logs(&self, key: &str, tail: Option<usize>) -> Result<Vec<String>> {
        let index = self.existing(key, format!("reading logs of {key}"))?;
        let logs = &self.containers[index].logs;
        let skip = tail.map_or(0, |tail| logs.len().saturating_sub(tail));
        Ok(logs[skip..]
            .iter()
            .map(|line| format!("{line}\n"))
            .collect())
    }
}

fn is_dir(entry: &Entry, path: &str) -> bool {
    let inside = format!("{}/", path.trim_end_matches('/'));
    entry.files.keys().any(|p| p.starts_with(&inside))
}

/// Whether `container`'s name starts with `prefix` or it carries `label`.
fn wanted(
    name: &str,
    labels: &BTreeMap<String, String>,
    prefix: &str,
    label: (&str, &str),
) -> bool {
    name.starts_with(prefix) || labels.get(label.0).is_some_and(|value| value == label.1)
}

impl Engine for Memory {
    fn address(&self) -> String {
        "memory://".to_string()
    }

    async fn containers(&self, prefix: &str, label: (&str, &str)) -> Result<Vec<Container>> {
        let mut state = self.call().await;
        state.fault("containers", &[prefix])?;
        let mut found: Vec<Container> = state
            .containers
            .iter()
            .map(|entry| &entry.container)
            .filter(|c| wanted(&c.name, &c.labels, prefix, label))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    }

    async fn inspect(&self, container: &str) -> Result<Option<Container>> {
        let mut state = self.call().await;
        state.checked("inspect", container)?;
        Ok(state
            .find(container)
            .map(|index| state.containers[index].container.clone()))
    }

    async fn networks(&self, prefix: &str, label: (&str, &str)) -> Result<Vec<Network>> {
        let mut state = self.call().await;
        state.fault("networks", &[prefix])?;
        Ok(state
            .networks
            .iter()
            .map(|net| &net.network)
            .filter(|n| wanted(&n.name, &n.labels, prefix, label))
            .cloned()
            .collect())
    }

    async fn read_file(&self, container: &str, path: &str) -> Result<Option<String>> {
        let mut state = self.call().await;
        state.checked("read_file", container)?;
        match state.find(container) {
            None => Ok(None),
            Some(index) => state.read_file(index, path),
        }
    }

    async fn stat(&self, container: &str, path: &str) -> Result<Option<PathStat>> {
        let mut state = self.call().await;
        state.checked("stat", container)?;
        Ok(state
            .find(container)
            .and_then(|index| state.stat(index, path)))
    }

    async fn write_file(&self, container: &str, path: &str, content: &str) -> Result<()> {
        let node = Node::File {
            content: content.to_string(),
            epoch: true,
        };
        self.call().await.write("write_file", container, path, node)
    }

    async fn write_link(&self, container: &str, path: &str, target: &str) -> Result<()> {
        let node = Node::Link {
            target: target.to_string(),
            epoch: true,
        };
        self.call().await.write("write_link", container, path, node)
    }

    async fn create_network(&self, name: &str, labels: &BTreeMap<String, String>) -> Result<()> {
        self.call().await.create_network(name, labels)
    }

    async fn remove_network(&self, name: &str) -> Result<()> {
        self.call().await.remove_network(name)
    }

    async fn image_present(&self, image: &str) -> Result<bool> {
        let mut state = self.call().await;
        state.fault("image_present", &[image])?;
        Ok(state.images.contains(&image_ref(image)))
    }

    async fn pull(&self, image: &str, progress: &dyn PullProgress) -> Result<()> {
        self.call().await.pull(image, progress)
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String> {
        self.call().await.create_container(spec)
    }

    async fn start(&self, container: &str) -> Result<()> {
        self.call().await.start(container)
    }

    async fn stop(&self, container: &str, _grace: Duration) -> Result<()> {
        self.call().await.stop(container)
    }

    async fn kill(&self, container: &str) -> Result<()> {
        self.call().await.kill(container)
    }

    async fn remove_container(&self, container: &str) -> Result<()> {
        self.call().await.remove_container(container)
    }

    async fn exec(&self, container: &str, command: &[&str]) -> Result<ExecOutput> {
        let mut state = self.call().await;
        state.checked("exec", container)?;
        let context = format!("running `{}` in {container}", command.join(" "));
        let index = state.existing(container, &context)?;
        let entry = &state.containers[index].container;
        if !entry.state.is_running() {
            let message = format!("container {} is not running", entry.id);
            return Err(docker(409, message, context));
        }
        Ok(state.exec_in(index, command))
    }

    async fn logs_tail(&self, container: &str, lines: usize) -> Result<String> {
        let mut state = self.call().await;
        state.checked("logs_tail", container)?;
        // The adapter stops at a 404: no container, no logs.
        Ok(state
            .logs(container, Some(lines))
            .unwrap_or_default()
            .concat())
    }

    /// The recorded lines; `follow` adds nothing (the stream ends).
    fn logs(
        &self,
        container: &str,
        _follow: bool,
        tail: Option<usize>,
    ) -> BoxStream<'_, Result<String>> {
        let chunks = match self.state().logs(container, tail) {
            Ok(lines) => lines.into_iter().map(Ok).collect(),
            Err(error) => vec![Err(error)],
        };
        stream::iter(chunks).boxed()
    }
}
