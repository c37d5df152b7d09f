//! What an image tag points to now, for `pull = "always"`: the registry's
//! digest for the tag, the host's image of that tag, and the image each
//! container runs. Reconcile compares them; this only gathers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Observed;
use crate::engine::{Engine, ImageIdentity};

/// One image reference as the registry and the host know it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagState {
    /// The manifest digest the registry gives the tag now.
    pub registry_digest: Option<String>,
    /// Why the registry could not be asked, when it could not.
    pub registry_error: Option<String>,
    /// The host's image of that reference, if any.
    pub local: Option<ImageIdentity>,
    /// The image each container using this reference runs, by container name.
    pub running: BTreeMap<String, ImageIdentity>,
}

/// Asks the registry and the host about each image in `images`, each with
/// the containers that should run it; the answers go into `observed.images`.
pub async fn observe_images(
    engine: &impl Engine,
    observed: &mut Observed,
    images: &[(String, Vec<String>)],
) {
    for (image, containers) in images {
        let mut tag = TagState::default();
        match engine.registry_digest(image).await {
            Ok(digest) => tag.registry_digest = Some(digest),
            Err(error) => tag.registry_error = Some(first_line(&format!("{error:#}"))),
        }
        tag.local = engine.image_identity(image).await.ok().flatten();
        for container in containers {
            let Ok(Some(id)) = engine.container_image(container).await else {
                continue;
            };
            let identity = match engine.image_identity(&id).await {
                Ok(Some(identity)) => identity,
                _ => ImageIdentity {
                    id,
                    repo_digests: Vec::new(),
                },
            };
            tag.running.insert(container.clone(), identity);
        }
        observed.images.insert(image.clone(), tag);
    }
}

/// An error's first line: the hint belongs to pulls, not to a warning.
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
