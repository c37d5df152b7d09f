//! Checks of `[balancer]`: host addresses, retries, body size.

use std::net::SocketAddr;

use toml::Spanned;

use super::checker::Checker;
use super::fleet::{Balancer, DEFAULT_BALANCER_IMAGE, DEFAULT_REST_ADDRESS};
use super::fleet_file::BalancerSection;

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
        Some(value) if is_size(value.get_ref()) => Some(value.get_ref().clone()),
        Some(value) => {
            checker.error(
                value.span(),
                format!("`max_body` \"{}\" is not a size", value.get_ref()),
                "write a number with an optional k, m or g suffix, e.g. \"64m\"",
            );
            None
        }
        None => Some("64m".to_string()),
    };
    let image = section
        .image
        .as_ref()
        .map_or(DEFAULT_BALANCER_IMAGE.to_string(), |image| {
            image.get_ref().clone()
        });
    Some(Balancer {
        image,
        rest: rest?,
        grpc,
        strategy: section.strategy,
        retries: retries?,
        max_body: max_body?,
    })
}

fn is_size(text: &str) -> bool {
    let digits = text.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
    !digits.is_empty()
        && digits.len() + 1 >= text.len()
        && digits.chars().all(|c| c.is_ascii_digit())
}
