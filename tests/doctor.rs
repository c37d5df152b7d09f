//! `tfs doctor` on a ready host (the stand-in NVML, the test daemon with
//! its stand-in NVIDIA hook, the local images) and on hosts broken one way
//! each: no Docker, no GPUs, a missing image, a busy port, an unreadable
//! model directory, a lock held elsewhere, an image without TF Serving.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/spawned.rs"]
mod spawned;

use fleet::{docker_lines, FleetToml, Output, Test, TestFleet};
use tfs_nvml_stand_in::{describe, StandInGpu, DIRECTORY, FAIL, FAIL_INIT, GPUS};

const UUID_0: &str = "GPU-d0c70000-1111-2222-3333-444444444444";

/// A fleet directory whose tfs runs see one stand-in GPU and no nvidia-smi.
fn fleet(label: &str) -> TestFleet {
    let mut fleet = TestFleet::with_own_locks(label);
    let bin = fleet.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    fleet.path_prepend(&bin);
    fleet.set_env("LD_LIBRARY_PATH", DIRECTORY);
    let gpu = StandInGpu::new(UUID_0, "NVIDIA A100-SXM4-40GB", 40960, 512);
    fleet.set_env(GPUS, &describe(&[gpu]));
    fleet
}

fn doctor(fleet: &TestFleet, toml: &FleetToml) -> Test {
    fleet.write(toml);
    fleet.test().args(&["doctor"])
}

/// Runs tfs, checks the test's expectations, and returns tfs's pid: the
/// throw-away container is named after it.
#[track_caller]
fn run_with_pid(test: &Test) -> u32 {
    let (output, pid) = spawned::output_with_pid(test.command());
    test.check(output_of(output));
    pid
}

/// The `tfs-run-once-<pid>-…` containers tfs `pid` created since `since`
/// (Unix seconds), and those of them still there.
fn run_once_containers(pid: u32, since: u64) -> (Vec<String>, Vec<String>) {
    let prefix = format!("tfs-run-once-{pid}-");
    let until = (spawned::now() + 1).to_string();
    let created = docker_lines(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &until,
        "--filter",
        "type=container",
        "--filter",
        "event=create",
        "--format",
        "{{.Actor.Attributes.name}}",
    ]);
    let filter = format!("name={prefix}");
    let left = docker_lines(&["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"]);
    let ours = |names: Vec<String>| -> Vec<String> {
        names
            .into_iter()
            .filter(|name| name.starts_with(&prefix))
            .collect()
    };
    (ours(created), ours(left))
}

