//! Ending a running container: `docker stop` (its stop signal) and
//! `docker kill` (SIGKILL), each recorded, and checked against the one
//! rule of ending: no running nginx may still route to the container,
//! not even its old workers that finish their requests after a reload.

use anyhow::Result;

use super::nginx::upstream_members;
use super::State;

impl State {
    pub(super) fn stop(&mut self, key: &str) -> Result<()> {
        self.end("stop", key, 0)
    }

    pub(super) fn kill(&mut self, key: &str) -> Result<()> {
        self.end("kill", key, 137)
    }

    fn end(&mut self, op: &str, key: &str, code: i64) -> Result<()> {
        self.checked(op, key)?;
        let Some(index) = self.find(key) else {
            return Ok(());
        };
        if !self.containers[index].container.state.is_running() {
            return Ok(());
        }
        let name = self.containers[index].container.name.clone();
        let routing = self.routing_to(&name);
        if !routing.is_empty() {
            self.ended_while_routed
                .push(format!("{op} {name} while {routing:?} routed to it"));
        }
        self.journal.push(format!("{op} {name}"));
        self.exit(index, code);
        Ok(())
    }

    /// The balancers whose running nginx sends requests to `name`.
    fn routing_to(&self, name: &str) -> Vec<String> {
        self.containers
            .iter()
            .filter(|entry| entry.container.state.is_running())
            .filter(|entry| {
                entry
                    .nginx
                    .iter()
                    .chain(&entry.retiring)
                    .any(|conf| upstream_members(conf).contains(name))
            })
            .map(|entry| entry.container.name.clone())
            .collect()
    }
}
