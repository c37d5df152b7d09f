//! The labels that mark what a fleet owns. Docker is the state: these are
//! how tfs finds its own containers and networks, and nothing else.

pub const FLEET: &str = "tfs.fleet";
pub const ROLE: &str = "tfs.role";
pub const SLOT: &str = "tfs.slot";
pub const GPU: &str = "tfs.gpu";
pub const CONFIG_HASH: &str = "tfs.config-hash";
/// The hashed configuration as JSON, so that a plan can say what changed.
pub const SPEC: &str = "tfs.spec";
/// The models the container was created serving, as JSON: labels cannot
/// change on a running container, so a reload since is only in its files.
pub const MODELS: &str = "tfs.models";
/// The balancer's nginx version (`1.30.6`), learned from its image before
/// the container was created: which directives its nginx.conf may use.
pub const NGINX_VERSION: &str = "tfs.nginx-version";

pub const ROLE_REPLICA: &str = "replica";
pub const ROLE_BALANCER: &str = "balancer";
pub const ROLE_NETWORK: &str = "network";
