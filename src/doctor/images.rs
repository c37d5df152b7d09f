//! The fleet's images: on the host, or where apply can pull them from
//! (asked of the registry, never pulled: doctor leaves nothing behind).

use super::check::{Check, Subject};
use super::{error_hint, first_line};
use crate::engine::docker::Docker;
use crate::engine::Engine;
use crate::load::PullPolicy;

/// Whether apply will have `image` under `policy`.
pub async fn image_check(
    engine: &Docker,
    subject: Subject,
    image: &str,
    policy: PullPolicy,
) -> Check {
    let present = match engine.image_present(image).await {
        Ok(present) => present,
        Err(error) => {
            return Check::fail(
                subject,
                first_line(&error),
                "check that dockerd answers `docker image ls`",
            )
        }
    };
    let pull = match policy {
        PullPolicy::Always => true,
        PullPolicy::Missing => !present,
        PullPolicy::Never if present => false,
        PullPolicy::Never => {
            return Check::fail(
                subject,
                format!("{image} is not on this host and `pull = \"never\"`"),
                format!(
                "load it first (docker load / docker pull {image}), or set `pull = \"missing\"`"
            ),
            )
        }
    };
    if !pull {
        return Check::pass(subject, format!("{image} is on this host"));
    }
    let here = if present {
        "is on this host"
    } else {
        "is not on this host"
    };
    match engine.registry_digest(image).await {
        Ok(digest) => Check::pass(
            subject,
            format!("{image} {here}; its registry has it ({digest}), so apply can pull it"),
        ),
        Err(error) => {
            let fix = error_hint(&error)
                .unwrap_or(format!("check the registry (docker pull {image}), or put the image on this host and set `pull = \"never\"`"));
            Check::fail(
                subject,
                format!(
                    "{image} {here}, and apply would pull it, but its registry cannot be asked: {}",
                    first_line(&error)
                ),
                fix,
            )
        }
    }
}
