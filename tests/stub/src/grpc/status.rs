//! `tensorflow.serving.ModelService`: GetModelStatus answers each version's
//! manager state, as the REST status endpoint reports it;
//! HandleReloadConfigRequest is reload.rs.

use super::spec::{requested, status as lookup_error};
use super::tagged;
use crate::app::App;
use crate::models::{State, VersionStatus};
use std::sync::Arc;
use tfs_proto::serving::model_service_server::ModelService;
use tfs_proto::serving::model_version_status::State as ProtoState;
use tfs_proto::serving::{
    GetModelStatusRequest, GetModelStatusResponse, ModelVersionStatus, ReloadConfigRequest,
    ReloadConfigResponse, StatusProto,
};
use tfs_proto::tensorflow::error::Code;
use tonic::{Request, Response, Status};

/// The ModelService of one stub server.
pub struct Models(pub Arc<App>);

#[tonic::async_trait]
impl ModelService for Models {
    async fn get_model_status(
        &self,
        request: Request<GetModelStatusRequest>,
    ) -> Result<Response<GetModelStatusResponse>, Status> {
        tagged(&self.0, status(&self.0, &request.into_inner()))
    }

    async fn handle_reload_config_request(
        &self,
        request: Request<ReloadConfigRequest>,
    ) -> Result<Response<ReloadConfigResponse>, Status> {
        let result = super::reload::handle(&self.0, request.into_inner()).await;
        tagged(&self.0, result)
    }
}

fn status(app: &App, request: &GetModelStatusRequest) -> Result<GetModelStatusResponse, Status> {
    let (name, want) = requested(request.model_spec.as_ref())?;
    let versions = app.registry.status(name, want).map_err(lookup_error)?;
    Ok(GetModelStatusResponse {
        model_version_status: versions
            .into_iter()
            .map(|(version, status)| version_status(version, status))
            .collect(),
    })
}

fn version_status(version: i64, status: VersionStatus) -> ModelVersionStatus {
    let state = match status.state {
        State::Start => ProtoState::Start,
        State::Loading => ProtoState::Loading,
        State::Available => ProtoState::Available,
        State::Unloading => ProtoState::Unloading,
        State::End => ProtoState::End,
    };
    let (code, message) = match status.error {
        Some((code, message)) => (Code::from_str_name(code).unwrap_or(Code::Unknown), message),
        None => (Code::Ok, String::new()),
    };
    ModelVersionStatus {
        version,
        state: state as i32,
        status: Some(StatusProto {
            error_code: code as i32,
            error_message: message,
        }),
    }
}
