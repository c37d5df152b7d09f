//! Telling a running replica what to serve: TF Serving's
//! `ModelService/HandleReloadConfigRequest`, which replaces the model
//! config of a live server. New versions load beside the old ones, which
//! serve until the new are AVAILABLE. The messages are written out by hand
//! with TF Serving's field numbers (tensorflow_serving/apis/
//! model_management.proto, config/model_server_config.proto,
//! sources/storage_path/file_system_storage_path_source.proto,
//! util/status.proto), like [`super::grpc_status`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Result};
use tonic::codegen::http::uri::PathAndQuery;
use tonic_prost::ProstCodec;

use super::grpc_client::{ready_client, StatusProto};
use crate::desire::ServedModel;

const RELOAD_CONFIG: &str = "/tensorflow.serving.ModelService/HandleReloadConfigRequest";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// TF Serving answers once models new to the config have loaded: allow for big ones.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Clone, PartialEq, prost::Message)]
struct ReloadConfigRequest {
    #[prost(message, optional, tag = "1")]
    config: Option<ModelServerConfig>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ModelServerConfig {
    #[prost(message, optional, tag = "1")]
    model_config_list: Option<ModelConfigList>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ModelConfigList {
    #[prost(message, repeated, tag = "1")]
    config: Vec<ModelConfig>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ModelConfig {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "2")]
    base_path: String,
    #[prost(string, tag = "4")]
    model_platform: String,
    #[prost(message, optional, tag = "7")]
    model_version_policy: Option<ServableVersionPolicy>,
    #[prost(map = "string, int64", tag = "8")]
    version_labels: HashMap<String, i64>,
}

/// Only `specific` is written: without a policy TF Serving serves the newest.
#[derive(Clone, PartialEq, prost::Message)]
struct ServableVersionPolicy {
    #[prost(message, optional, tag = "102")]
    specific: Option<Specific>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Specific {
    #[prost(int64, repeated, tag = "1")]
    versions: Vec<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ReloadConfigResponse {
    #[prost(message, optional, tag = "1")]
    status: Option<StatusProto>,
}

fn request(models: &[ServedModel], labels: bool) -> ReloadConfigRequest {
    let config = models
        .iter()
        .map(|model| ModelConfig {
            name: model.name.clone(),
            base_path: model.base_path.clone(),
            model_platform: "tensorflow".to_string(),
            model_version_policy: (!model.versions.is_empty()).then(|| ServableVersionPolicy {
                specific: Some(Specific {
                    versions: model.versions.iter().map(|v| *v as i64).collect(),
                }),
            }),
            version_labels: if labels {
                model
                    .labels
                    .iter()
                    .map(|(label, version)| (label.clone(), *version as i64))
                    .collect()
            } else {
                HashMap::new()
            },
        })
        .collect();
    ReloadConfigRequest {
        config: Some(ModelServerConfig {
            model_config_list: Some(ModelConfigList { config }),
        }),
    }
}

/// Asks the TF Serving at `address` (its gRPC port) to serve `models`; with
/// `labels` false, without their version labels. An error carries TF
/// Serving's own message when it refused.
pub async fn reload_config(
    address: SocketAddr,
    models: &[ServedModel],
    labels: bool,
) -> Result<()> {
    let mut client = ready_client(address, CONNECT_TIMEOUT, ANSWER_TIMEOUT).await?;
    let response: tonic::Response<ReloadConfigResponse> = client
        .unary(
            tonic::Request::new(request(models, labels)),
            PathAndQuery::from_static(RELOAD_CONFIG),
            ProstCodec::default(),
        )
        .await
        .map_err(|status| {
            anyhow::anyhow!(
                "TF Serving refused the model config: gRPC {:?}: {}",
                status.code(),
                status.message()
            )
        })?;
    match response.into_inner().status {
        Some(status) if status.error_code != 0 => bail!(
            "TF Serving refused the model config (error code {}): {}",
            status.error_code,
            status.error_message
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn wire_format_matches_tf_serving() {
        let models = [ServedModel {
            name: "m".into(),
            base_path: "/p".into(),
            versions: vec![2],
            labels: [("s".to_string(), 2)].into(),
        }];
        let bytes = request(&models, true).encode_to_vec();
        // config(1) { model_config_list(1) { config(1) { name(1) "m",
        // base_path(2) "/p", model_platform(4) "tensorflow",
        // model_version_policy(7) { specific(102) { versions(1) [2] } },
        // version_labels(8) { key(1) "s" value(2) 2 } } } }
        let model: Vec<u8> = [
            &[0x0a, 0x01, b'm'][..],
            &[0x12, 0x02, b'/', b'p'],
            &[0x22, 0x0a],
            b"tensorflow",
            &[0x3a, 0x06, 0xb2, 0x06, 0x03, 0x0a, 0x01, 0x02],
            &[0x42, 0x05, 0x0a, 0x01, b's', 0x10, 0x02],
        ]
        .concat();
        let mut list = vec![0x0a, model.len() as u8];
        list.extend(&model);
        let mut config = vec![0x0a, list.len() as u8];
        config.extend(&list);
        let mut expected = vec![0x0a, config.len() as u8];
        expected.extend(&config);
        assert_eq!(bytes, expected);
        let refused = ReloadConfigResponse {
            status: Some(StatusProto {
                error_code: 5,
                error_message: "no".into(),
            }),
        };
        let decoded = ReloadConfigResponse::decode(&refused.encode_to_vec()[..]).unwrap();
        assert_eq!(decoded, refused);
    }
}
