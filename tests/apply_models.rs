//! Two models in one fleet: a generated model_config_list, both served.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::TestFleet;

#[test]
fn two_models_both_answer_predict() {
    let fleet = TestFleet::new("models");
    fleet.model("second", &[1, 2]);
    fleet.write(&fleet.toml().model_versions("second", &[1]).gpus(&[0, 1]));
    fleet
        .apply()
        .stdout_contains("half_plus_two:123 second:1")
        .run();
    for model in ["half_plus_two", "second"] {
        let (status, body, _, _) = fleet.predict(model, r#"{"instances": [1.0, 2.0, 5.0]}"#);
        assert_eq!(status, 200, "{model}: {body}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({"predictions": [2.5, 3.0, 4.5]})
        );
    }
    let (status, _, _, _) = fleet.predict("missing", r#"{"instances": [1.0]}"#);
    assert_eq!(status, 404);
}
