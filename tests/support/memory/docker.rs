//! Containers, networks and images as Docker keeps them, with the adapter's
//! answers (a missing thing is None or Ok where the adapter maps Docker's
//! 404 so) and Docker's errors, in bollard's words, elsewhere.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::time::SystemTime;

use anyhow::{anyhow, bail, Result};
use tfs::desire::labels;
use tfs::engine::{Container, ContainerSpec, ContainerState, Network, PullProgress, Status};

use super::{image_ref, Creation, Entry, Fault, Net, Node, Rule, State};

/// bollard's words for a Docker error, under the adapter's context.
pub(super) fn docker(status: u16, message: impl Display, context: impl Display) -> anyhow::Error {
    anyhow!("Docker responded with status code {status}: {message}").context(context.to_string())
}

impl State {
    /// Fails when a fault set for `op` names one of `targets` (or `*`).
    pub(super) fn fault(&mut self, op: &str, targets: &[&str]) -> Result<()> {
        let found = self.faults.iter_mut().find(|fault: &&mut Fault| {
            fault.op == op
                && fault.left > 0
                && (fault.target == "*" || targets.contains(&fault.target.as_str()))
        });
        if let Some(fault) = found {
            fault.left -= 1;
            bail!("{op} {}: failure injected by the memory engine", targets[0]);
        }
        Ok(())
    }

    /// A container by name, id or unique id prefix.
    pub(super) fn find(&self, key: &str) -> Option<usize> {
        let containers = &self.containers;
        if let Some(index) = containers.iter().position(|e| e.container.name == key) {
            return Some(index);
        }
        let mut matches = (0..containers.len())
            .filter(|&i| !key.is_empty() && containers[i].container.id.starts_with(key));
        matches.next().filter(|_| matches.next().is_none())
    }

    /// A container that a test names: it must exist.
    pub(super) fn index(&self, key: &str) -> usize {
        self.find(key)
            .unwrap_or_else(|| panic!("memory engine: no container {key}"))
    }

    pub(super) fn existing(&self, key: &str, context: impl Display) -> Result<usize> {
        self.find(key)
            .ok_or_else(|| docker(404, format!("No such container: {key}"), context))
    }

    /// The names a fault may target for a container: as given, and its name.
    pub(super) fn targets<'a>(&'a self, key: &'a str) -> Vec<&'a str> {
        let mut targets = vec![key];
        if let Some(index) = self.find(key) {
            targets.push(&self.containers[index].container.name);
        }
        targets
    }

    pub(super) fn checked(&mut self, op: &str, key: &str) -> Result<()> {
        let targets: Vec<String> = self.targets(key).into_iter().map(String::from).collect();
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        self.fault(op, &targets)
    }

