//! The commented starter fleet.toml that `tfs init` writes.

use std::fmt::Write;

use crate::discover::Gpu;

/// Where `tfs init` puts the schema the starter's first line points at.
pub const SCHEMA_PATH: &str = "schemas/fleet.schema.json";

/// A starter for `name`: GPU mode over `gpus` when there are any, else CPU mode.
pub fn render(name: &str, gpus: &[Gpu]) -> String {
    let mut text = format!("#:schema ./{SCHEMA_PATH}\n");
    text.push_str("# A tfs fleet: one TensorFlow Serving container per GPU (or CPU replica)\n");
    text.push_str(
        "# behind an nginx balancer. `tfs validate`, then `tfs plan`, then `tfs apply`.\n\n",
    );
    let _ = writeln!(
        text,
        "[fleet]\nname = \"{name}\"  # prefixes every container and network\n"
    );
    text.push_str("[serving]\n");
    if gpus.is_empty() {
        text.push_str("image = \"tensorflow/serving:latest\"\n");
    } else {
        text.push_str("image = \"tensorflow/serving:latest-gpu\"\n");
    }
    text.push_str("pull = \"missing\"  # \"always\" | \"missing\" | \"never\"\n");
    text.push_str("# args = [\"--file_system_poll_wait_seconds=5\"]  # extra tensorflow_model_server flags\n\n");
    text.push_str("[[models]]\nname = \"my_model\"\n");
    text.push_str("path = \"models/my_model\"  # holds numeric version dirs: models/my_model/1/saved_model.pb\n");
    text.push_str("# versions = [1]  # serve exactly these versions; default: the newest\n\n");
    text.push_str("[placement]\n");
    if gpus.is_empty() {
        text.push_str("gpus = \"none\"  # CPU mode: no GPU was found (or --cpu)\nreplicas = 2\n\n");
    } else {
        text.push_str("gpus = \"all\"  # or a count, or a list of indices or UUIDs; found here:\n");
        for gpu in gpus {
            let _ = writeln!(
                text,
                "#   {}  {}  {}  {} MiB",
                gpu.index, gpu.uuid, gpu.name, gpu.memory_total_mib
            );
        }
        text.push_str("per_gpu = 1\n\n");
    }
    text.push_str("[balancer]\n");
    text.push_str("rest = \"127.0.0.1:8501\"  # host address of the REST endpoint\n");
    text.push_str("# grpc = \"127.0.0.1:8500\"  # host address of the gRPC endpoint\n");
    text.push_str("strategy = \"least_conn\"  # \"least_conn\" | \"round_robin\" | \"ip_hash\" | \"random\"\n\n");
    text.push_str("[rollout]\nmax_unavailable = 1\ndrain_timeout = \"30s\"\n");
    text
}
