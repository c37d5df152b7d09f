//! Where the balancer keeps its nginx.conf, and reading which one nginx runs.
//!
//! Each config tfs writes is a file named after its content's hash in
//! [`CONF_DIR`]; nginx.conf and tfs-loaded.conf are symbolic links to one of
//! them. A plan learns what runs from HEAD requests (about a millisecond
//! each) and downloads a config (tens of milliseconds) only when it is not
//! the desired one.

use anyhow::Result;

use crate::desire::content_hash;
use crate::engine::{Engine, PathStat};

/// The file nginx reads at start and on reload: a link to a config in [`CONF_DIR`].
pub const NGINX_CONF_PATH: &str = "/etc/nginx/nginx.conf";
/// A link to the config nginx has loaded, moved after each reload. Plans read
/// this one, so an apply killed between switching nginx.conf and reloading
/// is seen as not loaded, and the next apply reloads it.
pub const LOADED_CONF_PATH: &str = "/etc/nginx/tfs-loaded.conf";
/// The configs tfs wrote, named by content.
pub const CONF_DIR: &str = "/etc/nginx/tfs";

/// The path a config is written to in the balancer.
pub fn conf_file(conf: &str) -> String {
    format!("{CONF_DIR}/{}.conf", &content_hash(&conf)[..16])
}

/// What the balancer runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BalancerConf {
    /// The config nginx loaded; None when it cannot be found.
    pub loaded: Option<String>,
    /// nginx.conf is not the loaded config.
    pub unloaded: bool,
}

/// Reads the balancer's config; `expected` (the desired one) is taken as is,
/// without a download, when the loaded link names it, its size matches and
/// its mtime is still the one tfs writes (the epoch): an edit by hand in the
/// balancer changes the mtime, and is downloaded and shown.
pub async fn read_balancer_conf(
    engine: &impl Engine,
    balancer: &str,
    expected: &str,
) -> Result<BalancerConf> {
    let expected_file = conf_file(expected);
    let (on_disk, loaded, expected_stat) = futures_util::join!(
        engine.stat(balancer, NGINX_CONF_PATH),
        engine.stat(balancer, LOADED_CONF_PATH),
        engine.stat(balancer, &expected_file),
    );
    let (on_disk, loaded, expected_stat) = (on_disk?, loaded?, expected_stat?);
    let target = |stat: &Option<PathStat>| stat.as_ref().and_then(|s| s.link_target.clone());
    let (disk_target, loaded_target) = (target(&on_disk), target(&loaded));
    if let (Some(disk_target), Some(loaded_target)) = (&disk_target, &loaded_target) {
        let unloaded = disk_target != loaded_target;
        let untouched = expected_stat
            .as_ref()
            .is_some_and(|stat| stat.size == expected.len() as u64 && stat.epoch_mtime);
        let loaded = if *loaded_target == expected_file && untouched {
            Some(expected.to_string())
        } else {
            engine.read_file(balancer, loaded_target).await?
        };
        return Ok(BalancerConf { loaded, unloaded });
    }
    // Not both links (a hand-edited balancer, or a record never made): compare contents.
    let content = |stat: Option<PathStat>, path: &'static str| async move {
        match stat {
            None => Ok(None),
            Some(PathStat {
                link_target: Some(target),
                ..
            }) => engine.read_file(balancer, &target).await,
            Some(_) => engine.read_file(balancer, path).await,
        }
    };
    let loaded = content(loaded, LOADED_CONF_PATH).await?;
    let on_disk = content(on_disk, NGINX_CONF_PATH).await?;
    Ok(BalancerConf {
        unloaded: on_disk != loaded,
        loaded,
    })
}

/// The replicas a config's upstreams list, sorted: nginx's `server NAME:PORT`
/// lines, without the placeholder of an empty upstream. Read here, where the
/// config is read, so that no other module parses nginx syntax.
pub fn upstream_members(conf: &str) -> Vec<String> {
    let members: std::collections::BTreeSet<String> = conf
        .lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("server "))
        // `server HOST:PORT ...;` in an upstream; `server {` opens a block.
        .filter_map(|rest| rest.split_once(':').map(|(host, _)| host))
        .filter(|name| *name != "127.0.0.1")
        .map(str::to_string)
        .collect();
    members.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::upstream_members;

    #[test]
    fn members_are_upstream_hosts_not_server_blocks() {
        let conf = "upstream tfs_rest {\n    zone tfs_rest 1m;\n    \
                    server demo-gpu1:8501 weight=1;\n    server demo-gpu0:8501 weight=1;\n}\n\
                    upstream tfs_grpc {\n    server 127.0.0.1:1 down;\n}\n\
                    server {\n    listen 8501;\n}\nserver {\n    listen 8500 http2;\n}\n";
        assert_eq!(upstream_members(conf), ["demo-gpu0", "demo-gpu1"]);
    }
}
