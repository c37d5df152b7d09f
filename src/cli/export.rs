//! `tfs export compose`: the fleet as docker-compose.yml and nginx.conf.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{pipeline, ExportArgs};
use crate::desire::NginxVersion;
use crate::printer::Printer;
use crate::render::compose;

pub fn run(args: &ExportArgs, printer: &Printer) -> Result<ExitCode> {
    let (_, mut desired) = pipeline::desired(&args.file.file)?;
    // Nothing runs here to ask the image's nginx; its tag is the best word.
    let version = NginxVersion::from_image_tag(&desired.balancer.container.image);
    desired.balancer = desired.balancer.with_nginx_version(version);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let files = compose::render(&desired)?;
    for file in &files {
        let path = args.out.join(&file.name);
        std::fs::write(&path, &file.content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    printer.out(&format!(
        "Wrote {} to {}.\nBring it up with: docker-compose -f {}/docker-compose.yml up -d",
        names.join(", "),
        args.out.display(),
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}
