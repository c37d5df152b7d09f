//! `gpus = "all"` through a fake nvidia-smi: replicas bound by GPU UUID.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

use fleet::{docker_lines, TestFleet};

#[test]
fn all_gpus_from_nvidia_smi_are_bound_by_uuid() {
    let mut fleet = TestFleet::new("all");
    let bin = fleet.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("nvidia-smi");
    std::fs::write(
        &script,
        "#!/bin/sh\ncase \"$*\" in *--query-gpu=index,uuid,name,memory.total*) ;; *) exit 9;; esac\necho '0, GPU-11111111-aaaa, NVIDIA A100-SXM4-40GB, 40960'\necho '1, GPU-22222222-bbbb, NVIDIA A100-SXM4-40GB, 40960'\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    fleet.path_prepend(&bin);
    fleet.write(&fleet.toml().gpus_all());
    fleet
        .apply()
        .stdout_contains("GPU 1, GPU-22222222-bbbb")
        .run();
    let devices = docker_lines(&[
        "inspect",
        "--format",
        "{{json .HostConfig.DeviceRequests}}",
        &format!("{}-gpu0", fleet.name),
        &format!("{}-gpu1", fleet.name),
    ]);
    assert!(
        devices
            .iter()
            .any(|d| d.contains(r#""DeviceIDs":["GPU-11111111-aaaa"]"#)),
        "{devices:?}"
    );
    assert!(
        devices
            .iter()
            .any(|d| d.contains(r#""DeviceIDs":["GPU-22222222-bbbb"]"#)),
        "{devices:?}"
    );
    let gpus: BTreeSet<String> = (0..20)
        .map(|_| fleet.predict("half_plus_two", r#"{"instances": [1.0]}"#).2)
        .collect();
    assert_eq!(
        gpus,
        BTreeSet::from([
            "GPU-11111111-aaaa".to_string(),
            "GPU-22222222-bbbb".to_string()
        ])
    );
}
