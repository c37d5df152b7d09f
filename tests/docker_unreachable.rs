//! Docker out of reach: the error names the address, the cause and what to do,
//! never bollard's bare transport text.

#[path = "support/cli.rs"]
mod cli;

use cli::Test;

const FLEET: &str = "[fleet]\nname = \"demo\"\n\n[[models]]\nname = \"m\"\npath = \"models/m\"\n\n[placement]\ngpus = \"none\"\nreplicas = 1\n";

#[test]
fn a_missing_socket_is_explained() {
    for command in [
        &["plan"][..],
        &["apply", "--auto-approve"],
        &["destroy", "--auto-approve"],
        &["status"],
    ] {
        let output = Test::new()
            .file("fleet.toml", FLEET)
            .model_dir("models/m", &[1])
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .env("TFS_LOCK_DIR", "locks")
            .args(command)
            .run();
        assert_eq!(output.status, 1, "{command:?}: {output:?}");
        assert!(
            output.stderr.contains("cannot reach the Docker daemon at unix:///nonexistent/docker.sock: the socket does not exist"),
            "{command:?}: {}",
            output.stderr
        );
        assert!(
            output.stderr.contains("hint: is dockerd running?"),
            "{}",
            output.stderr
        );
        assert!(!output.stderr.contains("hyper"), "{}", output.stderr);
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
        .file("fleet.toml", FLEET)
        .model_dir("models/m", &[1])
        .env("DOCKER_HOST", &format!("tcp://127.0.0.1:{port}"))
        .args(&["plan"])
        .run();
    assert_eq!(output.status, 1);
    assert!(
        output.stderr.contains(&format!(
            "cannot reach the Docker daemon at tcp://127.0.0.1:{port}: "
        )),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.to_lowercase().contains("connection refused"),
        "{}",
        output.stderr
    );
}
