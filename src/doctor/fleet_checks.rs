//! The checks that need a fleet file: it loads, its images, the balancer's
//! addresses, its model directories, its lock.

use std::path::{Path, PathBuf};

use super::check::{Check, Subject};
use super::images::image_check;
use crate::desire::labels;
use crate::engine::docker::Docker;
use crate::engine::host_ports::{busy_hint, in_use, published_here};
use crate::engine::Engine;
use crate::load::{fleet_name, load, version_directories, Fleet, LoadError};
use crate::lock::{is_stale, State};

/// A fleet file as far as it loaded.
pub struct LoadedFleet {
    pub path: PathBuf,
    pub file_check: Check,
    /// None when the file or the host fails load's checks.
    pub fleet: Option<Fleet>,
    /// The fleet's name, known even when only the host failed (a model
    /// directory), for the lock.
    pub name: Option<String>,
    pub models_check: Check,
}

pub fn load_fleet(path: &Path) -> LoadedFleet {
    let shown = path.display().to_string();
    let validate = format!("run `tfs validate -f {shown}` to see each problem where it is");
    let loaded = |file_check, fleet: Option<Fleet>, name, models_check| LoadedFleet {
        path: path.to_path_buf(),
        file_check,
        name: fleet
            .as_ref()
            .map(|fleet: &Fleet| fleet.name.clone())
            .or(name),
        fleet,
        models_check,
    };
    let not_read = || {
        Check::skip(
            Subject::ModelDirectories,
            format!("not checked: {shown} did not load"),
        )
    };
    match load(path) {
        Ok(fleet) => {
            let file = Check::pass(
                Subject::FleetFile,
                format!("{shown}: fleet \"{}\"", fleet.name),
            );
            let models = models_check(&fleet);
            loaded(file, Some(fleet), None, models)
        }
        Err(LoadError::Invalid(found)) if found.0.iter().all(|d| d.about_host) => {
            let name = fleet_name(path).ok();
            let file = Check::pass(
                Subject::FleetFile,
                format!(
                    "{shown}: fleet \"{}\" (the file is valid; the host lacks what it names)",
                    name.as_deref().unwrap_or_default()
                ),
            );
            let problems: Vec<String> = found
                .0
                .iter()
                .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
                .collect();
            let fix = found
                .0
                .iter()
                .find_map(|d| d.hint.clone())
                .unwrap_or(validate);
            let models = Check::fail(Subject::ModelDirectories, problems.join("; "), fix);
            loaded(file, None, name, models)
        }
        Err(LoadError::Invalid(found)) => {
            let file = Check::fail(
                Subject::FleetFile,
                format!("{shown} is invalid: {} problem(s)", found.0.len()),
                validate,
            );
            loaded(file, None, None, not_read())
        }
        Err(error) => {
            let file = Check::fail(
                Subject::FleetFile,
                error.to_string(),
                "pass the fleet file with -f, or write one with `tfs init`",
            );
            loaded(file, None, None, not_read())
        }
    }
}

/// Images, addresses, models and lock, in that order.
pub async fn fleet_checks(loaded: &LoadedFleet, engine: Option<&Docker>) -> Vec<Check> {
    let mut checks = Vec::new();
    let Some(fleet) = &loaded.fleet else {
        let why = format!("not checked: {} did not load", loaded.path.display());
        for subject in [
            Subject::ServingImage,
            Subject::BalancerImage,
            Subject::BalancerAddresses,
        ] {
            checks.push(Check::skip(subject, why.clone()));
        }
        checks.push(loaded.models_check.clone());
        checks.push(lock_check(loaded));
        return checks;
    };
    let pull = fleet.serving.pull;
    match engine {
        Some(engine) => {
            checks
                .push(image_check(engine, Subject::ServingImage, &fleet.serving.image, pull).await);
            checks.push(
                image_check(engine, Subject::BalancerImage, &fleet.balancer.image, pull).await,
            );
        }
        None => {
            for subject in [Subject::ServingImage, Subject::BalancerImage] {
                checks.push(Check::skip(subject, "not checked: Docker is unreachable"));
            }
        }
    }
    checks.push(addresses_check(fleet, engine).await);
    checks.push(loaded.models_check.clone());
    checks.push(lock_check(loaded));
    checks
}

