//! The serving side: per replica spec a ConfigMap, a Deployment and a
//! headless Service; the models' claim and one disruption budget.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde_json::{json, Value};

use super::kubernetes::{
    Cluster, Component, Manifest, COMPONENT_LABEL, CONFIG_HASH_ANNOTATION, DEPLOYMENT_LABEL,
    INSTANCE_LABEL,
};
use super::kubernetes_groups::SpecGroup;
use super::kubernetes_pods::{image_pull_policy, pre_stop, scheduling, SERVING_DRAIN_LAG_SECONDS};
use super::kubernetes_probes::serving_probes;
use crate::desire::{content_hash, model_config, ServedModel, MODELS_ROOT, MODEL_CONFIG_PATH};
use crate::load::ModelVolume;

/// The grace period's time after the preStop pause: nothing is in flight by
/// then, and TF Serving never acts on the SIGTERM, so any longer is waste.
const SIGTERM_MARGIN_SECONDS: u64 = 2;

/// Where the generated config files are mounted, as one ConfigMap.
const CONFIG_DIRECTORY: &str = "/etc/tfs";

/// The models' claim, when the export creates it; every group's objects; the budget.
pub fn serving_objects(cluster: &Cluster) -> Result<Vec<Manifest>> {
    let mut manifests = Vec::new();
    if let ModelVolume::NewClaim { storage } = &cluster.settings.models {
        let name = claim_name(cluster);
        manifests.push(Manifest {
            kind: "PersistentVolumeClaim",
            comment: Some("One directory per model, named after it, holding its numeric version directories.\nReadWriteMany: fill it from a pod of your own while the serving pods read it.".to_string()),
            object: json!({
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": cluster.metadata(&name, Component::Serving),
                "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": storage}}},
            }),
            name,
        });
    }
    for group in cluster.groups() {
        let files = config_files(&group)?;
        let config = format!("{}-config", group.name);
        manifests.push(Manifest {
            kind: "ConfigMap",
            name: config.clone(),
            comment: None,
            object: json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": cluster.metadata(&config, Component::Serving),
                "data": files,
            }),
        });
        manifests.push(deployment(cluster, &group, &config, &content_hash(&files)));
        manifests.push(headless_service(cluster, &group));
    }
    let name = format!("{}-serving", cluster.desired.fleet);
    manifests.push(Manifest {
        kind: "PodDisruptionBudget",
        comment: None,
        object: json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": cluster.metadata(&name, Component::Serving),
            "spec": {
                "maxUnavailable": cluster.desired.rollout.max_unavailable,
                "selector": {"matchLabels": selector(cluster, Component::Serving)},
            },
        }),
        name,
    });
    Ok(manifests)
}

fn claim_name(cluster: &Cluster) -> String {
    match &cluster.settings.models {
        ModelVolume::Claim(name) => name.clone(),
        _ => format!("{}-models", cluster.desired.fleet),
    }
}

/// Labels that pick this fleet's pods of `component`.
pub fn selector(cluster: &Cluster, component: Component) -> Value {
    let labels = cluster.labels(component);
    json!({
        INSTANCE_LABEL: labels[INSTANCE_LABEL],
        COMPONENT_LABEL: labels[COMPONENT_LABEL],
    })
}

/// The models as the pods see them: each at `/models/<name>` of the volume.
fn cluster_models(models: &[ServedModel]) -> Vec<ServedModel> {
    models
        .iter()
        .map(|model| ServedModel {
            base_path: format!("{MODELS_ROOT}/{}", model.name),
            ..model.clone()
        })
        .collect()
}

/// The group's files under /etc/tfs, by file name: the model config with
/// the volume's paths, and monitoring and batching as on a host.
fn config_files(group: &SpecGroup) -> Result<BTreeMap<String, String>> {
    let spec = group.spec();
    let mut files = BTreeMap::new();
    let paths = spec
        .config
        .files
        .iter()
        .map(|(path, content)| (path.as_str(), content.clone()));
    let models = model_config(&cluster_models(&spec.models), true);
    for (path, content) in paths.chain([(MODEL_CONFIG_PATH, models)]) {
        let Some(name) = path
            .strip_prefix(CONFIG_DIRECTORY)
            .and_then(|rest| rest.strip_prefix('/'))
        else {
            bail!("cannot export {path}: the config files are mounted from one directory, {CONFIG_DIRECTORY}");
        };
        files.insert(name.to_string(), content);
    }
    Ok(files)
}

