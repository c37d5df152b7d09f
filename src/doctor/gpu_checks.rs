//! The GPU checks: an inventory answers, and the daemon can hand a
//! container a GPU (the NVIDIA Container Toolkit's hook, or CDI).

use super::check::{Check, Subject};
use super::{error_hint, first_line};
use crate::desire::desire;
use crate::discover::Inventory;
use crate::engine::docker::Docker;
use crate::engine::Engine;
use crate::load::Fleet;

/// What TF Serving's `--version` prints first.
const VERSION_BANNER: &str = "TensorFlow ModelServer";

const NOT_TF_SERVING: &str =
    "set [serving] image to a TF Serving GPU image (tensorflow/serving:latest-gpu)";

/// GPUs found, and (with a fleet) its placement resolved against them.
pub fn gpus(inventory: &Inventory, fleet: Option<&Fleet>) -> Check {
    let (source, gpus) = match inventory {
        Inventory::Found { source, gpus, .. } if !gpus.is_empty() => (source, gpus),
        Inventory::Found { source, .. } => {
            return Check::fail(
                Subject::Gpus,
                format!("{source} answers but lists no GPU"),
                "check that the GPUs show in `nvidia-smi`; on a host without GPUs, run the fleet on CPU (`gpus = \"none\"` with `replicas = N`)",
            )
        }
        Inventory::Unavailable { attempts } => {
            return Check::fail(
                Subject::Gpus,
                format!("no GPU inventory: tried {}", attempts.join("; tried ")),
                "install the NVIDIA driver (it brings NVML and nvidia-smi); on a host without GPUs, run the fleet on CPU (`gpus = \"none\"` with `replicas = N`)",
            )
        }
    };
    if let Some(fleet) = fleet {
        if let Err(error) = desire(fleet, inventory) {
            let fix = error_hint(&error).unwrap_or("change `gpus` in [placement]".to_string());
            return Check::fail(Subject::Gpus, first_line(&error), fix);
        }
    }
    let listed: Vec<String> = gpus
        .iter()
        .map(|gpu| format!("{} {} ({})", gpu.index, gpu.name, gpu.uuid))
        .collect();
    let mut detail = format!("{} through {source}: {}", gpus.len(), listed.join(", "));
    if let Some(warning) = inventory.fallback_warning() {
        detail.push_str(&format!(" ({warning})"));
    }
    Check::pass(Subject::Gpus, detail)
}

/// Starts a throw-away container of `image` with a device request for the
/// first GPU, running `tensorflow_model_server --version`; it is removed
/// whatever happens.
pub async fn device_requests(engine: Option<&Docker>, inventory: &Inventory, image: &str) -> Check {
    let Some(engine) = engine else {
        return Check::skip(
            Subject::DeviceRequests,
            "not checked: Docker is unreachable",
        );
    };
    let Some(gpu) = inventory.gpus().and_then(|gpus| gpus.first()) else {
        return Check::skip(Subject::DeviceRequests, "not checked: no GPU found");
    };
    match engine.image_present(image).await {
        Ok(true) => {}
        Ok(false) => {
            let mut check = Check::skip(
                Subject::DeviceRequests,
                format!("not checked: {image} is not on this host, and doctor pulls nothing"),
            );
            check.fix = Some(format!("docker pull {image}, then run tfs doctor again"));
            return check;
        }
        Err(error) => {
            return Check::fail(
                Subject::DeviceRequests,
                first_line(&error),
                "check that dockerd answers `docker image ls`",
            )
        }
    }
    let which = format!("GPU {} ({})", gpu.index, gpu.uuid);
    let command = ["tensorflow_model_server", "--version"];
    match engine.run_once_on_gpu(image, &command, &gpu.uuid).await {
        Ok(output) if output.contains(VERSION_BANNER) => {
            let banner = output
                .lines()
                .find(|line| line.contains(VERSION_BANNER))
                .unwrap_or_default()
                .trim();
            Check::pass(
                Subject::DeviceRequests,
                format!("a container of {image} got {which}: {banner}"),
            )
        }
        Ok(output) => Check::fail(
            Subject::DeviceRequests,
            format!(
                "a container of {image} got {which}, but `{}` printed {:?}",
                command.join(" "),
                output.lines().next().unwrap_or_default()
            ),
            NOT_TF_SERVING,
        ),
        Err(error) => {
            let said = first_line(&error);
            // The GPU was handed over, but the image has no TF Serving to run.
            let fix = if said.contains("executable file not found") {
                NOT_TF_SERVING
            } else {
                "install the NVIDIA Container Toolkit and register it with Docker (nvidia-ctk runtime configure --runtime=docker, then restart dockerd), or generate its CDI spec (nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml)"
            };
            Check::fail(
                Subject::DeviceRequests,
                format!("a container of {image} with {which} failed: {said}"),
                fix,
            )
        }
    }
}
