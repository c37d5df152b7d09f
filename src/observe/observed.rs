use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::images::TagState;
use super::serving::Serving;
use crate::desire::ServedModel;

use crate::desire::content_hash;
use crate::engine::{Container, Network};

/// What Docker has of one fleet, found by labels; plus anything in the
/// fleet's name space that the fleet does not own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub network: Option<Network>,
    pub replicas: Vec<Container>,
    pub balancer: Option<Container>,
    /// The running balancer's nginx.conf, when it could be read.
    pub balancer_conf: Option<String>,
    /// The replicas that config's upstreams list.
    #[serde(default)]
    pub balancer_upstream: Option<Vec<String>>,
    /// The nginx.conf on disk is not the one nginx loaded: an apply was
    /// interrupted between moving a config in and reloading it.
    #[serde(default)]
    pub balancer_conf_unloaded: bool,
    /// Containers named like the fleet's but not labelled as its own.
    pub foreign_containers: Vec<Container>,
    /// Networks named like the fleet's but not labelled as its own.
    pub foreign_networks: Vec<Network>,
    /// What each running replica's TF Serving says of its models, by
    /// container name; empty when not asked (see [`super::observe_serving`]).
    #[serde(default)]
    pub serving: BTreeMap<String, Serving>,
    /// What each running replica was last told to serve (its models file),
    /// by container name; absent for a replica without a readable one.
    #[serde(default)]
    pub models: BTreeMap<String, Vec<ServedModel>>,
    /// With `pull = "always"`: what each image reference the fleet uses
    /// points to in its registry and on the host, by reference.
    #[serde(default)]
    pub images: BTreeMap<String, TagState>,
}

impl Observed {
    /// A digest of the observed state; a saved plan is only applied while it still matches.
    pub fn fingerprint(&self) -> String {
        let summary = (
            self.network.as_ref().map(|network| &network.id),
            self.replicas
                .iter()
                .map(|c| (&c.id, &c.labels, &c.state.status))
                .collect::<Vec<_>>(),
            self.balancer
                .as_ref()
                .map(|c| (&c.id, &c.labels, &c.state.status)),
            &self.balancer_conf,
            self.balancer_conf_unloaded,
            self.foreign_containers
                .iter()
                .map(|c| &c.id)
                .collect::<Vec<_>>(),
            &self.serving,
            &self.models,
            &self.images,
        );
        content_hash(&summary)
    }
}
