//! Which nginx a balancer image holds, asked before its container is made:
//! labels cannot change on a running container, so the version is learned
//! first and recorded in the balancer's labels.

use crate::desire::NginxVersion;
use crate::engine::Engine;

/// `nginx -v` in a throwaway container of `image` (its entrypoint
/// bypassed, no network). None when it cannot be run or says no version:
/// the balancer then gets the config every supported nginx reads.
pub async fn learn_nginx_version(engine: &impl Engine, image: &str) -> Option<NginxVersion> {
    let output = engine.run_once(image, &["nginx", "-v"]).await.ok()?;
    NginxVersion::parse(&output)
}
