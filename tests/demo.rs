//! `examples/demo/run`, as a newcomer runs it: a simulated 4-GPU host
//! (the demo's stand-in nvidia-smi), one replica pinned to each GPU by a
//! real Docker device request, predictions through the balancer answered
//! by all four GPUs. The demo leaves its fleet running; the test removes it.

#[path = "support/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const TFS: &str = env!("CARGO_BIN_EXE_tfs");

/// Destroys the demo fleet when the test ends, passed or panicked.
struct DemoFleet;

impl Drop for DemoFleet {
    fn drop(&mut self) {
        let _ = Command::new(TFS)
            .args([
                "destroy",
                "-f",
                "examples/demo/fleet.toml",
                "--auto-approve",
            ])
            .current_dir(ROOT)
            .output();
    }
}

#[test]
fn the_demo_serves_from_four_simulated_gpus() {
    fleet::require_docker();
    let _fleet = DemoFleet;
    let output = Command::new(Path::new(ROOT).join("examples/demo/run"))
        .env("TFS_BIN", TFS)
        .current_dir(ROOT)
        .output()
        .expect("examples/demo/run runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Simulated GPU 3 (tfs demo)"), "{stdout}");
    let answered: BTreeSet<(String, String)> = stdout
        .lines()
        .filter_map(|line| line.trim().strip_prefix("request "))
        .map(|line| {
            assert!(line.ends_with(r#"{"predictions":[2.5,3.0,4.5]}"#), "{line}");
            let gpu = line.split("-> GPU ").nth(1).unwrap_or("").split(' ').next();
            let replica = line.split('(').nth(1).unwrap_or("").split(',').next();
            (
                gpu.unwrap_or("").to_string(),
                replica.unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = (0..4)
        .map(|gpu| (gpu.to_string(), format!("demo-gpu{gpu}")))
        .collect();
    assert_eq!(answered, expected, "{stdout}");
    // Each replica was pinned to its GPU by a device request, by UUID.
    let visible = fleet::docker_lines(&[
        "inspect",
        "-f",
        "{{range .HostConfig.DeviceRequests}}{{range .DeviceIDs}}{{.}}{{end}}{{end}}",
        "demo-gpu2",
    ]);
    assert_eq!(visible, ["GPU-5e1a7ed0-0000-4000-8000-000000000002"]);
}
