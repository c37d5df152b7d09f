//! HandleReloadConfigRequest and version labels over gRPC, with the
//! tfs-proto client helpers tfs uses.

use super::tests::{floats, request, spec, start};
use tfs_proto::client::{reload_config, reload_request, ReloadModel};
use tfs_proto::serving::model_spec::VersionChoice;
use tfs_proto::serving::prediction_service_client::PredictionServiceClient;
use tonic::Code;

#[tokio::test]
async fn reload_then_label_then_predict_by_label() {
    let stub = start("reload", false).await;
    let base = stub.dir.to_string_lossy().into_owned();
    let model = |versions: &[i64], labels: &[(&str, i64)]| ReloadModel {
        name: "m".into(),
        base_path: base.clone(),
        versions: versions.to_vec(),
        labels: labels.iter().map(|(l, v)| (l.to_string(), *v)).collect(),
    };
    // A label on version 1, not loaded yet: TF Serving's refusal.
    let refused = reload_config(
        stub.channel.clone(),
        reload_request(&[model(&[1, 2], &[("stable", 1)])]),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused
        .message()
        .contains("which is not currently available for inference"));

    let ok = reload_config(stub.channel.clone(), reload_request(&[model(&[1, 2], &[])]))
        .await
        .unwrap();
    assert_eq!(ok.status.unwrap().error_code, 0);
    reload_config(
        stub.channel.clone(),
        reload_request(&[model(&[1, 2], &[("stable", 1), ("canary", 2)])]),
    )
    .await
    .unwrap();

    let mut client = PredictionServiceClient::new(stub.channel.clone());
    let labelled = |label: &str| {
        let mut s = spec("m", None, "");
        s.as_mut().unwrap().version_choice = Some(VersionChoice::VersionLabel(label.into()));
        request(s, "x", floats(&[1], &[2.0]))
    };
    let answer = client
        .predict(labelled("stable"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.model_spec, spec("m", Some(1), "serving_default"));
    let answer = client
        .predict(labelled("canary"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.model_spec, spec("m", Some(2), "serving_default"));
    let unknown = client.predict(labelled("nope")).await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(
        unknown.message(),
        "Unrecognized servable version label: nope"
    );

    // A version that fails to load is the reload's answer.
    std::fs::create_dir_all(stub.dir.join("3")).unwrap();
    std::fs::write(stub.dir.join("3/saved_model.pb"), "not a model").unwrap();
    let failed = reload_config(stub.channel.clone(), reload_request(&[model(&[3], &[])]))
        .await
        .unwrap_err();
    assert_eq!(failed.code(), Code::Unknown);
    assert!(
        failed
            .message()
            .contains("{name: m version: 3} due to error: DATA_LOSS"),
        "{}",
        failed.message()
    );
    // Versions 1 and 2 unloaded only if 3 served: they still answer.
    let answer = client
        .predict(request(spec("m", Some(2), ""), "x", floats(&[1], &[2.0])))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.model_spec, spec("m", Some(2), "serving_default"));
}
