use super::{FleetStatus, ReplicaStatus};
use crate::verify::Versions;

/// The status as a table, then the balancer and its endpoints.
pub fn render(status: &FleetStatus) -> String {
    let mut text = if status.healthy {
        format!("fleet \"{}\": healthy\n\n", status.fleet)
    } else {
        format!("fleet \"{}\": NOT healthy\n\n", status.fleet)
    };
    if status.replicas.is_empty() {
        text.push_str("no replicas (run `tfs apply`)\n");
    } else {
        text.push_str(&table(&status.replicas));
    }
    text.push('\n');
    match &status.balancer {
        None => text.push_str("balancer: none (run `tfs apply`)\n"),
        Some(balancer) => {
            let answer = if balancer.answers {
                "answers on /healthz"
            } else {
                "does NOT answer on /healthz"
            };
            text.push_str(&format!(
                "balancer {}: {}, {answer}\n",
                balancer.name, balancer.container_state
            ));
            text.push_str("Endpoints:\n");
            for model in &balancer.models {
                text.push_str(&format!(
                    "  REST  http://{}/v1/models/{model}\n",
                    balancer.rest
                ));
            }
            if balancer.models.is_empty() {
                text.push_str(&format!("  REST  http://{}\n", balancer.rest));
            }
            if let Some(grpc) = &balancer.grpc {
                text.push_str(&format!("  gRPC  {grpc}\n"));
            }
        }
    }
    text
}

fn table(replicas: &[ReplicaStatus]) -> String {
    let mut rows = vec![[
        "REPLICA", "GPU", "STATE", "RESTARTS", "UPTIME", "MODELS", "REQUESTS",
    ]
    .map(String::from)];
    for replica in replicas {
        rows.push([
            replica.name.clone(),
            gpu(replica),
            replica.container_state.to_string(),
            replica.restarts.to_string(),
            replica
                .uptime_seconds
                .map_or_else(|| "-".to_string(), duration),
            models(replica),
            replica
                .requests
                .map_or_else(|| "-".to_string(), |n| n.to_string()),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    for replica in replicas.iter().filter(|r| r.problem.is_some()) {
        text.push_str(&format!(
            "  {}: {}\n",
            replica.name,
            replica.problem.as_deref().unwrap_or_default()
        ));
    }
    text
}

fn gpu(replica: &ReplicaStatus) -> String {
    let Some(gpu) = &replica.gpu else {
        return "-".to_string();
    };
    let index = gpu
        .index
        .map_or_else(|| gpu.device_id.clone(), |i| i.to_string());
    match &gpu.usage {
        Some(usage) => format!(
            "{index} {} {}/{} MiB",
            usage.name, usage.memory_used_mib, usage.memory_total_mib
        ),
        None => index,
    }
}

fn models(replica: &ReplicaStatus) -> String {
    let parts: Vec<String> = replica
        .models
        .iter()
        .map(|model| {
            let versions = Versions {
                model: &model.name,
                states: &model.versions,
            }
            .compact();
            let labels: Vec<String> = model
                .labels
                .iter()
                .map(|(label, version)| format!("{label}={version}"))
                .collect();
            if labels.is_empty() {
                versions
            } else {
                format!("{versions} ({})", labels.join(" "))
            }
        })
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(" ")
    }
}

/// 75 -> "1m15s", 7300 -> "2h1m".
fn duration(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds}s"),
        60..=3599 => format!("{}m{}s", seconds / 60, seconds % 60),
        3600..=86_399 => format!("{}h{}m", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{}d{}h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}
