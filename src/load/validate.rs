//! Cross-field checks that turn a parsed fleet file into a [`Fleet`].

use std::net::SocketAddr;
use std::time::Duration;

use toml::Spanned;

use super::checker::Checker;
use super::fleet::*;
use super::fleet_file::*;
use super::gpu_selection::{GpuReference, GpuSelection};
use super::models::check_models;

pub fn validate(file: FleetFile, checker: &mut Checker) -> Option<Fleet> {
    let name = check_name(&file.fleet.name, checker);
    let placement = check_placement(&file.placement, checker);
    let serving = check_serving(&file.serving, placement.as_ref(), checker);
    let models = check_models(&file.models, checker);
    let overrides = check_overrides(&file.overrides, placement.as_ref(), checker);
    let balancer = check_balancer(&file.balancer, checker);
    let rollout = check_rollout(&file.rollout, checker);
    if !checker.diagnostics.is_empty() {
        return None;
    }
    Some(Fleet {
        name: name?,
        source: checker.source.clone(),
        serving: serving?,
        models: models?,
        placement: placement?,
        overrides: overrides?,
        balancer: balancer?,
        rollout: rollout?,
    })
}

fn check_name(name: &Spanned<String>, checker: &mut Checker) -> Option<String> {
    let value = name.get_ref();
    let valid = (1..=40).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        checker.error(
            name.span(),
            format!("invalid fleet name \"{value}\""),
            "a fleet name is 1 to 40 characters of a-z, 0-9 and '-'",
        );
        return None;
    }
    Some(value.clone())
}

fn check_placement(section: &PlacementSection, checker: &mut Checker) -> Option<Placement> {
    let cpu_mode = matches!(
        section.gpus.as_ref().map(Spanned::get_ref),
        Some(GpuSelection::None)
    );
    if cpu_mode {
        for (key, span) in [
            ("per_gpu", section.per_gpu.as_ref().map(Spanned::span)),
            (
                "memory_fraction",
                section.memory_fraction.as_ref().map(Spanned::span),
            ),
        ] {
            if let Some(span) = span {
                checker.error(
                    span,
                    format!("`{key}` has no meaning in CPU mode"),
                    "remove it, or choose GPUs with `gpus`",
                );
            }
        }
        let Some(replicas) = &section.replicas else {
            let span = section.gpus.as_ref().map(Spanned::span).unwrap_or(0..0);
            checker.error(
                span,
                "CPU mode needs `replicas`",
                "add `replicas = N` to [placement]",
            );
            return None;
        };
        let replicas = checker.number(replicas, 1..=256, "replicas")?;
        return Some(Placement::Cpu { replicas });
    }
    if let Some(replicas) = &section.replicas {
        checker.error(
            replicas.span(),
            "`replicas` is for CPU mode only",
            "set `gpus = \"none\"` for CPU replicas, or use `per_gpu` for several replicas per GPU",
        );
    }
    let per_gpu = match &section.per_gpu {
        Some(value) => checker.number(value, 1..=16, "per_gpu")?,
        None => 1,
    };
    let memory_fraction = match &section.memory_fraction {
        Some(value) if !(*value.get_ref() > 0.0 && *value.get_ref() <= 1.0) => {
            checker.error(
                value.span(),
                format!("`memory_fraction` is {}, out of range", value.get_ref()),
                "`memory_fraction` must be greater than 0 and at most 1",
            );
            return None;
        }
        Some(value) => Some(*value.get_ref()),
        None => None,
    };
    let span = section.gpus.as_ref().map(Spanned::span).unwrap_or(0..0);
    let selection = match section.gpus.as_ref().map(Spanned::get_ref) {
        None | Some(GpuSelection::All) => GpuChoice::All,
        Some(GpuSelection::None) => unreachable!("CPU mode handled above"),
        Some(GpuSelection::First(count)) if (1..=64).contains(count) => {
            GpuChoice::First(*count as u32)
        }
        Some(GpuSelection::First(count)) => {
            checker.error(
                span,
                format!("`gpus` is {count}, out of range"),
                "a GPU count must be between 1 and 64",
            );
            return None;
        }
        Some(GpuSelection::List(list)) => {
            GpuChoice::List(check_gpu_list(list, span.clone(), checker)?)
        }
    };
    Some(Placement::Gpu(GpuPlacement {
        selection,
        span,
        per_gpu,
        memory_fraction,
    }))
}

fn check_gpu_list(
    list: &[GpuReference],
    span: std::ops::Range<usize>,
    checker: &mut Checker,
) -> Option<Vec<GpuReference>> {
    let hint = "list GPU indices (`[0, 2]`) or UUIDs (`[\"GPU-...\"]`); `tfs gpus` shows them";
    if list.is_empty() {
        checker.error(span, "`gpus` is an empty list", hint);
        return None;
    }
    let mixed = list.iter().any(|r| matches!(r, GpuReference::Index(_)))
        && list.iter().any(|r| matches!(r, GpuReference::Uuid(_)));
    let negative = list
        .iter()
        .any(|r| matches!(r, GpuReference::Index(i) if *i < 0));
    let bad_uuid = list.iter().any(
        |r| matches!(r, GpuReference::Uuid(u) if !u.starts_with("GPU-") && !u.starts_with("MIG-")),
    );
    let mut sorted = list.to_vec();
    sorted.sort();
    sorted.dedup();
    let problem = if mixed {
        Some("`gpus` mixes indices and UUIDs")
    } else if negative {
        Some("`gpus` has a negative index")
    } else if bad_uuid {
        Some("`gpus` has a string that is not a GPU UUID")
    } else if sorted.len() != list.len() {
        Some("`gpus` names a GPU twice")
    } else {
        None
    };
    if let Some(problem) = problem {
        checker.error(span, problem, hint);
        return None;
    }
    Some(list.to_vec())
}

