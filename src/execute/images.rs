//! Making sure the images a plan needs are on the host, per the pull policy.

use anyhow::{bail, Context, Result};

use crate::engine::Engine;
use crate::load::PullPolicy;
use crate::progress::Reporter;

pub async fn ensure_images(
    engine: &impl Engine,
    images: &[String],
    policy: PullPolicy,
    reporter: &dyn Reporter,
) -> Result<()> {
    for image in images {
        let present = engine.image_present(image).await?;
        let pull = match policy {
            PullPolicy::Always => true,
            PullPolicy::Missing => !present,
            PullPolicy::Never if present => false,
            PullPolicy::Never => bail!("image {image} is not on this host and `pull = \"never\"`\nhint: load it first (docker load / docker pull {image}), or set `pull = \"missing\"`"),
        };
        if !pull {
            continue;
        }
        let key = format!("pull:{image}");
        reporter.begin(&key, &format!("pulling {image}"));
        match engine.pull(image, reporter).await {
            Ok(()) => reporter.finish(&key, &format!("pulled {image}")),
            Err(error) => {
                reporter.fail(&key, &format!("pulling {image} failed"));
                let hint = if present {
                    "the image is on the host: `pull = \"missing\"` would use it"
                } else {
                    "check the image name and the registry's reachability, or load the image by hand (docker load)"
                };
                return Err(error).context(format!("cannot pull image {image}\nhint: {hint}"));
            }
        }
    }
    Ok(())
}
