//! Which servable a request's ModelSpec names, answered like TF Serving:
//! INVALID_ARGUMENT without a spec or with an unknown label, NOT_FOUND when
//! no AVAILABLE version matches.

use crate::app::App;
use crate::models::{NotFound, Want};
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
    let (name, want) = requested(spec)?;
    let version = app.registry.resolve(name, want).map_err(status)?;
    Ok(Servable {
        name: name.to_string(),
        version,
    })
}

/// The model name and the version asked for, before lookup.
pub fn requested(spec: Option<&ModelSpec>) -> Result<(&str, Want<'_>), Status> {
    let spec = spec.ok_or_else(|| Status::invalid_argument("Missing ModelSpec"))?;
    let want = match &spec.version_choice {
        None => Want::Latest,
        Some(VersionChoice::Version(version)) => Want::Specific(*version),
        Some(VersionChoice::VersionLabel(label)) => Want::Label(label),
    };
    Ok((&spec.name, want))
}

/// A registry lookup failure as a gRPC status (400: INVALID_ARGUMENT).
pub fn status((http, message): NotFound) -> Status {
    match http {
        400 => Status::invalid_argument(message),
        _ => Status::not_found(message),
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