fn models_check(fleet: &Fleet) -> Check {
    let models: Vec<String> = fleet
        .models
        .iter()
        .map(|model| {
            let versions: Vec<String> = version_directories(&model.host_path)
                .keys()
                .map(u64::to_string)
                .collect();
            format!(
                "{} ({}): versions {}",
                model.name,
                model.host_path.display(),
                versions.join(", ")
            )
        })
        .collect();
    Check::pass(Subject::ModelDirectories, models.join("; "))
}

/// The balancer's host addresses are free, or held by the fleet's own balancer.
async fn addresses_check(fleet: &Fleet, engine: Option<&Docker>) -> Check {
    let addresses: Vec<_> = std::iter::once(fleet.balancer.rest)
        .chain(fleet.balancer.grpc)
        .collect();
    let listed: Vec<String> = addresses.iter().map(ToString::to_string).collect();
    let listed = listed.join(", ");
    if !published_here() {
        return Check::skip(
            Subject::BalancerAddresses,
            format!(
                "not checked: the daemon at {} publishes ports on its own host",
                crate::engine::docker::address()
            ),
        );
    }
    let Some(busy) = addresses.iter().find(|address| in_use(**address)) else {
        return Check::pass(Subject::BalancerAddresses, format!("{listed} free"));
    };
    if let Some(engine) = engine {
        if own_balancer_runs(engine, &fleet.name).await {
            return Check::pass(
                Subject::BalancerAddresses,
                format!("{listed} held by this fleet's running balancer"),
            );
        }
    }
    Check::fail(
        Subject::BalancerAddresses,
        format!("{busy} is already in use on this host, so the balancer could not publish it"),
        busy_hint(*busy),
    )
}

async fn own_balancer_runs(engine: &Docker, fleet: &str) -> bool {
    let Ok(containers) = engine
        .containers(&format!("{fleet}-"), (labels::FLEET, fleet))
        .await
    else {
        return false;
    };
    containers.iter().any(|container| {
        container.labels.get(labels::FLEET).map(String::as_str) == Some(fleet)
            && container.labels.get(labels::ROLE).map(String::as_str) == Some(labels::ROLE_BALANCER)
            && container.state.is_running()
    })
}

fn lock_check(loaded: &LoadedFleet) -> Check {
    let Some(fleet) = &loaded.name else {
        return Check::skip(
            Subject::Lock,
            format!("not checked: {} did not load", loaded.path.display()),
        );
    };
    let unlock = format!("tfs force-unlock -f {}", loaded.path.display());
    match crate::lock::read(fleet) {
        Ok(State::Free) => Check::pass(
            Subject::Lock,
            format!("no tfs apply or destroy of fleet \"{fleet}\" runs"),
        ),
        Ok(State::Held(holder)) if is_stale(&holder) => Check::pass(
            Subject::Lock,
            format!("left by dead process {holder}; the next apply takes it over"),
        ),
        Ok(State::Held(holder)) => Check::fail(
            Subject::Lock,
            format!("fleet \"{fleet}\" is locked by {holder}"),
            format!("wait for it to finish; if that process is gone, run `{unlock}`"),
        ),
        Ok(State::Corrupt(path)) => Check::fail(
            Subject::Lock,
            format!("lock file {} is corrupt", path.display()),
            format!("if no tfs apply or destroy of fleet \"{fleet}\" runs, run `{unlock}`"),
        ),
        Err(error) => Check::fail(
            Subject::Lock,
            super::first_line(&error),
            "check the lock directory (TFS_LOCK_DIR, /run/lock/tfs)",
        ),
    }
}
