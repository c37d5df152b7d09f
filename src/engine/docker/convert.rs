//! bollard's models to and from tfs's own container types.

use std::collections::{BTreeMap, HashMap};

use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, DeviceRequest, EndpointSettings, HostConfig,
    Mount as DockerMount, MountType, NetworkingConfig, PortBinding as DockerPortBinding,
    RestartPolicy, RestartPolicyNameEnum,
};

use crate::engine::ContainerSpec;
use crate::engine::{Container, ContainerState, Status};

/// A request for these GPUs through the NVIDIA device driver (the
/// Container Toolkit's hook, or CDI), as `docker run --gpus` makes it.
pub fn gpu_request(device_ids: Vec<String>) -> DeviceRequest {
    DeviceRequest {
        driver: Some("nvidia".to_string()),
        device_ids: Some(device_ids),
        capabilities: Some(vec![vec!["gpu".to_string()]]),
        ..Default::default()
    }
}

pub fn create_body(spec: &ContainerSpec) -> ContainerCreateBody {
    let env = spec
        .env
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    let mounts = spec
        .mounts
        .iter()
        .map(|mount| DockerMount {
            target: Some(mount.container.clone()),
            source: Some(mount.host.clone()),
            typ: Some(MountType::BIND),
            read_only: Some(true),
            ..Default::default()
        })
        .collect();
    let device_requests =
        (!spec.device_ids.is_empty()).then(|| vec![gpu_request(spec.device_ids.clone())]);
    let mut port_bindings: HashMap<String, Option<Vec<DockerPortBinding>>> = HashMap::new();
    for port in &spec.ports {
        port_bindings
            .entry(format!("{}/tcp", port.container_port))
            .or_default()
            .get_or_insert_with(Vec::new)
            .push(DockerPortBinding {
                host_ip: Some(port.host.ip().to_string()),
                host_port: Some(port.host.port().to_string()),
            });
    }
    let exposed_ports: Vec<String> = port_bindings.keys().cloned().collect();
    ContainerCreateBody {
        // The hostname is the container's name, so logs and the stub's
        // X-Stub-Replica header name the replica.
        hostname: Some(spec.name.clone()),
        image: Some(spec.image.clone()),
        cmd: Some(spec.args.clone()),
        env: Some(env),
        labels: Some(spec.labels.clone().into_iter().collect()),
        exposed_ports: (!exposed_ports.is_empty()).then_some(exposed_ports),
        host_config: Some(HostConfig {
            mounts: Some(mounts),
            device_requests,
            port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                maximum_retry_count: None,
            }),
            network_mode: Some(spec.network.clone()),
            ..Default::default()
        }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                spec.network.clone(),
                EndpointSettings {
                    aliases: Some(vec![spec.name.clone()]),
                    ..Default::default()
                },
            )])),
        }),
        ..Default::default()
    }
}

pub fn container(inspect: ContainerInspectResponse) -> Container {
    let config = inspect.config.unwrap_or_default();
    let state = inspect.state.unwrap_or_default();
    let networks = inspect
        .network_settings
        .and_then(|settings| settings.networks)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, endpoint)| (name, endpoint.ip_address.unwrap_or_default()))
        .collect();
    let device_ids = inspect
        .host_config
        .and_then(|host| host.device_requests)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|request| request.device_ids.unwrap_or_default())
        .collect();
    Container {
        id: inspect.id.unwrap_or_default(),
        name: inspect
            .name
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        image: config.image.unwrap_or_default(),
        args: config.cmd.unwrap_or_default(),
        env: config.env.unwrap_or_default(),
        labels: config
            .labels
            .unwrap_or_default()
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        started_at: state
            .started_at
            .clone()
            .filter(|at| !at.starts_with("0001-")),
        state: ContainerState {
            status: state
                .status
                .map_or(Status::Unknown, |status| Status::parse(status.as_ref())),
            exit_code: state.exit_code.unwrap_or(0),
        },
        networks,
        device_ids,
        restart_count: inspect
            .restart_count
            .and_then(|count| u64::try_from(count).ok())
            .unwrap_or(0),
    }
}
