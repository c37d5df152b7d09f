//! Probes of the serving pods, with what the stock `tensorflow/serving`
//! image has: bash, no curl. A pod is ready only when every model it
//! serves reports every version AVAILABLE on TF Serving's REST status
//! endpoint, read through bash's `/dev/tcp`.

use serde_json::{json, Value};

/// Asks `GET /v1/models/NAME` on 127.0.0.1:PORT for each model (the
/// arguments after the port) and succeeds when each answers 200 with at
/// least one version, all `"state": "AVAILABLE"`. Names are arguments, not
/// part of the script, so that no model name is read as shell.
pub const READY_SCRIPT: &str = r#"port=$1; shift
for model in "$@"; do
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
  printf 'GET /v1/models/%s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$model" >&3
  response=$(cat <&3) || exit 1
  exec 3<&-
  case $response in "HTTP/1."?" 200 "*) ;; *) echo "$model: not found"; exit 1 ;; esac
  body=${response//[[:space:]]/}
  others=${body//\"state\":\"AVAILABLE\"/}
  if [[ $others == "$body" || $others == *'"state":"'* ]]; then
    echo "$model: not every version is AVAILABLE"; exit 1
  fi
done
"#;

/// Seconds between startup probes, and how many may fail: a model may take
/// half an hour to load (large SavedModels, warm-up) before the pod counts
/// as stuck and is restarted.
const STARTUP_PERIOD: u32 = 10;
const STARTUP_FAILURES: u32 = 180;

/// The command of the readiness and startup probes.
pub fn ready_command(rest_port: u16, models: &[&str]) -> Vec<String> {
    let mut command = vec![
        "bash".to_string(),
        "-c".to_string(),
        READY_SCRIPT.to_string(),
        "tfs-ready".to_string(),
        rest_port.to_string(),
    ];
    command.extend(models.iter().map(|model| model.to_string()));
    command
}

/// startupProbe, readinessProbe and livenessProbe of a serving container.
/// With REST off (`rest_port` None) only gRPC is there to probe: TF Serving
/// opens its ports once the models of its config file have loaded, so a
/// TCP connect is the readiness left.
pub fn serving_probes(
    rest_port: Option<u16>,
    grpc_port: u16,
    models: &[&str],
) -> [(&'static str, Value); 3] {
    let Some(rest) = rest_port else {
        let tcp = json!({"port": grpc_port});
        return [
            (
                "startupProbe",
                json!({"tcpSocket": tcp, "periodSeconds": STARTUP_PERIOD, "failureThreshold": STARTUP_FAILURES}),
            ),
            (
                "readinessProbe",
                json!({"tcpSocket": tcp, "periodSeconds": 5}),
            ),
            (
                "livenessProbe",
                json!({"tcpSocket": tcp, "periodSeconds": 10, "timeoutSeconds": 5}),
            ),
        ];
    };
    let exec = json!({"command": ready_command(rest, models)});
    [
        (
            "startupProbe",
            json!({"exec": exec, "periodSeconds": STARTUP_PERIOD, "timeoutSeconds": 5, "failureThreshold": STARTUP_FAILURES}),
        ),
        (
            "readinessProbe",
            json!({"exec": exec, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 2}),
        ),
        // A wedged server stops answering its status endpoint: restart it.
        // A model that failed to load still answers, and only readiness sees it.
        (
            "livenessProbe",
            json!({
                "httpGet": {"path": format!("/v1/models/{}", models.first().copied().unwrap_or_default()), "port": rest},
                "periodSeconds": 10,
                "timeoutSeconds": 5,
                "failureThreshold": 3,
            }),
        ),
    ]
}
