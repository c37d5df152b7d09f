//! The balancer side: nginx.conf as a ConfigMap, the nginx Deployment in
//! front of the serving pods, its Service and disruption budget.

use std::net::IpAddr;

use serde_json::{json, Value};

use super::kubernetes::{Cluster, Component, Manifest, CONFIG_HASH_ANNOTATION};
use super::kubernetes_pods::{image_pull_policy, pre_stop, BALANCER_DRAIN_LAG_SECONDS};
use super::kubernetes_serving::selector;
use crate::desire::nginx::{render_resolved, Member};
use crate::desire::{content_hash, GRPC_LISTEN_PORT, REST_LISTEN_PORT};
use crate::load::ServiceType;

/// nginx.conf of the cluster: the host's, with each Deployment's headless
/// Service as one upstream server (its weight), re-resolved as pods come and go.
pub fn nginx_conf(cluster: &Cluster) -> String {
    let members: Vec<Member> = cluster
        .groups()
        .iter()
        .map(|group| Member {
            name: cluster.service_host(&group.name),
            weight: group.spec().weight,
        })
        .collect();
    let resolver = match &cluster.settings.resolver {
        // nginx reads an IPv6 address in brackets.
        Some(address) => match address.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
            _ => address.clone(),
        },
        None => format!(
            "kube-dns.kube-system.svc.{}",
            cluster.settings.cluster_domain
        ),
    };
    render_resolved(&cluster.desired.balancer.settings, &members, &resolver)
}

pub fn balancer_objects(cluster: &Cluster) -> Vec<Manifest> {
    let balancer = &cluster.desired.balancer;
    let name = balancer.name.clone();
    let config = format!("{name}-config");
    let conf = nginx_conf(cluster);
    let hash = content_hash(&conf);
    let mut ports = vec![json!({"name": "rest", "containerPort": REST_LISTEN_PORT})];
    let mut service_ports =
        vec![json!({"name": "rest", "port": balancer.container.rest.port(), "targetPort": "rest"})];
    if let Some(grpc) = balancer.container.grpc {
        ports.push(json!({"name": "grpc", "containerPort": GRPC_LISTEN_PORT}));
        service_ports.push(json!({"name": "grpc", "port": grpc.port(), "targetPort": "grpc"}));
    }
    let drain = cluster.desired.rollout.drain_timeout_ms.div_ceil(1000);
    let health = json!({"httpGet": {"path": "/healthz", "port": "rest"}, "periodSeconds": 5});
    // Kubernetes stops containers with SIGTERM, nginx's fast shutdown:
    // `nginx -s quit` instead lets requests in flight finish.
    let quit = format!("sleep {BALANCER_DRAIN_LAG_SECONDS}; nginx -s quit; sleep {drain}");
    let container = json!({
        "name": "nginx",
        "image": balancer.container.image,
        "imagePullPolicy": image_pull_policy(cluster.desired.pull),
        "ports": ports,
        "volumeMounts": [{"name": "config", "mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf", "readOnly": true}],
        "readinessProbe": health,
        "livenessProbe": health,
        "lifecycle": {"preStop": pre_stop(vec!["sh".to_string(), "-c".to_string(), quit])},
    });
    let labels = selector(cluster, Component::Balancer);
    vec![
        Manifest {
            kind: "ConfigMap",
            name: config.clone(),
            comment: None,
            object: json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": cluster.metadata(&config, Component::Balancer),
                "data": {"nginx.conf": conf},
            }),
        },
        Manifest {
            kind: "Deployment",
            name: name.clone(),
            comment: Some("nginx in front of the serving pods: least-connections (or [balancer] strategy) across every ready pod.".to_string()),
            object: json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": cluster.metadata(&name, Component::Balancer),
                "spec": {
                    "replicas": cluster.settings.balancer_replicas,
                    "selector": {"matchLabels": labels},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                    "template": {
                        "metadata": {"labels": cluster.labels(Component::Balancer), "annotations": {CONFIG_HASH_ANNOTATION: hash}},
                        "spec": {
                            "terminationGracePeriodSeconds": BALANCER_DRAIN_LAG_SECONDS + drain + 10,
                            "containers": [container],
                            "volumes": [{"name": "config", "configMap": {"name": config}}],
                        },
                    },
                },
            }),
        },
        Manifest {
            kind: "Service",
            name: name.clone(),
            comment: None,
            object: json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": cluster.metadata(&name, Component::Balancer),
                "spec": {"type": service_type(cluster.settings.service_type), "selector": labels, "ports": service_ports},
            }),
        },
        Manifest {
            kind: "PodDisruptionBudget",
            comment: None,
            object: json!({
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": cluster.metadata(&name, Component::Balancer),
                "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}},
            }),
            name,
        },
    ]
}

fn service_type(kind: ServiceType) -> Value {
    json!(kind)
}
