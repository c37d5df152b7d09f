//! The gRPC services end to end in one process: a real tonic server on a
//! loopback port, the generated clients, a model directory on disk.

use crate::app::App;
use crate::config::{ModelSpec as Config, Policy};
use crate::metrics::Metrics;
use crate::models::Registry;
use prost::Message;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tfs_proto::serving::model_service_client::ModelServiceClient;
use tfs_proto::serving::model_spec::VersionChoice;
use tfs_proto::serving::model_version_status::State;
use tfs_proto::serving::prediction_service_client::PredictionServiceClient;
use tfs_proto::serving::*;
use tfs_proto::tensorflow::tensor_shape_proto::Dim;
use tfs_proto::{DataType, TensorProto, TensorShapeProto};
use tonic::transport::Channel;
use tonic::Code;

/// A stub serving model "m" (versions 1 and 2, latest policy) over gRPC.
pub struct Stub {
    pub dir: PathBuf,
    pub channel: Channel,
    pub app: Arc<App>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn start(tag: &str, never_ready: bool) -> Stub {
    let dir = std::env::temp_dir().join(format!("tfs-stub-grpc-{tag}-{}", std::process::id()));
    for version in ["1", "2"] {
        std::fs::create_dir_all(dir.join(version)).unwrap();
        std::fs::write(dir.join(version).join("saved_model.pb"), b"").unwrap();
    }
    let spec = Config {
        name: "m".into(),
        base_path: dir.to_string_lossy().into_owned(),
        policy: Policy::Latest(1),
        ..Config::default()
    };
    let registry = Registry::new(vec![spec], 0, never_ready);
    registry.scan();
    let app = Arc::new(App {
        registry,
        metrics: Metrics::default(),
        metrics_path: None,
        replica: "replica-a".into(),
        gpu: "3".into(),
        limiter: None,
        latency: Duration::ZERO,
        fail_after: None,
        served: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(super::serve(listener, Arc::clone(&app)));
    let channel = Channel::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    // Loading happens on a spawned task: give it a moment.
    tokio::time::sleep(Duration::from_millis(50)).await;
    Stub { dir, channel, app }
}

pub fn spec(name: &str, version: Option<i64>, signature: &str) -> Option<ModelSpec> {
    Some(ModelSpec {
        name: name.into(),
        version_choice: version.map(VersionChoice::Version),
        signature_name: signature.into(),
    })
}

pub fn floats(dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto {
            dim: dims
                .iter()
                .map(|&size| Dim {
                    size,
                    name: String::new(),
                })
                .collect(),
            unknown_rank: false,
        }),
        float_val: values.to_vec(),
        ..TensorProto::default()
    }
}

pub fn request(spec: Option<ModelSpec>, input: &str, tensor: TensorProto) -> PredictRequest {
    PredictRequest {
        model_spec: spec,
        inputs: [(input.to_string(), tensor)].into(),
        output_filter: vec![],
    }
}

#[tokio::test]
async fn predict_half_plus_two_with_replica_metadata() {
    let stub = start("predict", false).await;
    let mut client = PredictionServiceClient::new(stub.channel.clone());
    let response = client
        .predict(request(
            spec("m", None, ""),
            "x",
            floats(&[3], &[1.0, 2.0, 5.0]),
        ))
        .await
        .unwrap();
    assert_eq!(
        response.metadata().get("x-stub-replica").unwrap(),
        "replica-a"
    );
    assert_eq!(response.metadata().get("x-stub-gpu").unwrap(), "3");
    let response = response.into_inner();
    assert_eq!(response.model_spec, spec("m", Some(2), "serving_default"));
    let y = &response.outputs["y"];
    assert_eq!(y.float_val, [2.5, 3.0, 4.5]);
    assert_eq!(y.tensor_shape.as_ref().unwrap().dim[0].size, 3);

    // tensor_content, an explicit version and signature, an output filter.
    let mut content = floats(&[2, 1], &[]);
    content.tensor_content = [4.0f32, -4.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut with_filter = request(spec("m", Some(2), "serving_default"), "x", content);
    with_filter.output_filter = vec!["y".into()];
    let response = client.predict(with_filter).await.unwrap().into_inner();
    assert_eq!(response.outputs["y"].float_val, [4.0, 0.0]);
    assert!(stub
        .app
        .metrics
        .render()
        .contains("model_name=\"m\",status=\"OK\"} 2"));
}

#[tokio::test]
async fn predict_errors_are_tf_serving_codes() {
    let stub = start("errors", false).await;
    let mut client = PredictionServiceClient::new(stub.channel.clone());
    let x = || floats(&[1], &[1.0]);
    let code = |result: Result<tonic::Response<PredictResponse>, tonic::Status>| {
        let status = result.unwrap_err();
        assert_eq!(status.metadata().get("x-stub-gpu").unwrap(), "3");
        (status.code(), status.message().to_string())
    };
    let (c, message) = code(
        client
            .predict(request(spec("nope", None, ""), "x", x()))
            .await,
    );
    assert_eq!(c, Code::NotFound);
    assert_eq!(message, "Servable not found for request: Latest(nope)");
    let (c, _) = code(
        client
            .predict(request(spec("m", Some(1), ""), "x", x()))
            .await,
    );
    assert_eq!(
        c,
        Code::NotFound,
        "version 1 is not served by the latest policy"
    );
    let (c, message) = code(
        client
            .predict(request(spec("m", None, "bad"), "x", x()))
            .await,
    );
    assert_eq!(
        (c, message.as_str()),
        (
            Code::FailedPrecondition,
            "Serving signature key \"bad\" not found."
        )
    );
    let (c, message) = code(client.predict(request(spec("m", None, ""), "z", x())).await);
    assert_eq!(c, Code::InvalidArgument);
    assert!(
        message.contains("Sent extra: {z}. Missing but required: {x}."),
        "{message}"
    );
    let (c, _) = code(client.predict(request(None, "x", x())).await);
    assert_eq!(c, Code::InvalidArgument);
    let mut double = x();
    double.dtype = DataType::DtDouble as i32;
    let (c, _) = code(
        client
            .predict(request(spec("m", None, ""), "x", double))
            .await,
    );
    assert_eq!(c, Code::InvalidArgument);
    let mut label = spec("m", None, "");
    label.as_mut().unwrap().version_choice = Some(VersionChoice::VersionLabel("stable".into()));
    let (c, _) = code(client.predict(request(label, "x", x())).await);
    assert_eq!(c, Code::NotFound);
}

#[tokio::test]
async fn model_status_reports_states() {
    let stub = start("status", false).await;
    let mut client = ModelServiceClient::new(stub.channel.clone());
    let status = client
        .get_model_status(GetModelStatusRequest {
            model_spec: spec("m", None, ""),
        })
        .await
        .unwrap()
        .into_inner();
    let version = &status.model_version_status[0];
    assert_eq!((version.version, version.state()), (2, State::Available));
    assert_eq!(version.status.as_ref().unwrap().error_code, 0);
    let missing = client
        .get_model_status(GetModelStatusRequest {
            model_spec: spec("nope", None, ""),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    assert_eq!(
        missing.message(),
        "Could not find any versions of model nope"
    );

    // A model still loading: LOADING in status, NOT_FOUND for predict.
    let loading = start("loading", true).await;
    let mut client = ModelServiceClient::new(loading.channel.clone());
    let status = client
        .get_model_status(GetModelStatusRequest {
            model_spec: spec("m", None, ""),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.model_version_status[0].state(), State::Loading);
    let mut predict = PredictionServiceClient::new(loading.channel.clone());
    let error = predict
        .predict(request(spec("m", None, ""), "x", floats(&[1], &[1.0])))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound);
}

#[tokio::test]
async fn model_metadata_packs_the_signature_def_map() {
    let stub = start("metadata", false).await;
    let mut client = PredictionServiceClient::new(stub.channel.clone());
    let ask = |fields: &[&str]| GetModelMetadataRequest {
        model_spec: spec("m", None, ""),
        metadata_field: fields.iter().map(|f| f.to_string()).collect(),
    };
    let response = client
        .get_model_metadata(ask(&["signature_def"]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.model_spec, spec("m", Some(2), ""));
    let any = &response.metadata["signature_def"];
    assert_eq!(
        any.type_url,
        "type.googleapis.com/tensorflow.serving.SignatureDefMap"
    );
    let map = SignatureDefMap::decode(any.value.as_slice()).unwrap();
    assert!(map.signature_def["serving_default"]
        .inputs
        .contains_key("x"));
    for bad in [&[][..], &["signature_def", "other"][..]] {
        let error = client.get_model_metadata(ask(bad)).await.unwrap_err();
        assert_eq!(error.code(), Code::InvalidArgument);
    }
}
