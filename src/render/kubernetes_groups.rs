//! Replicas grouped into Deployments: one per distinct replica spec, since
//! a Deployment's pods are alike. Slots differ only in their GPU, which the
//! cluster's device plugin picks, so that is left out of the comparison.

use crate::desire::{Desired, ReplicaSpec};
use crate::load::kubernetes_names::is_dns_label;

/// The replicas of one Deployment.
pub struct SpecGroup<'a> {
    /// The Deployment's name, also its headless Service's and its pods' label.
    pub name: String,
    /// Its replicas, in the fleet's order; the first stands for all.
    pub replicas: Vec<&'a ReplicaSpec>,
}

impl<'a> SpecGroup<'a> {
    /// The spec every replica of the group has.
    pub fn spec(&self) -> &'a ReplicaSpec {
        self.replicas[0]
    }

    /// The slots the group serves (`gpu0`, `gpu1-1`, `cpu2`), for comments.
    pub fn slots(&self) -> Vec<&'a str> {
        self.replicas
            .iter()
            .map(|replica| replica.slot.as_str())
            .collect()
    }
}

/// Whether two replicas can be pods of one Deployment.
fn alike(one: &ReplicaSpec, other: &ReplicaSpec) -> bool {
    let config = |replica: &ReplicaSpec| {
        let mut config = replica.config.clone();
        config.device_id = None;
        config
    };
    config(one) == config(other) && one.models == other.models && one.weight == other.weight
}

/// The groups, in the order of their first replica. The fleet's own spec
/// (replicas no override changed) is `<fleet>-serving`; an override's is
/// named after its first slot, `<fleet>-serving-gpu1`.
pub fn groups<'a>(desired: &'a Desired, overridden: &[bool]) -> Vec<SpecGroup<'a>> {
    let mut groups: Vec<(bool, SpecGroup<'a>)> = Vec::new();
    for (index, replica) in desired.replicas.iter().enumerate() {
        let changed = overridden.get(index).copied().unwrap_or(false);
        match groups
            .iter_mut()
            .find(|(_, group)| alike(group.spec(), replica))
        {
            Some((any_changed, group)) => {
                *any_changed |= changed;
                group.replicas.push(replica);
            }
            None => groups.push((
                changed,
                SpecGroup {
                    name: String::new(),
                    replicas: vec![replica],
                },
            )),
        }
    }
    let mut numbered = 0;
    for (changed, group) in &mut groups {
        let base = format!("{}-serving", desired.fleet);
        group.name = if !*changed {
            base
        } else {
            let named = format!("{base}-{}", group.spec().slot);
            // A slot named by a GPU UUID is no DNS label: number it instead.
            if is_dns_label(&named) {
                named
            } else {
                numbered += 1;
                format!("{base}-override{numbered}")
            }
        };
    }
    groups.into_iter().map(|(_, group)| group).collect()
}
