//! A tag that moved: with `pull = "always"`, a container whose image is no
//! longer what its reference points to is replaced like one whose image
//! changed. Pure: the words come from what observe gathered.

use crate::observe::{Observed, TagState};

/// `REPO` of `REPO:TAG` or `REPO@DIGEST`, as RepoDigests name it.
fn repository(image: &str) -> &str {
    if let Some((repo, _)) = image.split_once('@') {
        return repo;
    }
    match image.rfind(':') {
        Some(colon) if !image[colon..].contains('/') => &image[..colon],
        _ => image,
    }
}

/// The digest of `repo` among an image's RepoDigests.
fn digest_in<'a>(repo_digests: &'a [String], repo: &str) -> Option<&'a str> {
    repo_digests.iter().find_map(|entry| {
        let (name, digest) = entry.split_once('@')?;
        (name == repo || name.ends_with(&format!("/{repo}"))).then_some(digest)
    })
}

/// Why `container`, which runs `image`, must be recreated because the
/// reference points elsewhere now; empty when it does not (or is unknown).
pub fn tag_moved(image: &str, tag: &TagState, container: &str) -> Vec<String> {
    let Some(reason) = moved(image, tag, container) else {
        return Vec::new();
    };
    let how = if tag.registry_digest.is_some() {
        "the tag moved in the registry: its digest is not the running image's"
    } else {
        "the tag moved on this host: its image is not the running one"
    };
    vec![reason, how.to_string()]
}

fn moved(image: &str, tag: &TagState, container: &str) -> Option<String> {
    let running = tag.running.get(container)?;
    let repo = repository(image);
    match &tag.registry_digest {
        Some(digest) => {
            let known_as = running.repo_digests.iter().any(|entry| {
                entry.split_once('@').is_some_and(|(name, d)| {
                    d == digest && (name == repo || name.ends_with(&format!("/{repo}")))
                })
            });
            if known_as {
                return None;
            }
            let was = digest_in(&running.repo_digests, repo).unwrap_or(&running.id);
            Some(format!(
                "image changed: {image} now points to {digest} (running {was})"
            ))
        }
        None => {
            let local = tag.local.as_ref()?;
            (local.id != running.id).then(|| {
                format!(
                    "image changed: {image} is image {} on this host (running {})",
                    local.id, running.id
                )
            })
        }
    }
}

/// The id of the image `container` runs when `image`'s tag moved away from it.
pub fn moved_from(observed: &Observed, image: &str, container: &str) -> Option<String> {
    let tag = observed.images.get(image)?;
    moved(image, tag, container)?;
    Some(tag.running.get(container)?.id.clone())
}

/// A warning for each reference whose registry could not be asked.
pub fn tag_warnings(observed: &Observed) -> Vec<String> {
    observed
        .images
        .iter()
        .filter_map(|(image, tag)| {
            let error = tag.registry_error.as_ref()?;
            Some(format!(
                "cannot ask the registry what {image} points to ({error}); comparing the image on this host instead"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ImageIdentity;

    fn tag(registry: Option<&str>, running: &[&str]) -> TagState {
        let mut tag = TagState {
            registry_digest: registry.map(str::to_string),
            ..Default::default()
        };
        tag.running.insert(
            "c".to_string(),
            ImageIdentity {
                id: "sha256:id".to_string(),
                repo_digests: running.iter().map(|s| s.to_string()).collect(),
            },
        );
        tag
    }

    #[test]
    fn a_moved_tag_names_both_digests() {
        let image = "127.0.0.1:5000/a/b:1";
        let same = tag(Some("sha256:new"), &["127.0.0.1:5000/a/b@sha256:new"]);
        assert!(tag_moved(image, &same, "c").is_empty());
        let moved = tag(Some("sha256:new"), &["127.0.0.1:5000/a/b@sha256:old"]);
        assert_eq!(
            tag_moved(image, &moved, "c")[0],
            "image changed: 127.0.0.1:5000/a/b:1 now points to sha256:new (running sha256:old)"
        );
        assert_eq!(repository("localhost:5000/x"), "localhost:5000/x");
    }
}
