//! What a GPU named in fleet.toml may look like. Indices and UUIDs reach
//! container names, device requests, compose files and nginx.conf, so a
//! value that would truncate or break one of them is refused up front.

use super::gpu_selection::GpuReference;
use super::quoted::quoted;

/// The highest GPU index accepted: more than any host has, and far below
/// where an index would stop fitting the u32 it becomes.
pub const HIGHEST_INDEX: i64 = 1023;

/// The longest UUID after its `GPU-`/`MIG-` prefix; NVIDIA's are 36.
const LONGEST_UUID: usize = 64;

/// A UUID as nvidia-smi prints it.
const EXAMPLE_UUID: &str = "GPU-5ce2f4ba-8a2f-3a4e-9f3e-1c2b3d4e5f60";

/// Why `reference` names no GPU, as a phrase; None when it may name one.
pub fn problem(reference: &GpuReference) -> Option<String> {
    match reference {
        GpuReference::Index(index) if *index < 0 => {
            Some(format!("{index} is negative; GPU indices start at 0"))
        }
        GpuReference::Index(index) if *index > HIGHEST_INDEX => Some(format!(
            "{index} is above {HIGHEST_INDEX}, the highest GPU index tfs accepts"
        )),
        GpuReference::Index(_) => None,
        GpuReference::Uuid(uuid) if !is_uuid(uuid) => Some(format!(
            "{} is not a GPU UUID (\"GPU-\" or \"MIG-\" and up to {LONGEST_UUID} hex digits and '-', like \"{EXAMPLE_UUID}\")",
            quoted(uuid)
        )),
        GpuReference::Uuid(_) => None,
    }
}

/// `GPU-` or `MIG-`, then hex digits and dashes, starting with a digit.
fn is_uuid(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("GPU-")
        .or_else(|| text.strip_prefix("MIG-"))
    else {
        return false;
    };
    rest.len() <= LONGEST_UUID
        && rest.starts_with(|c: char| c.is_ascii_hexdigit())
        && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvidia_uuids_pass_and_anything_else_is_named() {
        let uuid = |text: &str| problem(&GpuReference::Uuid(text.to_string()));
        assert_eq!(uuid(EXAMPLE_UUID), None);
        assert_eq!(uuid("MIG-5ce2f4ba-8a2f-3a4e-9f3e-1c2b3d4e5f60"), None);
        assert_eq!(uuid("GPU-0001"), None);
        for bad in [
            "GPU-",
            "GPU-x1",
            "GPU-1 2",
            "GPU-1\"",
            "gpu-1",
            "GPU-1/0",
            "MIG-GPU-1",
        ] {
            assert!(uuid(bad).is_some(), "{bad}");
        }
        assert!(uuid(&format!("GPU-{}", "a".repeat(65))).is_some());
        let index = |index| problem(&GpuReference::Index(index));
        assert_eq!(index(0), None);
        assert_eq!(index(HIGHEST_INDEX), None);
        assert!(index(-1).is_some());
        assert!(index(1 << 32).unwrap().contains("above 1023"));
    }
}
