//! Checks of `[balancer]`: image, host addresses, retries, body size, timeouts.

use std::net::SocketAddr;
use std::time::Duration;

use toml::Spanned;

use super::checker::Checker;
use super::fleet::{Balancer, DEFAULT_BALANCER_IMAGE, DEFAULT_REST_ADDRESS};
use super::fleet_file::BalancerSection;
use super::image_reference::check_image;
use super::quoted::quoted;
use super::rollout::parse_duration;

/// `[balancer]` with its defaults filled in, or None after reporting what is wrong.
pub fn check_balancer(section: &BalancerSection, checker: &mut Checker) -> Option<Balancer> {
    let address =
        |value: &Spanned<String>, key: &str, checker: &mut Checker| -> Option<SocketAddr> {
            match value.get_ref().parse::<SocketAddr>() {
                Ok(address) if address.port() != 0 => Some(address),
                _ => {
                    checker.error(
                    value.span(),
                    format!("`{key}` is not a host address:port"),
                    "write an IP address and a port, e.g. \"127.0.0.1:8501\" or \"0.0.0.0:8501\"",
                );
                    None
                }
            }
        };
    let rest = match &section.rest {
        Some(value) => address(value, "rest", checker),
        None => DEFAULT_REST_ADDRESS.parse().ok(),
    };
    let grpc = match &section.grpc {
        Some(value) => Some(address(value, "grpc", checker)?),
        None => None,
    };
    if let (Some(rest), Some(grpc), Some(span)) =
        (rest, grpc, section.grpc.as_ref().map(Spanned::span))
    {
        if rest.port() == grpc.port() {
            checker.error(
                span,
                "`grpc` uses the same port as `rest`",
                "give the REST and gRPC endpoints different ports",
            );
        }
    }
    let retries = section
        .retries
        .as_ref()
        .map_or(Some(2), |value| checker.number(value, 0..=10, "retries"));
    let max_body = match &section.max_body {
        Some(value) => check_max_body(value, checker),
        None => Some("64m".to_string()),
    };
    let image = match &section.image {
        Some(image) => check_image(image, DEFAULT_BALANCER_IMAGE, checker),
        None => Some(DEFAULT_BALANCER_IMAGE.to_string()),
    };
    let connect_timeout = timeout(&section.connect_timeout, &CONNECT, checker);
    let read_timeout = timeout(&section.read_timeout, &READ, checker);
    Some(Balancer {
        image: image?,
        rest: rest?,
        grpc,
        strategy: section.strategy,
        retries: retries?,
        max_body: max_body?,
        connect_timeout: connect_timeout?,
        read_timeout: read_timeout?,
    })
}

/// A timeout key of `[balancer]` and the durations it may take.
struct TimeoutKey {
    name: &'static str,
    shortest: Duration,
    longest: Duration,
    /// Shown in hints, for the range.
    range: &'static str,
    example: &'static str,
}

const CONNECT: TimeoutKey = TimeoutKey {
    name: "connect_timeout",
    shortest: Duration::from_millis(1),
    longest: Duration::from_secs(60),
    range: "1ms to 60s",
    example: "250ms",
};

const READ: TimeoutKey = TimeoutKey {
    name: "read_timeout",
    shortest: Duration::from_secs(1),
    longest: Duration::from_secs(3600),
    range: "1s to 3600s",
    example: "60s",
};

/// Some(None) when the key is absent, Some(duration) when it is valid,
/// None after reporting what is wrong with it.
fn timeout(
    value: &Option<Spanned<String>>,
    key: &TimeoutKey,
    checker: &mut Checker,
) -> Option<Option<Duration>> {
    let Some(value) = value else {
        return Some(None);
    };
    let text = value.get_ref();
    match parse_duration(text) {
        Some(duration) if (key.shortest..=key.longest).contains(&duration) => Some(Some(duration)),
        Some(_) => {
            checker.error(
                value.span(),
                format!("`{}` {} is out of range", key.name, quoted(text)),
                format!(
                    "`{}` must be {}, e.g. \"{}\"",
                    key.name, key.range, key.example
                ),
            );
            None
        }
        None => {
            checker.error(
                value.span(),
                format!("`{}` {} is not a duration", key.name, quoted(text)),
                format!(
                    "write a number with ms, s or m, {}, e.g. \"{}\"",
                    key.range, key.example
                ),
            );
            None
        }
    }
}

/// The largest `max_body`: far above any request a model answers, and
/// well inside the off_t nginx parses it into.
const LARGEST_BODY: u64 = 1 << 40;

/// `max_body` as written, when it is a size nginx takes and at most 1 TiB.
fn check_max_body(value: &Spanned<String>, checker: &mut Checker) -> Option<String> {
    let text = value.get_ref();
    match body_bytes(text) {
        Some(Some(bytes)) if bytes <= LARGEST_BODY => Some(text.clone()),
        Some(_) => {
            checker.error(
                value.span(),
                format!("`max_body` {} is too large", quoted(text)),
                "`max_body` may be at most \"1024g\" (1 TiB)",
            );
            None
        }
        None => {
            checker.error(
                value.span(),
                format!("`max_body` {} is not a size", quoted(text)),
                "write a number with an optional k, m or g suffix, e.g. \"64m\"",
            );
            None
        }
    }
}

/// The bytes of a size like nginx's `64m`: None when it is not one,
/// Some(None) when it is one too large to count.
fn body_bytes(text: &str) -> Option<Option<u64>> {
    let (digits, scale) = match text.char_indices().last()? {
        (at, 'k' | 'K') => (&text[..at], 1 << 10),
        (at, 'm' | 'M') => (&text[..at], 1 << 20),
        (at, 'g' | 'G') => (&text[..at], 1 << 30),
        _ => (text, 1),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(
        digits
            .parse::<u64>()
            .ok()
            .and_then(|number| number.checked_mul(scale)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_counted_in_bytes_without_overflow() {
        assert_eq!(body_bytes("64m"), Some(Some(64 << 20)));
        assert_eq!(body_bytes("0"), Some(Some(0)));
        assert_eq!(body_bytes("1024G"), Some(Some(LARGEST_BODY)));
        assert_eq!(body_bytes("99999999999999999999g"), Some(None));
        assert_eq!(body_bytes("17179869184g"), Some(None));
        for invalid in ["", "m", "64mb", "-1", "6 4m", "1.5m"] {
            assert_eq!(body_bytes(invalid), None, "{invalid}");
        }
    }
}
