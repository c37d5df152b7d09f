//! Docker out of reach: the error names the address, the cause and what to do,
//! never bollard's bare transport text.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/fleet_toml.rs"]
mod fleet_toml;

use cli::Test;
use fleet_toml::FleetToml;

/// A one-replica CPU fleet serving models/m.
fn fleet() -> String {
    FleetToml::new("demo").model("m").cpu(1).to_string()
}

#[test]
fn a_missing_socket_is_explained() {
    for command in [
        &["plan"][..],
        &["apply", "--auto-approve"],
        &["destroy", "--auto-approve"],
        &["status"],
    ] {
        Test::new()
            .file("fleet.toml", &fleet())
            .model_dir("models/m", &[1])
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .env("TFS_LOCK_DIR", "locks")
            .args(command)
            .status(1)
            .stderr_contains("cannot reach the Docker daemon at unix:///nonexistent/docker.sock: the socket does not exist")
            .stderr_contains("hint: is dockerd running?")
            .stderr_lacks("hyper")
            .run();
    }
}

#[test]
fn a_refused_tcp_connection_is_explained() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = Test::new()
        .file("fleet.toml", &fleet())
        .model_dir("models/m", &[1])
        .env("DOCKER_HOST", &format!("tcp://127.0.0.1:{port}"))
        .args(&["plan"])
        .status(1)
        .stderr_contains(&format!(
            "cannot reach the Docker daemon at tcp://127.0.0.1:{port}: "
        ))
        .run();
    assert!(
        output.stderr.to_lowercase().contains("connection refused"),
        "{}",
        output.stderr
    );
}
