//! What to serve, from the flags and the config files they name.

use crate::batching;
use crate::flags::Flags;
use crate::textproto::{self, Message};
use std::collections::BTreeMap;

/// Which versions of a model to serve.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// The newest `n` versions found on disk.
    Latest(usize),
    All,
    Specific(Vec<i64>),
}

impl Default for Policy {
    /// TF Serving's default: the latest version.
    fn default() -> Self {
        Policy::Latest(1)
    }
}

/// One model to serve.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelSpec {
    pub name: String,
    pub base_path: String,
    pub policy: Policy,
    /// `version_labels`: label -> version.
    pub labels: BTreeMap<String, i64>,
}

/// The server's configuration once all files are read.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub models: Vec<ModelSpec>,
    /// The Prometheus path on the REST port, when monitoring is enabled.
    pub metrics_path: Option<String>,
    /// `--batching_parameters_file`'s values, when one is given.
    pub batching: Option<batching::Parameters>,
}

/// Builds the configuration; an error reads like TF Serving's start-up failures.
pub fn load(flags: &Flags) -> Result<ServerConfig, String> {
    let models = if !flags.model_config_file.is_empty() {
        let text = read(&flags.model_config_file)?;
        parse_model_config(&text).map_err(|e| format!("{}: {e}", flags.model_config_file))?
    } else if !flags.model_base_path.is_empty() {
        vec![ModelSpec {
            name: flags.model_name.clone(),
            base_path: flags.model_base_path.clone(),
            ..ModelSpec::default()
        }]
    } else {
        return Err("Both server_options.model_base_path and \
                    server_options.model_config_file are empty!"
            .into());
    };
    // TF Serving also refuses the file without --enable_batching; the stub
    // reads it either way (tfs's tests pass it alone).
    let batching = if flags.batching_parameters_file.is_empty() {
        None
    } else {
        let path = &flags.batching_parameters_file;
        let text = read(path)?;
        let parsed = batching::parse(&text).map_err(|e| {
            crate::log::error(&e);
            format!("INVALID_ARGUMENT: Invalid protobuf file: '{path}'")
        })?;
        Some(parsed)
    };
    let metrics_path = if flags.monitoring_config_file.is_empty() {
        None
    } else {
        let text = read(&flags.monitoring_config_file)?;
        parse_monitoring_config(&text)
            .map_err(|e| format!("{}: {e}", flags.monitoring_config_file))?
    };
    Ok(ServerConfig {
        models,
        metrics_path,
        batching,
    })
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("Could not read {path}: {e}"))
}

/// Parses a `model_config_list { config { ... } ... }` file.
pub fn parse_model_config(text: &str) -> Result<Vec<ModelSpec>, String> {
    let root = textproto::parse(text)?;
    let list = root
        .message("model_config_list")
        .ok_or("expected model_config_list (custom_model_config is not supported)")?;
    let mut models: Vec<ModelSpec> = Vec::new();
    for c in list.messages("config") {
        let name = c.scalar("name").unwrap_or_default().to_string();
        let base_path = c.scalar("base_path").unwrap_or_default().to_string();
        if name.is_empty() || base_path.is_empty() {
            return Err("every config needs a name and a base_path".into());
        }
        match c.scalar("model_platform") {
            None | Some("tensorflow") => {}
            Some(p) => return Err(format!("Invalid platform: {p} for model {name}")),
        }
        if models.iter().any(|m| m.name == name) {
            return Err(format!(
                "Illegal to list model {name} multiple times in config list"
            ));
        }
        let policy = parse_policy(c.message("model_version_policy"))?;
        let labels = parse_labels(c)?;
        models.push(ModelSpec {
            name,
            base_path,
            policy,
            labels,
        });
    }
    Ok(models)
}

/// `version_labels { key: 'stable' value: 123 }` entries (a map's text form).
fn parse_labels(c: &Message) -> Result<BTreeMap<String, i64>, String> {
    let mut labels = BTreeMap::new();
    for entry in c.messages("version_labels") {
        let key = entry.scalar("key").unwrap_or_default();
        let value = entry.scalar("value").unwrap_or("0");
        let version = value
            .parse()
            .map_err(|_| format!("bad version '{value}' for label '{key}'"))?;
        labels.insert(key.to_string(), version);
    }
    Ok(labels)
}

fn parse_policy(p: Option<&Message>) -> Result<Policy, String> {
    let Some(p) = p else {
        return Ok(Policy::Latest(1));
    };
    if let Some(s) = p.message("specific") {
        let versions = s
            .scalars("versions")
            .map(|v| v.parse::<i64>().map_err(|_| format!("bad version '{v}'")))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Policy::Specific(versions));
    }
    if p.message("all").is_some() {
        return Ok(Policy::All);
    }
    if let Some(l) = p.message("latest") {
        let n = l.scalar("num_versions").unwrap_or("1");
        // TF Serving serves at least one: num_versions 0 means 1.
        return n
            .parse::<usize>()
            .map(|n| Policy::Latest(n.max(1)))
            .map_err(|_| format!("bad num_versions '{n}'"));
    }
    Ok(Policy::Latest(1))
}

