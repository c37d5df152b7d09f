//! Checks of `[[override]]`: one selector each, naming a slot the placement has.
//!
//! Whether a GPU exists is only known once the inventory is, but when the
//! placement names its GPUs (`gpus = [0, 2]`, `gpus = 2`) or runs on CPU, a
//! selector outside it is an error of the file alone, and `validate` says so
//! through [`outside_placement`], the rule `desire` applies to resolved slots.

use std::ops::Range;

use toml::Spanned;

use super::args::{check_args, ArgsPlace};
use super::checker::Checker;
use super::environment::check_env;
use super::fleet::{Override, Placement, Selector};
use super::fleet_file::{ModelSection, OverrideSection};
use super::gpu_reference;
use super::gpu_selection::GpuReference;
use super::override_slots::{outside_placement, KnownSlots};
use super::override_versions::check_override_versions;
use super::quoted::quoted;

/// Checks every `[[override]]`; `cpu` is whether the file asks for CPU mode,
/// `placement` the checked placement when it passed, `models` the file's
/// `[[models]]`, which `versions` names.
pub fn check_overrides(
    sections: &[Spanned<OverrideSection>],
    cpu: bool,
    placement: Option<&Placement>,
    models: &[ModelSection],
    checker: &mut Checker,
) -> Option<Vec<Override>> {
    let mut overrides = Vec::new();
    // Each slot's first override, and its line: a second would silently win.
    let mut selected: Vec<(Selector, usize)> = Vec::new();
    for section in sections {
        let inner = section.get_ref();
        // Before anything can skip this override: their problems are reported too.
        let env = check_env(&inner.env, checker);
        let args = check_args(&inner.args, ArgsPlace::Override, checker);
        let versions = check_override_versions(&inner.versions, models, checker);
        let Some((selector, span)) = selector(section, cpu, checker) else {
            continue;
        };
        let line = checker.source.position(span.start).line;
        if let Some((_, first)) = selected.iter().find(|(seen, _)| *seen == selector) {
            checker.error(
                span,
                format!("a second [[override]] for {}", described(&selector)),
                format!("the first is on line {first}; merge the two into one [[override]]"),
            );
            continue;
        }
        selected.push((selector.clone(), line));
        let weight = match &inner.weight {
            Some(weight) => match checker.number(weight, 1..=1000, "weight") {
                Some(weight) => Some(weight),
                None => continue,
            },
            None => None,
        };
        let Some(versions) = versions else {
            continue;
        };
        if let Some(placement) = placement {
            let known = KnownSlots::Written(placement);
            let outside = outside_placement(checker.source, &selector, span.clone(), known);
            checker.diagnostics.extend(outside);
        }
        overrides.push(Override {
            selector,
            span,
            weight,
            env,
            args,
            versions,
        });
    }
    Some(overrides)
}

/// The one selector of an override, fitting the fleet's mode.
fn selector(
    section: &Spanned<OverrideSection>,
    cpu: bool,
    checker: &mut Checker,
) -> Option<(Selector, Range<usize>)> {
    let inner = section.get_ref();
    match (&inner.gpu, &inner.replica) {
        (Some(gpu), None) if !cpu => {
            let reference = gpu.get_ref();
            let problem = gpu_reference::problem(reference);
            if let Some(problem) = problem {
                checker.error(
                    gpu.span(),
                    format!("`gpu = {}` is not a GPU", gpu_text(reference)),
                    format!("{problem}; `tfs gpus` lists them"),
                );
                return None;
            }
            Some((Selector::Gpu(reference.clone()), gpu.span()))
        }
        (None, Some(replica)) if cpu => {
            let index = checker.number(replica, 0..=255, "replica")?;
            Some((Selector::Replica(index), replica.span()))
        }
        (Some(gpu), None) => {
            checker.error(
                gpu.span(),
                "`gpu` selector in CPU mode",
                "in CPU mode select a replica: `replica = 0`",
            );
            None
        }
        (None, Some(replica)) => {
            checker.error(
                replica.span(),
                "`replica` selector in GPU mode",
                "in GPU mode select a GPU: `gpu = 0`; `replica` needs `gpus = \"none\"`",
            );
            None
        }
        (gpu, _) => {
            let (message, hint) = match (gpu.is_some(), cpu) {
                (true, true) => (
                    "an [[override]] has both `gpu` and `replica`",
                    "in CPU mode keep `replica` and remove `gpu`",
                ),
                (true, false) => (
                    "an [[override]] has both `gpu` and `replica`",
                    "in GPU mode keep `gpu` and remove `replica`",
                ),
                (false, true) => (
                    "an [[override]] needs a selector",
                    "add `replica = N`: the CPU replica it applies to",
                ),
                (false, false) => (
                    "an [[override]] needs a selector",
                    "add `gpu = N`: the GPU (index or UUID) it applies to",
                ),
            };
            checker.error(section.span(), message, hint);
            None
        }
    }
}

/// "GPU 1", "GPU GPU-…", "replica 0".
fn described(selector: &Selector) -> String {
    match selector {
        Selector::Gpu(GpuReference::Index(index)) => format!("GPU {index}"),
        Selector::Gpu(GpuReference::Uuid(uuid)) => format!("GPU {}", quoted(uuid)),
        Selector::Replica(replica) => format!("replica {replica}"),
    }
}

fn gpu_text(reference: &GpuReference) -> String {
    match reference {
        GpuReference::Index(index) => index.to_string(),
        GpuReference::Uuid(uuid) => quoted(uuid),
    }
}
