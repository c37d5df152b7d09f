//! `tfs export kubernetes`: the fleet as Kubernetes manifests, on stdout
//! or as one file per object with a kustomization.yaml.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::FileArgs;
use crate::desire::{desire, Desired, NginxVersion};
use crate::discover::{discover_host, Gpu, Inventory};
use crate::load::kubernetes_names::is_dns_label;
use crate::load::{load, Fleet, GpuChoice, Placement};
use crate::printer::Printer;
use crate::render::kubernetes::{self, Cluster};

#[derive(Debug, Args)]
pub struct KubernetesArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// Write one file per object and a kustomization.yaml into DIR instead of one stream on stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The namespace of every object; overrides [kubernetes] namespace.
    #[arg(long, value_name = "NS", value_parser = namespace)]
    pub namespace: Option<String>,
}

fn namespace(text: &str) -> Result<String, String> {
    if is_dns_label(text) {
        Ok(text.to_string())
    } else {
        Err("a namespace is a DNS-1123 label: 1 to 63 of a-z, 0-9 and '-', starting and ending with a letter or digit".to_string())
    }
}

pub fn run(args: &KubernetesArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = load(&args.file.file)?;
    let inventory = cluster_inventory(&fleet);
    let mut desired = desire(&fleet, &inventory)?;
    // Which replicas an override changed: the fleet desired without any.
    let plain = desire(
        &Fleet {
            overrides: Vec::new(),
            ..fleet.clone()
        },
        &inventory,
    )?;
    let overridden: Vec<bool> = desired
        .replicas
        .iter()
        .zip(&plain.replicas)
        .map(|(replica, base)| {
            replica.config.args != base.config.args
                || replica.config.env != base.config.env
                || replica.models != base.models
                || replica.weight != base.weight
        })
        .collect();
    set_nginx_version(&mut desired, printer);
    let cluster = Cluster {
        desired: &desired,
        overridden: &overridden,
        settings: &fleet.kubernetes,
        namespace: args
            .namespace
            .clone()
            .unwrap_or_else(|| fleet.kubernetes.namespace.clone()),
        shared_gpu: match &fleet.placement {
            Placement::Gpu(placement) if placement.per_gpu > 1 => Some(placement.per_gpu),
            _ => None,
        },
    };
    let manifests = kubernetes::render(&cluster)?;
    let Some(out) = &args.out else {
        printer.out(kubernetes::stream(&desired.fleet, &manifests)?.trim_end());
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut files = vec![(
        "kustomization.yaml".to_string(),
        kubernetes::kustomization(&desired.fleet, &manifests)?,
    )];
    for manifest in &manifests {
        files.push((
            kubernetes::file_name(manifest),
            kubernetes::document(manifest)?,
        ));
    }
    for (name, content) in &files {
        let path = out.join(name);
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    printer.out(&format!(
        "Wrote {} objects and kustomization.yaml to {}.\nApply them with: kubectl apply -k {}",
        manifests.len(),
        out.display(),
        out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The GPUs the export counts on: the cluster's device plugin picks them,
/// so `gpus = N` is N GPUs whatever this host has, and a list is taken as
/// written. Only `gpus = "all"` asks this host.
fn cluster_inventory(fleet: &Fleet) -> Inventory {
    let Placement::Gpu(placement) = &fleet.placement else {
        return Inventory::Unavailable {
            attempts: Vec::new(),
        };
    };
    match placement.selection {
        GpuChoice::All => discover_host(),
        GpuChoice::First(count) => Inventory::Found {
            source: "fleet.toml",
            gpus: (0..count)
                .map(|index| Gpu {
                    index,
                    uuid: format!("GPU-{index}"),
                    name: "a cluster GPU".to_string(),
                    memory_total_mib: 0,
                    memory_used_mib: None,
                })
                .collect(),
            skipped: Vec::new(),
        },
        GpuChoice::List(_) => Inventory::Unavailable {
            attempts: Vec::new(),
        },
    }
}

/// The balancer's nginx from its image tag; an unknown one is taken to be
/// the oldest that the cluster's nginx.conf works with.
fn set_nginx_version(desired: &mut Desired, printer: &Printer) {
    let image = &desired.balancer.container.image;
    let version = NginxVersion::from_image_tag(image).unwrap_or_else(|| {
        printer.warn(&format!(
            "the tag of the balancer image {image} names no nginx version; the exported nginx.conf needs nginx {} or newer (`server NAME resolve`)",
            NginxVersion::RESOLVE
        ));
        NginxVersion::RESOLVE
    });
    desired.balancer = desired.balancer.with_nginx_version(Some(version));
}
