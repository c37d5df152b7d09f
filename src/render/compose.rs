//! The fleet as a docker-compose project, for teams that prefer compose:
//! one service per replica (pinned to its GPU by a device reservation), the
//! nginx service in front, one network.
//!
//! The YAML comes from a serializer, so no value can add keys or services;
//! every `$` is doubled, since compose would otherwise substitute variables
//! in it and run something other than what `tfs apply` runs.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::Serialize;

use crate::desire::{model_config, Desired, ReplicaSpec, MODEL_CONFIG_PATH};

/// A file of the exported project: its name in the output directory and its text.
pub struct ExportedFile {
    pub name: String,
    pub content: String,
}

#[derive(Serialize)]
struct Project {
    services: BTreeMap<String, Service>,
    networks: BTreeMap<&'static str, BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct Service {
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    environment: BTreeMap<String, String>,
    volumes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deploy: Option<Deploy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
    restart: &'static str,
    networks: [&'static str; 1],
}

#[derive(Serialize)]
struct Deploy {
    resources: Resources,
}

#[derive(Serialize)]
struct Resources {
    reservations: Reservations,
}

#[derive(Serialize)]
struct Reservations {
    devices: Vec<Device>,
}

#[derive(Serialize)]
struct Device {
    driver: &'static str,
    device_ids: Vec<String>,
    capabilities: [&'static str; 1],
}

const NETWORK: &str = "fleet";
const RESTART: &str = "unless-stopped";

/// docker-compose.yml, nginx.conf and the replicas' generated config files.
pub fn render(desired: &Desired) -> Result<Vec<ExportedFile>> {
    let mut files = vec![ExportedFile {
        name: "docker-compose.yml".to_string(),
        content: compose_file(desired)?,
    }];
    files.push(ExportedFile {
        name: "nginx.conf".to_string(),
        content: desired.balancer.conf.clone(),
    });
    for replica in &desired.replicas {
        for (name, _, content) in replica_files(desired, replica) {
            if !files.iter().any(|file| file.name == name) {
                files.push(ExportedFile { name, content });
            }
        }
    }
    Ok(files)
}

/// A replica's generated files: (name in the export, path in the
/// container, content). The model config is per replica when an override
/// gives a slot other versions (`models-<replica>.config`), else shared.
fn replica_files(desired: &Desired, replica: &ReplicaSpec) -> Vec<(String, String, String)> {
    let mut files: Vec<(String, String, String)> = replica
        .config
        .files
        .iter()
        .map(|(path, content)| (base_name(path).to_string(), path.clone(), content.clone()))
        .collect();
    let models = model_config(&replica.models, true);
    let shared = desired
        .replicas
        .iter()
        .all(|other| model_config(&other.models, true) == models);
    let name = if shared {
        base_name(MODEL_CONFIG_PATH).to_string()
    } else {
        format!("models-{}.config", replica.name)
    };
    files.push((name, MODEL_CONFIG_PATH.to_string(), models));
    files.sort();
    files
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A value as compose must read it to hand it on unchanged: `$` is its
/// interpolation character, and `$$` a literal one.
fn literal(text: &str) -> String {
    text.replace('$', "$$")
}

fn compose_file(desired: &Desired) -> Result<String> {
    let mut services = BTreeMap::new();
    for replica in &desired.replicas {
        services.insert(replica.name.clone(), replica_service(desired, replica)?);
    }
    let balancer = &desired.balancer;
    let mut ports = vec![format!(
        "{}:{}",
        port_prefix(balancer.container.rest),
        crate::desire::REST_LISTEN_PORT
    )];
    if let Some(grpc) = balancer.container.grpc {
        ports.push(format!(
            "{}:{}",
            port_prefix(grpc),
            crate::desire::GRPC_LISTEN_PORT
        ));
    }
    let service = Service {
        image: literal(&balancer.container.image),
        command: None,
        environment: BTreeMap::new(),
        volumes: vec!["./nginx.conf:/etc/nginx/nginx.conf:ro".to_string()],
        ports,
        deploy: None,
        depends_on: desired.replicas.iter().map(|r| r.name.clone()).collect(),
        restart: RESTART,
        networks: [NETWORK],
    };
    if services.insert(balancer.name.clone(), service).is_some() {
        bail!(
            "the balancer and a replica are both named {}",
            balancer.name
        );
    }
    let project = Project {
        services,
        networks: BTreeMap::from([(NETWORK, BTreeMap::new())]),
    };
    // JSON-quoted, so that no fleet name can end the comment line.
    let header = format!(
        "# Generated by `tfs export compose` from fleet {}.\n# Bring it up with: docker-compose up -d\n",
        serde_json::to_string(&desired.fleet)?
    );
    Ok(header + &serde_norway::to_string(&project)?)
}

fn replica_service(desired: &Desired, replica: &ReplicaSpec) -> Result<Service> {
    let config = &replica.config;
    let mut volumes = Vec::new();
    for mount in &config.mounts {
        // The short syntax splits at `:`; a path holding one cannot be written in it.
        for path in [&mount.host, &mount.container] {
            if path.contains(':') {
                bail!("cannot export {}: the path {path} contains `:`, which docker-compose's volume syntax cannot hold\nhint: move the model to a path without `:`", replica.name);
            }
        }
        volumes.push(literal(&format!("{}:{}:ro", mount.host, mount.container)));
    }
    for (name, path, _) in replica_files(desired, replica) {
        volumes.push(literal(&format!("./{name}:{path}:ro")));
    }
    let deploy = config.device_id.as_ref().map(|device| Deploy {
        resources: Resources {
            reservations: Reservations {
                devices: vec![Device {
                    driver: "nvidia",
                    device_ids: vec![literal(device)],
                    capabilities: ["gpu"],
                }],
            },
        },
    });
    Ok(Service {
        image: literal(&config.image),
        command: Some(config.args.iter().map(|arg| literal(arg)).collect()),
        environment: config
            .env
            .iter()
            .map(|(key, value)| (key.clone(), literal(value)))
            .collect(),
        volumes,
        ports: Vec::new(),
        deploy,
        depends_on: Vec::new(),
        restart: RESTART,
        networks: [NETWORK],
    })
}

/// `127.0.0.1:8501` as compose writes a published address (IPv6 in brackets).
fn port_prefix(address: std::net::SocketAddr) -> String {
    match address {
        std::net::SocketAddr::V4(v4) => format!("{}:{}", v4.ip(), v4.port()),
        std::net::SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
    }
}
