//! Checks of `[placement]`: GPU mode or CPU mode, and how many replicas.

use toml::Spanned;

use super::checker::Checker;
use super::fleet::{GpuChoice, GpuPlacement, Placement};
use super::fleet_file::PlacementSection;
use super::gpu_reference;
use super::gpu_selection::{GpuReference, GpuSelection};

/// GPU mode or CPU mode, with `per_gpu`, `replicas` and `memory_fraction` checked against it.
pub fn check_placement(section: &PlacementSection, checker: &mut Checker) -> Option<Placement> {
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
            GpuChoice::First(u32::try_from(*count).expect("1 to 64 fits"))
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
    let invalid = list.iter().find_map(gpu_reference::problem);
    let mut sorted = list.to_vec();
    sorted.sort();
    sorted.dedup();
    let problem = if mixed {
        Some("`gpus` mixes indices and UUIDs".to_string())
    } else if let Some(invalid) = invalid {
        Some(format!("invalid GPU in `gpus`: {invalid}"))
    } else if sorted.len() != list.len() {
        Some("`gpus` names a GPU twice".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        checker.error(span, problem, hint);
        return None;
    }
    Some(list.to_vec())
}
