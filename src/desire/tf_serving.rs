//! tensorflow_model_server's command line and model config file.

use super::served_models::MODEL_CONFIG_PATH;
use crate::load::{Batching, Fleet};

/// Where the generated batching parameters are put inside each replica.
pub const BATCHING_CONFIG_PATH: &str = "/etc/tfs/batching.config";

/// TF Serving's BatchingParameters text proto; unset keys keep its defaults.
pub fn batching_parameters(batching: &Batching) -> String {
    let mut text = String::new();
    let wrapped = [
        ("max_batch_size", batching.max_batch_size),
        ("batch_timeout_micros", batching.batch_timeout_micros),
        ("max_enqueued_batches", batching.max_enqueued_batches),
        ("num_batch_threads", batching.num_batch_threads),
    ];
    for (name, value) in wrapped {
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

/// Where the generated monitoring config is put inside each replica.
pub const MONITORING_CONFIG_PATH: &str = "/etc/tfs/monitoring.config";
/// Where replicas serve Prometheus metrics, on their REST port.
pub const METRICS_PATH: &str = "/monitoring/prometheus/metrics";

/// The monitoring config text proto.
pub fn monitoring_config() -> String {
    format!("prometheus_config {{\n  enable: true\n  path: \"{METRICS_PATH}\"\n}}\n")
}

/// Flags before the user's own `[serving].args`; the image's entrypoint
/// puts its defaults first, and a later flag wins.
pub fn base_args(fleet: &Fleet, memory_fraction: Option<f64>) -> Vec<String> {
    let serving = &fleet.serving;
    let mut args = vec![
        format!("--port={}", serving.grpc_port),
        format!("--rest_api_port={}", serving.rest_port),
    ];
    // Always a config file, even for one model: a reload replaces what it
    // serves in place, and a restart by Docker serves the same.
    args.push(format!("--model_config_file={MODEL_CONFIG_PATH}"));
    // Labels are in that file from the start, before their versions have
    // loaded; TF Serving refuses them then without this flag. Reloads set
    // labels only once their versions are AVAILABLE.
    args.push("--allow_version_labels_for_unavailable_models".to_string());
    if fleet.batching.is_some() {
        args.push("--enable_batching".to_string());
        args.push(format!("--batching_parameters_file={BATCHING_CONFIG_PATH}"));
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
