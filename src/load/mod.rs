//! load: read fleet.toml, check it, and produce a [`Fleet`].

mod allowed_values;
mod args;
mod balancer;
mod batching;
mod checker;
pub mod diagnostic;
mod environment;
mod excerpt;
pub mod fleet;
pub mod fleet_file;
mod gpu_reference;
pub mod gpu_selection;
mod identity;
mod image_reference;
mod kubernetes;
pub mod kubernetes_names;
mod kubernetes_problems;
mod kubernetes_section;
mod labels;
mod model_text;
mod models;
mod override_slots;
mod override_versions;
mod overrides;
mod parse_error;
mod placement;
mod quoted;
mod recovery;
mod rollout;
mod secrets;
mod server_flags;
pub mod source;
mod suggest;
mod syntax_error;
mod table_headers;
mod type_error;
mod validate;
mod version_directories;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use fleet::*;
pub use gpu_selection::GpuReference;
pub use identity::fleet_name;
pub use override_slots::{outside_placement, KnownSlots, SelectableSlot};
pub use rollout::parse_duration;
pub use server_flags::{flag_value, rest_api_enabled};
pub use source::Source;
pub use version_directories::version_directories;

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

/// Validates fleet text; every problem found is reported together, in file order.
pub fn parse(mut source: Source) -> Result<Fleet, LoadError> {
    source.secrets = secrets::environment_values(&source.text);
    let (file, mut diagnostics) = recovery::deserialize(&source);
    let fleet = file.and_then(|file| {
        let mut checker = checker::Checker::new(&source);
        let fleet = validate::validate(file, &mut checker);
        diagnostics.append(&mut checker.diagnostics);
        fleet
    });
    match fleet {
        Some(fleet) if diagnostics.is_empty() => Ok(fleet),
        _ => {
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
