//! What a replica serves: TF Serving's model config. It is not part of the
//! container (a change is a reload in place, not a restart), so it lives in
//! two files tfs writes into the container: the text proto TF Serving reads
//! at start (`--model_config_file`), and the same models as JSON, which is
//! what observe reads back as the replica's state.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::load::{Fleet, Override};

/// Where the generated model config is put inside each replica.
pub const MODEL_CONFIG_PATH: &str = "/etc/tfs/models.config";
/// The same models as JSON: what the replica was last told to serve.
pub const SERVED_MODELS_PATH: &str = "/etc/tfs/models.json";
/// Model directories' parents are mounted under here, at their host path.
pub const MODELS_ROOT: &str = "/models";

/// A model as a replica serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedModel {
    pub name: String,
    /// The model's directory inside the container.
    #[serde(default)]
    pub base_path: String,
    /// Empty: the newest version found.
    pub versions: Vec<u64>,
    /// TF Serving's version labels: label → version.
    #[serde(default)]
    pub labels: BTreeMap<String, u64>,
}

/// The models of one slot: the fleet's, with the versions its overrides set.
/// A fleet label naming a version this slot does not serve is left out here.
pub fn served_models(fleet: &Fleet, overrides: &[&Override]) -> Vec<ServedModel> {
    fleet
        .models
        .iter()
        .map(|model| {
            let versions = overrides
                .iter()
                .rev()
                .find_map(|item| item.versions.get(&model.name))
                .cloned()
                .unwrap_or_else(|| model.versions.clone());
            let labels = model
                .labels
                .iter()
                .filter(|(_, version)| versions.is_empty() || versions.contains(version))
                .map(|(label, version)| (label.clone(), *version))
                .collect();
            ServedModel {
                name: model.name.clone(),
                base_path: container_path(&model.host_path),
                versions,
                labels,
            }
        })
        .collect()
}

/// Where a host path is seen inside a replica.
pub fn container_path(host: &Path) -> String {
    format!("{MODELS_ROOT}{}", host.display())
}

/// The host directories to mount: each model directory's parent, so that a
/// model added beside the others needs no new mount (and can be loaded in
/// place), and a model directory removed and put back is seen afresh.
pub fn model_mount_sources(fleet: &Fleet) -> Vec<&Path> {
    let mut parents: Vec<&Path> = fleet
        .models
        .iter()
        .map(|model| model.host_path.parent().unwrap_or(&model.host_path))
        .collect();
    parents.sort();
    parents.dedup();
    parents
}

/// The `model_config_list` text proto that serves these models; with
/// `labels` false, without the version labels (TF Serving refuses a label
/// on a version that is not loaded yet, so a reload loads first).
pub fn model_config(models: &[ServedModel], labels: bool) -> String {
    let mut text = String::from("model_config_list {\n");
    for model in models {
        text.push_str("  config {\n");
        text.push_str(&format!("    name: {}\n", quoted(&model.name)));
        text.push_str(&format!("    base_path: {}\n", quoted(&model.base_path)));
        text.push_str("    model_platform: 'tensorflow'\n");
        if !model.versions.is_empty() {
            text.push_str("    model_version_policy {\n      specific {\n");
            for version in &model.versions {
                text.push_str(&format!("        versions: {version}\n"));
            }
            text.push_str("      }\n    }\n");
        }
        if labels {
            for (label, version) in &model.labels {
                text.push_str(&format!(
                    "    version_labels {{\n      key: {}\n      value: {version}\n    }}\n",
                    quoted(label)
                ));
            }
        }
        text.push_str("  }\n");
    }
    text.push_str("}\n");
    text
}

/// A text-proto string literal; load keeps quotes and backslashes out of
/// names and paths, this escapes them all the same.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The JSON form of the models, as observe reads it back.
pub fn served_models_json(models: &[ServedModel]) -> String {
    serde_json::to_string_pretty(models).expect("models serialize") + "\n"
}
