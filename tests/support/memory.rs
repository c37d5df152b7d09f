//! An in-memory Docker engine, with the nginx inside the balancer and TF
//! Serving's readiness, so tests can drive the real executor without Docker.
//! It copies the bollard adapter (`tfs::engine::docker`) where tfs relies on
//! Docker's behaviour; faults come on demand; a history of reloads and
//! creations lets tests check invariants. Include it with
//! `#[path = "support/memory.rs"] mod memory;`.
#![allow(dead_code)]

#[path = "memory/control.rs"]
mod control;
#[path = "memory/docker.rs"]
mod docker;
#[path = "memory/ending.rs"]
mod ending;
#[path = "memory/engine.rs"]
mod engine;
#[path = "memory/nginx.rs"]
mod nginx;
#[path = "memory/probe.rs"]
mod probe;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tfs::desire::labels;
use tfs::engine::{Container, Network};

#[allow(unused_imports)]
pub use nginx::upstream_members;

/// Decides, from a container as created, whether a rule applies to it. Runs
/// with the engine locked: it must not call the engine.
pub type Predicate = Arc<dyn Fn(&Container) -> bool + Send + Sync>;

/// The engine; clones share one state.
#[derive(Clone)]
pub struct Memory(Arc<Mutex<State>>);

/// One load of a config by a balancer's nginx: at its start or by a reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    pub balancer: String,
    /// At the container's start rather than by `nginx -s reload`.
    pub started: bool,
    pub conf: String,
    /// The hosts of the config's `server NAME:PORT` lines (not 127.0.0.1).
    pub members: BTreeSet<String>,
    /// Containers (other than balancers) that were AVAILABLE at that instant.
    pub available: BTreeSet<String>,
}

impl Load {
    /// Members nginx was sent to that were not AVAILABLE.
    pub fn unavailable(&self) -> Vec<String> {
        self.members.difference(&self.available).cloned().collect()
    }
}

/// One container creation and the others that held its slot then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creation {
    pub name: String,
    /// Its `tfs.slot` label.
    pub slot: Option<String>,
    /// Other containers of the same fleet with that slot, already there.
    pub holders: Vec<String>,
}

#[derive(Clone)]
enum Rule {
    /// Probes that answer LOADING before it is AVAILABLE; None: never.
    Loading(Option<usize>),
    ExitsOnStart,
}

struct Fault {
    op: String,
    target: String,
    left: usize,
}

/// A path in a container's file system.
enum Node {
    File { content: String, epoch: bool },
    Link { target: String, epoch: bool },
}

struct Entry {
    container: Container,
    network: String,
    files: BTreeMap<String, Node>,
    logs: Vec<String>,
    /// Probes left that answer LOADING; None: never AVAILABLE.
    loading: Option<usize>,
    /// The config nginx runs, in a balancer whose nginx runs.
    nginx: Option<String>,
    /// Configs that old workers still route by after reloads: they finish
    /// what they hold and are gone by the next count of shutting-down
    /// workers that can be read (`WAIT_DRAINED`).
    retiring: Vec<String>,
}

struct Net {
    network: Network,
    subnet: usize,
    hosts: usize,
}

struct State {
    containers: Vec<Entry>,
    networks: Vec<Net>,
    images: BTreeSet<String>,
    rules: Vec<(Predicate, Rule)>,
    faults: Vec<Fault>,
    rejected: Vec<String>,
    strict_remove: bool,
    ids: u64,
    loads: Vec<Load>,
    creations: Vec<Creation>,
    /// Stops and kills of a container a running nginx still routed to.
    ended_while_routed: Vec<String>,
    journal: Vec<String>,
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

impl Memory {
    /// An engine with Docker's default networks (bridge, host, none), no
    /// image and no container.
    pub fn new() -> Self {
        let mut state = State {
            containers: Vec::new(),
            networks: Vec::new(),
            images: BTreeSet::new(),
            rules: Vec::new(),
            faults: Vec::new(),
            rejected: Vec::new(),
            strict_remove: false,
            ids: 0,
            loads: Vec::new(),
            creations: Vec::new(),
            ended_while_routed: Vec::new(),
            journal: Vec::new(),
        };
        for name in ["bridge", "host", "none"] {
            state.add_network(name, &BTreeMap::new());
        }
        state.journal.clear();
        Self(Arc::new(Mutex::new(state)))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets other tasks run first, as a round trip to dockerd would, then locks.
    async fn call(&self) -> MutexGuard<'_, State> {
        tokio::task::yield_now().await;
        self.state()
    }
}

/// Docker's reference for an image: a tag, `latest` unless given.
fn image_ref(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

impl Entry {
    fn is_balancer(&self) -> bool {
        self.container.labels.get(labels::ROLE).map(String::as_str) == Some(labels::ROLE_BALANCER)
    }

    /// AVAILABLE as the probe would answer now (without counting a probe).
    fn available(&self) -> bool {
        self.container.state.is_running()
            && self.loading == Some(0)
            && self
                .container
                .networks
                .values()
                .any(|ip| ip.parse::<IpAddr>().is_ok())
    }

    /// Where `path` leads once links are followed.
    fn resolve(&self, path: &str) -> String {
        let mut path = path.to_string();
        for _ in 0..40 {
            match self.files.get(&path) {
                Some(Node::Link { target, .. }) if target.starts_with('/') => path = target.clone(),
                Some(Node::Link { target, .. }) => {
                    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
                    path = format!("{parent}/{target}");
                }
                _ => break,
            }
        }
        path
    }

    /// A file's content, links followed.
    fn read(&self, path: &str) -> Option<&str> {
        match self.files.get(&self.resolve(path)) {
            Some(Node::File { content, .. }) => Some(content),
            _ => None,
        }
    }

    /// Where a link points, unresolved (`readlink`).
    fn readlink(&self, path: &str) -> Option<&str> {
        match self.files.get(path) {
            Some(Node::Link { target, .. }) => Some(target),
            _ => None,
        }
    }
}
