//! A model version rollout under constant load: `tfs apply` in place (the
//! replicas reload their model config), the same change forced to replace
//! containers (the image changes too), and docker-compose recreating the
//! exported project after its models.config was edited.

use crate::compose::Compose;
use crate::fleet::{self, Fleet, Tools, FORKY, STUB, VERSIONS};
use crate::rollout::{under_load, Rollout, NEW_IMAGE};
use crate::sh::{self, R};
use crate::wrk::Clients;
use crate::Settings;

/// How long the models of this section take to load, in ms.
pub const LOAD_MS: u32 = 1000;

/// The three version changes, in the order they ran.
pub struct VersionRollouts {
    pub in_place: Rollout,
    pub replacing: Rollout,
    pub compose: Rollout,
}

/// The equal 4-GPU fleet (10 ms, one request at a time), models loading in 1 s.
pub fn body(image: &str) -> String {
    let load = format!("--stub_load_delay_ms={LOAD_MS}");
    let args = ["--stub_concurrency=1", "--stub_latency_ms=10", &load];
    fleet::stub_fleet(image, &args, 4)
}

pub fn measure(tools: &Tools, settings: &Settings) -> R<VersionRollouts> {
    let (old, new) = (VERSIONS[0], VERSIONS[1]);
    sh::docker(&["tag", STUB, NEW_IMAGE])?;
    let fleet = Fleet::new(tools, "versions", &body(STUB))?.with_nginx(FORKY, &body(STUB))?;
    fleet.apply()?;
    let url = fleet.published_url();
    let tool = "tfs apply, in place";
    let in_place = under_load(tool, Clients::KeepAlive, &url, settings, || {
        fleet.versions.set(Some(new));
        fleet.write(&body(STUB))?;
        fleet.apply().map(|a| a.lines)
    })?;
    let tool = "tfs apply, replacing";
    let replacing = under_load(tool, Clients::KeepAlive, &url, settings, || {
        fleet.versions.set(Some(old));
        fleet.write(&body(NEW_IMAGE))?;
        fleet.apply().map(|a| a.lines)
    })?;
    fleet.destroy()?;
    fleet.write(&body(STUB))?;
    let project = Compose::export(&fleet, "versions")?;
    let tool = "docker-compose up -d --force-recreate";
    let compose = project.up().and_then(|_| {
        under_load(tool, Clients::KeepAlive, &url, settings, || {
            project.set_version(old, new)?;
            project.up_with(&["up", "-d", "--force-recreate"])?;
            Ok(Vec::new())
        })
    });
    let down = project.down();
    let compose = compose?;
    down?;
    Ok(VersionRollouts {
        in_place,
        replacing,
        compose,
    })
}
