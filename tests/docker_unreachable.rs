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

/// A TCP server on a free port that answers every request with `answer`,
/// or, with None, accepts and never says a word.
fn server(answer: Option<&'static str>) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            match answer {
                Some(answer) => {
                    let mut buffer = [0u8; 4096];
                    let _ = stream.read(&mut buffer);
                    let _ = stream.write_all(answer.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    port
}

#[test]
fn a_web_server_at_docker_host_is_named_without_its_page() {
    let page = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>";
    let answer: &'static str = Box::leak(
        format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        )
        .into_boxed_str(),
    );
    let port = server(Some(answer));
    Test::new()
        .file("fleet.toml", &fleet())
        .model_dir("models/m", &[1])
        .env("DOCKER_HOST", &format!("tcp://127.0.0.1:{port}"))
        .args(&["plan"])
        .status(1)
        .stderr_contains(&format!("cannot reach the Docker daemon at tcp://127.0.0.1:{port}: it answered HTTP 404 with a web page, not the Docker API"))
        .stderr_contains("hint: DOCKER_HOST points at a server that is not dockerd")
        .stderr_lacks("<html")
        .stderr_lacks("DOCTYPE")
        .run();
}

#[test]
fn a_silent_daemon_times_out_and_says_after_how_long() {
    let port = server(None);
    let started = std::time::Instant::now();
    Test::new()
        .file("fleet.toml", &fleet())
        .model_dir("models/m", &[1])
        .env("DOCKER_HOST", &format!("tcp://127.0.0.1:{port}"))
        .env("TFS_DOCKER_TIMEOUT", "2")
        .args(&["status"])
        .status(1)
        .stderr_contains("error: pinging the Docker daemon\n")
        .stderr_contains(&format!(
            "caused by: the Docker daemon at tcp://127.0.0.1:{port} did not answer within 2s"
        ))
        .stderr_contains("--docker-timeout")
        .stderr_lacks("cannot reach")
        .run();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_empty_docker_host_counts_as_unset() {
    // The local daemon answers, and a fleet that does not exist has no replicas.
    Test::new()
        .file("fleet.toml", &fleet())
        .model_dir("models/m", &[1])
        .env("DOCKER_HOST", "")
        .args(&["status"])
        .status(1)
        .stdout_contains("no replicas (run `tfs apply`)")
        .stderr_lacks("cannot reach")
        .run();
}

#[test]
fn a_zero_docker_timeout_is_refused() {
    Test::new()
        .file("fleet.toml", &fleet())
        .args(&["status", "--docker-timeout", "0"])
        .status(1)
        .stderr_contains("--docker-timeout")
        .run();
}
