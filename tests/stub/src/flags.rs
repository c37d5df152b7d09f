//! Command-line flags, parsed the way tensorflow_model_server accepts them:
//! `--flag=value` or `--flag value`; booleans as `--flag` or `--flag=true|false`.
//! A later flag overrides an earlier one; an unknown flag is an error.

/// Everything the stub is told on its command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Flags {
    pub port: u16,
    pub rest_api_port: u16,
    pub model_name: String,
    pub model_base_path: String,
    pub model_config_file: String,
    pub per_process_gpu_memory_fraction: f64,
    pub enable_batching: bool,
    pub batching_parameters_file: String,
    pub monitoring_config_file: String,
    /// Seconds between scans of the base paths for new versions (< 0: never rescan).
    pub file_system_poll_wait_seconds: i64,
    pub stub_load_delay_ms: u64,
    pub stub_latency_ms: u64,
    /// Predict requests served at once; 0 = unlimited.
    pub stub_concurrency: usize,
    /// Exit with code 1 after this many predict requests.
    pub stub_fail_after: Option<u64>,
    pub stub_never_ready: bool,
    /// Labels may name versions not (yet) AVAILABLE, as in TF Serving.
    pub allow_version_labels_for_unavailable_models: bool,
    pub version: bool,
}

impl Default for Flags {
    fn default() -> Self {
        Flags {
            port: 8500,
            rest_api_port: 0,
            model_name: "default".into(),
            model_base_path: String::new(),
            model_config_file: String::new(),
            per_process_gpu_memory_fraction: 0.0,
            enable_batching: false,
            batching_parameters_file: String::new(),
            monitoring_config_file: String::new(),
            file_system_poll_wait_seconds: 1,
            stub_load_delay_ms: 0,
            stub_latency_ms: 0,
            stub_concurrency: 0,
            stub_fail_after: None,
            stub_never_ready: false,
            allow_version_labels_for_unavailable_models: false,
            version: false,
        }
    }
}

/// Real flags that are accepted and otherwise ignored (all take a value).
const IGNORED: &[&str] = &[
    "rest_api_timeout_in_ms",
    "model_config_file_poll_wait_seconds",
    "rest_api_num_threads",
    "tensorflow_intra_op_parallelism",
    "tensorflow_inter_op_parallelism",
    "tensorflow_session_parallelism",
    "grpc_channel_arguments",
    "grpc_max_threads",
    "saved_model_tags",
    "max_num_load_retries",
    "load_retry_interval_micros",
    "num_load_threads",
    "num_unload_threads",
    "platform_config_file",
    "ssl_config_file",
    "rest_api_cors_allowed_origins",
    "model_name_version_label",
];

/// Real boolean flags that are accepted and otherwise ignored.
const IGNORED_BOOLS: &[&str] = &[
    "enable_model_warmup",
    "xla_cpu_compilation_enabled",
    "flush_filesystem_caches",
    "enforce_session_run_timeout",
    "use_tflite_model",
    "skip_initialize_tpu",
];

const VALUED: &[&str] = &[
    "port",
    "rest_api_port",
    "model_name",
    "model_base_path",
    "model_config_file",
    "per_process_gpu_memory_fraction",
    "batching_parameters_file",
    "monitoring_config_file",
    "file_system_poll_wait_seconds",
    "stub_load_delay_ms",
    "stub_latency_ms",
    "stub_concurrency",
    "stub_fail_after",
];

const BOOLS: &[&str] = &[
    "enable_batching",
    "stub_never_ready",
    "allow_version_labels_for_unavailable_models",
    "version",
];

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            return Err(format!("unknown argument: {arg}"));
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (body.to_string(), None),
        };
        let is_bool = BOOLS.contains(&name.as_str()) || IGNORED_BOOLS.contains(&name.as_str());
        let known = is_bool || IGNORED.contains(&name.as_str()) || VALUED.contains(&name.as_str());
        if !known {
            return Err(format!("Unknown command line flag '{name}'"));
        }
        let value = match (inline, is_bool) {
            (Some(v), _) => v,
            (None, true) => "true".into(),
            (None, false) => args
                .next()
                .ok_or_else(|| format!("Missing value for flag '{name}'"))?,
        };
        if is_bool {
            let b = parse_bool(&name, &value)?;
            match name.as_str() {
                "enable_batching" => flags.enable_batching = b,
                "stub_never_ready" => flags.stub_never_ready = b,
                "allow_version_labels_for_unavailable_models" => {
                    flags.allow_version_labels_for_unavailable_models = b
                }
                "version" => flags.version = b,
                _ => {}
            }
        } else if !IGNORED.contains(&name.as_str()) {
            set(&mut flags, &name, &value)?;
        }
    }
    Ok(flags)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("Illegal value '{value}' for boolean flag '{name}'")),
    }
}