fn pod_labels(cluster: &Cluster, group: &SpecGroup) -> Value {
    let mut labels = cluster.labels(Component::Serving);
    labels[DEPLOYMENT_LABEL] = json!(group.name);
    labels
}

fn deployment(cluster: &Cluster, group: &SpecGroup, config: &str, config_hash: &str) -> Manifest {
    let spec = group.spec();
    let settings = &cluster.desired.balancer.settings;
    let rest = (settings.rest_port != 0).then_some(spec.config.rest_port);
    let models: Vec<&str> = spec
        .models
        .iter()
        .map(|model| model.name.as_str())
        .collect();
    let mut ports = Vec::new();
    if let Some(rest) = rest {
        ports.push(json!({"name": "rest", "containerPort": rest}));
    }
    ports.push(json!({"name": "grpc", "containerPort": spec.config.grpc_port}));
    let env: Vec<Value> = spec
        .config
        .env
        .iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect();
    let drain = cluster.desired.rollout.drain_timeout_ms.div_ceil(1000);
    let pause = SERVING_DRAIN_LAG_SECONDS + drain;
    let mut container = json!({
        "name": "tensorflow-serving",
        "image": spec.config.image,
        "imagePullPolicy": image_pull_policy(cluster.desired.pull),
        "args": spec.config.args,
        "ports": ports,
        "volumeMounts": [
            {"name": "models", "mountPath": MODELS_ROOT, "readOnly": true},
            {"name": "config", "mountPath": CONFIG_DIRECTORY, "readOnly": true},
        ],
        "lifecycle": {"preStop": pre_stop(vec!["sleep".to_string(), pause.to_string()])},
    });
    if !env.is_empty() {
        container["env"] = json!(env);
    }
    if spec.gpu.is_some() {
        container["resources"] = json!({"limits": {"nvidia.com/gpu": 1}});
    }
    for (key, probe) in serving_probes(rest, spec.config.grpc_port, &models) {
        container[key] = probe;
    }
    let models_volume = match &cluster.settings.models {
        ModelVolume::HostPath(path) => {
            json!({"name": "models", "hostPath": {"path": path, "type": "Directory"}})
        }
        _ => {
            json!({"name": "models", "persistentVolumeClaim": {"claimName": claim_name(cluster), "readOnly": true}})
        }
    };
    let mut pod = json!({
        // The preStop pause, then a small margin: TF Serving ignores the
        // SIGTERM that follows it, so the kubelet waits out all of this.
        "terminationGracePeriodSeconds": pause + SIGTERM_MARGIN_SECONDS,
        "containers": [container],
        "volumes": [models_volume, {"name": "config", "configMap": {"name": config}}],
    });
    scheduling(&mut pod, cluster.settings);
    let mut comment = format!(
        "Serves the fleet's slots {}; weight {} in the balancer.",
        group.slots().join(", "),
        spec.weight
    );
    if let Some(per_gpu) = cluster.shared_gpu {
        comment.push_str(&format!("\nper_gpu = {per_gpu}: {per_gpu} pods share each GPU, but each asks for a whole nvidia.com/gpu;\nthe cluster needs GPU sharing (the NVIDIA device plugin's time-slicing or MPS) with {per_gpu} replicas per GPU."));
    }
    Manifest {
        kind: "Deployment",
        name: group.name.clone(),
        comment: Some(comment),
        object: json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": cluster.metadata(&group.name, Component::Serving),
            "spec": {
                "replicas": group.replicas.len(),
                "selector": {"matchLabels": pod_labels(cluster, group)},
                // A GPU is never shared between an old pod and its replacement.
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": cluster.desired.rollout.max_unavailable}},
                "template": {
                    "metadata": {"labels": pod_labels(cluster, group), "annotations": {CONFIG_HASH_ANNOTATION: config_hash}},
                    "spec": pod,
                },
            },
        }),
    }
}

/// The Service nginx resolves to the group's ready pods, one address each.
fn headless_service(cluster: &Cluster, group: &SpecGroup) -> Manifest {
    let spec = group.spec();
    let mut ports = Vec::new();
    if cluster.desired.balancer.settings.rest_port != 0 {
        ports.push(json!({"name": "rest", "port": spec.config.rest_port, "targetPort": "rest"}));
    }
    ports.push(json!({"name": "grpc", "port": spec.config.grpc_port, "targetPort": "grpc"}));
    Manifest {
        kind: "Service",
        name: group.name.clone(),
        comment: None,
        object: json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": cluster.metadata(&group.name, Component::Serving),
            "spec": {"clusterIP": "None", "selector": pod_labels(cluster, group), "ports": ports},
        }),
    }
}
