//! What to serve, from the flags and the config files they name.

use crate::flags::Flags;
use crate::textproto::{self, Message};

/// Which versions of a model to serve.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// The newest `n` versions found on disk.
    Latest(usize),
    All,
    Specific(Vec<i64>),
}

/// One model to serve.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub name: String,
    pub base_path: String,
    pub policy: Policy,
}

/// The server's configuration once all files are read.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub models: Vec<ModelSpec>,
    /// The Prometheus path on the REST port, when monitoring is enabled.
    pub metrics_path: Option<String>,
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
            policy: Policy::Latest(1),
        }]
    } else {
        return Err("Both server_options.model_base_path and \
                    server_options.model_config_file are empty!"
            .into());
    };
    if !flags.batching_parameters_file.is_empty() {
        let text = read(&flags.batching_parameters_file)?;
        textproto::parse(&text).map_err(|e| format!("{}: {e}", flags.batching_parameters_file))?;
    }
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
        models.push(ModelSpec {
            name,
            base_path,
            policy,
        });
    }
    Ok(models)
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
        return n
            .parse()
            .map(Policy::Latest)
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
