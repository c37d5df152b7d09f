//! A model path's numbered version directories as TF Serving reads them,
//! and the checks that a version named in fleet.toml is one TF Serving can
//! load: shared by `[[models]].versions`, its labels and `[[override]].versions`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::checker::Checker;

/// What TF Serving loads a version from; either file will do.
const SAVED_MODEL_FILES: [&str; 2] = ["saved_model.pb", "saved_model.pbtxt"];

/// Why a version is served, which says what to do when it cannot be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// fleet.toml names it: in `versions`, or as a label's version.
    Listed,
    /// No `versions`: TF Serving serves the newest directory.
    Newest,
}

/// A model path as fleet.toml writes it, and what is on disk there.
pub struct ModelDirectory<'a> {
    pub model: &'a str,
    /// As written in `path`, for messages that point at files the user can find.
    pub written: &'a str,
    /// Version number → its directory; "00000123" is 123, as for TF Serving.
    pub versions: BTreeMap<u64, PathBuf>,
}

impl<'a> ModelDirectory<'a> {
    /// The version directories under `path`; none when it is not a directory.
    pub fn read(model: &'a str, written: &'a str, path: &Path) -> Self {
        Self {
            model,
            written,
            versions: version_directories(path),
        }
    }

    /// "1, 2, 3": the versions on disk, for hints.
    pub fn listed(&self) -> String {
        let numbers: Vec<String> = self.versions.keys().map(u64::to_string).collect();
        numbers.join(", ")
    }

    /// The version written at `value`, when its directory exists and holds a
    /// SavedModel; otherwise reported there (both are about the host).
    pub fn check_version(&self, value: &Spanned<i64>, checker: &mut Checker) -> Option<u64> {
        let number = *value.get_ref();
        let Some(version) = u64::try_from(number)
            .ok()
            .filter(|version| self.versions.contains_key(version))
        else {
            checker.host_error(
                value.span(),
                format!(
                    "version {number} of model \"{}\" is not in \"{}\"",
                    self.model, self.written
                ),
                format!("version directories found there: {}", self.listed()),
            );
            return None;
        };
        self.check_saved_model(version, value.span(), Served::Listed, checker)
            .then_some(version)
    }

    /// Whether version `version` holds a SavedModel; reported at `span` when not.
    pub fn check_saved_model(
        &self,
        version: u64,
        span: Range<usize>,
        served: Served,
        checker: &mut Checker,
    ) -> bool {
        let Some(directory) = self.versions.get(&version) else {
            return false;
        };
        if SAVED_MODEL_FILES
            .iter()
            .any(|file| directory.join(file).is_file())
        {
            return true;
        }
        let expected = format!(
            "{}/saved_model.pb (or saved_model.pbtxt)",
            self.directory_text(directory)
        );
        let (message, hint) = match served {
            Served::Listed => (
                format!("version {version} of model \"{}\" has no saved_model.pb", self.model),
                format!("TF Serving loads a version from {expected}, and would fail to load this one"),
            ),
            Served::Newest => (
                format!("the newest version of model \"{}\", {version}, has no saved_model.pb", self.model),
                format!("without `versions` TF Serving serves the newest version, from {expected}; export it there, or list the versions to serve in `versions`"),
            ),
        };
        checker.host_error(span, message, hint);
        false
    }

    /// The versions listed at `list`: each on disk with a SavedModel, listed
    /// once; None once one is not, after reporting it.
    pub fn check_list(
        &self,
        list: &Spanned<Vec<Spanned<i64>>>,
        empty_hint: &str,
        checker: &mut Checker,
    ) -> Option<Vec<u64>> {
        if list.get_ref().is_empty() {
            checker.error(list.span(), "`versions` is empty", empty_hint);
            return None;
        }
        let mut versions = Vec::new();
        for value in list.get_ref() {
            let number = *value.get_ref();
            if u64::try_from(number).is_ok_and(|number| versions.contains(&number)) {
                checker.error(
                    value.span(),
                    format!("version {number} is listed twice"),
                    "list each version once",
                );
                return None;
            }
            versions.push(self.check_version(value, checker)?);
        }
        Some(versions)
    }

    /// `models/x/00000123`: the directory as the user finds it, under the written path.
    fn directory_text(&self, directory: &Path) -> String {
        let name = directory
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{}/{name}", self.written.trim_end_matches('/'))
    }
}

/// Numeric subdirectory names, as TF Serving reads them ("00000123" is 123).
pub fn version_directories(path: &Path) -> BTreeMap<u64, PathBuf> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let numeric = !name.is_empty() && name.chars().all(|c| c.is_ascii_digit());
            let version = numeric.then(|| name.parse().ok()).flatten()?;
            Some((version, entry.path()))
        })
        .collect()
}