fn check_serving(
    section: &ServingSection,
    placement: Option<&Placement>,
    checker: &mut Checker,
) -> Option<Serving> {
    let rest_port = section
        .rest_port
        .as_ref()
        .map_or(Some(8501), |p| checker.port(p, "rest_port"));
    let grpc_port = section
        .grpc_port
        .as_ref()
        .map_or(Some(8500), |p| checker.port(p, "grpc_port"));
    if let (Some(rest), Some(grpc)) = (rest_port, grpc_port) {
        if rest == grpc {
            let span = section
                .grpc_port
                .as_ref()
                .or(section.rest_port.as_ref())
                .map(Spanned::span)
                .unwrap_or(0..0);
            checker.error(
                span,
                format!("`rest_port` and `grpc_port` are both {rest}"),
                "TF Serving needs distinct REST and gRPC ports",
            );
        }
    }
    let image = match &section.image {
        Some(image) if image.get_ref().trim().is_empty() => {
            checker.error(
                image.span(),
                "`image` is empty",
                "name an image, e.g. \"tensorflow/serving:2.18.0-gpu\"",
            );
            None
        }
        Some(image) => Some(image.get_ref().clone()),
        None => Some(match placement {
            Some(Placement::Cpu { .. }) => DEFAULT_CPU_IMAGE.to_string(),
            _ => DEFAULT_GPU_IMAGE.to_string(),
        }),
    };
    Some(Serving {
        image: image?,
        pull: section.pull,
        rest_port: rest_port?,
        grpc_port: grpc_port?,
        args: section.args.clone(),
        env: section.env.clone(),
    })
}

fn check_overrides(
    sections: &[Spanned<OverrideSection>],
    placement: Option<&Placement>,
    checker: &mut Checker,
) -> Option<Vec<Override>> {
    let mut overrides = Vec::new();
    for section in sections {
        let inner = section.get_ref();
        let cpu = matches!(placement, Some(Placement::Cpu { .. }));
        let (selector, span) = match (&inner.gpu, &inner.replica) {
            (Some(gpu), None) if !cpu => (Selector::Gpu(gpu.get_ref().clone()), gpu.span()),
            (None, Some(replica)) if cpu => {
                let Some(index) = checker.number(replica, 0..=255, "replica") else {
                    continue;
                };
                (Selector::Replica(index), replica.span())
            }
            (Some(gpu), None) => {
                checker.error(
                    gpu.span(),
                    "`gpu` selector in CPU mode",
                    "in CPU mode select a replica: `replica = 0`",
                );
                continue;
            }
            (None, Some(replica)) => {
                checker.error(
                    replica.span(),
                    "`replica` selector in GPU mode",
                    "in GPU mode select a GPU: `gpu = 0`",
                );
                continue;
            }
            _ => {
                checker.error(
                    section.span(),
                    "an [[override]] needs exactly one selector",
                    "add `gpu = N` (GPU mode) or `replica = N` (CPU mode)",
                );
                continue;
            }
        };
        let weight = match &inner.weight {
            Some(weight) => match checker.number(weight, 1..=1000, "weight") {
                Some(weight) => Some(weight),
                None => continue,
            },
            None => None,
        };
        if let Selector::Replica(index) = selector {
            if let Some(Placement::Cpu { replicas }) = placement {
                if index >= *replicas {
                    checker.error(
                        span.clone(),
                        format!(
                            "no replica {index}: the fleet has {replicas} (0 to {})",
                            replicas - 1
                        ),
                        "CPU replicas are numbered from 0",
                    );
                }
            }
        }
        overrides.push(Override {
            selector,
            span,
            weight,
            env: inner.env.clone(),
            args: inner.args.clone(),
        });
    }
    Some(overrides)
}

fn check_balancer(section: &BalancerSection, checker: &mut Checker) -> Option<Balancer> {
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

fn check_rollout(section: &RolloutSection, checker: &mut Checker) -> Option<Rollout> {
    let max_unavailable = section.max_unavailable.as_ref().map_or(Some(1), |value| {
        checker.number(value, 1..=1024, "max_unavailable")
    });
    let drain_timeout = match &section.drain_timeout {
        Some(value) => match parse_duration(value.get_ref()) {
            Some(duration) => Some(duration),
            None => {
                checker.error(
                    value.span(),
                    format!("`drain_timeout` \"{}\" is not a duration", value.get_ref()),
                    "write a number with ms, s or m, e.g. \"30s\"",
                );
                None
            }
        },
        None => Some(Duration::from_secs(30)),
    };
    Some(Rollout {
        max_unavailable: max_unavailable?,
        drain_timeout: drain_timeout?,
    })
}

/// Parses "250ms", "30s" or "2m".
pub fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        "m" => Some(Duration::from_secs(number * 60)),
        _ => None,
    }
}
