//! Files in and out of containers through the archive endpoint.

use anyhow::{Context, Result};
use bollard::query_parameters::{
    ContainerArchiveInfoOptionsBuilder, DownloadFromContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use futures_util::TryStreamExt;

use super::{archive, is_not_found, wrap, Docker};
use crate::engine::PathStat;

/// The path as an archive entry uploaded at `/`: Docker then makes missing
/// parent directories, which a direct upload into them would not.
pub fn path_in_archive(path: &str) -> Result<&str> {
    path.strip_prefix('/').context("file path must be absolute")
}

impl Docker {
    pub(super) async fn download_file(
        &self,
        container: &str,
        path: &str,
    ) -> Result<Option<String>> {
        let options = DownloadFromContainerOptionsBuilder::new()
            .path(path)
            .build();
        let stream = self
            .client
            .download_from_container(container, Some(options));
        match stream.map_ok(|bytes| bytes.to_vec()).try_concat().await {
            Ok(bytes) => archive::unpack(&bytes).map(Some),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => {
                Err(wrap(error)).with_context(|| format!("reading {path} from {container}"))
            }
        }
    }

    /// A HEAD request: about a millisecond, where a download copies the file
    /// out through a tar stream (tens of milliseconds).
    pub(super) async fn stat_path(&self, container: &str, path: &str) -> Result<Option<PathStat>> {
        let options = ContainerArchiveInfoOptionsBuilder::new().path(path).build();
        match self
            .client
            .get_container_archive_info(container, Some(options))
            .await
        {
            Ok(stat) => Ok(Some(PathStat {
                size: u64::try_from(stat.size).unwrap_or(0),
                link_target: Some(stat.link_target).filter(|target| !target.is_empty()),
                // Docker writes the time in RFC 3339, in UTC.
                epoch_mtime: stat
                    .modification_time
                    .is_some_and(|time| time.starts_with("1970-01-01T00:00:00")),
            })),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => {
                Err(wrap(error)).with_context(|| format!("looking at {path} in {container}"))
            }
        }
    }

    /// Files (path, content) in one archive: one upload, however many files.
    pub(super) async fn upload_files(&self, container: &str, files: &[(&str, &str)]) -> Result<()> {
        let entries = files
            .iter()
            .map(|(path, content)| Ok((path_in_archive(path)?, *content)))
            .collect::<Result<Vec<_>>>()?;
        let paths: Vec<&str> = files.iter().map(|(path, _)| *path).collect();
        self.upload(container, &paths.join(", "), archive::pack(&entries)?)
            .await
    }

    pub(super) async fn upload(&self, container: &str, path: &str, tar: Vec<u8>) -> Result<()> {
        let options = UploadToContainerOptionsBuilder::new().path("/").build();
        self.client
            .upload_to_container(container, Some(options), bollard::body_full(tar.into()))
            .await
            .map_err(wrap)
            .with_context(|| format!("writing {path} into {container}"))
    }
}
