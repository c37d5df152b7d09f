//! What tests set and read: things already there, faults, and the history.

use std::collections::BTreeMap;
use std::sync::Arc;

use tfs::engine::{Container, ContainerSpec};

use super::{image_ref, Creation, Fault, Load, Memory, Node, Rule};

impl Memory {
    /// An image on the host (`name` alone means `name:latest`).
    pub fn add_image(&self, image: &str) {
        self.state().images.insert(image_ref(image));
    }

    /// A network, as `create_network` makes it.
    pub fn add_network(&self, name: &str, labels: &BTreeMap<String, String>) {
        self.state().create_network(name, labels).unwrap();
    }

    /// A container, its image added, created and (with `start`) started; its id.
    pub fn add_container(&self, spec: &ContainerSpec, start: bool) -> String {
        let mut state = self.state();
        state.images.insert(image_ref(&spec.image));
        let id = state.create_container(spec).unwrap();
        if start {
            state.start(&id).unwrap();
        }
        id
    }

    /// A container's log line, for `logs_tail` and `logs`.
    pub fn log(&self, container: &str, line: &str) {
        let mut state = self.state();
        let index = state.index(container);
        state.containers[index].logs.push(line.to_string());
    }

    /// Writes a file as an edit by hand would: its mtime is not the epoch.
    pub fn edit_file(&self, container: &str, path: &str, content: &str) {
        let mut state = self.state();
        let index = state.index(container);
        let file = Node::File {
            content: content.to_string(),
            epoch: false,
        };
        state.containers[index].files.insert(path.to_string(), file);
    }

    /// A file's content, links followed (as `cat` reads it); None when missing.
    pub fn cat(&self, container: &str, path: &str) -> Option<String> {
        let state = self.state();
        let index = state.find(container)?;
        state.containers[index].read(path).map(str::to_string)
    }

    /// Containers started from now on that `matches` never become AVAILABLE.
    pub fn never_ready(&self, matches: impl Fn(&Container) -> bool + Send + Sync + 'static) {
        self.rule(matches, Rule::Loading(None));
    }

    /// Containers started from now on that `matches` answer LOADING to their
    /// first `probes` probes.
    pub fn loading_for(
        &self,
        probes: usize,
        matches: impl Fn(&Container) -> bool + Send + Sync + 'static,
    ) {
        self.rule(matches, Rule::Loading(Some(probes)));
    }

    /// Containers started from now on that `matches` exit (code 1) right
    /// after `start` returns.
    pub fn exits_on_start(&self, matches: impl Fn(&Container) -> bool + Send + Sync + 'static) {
        self.rule(matches, Rule::ExitsOnStart);
    }

    fn rule(&self, matches: impl Fn(&Container) -> bool + Send + Sync + 'static, rule: Rule) {
        self.state().rules.push((Arc::new(matches), rule));
    }

    /// The next call of `op` on `target` fails. `op` is an engine method's
    /// name or `probe`; or, in the balancer's scripts, `switch` (exit 6),
    /// `reload` (exit 4: the config is not loaded), `drain` (exit 5: it is
    /// loaded, the old workers linger) or `record` (exit 7); `count`: a
    /// count of shutting-down workers answers no number. `target` is a
    /// container's name or id, an image, a network, or `*` for any.
    pub fn fail_next(&self, op: &str, target: &str) {
        self.fail(op, target, 1);
    }

    /// Every call of `op` on `target` fails, as `fail_next` describes.
    pub fn fail_always(&self, op: &str, target: &str) {
        self.fail(op, target, usize::MAX);
    }

    fn fail(&self, op: &str, target: &str, times: usize) {
        self.state().faults.push(Fault {
            op: op.to_string(),
            target: target.to_string(),
            left: times,
        });
    }

    /// Forgets every fault, rule and rejection set so far.
    pub fn clear_faults(&self) {
        let mut state = self.state();
        state.faults.clear();
        state.rules.clear();
        state.rejected.clear();
    }

    /// The running container's process dies (exit 137).
    pub fn crash(&self, container: &str) {
        let mut state = self.state();
        let index = state.index(container);
        if state.containers[index].container.state.is_running() {
            state.exit(index, 137);
        }
    }

    /// `nginx -t` rejects any config that contains `needle`.
    pub fn reject_conf(&self, needle: &str) {
        self.state().rejected.push(needle.to_string());
    }

    /// Removing a running container fails (the adapter forces removal, so
    /// by default it is killed and removed, as Docker does with `force`).
    pub fn strict_remove(&self) {
        self.state().strict_remove = true;
    }

    /// Every container, as `inspect` reports it, by name.
    pub fn snapshot(&self) -> Vec<Container> {
        let mut all: Vec<Container> = self
            .state()
            .containers
            .iter()
            .map(|entry| entry.container.clone())
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// The config the balancer's nginx runs; None when it does not run.
    pub fn running_conf(&self, balancer: &str) -> Option<String> {
        let state = self.state();
        state.containers[state.find(balancer)?].nginx.clone()
    }

    /// Every config load, in order.
    pub fn reloads(&self) -> Vec<Load> {
        self.state().loads.clone()
    }

    /// Every container creation, in order.
    pub fn creations(&self) -> Vec<Creation> {
        self.state().creations.clone()
    }

    /// Invariants broken so far: a load sent traffic to a member that was not
    /// AVAILABLE, a container was created while another held its slot, or
    /// one was stopped or killed while a running nginx routed to it.
    pub fn violations(&self) -> Vec<String> {
        let state = self.state();
        let loads = state.loads.iter().filter_map(|load| {
            let missing = load.unavailable();
            (!missing.is_empty()).then(|| {
                format!(
                    "{} loaded upstream {missing:?}, not AVAILABLE",
                    load.balancer
                )
            })
        });
        let slots = state.creations.iter().filter(|c| !c.holders.is_empty());
        let slots = slots.map(|c| {
            format!(
                "{} created in slot {:?} held by {:?}",
                c.name, c.slot, c.holders
            )
        });
        let ended = state.ended_while_routed.iter().cloned();
        loads.chain(slots).chain(ended).collect()
    }

    /// What changed, in order: `create_container NAME`, `start NAME`,
    /// `exit NAME CODE`, `stop NAME`, `kill NAME`, `remove_container NAME`, `pull IMAGE`,
    /// `create_network NAME`, `remove_network NAME`, `reload NAME`.
    pub fn journal(&self) -> Vec<String> {
        self.state().journal.clone()
    }
}
