//! The nginx inside the balancer: the scripts of `tfs::execute::scripts`,
//! interpreted by the parts they are made of, and `nginx -t` as far as tfs
//! meets it: a config a test rejects, a file that is missing, or an
//! upstream host that Docker's DNS cannot resolve (no running container of
//! that name on the balancer's network) fails.

use std::collections::BTreeSet;
use std::net::IpAddr;

use tfs::engine::ExecOutput;
use tfs::execute::scripts::{script, FIRST_TEST, RECORD, RELOAD, SWITCH, TEST, WAIT_DRAINED};
use tfs::observe::{CONF_DIR, LOADED_CONF_PATH, NGINX_CONF_PATH};

use super::{Load, Node, State};

/// Every part, in the order scripts hold them.
const PARTS: [&str; 5] = [FIRST_TEST, TEST, SWITCH, RELOAD, RECORD];

fn done(exit_code: i64, output: impl Into<String>) -> ExecOutput {
    ExecOutput {
        exit_code,
        output: output.into(),
    }
}

/// The hosts of a config's `server HOST:PORT` lines, addresses left out.
pub fn upstream_members(conf: &str) -> BTreeSet<String> {
    conf.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("server"))
                .then(|| words.next())
                .flatten()
        })
        .filter_map(|address| address.trim_end_matches(';').rsplit_once(':'))
        .filter(|(host, _)| host.parse::<IpAddr>().is_err())
        .map(|(host, _)| host.to_string())
        .collect()
}

/// The parts `text` is made of, when it is exactly `script(parts)`.
fn parts_of(text: &str) -> Option<Vec<&'static str>> {
    let parts: Vec<&'static str> = PARTS.into_iter().filter(|p| text.contains(p)).collect();
    (script(&parts) == text).then_some(parts)
}

impl State {
    pub(super) fn exec_in(&mut self, index: usize, command: &[&str]) -> ExecOutput {
        let balancer = self.containers[index].is_balancer();
        match command {
            ["sh", "-c", wait, "sh", _tries] if *wait == WAIT_DRAINED => self.wait_drained(index),
            ["sh", "-c", text, "sh", file] if balancer => match parts_of(text) {
                Some(parts) => self.run(index, &parts, file),
                None => done(
                    127,
                    format!("memory engine: a script of unknown parts:\n{text}"),
                ),
            },
            _ => done(
                127,
                format!("memory engine: cannot run `{}`", command.join(" ")),
            ),
        }
    }

    /// `WAIT_DRAINED`: the old workers have finished by now, unless
    /// a `count` fault makes the answer unreadable (as an exec that Docker
    /// could not run prints an error instead of a number).
    fn wait_drained(&mut self, index: usize) -> ExecOutput {
        let name = self.containers[index].container.name.clone();
        if self.fault("count", &[&name]).is_err() {
            return done(
                126,
                "OCI runtime exec failed: injected by the memory engine",
            );
        }
        self.containers[index].retiring.clear();
        done(0, "0\n")
    }

    /// nginx starts with what nginx.conf names, or the container exits.
    pub(super) fn start_nginx(&mut self, index: usize) {
        match self.nginx_test(index, NGINX_CONF_PATH) {
            Ok(conf) => self.load(index, conf, true),
            Err(error) => {
                self.containers[index].logs.push(error);
                self.exit(index, 1);
            }
        }
    }

    /// `nginx -t -c path`: the config, or nginx's complaint.
    fn nginx_test(&self, index: usize, path: &str) -> Result<String, String> {
        let entry = &self.containers[index];
        let Some(conf) = entry.read(path) else {
            return Err(format!(
                "nginx: [emerg] open() \"{path}\" failed (2: No such file or directory)"
            ));
        };
        if let Some(needle) = self.rejected.iter().find(|n| conf.contains(n.as_str())) {
            return Err(format!("nginx: [emerg] \"{needle}\" is rejected (memory engine) in {path}\nnginx: configuration file {path} test failed"));
        }
        let resolves = |host: &String| {
            self.containers.iter().any(|other| {
                other.container.name == *host
                    && other.network == entry.network
                    && other.container.state.is_running()
            })
        };
        if let Some(host) = upstream_members(conf).iter().find(|h| !resolves(h)) {
            return Err(format!(
                "nginx: [emerg] host not found in upstream \"{host}\" in {path}"
            ));
        }
        Ok(conf.to_string())
    }

    fn load(&mut self, index: usize, conf: String, started: bool) {
        let available = self
            .containers
            .iter()
            .filter(|entry| !entry.is_balancer() && entry.available())
            .map(|entry| entry.container.name.clone())
            .collect();
        let entry = &mut self.containers[index];
        let balancer = entry.container.name.clone();
        self.loads.push(Load {
            balancer: balancer.clone(),
            started,
            members: upstream_members(&conf),
            available,
            conf: conf.clone(),
        });
        if let Some(old) = entry.nginx.replace(conf) {
            entry.retiring.push(old);
        }
        if !started {
            self.journal.push(format!("reload {balancer}"));
        }
    }

    fn link(&mut self, index: usize, path: &str, target: &str) {
        let link = Node::Link {
            target: target.to_string(),
            epoch: false,
        };
        self.containers[index].files.insert(path.to_string(), link);
    }

    /// A script on `file` (its `$1`), part by part, with the scripts' exit codes.
    fn run(&mut self, index: usize, parts: &[&str], file: &str) -> ExecOutput {
        let name = self.containers[index].container.name.clone();
        let has = |part: &str| parts.contains(&part);
        let fault = |state: &mut State, op: &str| state.fault(op, &[&name]).is_err();
        if has(FIRST_TEST) {
            if let Err(error) = self.nginx_test(index, NGINX_CONF_PATH) {
                return done(3, error);
            }
        }
        if has(TEST) {
            if let Err(error) = self.nginx_test(index, file) {
                let entry = &mut self.containers[index];
                let named = [NGINX_CONF_PATH, LOADED_CONF_PATH]
                    .iter()
                    .any(|link| entry.readlink(link) == Some(file));
                if !named {
                    entry.files.remove(file);
                }
                return done(3, error);
            }
        }
        if has(SWITCH) {
            if fault(self, "switch") {
                return done(6, "mv: injected failure");
            }
            self.link(index, NGINX_CONF_PATH, file);
        }
        if has(RELOAD) {
            if fault(self, "reload") {
                return done(4, "nginx: [alert] kill: injected failure");
            }
            // `nginx -s reload` reads the config first, and fails on a bad one.
            match self.nginx_test(index, NGINX_CONF_PATH) {
                Ok(conf) => self.load(index, conf, false),
                Err(error) => return done(4, error),
            }
            if fault(self, "drain") {
                return done(5, "");
            }
        }
        if has(RECORD) {
            if fault(self, "record") {
                return done(7, "mv: injected failure");
            }
            self.link(index, LOADED_CONF_PATH, file);
            // `for old in "$dir"/*.conf; do [ "$old" = "$1" ] || rm -f "$old"; done`
            let glob = format!("{CONF_DIR}/");
            self.containers[index].files.retain(|path, _| {
                let Some(base) = path.strip_prefix(&glob) else {
                    return true;
                };
                let matched =
                    !base.contains('/') && !base.starts_with('.') && base.ends_with(".conf");
                !matched || path == file
            });
        }
        done(0, "")
    }
}
