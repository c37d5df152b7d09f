//! The fleet.toml of a test, built up key by key:
//!
//! ```ignore
//! FleetToml::new("demo")
//!     .model("half_plus_two")
//!     .cpu(2)
//!     .to_string()
//! ```
//!
//! gives
//!
//! ```toml
//! [fleet]
//! name = "demo"
//!
//! [[models]]
//! name = "half_plus_two"
//! path = "models/half_plus_two"
//!
//! [placement]
//! gpus = "none"
//! replicas = 2
//! ```
//!
//! A table is written only when one of its keys is set, in the order
//! `[fleet]`, `[serving]`, `[[models]]`, `[placement]`, the raw sections
//! (`[[override]]`, `[rollout]`, ...) in the order given, `[balancer]`.
//! Setting a key again replaces it. `TestFleet::toml()` starts one with the
//! stub image, the local nginx and the fleet's ports filled in.
//!
//! Include it with `#[path = "support/fleet_toml.rs"] mod fleet_toml;`.
#![allow(dead_code)]

use std::fmt;

#[derive(Debug, Clone)]
struct Model {
    name: String,
    versions: Option<Vec<u64>>,
    /// Lines written as given after `name`, `path` and `versions`.
    lines: Vec<String>,
}

/// A fleet.toml; its `Display` is the file's text.
#[derive(Debug, Clone)]
pub struct FleetToml {
    name: String,
    image: Option<String>,
    pull: Option<String>,
    serving_args: Option<Vec<String>>,
    serving_env: Vec<(String, String)>,
    models: Vec<Model>,
    gpus: Option<String>,
    replicas: Option<u32>,
    per_gpu: Option<u32>,
    sections: Vec<String>,
    balancer_image: Option<String>,
    rest: Option<String>,
    grpc: Option<String>,
    strategy: Option<String>,
    retries: Option<u32>,
    balancer_lines: Vec<String>,
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl FleetToml {
    /// `[fleet] name = NAME` and nothing else.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            image: None,
            pull: None,
            serving_args: None,
            serving_env: Vec::new(),
            models: Vec::new(),
            gpus: None,
            replicas: None,
            per_gpu: None,
            sections: Vec::new(),
            balancer_image: None,
            rest: None,
            grpc: None,
            strategy: None,
            retries: None,
            balancer_lines: Vec::new(),
        }
    }

    /// `[serving] image`.
    pub fn image(mut self, image: &str) -> Self {
        self.image = Some(image.to_string());
        self
    }

    /// `[serving] pull`: `always`, `missing` or `never`.
    pub fn pull(mut self, policy: &str) -> Self {
        self.pull = Some(policy.to_string());
        self
    }

    /// `[serving] args`; `&[]` writes `args = []`.
    pub fn serving_args(mut self, args: &[&str]) -> Self {
        self.serving_args = Some(args.iter().map(|arg| arg.to_string()).collect());
        self
    }

    /// One variable of `[serving] env`, written as an inline table.
    pub fn serving_env(mut self, key: &str, value: &str) -> Self {
        self.serving_env.push((key.to_string(), value.to_string()));
        self
    }

    /// A `[[models]]` entry NAME at `models/NAME`, all versions.
    pub fn model(mut self, name: &str) -> Self {
        self.models.push(Model {
            name: name.to_string(),
            versions: None,
            lines: Vec::new(),
        });
        self
    }

    /// A `[[models]]` entry NAME at `models/NAME` serving only `versions`.
    pub fn model_versions(mut self, name: &str, versions: &[u64]) -> Self {
        self.models.push(Model {
            name: name.to_string(),
            versions: Some(versions.to_vec()),
            lines: Vec::new(),
        });
        self
    }

    /// More lines (TOML) in the `[[models]]` entry NAME, e.g. `labels = { stable = 1 }`.
    pub fn model_lines(mut self, name: &str, lines: &[&str]) -> Self {
        if let Some(model) = self.models.iter_mut().find(|m| m.name == name) {
            model.lines.extend(
                lines
                    .iter()
                    .filter(|l| !l.is_empty())
                    .map(|l| l.to_string()),
            );
        }
        self
    }

    /// `[placement] gpus = [..]`, by index.
    pub fn gpus(mut self, indices: &[u32]) -> Self {
        self.gpus = Some(format!("{indices:?}"));
        self
    }

    /// `[placement] gpus = "all"`.
    pub fn gpus_all(mut self) -> Self {
        self.gpus = Some("\"all\"".to_string());
        self
    }

    /// `[placement] gpus = N`: the first N GPUs.
    pub fn gpu_count(mut self, count: u32) -> Self {
        self.gpus = Some(count.to_string());
        self
    }

    /// CPU mode: `[placement] gpus = "none"` and `replicas`.
    pub fn cpu(mut self, replicas: u32) -> Self {
        self.gpus = Some("\"none\"".to_string());
        self.replicas = Some(replicas);
        self
    }

    /// `[placement] per_gpu`.
    pub fn per_gpu(mut self, count: u32) -> Self {
        self.per_gpu = Some(count);
        self
    }

    /// An `[[override]]` of GPU `gpu`, with `body` (TOML lines) under its `gpu = ` key.
    pub fn override_gpu(self, gpu: u32, body: &str) -> Self {
        self.section(&format!("[[override]]\ngpu = {gpu}\n{body}"))
    }

    /// `[rollout]` with `body` (TOML lines).
    pub fn rollout(self, body: &str) -> Self {
        self.section(&format!("[rollout]\n{body}"))
    }

    /// A raw section, written after `[placement]`, before `[balancer]`.
    pub fn section(mut self, text: &str) -> Self {
        self.sections.push(text.trim_end().to_string());
        self
    }

    /// `[balancer] image`.
    pub fn balancer_image(mut self, image: &str) -> Self {
        self.balancer_image = Some(image.to_string());
        self
    }

    /// `[balancer] rest`, an `address:port`.
    pub fn rest(mut self, address: &str) -> Self {
        self.rest = Some(address.to_string());
        self
    }

    /// `[balancer] grpc`, an `address:port`.
    pub fn grpc(mut self, address: &str) -> Self {
        self.grpc = Some(address.to_string());
        self
    }

    /// `[balancer] strategy`: `least_conn`, `round_robin`, `ip_hash` or `random`.
    pub fn strategy(mut self, strategy: &str) -> Self {
        self.strategy = Some(strategy.to_string());
        self
    }

    /// `[balancer] retries`.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// Any other `[balancer]` line, written as given after the others.
    pub fn balancer_line(mut self, line: &str) -> Self {
        self.balancer_lines.push(line.to_string());
        self
    }
}

