//! TF Serving's model status, as `GET /v1/models/{name}` reports it.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::http;
use super::model_state::{ModelState, VersionState};

#[derive(Deserialize)]
struct StatusDocument {
    model_version_status: Vec<VersionStatus>,
}

#[derive(Deserialize)]
struct VersionStatus {
    version: String,
    state: ModelState,
    #[serde(default)]
    status: Option<StatusBody>,
}

/// TF Serving's `status` of a version: `OK`, or why it failed.
#[derive(Deserialize)]
struct StatusBody {
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    error_message: String,
}

/// The versions of `model` a replica reports; an error while it cannot answer.
pub async fn model_status(address: SocketAddr, model: &str) -> Result<Vec<VersionState>> {
    let (status, body) = http::get(
        address,
        &format!("/v1/models/{model}"),
        Duration::from_secs(2),
    )
    .await?;
    if status != 200 {
        anyhow::bail!("model {model}: HTTP {status}: {}", body.trim());
    }
    let document: StatusDocument = serde_json::from_str(&body)
        .with_context(|| format!("model {model}: unexpected status document"))?;
    Ok(document
        .model_version_status
        .into_iter()
        .map(|status| VersionState {
            version: status.version,
            state: status.state,
            error: status
                .status
                .filter(|body| {
                    !body.error_message.is_empty() || !matches!(body.error_code.as_str(), "" | "OK")
                })
                .map(|body| format!("{}: {}", body.error_code, body.error_message)),
        })
        .collect())
}
