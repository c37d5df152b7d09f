//! Which servable a request's ModelSpec names, answered like TF Serving:
//! INVALID_ARGUMENT without a spec or with a label (the stub has none),
//! NOT_FOUND when no AVAILABLE version matches.

use crate::app::App;
use tfs_proto::serving::model_spec::VersionChoice;
use tfs_proto::serving::ModelSpec;
use tonic::Status;

/// The model name and version a request resolved to.
pub struct Servable {
    pub name: String,
    pub version: i64,
}

/// The AVAILABLE version `spec` names: its version, or the latest.
pub fn resolve(app: &App, spec: Option<&ModelSpec>) -> Result<Servable, Status> {
    let (name, version) = requested(spec)?;
    let version = app
        .registry
        .resolve(name, version)
        .map_err(|(_, message)| Status::not_found(message))?;
    Ok(Servable {
        name: name.to_string(),
        version,
    })
}

/// The model name and the version asked for (None: any), before lookup.
pub fn requested(spec: Option<&ModelSpec>) -> Result<(&str, Option<i64>), Status> {
    let spec = spec.ok_or_else(|| Status::invalid_argument("Missing ModelSpec"))?;
    match &spec.version_choice {
        None => Ok((&spec.name, None)),
        Some(VersionChoice::Version(version)) => Ok((&spec.name, Some(*version))),
        Some(VersionChoice::VersionLabel(label)) => Err(Status::invalid_argument(format!(
            "Unrecognized servable version label: {label}"
        ))),
    }
}

/// The spec a response carries: the model, its version, the signature used.
pub fn answered(servable: &Servable, signature: &str) -> ModelSpec {
    ModelSpec {
        name: servable.name.clone(),
        version_choice: Some(VersionChoice::Version(servable.version)),
        signature_name: signature.to_string(),
    }
}
