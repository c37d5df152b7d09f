//! Checks of extra tensorflow_model_server flags: the ones tfs sets itself
//! from other keys may not be set again through `args`, where they would
//! silently disagree with what readiness and the balancer use.

use toml::Spanned;

use super::checker::Checker;
use super::quoted::quoted;
use super::server_flags::{parse_flag, turns_rest_off, REST_API_PORT};

/// Where a list of args is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgsPlace {
    Serving,
    Override,
}

/// Flags tfs derives from other keys, and the key to use instead.
const OWNED: [(&str, &str); 7] = [
    ("port", "set `grpc_port` in [serving]"),
    ("model_name", "declare models in [[models]]"),
    ("model_base_path", "declare models in [[models]]"),
    (
        "model_config_file",
        "declare models in [[models]]; tfs writes the model config file",
    ),
    (
        "monitoring_config_file",
        "use `monitoring` in [serving]; tfs writes the monitoring config",
    ),
    (
        "enable_batching",
        "add a [batching] table: tfs turns batching on for it",
    ),
    (
        "batching_parameters_file",
        "set batching parameters in [batching]; tfs writes the batching parameters file",
    ),
];

/// The args as strings, each flag checked; bad ones are reported and dropped.
pub fn check_args(
    args: &[Spanned<String>],
    place: ArgsPlace,
    checker: &mut Checker,
) -> Vec<String> {
    let mut checked = Vec::new();
    for arg in args {
        let text = arg.get_ref();
        // A newline or NUL would split or cut the command line Docker runs.
        if text.contains(char::is_control) {
            checker.error(
                arg.span(),
                format!("argument {} contains a control character", quoted(text)),
                "each entry of `args` is one flag on one line, e.g. \"--file_system_poll_wait_seconds=5\"",
            );
            continue;
        }
        let name = parse_flag(text).map(|flag| flag.name);
        if let Some((_, hint)) = OWNED.iter().find(|(flag, _)| Some(*flag) == name) {
            checker.error(
                arg.span(),
                format!("`{text}` is set by tfs"),
                hint.to_string(),
            );
            continue;
        }
        let rest_off_in_serving = turns_rest_off(text) && place == ArgsPlace::Serving;
        if name == Some(REST_API_PORT) && !rest_off_in_serving {
            let hint = match place {
                ArgsPlace::Override => "REST is on or off for the whole fleet: put `--rest_api_port=0` in [serving].args",
                ArgsPlace::Serving => "set `rest_port` in [serving]; only `--rest_api_port=0` (REST off) belongs in args",
            };
            checker.error(arg.span(), format!("`{text}` is set by tfs"), hint);
            continue;
        }
        checked.push(text.clone());
    }
    checked
}

/// With REST off, only a gRPC listener can reach the replicas.
pub fn check_rest_off_has_grpc(args: &[Spanned<String>], grpc: bool, checker: &mut Checker) {
    let off = args.iter().find(|arg| turns_rest_off(arg.get_ref()));
    if let (Some(arg), false) = (off, grpc) {
        checker.error(
            arg.span(),
            "REST is off but the balancer has no gRPC endpoint: the fleet would serve nothing",
            "set `grpc = \"127.0.0.1:8500\"` in [balancer], or remove `--rest_api_port=0`",
        );
    }
}
