//! Registry credentials, read the way the Docker CLI reads them:
//! `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, its `auths`
//! entries, and credential helpers (`credHelpers`, `credsStore`) run as
//! `docker-credential-NAME get`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use bollard::auth::DockerCredentials;
use serde::Deserialize;

/// Where Docker Hub's credentials are kept in config.json.
pub const DOCKER_HUB: &str = "https://index.docker.io/v1/";

/// The registry an image reference names: its first component when that
/// looks like a host (a dot, a port, or `localhost`), else Docker Hub.
pub fn registry_of(image: &str) -> String {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first.to_string(),
        _ => "docker.io".to_string(),
    }
}

/// The registry's key in config.json and its name for helpers.
fn server_key(registry: &str) -> String {
    if registry == "docker.io" {
        DOCKER_HUB.to_string()
    } else {
        registry.to_string()
    }
}

/// The Docker CLI's config directory.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

/// What a credential helper prints for `get`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

/// Credentials for `registry` (as [`registry_of`] names it); None when the
/// config has none. A config or helper that cannot be read is an error.
pub fn credentials_for(registry: &str) -> Result<Option<DockerCredentials>> {
    let Some(dir) = config_dir() else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    let config: ConfigFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "reading {}: not a Docker config\nhint: fix its JSON, or point DOCKER_CONFIG at another directory",
            path.display()
        )
    })?;
    let key = server_key(registry);
    if let Some(helper) = config.cred_helpers.get(&key) {
        return from_helper(helper, &key);
    }
    if let Some(store) = config.creds_store.as_deref().filter(|s| !s.is_empty()) {
        if let Some(found) = from_helper(store, &key)? {
            return Ok(Some(found));
        }
    }
    Ok(find_entry(&config.auths, &key).and_then(|entry| from_entry(entry, &key)))
}

/// An `auths` entry by key, also written as a URL (`https://HOST`, `HOST/v2/`).
fn find_entry<'a>(auths: &'a BTreeMap<String, AuthEntry>, key: &str) -> Option<&'a AuthEntry> {
    auths.get(key).or_else(|| {
        auths
            .iter()
            .find(|(candidate, _)| bare_host(candidate) == bare_host(key))
            .map(|(_, entry)| entry)
    })
}

fn bare_host(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

fn from_entry(entry: &AuthEntry, key: &str) -> Option<DockerCredentials> {
    let (username, password) = match (&entry.auth, &entry.username, &entry.password) {
        (Some(auth), _, _) if !auth.is_empty() => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            let (user, password) = decoded.split_once(':')?;
            (user.to_string(), password.to_string())
        }
        (_, Some(user), Some(password)) => (user.clone(), password.clone()),
        _ if entry.identitytoken.is_some() => (String::new(), String::new()),
        _ => return None,
    };
    Some(DockerCredentials {
        username: Some(username).filter(|u| !u.is_empty()),
        password: Some(password).filter(|p| !p.is_empty()),
        identitytoken: entry.identitytoken.clone(),
        serveraddress: Some(key.to_string()),
        ..Default::default()
    })
}

/// Runs `docker-credential-NAME get` with the server on stdin.
fn from_helper(name: &str, key: &str) -> Result<Option<DockerCredentials>> {
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!("running credential helper {program}\nhint: install it, or remove `{name}` from the Docker config's credsStore/credHelpers")
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(key.as_bytes()).ok();
    }
    let output = child
        .wait_with_output()
        .with_context(|| format!("running credential helper {program}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let said = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
        if said.to_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        bail!(
            "credential helper {program} failed for {key}: {}\nhint: `docker login {key}` stores credentials through it",
            said.trim()
        );
    }
    let answer: HelperAnswer = serde_json::from_str(stdout.trim())
        .with_context(|| format!("reading what credential helper {program} said for {key}"))?;
    let token = answer.username == "<token>";
    Ok(Some(DockerCredentials {
        username: Some(answer.username).filter(|_| !token),
        password: Some(answer.secret.clone()).filter(|_| !token),
        identitytoken: Some(answer.secret).filter(|_| token),
        serveraddress: Some(key.to_string()),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_named_like_docker_does() {
        assert_eq!(registry_of("127.0.0.1:5000/a/b:1"), "127.0.0.1:5000");
        assert_eq!(registry_of("ghcr.io/a/b"), "ghcr.io");
        assert_eq!(registry_of("localhost/b"), "localhost");
        assert_eq!(registry_of("tensorflow/serving:2"), "docker.io");
        assert_eq!(registry_of("nginx"), "docker.io");
    }

    #[test]
    fn auth_entries_decode_and_match_urls() {
        let config: ConfigFile = serde_json::from_str(
            r#"{"auths":{"https://r.example:5001/v2/":{"auth":"dGZzOnRmcy10ZXN0"}}}"#,
        )
        .unwrap();
        let entry = find_entry(&config.auths, "r.example:5001").unwrap();
        let credentials = from_entry(entry, "r.example:5001").unwrap();
        assert_eq!(credentials.username.as_deref(), Some("tfs"));
        assert_eq!(credentials.password.as_deref(), Some("tfs-test"));
    }
}
