//! Checks of `[[models]].labels`, TF Serving's `version_labels`: a name
//! clients use instead of a version number, each naming a served version.
//!
//! TF Serving itself takes any label its REST path
//! `/v1/models/NAME/labels/LABEL` can carry (anything but `/` and `:`).
//! tfs is narrower, `[A-Za-z][A-Za-z0-9_-]*` and at most 64 characters, so
//! that a label needs no escaping in a URL, a shell or a log line, and can
//! never be read as a version number (`labels/123` beside `versions/123`).

use std::collections::BTreeMap;

use toml::Spanned;

use super::checker::Checker;
use super::quoted::quoted;
use super::version_directories::{ModelDirectory, Served};

/// The longest label tfs accepts.
const LONGEST_LABEL: usize = 64;

/// The labels of one model, label → version; `listed` is the model's
/// checked `versions`, empty when it has none (any version on disk then).
pub fn check_labels(
    labels: &BTreeMap<Spanned<String>, Spanned<i64>>,
    listed: &[u64],
    directory: &ModelDirectory,
    checker: &mut Checker,
) -> Option<BTreeMap<String, u64>> {
    let mut checked = BTreeMap::new();
    let mut valid = true;
    for (label, version) in labels {
        let name_valid = check_label_name(label, checker);
        let version = check_label_version(label.get_ref(), version, listed, directory, checker);
        match (name_valid, version) {
            (true, Some(version)) => {
                checked.insert(label.get_ref().clone(), version);
            }
            _ => valid = false,
        }
    }
    valid.then_some(checked)
}

/// Whether a label's name is one tfs accepts; reported at the key when not.
fn check_label_name(label: &Spanned<String>, checker: &mut Checker) -> bool {
    let name = label.get_ref();
    let starts_with_letter = name.starts_with(|c: char| c.is_ascii_alphabetic());
    let rest_valid = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if starts_with_letter && rest_valid && name.len() <= LONGEST_LABEL {
        return true;
    }
    let mut hint = format!(
        "a label is 1 to {LONGEST_LABEL} characters of A-Z, a-z, 0-9, '_' and '-', starting with a letter, e.g. `stable`"
    );
    if name.chars().count() > LONGEST_LABEL {
        hint.push_str(&format!("; this one has {}", name.chars().count()));
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        hint.push_str("; a label of digits would read as a version number");
    }
    checker.error(
        label.span(),
        format!("invalid version label {}", quoted(name)),
        hint,
    );
    false
}

/// The version a label names, when the model serves it; reported at the value when not.
fn check_label_version(
    label: &str,
    version: &Spanned<i64>,
    listed: &[u64],
    directory: &ModelDirectory,
    checker: &mut Checker,
) -> Option<u64> {
    let number = *version.get_ref();
    if listed.is_empty() {
        // Without `versions`, a label may name any version on disk.
        let found = u64::try_from(number)
            .ok()
            .filter(|found| directory.versions.contains_key(found));
        let Some(found) = found else {
            checker.host_error(
                version.span(),
                format!(
                    "label {} names version {number} of model \"{}\", which is not in \"{}\"",
                    quoted(label),
                    directory.model,
                    directory.written
                ),
                format!(
                    "a label names one of the version directories found there: {}",
                    directory.listed()
                ),
            );
            return None;
        };
        return directory
            .check_saved_model(found, version.span(), Served::Listed, checker)
            .then_some(found);
    }
    let served = u64::try_from(number)
        .ok()
        .filter(|served| listed.contains(served));
    if served.is_none() {
        let names: Vec<String> = listed.iter().map(u64::to_string).collect();
        checker.error(
            version.span(),
            format!(
                "label {} names version {number}, which model \"{}\" does not serve",
                quoted(label),
                directory.model
            ),
            format!(
                "a label names one of the model's `versions`: {}",
                names.join(", ")
            ),
        );
    }
    served
}
