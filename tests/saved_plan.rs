//! `tfs plan -o` and `tfs apply PLANFILE`, and the refusal of a stale plan.

#[path = "support/fleet.rs"]
mod fleet;

use fleet::{docker, TestFleet};

#[test]
fn saved_plan_applies_while_fresh() {
    let fleet = TestFleet::new("saved");
    fleet.write(&fleet.toml().cpu(2));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .stdout_contains("Apply complete! Resources: 4 added")
        .run();
    fleet.detailed_plan().run();
}

#[test]
fn saved_plan_is_refused_when_the_fleet_changed() {
    let fleet = TestFleet::new("stale");
    fleet.write(&fleet.toml().cpu(2));
    fleet.apply().run();
    fleet.write(&fleet.toml().cpu(3));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    assert!(
        docker(&["stop", "-t", "1", &format!("{}-cpu0", fleet.name)])
            .status
            .success()
    );
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .status(1)
        .stderr_contains("saved plan is stale: the fleet changed since it was planned")
        .run();
    assert_eq!(
        fleet.containers().len(),
        3,
        "nothing was created: {:?}",
        fleet.containers()
    );
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let fleet = TestFleet::new("approve");
    fleet.write(&fleet.toml().cpu(2));
    fleet
        .test()
        .args(&["apply"])
        .status(1)
        .stderr_contains("--auto-approve")
        .run();
    assert!(fleet.containers().is_empty());
}

/// A container that is not the fleet's; removed when the test ends.
struct Stranger(String);

impl Stranger {
    #[track_caller]
    fn run(name: &str) -> Self {
        let started = docker(&["run", "-d", "--name", name, fleet::STUB_IMAGE]);
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
        Self(name.to_string())
    }

    fn id(&self) -> String {
        let shown = docker(&["inspect", "-f", "{{.Id}} {{.State.Status}}", &self.0]);
        String::from_utf8_lossy(&shown.stdout).trim().to_string()
    }
}

impl Drop for Stranger {
    fn drop(&mut self) {
        docker(&["rm", "-f", &self.0]);
    }
}

/// The saved plan as JSON, to edit.
fn read_plan(fleet: &TestFleet) -> serde_json::Value {
    let text = std::fs::read_to_string(fleet.path("fleet.plan")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn write_plan(fleet: &TestFleet, plan: &serde_json::Value) {
    let text = serde_json::to_string_pretty(plan).unwrap();
    std::fs::write(fleet.path("fleet.plan"), text).unwrap();
}

/// Signs an edited plan the way tfs does: sha256 over the rest, compact.
fn sign(plan: &mut serde_json::Value) {
    use sha2::Digest;
    plan.as_object_mut().unwrap().remove("digest");
    let sum = hex::encode(sha2::Sha256::digest(plan.to_string().as_bytes()));
    plan["digest"] = serde_json::Value::String(format!("sha256:{sum}"));
}

#[test]
fn a_saved_plan_is_private_and_holds_no_env_value() {
    use std::os::unix::fs::PermissionsExt;
    let fleet = TestFleet::new("secret");
    let secret = "s3cret-$HOME-\"value\"";
    fleet.write(&fleet.toml().cpu(1).serving_env("API_TOKEN", secret));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    let file = fleet.path("fleet.plan");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("API_TOKEN"), "{text}");
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .stdout_contains("Apply complete! Resources: 3 added")
        .run();
    // What runs has the real value, never the digest from the file.
    let env = docker(&[
        "inspect",
        "-f",
        "{{json .Config.Env}}",
        &format!("{}-cpu0", fleet.name),
    ]);
    let env = String::from_utf8_lossy(&env.stdout);
    assert!(
        env.contains(&serde_json::to_string(&format!("API_TOKEN={secret}")).unwrap()),
        "{env}"
    );

    // A changed value is named in plan, plan --json and the saved plan, never shown.
    fleet.write(&fleet.toml().cpu(1).serving_env("API_TOKEN", "s3cret-new"));
    fleet
        .detailed_plan()
        .args(&["-o", "fleet.plan"])
        .status(2)
        .stdout_contains("env changed: API_TOKEN (value changed)")
        .stdout_lacks("s3cret")
        .stderr_lacks("s3cret")
        .run();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    fleet
        .test()
        .args(&["plan", "--json"])
        .stdout_contains("env changed: API_TOKEN (value changed)")
        .stdout_lacks("s3cret")
        .run();
}

#[test]
fn an_edited_plan_is_refused_and_touches_nothing() {
    let fleet = TestFleet::new("edited");
    fleet.write(&fleet.toml().cpu(1));
    fleet.apply().run();
    let victim = Stranger::run(&format!("victim-{}", fleet.name));
    let before = victim.id();
    fleet.write(&fleet.toml().cpu(2));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    let mut plan = read_plan(&fleet);
    let removal = serde_json::json!({
        "op": "remove_replica", "removal": "unplaced", "target": victim.0,
        "wave": null, "reason": "edited by hand"
    });
    plan["plan"]["operations"]
        .as_array_mut()
        .unwrap()
        .insert(0, removal);

    // Edited without the digest: refused before anything is read from Docker.
    write_plan(&fleet, &plan);
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .status(1)
        .stderr_contains("fleet.plan was modified after `tfs plan` wrote it")
        .stderr_contains("hint: run `tfs plan -o fleet.plan` again")
        .run();
    // Edited and signed again: refused, since it is not what tfs plans now.
    sign(&mut plan);
    write_plan(&fleet, &plan);
    fleet
        .test()
        .args(&["apply", "fleet.plan"])
        .status(1)
        .stderr_contains("differs from the plan tfs makes now")
        .run();
    assert_eq!(victim.id(), before, "the stranger was touched");
    assert_eq!(fleet.containers().len(), 2, "{:?}", fleet.containers());
}

#[test]
fn a_plan_for_another_fleet_or_an_edited_fleet_file_is_refused() {
    let fleet = TestFleet::new("foreign");
    fleet.write(&fleet.toml().cpu(1));
    fleet.test().args(&["plan", "-o", "fleet.plan"]).run();
    let other = format!("{}-other", fleet.name);
    let toml = fleet.toml().cpu(1).to_string();
    std::fs::write(fleet.path("other.toml"), toml.replace(&fleet.name, &other)).unwrap();
    fleet
        .test()
        .args(&["apply", "-f", "other.toml", "fleet.plan"])
        .status(1)
        .stderr_contains(&format!(
            "saved plan was made for fleet \"{}\", -f names fleet \"{other}\"",
            fleet.name
        ))
        .run();
    // The plan's own fleet file, from anywhere: it is recorded absolute.
    fleet.write(&fleet.toml().cpu(2));
    let elsewhere = tempfile::tempdir().unwrap();
    let plan = fleet.path("fleet.plan");
    fleet::Test::in_directory(elsewhere.path())
        .args(&["apply", plan.to_str().unwrap()])
        .status(1)
        .stderr_contains("fleet.toml changed since the plan was made")
        .run();
    assert!(fleet.containers().is_empty(), "{:?}", fleet.containers());
    assert!(fleet.networks().is_empty());
}

#[test]
fn a_fleet_file_given_as_the_plan_gets_a_hint() {
    let fleet = TestFleet::new("hint");
    fleet.write(&fleet.toml().cpu(1));
    fleet
        .test()
        .args(&["apply", "fleet.toml"])
        .status(1)
        .stderr_contains("fleet.toml is a fleet file, not a saved plan")
        .stderr_contains("hint: run `tfs apply -f fleet.toml`")
        .run();
    assert!(fleet.containers().is_empty());
}
