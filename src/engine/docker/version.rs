//! Which Docker answers: its release and API version, and the oldest API
//! tfs works with.

use anyhow::{Context, Result};

use super::{wrap, Docker};

/// The oldest Engine API tfs needs: 1.40 (Docker 19.03) brought the device
/// requests that give each replica its GPU.
pub const MINIMUM_API: (u32, u32) = (1, 40);

/// The daemon's `/version` answer, as much as tfs shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonVersion {
    /// The release, e.g. `20.10.24+dfsg1`.
    pub version: String,
    /// The newest API it speaks, e.g. `1.41`.
    pub api_version: String,
}

impl DaemonVersion {
    /// The API version as numbers; None when the daemon says something else.
    pub fn api(&self) -> Option<(u32, u32)> {
        let (major, minor) = self.api_version.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }
}

impl Docker {
    /// What the daemon says it is.
    pub async fn daemon_version(&self) -> Result<DaemonVersion> {
        let answer = self
            .client
            .version()
            .await
            .map_err(wrap)
            .context("asking the Docker daemon its version")?;
        Ok(DaemonVersion {
            version: answer.version.unwrap_or_default(),
            api_version: answer.api_version.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::DaemonVersion;

    #[test]
    fn reads_the_api_version_as_numbers() {
        let version = |api: &str| DaemonVersion {
            version: "x".to_string(),
            api_version: api.to_string(),
        };
        assert_eq!(version("1.41").api(), Some((1, 41)));
        assert_eq!(version("1.9").api(), Some((1, 9)));
        assert_eq!(version("").api(), None);
    }
}
