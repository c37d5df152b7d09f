//! `ModelService/HandleReloadConfigRequest`: the request's ModelConfigList
//! becomes the stub's model list (models.rs's reload). As TF Serving's
//! ModelServiceImpl, a failed reload is answered as a gRPC error with its
//! code and message; success as `status { error_code: OK }`.

use crate::app::App;
use crate::config::{ModelSpec, Policy};
use crate::log;
use tfs_proto::serving::file_system_storage_path_source_config::servable_version_policy::PolicyChoice;
use tfs_proto::serving::file_system_storage_path_source_config::ServableVersionPolicy;
use tfs_proto::serving::model_server_config::Config;
use tfs_proto::serving::{ModelConfig, ReloadConfigRequest, ReloadConfigResponse, StatusProto};
use tfs_proto::tensorflow::error::Code;
use tonic::Status;

pub async fn handle(
    app: &App,
    request: ReloadConfigRequest,
) -> Result<ReloadConfigResponse, Status> {
    let result = match request.config.and_then(|c| c.config) {
        Some(Config::ModelConfigList(list)) => match specs(&list.config) {
            Ok(specs) => app.registry.reload(specs).await,
            Err(e) => Err(e),
        },
        _ => Err((
            "INVALID_ARGUMENT",
            "ServerModelConfig type not supported by HandleReloadConfigRequest. Only \
             ModelConfigList is currently supported"
                .to_string(),
        )),
    };
    match result {
        Ok(()) => Ok(ReloadConfigResponse {
            status: Some(StatusProto {
                error_code: Code::Ok as i32,
                error_message: String::new(),
            }),
            metric: Vec::new(),
        }),
        Err((code, message)) => {
            log::error(&format!("ReloadConfig failed: {message}"));
            let code = Code::from_str_name(code).unwrap_or(Code::Unknown) as i32;
            Err(Status::new(tonic::Code::from(code), message))
        }
    }
}

/// The model list, validated as ServerCore's ValidateModelConfigList does.
fn specs(configs: &[ModelConfig]) -> Result<Vec<ModelSpec>, (&'static str, String)> {
    let mut specs: Vec<ModelSpec> = Vec::new();
    for c in configs {
        if specs.iter().any(|s| s.name == c.name) {
            return Err((
                "INVALID_ARGUMENT",
                format!(
                    "Illegal to list model {} multiple times in config list",
                    c.name
                ),
            ));
        }
        if !matches!(c.model_platform.as_str(), "" | "tensorflow") {
            return Err((
                "INVALID_ARGUMENT",
                format!(
                    "Invalid platform: {} for model {}",
                    c.model_platform, c.name
                ),
            ));
        }
        specs.push(ModelSpec {
            name: c.name.clone(),
            base_path: c.base_path.clone(),
            policy: policy(c.model_version_policy.as_ref()),
            labels: c
                .version_labels
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        });
    }
    Ok(specs)
}

fn policy(p: Option<&ServableVersionPolicy>) -> Policy {
    match p.and_then(|p| p.policy_choice.as_ref()) {
        None => Policy::Latest(1),
        Some(PolicyChoice::Latest(l)) => Policy::Latest(l.num_versions.max(1) as usize),
        Some(PolicyChoice::All(_)) => Policy::All,
        Some(PolicyChoice::Specific(s)) => Policy::Specific(s.versions.clone()),
    }
}
