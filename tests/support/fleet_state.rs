//! Literal fleets and host states for tests of reconcile and execute as
//! data: a fleet.toml text in, the Desired it means, and the Observed of a
//! host that runs it exactly. Include with
//! `#[path = "support/fleet_state.rs"] mod fleet_state;`.
#![allow(dead_code)]

use std::collections::BTreeMap;

use tfs::desire::nginx::{self, Member};
use tfs::desire::{desire, Desired, ReplicaSpec};
use tfs::discover::{Gpu, Inventory};
use tfs::engine::{Container, ContainerState, Network};
use tfs::load::{parse, Source};
use tfs::observe::{upstream_members, Observed};

pub const FOUR_GPUS: &str = r#"
[fleet]
name = "demo"

[serving]
image = "tensorflow/serving:2.17.0-gpu"

[[models]]
name = "half_plus_two"
path = "models/half_plus_two"

[placement]
gpus = [0, 1, 2, 3]
"#;

pub struct Case {
    directory: tempfile::TempDir,
}

impl Case {
    pub fn new() -> Self {
        let directory = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(directory.path().join("models/half_plus_two/123")).unwrap();
        std::fs::write(
            directory
                .path()
                .join("models/half_plus_two/123/saved_model.pb"),
            b"",
        )
        .unwrap();
        std::fs::write(
            directory
                .path()
                .join("models/half_plus_two/123/saved_model.pb"),
            b"",
        )
        .unwrap();
        Self { directory }
    }

    pub fn desired(&self, text: &str) -> Desired {
        let source = Source::new(self.directory.path().join("fleet.toml"), text);
        let fleet = parse(source).unwrap_or_else(|error| panic!("{error}"));
        desire(&fleet, &inventory(8)).unwrap()
    }
}

pub fn inventory(count: u32) -> Inventory {
    Inventory::Found {
        source: "test",
        gpus: (0..count)
            .map(|index| Gpu {
                index,
                uuid: format!("GPU-{index:04}"),
                name: "NVIDIA H100".to_string(),
                memory_total_mib: 81559,
                memory_used_mib: None,
            })
            .collect(),
        skipped: Vec::new(),
    }
}

/// A replica container as Docker reports it after tfs created it from `spec`.
pub fn running(spec: &ReplicaSpec, network: &str) -> Container {
    Container {
        id: format!("id-{}", spec.name),
        name: spec.name.clone(),
        image: spec.config.image.clone(),
        args: spec.config.args.clone(),
        env: spec
            .config
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
        labels: spec.labels.clone(),
        state: ContainerState::running(),
        networks: BTreeMap::from([(network.to_string(), "172.18.0.2".to_string())]),
        device_ids: spec.config.device_id.iter().cloned().collect(),
        started_at: None,
        restart_count: 0,
    }
}

/// The host exactly as `desired` wants it.
pub fn converged(desired: &Desired) -> Observed {
    let replicas = desired
        .replicas
        .iter()
        .map(|r| running(r, &desired.network.name))
        .collect();
    let members: Vec<Member> = desired
        .replicas
        .iter()
        .map(|r| Member {
            name: r.name.clone(),
            weight: r.weight,
        })
        .collect();
    let conf = nginx::render(&desired.balancer.settings, &members);
    Observed {
        network: Some(Network {
            id: "net".to_string(),
            name: desired.network.name.clone(),
            labels: desired.network.labels.clone(),
        }),
        replicas,
        balancer: Some(Container {
            id: "id-balancer".to_string(),
            name: desired.balancer.name.clone(),
            image: desired.balancer.container.image.clone(),
            args: Vec::new(),
            env: Vec::new(),
            labels: desired.balancer.labels.clone(),
            state: ContainerState::running(),
            networks: BTreeMap::from([(desired.network.name.clone(), "172.18.0.9".to_string())]),
            device_ids: Vec::new(),
            started_at: None,
            restart_count: 0,
        }),
        balancer_upstream: Some(upstream_members(&conf)),
        balancer_conf: Some(conf),
        balancer_conf_unloaded: false,
        foreign_containers: Vec::new(),
        foreign_networks: Vec::new(),
        serving: BTreeMap::new(),
        // Each replica's models file says what it was created serving.
        models: desired
            .replicas
            .iter()
            .map(|r| (r.name.clone(), r.models.clone()))
            .collect(),
        // Anything observe learns later (registry digests...) starts empty.
        ..Observed::default()
    }
}
