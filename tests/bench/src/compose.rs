//! The same fleet as a docker-compose project (`tfs export compose`),
//! brought up with Debian's docker-compose.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::fleet::{self, Fleet, PREFIX};
use crate::sh::{self, R};

pub struct Compose {
    pub project: String,
    pub dir: PathBuf,
    /// The fleet's name: services are named after its replicas.
    fleet: String,
}

/// One `docker-compose up -d` and the wait until every model is AVAILABLE.
pub struct Up {
    pub up_seconds: f64,
    pub total_seconds: f64,
}

impl Compose {
    /// Exports `fleet` into its directory's `compose/` as project `PREFIX<label>`.
    pub fn export(fleet: &Fleet, label: &str) -> R<Self> {
        let dir = fleet.dir.join("compose");
        let out = fleet.tfs(&["export", "compose", "--out", &fleet::path_str(&dir)])?;
        if !out.status.success() {
            return Err(format!(
                "tfs export compose: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(Compose {
            project: format!("{PREFIX}{label}"),
            dir,
            fleet: fleet.name.clone(),
        })
    }

    fn compose(&self, args: &[&str]) -> R<String> {
        let file = fleet::path_str(&self.dir.join("docker-compose.yml"));
        let mut all = vec!["-p", &self.project, "-f", &file];
        all.extend(args);
        sh::ok("docker-compose", &all)
    }

    /// `docker-compose up -d`, then waits for every replica's model.
    pub fn up(&self) -> R<Up> {
        self.up_with(&["up", "-d"])
    }

    /// `docker-compose ARGS` (an `up`), then waits for every replica's model.
    pub fn up_with(&self, args: &[&str]) -> R<Up> {
        let started = Instant::now();
        self.compose(args)?;
        let up_seconds = started.elapsed().as_secs_f64();
        let addrs: Vec<String> = self
            .replicas()?
            .into_iter()
            .map(|(_, ip)| format!("{ip}:8501"))
            .collect();
        if !fleet::wait_available(&addrs, Duration::from_secs(120)) {
            return Err(format!("compose project {} never served", self.project));
        }
        Ok(Up {
            up_seconds,
            total_seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The replica containers (not the balancer) and their addresses.
    pub fn replicas(&self) -> R<Vec<(String, String)>> {
        let ids = sh::lines(&self.compose(&["ps", "-q"])?);
        let network = format!("{}_fleet", self.project);
        let all = fleet::addresses(&ids, &network)?;
        let balancer = format!("{}-balancer", self.fleet);
        Ok(all
            .into_iter()
            .filter(|(name, _)| !name.contains(&balancer))
            .collect())
    }

    /// Replaces the image of every replica service in docker-compose.yml.
    pub fn set_image(&self, from: &str, to: &str) -> R<()> {
        let file = self.dir.join("docker-compose.yml");
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        // The YAML writer quotes only references that need it.
        let changed = text
            .replace(&format!("image: \"{from}\""), &format!("image: \"{to}\""))
            .replace(&format!("image: {from}\n"), &format!("image: \"{to}\"\n"));
        if changed == text {
            return Err(format!("no image {from} in {file:?}"));
        }
        std::fs::write(&file, changed).map_err(|e| e.to_string())
    }

    /// Changes the served version in the exported models.config; compose
    /// does not see a bind-mounted file change, so `up` must recreate.
    pub fn set_version(&self, from: u32, to: u32) -> R<()> {
        let file = self.dir.join("models.config");
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{file:?}: {e}"))?;
        let changed = text.replace(&format!("versions: {from}"), &format!("versions: {to}"));
        if changed == text {
            return Err(format!("no version {from} in {file:?}"));
        }
        std::fs::write(&file, changed).map_err(|e| e.to_string())
    }

    /// `docker-compose down` with compose's own stop timeout (10 s), timed.
    pub fn down_timed(&self) -> R<f64> {
        let started = Instant::now();
        self.compose(&["down", "--remove-orphans"])?;
        Ok(started.elapsed().as_secs_f64())
    }

    /// `docker-compose down` (containers and network).
    pub fn down(&self) -> R<()> {
        self.compose(&["down", "--remove-orphans", "-t", "5"])
            .map(|_| ())
    }
}
