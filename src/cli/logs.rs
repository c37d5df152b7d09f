//! `tfs logs`: one replica's logs, or every replica's prefixed by its name.

use std::process::ExitCode;

use anyhow::{bail, Result};
use futures_util::stream::{select_all, StreamExt};

use super::LogsArgs;
use crate::engine::Container;
use crate::engine::Engine;
use crate::load::fleet_name;
use crate::printer::Printer;

pub async fn run(args: &LogsArgs, printer: &Printer) -> Result<ExitCode> {
    let fleet = fleet_name(&args.file.file)?;
    let super::pipeline::Live { engine, observed } = super::pipeline::live(&fleet, None).await?;
    let containers: Vec<&Container> = match &args.replica {
        None => observed.replicas.iter().collect(),
        Some(wanted) => {
            let everything = observed.replicas.iter().chain(observed.balancer.iter());
            let found: Vec<&Container> = everything
                .filter(|c| &c.name == wanted || c.name == format!("{}-{wanted}", fleet))
                .collect();
            if found.is_empty() {
                let names: Vec<&str> = observed
                    .replicas
                    .iter()
                    .chain(observed.balancer.iter())
                    .map(|c| c.name.as_str())
                    .collect();
                bail!(
                    "fleet \"{}\" has no replica \"{wanted}\"\nhint: {}",
                    fleet,
                    if names.is_empty() {
                        "the fleet has no containers; run `tfs apply`".to_string()
                    } else {
                        format!("choose one of: {}", names.join(", "))
                    }
                );
            }
            found
        }
    };
    if containers.is_empty() {
        bail!(
            "fleet \"{}\" has no replicas\nhint: run `tfs apply` first",
            fleet
        );
    }
    let prefix = containers.len() > 1;
    let width = containers.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let streams = containers.iter().map(|container| {
        let name = container.name.clone();
        engine
            .logs(&container.name, args.follow, args.tail)
            .map(move |chunk| (name.clone(), chunk))
    });
    let mut merged = select_all(streams);
    while let Some((name, chunk)) = merged.next().await {
        for line in chunk?.lines() {
            if prefix {
                printer.out(&format!("{name:<width$} | {line}"));
            } else {
                printer.out(line);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
