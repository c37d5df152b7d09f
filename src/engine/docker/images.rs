//! Images: present or pulled, with the credentials the Docker CLI would use.

use anyhow::{Context, Result};
use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::StreamExt;

use super::credentials::{credentials_for, registry_of};
use super::pull_errors::pull_failure;
use super::{is_not_found, wrap, Docker};
use crate::engine::PullProgress;

impl Docker {
    pub(super) async fn has_image(&self, image: &str) -> Result<bool> {
        match self.client.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(error) if is_not_found(&error) => Ok(false),
            Err(error) => Err(wrap(error)).with_context(|| format!("inspecting image {image}")),
        }
    }

    pub(super) async fn pull_image(&self, image: &str, progress: &dyn PullProgress) -> Result<()> {
        let registry = registry_of(image);
        let credentials = credentials_for(&registry)
            .with_context(|| format!("reading credentials for {registry} to pull {image}"))?;
        let had_credentials = credentials.is_some();
        let options = CreateImageOptionsBuilder::new().from_image(image).build();
        let mut stream = self.client.create_image(Some(options), None, credentials);
        while let Some(item) = stream.next().await {
            let info = match item {
                Ok(info) => info,
                Err(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
                    return Err(pull_failure(image, &registry, &message, had_credentials));
                }
                Err(error) => return Err(wrap(error)).with_context(|| format!("pulling {image}")),
            };
            if let Some(detail) = info.error_detail {
                let message = detail.message.unwrap_or_default();
                return Err(pull_failure(image, &registry, &message, had_credentials));
            }
            let (current, total) = info
                .progress_detail
                .map(|detail| {
                    (
                        detail.current.unwrap_or(0).max(0) as u64,
                        detail.total.unwrap_or(0).max(0) as u64,
                    )
                })
                .unwrap_or((0, 0));
            progress.layer(
                image,
                info.id.as_deref().unwrap_or(""),
                info.status.as_deref().unwrap_or(""),
                current,
                total,
            );
        }
        Ok(())
    }
}
