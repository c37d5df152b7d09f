//! What the executor tells whoever watches it: typed events, never words.
//! The CLI's reporter (`progress`) turns them into lines and spinners.

use crate::engine::PullProgress;
use crate::reconcile::Operation;
use crate::verify::ReplicaHealth;

/// Something that happened to one operation.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The operation began.
    Began(&'a Operation),
    /// It ended well.
    Done(&'a Operation, &'a Detail),
    /// It failed, for this reason.
    Failed(&'a Operation, &'a str),
    /// It was cut short by Ctrl-C: neither done nor failed.
    Interrupted(&'a Operation),
}

/// What a finished operation found or left.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// Nothing to add.
    Plain,
    /// Nothing needed doing: the image is on the host, the balancer runs
    /// that config already, no worker needed draining.
    Unchanged,
    /// The replicas the balancer's upstream lists now.
    Upstream(Vec<String>),
    /// What a replica reports for its models.
    Health(ReplicaHealth),
}

/// Receives the executor's events; layers of image pulls come through
/// [`PullProgress`].
pub trait Reporter: PullProgress {
    fn event(&self, event: Event<'_>);
}
