//! The fleet as Kubernetes objects (`tfs export kubernetes`): per distinct
//! replica spec a Deployment of serving pods with a headless Service, the
//! nginx balancer in front resolving those Services, their ConfigMaps,
//! disruption budgets and the models' volume.
//!
//! Every object is a `serde_json::Value` written by a YAML serializer, so
//! no value from fleet.toml can add keys or documents.

use anyhow::{bail, Result};
use serde_json::{json, Value};

use super::kubernetes_balancer::balancer_objects;
use super::kubernetes_groups::{groups, SpecGroup};
use super::kubernetes_serving::serving_objects;
use crate::desire::{Desired, NginxVersion};
use crate::load::{Diagnostics, Kubernetes};

/// What the export works from: the fleet as a host would run it, and what
/// a cluster needs besides.
pub struct Cluster<'a> {
    pub desired: &'a Desired,
    /// Per replica of `desired`, in order: whether an `[[override]]` changed
    /// its args, env, versions or weight.
    pub overridden: &'a [bool],
    pub settings: &'a Kubernetes,
    /// The namespace of every object: `--namespace`, else `[kubernetes]`'s.
    pub namespace: String,
    /// `per_gpu` in GPU mode, when above 1: pods share a GPU.
    pub shared_gpu: Option<u32>,
}

/// One Kubernetes object and the comment written above it.
pub struct Manifest {
    pub kind: &'static str,
    pub name: String,
    pub comment: Option<String>,
    pub object: Value,
}

/// Which `app.kubernetes.io/component` an object belongs to.
#[derive(Clone, Copy)]
pub enum Component {
    Serving,
    Balancer,
}

/// The labels that pick a fleet's pods of one component.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
pub const COMPONENT_LABEL: &str = "app.kubernetes.io/component";
/// The label that tells apart the pods of one Deployment.
pub const DEPLOYMENT_LABEL: &str = "tfs/deployment";
/// A pod template annotation: the hash of its ConfigMap's content, so that a
/// changed config rolls the pods (a ConfigMap change alone does not).
pub const CONFIG_HASH_ANNOTATION: &str = "tfs/config-hash";

impl Cluster<'_> {
    /// `app.kubernetes.io/*` labels of every object of `component`.
    pub fn labels(&self, component: Component) -> Value {
        let (name, component) = match component {
            Component::Serving => ("tensorflow-serving", "serving"),
            Component::Balancer => ("nginx", "balancer"),
        };
        json!({
            "app.kubernetes.io/name": name,
            INSTANCE_LABEL: self.desired.fleet,
            "app.kubernetes.io/managed-by": "tfs",
            COMPONENT_LABEL: component,
        })
    }

    /// An object's `metadata`: name, namespace and labels.
    pub fn metadata(&self, name: &str, component: Component) -> Value {
        json!({"name": name, "namespace": self.namespace, "labels": self.labels(component)})
    }

    /// The DNS name of a Service of this fleet, as the cluster DNS answers it.
    pub fn service_host(&self, service: &str) -> String {
        format!(
            "{service}.{}.svc.{}",
            self.namespace, self.settings.cluster_domain
        )
    }

    /// The replicas grouped into Deployments.
    pub fn groups(&self) -> Vec<SpecGroup<'_>> {
        groups(self.desired, self.overridden)
    }
}

/// Every object, in the order `kubectl apply` should create them.
pub fn render(cluster: &Cluster) -> Result<Vec<Manifest>> {
    if !cluster.settings.problems.is_empty() {
        bail!("{}", Diagnostics(cluster.settings.problems.clone()));
    }
    let version = cluster.desired.balancer.settings.nginx_version;
    if let Some(version) = version.filter(|version| !version.has_resolve()) {
        bail!(
            "the balancer image {} is nginx {version}, which cannot re-resolve upstream servers\nhint: on Kubernetes the balancer needs nginx {} or newer (`server NAME resolve`): set [balancer] image = \"nginx:1.30\"",
            cluster.desired.balancer.container.image,
            NginxVersion::RESOLVE
        );
    }
    let mut manifests = serving_objects(cluster)?;
    manifests.extend(balancer_objects(cluster));
    Ok(manifests)
}

/// One multi-document YAML stream, for `kubectl apply -f -`.
pub fn stream(fleet: &str, manifests: &[Manifest]) -> Result<String> {
    let mut text = header(fleet)?;
    for manifest in manifests {
        text.push_str("---\n");
        text.push_str(&document(manifest)?);
    }
    Ok(text)
}

/// One object's YAML with its comment.
pub fn document(manifest: &Manifest) -> Result<String> {
    let mut text = String::new();
    if let Some(comment) = &manifest.comment {
        for line in comment.lines() {
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(&serde_norway::to_string(&manifest.object)?);
    Ok(text)
}

/// The file an object is written to with `--out`.
pub fn file_name(manifest: &Manifest) -> String {
    format!("{}-{}.yaml", manifest.kind.to_lowercase(), manifest.name)
}

/// kustomization.yaml listing the objects' files.
pub fn kustomization(fleet: &str, manifests: &[Manifest]) -> Result<String> {
    let files: Vec<String> = manifests.iter().map(file_name).collect();
    let object = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": files,
    });
    Ok(header(fleet)? + &serde_norway::to_string(&object)?)
}

fn header(fleet: &str) -> Result<String> {
    // JSON-quoted, so that no fleet name can end the comment line.
    Ok(format!(
        "# Generated by `tfs export kubernetes` from fleet {}.\n",
        serde_json::to_string(fleet)?
    ))
}
