use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::desire::Mount;

/// A container to create, in Docker's terms but free of bollard's types.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// Arguments after the image's entrypoint.
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub mounts: Vec<Mount>,
    /// GPUs by Docker device request (driver nvidia); never `privileged`.
    pub device_ids: Vec<String>,
    pub network: String,
    pub ports: Vec<PortBinding>,
}

/// A host address published to a container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortBinding {
    pub host: SocketAddr,
    pub container_port: u16,
}
