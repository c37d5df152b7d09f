//! Which slots an `[[override]]` selects, and the one rule and message for
//! a selector that names none: `validate` applies it to the placement as
//! fleet.toml writes it, `desire` to the slots resolved against the GPU
//! inventory (`gpus = "all"`, or UUIDs where the file lists indices, are only
//! answered there).

use std::ops::Range;

use super::diagnostic::Diagnostic;
use super::fleet::{GpuChoice, Placement, Selector};
use super::gpu_selection::GpuReference;
use super::source::Source;

/// A slot as an `[[override]]` can name it: a GPU, by whichever of its
/// index and UUID is known, or a CPU replica, by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectableSlot<'a> {
    Gpu {
        index: Option<i64>,
        uuid: Option<&'a str>,
    },
    Replica(u32),
}

impl Selector {
    /// Whether this selector picks `slot`; a GPU whose index (or UUID) is
    /// not known is picked by no index (or UUID).
    pub fn selects(&self, slot: &SelectableSlot) -> bool {
        match (self, slot) {
            (
                Selector::Gpu(GpuReference::Index(index)),
                SelectableSlot::Gpu { index: known, .. },
            ) => *known == Some(*index),
            (Selector::Gpu(GpuReference::Uuid(uuid)), SelectableSlot::Gpu { uuid: known, .. }) => {
                *known == Some(uuid.as_str())
            }
            (Selector::Replica(wanted), SelectableSlot::Replica(replica)) => wanted == replica,
            _ => false,
        }
    }
}

