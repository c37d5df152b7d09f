//! load: read fleet.toml, check it, and produce a [`Fleet`].

mod checker;
pub mod diagnostic;
pub mod fleet;
pub mod fleet_file;
pub mod gpu_selection;
mod models;
mod parse_error;
pub mod source;
mod suggest;
mod validate;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use fleet::*;
pub use gpu_selection::GpuReference;
pub use source::Source;
pub use validate::parse_duration;

/// Why a fleet file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read fleet file {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// Reads and validates a fleet file.
pub fn load(path: &Path) -> Result<Fleet, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|cause| LoadError::Read {
        path: path.display().to_string(),
        cause,
    })?;
    parse(Source::new(path, text))
}

/// Validates fleet text; every problem found is reported together.
pub fn parse(source: Source) -> Result<Fleet, LoadError> {
    let file: fleet_file::FleetFile = toml::from_str(&source.text).map_err(|error| {
        LoadError::Invalid(Diagnostics(vec![parse_error::diagnostic_from_toml(
            &source, &error,
        )]))
    })?;
    let mut checker = checker::Checker::new(&source);
    match validate::validate(file, &mut checker) {
        Some(fleet) => Ok(fleet),
        None => Err(LoadError::Invalid(Diagnostics(checker.diagnostics))),
    }
}

/// The JSON schema of fleet.toml, as committed in schemas/fleet.schema.json.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(fleet_file::FleetFile);
    serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n"
}
