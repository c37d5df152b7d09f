//! The closing table of apply: endpoints and each replica's state.

use crate::desire::Desired;
use crate::execute::Outcome;
use crate::render::plan_text::gpu_text;
use crate::verify::Versions;

pub fn endpoints(desired: &Desired) -> String {
    let container = &desired.balancer.container;
    let mut text = String::from("Endpoints:");
    let models = desired
        .replicas
        .first()
        .map(|r| r.models.as_slice())
        .unwrap_or_default();
    // rest_port 0: `--rest_api_port=0` turned REST off; the listener only answers /healthz.
    if desired.balancer.settings.rest_port == 0 {
        text.push_str(&format!(
            "\n  REST  off (--rest_api_port=0); http://{}/healthz only",
            container.rest
        ));
    } else {
        for model in models {
            text.push_str(&format!(
                "\n  REST  http://{}/v1/models/{}",
                container.rest, model.name
            ));
        }
    }
    if let Some(grpc) = container.grpc {
        text.push_str(&format!("\n  gRPC  {grpc}"));
    }
    text
}

pub fn table(desired: &Desired, outcome: &Outcome) -> String {
    let mut rows = vec![[
        "REPLICA".to_string(),
        "GPU".to_string(),
        "STATE".to_string(),
        "MODELS".to_string(),
    ]];
    for (replica, health) in desired.replicas.iter().zip(&outcome.health) {
        let gpu = replica
            .gpu
            .as_ref()
            .map_or_else(|| "-".to_string(), gpu_text);
        let state = if health.available {
            "AVAILABLE".to_string()
        } else {
            health.container_state.to_string()
        };
        let models: Vec<String> = health
            .models
            .iter()
            .map(|(model, states)| Versions { model, states }.compact())
            .collect();
        rows.push([replica.name.clone(), gpu, state, models.join(" ")]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|column| rows.iter().map(|row| row[column].len()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
            .trim_end()
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
