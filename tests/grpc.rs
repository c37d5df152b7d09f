//! gRPC end to end through the balancer: TF Serving's PredictionService and
//! ModelService over nginx's HTTP/2 listener, on every GPU of a four-GPU
//! fleet; errors keep their gRPC status; a fleet with REST turned off is
//! waited for over gRPC and serves gRPC only.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/grpc.rs"]
mod grpc;

use std::collections::BTreeSet;

use fleet::{docker_lines, TestFleet};
use grpc::{Encoding, GrpcClient};
use tfs_proto::serving::model_version_status::State;
use tonic::Code;

fn nginx_conf(fleet: &TestFleet) -> String {
    let balancer = format!("{}-balancer", fleet.name);
    docker_lines(&["exec", &balancer, "cat", "/etc/nginx/nginx.conf"]).join("\n")
}

#[test]
fn four_gpus_answer_grpc_through_the_balancer() {
    let fleet = TestFleet::with_grpc("grpc");
    let port = fleet.grpc_port.unwrap();
    fleet.write(&fleet.toml().gpus(&[0, 1, 2, 3]));
    fleet
        .apply()
        .stdout_contains(&format!("gRPC  127.0.0.1:{port}"))
        .run();
    let client = GrpcClient::connect(port);

    let answer = client
        .predict("half_plus_two", &[1.0, 2.0, 5.0], Encoding::FloatVal)
        .unwrap();
    assert_eq!(answer.values, [2.5, 3.0, 4.5]);
    assert_eq!(answer.version, Some(123));
    assert!(
        answer.replica.starts_with(&format!("{}-gpu", fleet.name)),
        "{answer:?}"
    );
    let answer = client
        .predict("half_plus_two", &[1.0, 2.0, 5.0], Encoding::TensorContent)
        .unwrap();
    assert_eq!(answer.values, [2.5, 3.0, 4.5]);

    let mut gpus = BTreeSet::new();
    let mut replicas = BTreeSet::new();
    for _ in 0..40 {
        let answer = client
            .predict("half_plus_two", &[1.0, 2.0, 5.0], Encoding::FloatVal)
            .unwrap();
        assert_eq!(answer.values, [2.5, 3.0, 4.5]);
        gpus.insert(answer.gpu);
        replicas.insert(answer.replica);
    }
    assert_eq!(gpus, BTreeSet::from(["0", "1", "2", "3"].map(String::from)));
    assert_eq!(replicas.len(), 4, "{replicas:?}");

    // A replica's NOT_FOUND comes through nginx as NOT_FOUND, metadata and all.
    let missing = client
        .predict("no_such_model", &[1.0], Encoding::FloatVal)
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound, "{missing:?}");
    assert_eq!(
        missing.message(),
        "Servable not found for request: Latest(no_such_model)"
    );
    assert!(
        missing.metadata().get("x-stub-gpu").is_some(),
        "{missing:?}"
    );

    let status = client.model_status("half_plus_two").unwrap();
    let version = &status.model_version_status[0];
    assert_eq!((version.version, version.state()), (123, State::Available));

    // REST still serves beside gRPC.
    let (code, body, _, _) = fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#);
    assert_eq!((code, body.as_str()), (200, r#"{"predictions":[2.5]}"#));
}

#[test]
fn no_replica_serving_is_unavailable_not_an_html_page() {
    let fleet = TestFleet::with_grpc("grpc-down");
    fleet.write(&fleet.toml().gpus(&[0]));
    fleet.apply().run();
    let replica = format!("{}-gpu0", fleet.name);
    docker_lines(&["stop", "-t", "1", &replica]);
    let error = GrpcClient::connect(fleet.grpc_port.unwrap())
        .predict("half_plus_two", &[1.0], Encoding::FloatVal)
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error:?}");
    assert_eq!(error.message(), "no replica of the fleet answered");
}

#[test]
fn rest_disabled_fleet_is_waited_for_over_grpc_and_serves_grpc() {
    let fleet = TestFleet::with_grpc("grpc-only");
    let port = fleet.grpc_port.unwrap();
    // A slow load: readiness must really wait for AVAILABLE over gRPC.
    fleet.write(
        &fleet
            .toml()
            .serving_args(&["--rest_api_port=0", "--stub_load_delay_ms=1500"])
            .gpus(&[0, 1]),
    );
    fleet
        .apply()
        .stderr_contains("is AVAILABLE (half_plus_two v123)")
        .run();

    let client = GrpcClient::connect(port);
    let gpus: BTreeSet<String> = (0..20)
        .map(|_| {
            let answer = client
                .predict("half_plus_two", &[4.0], Encoding::FloatVal)
                .unwrap();
            assert_eq!(answer.values, [4.0]);
            answer.gpu
        })
        .collect();
    assert_eq!(gpus, BTreeSet::from(["0", "1"].map(String::from)));

    // No REST upstream: the REST listener answers /healthz and a 404 that names gRPC.
    let conf = nginx_conf(&fleet);
    assert!(!conf.contains("tfs_rest"), "{conf}");
    assert!(!conf.contains(":8501"), "{conf}");
    let (code, body, _, _) = fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#);
    assert_eq!(code, 404, "{body}");
    assert!(body.contains("gRPC"), "{body}");
    let health = ureq::get(&format!("http://127.0.0.1:{}/healthz", fleet.rest_port))
        .call()
        .unwrap();
    assert_eq!(health.status(), 200);

    fleet.detailed_plan().run();
}
