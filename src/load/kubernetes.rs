//! Checks of `[kubernetes]`: each value that reaches a manifest is one the
//! API server accepts, so an export never writes an object a cluster refuses.

use std::net::IpAddr;

use toml::Spanned;

use super::checker::Checker;
use super::fleet::{Kubernetes, ModelVolume, Toleration};
use super::fleet_file::FleetFile;
use super::kubernetes_names::{
    is_dns_label, is_dns_subdomain, is_label_key, is_label_value, is_storage_quantity,
};
use super::kubernetes_problems::export_problems;
use super::kubernetes_section::{KubernetesSection, TolerationOperator, TolerationSection};
use super::quoted::quoted;

const DNS_LABEL_HINT: &str =
    "a DNS-1123 label: 1 to 63 of a-z, 0-9 and '-', starting and ending with a letter or digit";

/// `[kubernetes]` with its defaults filled in, or None after reporting what is wrong.
pub fn check_kubernetes(file: &FleetFile, checker: &mut Checker) -> Option<Kubernetes> {
    let section = &file.kubernetes;
    let mut valid = true;
    let namespace = match &section.namespace {
        Some(value) => dns_name(value, "namespace", is_dns_label, DNS_LABEL_HINT, checker),
        None => Some("default".to_string()),
    };
    let cluster_domain = match &section.cluster_domain {
        Some(value) => dns_name(
            value,
            "cluster_domain",
            is_dns_subdomain,
            "a DNS name of dot-separated DNS-1123 labels, e.g. \"cluster.local\"",
            checker,
        ),
        None => Some("cluster.local".to_string()),
    };
    let resolver = match &section.resolver {
        Some(value) if value.get_ref().parse::<IpAddr>().is_ok() => Some(Some(value.get_ref().clone())),
        Some(value) => dns_name(
            value,
            "resolver",
            is_dns_subdomain,
            "an IP address or a DNS name of the cluster DNS, e.g. \"10.96.0.10\" or \"kube-dns.kube-system.svc.cluster.local\"",
            checker,
        )
        .map(Some),
        None => Some(None),
    };
    let models = check_models(section, checker);
    let mut node_selector = std::collections::BTreeMap::new();
    for (key, value) in &section.node_selector {
        if !is_label_key(key.get_ref()) {
            valid = false;
            checker.error(
                key.span(),
                format!("node selector key {} is not a Kubernetes label key", quoted(key.get_ref())),
                "a label key is an optional DNS-name prefix and '/', then 1 to 63 of letters, digits, '-', '_' and '.', e.g. \"nvidia.com/gpu.present\"",
            );
        } else if !is_label_value(value.get_ref()) {
            valid = false;
            checker.error(
                value.span(),
                format!("node selector value {} is not a Kubernetes label value", quoted(value.get_ref())),
                "a label value is empty or 1 to 63 of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
            );
        } else {
            node_selector.insert(key.get_ref().clone(), value.get_ref().clone());
        }
    }
    let mut tolerations = Vec::new();
    for toleration in &section.tolerations {
        match check_toleration(toleration, checker) {
            Some(checked) => tolerations.push(checked),
            None => valid = false,
        }
    }
    let balancer_replicas = section.balancer_replicas.as_ref().map_or(Some(2), |value| {
        checker.number(value, 1..=100, "balancer_replicas")
    });
    if !valid {
        return None;
    }
    Some(Kubernetes {
        namespace: namespace?,
        cluster_domain: cluster_domain?,
        resolver: resolver?,
        models: models?,
        node_selector,
        tolerations,
        balancer_replicas: balancer_replicas?,
        service_type: section.service_type,
        problems: export_problems(file, checker),
    })
}

fn dns_name(
    value: &Spanned<String>,
    key: &str,
    rule: fn(&str) -> bool,
    hint: &str,
    checker: &mut Checker,
) -> Option<String> {
    if rule(value.get_ref()) {
        return Some(value.get_ref().clone());
    }
    checker.error(
        value.span(),
        format!(
            "`{key}` {} is not a valid Kubernetes name",
            quoted(value.get_ref())
        ),
        format!("`{key}` must be {hint}"),
    );
    None
}

