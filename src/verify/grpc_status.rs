//! TF Serving's model status over gRPC (`ModelService/GetModelStatus`), for
//! replicas whose REST API is turned off. The few messages are written out
//! by hand with TF Serving's field numbers (tensorflow_serving/apis/
//! get_model_status.proto): no protoc at build time for four messages.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Result;
use tonic::codegen::http::uri::PathAndQuery;
use tonic_prost::ProstCodec;

use super::grpc_client::{ready_client, StatusProto};
use super::model_state::{ModelState, VersionState};

const GET_MODEL_STATUS: &str = "/tensorflow.serving.ModelService/GetModelStatus";
const TIMEOUT: Duration = Duration::from_secs(2);

/// tensorflow.serving.ModelSpec; without a version every version is reported.
#[derive(Clone, PartialEq, prost::Message)]
struct ModelSpec {
    #[prost(string, tag = "1")]
    name: String,
}

/// tensorflow.serving.GetModelStatusRequest.
#[derive(Clone, PartialEq, prost::Message)]
struct GetModelStatusRequest {
    #[prost(message, optional, tag = "1")]
    model_spec: Option<ModelSpec>,
}

/// tensorflow.serving.GetModelStatusResponse.
#[derive(Clone, PartialEq, prost::Message)]
struct GetModelStatusResponse {
    #[prost(message, repeated, tag = "1")]
    model_version_status: Vec<ModelVersionStatus>,
}

/// tensorflow.serving.ModelVersionStatus; `state` is the State enum's number
/// and `status` (field 3) is not needed.
#[derive(Clone, PartialEq, prost::Message)]
struct ModelVersionStatus {
    #[prost(int64, tag = "1")]
    version: i64,
    #[prost(int32, tag = "2")]
    state: i32,
    #[prost(message, optional, tag = "3")]
    status: Option<StatusProto>,
}

/// The versions of `model` a replica reports over gRPC, with the states
/// named as the REST API names them; an error while it cannot answer.
pub async fn model_status(address: SocketAddr, model: &str) -> Result<Vec<VersionState>> {
    let mut client = ready_client(address, TIMEOUT, TIMEOUT).await?;
    let request = GetModelStatusRequest {
        model_spec: Some(ModelSpec {
            name: model.to_string(),
        }),
    };
    let response: tonic::Response<GetModelStatusResponse> = client
        .unary(
            tonic::Request::new(request),
            PathAndQuery::from_static(GET_MODEL_STATUS),
            ProstCodec::default(),
        )
        .await
        .map_err(|status| {
            anyhow::anyhow!(
                "model {model}: gRPC {:?}: {}",
                status.code(),
                status.message()
            )
        })?;
    Ok(response
        .into_inner()
        .model_version_status
        .into_iter()
        .map(|status| VersionState {
            version: status.version.to_string(),
            state: ModelState::from_number(status.state),
            error: status
                .status
                .filter(|body| body.error_code != 0)
                .map(|body| format!("error code {}: {}", body.error_code, body.error_message)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn wire_format_matches_tf_serving() {
        let request = GetModelStatusRequest {
            model_spec: Some(ModelSpec { name: "m".into() }),
        };
        // field 1 (model_spec, length-delimited) { field 1 (name) "m" }
        assert_eq!(request.encode_to_vec(), [0x0a, 0x03, 0x0a, 0x01, b'm']);
        // model_version_status { version: 123 state: AVAILABLE status { } }
        let bytes = [0x0a, 0x06, 0x08, 0x7b, 0x10, 0x1e, 0x1a, 0x00];
        let response = GetModelStatusResponse::decode(&bytes[..]).unwrap();
        let status = &response.model_version_status[0];
        assert_eq!(
            (status.version, ModelState::from_number(status.state)),
            (123, ModelState::Available)
        );
    }
}
