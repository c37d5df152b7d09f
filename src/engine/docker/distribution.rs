//! What a registry says a tag points to now (Docker's distribution-inspect
//! endpoint), and which digests an image on the host is known by.

use anyhow::{Context, Result};

use super::credentials::{credentials_for, registry_of};
use super::{is_not_found, wrap, Docker};
use crate::engine::ImageIdentity;

impl Docker {
    /// The manifest digest `image`'s tag points to in its registry.
    pub(super) async fn ask_registry(&self, image: &str) -> Result<String> {
        let registry = registry_of(image);
        let credentials = credentials_for(&registry)
            .with_context(|| format!("reading credentials for {registry}"))?;
        match self.client.inspect_registry_image(image, credentials).await {
            Ok(answer) => answer
                .descriptor
                .digest
                .with_context(|| format!("{registry} gave no digest for {image}")),
            Err(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
                Err(anyhow::anyhow!("{registry} says: {}", message.trim()))
            }
            Err(error) => {
                Err(wrap(error)).with_context(|| format!("asking {registry} for {image}"))
            }
        }
    }

    /// An image's id and repo digests; None when the host lacks it.
    pub(super) async fn identify_image(&self, image: &str) -> Result<Option<ImageIdentity>> {
        match self.client.inspect_image(image).await {
            Ok(inspect) => Ok(Some(ImageIdentity {
                id: inspect.id.unwrap_or_default(),
                repo_digests: inspect.repo_digests.unwrap_or_default(),
            })),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => Err(wrap(error)).with_context(|| format!("inspecting image {image}")),
        }
    }

    /// The id of the image a container runs.
    pub(super) async fn container_image_id(&self, container: &str) -> Result<Option<String>> {
        match self.client.inspect_container(container, None).await {
            Ok(inspect) => Ok(inspect.image),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => {
                Err(wrap(error)).with_context(|| format!("inspecting container {container}"))
            }
        }
    }
}
