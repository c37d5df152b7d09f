//! Checks of `[[models]]`: names, and the version directories on the host.

use std::collections::BTreeMap;

use toml::Spanned;

use super::checker::Checker;
use super::fleet::Model;
use super::fleet_file::ModelSection;
use super::labels::check_labels;
use super::model_text::{check_model_name, check_model_path_text};
use super::quoted::quoted;
use super::version_directories::{ModelDirectory, Served};

/// Every `[[models]]`: unique names, and paths holding the versions they promise.
pub fn check_models(
    models: &Spanned<Vec<ModelSection>>,
    checker: &mut Checker,
) -> Option<Vec<Model>> {
    if models.get_ref().is_empty() {
        checker.error(
            models.span(),
            "no models: `models` is empty",
            "add at least one [[models]] table with `name` and `path`",
        );
        return None;
    }
    let mut names = BTreeMap::new();
    let mut checked = Vec::new();
    for model in models.get_ref() {
        let name = model.name.get_ref();
        if !check_model_name(&model.name, checker) {
            continue;
        }
        let line = checker.source.position(model.name.span().start).line;
        if let Some(first) = names.insert(name.clone(), line) {
            names.insert(name.clone(), first);
            checker.error(
                model.name.span(),
                format!("model \"{name}\" is declared twice"),
                format!("it is first declared on line {first}; model names must be unique within a fleet"),
            );
            continue;
        }
        if let Some(model) = check_model(model, checker) {
            checked.push(model);
        }
    }
    (checked.len() == models.get_ref().len()).then_some(checked)
}

fn check_model(model: &ModelSection, checker: &mut Checker) -> Option<Model> {
    if !check_model_path_text(&model.path, checker) {
        return None;
    }
    let written = model.path.get_ref();
    let joined = checker.source.directory().join(written);
    let Ok(host_path) = joined.canonicalize() else {
        checker.host_error(
            model.path.span(),
            format!("model path {} does not exist", quoted(written)),
            format!(
                "looked for {}; paths are relative to the fleet file",
                joined.display()
            ),
        );
        return None;
    };
    if !host_path.is_dir() {
        checker.host_error(
            model.path.span(),
            format!("model path {} is not a directory", quoted(written)),
            "point `path` at the directory that holds the numeric version directories",
        );
        return None;
    }
    if let Err(error) = std::fs::read_dir(&host_path) {
        // TF Serving would fail the same way in its container, later and less clearly.
        checker.host_error(
            model.path.span(),
            format!("model path {} cannot be read: {error}", quoted(written)),
            format!(
                "tfs and TF Serving read it: make it readable (chmod -R a+rX {})",
                host_path.display()
            ),
        );
        return None;
    }
    let directory = ModelDirectory::read(model.name.get_ref(), written, &host_path);
    if directory.versions.is_empty() {
        let example = format!("{}/1/saved_model.pb", written.trim_end_matches('/'));
        let hint = if host_path.join("saved_model.pb").is_file() {
            format!("saved_model.pb is directly in \"{written}\"; TF Serving wants it in a numbered version directory, e.g. {example}")
        } else {
            format!("TF Serving loads versions from numbered subdirectories, e.g. {example}")
        };
        checker.host_error(
            model.path.span(),
            format!(
                "model path {} holds no numeric version directory",
                quoted(written)
            ),
            hint,
        );
        return None;
    }
    let versions = match &model.versions {
        Some(listed) => directory.check_list(
            listed,
            "list versions to serve, or remove `versions` to serve the newest",
            checker,
        )?,
        None => {
            // TF Serving serves the newest directory, whatever it holds.
            let newest = *directory.versions.keys().next_back()?;
            if !directory.check_saved_model(newest, model.path.span(), Served::Newest, checker) {
                return None;
            }
            Vec::new()
        }
    };
    let labels = check_labels(&model.labels, &versions, &directory, checker)?;
    Some(Model {
        name: model.name.get_ref().clone(),
        host_path,
        versions,
        labels,
    })
}
