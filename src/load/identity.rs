//! The fleet's name alone: what `status`, `logs`, `destroy` and
//! `force-unlock` need, since they act on the live fleet by its labels.
//! They must work when what only desire needs (a model directory) is gone.

use std::path::Path;

use serde::Deserialize;

use super::checker::Checker;
use super::diagnostic::Diagnostics;
use super::fleet_file::FleetSection;
use super::source::Source;
use super::validate::check_name;
use super::{parse_error, LoadError};

/// Only `[fleet]`; every other table is someone else's business here.
#[derive(Deserialize)]
struct Identity {
    fleet: FleetSection,
}

/// Reads the fleet file and checks just its `[fleet].name`.
pub fn fleet_name(path: &Path) -> Result<String, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|cause| LoadError::Read {
        path: path.display().to_string(),
        cause,
    })?;
    let source = Source::new(path, text);
    let identity: Identity = toml::from_str(&source.text).map_err(|error| {
        LoadError::Invalid(Diagnostics(vec![parse_error::diagnostic_from_toml(
            &source, &error,
        )]))
    })?;
    let mut checker = Checker::new(&source);
    check_name(&identity.fleet.name, &mut checker)
        .ok_or(LoadError::Invalid(Diagnostics(checker.diagnostics)))
}
