//! Checks of `[[override]].versions = { MODEL = [v, ...] }`: the versions of
//! a model one slot serves instead of the fleet's.
//!
//! Labels stay fleet-wide (`[[models]].labels`): a slot that does not serve
//! a label's version simply does not carry that label, which is no error,
//! since a canary slot serving only the new version is the point.

use std::collections::BTreeMap;

use toml::Spanned;

use super::checker::Checker;
use super::fleet_file::ModelSection;
use super::quoted::quoted;
use super::suggest::closest;
use super::version_directories::ModelDirectory;

/// An override's versions, model name → versions, each model one of
/// `[[models]]` and each version on disk with a SavedModel.
pub fn check_override_versions(
    versions: &BTreeMap<Spanned<String>, Spanned<Vec<Spanned<i64>>>>,
    models: &[ModelSection],
    checker: &mut Checker,
) -> Option<BTreeMap<String, Vec<u64>>> {
    let mut checked = BTreeMap::new();
    let mut valid = true;
    for (name, list) in versions {
        let Some(model) = models
            .iter()
            .find(|model| model.name.get_ref() == name.get_ref())
        else {
            report_unknown_model(name, models, checker);
            valid = false;
            continue;
        };
        let written = model.path.get_ref();
        let path = checker.source.directory().join(written);
        let directory = ModelDirectory::read(name.get_ref(), written, &path);
        // A path without versions is reported at `[[models]]` already.
        if directory.versions.is_empty() {
            valid = false;
            continue;
        }
        let hint = "list the versions this slot serves, or remove the entry to serve the fleet's";
        match directory.check_list(list, hint, checker) {
            Some(served) => {
                checked.insert(name.get_ref().clone(), served);
            }
            None => valid = false,
        }
    }
    valid.then_some(checked)
}

fn report_unknown_model(name: &Spanned<String>, models: &[ModelSection], checker: &mut Checker) {
    let names: Vec<&str> = models
        .iter()
        .map(|model| model.name.get_ref().as_str())
        .collect();
    let quoted_names: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    let known = format!("the fleet's models are {}", quoted_names.join(", "));
    let hint = match closest(name.get_ref(), names.iter().copied()) {
        Some(near) => format!("did you mean \"{near}\"? {known}"),
        None => known,
    };
    checker.error(
        name.span(),
        format!(
            "[[override]] `versions` names model {}, which is not in [[models]]",
            quoted(name.get_ref())
        ),
        hint,
    );
}
