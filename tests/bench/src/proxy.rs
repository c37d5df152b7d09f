//! nginx containers beside a fleet's balancer, on the fleet network: the
//! hand-made round-robin config, and variants of the generated nginx.conf.

use std::time::Duration;

use crate::fleet::{self, Fleet, NGINX, PREFIX};
use crate::sh::{self, R};

/// Label on every container the benchmark starts itself, for cleanup.
pub const LABEL: &str = "tfs-bench=1";

/// A running nginx container on a fleet's network (nothing published).
pub struct Proxy {
    pub name: String,
    pub ip: String,
}

impl Proxy {
    /// Its address on the fleet network (no docker-proxy in front).
    pub fn url(&self) -> String {
        format!("http://{}:8501", self.ip)
    }

    pub fn remove(self) {
        let _ = sh::docker(&["rm", "-f", &self.name]);
    }
}

/// The hand-made way: the stock nginx.conf of the image (worker_processes
/// auto, keepalive to clients) plus a conf.d file with a plain round-robin
/// upstream and proxy_pass: no upstream keepalive (HTTP/1.0 to the
/// replicas), default proxy_next_upstream (error timeout, not for POST).
/// Access logging is switched off so that only balancing differs.
pub fn handmade_conf(replicas: &[String]) -> String {
    let servers: String = replicas
        .iter()
        .map(|r| format!("    server {r}:8501;\n"))
        .collect();
    format!(
        "upstream tfserving {{\n{servers}}}\n\nserver {{\n    listen 8501;\n    access_log off;\n\n    location / {{\n        proxy_pass http://tfserving;\n    }}\n}}\n"
    )
}

/// Starts the hand-made nginx in front of `fleet`'s replicas.
pub fn handmade(fleet: &Fleet, label: &str) -> R<Proxy> {
    let names: Vec<String> = fleet.replicas()?.into_iter().map(|(n, _)| n).collect();
    start(
        fleet,
        label,
        "/etc/nginx/conf.d/default.conf",
        &handmade_conf(&names),
    )
}

/// The nginx.conf tfs rendered for `fleet`'s balancer, as it runs.
pub fn generated_conf(fleet: &Fleet) -> R<String> {
    let balancer = format!("{}-balancer", fleet.name);
    sh::docker(&["exec", &balancer, "cat", "/etc/nginx/nginx.conf"]).map(|c| c + "\n")
}

/// Starts nginx with `conf` as the whole nginx.conf, beside `fleet`'s balancer.
pub fn variant(fleet: &Fleet, label: &str, conf: &str) -> R<Proxy> {
    start(fleet, label, "/etc/nginx/nginx.conf", conf)
}

fn start(fleet: &Fleet, label: &str, target: &str, conf: &str) -> R<Proxy> {
    let short = fleet
        .name
        .trim_start_matches(PREFIX)
        .trim_start_matches('-');
    let name = format!("{PREFIX}-{short}-{label}");
    let file = fleet.dir.join(format!("{label}.conf"));
    std::fs::write(&file, conf).map_err(|e| e.to_string())?;
    let _ = sh::docker(&["rm", "-f", &name]);
    let mount = format!("{}:{target}:ro", fleet::path_str(&file));
    let network = fleet.network();
    sh::docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        LABEL,
        "--network",
        &network,
        "-v",
        &mount,
        NGINX,
    ])?;
    let found = fleet::addresses(std::slice::from_ref(&name), &network)?;
    let ip = found
        .into_iter()
        .next()
        .map(|(_, ip)| ip)
        .unwrap_or_default();
    let proxy = Proxy { name, ip };
    if !fleet::wait_available(&[format!("{}:8501", proxy.ip)], Duration::from_secs(10)) {
        let logs = sh::output("docker", &["logs", "--tail", "20", &proxy.name])?;
        proxy.remove();
        return Err(format!(
            "nginx did not serve: {}",
            String::from_utf8_lossy(&logs.stderr)
        ));
    }
    Ok(proxy)
}
