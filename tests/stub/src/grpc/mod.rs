//! TF Serving's gRPC API on `--port`: PredictionService (Predict,
//! GetModelMetadata) and ModelService (GetModelStatus,
//! HandleReloadConfigRequest). Every answer, an
//! error included, names the replica and its GPU in its metadata, as the
//! REST answers do in their headers.

mod predict;
mod reload;
#[cfg(test)]
mod reload_tests;
mod signatures;
mod spec;
mod status;
mod tensor;
#[cfg(test)]
mod tests;

use crate::app::App;
use std::sync::Arc;
use tfs_proto::serving::model_service_server::ModelServiceServer;
use tfs_proto::serving::prediction_service_server::PredictionServiceServer;
use tokio::net::TcpListener;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tonic::{Code, Response, Status};

/// Serves both services on `listener` until the process ends.
pub async fn serve(listener: TcpListener, app: Arc<App>) -> Result<(), String> {
    Server::builder()
        .add_service(PredictionServiceServer::new(predict::Prediction(
            Arc::clone(&app),
        )))
        .add_service(ModelServiceServer::new(status::Models(app)))
        .serve_with_incoming(TcpIncoming::from(listener).with_nodelay(Some(true)))
        .await
        .map_err(|e| e.to_string())
}

/// `result` as a gRPC answer carrying `x-stub-replica` and `x-stub-gpu`.
fn tagged<T>(app: &App, result: Result<T, Status>) -> Result<Response<T>, Status> {
    match result {
        Ok(message) => {
            let mut response = Response::new(message);
            tag(app, response.metadata_mut());
            Ok(response)
        }
        Err(mut status) => {
            tag(app, status.metadata_mut());
            Err(status)
        }
    }
}

fn tag(app: &App, metadata: &mut MetadataMap) {
    for (key, value) in [("x-stub-replica", &app.replica), ("x-stub-gpu", &app.gpu)] {
        if let Ok(value) = MetadataValue::try_from(value.as_str()) {
            metadata.insert(key, value);
        }
    }
}

/// Counts a predict in the Prometheus counters under its status code's name.
fn count<T>(app: &App, model: &str, result: &Result<T, Status>) {
    let code = result.as_ref().err().map_or(Code::Ok, Status::code);
    let name = match code {
        Code::Ok => "OK",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::NotFound => "NOT_FOUND",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Unavailable => "UNAVAILABLE",
        _ => "UNKNOWN",
    };
    app.metrics.count(model, name);
}
