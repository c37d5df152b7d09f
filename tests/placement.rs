//! Placement resolved against literal GPU inventories: `desire` with
//! `Inventory::Found` and `Inventory::Unavailable`, no GPU or Docker needed.

#[path = "support/fleet_toml.rs"]
mod fleet_toml;

use fleet_toml::FleetToml;
use tfs::desire::{desire, Desired};
use tfs::discover::{Gpu, Inventory};
use tfs::load::{parse, Fleet, Source};

const UUID_0: &str = "GPU-11111111-2222-3333-4444-555555555555";
const UUID_1: &str = "GPU-66666666-7777-8888-9999-000000000000";

/// A fleet named `demo` with one model; `[placement]` goes on line 8.
fn demo() -> FleetToml {
    FleetToml::new("demo").model("half_plus_two")
}

/// The fleet parsed in a tempdir, returned too: it holds the model directory.
fn fleet(toml: FleetToml) -> (tempfile::TempDir, Fleet) {
    let directory = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(directory.path().join("models/half_plus_two/123")).unwrap();
    std::fs::write(
        directory
            .path()
            .join("models/half_plus_two/123/saved_model.pb"),
        b"",
    )
    .unwrap();
    let text = toml.to_string();
    let fleet = parse(Source::new(directory.path().join("fleet.toml"), text))
        .unwrap_or_else(|error| panic!("the fleet is valid: {error}"));
    (directory, fleet)
}

fn two_gpus() -> Inventory {
    let gpu = |index: u32, uuid: &str| Gpu {
        index,
        uuid: uuid.to_string(),
        name: "NVIDIA H100 80GB HBM3".to_string(),
        memory_total_mib: 81559,
        memory_used_mib: None,
    };
    Inventory::Found {
        source: "nvidia-smi",
        gpus: vec![gpu(0, UUID_0), gpu(1, UUID_1)],
        skipped: Vec::new(),
    }
}

fn unavailable() -> Inventory {
    Inventory::Unavailable {
        attempts: vec![
            "NVML: cannot load libnvidia-ml.so.1".to_string(),
            "nvidia-smi: nvidia-smi is not on PATH".to_string(),
        ],
    }
}

fn names_and_devices(desired: &Desired) -> Vec<(String, Option<String>)> {
    desired
        .replicas
        .iter()
        .map(|replica| (replica.name.clone(), replica.config.device_id.clone()))
        .collect()
}

fn error_of(toml: FleetToml, inventory: &Inventory) -> String {
    let (_directory, fleet) = fleet(toml);
    match desire(&fleet, inventory) {
        Ok(desired) => panic!("expected an error, got {:?}", names_and_devices(&desired)),
        Err(error) => format!("{error:#}"),
    }
}

#[test]
fn all_gpus_get_one_replica_each_bound_by_uuid() {
    let (_directory, fleet) = fleet(demo().gpus_all());
    let desired = desire(&fleet, &two_gpus()).unwrap();
    assert_eq!(
        names_and_devices(&desired),
        vec![
            ("demo-gpu0".to_string(), Some(UUID_0.to_string())),
            ("demo-gpu1".to_string(), Some(UUID_1.to_string())),
        ]
    );
    assert!(desired.warnings.is_empty(), "{:?}", desired.warnings);
}

#[test]
fn a_count_above_the_gpus_found_lists_them() {
    let error = error_of(demo().gpu_count(3), &two_gpus());
    assert!(
        error.contains("`gpus = 3` but this host has 2 GPUs"),
        "{error}"
    );
    assert!(
        error.contains(&format!("  0  {UUID_0}  NVIDIA H100 80GB HBM3")),
        "{error}"
    );
    assert!(
        error.contains(&format!("  1  {UUID_1}  NVIDIA H100 80GB HBM3")),
        "{error}"
    );
}

#[test]
fn an_index_not_found_lists_the_gpus_found() {
    let error = error_of(demo().gpus(&[0, 5]), &two_gpus());
    assert!(error.contains("GPU 5 is not on this host"), "{error}");
    assert!(error.contains("fleet.toml:9:8"), "{error}");
    assert!(
        error.contains(&format!("  1  {UUID_1}  NVIDIA H100 80GB HBM3")),
        "{error}"
    );
}

#[test]
fn explicit_indices_without_an_inventory_are_trusted_with_a_warning() {
    let (_directory, fleet) = fleet(demo().gpus(&[0, 2]));
    let desired = desire(&fleet, &unavailable()).unwrap();
    assert_eq!(
        names_and_devices(&desired),
        vec![
            ("demo-gpu0".to_string(), Some("0".to_string())),
            ("demo-gpu2".to_string(), Some("2".to_string())),
        ]
    );
    assert_eq!(desired.warnings.len(), 1, "{:?}", desired.warnings);
    assert!(
        desired.warnings[0].contains("no GPU inventory"),
        "{:?}",
        desired.warnings
    );
    assert!(
        desired.warnings[0].contains("nvidia-smi is not on PATH"),
        "{:?}",
        desired.warnings
    );
}

#[test]
fn all_gpus_without_an_inventory_suggests_explicit_indices() {
    let error = error_of(demo().gpus_all(), &unavailable());
    assert!(
        error.contains("cannot discover GPUs for `gpus = \"all\"`"),
        "{error}"
    );
    assert!(error.contains("nvidia-smi is not on PATH"), "{error}");
    assert!(error.contains("`gpus = [0, 1]`"), "{error}");
}

#[test]
fn two_per_gpu_share_it_by_halves() {
    let (_directory, fleet) = fleet(demo().gpus(&[0]).per_gpu(2));
    let desired = desire(&fleet, &two_gpus()).unwrap();
    assert_eq!(
        names_and_devices(&desired),
        vec![
            ("demo-gpu0-0".to_string(), Some(UUID_0.to_string())),
            ("demo-gpu0-1".to_string(), Some(UUID_0.to_string())),
        ]
    );
    for replica in &desired.replicas {
        assert!(
            replica
                .config
                .args
                .contains(&"--per_process_gpu_memory_fraction=0.5".to_string()),
            "{:?}",
            replica.config.args
        );
    }
}

#[test]
fn cpu_mode_needs_no_inventory() {
    let (_directory, fleet) = fleet(demo().cpu(2));
    let desired = desire(&fleet, &unavailable()).unwrap();
    assert_eq!(
        names_and_devices(&desired),
        vec![
            ("demo-cpu0".to_string(), None),
            ("demo-cpu1".to_string(), None)
        ]
    );
}
