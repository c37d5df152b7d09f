//! Making sure an image a plan needs is on the host, per the pull policy.

use anyhow::{bail, Result};

use crate::engine::{Engine, PullProgress};
use crate::load::PullPolicy;

/// Pulls `image` when the policy says so; true when it pulled.
pub async fn ensure_image(
    engine: &impl Engine,
    image: &str,
    policy: PullPolicy,
    progress: &dyn PullProgress,
) -> Result<bool> {
    let present = engine.image_present(image).await?;
    let pull = match policy {
        PullPolicy::Always => true,
        PullPolicy::Missing => !present,
        PullPolicy::Never if present => false,
        PullPolicy::Never => bail!("image {image} is not on this host and `pull = \"never\"`\nhint: load it first (docker load / docker pull {image}), or set `pull = \"missing\"`"),
    };
    if !pull {
        return Ok(false);
    }
    // The engine's error names the image, the registry and what fixes it.
    engine.pull(image, progress).await?;
    Ok(true)
}
