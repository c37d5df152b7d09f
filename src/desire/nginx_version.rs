//! Which nginx the balancer image holds, and what nginx.conf may use with it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An nginx release, `major.minor.patch`, as `nginx -v` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NginxVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl NginxVersion {
    /// The first nginx with `keepalive_min_timeout`.
    pub const KEEPALIVE_MIN_TIMEOUT: Self = Self::new(1, 27, 4);

    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// `1.30.0`, `nginx/1.30.0` or `nginx -v`'s whole output (`nginx version:
    /// nginx/1.22.1`, possibly after an entrypoint's own lines); a missing
    /// patch is 0. None when no version is found.
    pub fn parse(text: &str) -> Option<Self> {
        let candidate = match text.rfind("nginx/") {
            Some(at) => &text[at + "nginx/".len()..],
            None => text.trim(),
        };
        let end = candidate
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(candidate.len());
        let mut parts = candidate[..end].split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            None | Some("") => 0,
            Some(patch) => patch.parse().ok()?,
        };
        Some(Self::new(major, minor, patch))
    }

    /// Whether `keepalive_min_timeout` is known to this nginx: it keeps a
    /// kept-alive client connection open through a reload for that long,
    /// instead of closing it as idle.
    pub fn has_keepalive_min_timeout(self) -> bool {
        self >= Self::KEEPALIVE_MIN_TIMEOUT
    }
}

impl fmt::Display for NginxVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_nginx_prints() {
        assert_eq!(
            NginxVersion::parse("nginx version: nginx/1.22.1\n"),
            Some(NginxVersion::new(1, 22, 1))
        );
        assert_eq!(
            NginxVersion::parse(
                "/docker-entrypoint.sh: ready\nnginx version: nginx/1.30.0 (Debian)\n"
            ),
            Some(NginxVersion::new(1, 30, 0))
        );
        assert_eq!(
            NginxVersion::parse("1.27"),
            Some(NginxVersion::new(1, 27, 0))
        );
        assert_eq!(NginxVersion::parse("exec: nginx: not found"), None);
        assert_eq!(NginxVersion::parse(""), None);
    }

    #[test]
    fn keepalive_min_timeout_from_1_27_4() {
        assert!(!NginxVersion::new(1, 22, 1).has_keepalive_min_timeout());
        assert!(!NginxVersion::new(1, 27, 3).has_keepalive_min_timeout());
        assert!(NginxVersion::new(1, 27, 4).has_keepalive_min_timeout());
        assert!(NginxVersion::new(1, 30, 0).has_keepalive_min_timeout());
        assert!(NginxVersion::new(2, 0, 0).has_keepalive_min_timeout());
        assert_eq!(NginxVersion::new(1, 30, 0).to_string(), "1.30.0");
    }
}