/// `claim`, `host_path` and `storage`: where the models come from.
fn check_models(section: &KubernetesSection, checker: &mut Checker) -> Option<ModelVolume> {
    let storage = section.storage.as_ref();
    let mut valid = true;
    if let Some(value) = storage.filter(|value| !is_storage_quantity(value.get_ref())) {
        checker.error(
            value.span(),
            format!("`storage` {} is not a size", quoted(value.get_ref())),
            "write a whole number with an optional suffix Ki, Mi, Gi, Ti (or k, M, G, T), e.g. \"10Gi\"",
        );
        valid = false;
    }
    let chosen = [("claim", &section.claim), ("host_path", &section.host_path)];
    let mut given = chosen
        .iter()
        .filter_map(|(key, value)| Some((*key, value.as_ref()?)));
    let first = given.next();
    if let Some((key, value)) = given.next() {
        checker.error(
            value.span(),
            format!("`{key}` and `claim` both say where the models are"),
            "give either `claim` (an existing PersistentVolumeClaim) or `host_path` (a directory on every node), not both",
        );
        return None;
    }
    if let (Some((key, _)), Some(size)) = (first, storage) {
        checker.error(
            size.span(),
            format!("`storage` with `{key}`"),
            format!("`storage` sizes the claim the export creates; with `{key}` the models are on a volume that already exists: remove `storage`"),
        );
        return None;
    }
    let volume = match first {
        None => Some(ModelVolume::NewClaim {
            storage: storage.map_or_else(|| "10Gi".to_string(), |value| value.get_ref().clone()),
        }),
        Some(("claim", value)) => dns_name(
            value,
            "claim",
            is_dns_subdomain,
            "a PersistentVolumeClaim's name: dot-separated DNS-1123 labels",
            checker,
        )
        .map(ModelVolume::Claim),
        Some((_, value)) => {
            let path = value.get_ref();
            if path.starts_with('/')
                && !path.contains(|c: char| c.is_control())
                && !path.split('/').any(|part| part == "..")
            {
                Some(ModelVolume::HostPath(path.clone()))
            } else {
                checker.error(
                    value.span(),
                    format!("`host_path` {} is not an absolute path", quoted(path)),
                    "write the directory on every node that holds one directory per model, e.g. \"/srv/models\"",
                );
                None
            }
        }
    };
    volume.filter(|_| valid)
}

fn check_toleration(
    item: &Spanned<TolerationSection>,
    checker: &mut Checker,
) -> Option<Toleration> {
    let toleration = item.get_ref();
    let key = toleration
        .key
        .as_ref()
        .map(|key| key.get_ref().clone())
        .unwrap_or_default();
    if let Some(written) = &toleration.key {
        // An empty key with Exists tolerates every taint.
        let every_taint = key.is_empty() && toleration.operator == TolerationOperator::Exists;
        if !every_taint && !is_label_key(&key) {
            checker.error(
                written.span(),
                format!("toleration key {} is not a Kubernetes taint key", quoted(&key)),
                "a taint key is an optional DNS-name prefix and '/', then 1 to 63 of letters, digits, '-', '_' and '.', e.g. \"nvidia.com/gpu\"",
            );
            return None;
        }
    }
    if key.is_empty() && toleration.operator == TolerationOperator::Equal {
        checker.error(
            item.span(),
            "a toleration without `key` must have `operator = \"Exists\"`",
            "name the taint with `key = \"...\"`, or tolerate every taint with `operator = \"Exists\"`",
        );
        return None;
    }
    let value = toleration
        .value
        .as_ref()
        .map(|value| value.get_ref().clone())
        .unwrap_or_default();
    if let Some(written) = &toleration.value {
        if toleration.operator == TolerationOperator::Exists {
            checker.error(
                written.span(),
                "a toleration with `operator = \"Exists\"` has no `value`",
                "remove `value`, or use `operator = \"Equal\"`",
            );
            return None;
        }
        if !is_label_value(&value) {
            checker.error(
                written.span(),
                format!("toleration value {} is not a Kubernetes taint value", quoted(&value)),
                "a taint value is empty or 1 to 63 of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
            );
            return None;
        }
    }
    Some(Toleration {
        key,
        operator: toleration.operator,
        value,
        effect: toleration.effect,
    })
}
