//! A plan as one JSON document with stable field names (see README).

use serde::Serialize;

use crate::desire::GpuBinding;
use crate::reconcile::{Action, Kind, Operation, Plan, Summary};

#[derive(Serialize)]
struct Document<'a> {
    format_version: &'static str,
    fleet: &'a str,
    changes: bool,
    summary: Summary,
    steps: Vec<StepDocument<'a>>,
    /// What apply does, in order (README: "Operations").
    operations: &'a [Operation],
    /// What undoes a failed wave.
    rollback: &'a [Operation],
    /// The rollout in words, when replicas are replaced.
    rollout: Option<String>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct StepDocument<'a> {
    action: Action,
    kind: Kind,
    resource: &'a str,
    slot: Option<&'a str>,
    gpu: Option<&'a GpuBinding>,
    reasons: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    nginx_conf_diff: Option<String>,
}

pub fn render(plan: &Plan) -> String {
    let steps = plan
        .steps
        .iter()
        .map(|step| StepDocument {
            action: step.action,
            kind: step.kind,
            resource: &step.resource,
            slot: step.slot.as_deref(),
            gpu: step.gpu.as_ref(),
            reasons: &step.reasons,
            nginx_conf_diff: step.nginx_conf.as_ref().map(|change| {
                similar::TextDiff::from_lines(
                    change.running.as_deref().unwrap_or(""),
                    change.desired.as_str(),
                )
                .unified_diff()
                .header("running nginx.conf", "desired nginx.conf")
                .to_string()
            }),
        })
        .collect();
    let document = Document {
        format_version: "1",
        fleet: &plan.fleet,
        changes: !plan.is_empty(),
        summary: plan.summary(),
        steps,
        operations: &plan.operations,
        rollback: &plan.rollback,
        rollout: super::plan_text::rollout(plan),
        warnings: &plan.warnings,
    };
    serde_json::to_string_pretty(&document).expect("plans serialize")
}