fn output_of(output: std::process::Output) -> Output {
    Output {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_ready_host_passes_every_check_and_keeps_nothing() {
    let fleet = fleet("doctor-ready");
    let since = spawned::now();
    let test = doctor(&fleet, &fleet.toml().gpus_all())
        .stdout_contains("✓ fleet file: fleet.toml: fleet \"")
        .stdout_contains("✓ Docker: ")
        .stdout_contains("(tfs needs API 1.40 or later), at unix://")
        .stdout_contains(&format!(
            "✓ GPUs: 1 through NVML: 0 NVIDIA A100-SXM4-40GB ({UUID_0})\n"
        ))
        .stdout_contains(&format!("✓ GPU device requests: a container of tfs-serving-stub:latest got GPU 0 ({UUID_0}): TensorFlow ModelServer: "))
        .stdout_contains("✓ serving image: tfs-serving-stub:latest is on this host\n")
        .stdout_contains("✓ balancer image: tfs-nginx:bookworm is on this host\n")
        .stdout_contains(&format!(
            "✓ balancer addresses: 127.0.0.1:{} free\n",
            fleet.rest_port
        ))
        .stdout_contains("✓ model directories: half_plus_two (")
        .stdout_contains("): versions 123\n")
        .stdout_contains("✓ lock: no tfs apply or destroy of fleet \"")
        .stdout_contains("\n\nReady: this host for fleet.toml passed every check.\n")
        .stdout_lacks("✗")
        .stdout_lacks("fix:")
        .stderr("");
    let pid = run_with_pid(&test);
    let (created, left) = run_once_containers(pid, since);
    assert_eq!(
        created.len(),
        1,
        "the device-request container: {created:?}"
    );
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn json_lists_every_check() {
    let fleet = fleet("doctor-json");
    let output = doctor(&fleet, &fleet.toml().gpus_all())
        .args(&["--json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["ready"], true, "{}", output.stdout);
    assert_eq!(report["fleet_file"], "fleet.toml");
    let checks = report["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "fleet_file",
            "docker",
            "gpus",
            "device_requests",
            "serving_image",
            "balancer_image",
            "balancer_addresses",
            "model_directories",
            "lock"
        ]
    );
    for check in checks {
        assert_eq!(check["status"], "pass", "{check}");
        assert!(check["fix"].is_null(), "{check}");
        assert!(!check["detail"].as_str().unwrap().is_empty(), "{check}");
    }
}

#[test]
fn the_host_alone_without_a_fleet_file() {
    let fleet = fleet("doctor-host");
    // No fleet.toml in the directory: Docker and the GPUs only.
    fleet
        .test()
        .args(&["doctor"])
        .stdout_starts_with("✓ Docker: ")
        .stdout_contains("✓ GPUs: 1 through NVML")
        .stdout_lacks("✓ fleet file")
        .stdout_lacks("balancer")
        .stdout_lacks("✗")
        .stdout_contains("Ready: this host (no fleet file: pass one with -f to check it too) passed every check.\n")
        .run();
}

#[test]
fn no_docker_reachable() {
    let mut fleet = fleet("doctor-nodocker");
    let socket = fleet.path("no-docker.sock");
    fleet.set_env("DOCKER_HOST", &format!("unix://{}", socket.display()));
    doctor(&fleet, &fleet.toml().gpus_all())
        .status(1)
        .stdout_contains(&format!(
            "✗ Docker: cannot reach the Docker daemon at unix://{}: the socket does not exist\n  fix: is dockerd running?",
            socket.display()
        ))
        .stdout_contains("- GPU device requests: not checked: Docker is unreachable\n")
        .stdout_contains("- serving image: not checked: Docker is unreachable\n")
        .stdout_contains("Not ready: 1 check of this host for fleet.toml failed.\n")
        .run();
}

#[test]
fn no_gpus() {
    let mut fleet = fleet("doctor-nogpu");
    fleet.set_env(FAIL, FAIL_INIT);
    doctor(&fleet, &fleet.toml().gpus_all())
        .status(1)
        .stdout_contains("✗ GPUs: no GPU inventory: tried NVML: NVML could not start (reboot after a driver upgrade, or reinstall the driver): RM detects a driver/library version mismatch; tried nvidia-smi: nvidia-smi is not on PATH\n  fix: install the NVIDIA driver")
        .stdout_contains("- GPU device requests: not checked: no GPU found\n")
        .stdout_contains("Not ready: 1 check of")
        .run();
}

#[test]
fn a_missing_image_with_pull_never() {
    let fleet = fleet("doctor-noimage");
    let image = "tfs-serving-stub:doctor-missing";
    doctor(&fleet, &fleet.toml().gpus_all().image(image))
        .status(1)
        .stdout_contains(&format!(
            "✗ serving image: {image} is not on this host and `pull = \"never\"`\n  fix: load it first (docker load / docker pull {image}), or set `pull = \"missing\"`\n"
        ))
        .stdout_contains(&format!("- GPU device requests: not checked: {image} is not on this host, and doctor pulls nothing\n  fix: docker pull {image}, then run tfs doctor again\n"))
        .run();
}

#[test]
fn a_busy_port() {
    let fleet = fleet("doctor-port");
    let listener = std::net::TcpListener::bind(("127.0.0.1", fleet.rest_port)).unwrap();
    doctor(&fleet, &fleet.toml().gpus_all())
        .status(1)
        .stdout_contains(&format!(
            "✗ balancer addresses: 127.0.0.1:{port} is already in use on this host, so the balancer could not publish it\n  fix: stop what listens there (ss -ltnp 'sport = :{port}'), or choose another address in [balancer]\n",
            port = fleet.rest_port
        ))
        .run();
    drop(listener);
}

#[test]
fn an_unreadable_model_directory() {
    let fleet = fleet("doctor-models");
    fleet.write(&fleet.toml().gpus_all());
    let models = fleet.path("models/half_plus_two");
    let mode = |bits| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&models, std::fs::Permissions::from_mode(bits)).unwrap();
    };
    mode(0o000);
    let test = fleet
        .test()
        .args(&["doctor"])
        .status(1)
        .stdout_contains("✓ fleet file: fleet.toml: fleet \"")
        .stdout_contains("✗ model directories: ")
        .stdout_contains("- GPU device requests: not checked: fleet.toml did not load\n")
        .stdout_contains(": model path \"models/half_plus_two\" cannot be read: Permission denied (os error 13)\n  fix: tfs and TF Serving read it: make it readable (chmod -R a+rX ")
        .stdout_contains("- serving image: not checked: ")
        .stdout_contains("✓ lock: ");
    let output = output_of(
        spawned::without_root_override(&test.command())
            .output()
            .expect("setpriv runs (util-linux)"),
    );
    mode(0o755);
    test.check(output);
}

#[test]
fn a_lock_held_by_another_host() {
    let fleet = fleet("doctor-lock");
    let locks = fleet.path("locks");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(
        locks.join(format!("{}.lock", fleet.name)),
        r#"{"pid":4242,"host":"gpu-box-2","since":"2026-01-01T00:00:00Z","command":"tfs apply"}"#,
    )
    .unwrap();
    doctor(&fleet, &fleet.toml().gpus_all())
        .status(1)
        .stdout_contains(&format!(
            "✗ lock: fleet \"{}\" is locked by 4242@gpu-box-2 since 2026-01-01T00:00:00Z (tfs apply)\n  fix: wait for it to finish; if that process is gone, run `tfs force-unlock -f fleet.toml`\n",
            fleet.name
        ))
        .run();
}

#[test]
fn an_image_without_tf_serving_fails_the_device_request_and_is_removed() {
    let fleet = fleet("doctor-notfs");
    let since = spawned::now();
    let test = doctor(&fleet, &fleet.toml().gpus_all().image(fleet::NGINX_IMAGE))
        .status(1)
        .stdout_contains(&format!("✗ GPU device requests: a container of {} with GPU 0 ({UUID_0}) failed: ", fleet::NGINX_IMAGE))
        .stdout_contains("executable file not found")
        .stdout_contains("  fix: set [serving] image to a TF Serving GPU image (tensorflow/serving:latest-gpu)\n");
    let pid = run_with_pid(&test);
    let (created, left) = run_once_containers(pid, since);
    assert_eq!(
        created.len(),
        1,
        "the device-request container: {created:?}"
    );
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A tfs killed between creating its throw-away container and removing it
/// leaves one behind; the next run that needs one removes it. A running
/// one, one whose maker still runs (another tfs's run in progress) and
/// unlabelled containers are left alone.
#[test]
fn a_throwaway_container_left_by_a_killed_tfs_goes_at_the_next_run() {
    let fleet = fleet("doctor-leftover");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let (dead, alive) = (gone.id().to_string(), std::process::id().to_string());
    let create = |name: &str, pid: Option<&str>, run: bool| {
        let mut args: Vec<String> = vec![if run { "run" } else { "create" }.to_string()];
        if run {
            args.push("-d".to_string());
        }
        for word in ["--name", name, "--network", "none"] {
            args.push(word.to_string());
        }
        if let Some(pid) = pid {
            for label in [
                "tfs.throwaway=run-once".to_string(),
                format!("tfs.throwaway.host={}", host.trim()),
                format!("tfs.throwaway.pid={pid}"),
            ] {
                args.extend(["--label".to_string(), label]);
            }
        }
        for word in ["--entrypoint", "sleep", fleet::STUB_IMAGE, "600"] {
            args.push(word.to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert!(fleet::docker(&args).status.success(), "{args:?}");
    };
    let name = |what: &str| format!("{}-{what}", fleet.name);
    create(&name("left"), Some(&dead), false);
    create(&name("running"), Some(&dead), true);
    create(&name("in-progress"), Some(&alive), false);
    create(&name("stranger"), None, false);
    doctor(&fleet, &fleet.toml().gpus_all())
        .stdout_contains("✓ GPU device requests: ")
        .run();
    let there: Vec<(String, bool)> = ["left", "running", "in-progress", "stranger"]
        .iter()
        .map(|what| {
            let filter = format!("name=^{}$", name(what));
            (
                what.to_string(),
                !docker_lines(&["ps", "-aq", "--filter", &filter]).is_empty(),
            )
        })
        .collect();
    for (what, _) in &there {
        fleet::docker(&["rm", "-f", &name(what)]);
    }
    let expected: Vec<(String, bool)> = [
        ("left", false),
        ("running", true),
        ("in-progress", true),
        ("stranger", true),
    ]
    .iter()
    .map(|(what, kept)| (what.to_string(), *kept))
    .collect();
    assert_eq!(there, expected, "(name, still there)");
}
