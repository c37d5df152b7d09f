//! The fleets and helpers of tests/export_kubernetes.rs: fleet.toml texts
//! for each kind of fleet the export is checked on, the export itself, and
//! readers of the YAML it prints.
//!
//! Include it after `fleet` with `#[path = "support/kubernetes.rs"] mod kubernetes;`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde::Deserialize;
use serde_norway::Value;

use crate::fleet::{Output, Test};

pub const TOOLS: &str = "/var/cache/tfs-test/k8s-tools/bin";
/// The balancer image with nginx 1.30, which has `server ... resolve`.
pub const NGINX_RESOLVE_IMAGE: &str = "tfs-nginx:forky";

pub const MODELS: &str = r#"
[[models]]
name = "half_plus_two"
path = "models/half_plus_two"

[[models]]
name = "second"
path = "models/second"
"#;

/// A fleet with both models of `MODELS` on disk, exported with `args`.
pub fn export(fleet: &str, args: &[&str]) -> (Test, Output) {
    let test = Test::new()
        .file("fleet.toml", fleet)
        .model_dir("models/half_plus_two", &[123])
        .model_dir("models/second", &[1, 2])
        .args(&["export", "kubernetes"])
        .args(args);
    let output = test.run();
    (test, output)
}

pub fn gpu_fleet() -> String {
    format!("[fleet]\nname = \"demo\"\n{MODELS}\n[placement]\ngpus = [0, 1]\n\n[[override]]\ngpu = 1\nweight = 3\n")
}

pub fn cpu_fleet() -> String {
    format!(
        r#"[fleet]
name = "cpu"
{MODELS}
[placement]
gpus = "none"
replicas = 3

[rollout]
max_unavailable = 2
drain_timeout = "45s"

[kubernetes]
namespace = "ml-serving"
host_path = "/srv/models"
node_selector = {{ "kubernetes.io/os" = "linux", "node.example.com/pool" = "true" }}
tolerations = [{{ key = "dedicated", value = "serving", effect = "NoSchedule" }}, {{ operator = "Exists", effect = "NoExecute" }}]
balancer_replicas = 3
service_type = "LoadBalancer"
"#
    )
}

pub fn shared_gpu_fleet() -> String {
    format!("[fleet]\nname = \"shared\"\n{MODELS}\n[placement]\ngpus = 2\nper_gpu = 2\n\n[kubernetes]\nclaim = \"team-models\"\n")
}

pub fn grpc_fleet() -> String {
    format!(
        "[fleet]\nname = \"grpc\"\n[serving]\nargs = [\"--rest_api_port=0\"]\n{MODELS}\n[placement]\ngpus = [0]\n\n[balancer]\ngrpc = \"0.0.0.0:9000\"\nrest = \"0.0.0.0:9001\"\nstrategy = \"round_robin\"\n"
    )
}

pub fn batching_fleet() -> String {
    r#"[fleet]
name = "batch"

[[models]]
name = "second"
path = "models/second"
versions = [1, 2]
labels = { stable = 1, canary = 2 }

[placement]
gpus = [0, 1, 2]

[[override]]
gpu = 2
versions = { second = [2] }

[batching]
num_batch_threads = 4
max_batch_size = 32
allowed_batch_sizes = [8, 32]

[kubernetes]
storage = "50Gi"
cluster_domain = "corp.internal"
resolver = "10.96.0.10"
"#
    .to_string()
}

/// Every fleet the offline checks run on, by snapshot name.
pub fn fleets() -> Vec<(&'static str, String)> {
    vec![
        ("gpu_two_models_weighted_override", gpu_fleet()),
        ("cpu_mode", cpu_fleet()),
        ("per_gpu_2", shared_gpu_fleet()),
        ("grpc_only", grpc_fleet()),
        ("batching_and_labels", batching_fleet()),
    ]
}

pub fn documents(stream: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(stream)
        .map(|document| Value::deserialize(document).unwrap())
        .filter(|value| !value.is_null())
        .collect()
}

#[track_caller]
pub fn tool(name: &str, args: &[&str], directory: &Path) -> std::process::Output {
    let path = Path::new(TOOLS).join(name);
    Command::new(&path)
        .args(args)
        .current_dir(directory)
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "{} runs ({error}); run tests/env/setup first",
                path.display()
            )
        })
}

/// The objects of `stream` of `kind`.
pub fn objects<'a>(all: &'a [Value], kind: &str) -> Vec<&'a Value> {
    all.iter().filter(|value| value["kind"] == kind).collect()
}

/// The nginx.conf of the balancer's ConfigMap.
pub fn nginx_conf(all: &[Value]) -> String {
    objects(all, "ConfigMap")
        .into_iter()
        .find_map(|map| map["data"]["nginx.conf"].as_str())
        .expect("a ConfigMap holds nginx.conf")
        .to_string()
}

/// The serving container of a Deployment as JSON-like YAML.
pub fn serving_container<'a>(all: &'a [Value], deployment: &str) -> &'a Value {
    let found = objects(all, "Deployment")
        .into_iter()
        .find(|value| value["metadata"]["name"] == deployment)
        .unwrap_or_else(|| panic!("no Deployment {deployment}"));
    &found["spec"]["template"]["spec"]["containers"][0]
}

pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .unwrap()
        .iter()
        .map(|item| item.as_str().unwrap().to_string())
        .collect()
}
