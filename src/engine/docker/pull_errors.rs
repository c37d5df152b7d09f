//! A failed pull in words: the reference, the registry, the registry's own
//! error, and what would fix it.

/// Whether the registry's answer is about credentials.
fn is_auth(message: &str) -> bool {
    let lower = message.to_lowercase();
    [
        "no basic auth credentials",
        "unauthorized",
        "authentication required",
        "denied",
        "forbidden",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

fn is_unknown(message: &str) -> bool {
    let lower = message.to_lowercase();
    lower.contains("manifest unknown") || lower.contains("not found")
}

fn is_unreachable(message: &str) -> bool {
    let lower = message.to_lowercase();
    [
        "connection refused",
        "no such host",
        "i/o timeout",
        "dial tcp",
        "timeout exceeded",
        "server gave http response to https client",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// The error for a pull of `image` from `registry` that the daemon refused
/// with `message`.
pub fn pull_failure(
    image: &str,
    registry: &str,
    message: &str,
    had_credentials: bool,
) -> anyhow::Error {
    let hint = if is_auth(message) && !had_credentials {
        format!(
            "{registry} wants credentials and tfs found none: `docker login {registry}` fixes it (tfs reads them as the Docker CLI does, from $DOCKER_CONFIG/config.json or ~/.docker/config.json)"
        )
    } else if is_auth(message) {
        format!(
            "{registry} refused the credentials found for it, or they may not pull this repository: `docker login {registry}` with ones that may"
        )
    } else if is_unreachable(message) {
        format!("the Docker daemon cannot reach {registry}: check the address and that the registry runs")
    } else if is_unknown(message) {
        format!("{registry} has no such repository or tag: check the reference in [serving].image or [balancer].image")
    } else {
        "check the image reference and the registry, or load the image by hand (docker load)"
            .to_string()
    };
    anyhow::anyhow!(
        "cannot pull {image} from {registry}: {}\nhint: {hint}",
        message.trim()
    )
}