fn num<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("Illegal value '{value}' for flag '{name}'"))
}

/// Sets one valued flag; an error for an unknown name or a bad value.
fn set(f: &mut Flags, name: &str, v: &str) -> Result<(), String> {
    match name {
        "port" => f.port = num(name, v)?,
        "rest_api_port" => f.rest_api_port = num(name, v)?,
        "model_name" => f.model_name = v.into(),
        "model_base_path" => f.model_base_path = v.into(),
        "model_config_file" => f.model_config_file = v.into(),
        "per_process_gpu_memory_fraction" => f.per_process_gpu_memory_fraction = num(name, v)?,
        "batching_parameters_file" => f.batching_parameters_file = v.into(),
        "monitoring_config_file" => f.monitoring_config_file = v.into(),
        "file_system_poll_wait_seconds" => f.file_system_poll_wait_seconds = num(name, v)?,
        "stub_load_delay_ms" => f.stub_load_delay_ms = num(name, v)?,
        "stub_latency_ms" => f.stub_latency_ms = num(name, v)?,
        "stub_concurrency" => f.stub_concurrency = num(name, v)?,
        "stub_fail_after" => f.stub_fail_after = Some(num(name, v)?),
        _ => return Err(format!("Unknown command line flag '{name}'")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Flags, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_match_tf_serving() {
        let f = p(&[]).unwrap();
        assert_eq!(f.port, 8500);
        assert_eq!(f.rest_api_port, 0);
        assert_eq!(f.model_name, "default");
        assert!(!f.enable_batching);
    }

    #[test]
    fn equals_and_space_forms() {
        let f = p(&[
            "--port=1",
            "--rest_api_port",
            "2",
            "--model_name=m",
            "--model_base_path",
            "/x",
        ])
        .unwrap();
        assert_eq!((f.port, f.rest_api_port), (1, 2));
        assert_eq!(
            (f.model_name.as_str(), f.model_base_path.as_str()),
            ("m", "/x")
        );
    }

    #[test]
    fn later_overrides_earlier() {
        let f = p(&[
            "--model_name=a",
            "--model_name=b",
            "--rest_api_port=1",
            "--rest_api_port=9",
        ])
        .unwrap();
        assert_eq!(f.model_name, "b");
        assert_eq!(f.rest_api_port, 9);
    }

    #[test]
    fn booleans() {
        assert!(p(&["--enable_batching"]).unwrap().enable_batching);
        assert!(p(&["--enable_batching=true"]).unwrap().enable_batching);
        assert!(
            !p(&["--enable_batching", "--enable_batching=false"])
                .unwrap()
                .enable_batching
        );
        assert!(p(&["--enable_batching=maybe"]).is_err());
        assert!(p(&["--stub_never_ready"]).unwrap().stub_never_ready);
        assert!(p(&["--enable_model_warmup=false"]).is_ok());
        let f = p(&["--allow_version_labels_for_unavailable_models"]).unwrap();
        assert!(f.allow_version_labels_for_unavailable_models);
    }

    #[test]
    fn ignored_real_flags_are_accepted() {
        let f = p(&[
            "--rest_api_timeout_in_ms=5000",
            "--model_config_file_poll_wait_seconds",
            "60",
            "--file_system_poll_wait_seconds=0",
            "--enable_model_warmup",
            "--rest_api_num_threads=8",
            "--tensorflow_intra_op_parallelism=2",
            "--tensorflow_inter_op_parallelism=2",
            "--per_process_gpu_memory_fraction=0.4",
            "--enable_batching",
            "--batching_parameters_file=/b.txt",
            "--monitoring_config_file=/m.txt",
        ])
        .unwrap();
        assert_eq!(f.file_system_poll_wait_seconds, 0);
        assert_eq!(f.per_process_gpu_memory_fraction, 0.4);
        assert_eq!(f.monitoring_config_file, "/m.txt");
    }

    #[test]
    fn stub_flags() {
        let f = p(&[
            "--stub_load_delay_ms=10",
            "--stub_latency_ms",
            "20",
            "--stub_concurrency=3",
            "--stub_fail_after=4",
        ])
        .unwrap();
        assert_eq!((f.stub_load_delay_ms, f.stub_latency_ms), (10, 20));
        assert_eq!((f.stub_concurrency, f.stub_fail_after), (3, Some(4)));
    }

    #[test]
    fn errors() {
        assert!(p(&["--bogus=1"]).unwrap_err().contains("bogus"));
        assert!(p(&["--port=abc"]).unwrap_err().contains("abc"));
        assert!(p(&["--port"]).is_err());
        assert!(p(&["stray"]).is_err());
    }
}