/// Parses `prometheus_config { enable: true, path: "..." }`; `None` when disabled.
pub fn parse_monitoring_config(text: &str) -> Result<Option<String>, String> {
    let root = textproto::parse(text)?;
    let Some(p) = root.message("prometheus_config") else {
        return Ok(None);
    };
    if p.scalar("enable") != Some("true") {
        return Ok(None);
    }
    let path = p.scalar("path").unwrap_or("/monitoring/prometheus/metrics");
    Ok(Some(path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_config_with_policies() {
        let models = parse_model_config(
            "model_config_list { config { name: 'a' base_path: '/models/a' \
             model_platform: 'tensorflow' model_version_policy { specific { versions: 123 \
             versions: 124 } } } config { name: 'b' base_path: '/models/b' \
             model_version_policy { latest { num_versions: 2 } } } \
             config { name: 'c' base_path: '/c' model_version_policy { all {} } } \
             config { name: 'd' base_path: '/d' } }",
        )
        .unwrap();
        assert_eq!(models[0].policy, Policy::Specific(vec![123, 124]));
        assert_eq!(models[1].policy, Policy::Latest(2));
        assert_eq!(models[2].policy, Policy::All);
        assert_eq!(models[3].policy, Policy::Latest(1));
        assert_eq!(models[3].base_path, "/d");
        assert!(models[3].labels.is_empty());
    }

    #[test]
    fn version_labels() {
        let models = parse_model_config(
            "model_config_list { config { name: 'a' base_path: '/a' \
             version_labels { key: 'stable' value: 123 } \
             version_labels { key: \"canary\" value: 124 } } }",
        )
        .unwrap();
        let labels: Vec<_> = models[0].labels.iter().collect();
        assert_eq!(
            labels,
            [(&"canary".to_string(), &124), (&"stable".to_string(), &123)]
        );
        let bad = "model_config_list { config { name: 'a' base_path: '/a' \
                   version_labels { key: 'x' value: 'y' } } }";
        assert!(parse_model_config(bad).is_err());
    }

    #[test]
    fn batching_file_is_strict() {
        let dir = std::env::temp_dir().join(format!("tfs-stub-batching-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("batching.txt");
        let mut f = Flags {
            model_base_path: "/m".into(),
            batching_parameters_file: file.to_string_lossy().into_owned(),
            enable_batching: true,
            ..Flags::default()
        };
        std::fs::write(
            &file,
            "max_batch_size { value: 32 }\nallowed_batch_sizes: 32",
        )
        .unwrap();
        assert_eq!(load(&f).unwrap().batching.unwrap().len(), 2);
        std::fs::write(&file, "max_batch_size { value: 32 }\nbogus: 1").unwrap();
        let e = load(&f).unwrap_err();
        assert_eq!(
            e,
            format!(
                "INVALID_ARGUMENT: Invalid protobuf file: '{}'",
                file.display()
            )
        );
        f.batching_parameters_file = dir.join("missing").to_string_lossy().into_owned();
        assert!(load(&f).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn model_config_errors() {
        assert!(parse_model_config("config { name: 'a' }").is_err());
        assert!(parse_model_config("model_config_list { config { name: 'a' } }").is_err());
        let dup = "model_config_list { config { name: 'a' base_path: '/a' } \
                   config { name: 'a' base_path: '/b' } }";
        assert!(parse_model_config(dup).unwrap_err().contains("multiple"));
        let plat = "model_config_list { config { name: 'a' base_path: '/a' model_platform: 'x' } }";
        assert!(parse_model_config(plat).is_err());
    }

    #[test]
    fn monitoring() {
        let on = "prometheus_config { enable: true, path: \"/monitoring/prometheus/metrics\" }";
        assert_eq!(
            parse_monitoring_config(on).unwrap().as_deref(),
            Some("/monitoring/prometheus/metrics")
        );
        let custom = "prometheus_config { enable: true path: '/m' }";
        assert_eq!(
            parse_monitoring_config(custom).unwrap().as_deref(),
            Some("/m")
        );
        assert_eq!(
            parse_monitoring_config("prometheus_config { enable: false }").unwrap(),
            None
        );
        assert_eq!(parse_monitoring_config("").unwrap(), None);
    }

    #[test]
    fn flags_without_config_file() {
        let mut f = Flags::default();
        assert!(load(&f).is_err());
        f.model_base_path = "/models/m".into();
        f.model_name = "m".into();
        let c = load(&f).unwrap();
        assert_eq!(c.models[0].name, "m");
        assert_eq!(c.metrics_path, None);
    }
}
