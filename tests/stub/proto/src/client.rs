//! A TF Serving gRPC client for half_plus_two, shared by tfs's tests and its
//! benchmark: Predict on `x` (float_val or tensor_content) and the stub's
//! replica/GPU response metadata; HandleReloadConfigRequest.

use std::net::SocketAddr;
use std::time::Duration;

use crate::serving::file_system_storage_path_source_config::servable_version_policy::{
    PolicyChoice, Specific,
};
use crate::serving::file_system_storage_path_source_config::ServableVersionPolicy;
use crate::serving::model_service_client::ModelServiceClient;
use crate::serving::model_spec::VersionChoice;
use crate::serving::prediction_service_client::PredictionServiceClient;
use crate::serving::{
    model_server_config, ModelConfig, ModelConfigList, ModelServerConfig, ModelSpec,
    PredictRequest, ReloadConfigRequest, ReloadConfigResponse,
};
use crate::tensorflow::tensor_shape_proto::Dim;
use crate::{DataType, TensorProto, TensorShapeProto};
use tonic::transport::{Channel, Endpoint};
pub use tonic::Status;

/// How the input tensor's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    FloatVal,
    TensorContent,
}

/// A successful Predict: the `y` values and who answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub values: Vec<f32>,
    /// The version in the response's model_spec.
    pub version: Option<i64>,
    /// `x-stub-replica` metadata: the container's hostname.
    pub replica: String,
    /// `x-stub-gpu` metadata: the GPU the replica sees.
    pub gpu: String,
}

/// A Predict request for half_plus_two's default signature with `x` = values (shape [n]).
pub fn predict_request(model: &str, values: &[f32], encoding: Encoding) -> PredictRequest {
    let mut x = TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto {
            dim: vec![Dim {
                size: values.len() as i64,
                name: String::new(),
            }],
            unknown_rank: false,
        }),
        ..TensorProto::default()
    };
    match encoding {
        Encoding::FloatVal => x.float_val = values.to_vec(),
        Encoding::TensorContent => {
            x.tensor_content = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        }
    }
    PredictRequest {
        model_spec: Some(ModelSpec {
            name: model.to_string(),
            ..ModelSpec::default()
        }),
        inputs: [("x".to_string(), x)].into(),
        output_filter: Vec::new(),
    }
}

/// A channel to `address` (one HTTP/2 connection, reconnected when lost), as
/// real TF Serving clients hold one for their whole life.
pub async fn channel(address: SocketAddr) -> Result<Channel, tonic::transport::Error> {
    Endpoint::from_shared(format!("http://{address}"))
        .expect("a valid URI")
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .connect()
        .await
}

/// Sends one Predict on `channel`; the answer or the gRPC status.
pub async fn predict(channel: Channel, request: PredictRequest) -> Result<Answer, Status> {
    let response = PredictionServiceClient::new(channel)
        .predict(request)
        .await?;
    let text = |key: &str| {
        let value = response.metadata().get(key);
        value
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (replica, gpu) = (text("x-stub-replica"), text("x-stub-gpu"));
    let response = response.into_inner();
    let version = response
        .model_spec
        .and_then(|spec| match spec.version_choice {
            Some(VersionChoice::Version(version)) => Some(version),
            _ => None,
        });
    let values = response
        .outputs
        .get("y")
        .map(|y| y.float_val.clone())
        .unwrap_or_default();
    Ok(Answer {
        values,
        version,
        replica,
        gpu,
    })
}

/// One model of a [`reload_config`] request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReloadModel {
    pub name: String,
    pub base_path: String,
    /// Empty: TF Serving's default policy, the latest version.
    pub versions: Vec<i64>,
    /// `version_labels`: label -> version.
    pub labels: Vec<(String, i64)>,
}

/// The ReloadConfigRequest that replaces the server's model list with `models`
/// (platform "tensorflow"; `versions` as a `specific` policy when not empty).
pub fn reload_request(models: &[ReloadModel]) -> ReloadConfigRequest {
    let config = models
        .iter()
        .map(|m| ModelConfig {
            name: m.name.clone(),
            base_path: m.base_path.clone(),
            model_platform: "tensorflow".to_string(),
            model_version_policy: (!m.versions.is_empty()).then(|| ServableVersionPolicy {
                policy_choice: Some(PolicyChoice::Specific(Specific {
                    versions: m.versions.clone(),
                })),
            }),
            version_labels: m.labels.iter().cloned().collect(),
        })
        .collect();
    ReloadConfigRequest {
        config: Some(ModelServerConfig {
            config: Some(model_server_config::Config::ModelConfigList(
                ModelConfigList { config },
            )),
        }),
        metric_names: Vec::new(),
    }
}

/// Sends ModelService/HandleReloadConfigRequest on `channel`. TF Serving
/// answers a failed reload as a gRPC error (its code and message), so Ok
/// means the new config is in force and its new versions loaded.
pub async fn reload_config(
    channel: Channel,
    request: ReloadConfigRequest,
) -> Result<ReloadConfigResponse, Status> {
    let response = ModelServiceClient::new(channel)
        .handle_reload_config_request(request)
        .await?;
    Ok(response.into_inner())
}
