//! doctor: whether this host can run a fleet, one check at a time, without
//! changing anything (the one container it starts is removed). Returns the
//! results; the CLI prints them.

mod check;
mod fleet_checks;
mod gpu_checks;
mod images;

use std::path::Path;

pub use check::{Check, Subject, Verdict};

use crate::discover::discover_host;
use crate::engine::docker::{Docker, MINIMUM_API};
use crate::load::{Placement, DEFAULT_GPU_IMAGE};

/// Every check for `fleet_file` (the host alone when None), in the order
/// printed: what later checks need comes first.
pub async fn examine(fleet_file: Option<&Path>) -> Vec<Check> {
    let mut checks = Vec::new();
    let loaded = fleet_file.map(fleet_checks::load_fleet);
    if let Some(loaded) = &loaded {
        checks.push(loaded.file_check.clone());
    }
    let fleet = loaded.as_ref().and_then(|loaded| loaded.fleet.as_ref());
    let engine = match Docker::connect().await {
        Ok(engine) => {
            checks.push(docker_check(&engine).await);
            Some(engine)
        }
        Err(error) => {
            let fix = error_hint(&error).unwrap_or(
                "check that dockerd runs, and that DOCKER_HOST points at it".to_string(),
            );
            checks.push(Check::fail(Subject::Docker, first_line(&error), fix));
            None
        }
    };
    let cpu = fleet.is_some_and(|fleet| matches!(fleet.placement, Placement::Cpu { .. }));
    if cpu {
        let why = "not needed: the fleet runs on CPU (`gpus = \"none\"`)";
        checks.push(Check::skip(Subject::Gpus, why));
        checks.push(Check::skip(Subject::DeviceRequests, why));
    } else {
        let inventory = discover_host();
        checks.push(gpu_checks::gpus(&inventory, fleet));
        match (&loaded, fleet) {
            (Some(loaded), None) => checks.push(Check::skip(
                Subject::DeviceRequests,
                format!("not checked: {} did not load", loaded.path.display()),
            )),
            _ => {
                let image = fleet.map_or(DEFAULT_GPU_IMAGE, |fleet| fleet.serving.image.as_str());
                checks.push(gpu_checks::device_requests(engine.as_ref(), &inventory, image).await);
            }
        }
    }
    if let Some(loaded) = &loaded {
        checks.extend(fleet_checks::fleet_checks(loaded, engine.as_ref()).await);
    }
    checks
}

/// True when nothing failed: a skipped check is one that was not needed, or
/// one that could not run after another failed.
pub fn ready(checks: &[Check]) -> bool {
    checks.iter().all(|check| check.verdict != Verdict::Fail)
}

async fn docker_check(engine: &Docker) -> Check {
    let address = crate::engine::docker::address();
    let needed = format!("tfs needs API {}.{} or later", MINIMUM_API.0, MINIMUM_API.1);
    match engine.daemon_version().await {
        Ok(version) if version.api().is_some_and(|api| api >= MINIMUM_API) => {
            Check::pass(
                Subject::Docker,
                format!(
                    "{}, API {} ({needed}), at {address}",
                    version.version, version.api_version
                ),
            )
        }
        Ok(version) => Check::fail(
            Subject::Docker,
            format!(
                "Docker {} at {address} speaks API {}; {needed}",
                version.version, version.api_version
            ),
            "upgrade Docker to 19.03 or later (your distribution's docker.io, or Docker's own packages)",
        ),
        Err(error) => Check::fail(Subject::Docker, first_line(&error), "check that dockerd runs and answers `docker version`"),
    }
}

/// An error's message and causes on one line, without its hint.
fn first_line(error: &anyhow::Error) -> String {
    let line = crate::error_chain::one_line(error);
    line.lines().next().unwrap_or_default().to_string()
}

/// The `hint: ...` an error carries (tfs's errors end with one), if any.
fn error_hint(error: &anyhow::Error) -> Option<String> {
    let text = format!("{error:#}");
    text.lines()
        .find_map(|line| line.strip_prefix("hint: "))
        .map(str::to_string)
}
