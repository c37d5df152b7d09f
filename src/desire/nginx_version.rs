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
    /// The first open-source nginx with `server ... resolve` in an upstream.
    pub const RESOLVE: Self = Self::new(1, 27, 3);

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

    /// The version an official-style nginx image's tag names (`nginx:1.30`,
    /// `registry:5000/library/nginx:1.27.4-alpine@sha256:…`), for files
    /// written without running the image. Only repositories named `nginx`
    /// count: another image's tag numbers its own releases, and a directive
    /// its nginx lacks would stop it from starting.
    pub fn from_image_tag(image: &str) -> Option<Self> {
        let reference = image.split('@').next().unwrap_or(image);
        let last = reference.rsplit('/').next().unwrap_or(reference);
        let (repository, tag) = last.split_once(':')?;
        if repository != "nginx" || !tag.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Self::parse(tag)
    }

    /// Whether `keepalive_min_timeout` is known to this nginx: it keeps a
    /// kept-alive client connection open through a reload for that long,
    /// instead of closing it as idle.
    pub fn has_keepalive_min_timeout(self) -> bool {
        self >= Self::KEEPALIVE_MIN_TIMEOUT
    }

    /// Whether upstream servers may be names that nginx re-resolves as it runs.
    pub fn has_resolve(self) -> bool {
        self >= Self::RESOLVE
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
    fn reads_the_tags_of_nginx_images_only() {
        let tag = NginxVersion::from_image_tag;
        assert_eq!(tag("nginx:1.30"), Some(NginxVersion::new(1, 30, 0)));
        assert_eq!(
            tag("127.0.0.1:5000/library/nginx:1.27.4-alpine@sha256:abc"),
            Some(NginxVersion::new(1, 27, 4))
        );
        assert_eq!(tag("nginx"), None);
        assert_eq!(tag("nginx:mainline"), None);
        assert_eq!(tag("nginx@sha256:abc"), None);
        assert_eq!(tag("127.0.0.1:5000/nginx"), None);
        assert_eq!(tag("tfs-nginx:forky"), None);
        assert_eq!(tag("example.com/balancer:2.0"), None);
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

    #[test]
    fn resolve_from_1_27_3() {
        let cases = [
            ((1, 26, 3), false),
            ((1, 27, 2), false),
            ((1, 27, 3), true),
            ((1, 30, 0), true),
        ];
        for ((major, minor, patch), has) in cases {
            assert_eq!(NginxVersion::new(major, minor, patch).has_resolve(), has);
        }
    }
}