impl fmt::Display for FleetToml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "[fleet]\nname = {}", quoted(&self.name))?;

        let mut serving = Vec::new();
        if let Some(image) = &self.image {
            serving.push(format!("image = {}", quoted(image)));
        }
        if let Some(pull) = &self.pull {
            serving.push(format!("pull = {}", quoted(pull)));
        }
        if let Some(args) = &self.serving_args {
            let args: Vec<String> = args.iter().map(|arg| quoted(arg)).collect();
            serving.push(format!("args = [{}]", args.join(", ")));
        }
        if !self.serving_env.is_empty() {
            let env: Vec<String> = self
                .serving_env
                .iter()
                .map(|(key, value)| format!("{key} = {}", quoted(value)))
                .collect();
            serving.push(format!("env = {{ {} }}", env.join(", ")));
        }
        table(f, "[serving]", &serving)?;

        for model in &self.models {
            let mut lines = vec![
                format!("name = {}", quoted(&model.name)),
                format!("path = {}", quoted(&format!("models/{}", model.name))),
            ];
            if let Some(versions) = &model.versions {
                lines.push(format!("versions = {versions:?}"));
            }
            lines.extend(model.lines.iter().cloned());
            table(f, "[[models]]", &lines)?;
        }

        let mut placement = Vec::new();
        if let Some(gpus) = &self.gpus {
            placement.push(format!("gpus = {gpus}"));
        }
        if let Some(replicas) = self.replicas {
            placement.push(format!("replicas = {replicas}"));
        }
        if let Some(per_gpu) = self.per_gpu {
            placement.push(format!("per_gpu = {per_gpu}"));
        }
        table(f, "[placement]", &placement)?;

        for section in &self.sections {
            write!(f, "\n{section}\n")?;
        }

        let mut balancer = Vec::new();
        if let Some(image) = &self.balancer_image {
            balancer.push(format!("image = {}", quoted(image)));
        }
        if let Some(rest) = &self.rest {
            balancer.push(format!("rest = {}", quoted(rest)));
        }
        if let Some(grpc) = &self.grpc {
            balancer.push(format!("grpc = {}", quoted(grpc)));
        }
        if let Some(strategy) = &self.strategy {
            balancer.push(format!("strategy = {}", quoted(strategy)));
        }
        if let Some(retries) = self.retries {
            balancer.push(format!("retries = {retries}"));
        }
        balancer.extend(self.balancer_lines.iter().cloned());
        table(f, "[balancer]", &balancer)
    }
}

/// A blank line, the header and the lines; nothing when there are no lines.
fn table(f: &mut fmt::Formatter<'_>, header: &str, lines: &[String]) -> fmt::Result {
    if lines.is_empty() {
        return Ok(());
    }
    write!(f, "\n{header}\n")?;
    for line in lines {
        writeln!(f, "{line}")?;
    }
    Ok(())
}
