//! load: read fleet.toml, check it, and produce a [`Fleet`].

mod allowed_values;
mod args;
mod balancer;
mod checker;
pub mod diagnostic;
pub mod fleet;
pub mod fleet_file;
pub mod gpu_selection;
mod identity;
mod models;
mod override_slots;
mod overrides;
mod parse_error;
mod placement;
mod rollout;
mod server_flags;
pub mod source;
mod suggest;
mod syntax_error;
mod table_headers;
mod type_error;
mod validate;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use fleet::*;
pub use gpu_selection::GpuReference;
pub use identity::fleet_name;
pub use override_slots::{outside_placement, KnownSlots, SelectableSlot};
pub use rollout::parse_duration;
pub use server_flags::{flag_value, rest_api_enabled};
pub use source::Source;

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
        None => {
            let mut diagnostics = checker.diagnostics;
            diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
            Err(LoadError::Invalid(Diagnostics(diagnostics)))
        }
    }
}

/// The JSON schema of fleet.toml, as committed in schemas/fleet.schema.json.
///
/// TOML has no null, so a key without a default shows none rather than `null`.
pub fn schema_json() -> String {
    let drop_null_default = |schema: &mut schemars::Schema| {
        if schema.get("default") == Some(&serde_json::Value::Null) {
            schema.remove("default");
        }
    };
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(schemars::transform::RecursiveTransform(drop_null_default))
        .into_generator()
        .into_root_schema_for::<fleet_file::FleetFile>();
    serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n"
}
