//! tensorflow_model_server's command line and model config file.

use crate::load::{Batching, Fleet, Model};

/// Where the generated model config is put inside each replica.
pub const MODEL_CONFIG_PATH: &str = "/etc/tfs/models.config";

/// Where the generated monitoring config is put inside each replica.
pub const MONITORING_CONFIG_PATH: &str = "/etc/tfs/monitoring.config";
/// Where replicas serve Prometheus metrics, on their REST port.
pub const METRICS_PATH: &str = "/monitoring/prometheus/metrics";

/// The monitoring config text proto.
pub fn monitoring_config() -> String {
    format!("prometheus_config {{\n  enable: true\n  path: \"{METRICS_PATH}\"\n}}\n")
}

/// Where a model's directory is mounted inside each replica.
pub fn model_mount_path(model: &Model) -> String {
    format!("/models/{}", model.name)
}

/// True when the command line cannot express the models: more than one, or
/// a version policy.
pub fn needs_model_config(models: &[Model]) -> bool {
    models.len() > 1 || models.iter().any(|model| !model.versions.is_empty())
}

/// The `model_config_list` text proto that serves these models.
pub fn model_config(models: &[Model]) -> String {
    let mut text = String::from("model_config_list {\n");
    for model in models {
        text.push_str("  config {\n");
        text.push_str(&format!("    name: '{}'\n", model.name));
        text.push_str(&format!("    base_path: '{}'\n", model_mount_path(model)));
        text.push_str("    model_platform: 'tensorflow'\n");
        if !model.versions.is_empty() {
            text.push_str("    model_version_policy {\n      specific {\n");
            for version in &model.versions {
                text.push_str(&format!("        versions: {version}\n"));
            }
            text.push_str("      }\n    }\n");
        }
        text.push_str("  }\n");
    }
    text.push_str("}\n");
    text
}

/// The BatchingParameters text proto of `[batching]`, for
/// `--batching_parameters_file`; a key left out keeps TF Serving's default.
pub fn batching_parameters(batching: &Batching) -> String {
    // The four numbers are google.protobuf.Int64Value wrappers in the proto.
    let numbers = [
        ("max_batch_size", batching.max_batch_size),
        ("batch_timeout_micros", batching.batch_timeout_micros),
        ("max_enqueued_batches", batching.max_enqueued_batches),
        ("num_batch_threads", batching.num_batch_threads),
    ];
    let mut text = String::new();
    for (name, value) in numbers {
        if let Some(value) = value {
            text.push_str(&format!("{name} {{ value: {value} }}\n"));
        }
    }
    for size in &batching.allowed_batch_sizes {
        text.push_str(&format!("allowed_batch_sizes: {size}\n"));
    }
    if let Some(pad) = batching.pad_variable_length_inputs {
        text.push_str(&format!("pad_variable_length_inputs: {pad}\n"));
    }
    text
}

/// Flags before the user's own `[serving].args`; the image's entrypoint
/// puts its defaults first, and a later flag wins.
pub fn base_args(fleet: &Fleet, memory_fraction: Option<f64>) -> Vec<String> {
    let serving = &fleet.serving;
    let mut args = vec![
        format!("--port={}", serving.grpc_port),
        format!("--rest_api_port={}", serving.rest_port),
    ];
    if needs_model_config(&fleet.models) {
        args.push(format!("--model_config_file={MODEL_CONFIG_PATH}"));
    } else {
        let model = &fleet.models[0];
        args.push(format!("--model_name={}", model.name));
        args.push(format!("--model_base_path={}", model_mount_path(model)));
    }
    if serving.monitoring {
        args.push(format!("--monitoring_config_file={MONITORING_CONFIG_PATH}"));
    }
    if let Some(fraction) = memory_fraction {
        args.push(format!("--per_process_gpu_memory_fraction={fraction}"));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batching_parameters_write_wrappers_lists_and_flags() {
        let batching = Batching {
            max_batch_size: Some(32),
            batch_timeout_micros: Some(0),
            max_enqueued_batches: None,
            num_batch_threads: Some(4),
            allowed_batch_sizes: vec![8, 16, 32],
            pad_variable_length_inputs: Some(true),
        };
        assert_eq!(
            batching_parameters(&batching),
            "max_batch_size { value: 32 }\n\
             batch_timeout_micros { value: 0 }\n\
             num_batch_threads { value: 4 }\n\
             allowed_batch_sizes: 8\n\
             allowed_batch_sizes: 16\n\
             allowed_batch_sizes: 32\n\
             pad_variable_length_inputs: true\n"
        );
    }

    #[test]
    fn empty_batching_keeps_every_default() {
        assert_eq!(batching_parameters(&Batching::default()), "");
        let unpadded = Batching {
            pad_variable_length_inputs: Some(false),
            ..Batching::default()
        };
        assert_eq!(
            batching_parameters(&unpadded),
            "pad_variable_length_inputs: false\n"
        );
    }
}
