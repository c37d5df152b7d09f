//! The docker CLI as tests use it: commands that must work, and what to
//! print about a fleet when a test failed.
#![allow(dead_code)]

use std::process::Command;

/// Fails (never skips) when the daemon or one of `images` is missing.
#[track_caller]
pub fn require_images(images: &[&str]) {
    let info = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    match info {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!(
            "Docker daemon unreachable: {}\nrun tests/env/setup first",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => panic!("docker CLI not found ({error}); run tests/env/setup first"),
    }
    for image in images {
        let status = Command::new("docker")
            .args(["image", "inspect", image])
            .output()
            .expect("docker runs");
        assert!(
            status.status.success(),
            "image {image} is missing; run tests/env/setup first"
        );
    }
}

#[track_caller]
pub fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs")
}

#[track_caller]
pub fn docker_lines(args: &[&str]) -> Vec<String> {
    let output = docker(args);
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = stdout_lines(&output);
    lines.sort();
    lines
}

/// The non-empty lines a command printed.
fn stdout_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// How often Docker restarted `container`.
#[track_caller]
pub fn restarts(container: &str) -> u32 {
    docker_lines(&["inspect", "-f", "{{.RestartCount}}", container])
        .join("")
        .parse()
        .unwrap()
}

/// A docker command's stdout lines, or nothing: for what a failed test
/// prints, where a second panic would abort every test of the binary.
fn lines_or_nothing(args: &[&str]) -> Vec<String> {
    match Command::new("docker").args(args).output() {
        Ok(output) if output.status.success() => stdout_lines(&output),
        _ => Vec::new(),
    }
}

/// The fleet's containers with their state and address (nginx's errors
/// name upstreams by address), for a test that failed.
pub fn print_containers(fleet: &str) {
    let ids = lines_or_nothing(&["ps", "-aq", "--filter", &format!("label=tfs.fleet={fleet}")]);
    if ids.is_empty() {
        return eprintln!("--- fleet {fleet} has no containers left");
    }
    let format = "{{.Name}} {{.State.Status}} since {{.State.StartedAt}} \
                  {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}";
    let mut args = vec!["inspect", "-f", format];
    args.extend(ids.iter().map(String::as_str));
    eprintln!(
        "--- the fleet's containers:\n{}",
        lines_or_nothing(&args).join("\n")
    );
}

/// What nginx logged (its errors name the upstream failures behind a
/// failed request), for a test that failed.
pub fn print_balancer_log(fleet: &str) {
    let balancer = format!("{fleet}-balancer");
    let logs = Command::new("docker")
        .args(["logs", "--tail", "60", &balancer])
        .output();
    if let Ok(logs) = logs {
        eprintln!(
            "--- the last lines `docker logs {balancer}` printed:\n{}{}",
            String::from_utf8_lossy(&logs.stdout),
            String::from_utf8_lossy(&logs.stderr)
        );
    }
}
