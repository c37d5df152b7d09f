use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, SystemTime};

use futures_util::future::join_all;

use super::{BalancerStatus, FleetStatus, GpuStatus, ModelStatus, ReplicaStatus};
use crate::desire::{
    labels, BalancerContainer, ReplicaSpec, MONITORING_CONFIG_PATH, SERVED_MODELS_PATH,
};
use crate::discover::gpu_usage;
use crate::engine::{Container, Engine, Status};
use crate::observe::Observed;
use crate::verify::{requests_served, Probe, ServingProbe};

/// Asks every replica and the balancer how they are.
pub async fn gather(engine: &impl Engine, fleet: &str, observed: &Observed) -> FleetStatus {
    let usage = gpu_usage();
    let network = crate::desire::network_name(fleet);
    let replicas = join_all(
        observed
            .replicas
            .iter()
            .map(|container| replica(engine, container, &network, &usage)),
    )
    .await;
    // From a replica that answered: the first may be down.
    let models: Vec<String> = replicas
        .iter()
        .find(|r: &&ReplicaStatus| !r.models.is_empty())
        .map(|r| r.models.iter().map(|m| m.name.clone()).collect())
        .unwrap_or_default();
    let balancer = match &observed.balancer {
        Some(container) => Some(balancer(container, models).await),
        None => None,
    };
    let healthy = !replicas.is_empty()
        && replicas.iter().all(|r| r.available)
        && balancer.as_ref().is_some_and(|b| b.answers);
    FleetStatus {
        fleet: fleet.to_string(),
        healthy,
        replicas,
        balancer,
    }
}

async fn replica(
    engine: &impl Engine,
    container: &Container,
    network: &str,
    usage: &std::collections::BTreeMap<u32, crate::discover::GpuUsage>,
) -> ReplicaStatus {
    let spec = ReplicaSpec::from_labels(&container.name, 1, &container.labels);
    let mut status = ReplicaStatus {
        name: container.name.clone(),
        slot: container
            .labels
            .get(labels::SLOT)
            .cloned()
            .unwrap_or_default(),
        gpu: spec
            .as_ref()
            .and_then(|s| s.gpu.as_ref())
            .map(|gpu| GpuStatus {
                index: gpu.index,
                device_id: gpu.device_id.clone(),
                usage: gpu.index.and_then(|index| usage.get(&index).cloned()),
            }),
        container_state: container.state.status,
        uptime_seconds: container
            .state
            .is_running()
            .then(|| uptime(container.started_at.as_deref()))
            .flatten(),
        models: Vec::new(),
        requests: None,
        available: false,
        restarts: container.restart_count,
        last_exit_code: None,
        problem: None,
    };
    let Some(mut spec) = spec else {
        status.problem = Some("its tfs.spec label cannot be read".to_string());
        return status;
    };
    // What it was last told to serve, which a reload in place changes.
    if let Ok(Some(text)) = engine.read_file(&container.name, SERVED_MODELS_PATH).await {
        if let Ok(models) = serde_json::from_str(&text) {
            spec.models = models;
        }
    }
    if !container.state.is_running() {
        status.problem = Some(container.state.describe());
        crash_loop(engine, container, &mut status).await;
        return status;
    }
    match ServingProbe(engine).probe(&spec, network).await {
        Ok(health) => {
            status.available = health.available;
            status.models = health
                .models
                .into_iter()
                .map(|(name, versions)| {
                    let labels = spec
                        .models
                        .iter()
                        .find(|model| model.name == name)
                        .map(|model| model.labels.clone())
                        .unwrap_or_default();
                    ModelStatus {
                        name,
                        versions,
                        labels,
                    }
                })
                .collect();
        }
        Err(error) => status.problem = Some(error.to_string()),
    }
    let monitored = spec.config.files.contains_key(MONITORING_CONFIG_PATH);
    let ip = container
        .networks
        .get(network)
        .and_then(|ip| ip.parse::<IpAddr>().ok());
    if let (true, Some(ip), true) = (monitored, ip, container.state.is_running()) {
        status.requests = requests_served(SocketAddr::new(ip, spec.config.rest_port))
            .await
            .ok();
    }
    crash_loop(engine, container, &mut status).await;
    status
}

/// A replica that restarts, or restarted within this long, is not healthy
/// whatever it answers now: it is likely to crash again (Kubernetes backs a
/// crash loop off to the same five minutes).
const RECENT_RESTART: Duration = Duration::from_secs(300);

/// Marks a replica that is restarting or restarted recently as unhealthy,
/// with its last exit code.
async fn crash_loop(engine: &impl Engine, container: &Container, status: &mut ReplicaStatus) {
    let restarting = container.state.status == Status::Restarting;
    let recent = container.restart_count > 0
        && status
            .uptime_seconds
            .is_some_and(|uptime| uptime < RECENT_RESTART.as_secs());
    if !restarting && !recent {
        return;
    }
    status.last_exit_code = if restarting {
        Some(container.state.exit_code)
    } else {
        engine
            .last_exit_code(&container.name, RECENT_RESTART)
            .await
            .ok()
            .flatten()
    };
    status.available = false;
    let exit = status
        .last_exit_code
        .map_or_else(String::new, |code| format!(", last exit code {code}"));
    let when = match status.uptime_seconds {
        Some(uptime) if !restarting => format!("; running again for {uptime}s"),
        _ => "; restarting now".to_string(),
    };
    let times = match container.restart_count {
        1 => "once".to_string(),
        count => format!("{count} times"),
    };
    let problem = format!("Docker restarted it {times}{exit}{when}");
    status.problem = Some(match status.problem.take() {
        Some(other) => format!("{problem}; {other}"),
        None => problem,
    });
}

async fn balancer(container: &Container, models: Vec<String>) -> BalancerStatus {
    let spec: Option<BalancerContainer> = container
        .labels
        .get(labels::SPEC)
        .and_then(|text| serde_json::from_str(text).ok());
    let rest = spec.as_ref().map(|s| s.rest);
    let answers = match rest {
        Some(address) if container.state.is_running() => healthz(reachable(address)).await,
        _ => false,
    };
    BalancerStatus {
        name: container.name.clone(),
        container_state: container.state.status,
        answers,
        rest: rest.map(|a| a.to_string()).unwrap_or_default(),
        grpc: spec.and_then(|s| s.grpc).map(|a| a.to_string()),
        models,
    }
}

/// A wildcard bind address is reached through loopback.
fn reachable(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), address.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), address.port())
        }
        _ => address,
    }
}

async fn healthz(address: SocketAddr) -> bool {
    matches!(
        crate::verify::get(address, "/healthz", Duration::from_secs(2)).await,
        Ok((200, _))
    )
}

fn uptime(started_at: Option<&str>) -> Option<u64> {
    // Docker writes nanoseconds; whole seconds are enough for an uptime.
    let seconds = started_at?.split('.').next()?.trim_end_matches('Z');
    let started = humantime::parse_rfc3339_weak(seconds).ok()?;
    SystemTime::now()
        .duration_since(started)
        .ok()
        .map(|d| d.as_secs())
}
