//! Two models in one fleet: a generated model_config_list, both served.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::TestFleet;

#[test]
fn two_models_both_answer_predict() {
    let fleet = TestFleet::new("models");
    fleet.model("second", &[1, 2]);
    fleet.write(
        "[serving]\nimage = \"tfs-serving-stub:latest\"\npull = \"never\"\n\n[[models]]\nname = \"half_plus_two\"\npath = \"models/half_plus_two\"\n\n[[models]]\nname = \"second\"\npath = \"models/second\"\nversions = [1]\n\n[placement]\ngpus = [0, 1]\n",
    );
    let apply = fleet.apply().ok();
    assert!(
        apply.stdout.contains("half_plus_two:123 second:1"),
        "{}",
        apply.stdout
    );
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