    pub(super) fn next_id(&mut self) -> String {
        self.ids += 1;
        let n = self.ids;
        format!("{:016x}{n:048x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(super) fn network(&self, key: &str) -> Option<usize> {
        self.networks
            .iter()
            .position(|net| net.network.name == key || net.network.id == key)
    }

    pub(super) fn add_network(&mut self, name: &str, labels: &BTreeMap<String, String>) {
        let id = self.next_id();
        let subnet = 17 + self.networks.len();
        self.networks.push(Net {
            network: Network {
                id,
                name: name.to_string(),
                labels: labels.clone(),
            },
            subnet,
            hosts: 0,
        });
    }

    pub(super) fn create_network(
        &mut self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<()> {
        self.fault("create_network", &[name])?;
        if self.network(name).is_some() {
            let message = format!("network with name {name} already exists");
            return Err(docker(409, message, format!("creating network {name}")));
        }
        self.add_network(name, labels);
        self.journal.push(format!("create_network {name}"));
        Ok(())
    }

    pub(super) fn remove_network(&mut self, key: &str) -> Result<()> {
        self.fault("remove_network", &[key])?;
        let Some(index) = self.network(key) else {
            return Ok(());
        };
        let name = self.networks[index].network.name.clone();
        let attached = self
            .containers
            .iter()
            .any(|entry| entry.network == name && entry.container.state.is_running());
        if attached {
            let message =
                format!("error while removing network: network {name} has active endpoints");
            return Err(docker(403, message, format!("removing network {key}")));
        }
        self.networks.remove(index);
        self.journal.push(format!("remove_network {name}"));
        Ok(())
    }

    pub(super) fn create_container(&mut self, spec: &ContainerSpec) -> Result<String> {
        let name = &spec.name;
        self.fault("create_container", &[name])?;
        let context = format!("creating container {name}");
        if let Some(index) = self
            .find(name)
            .filter(|&i| self.containers[i].container.name == *name)
        {
            let id = &self.containers[index].container.id;
            let message = format!("Conflict. The container name \"/{name}\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name.");
            return Err(docker(409, message, context));
        }
        if !self.images.contains(&image_ref(&spec.image)) {
            return Err(docker(
                404,
                format!("No such image: {}", image_ref(&spec.image)),
                context,
            ));
        }
        let Some(network) = self.network(&spec.network) else {
            return Err(docker(
                404,
                format!("network {} not found", spec.network),
                context,
            ));
        };
        let network = self.networks[network].network.name.clone();
        let id = self.next_id();
        let container = Container {
            id: id.clone(),
            name: name.clone(),
            image: spec.image.clone(),
            args: spec.args.clone(),
            env: spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            labels: spec.labels.clone(),
            state: ContainerState {
                status: Status::Created,
                exit_code: 0,
            },
            networks: BTreeMap::from([(network.clone(), String::new())]),
            device_ids: spec.device_ids.clone(),
            started_at: None,
            restart_count: 0,
        };
        let slot = spec.labels.get(labels::SLOT).cloned();
        let fleet = spec.labels.get(labels::FLEET);
        let holders = self
            .containers
            .iter()
            .filter(|entry| {
                slot.is_some() && entry.container.labels.get(labels::SLOT) == slot.as_ref()
            })
            .filter(|entry| entry.container.labels.get(labels::FLEET) == fleet)
            .map(|entry| entry.container.name.clone())
            .collect();
        self.creations.push(Creation {
            name: name.clone(),
            slot,
            holders,
        });
        let mut entry = Entry {
            container,
            network,
            files: BTreeMap::new(),
            logs: Vec::new(),
            loading: Some(0),
            nginx: None,
            retiring: Vec::new(),
        };
        if entry.is_balancer() {
            // The image's own nginx.conf, until tfs writes a link over it.
            let default = "# the nginx image's default configuration\n".to_string();
            let file = Node::File {
                content: default,
                epoch: false,
            };
            entry
                .files
                .insert(tfs::observe::NGINX_CONF_PATH.to_string(), file);
        }
        self.containers.push(entry);
        self.journal.push(format!("create_container {name}"));
        Ok(id)
    }

    pub(super) fn start(&mut self, key: &str) -> Result<()> {
        self.checked("start", key)?;
        let context = format!("starting {key}");
        let index = self.existing(key, &context)?;
        if self.containers[index].container.state.is_running() {
            return Err(docker(304, "", context));
        }
        let Some(net) = self.network(&self.containers[index].network) else {
            let message = format!("network {} not found", self.containers[index].network);
            return Err(docker(404, message, context));
        };
        let net = &mut self.networks[net];
        net.hosts += 1;
        let ip = format!(
            "172.{}.{}.{}",
            net.subnet,
            net.hosts / 250,
            2 + net.hosts % 250
        );
        let mut loading = Some(0);
        let mut exits = false;
        for (matches, rule) in &self.rules {
            if matches(&self.containers[index].container) {
                match rule {
                    Rule::Loading(probes) => loading = *probes,
                    Rule::ExitsOnStart => exits = true,
                }
            }
        }
        let entry = &mut self.containers[index];
        entry.container.state = ContainerState::running();
        entry.container.started_at =
            Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
        entry.container.networks.insert(entry.network.clone(), ip);
        entry.loading = loading;
        let name = entry.container.name.clone();
        self.journal.push(format!("start {name}"));
        if exits {
            self.containers[index]
                .logs
                .push("memory engine: exits on start".to_string());
            self.exit(index, 1);
        } else if self.containers[index].is_balancer() {
            self.start_nginx(index);
        }
        Ok(())
    }

    /// The container's process ended with `code`.
    pub(super) fn exit(&mut self, index: usize, code: i64) {
        let entry = &mut self.containers[index];
        entry.container.state = ContainerState {
            status: Status::Exited,
            exit_code: code,
        };
        entry
            .container
            .networks
            .values_mut()
            .for_each(String::clear);
        entry.nginx = None;
        entry.retiring.clear();
        let name = entry.container.name.clone();
        self.journal.push(format!("exit {name} {code}"));
    }

    pub(super) fn remove_container(&mut self, key: &str) -> Result<()> {
        self.checked("remove_container", key)?;
        let Some(index) = self.find(key) else {
            return Ok(());
        };
        let entry = &self.containers[index];
        if entry.container.state.is_running() {
            if self.strict_remove {
                let message = format!("cannot remove container \"/{}\": container is running: stop the container before removing or force remove", entry.container.name);
                return Err(docker(409, message, format!("removing {key}")));
            }
            self.exit(index, 137);
        }
        let entry = self.containers.remove(index);
        self.journal
            .push(format!("remove_container {}", entry.container.name));
        Ok(())
    }

    pub(super) fn pull(&mut self, image: &str, progress: &dyn PullProgress) -> Result<()> {
        self.fault("pull", &[image])?;
        progress.layer(image, "memory", "Pull complete", 1, 1);
        self.images.insert(image_ref(image));
        self.journal.push(format!("pull {image}"));
        Ok(())
    }
}
