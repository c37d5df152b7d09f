//! The fleet's name: what `status`, `logs`, `destroy` and `force-unlock`
//! need, since they act on the live fleet by its labels. An invalid file is
//! still refused, but a host that lacks what only desire needs (a model
//! directory removed) must not stop them.

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

/// The fleet file's `[fleet].name`, once the file passes every check but
/// those about the host.
pub fn fleet_name(path: &Path) -> Result<String, LoadError> {
    match super::load(path) {
        Ok(fleet) => Ok(fleet.name),
        Err(LoadError::Invalid(found)) if found.0.iter().all(|d| d.about_host) => name_only(path),
        Err(error) => Err(error),
    }
}

/// Reads the fleet file and checks just its `[fleet].name`.
fn name_only(path: &Path) -> Result<String, LoadError> {
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