/// The slots an `[[override]]` is checked against.
#[derive(Debug, Clone, Copy)]
pub enum KnownSlots<'a> {
    /// The placement as fleet.toml writes it, before any GPU inventory:
    /// `validate` reports what the file alone shows.
    Written(&'a Placement),
    /// The slots the placement resolved to, each with its id (`gpu0`, `cpu1`).
    Resolved(&'a [(&'a str, SelectableSlot<'a>)]),
}

/// The diagnostic for an `[[override]]` whose selector names no slot of the
/// placement; None when it names one, or when the written placement cannot
/// tell yet (`gpus = "all"`, or a UUID where the file lists indices).
pub fn outside_placement(
    source: &Source,
    selector: &Selector,
    span: Range<usize>,
    known: KnownSlots,
) -> Option<Diagnostic> {
    let hint = match known {
        KnownSlots::Written(placement) => {
            let (slots, hint) = written_slots(placement)?;
            let told = slots.iter().all(|slot| tells(slot, selector));
            if !told || slots.iter().any(|slot| selector.selects(slot)) {
                return None;
            }
            hint
        }
        KnownSlots::Resolved(slots) => {
            if slots.iter().any(|(_, slot)| selector.selects(slot)) {
                return None;
            }
            let ids: Vec<&str> = slots.iter().map(|(id, _)| *id).collect();
            format!("the fleet's slots are: {}", ids.join(", "))
        }
    };
    let what = match selector {
        Selector::Gpu(GpuReference::Index(index)) => format!("GPU {index}"),
        Selector::Gpu(GpuReference::Uuid(uuid)) => uuid.clone(),
        Selector::Replica(index) => format!("replica {index}"),
    };
    Some(
        Diagnostic::at(
            source,
            span,
            format!("[[override]] selects {what}, which is not in the placement"),
        )
        .with_hint(hint),
    )
}

/// The slots fleet.toml alone makes, as far as it tells, and the hint that
/// says so; None for `gpus = "all"`, which only the inventory can answer.
fn written_slots(placement: &Placement) -> Option<(Vec<SelectableSlot<'_>>, String)> {
    match placement {
        Placement::Cpu { replicas } => Some((
            (0..*replicas).map(SelectableSlot::Replica).collect(),
            format!(
                "`replicas = {replicas}` makes {}",
                numbered("replica", *replicas)
            ),
        )),
        Placement::Gpu(gpu) => match &gpu.selection {
            GpuChoice::All => None,
            // The first N GPUs are 0 to N-1, whatever their UUIDs turn out to be.
            GpuChoice::First(count) => Some((
                (0..i64::from(*count))
                    .map(|index| SelectableSlot::Gpu {
                        index: Some(index),
                        uuid: None,
                    })
                    .collect(),
                format!("`gpus = {count}` takes {}", numbered("GPU", *count)),
            )),
            GpuChoice::List(list) => Some((
                list.iter()
                    .map(|reference| match reference {
                        GpuReference::Index(index) => SelectableSlot::Gpu {
                            index: Some(*index),
                            uuid: None,
                        },
                        GpuReference::Uuid(uuid) => SelectableSlot::Gpu {
                            index: None,
                            uuid: Some(uuid),
                        },
                    })
                    .collect(),
                format!(
                    "the placement is `gpus = {}`; select one of those, or add this GPU to `gpus`",
                    gpu.selection
                ),
            )),
        },
    }
}

/// Whether the file tells if `selector` picks this slot: a UUID cannot be
/// matched against a GPU the file names by index, nor an index against a UUID.
fn tells(slot: &SelectableSlot, selector: &Selector) -> bool {
    match (selector, slot) {
        (Selector::Gpu(GpuReference::Index(_)), SelectableSlot::Gpu { index, .. }) => {
            index.is_some()
        }
        (Selector::Gpu(GpuReference::Uuid(_)), SelectableSlot::Gpu { uuid, .. }) => uuid.is_some(),
        _ => true,
    }
}

/// "GPU 0", "GPUs 0 to 3".
fn numbered(noun: &str, count: u32) -> String {
    match count {
        1 => format!("{noun} 0 only"),
        _ => format!("{noun}s 0 to {}", count - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::fleet::GpuPlacement;

    const UUID: &str = "GPU-11111111-2222-3333-4444-555555555555";

    fn gpus(selection: GpuChoice) -> Placement {
        Placement::Gpu(GpuPlacement {
            selection,
            span: 0..0,
            per_gpu: 1,
            memory_fraction: None,
        })
    }

    /// The message and hint, or None when the selector names a slot.
    fn outside(selector: Selector, known: KnownSlots) -> Option<(String, String)> {
        let source = Source::new("fleet.toml", "gpu = 0\n");
        let diagnostic = outside_placement(&source, &selector, 6..7, known)?;
        Some((diagnostic.message, diagnostic.hint.unwrap_or_default()))
    }

    #[test]
    fn the_written_placement_answers_what_it_names() {
        let index = |index| Selector::Gpu(GpuReference::Index(index));
        let counted = gpus(GpuChoice::First(2));
        assert_eq!(outside(index(1), KnownSlots::Written(&counted)), None);
        assert_eq!(
            outside(index(2), KnownSlots::Written(&counted)),
            Some((
                "[[override]] selects GPU 2, which is not in the placement".to_string(),
                "`gpus = 2` takes GPUs 0 to 1".to_string()
            ))
        );
        let cpu = Placement::Cpu { replicas: 1 };
        assert_eq!(
            outside(Selector::Replica(1), KnownSlots::Written(&cpu)).map(|(_, hint)| hint),
            Some("`replicas = 1` makes replica 0 only".to_string())
        );
    }

    #[test]
    fn the_written_placement_leaves_to_the_inventory_what_it_cannot_tell() {
        let uuid = Selector::Gpu(GpuReference::Uuid(UUID.to_string()));
        for selection in [
            GpuChoice::All,
            GpuChoice::First(2),
            GpuChoice::List(vec![GpuReference::Index(0)]),
        ] {
            let placement = gpus(selection);
            assert_eq!(outside(uuid.clone(), KnownSlots::Written(&placement)), None);
        }
        let by_uuid = gpus(GpuChoice::List(vec![GpuReference::Uuid(UUID.to_string())]));
        let index = Selector::Gpu(GpuReference::Index(0));
        assert_eq!(outside(index, KnownSlots::Written(&by_uuid)), None);
    }

    #[test]
    fn resolved_slots_answer_everything_in_the_same_words() {
        let resolved = [
            (
                "gpu0",
                SelectableSlot::Gpu {
                    index: Some(0),
                    uuid: Some(UUID),
                },
            ),
            (
                "gpu1",
                SelectableSlot::Gpu {
                    index: Some(1),
                    uuid: None,
                },
            ),
        ];
        let known = KnownSlots::Resolved(&resolved);
        let uuid = |uuid: &str| Selector::Gpu(GpuReference::Uuid(uuid.to_string()));
        assert_eq!(outside(uuid(UUID), known), None);
        assert_eq!(
            outside(uuid("GPU-other"), known),
            Some((
                "[[override]] selects GPU-other, which is not in the placement".to_string(),
                "the fleet's slots are: gpu0, gpu1".to_string()
            ))
        );
        let index = Selector::Gpu(GpuReference::Index(2));
        assert!(outside(index, known).is_some());
    }
}
