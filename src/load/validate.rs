//! Cross-field checks that turn a parsed fleet file into a [`Fleet`].

use toml::Spanned;

use super::args::{check_args, check_rest_off_has_grpc, ArgsPlace};
use super::balancer::check_balancer;
use super::batching::check_batching;
use super::checker::Checker;
use super::environment::check_env;
use super::fleet::{Fleet, Placement, Serving, DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE};
use super::fleet_file::{FleetFile, ServingSection};
use super::gpu_selection::GpuSelection;
use super::image_reference::check_image;
use super::kubernetes::check_kubernetes;
use super::models::check_models;
use super::overrides::check_overrides;
use super::placement::check_placement;
use super::quoted::quoted;
use super::rollout::check_rollout;

/// Every cross-field check; None when any diagnostic was reported.
pub fn validate(file: FleetFile, checker: &mut Checker) -> Option<Fleet> {
    let name = check_name(&file.fleet.name, checker);
    let placement = check_placement(&file.placement, checker);
    let serving = check_serving(&file.serving, placement.as_ref(), checker);
    let models = check_models(&file.models, checker);
    let cpu = matches!(
        file.placement.gpus.as_ref().map(Spanned::get_ref),
        Some(GpuSelection::None)
    );
    let overrides = check_overrides(
        &file.overrides,
        cpu,
        placement.as_ref(),
        file.models.get_ref(),
        checker,
    );
    let balancer = check_balancer(&file.balancer, checker);
    let rollout = check_rollout(&file.rollout, checker);
    let batching = file
        .batching
        .as_ref()
        .map(|section| check_batching(section, checker));
    let kubernetes = check_kubernetes(&file, checker);
    check_rest_off_has_grpc(&file.serving.args, file.balancer.grpc.is_some(), checker);
    if !checker.diagnostics.is_empty() {
        return None;
    }
    Some(Fleet {
        name: name?,
        source: checker.source.clone(),
        serving: serving?,
        models: models?,
        placement: placement?,
        overrides: overrides?,
        balancer: balancer?,
        rollout: rollout?,
        batching: match batching {
            Some(checked) => Some(checked?),
            None => None,
        },
        kubernetes: kubernetes?,
    })
}

pub(super) fn check_name(name: &Spanned<String>, checker: &mut Checker) -> Option<String> {
    let value = name.get_ref();
    // Docker names must start with a letter or digit.
    let starts_well = value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = (1..=40).contains(&value.len())
        && starts_well
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        let mut hint = "a fleet name is 1 to 40 characters of a-z, 0-9 and '-'".to_string();
        if value.chars().count() > 40 {
            hint.push_str(&format!("; this one has {}", value.chars().count()));
        }
        if value.starts_with('-') {
            hint.push_str(", starting with a letter or digit (Docker's rule for names)");
        }
        checker.error(
            name.span(),
            format!("invalid fleet name {}", quoted(value)),
            hint,
        );
        return None;
    }
    Some(value.clone())
}
fn check_serving(
    section: &ServingSection,
    placement: Option<&Placement>,
    checker: &mut Checker,
) -> Option<Serving> {
    let rest_port = section
        .rest_port
        .as_ref()
        .map_or(Some(8501), |p| checker.port(p, "rest_port"));
    let grpc_port = section
        .grpc_port
        .as_ref()
        .map_or(Some(8500), |p| checker.port(p, "grpc_port"));
    if let (Some(rest), Some(grpc)) = (rest_port, grpc_port) {
        if rest == grpc {
            let span = section
                .grpc_port
                .as_ref()
                .or(section.rest_port.as_ref())
                .map(Spanned::span)
                .unwrap_or(0..0);
            checker.error(
                span,
                format!("`rest_port` and `grpc_port` are both {rest}"),
                "TF Serving needs distinct REST and gRPC ports",
            );
        }
    }
    let image = match &section.image {
        Some(image) => check_image(image, "tensorflow/serving:2.18.0-gpu", checker),
        None => Some(match placement {
            Some(Placement::Cpu { .. }) => DEFAULT_CPU_IMAGE.to_string(),
            _ => DEFAULT_GPU_IMAGE.to_string(),
        }),
    };
    // Checked before any `?` below, so that their problems are reported too.
    let args = check_args(&section.args, ArgsPlace::Serving, checker);
    let env = check_env(&section.env, checker);
    Some(Serving {
        image: image?,
        pull: section.pull,
        rest_port: rest_port?,
        grpc_port: grpc_port?,
        args,
        env,
        monitoring: section.monitoring.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::load::{parse, Batching, Source};

    #[test]
    fn labels_override_versions_and_batching_reach_the_fleet() {
        let directory = tempfile::tempdir().unwrap();
        for version in ["1", "2", "00000003"] {
            let path = directory.path().join("models/classifier").join(version);
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(path.join("saved_model.pb"), b"").unwrap();
        }
        let text = r#"
[fleet]
name = "demo"

[[models]]
name = "classifier"
path = "models/classifier"
versions = [1, 2]
labels = { stable = 1, canary = 2, current = 1 }

[placement]
gpus = [0, 1]

[[override]]
gpu = 1
versions = { classifier = [3] }

[batching]
max_batch_size = 16
allowed_batch_sizes = [4, 16]
"#;
        let fleet = parse(Source::new(directory.path().join("fleet.toml"), text))
            .unwrap_or_else(|error| panic!("the fleet is valid: {error}"));
        let labels = BTreeMap::from([
            ("canary".to_string(), 2),
            ("current".to_string(), 1),
            ("stable".to_string(), 1),
        ]);
        assert_eq!(fleet.models[0].labels, labels);
        assert_eq!(
            fleet.overrides[0].versions,
            BTreeMap::from([("classifier".to_string(), vec![3])])
        );
        let batching = Batching {
            max_batch_size: Some(16),
            allowed_batch_sizes: vec![4, 16],
            ..Batching::default()
        };
        assert_eq!(fleet.batching, Some(batching));
    }

    #[test]
    fn an_empty_batching_table_turns_batching_on_with_defaults() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("models/m/1");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("saved_model.pbtxt"), b"").unwrap();
        let text = "[fleet]\nname = \"demo\"\n[[models]]\nname = \"m\"\npath = \"models/m\"\nlabels = { stable = 1 }\n[batching]\n";
        let fleet = parse(Source::new(directory.path().join("fleet.toml"), text))
            .unwrap_or_else(|error| panic!("the fleet is valid: {error}"));
        assert_eq!(fleet.batching, Some(Batching::default()));
        assert_eq!(fleet.models[0].labels["stable"], 1);
        let without = text.replace("[batching]\n", "");
        let fleet = parse(Source::new(directory.path().join("fleet.toml"), without)).unwrap();
        assert_eq!(fleet.batching, None);
    }
}
