//! A blocking TF Serving gRPC client for tests, over `tfs_proto::client`:
//! Predict on half_plus_two, GetModelStatus, the stub's replica/GPU metadata.
#![allow(dead_code)]

use std::net::SocketAddr;

use tfs_proto::serving::model_service_client::ModelServiceClient;
use tfs_proto::serving::{GetModelStatusRequest, GetModelStatusResponse, ModelSpec};
use tonic::transport::Channel;

pub use tfs_proto::client::{channel, predict, predict_request, Answer, Encoding, Status};

/// A blocking client of one gRPC endpoint, for tests that are not async.
pub struct GrpcClient {
    runtime: tokio::runtime::Runtime,
    channel: Channel,
}

impl GrpcClient {
    /// Connects to 127.0.0.1:`port` (panics when nothing answers).
    pub fn connect(port: u16) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let channel = runtime
            .block_on(channel(address))
            .unwrap_or_else(|e| panic!("no gRPC at {address}: {e:?}"));
        Self { runtime, channel }
    }

    /// Predicts half_plus_two on `values` with `model`.
    pub fn predict(
        &self,
        model: &str,
        values: &[f32],
        encoding: Encoding,
    ) -> Result<Answer, Status> {
        let request = predict_request(model, values, encoding);
        self.runtime
            .block_on(predict(self.channel.clone(), request))
    }

    /// Predicts half_plus_two on `values` with the version `label` names.
    pub fn predict_label(
        &self,
        model: &str,
        label: &str,
        values: &[f32],
    ) -> Result<Answer, Status> {
        let mut request = predict_request(model, values, Encoding::FloatVal);
        if let Some(spec) = request.model_spec.as_mut() {
            spec.version_choice = Some(
                tfs_proto::serving::model_spec::VersionChoice::VersionLabel(label.to_string()),
            );
        }
        self.runtime
            .block_on(predict(self.channel.clone(), request))
    }

    /// GetModelStatus of every version of `model`.
    pub fn model_status(&self, model: &str) -> Result<GetModelStatusResponse, Status> {
        let request = GetModelStatusRequest {
            model_spec: Some(ModelSpec {
                name: model.to_string(),
                ..ModelSpec::default()
            }),
        };
        let mut client = ModelServiceClient::new(self.channel.clone());
        let response = self.runtime.block_on(client.get_model_status(request))?;
        Ok(response.into_inner())
    }
}
